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
	f, err := os.OpenFile(lockPath(db), os.O_RDWR|os.O_CREATE, 0o600)
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
