package store

import (
	"sync"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"
)

// sessionCleanupEvery is how often the session store deletes the sessions whose expiry passed.
// Find never answers an expired session whatever the sweep does; the sweep only keeps the table
// from growing with the sessions of people who never signed out.
const sessionCleanupEvery = 5 * time.Minute

// cleanedStore is a session store of scs with its background sweep of expired sessions.
type cleanedStore interface {
	scs.Store
	StopCleanup()
}

// sessions holds the session store of a Store, made on first use so that the commands that
// never serve the console (migrate, backup, reports…) run no sweep.
type sessions struct {
	mu     sync.Mutex
	store  cleanedStore
	closed bool
}

// SessionStore returns the server-side store of the console's sessions (scs's sqlite3store or
// postgresstore over the sessions table), so that every instance on one database shares the
// sessions: a session started through one instance is found by the others, and one ended
// through any is ended for all. Every call returns the same store, whose sweep of expired
// sessions runs until Close.
//
// On SQLite the store works on the writer's pool, the only one that may write: its one
// connection is taken by each statement or transaction in turn, so a session statement waits
// while the group commit (committer) holds the connection for a transaction, and runs between
// two of them; neither ever waits for the other while holding it, so they cannot deadlock. A
// session write is a transaction of its own, outside the group commit, and is durable when it
// returns, like any other acknowledged write. Session lookups go through the writer too: they
// are cheap, and the console commits the session on each request anyway to push its idle
// timeout back.
func (s *Store) SessionStore() scs.Store {
	s.sessions.mu.Lock()
	defer s.sessions.mu.Unlock()
	if s.sessions.store != nil {
		return s.sessions.store
	}
	every := sessionCleanupEvery
	if s.sessions.closed {
		every = 0 // no sweep that Close would not stop; the closed pool answers every call
	}
	db, _ := s.write.DB()
	if s.driver == Postgres {
		s.sessions.store = postgresstore.NewWithCleanupInterval(db, every)
	} else {
		s.sessions.store = sqlite3store.NewWithCleanupInterval(db, every)
	}
	return s.sessions.store
}

// close stops the sweep of expired sessions, after the one in progress if any, while the
// pool it works on is still open. It may be called more than once.
func (x *sessions) close() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return
	}
	x.closed = true
	if x.store != nil {
		x.store.StopCleanup()
	}
}
