//go:build unix

package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// turnFile is the turn file of a SQLite database, on which writeTurn takes flocks. flock locks
// belong to the open file, not to the process as SQLite's POSIX locks do, and the turn file is
// never the database: opening and closing it touches no lock of SQLite's.
type turnFile struct{ f *os.File }

// openWriteTurn opens (creating it, readable by its owner only) the turn file of the SQLite
// database db, for the writers of a store to take turns with other stores' (writeTurn).
func openWriteTurn(db string, patience time.Duration) (*writeTurn, error) {
	f, err := openSidecar(db, turnPath(db))
	if errors.Is(err, fs.ErrPermission) {
		// A turn file this user may not open (another user's): this store's writers do without
		// turns, waiting for SQLite's lock with its busy timeout alone, as before turns.
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("write turn: %w", err)
	}
	return newWriteTurn(turnFile{f: f}, patience), nil
}

// tryExclusive tells whether the turn file could be locked exclusively at once, which it
// cannot while a writer of another store waits (holds a shared lock). A file system that
// refuses flock answers true: nobody is known to wait.
func (t turnFile) tryExclusive() bool {
	err := syscall.Flock(int(t.f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	return err == nil || err != syscall.EWOULDBLOCK
}

// shared marks this store as waiting (converting the exclusive lock tryExclusive took, if it
// did). It waits only for another store's tryExclusive, which holds its lock for a moment.
func (t turnFile) shared() {
	for {
		if err := syscall.Flock(int(t.f.Fd()), syscall.LOCK_SH); err != syscall.EINTR {
			return
		}
	}
}

func (t turnFile) unlock() { _ = syscall.Flock(int(t.f.Fd()), syscall.LOCK_UN) }

func (t turnFile) close() error { return t.f.Close() }
