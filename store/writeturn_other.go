//go:build !unix

package store

import "time"

// turnFile has no lock where flock does not exist: writers wait for SQLite's write lock with
// its busy timeout alone.
type turnFile struct{}

// openWriteTurn returns no turn where flock does not exist (writeTurn's methods accept nil).
func openWriteTurn(string, time.Duration) (*writeTurn, error) { return nil, nil }

func (turnFile) tryExclusive() bool { return true }
func (turnFile) shared()            {}
func (turnFile) unlock()            {}
func (turnFile) close() error       { return nil }
