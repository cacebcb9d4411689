package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver, also used directly to check backups
)

// ErrExists is returned when a backup or restore would overwrite a file that holds data.
var ErrExists = errors.New("file exists")

// Backup writes a consistent copy of a SQLite database to out with VACUUM INTO, while the
// database stays online: it runs in one read transaction, so writers in other processes keep
// going and the copy holds exactly the transactions committed before it started. out must not
// exist. PostgreSQL databases are backed up with pg_dump instead.
func (s *Store) Backup(ctx context.Context, out string) error {
	if s.driver != SQLite {
		return fmt.Errorf("%w: backup is for SQLite; back up PostgreSQL with pg_dump", ErrConfig)
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("backup %s: %w", out, ErrExists)
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if strings.ContainsRune(abs, 0) {
		return fmt.Errorf("backup: bad file name %q", out)
	}
	// A connection of its own, so that the backup does not hold the store's single writer.
	db, err := sql.Open("sqlite3", "file:"+s.path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		_ = os.Remove(abs)
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	return CheckSQLite(ctx, abs)
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
// backup is checked, copied next to dst and renamed over it, so dst is never half written, and
// any write-ahead log of the old database is removed with it.
func Restore(ctx context.Context, src, dst string, force bool) error {
	if err := CheckSQLite(ctx, src); err != nil {
		return err
	}
	if st, err := os.Stat(dst); err == nil && st.Size() > 0 && !force {
		return fmt.Errorf("%s holds a database: %w (stop the server and pass --force to replace it)", dst, ErrExists)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".restore-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return os.Rename(tmp.Name(), dst)
}

// Path returns the SQLite file of the store ("" on PostgreSQL).
func (s *Store) Path() string { return s.path }
