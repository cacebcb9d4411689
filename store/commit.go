package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// errClosed answers a write submitted to a store that is closing.
var errClosed = errors.New("store is closed")

// groupMaxRows bounds the rows one group transaction takes (at least one job is always taken):
// enough for the 8 batches of 500 of a busy intake, small enough that one commit stays short.
const groupMaxRows = 8000

// commitJob is one write waiting for the committer: run does its work in the group's
// transaction and must be re-runnable (the committer may run it again alone, in its own
// transaction, after a failed group).
type commitJob struct {
	ctx   context.Context
	rows  int
	run   func(tx *gorm.DB) error
	state atomic.Int32 // jobQueued, jobTaken or jobAbandoned
	done  chan error   // receives exactly one answer once taken
}

const (
	jobQueued int32 = iota
	jobTaken
	jobAbandoned
)

// committer is the group commit of SQLite's single writer: the writes queued while a
// transaction commits are written together in the next one, under one COMMIT (one fsync of the
// WAL under synchronous=FULL) instead of one each. Each job stays all-or-nothing inside the
// group through a savepoint, and a caller is answered only once its transaction committed (or
// failed), so a group is, from each caller's point of view, its own transaction.
type committer struct {
	write *gorm.DB
	turn  *writeTurn // each transaction lets other processes' waiting writers go first

	mu     sync.Mutex
	queue  []*commitJob
	closed bool
	wake   chan struct{} // buffered(1): something was queued or the committer must stop
	exited chan struct{}
	// after, when set, is told that a group committed (the checkpointer).
	after func()
}

func newCommitter(write *gorm.DB, turn *writeTurn, after func()) *committer {
	c := &committer{write: write, turn: turn, wake: make(chan struct{}, 1), exited: make(chan struct{}), after: after}
	go c.loop()
	return c
}

// do queues run and waits for its outcome. A job whose context ends while it is still queued
// is dropped and answers the context's error; once the committer took it, do waits for the
// commit, so that an error answer always means that nothing was stored.
func (c *committer) do(ctx context.Context, rows int, run func(tx *gorm.DB) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &commitJob{ctx: ctx, rows: rows, run: run, done: make(chan error, 1)}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errClosed
	}
	c.queue = append(c.queue, j)
	c.mu.Unlock()
	c.signal()
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
			return ctx.Err()
		}
		return <-j.done
	}
}

func (c *committer) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// close stops taking jobs, lets the committer finish every job already queued and waits for
// it.
func (c *committer) close() {
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if !already {
		c.signal()
	}
	<-c.exited
}

func (c *committer) loop() {
	defer close(c.exited)
	for {
		<-c.wake
		for {
			group, closed := c.take()
			if len(group) > 0 {
				c.commit(group)
				continue
			}
			if closed {
				return
			}
			break
		}
	}
}

// take removes from the queue the jobs of the next group, skipping those abandoned by their
// callers.
func (c *committer) take() ([]*commitJob, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var group []*commitJob
	rows, n := 0, 0
	for n < len(c.queue) {
		j := c.queue[n]
		if len(group) > 0 && rows+j.rows > groupMaxRows {
			break
		}
		n++
		if !j.state.CompareAndSwap(jobQueued, jobTaken) {
			continue // its caller gave up before it was written
		}
		group = append(group, j)
		rows += j.rows
	}
	c.queue = append(c.queue[:0], c.queue[n:]...)
	return group, c.closed
}

// commit writes a group in one transaction, each job under its own savepoint: a job that fails
// is rolled back to its savepoint and answered with its error, the others commit. When the
// transaction as a whole fails (the COMMIT, or an error that rolled back more than the job's
// statements), every job that had succeeded is retried alone in its own transaction.
func (c *committer) commit(group []*commitJob) {
	answers := make([]error, len(group))
	var retry bool
	if len(group) == 1 {
		// Alone: its own transaction, no savepoint needed.
		answers[0] = c.transaction(group[0].run)
	} else {
		txErr := c.transaction(func(tx *gorm.DB) error {
			// The savepoints go to the connection directly: GORM's Exec builds a statement
			// for each, twice per job.
			exec := func(q string) error {
				_, err := tx.Statement.ConnPool.ExecContext(tx.Statement.Context, q)
				return err
			}
			for i, j := range group {
				name := "job" + strconv.Itoa(i)
				if err := exec("SAVEPOINT " + name); err != nil {
					return err
				}
				if err := j.run(tx); err != nil {
					answers[i] = err
					if rerr := exec("ROLLBACK TO " + name); rerr != nil {
						return rerr
					}
				}
				if err := exec("RELEASE " + name); err != nil {
					return err
				}
			}
			return nil
		})
		retry = txErr != nil
	}
	if retry {
		for i, j := range group {
			if answers[i] == nil {
				answers[i] = c.transaction(j.run)
			}
		}
	}
	for i, j := range group {
		j.done <- answers[i]
	}
	if c.after != nil {
		c.after()
	}
}

// transaction runs fn in a transaction of its own. Writing back to back, the committer would
// keep SQLite's write lock from the writers of other processes, whose busy handler only polls
// for it: each transaction first lets those that wait go (writeTurn).
func (c *committer) transaction(fn func(tx *gorm.DB) error) error {
	return turnTx(context.Background(), c.write, c.turn, fn)
}

// checkpointer moves the WAL back into the database file off the commit path: the writer runs
// with a high wal_autocheckpoint (a safety net only), and this goroutine, on a connection of its
// own, runs PASSIVE checkpoints after commits (at most every checkpointEvery) and on a timer,
// which never wait for the writer nor block it. The WAL restarts from its beginning at the first
// write after a complete checkpoint, and journal_size_limit truncates the file, so it does not
// grow without bound.
type checkpointer struct {
	db     *sql.DB
	nudge  chan struct{}
	stop   chan struct{}
	exited chan struct{}
	once   sync.Once
}

const (
	checkpointEvery = 250 * time.Millisecond
	checkpointIdle  = time.Second
)

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, nudge: make(chan struct{}, 1), stop: make(chan struct{}), exited: make(chan struct{})}
	go c.loop()
	return c
}

// committed tells the checkpointer that the WAL grew.
func (c *checkpointer) committed() {
	select {
	case c.nudge <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.exited)
	tick := time.NewTicker(checkpointIdle)
	defer tick.Stop()
	last := time.Time{}
	for {
		select {
		case <-c.stop:
			return
		case <-c.nudge:
			if wait := checkpointEvery - time.Since(last); wait > 0 {
				select {
				case <-c.stop:
					return
				case <-time.After(wait):
				}
			}
		case <-tick.C:
		}
		last = time.Now()
		// Errors are not fatal: the writer's own automatic checkpoint is the fallback.
		_, _ = c.db.Exec("PRAGMA wal_checkpoint(PASSIVE)")
	}
}

// close stops the checkpointer; Store.Close may be called more than once.
func (c *checkpointer) close() error {
	var err error
	c.once.Do(func() {
		close(c.stop)
		<-c.exited
		err = c.db.Close()
	})
	return err
}
