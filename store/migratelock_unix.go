//go:build unix

package store

import (
	"fmt"
	"os"
	"syscall"
)

// lockDatabase takes an exclusive flock on the lock file of the SQLite database db (lockPath),
// so that processes opening one database at the same time set it up and migrate it one after
// the other. The lock lives in a file of its own, never in the database: SQLite's locks are
// POSIX record locks, which belong to the process and are all dropped when the process closes
// any descriptor of the file, so opening and closing the database here would silently release
// SQLite's locks and let other processes (the sqlite3 shell, a backup) delete the WAL under a
// running server.
func lockDatabase(db string) (unlock func(), err error) {
	f, err := openSidecar(db, lockPath(db))
	if err != nil {
		return nil, fmt.Errorf("database lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("database lock: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// openSidecar opens (creating it, readable by its owner only) a file refurbqa keeps beside the
// SQLite database db for its flocks. Created by root — an operator's sudo refurbqa migrate —
// it is given the database's owner, as SQLite gives its -wal and -shm files, so that the
// service that owns the database can still open it.
func openSidecar(db, path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, privateMode)
	if err != nil || os.Geteuid() != 0 {
		return f, err
	}
	if st, serr := os.Stat(db); serr == nil {
		if own, ok := st.Sys().(*syscall.Stat_t); ok {
			_ = f.Chown(int(own.Uid), int(own.Gid)) // best effort: root may still open it
		}
	}
	return f, nil
}
