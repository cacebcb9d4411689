package store

import (
	"context"
	"sync"
	"time"
)

// writeTurn makes the writers of one SQLite database take turns across processes: the server
// and, meanwhile, refurbqa keys create, users create, audit… on the same file.
//
// SQLite's write lock is not fair. A writer that finds it taken polls for it (the busy handler,
// at most every 100 ms) until the busy timeout, and a server whose group commit begins its next
// transaction microseconds after the last one committed holds it nearly all the time while it
// ingests: the other process then finds it free only by luck, and its write failed with
// "database is locked" after the 10 s busy timeout.
//
// So a writer that must wait says so, and the others let it in. Each store keeps the turn file
// (turnPath) open. Before each write transaction it yields to writers of other stores that are
// waiting — an exclusive flock that cannot be had while another store holds a shared one — for
// at most patience (and, after a yield that ran out of patience, not at all for a respite);
// then it holds a shared flock itself from before its BEGIN IMMEDIATE until that BEGIN
// returned, that is for as long as it waits for SQLite's write lock, and releases it as its
// transaction starts. A turn file this user may not open (another user's) leaves the store
// without turns. A server that yields leaves SQLite's lock free, so the waiting
// process's next poll takes it; the server's own next BEGIN then waits, announced in turn, so
// that a writer of the other process yields to it before its next transaction.
//
// The turn only orders writers: SQLite's locks still decide who writes, so a flock that fails
// (a file system without flock) leaves SQLite's busy timeout as the only wait, and writers that
// do not take turns (the sqlite3 shell, the console's session writes) are waited for by
// SQLite's busy handler as before.
type writeTurn struct {
	// mine holds a token while a writer of this store yields or waits for SQLite's lock: one at
	// a time, since the store's writes share one connection anyway, and its own waiting writer
	// is never one to yield to.
	mine     chan struct{}
	file     turnFile // the turn file, open for the store's lifetime
	patience time.Duration
	// respite: after a yield that ran out of patience, the store's writes do not yield again
	// before calmUntil, so that a writer elsewhere that waits but cannot take its turn (a
	// stopped process) slows this store's writes by patience once per respite, not every write.
	// Both are only touched by the holder of mine.
	respite   time.Duration
	calmUntil time.Time
}

// writeTurnPatience is how long a store's write yields to a writer elsewhere that waits for
// SQLite's write lock. That writer's busy handler polls at least every 100 ms, so one that runs
// takes the lock well within it; writeTurnRespite is the respite after a yield that did not end
// so. A writer elsewhere thus gets a window of patience at least once in every patience +
// respite, well inside its own busy timeout (sqliteBusyTimeout, 10 s).
const (
	writeTurnPatience = 2 * time.Second
	writeTurnRespite  = 5 * time.Second
)

func newWriteTurn(file turnFile, patience time.Duration) *writeTurn {
	return &writeTurn{mine: make(chan struct{}, 1), file: file, patience: patience,
		respite: writeTurnRespite}
}

// wait yields to the writers of other stores that are waiting for the write lock, for at most
// patience or until ctx ends, then marks this store as waiting. The caller begins its
// transaction, then calls release (once the transaction began, or after it failed to begin;
// calling it again does nothing). A nil turn (PostgreSQL, a platform without flock) waits for
// nothing; a context that ends first leaves the transaction to fail with its error.
func (w *writeTurn) wait(ctx context.Context) (release func()) {
	if w == nil {
		return func() {}
	}
	select {
	case w.mine <- struct{}{}:
	case <-ctx.Done():
		return func() {}
	}
	now := time.Now()
	deadline := now.Add(w.patience)
	if now.Before(w.calmUntil) {
		deadline = now // in respite: no yielding
	}
	for delay := 50 * time.Microsecond; !w.file.tryExclusive(); delay = min(2*delay, 2*time.Millisecond) {
		if ctx.Err() != nil {
			break
		}
		if now = time.Now(); !now.Before(deadline) {
			if !now.Before(w.calmUntil) {
				w.calmUntil = now.Add(w.respite)
			}
			break // compete for SQLite's lock anyway, which has its own busy timeout
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	w.file.shared()
	var once sync.Once
	return func() {
		once.Do(func() {
			w.file.unlock()
			<-w.mine
		})
	}
}

// close closes the turn file, which drops this store's flock if it holds one.
func (w *writeTurn) close() error {
	if w == nil {
		return nil
	}
	return w.file.close()
}
