package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// The SQLite database holds seller contacts, IMEIs and key hashes: it, its -wal and -shm files
// and its backups are readable by their owner only.
const privateMode fs.FileMode = 0o600

// sidecars are the files SQLite keeps next to a database; it creates them with the database
// file's permissions.
var sidecars = []string{"-wal", "-shm", "-journal"}

// lockPath names the file that lockDatabase locks for the SQLite database db.
func lockPath(db string) string { return db + ".lock" }

// turnPath names the file on which the writers of the SQLite database db take turns across
// processes (writeTurn).
func turnPath(db string) string { return db + ".turn" }

// createPrivate creates the file at path, empty and readable by its owner only, and fails with
// fs.ErrExist if something is there. SQLite treats an empty file as an empty database, so this
// runs before SQLite first opens a new database (or a backup) to give it, and through it its
// -wal and -shm files, mode 0600. Opening with O_EXCL never opens an existing file: a
// descriptor of a database that SQLite has open in this process is never opened or closed
// here, which would drop SQLite's locks on it.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, privateMode)
	if err != nil {
		return err
	}
	return f.Close()
}

// preparePrivate makes sure the SQLite database at path and the files SQLite keeps beside it
// are readable by their owner only: a new database is created with mode 0600, and an existing
// one whose permissions let the group or others in (one made by an older refurbqa, which left
// them to SQLite's 0644) is tightened, files by name only (chmod opens no descriptor). A file
// this user does not own is left as its owner set it.
func preparePrivate(path string) error {
	err := createPrivate(path)
	if err == nil || !errors.Is(err, fs.ErrExist) {
		return err
	}
	for _, p := range append([]string{path}, withSuffixes(path, sidecars)...) {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if !st.Mode().IsRegular() || st.Mode().Perm()&^privateMode == 0 {
			continue
		}
		if err := os.Chmod(p, st.Mode().Perm()&privateMode); err != nil && !errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("make %s private: %w", p, err)
		}
	}
	return nil
}

func withSuffixes(path string, suffixes []string) []string {
	out := make([]string, len(suffixes))
	for i, s := range suffixes {
		out[i] = path + s
	}
	return out
}
