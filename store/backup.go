package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mattn/go-sqlite3" // the SQLite driver, also used directly to check backups
)

// ErrExists is returned when a backup or restore would overwrite a file that holds data.
var ErrExists = errors.New("file exists")

// ErrInUse is returned when a database to replace is open in another process.
var ErrInUse = errors.New("database in use")

// Backup writes a consistent copy of a SQLite database to out with VACUUM INTO, while the
// database stays online: it runs in one read transaction, so writers in other processes keep
// going and the copy holds exactly the transactions committed before it started. out must not
// exist; it is created readable by its owner only, like the database. PostgreSQL databases are
// backed up with pg_dump instead.
func (s *Store) Backup(ctx context.Context, out string) error {
	if s.driver != SQLite {
		return fmt.Errorf("%w: backup is for SQLite; back up PostgreSQL with pg_dump", ErrConfig)
	}
	if err := checkName(out); err != nil {
		return err
	}
	if err := createPrivate(out); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("backup %s: %w", out, ErrExists)
		}
		return err
	}
	// A connection of its own, so that the backup does not hold the store's single writer.
	if err := copyDatabase(ctx, s.path, out); err != nil {
		_ = os.Remove(out)
		return err
	}
	return CheckSQLite(ctx, out)
}

// checkName refuses a file name SQLite cannot be given.
func checkName(path string) error {
	if strings.ContainsRune(path, 0) {
		return fmt.Errorf("bad file name %q", path)
	}
	return nil
}

// copyDatabase copies the SQLite database src into out, an empty file the caller created with
// the mode the copy must have, with VACUUM INTO on a read-only connection of its own: the copy
// goes through SQLite only, so no descriptor of a database is opened outside it, and it is
// written with synchronous=FULL, so it is on disk when this returns.
func copyDatabase(ctx context.Context, src, out string) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite3", "file:"+src+"?mode=ro&_busy_timeout=10000&_synchronous=FULL")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, out, err)
	}
	return nil
}

// CheckSQLite opens a SQLite file read-only and runs PRAGMA integrity_check on it.
func CheckSQLite(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return fmt.Errorf("%s is not a SQLite database: %w", path, err)
	}
	if result != "ok" {
		return fmt.Errorf("%s fails its integrity check: %s", path, result)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM goose_db_version").Scan(&n); err != nil {
		return fmt.Errorf("%s is not a refurbqa database: %w", path, err)
	}
	return nil
}

// Restore replaces the SQLite database at dst with the backup at src. It refuses to overwrite
// a database that exists unless force is set; the server using dst must be stopped first. The
// backup is checked, copied next to dst through SQLite (VACUUM INTO, so no descriptor of either
// database is ever opened outside SQLite, and the copy is 0600) and renamed over it, so dst is
// never half written, and any write-ahead log of the old database is removed with it. It holds
// the database lock meanwhile, so no refurbqa process sets dst up or migrates it in between.
func Restore(ctx context.Context, src, dst string, force bool) error {
	if err := CheckSQLite(ctx, src); err != nil {
		return err
	}
	if err := checkName(dst); err != nil {
		return err
	}
	unlock, err := lockDatabase(dst)
	if err != nil {
		return err
	}
	defer unlock()
	if st, err := os.Stat(dst); err == nil && st.Size() > 0 {
		if !force {
			return fmt.Errorf("%s holds a database: %w (stop the server and pass --force to replace it)", dst, ErrExists)
		}
		if err := notInUse(ctx, dst); err != nil {
			return err
		}
	}
	f, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".restore-*") // mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Close(); err != nil {
		return err
	}
	if err := copyDatabase(ctx, src, tmp); err != nil {
		return err
	}
	if err := CheckSQLite(ctx, tmp); err != nil {
		return err
	}
	for _, suffix := range sidecars {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return os.Rename(tmp, dst)
}

// notInUse checks, through SQLite, that no other process has the database at path open: every
// connection to a WAL database holds a shared lock on it for as long as it is open, so a write
// transaction in exclusive locking mode is refused while one exists. Replacing the database and
// removing its WAL under a running server would lose what it writes. A file that is not a
// database is not in use. Restore holds the database lock meanwhile, so no refurbqa process
// opens the database between this check and the replacement.
func notInUse(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?_locking_mode=EXCLUSIVE&_busy_timeout=1000")
	if err != nil {
		return err
	}
	defer db.Close()
	err = func() error {
		conn, err := db.Conn(ctx) // the driver's set-up may already need the lock
		if err != nil {
			return err
		}
		defer conn.Close()
		// SQLite asks for the exclusive lock at BEGIN or at the end of the transaction.
		if _, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			return err
		}
		_, err = conn.ExecContext(ctx, "ROLLBACK")
		return err
	}()
	var se sqlite3.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se) && se.Code == sqlite3.ErrNotADB:
		return nil
	case errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked):
		return fmt.Errorf("%s is open in another process (a running server?): %w; stop it first", path, ErrInUse)
	default:
		return fmt.Errorf("%s: %w", path, err)
	}
}

// Path returns the SQLite file of the store ("" on PostgreSQL).
func (s *Store) Path() string { return s.path }
