package demosim

import (
	"cmp"
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"time"
)

// ManualClock is the store's clock during a simulation: it shows the time it was last set to,
// so that records carry believable creation times, corrective actions fall due and become
// overdue, and ids (which embed the time) are reproducible. It is safe for concurrent use.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a clock showing t.
func NewManualClock(t time.Time) *ManualClock {
	c := &ManualClock{}
	c.Set(t)
	return c
}

// Now returns the time the clock was last set to.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t, in UTC and to the microsecond that both databases keep.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t.UTC().Truncate(time.Microsecond)
	c.mu.Unlock()
}

// Random is the store's source of randomness during a simulation, which the simulation points
// at streams of its seed (Use). The store is opened before the stream can be chosen (it
// depends on how many sellers the database has), so reading before the first Use fails.
type Random struct {
	mu sync.Mutex
	r  io.Reader
}

// Use makes r the source of what is read from now on.
func (s *Random) Use(r io.Reader) {
	s.mu.Lock()
	s.r = r
	s.mu.Unlock()
}

// Read reads from the source in use.
func (s *Random) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r == nil {
		return 0, errors.New("demo: random source not ready")
	}
	return s.r.Read(p)
}

// job is one step of the simulation, run at its simulated time.
type job struct {
	at  time.Time
	seq int
	run func(context.Context) error
}

// scheduler runs jobs at their simulated times while the loads move the clock forward.
type scheduler struct {
	clock Clock
	// end is the last simulated instant: nothing is scheduled after it.
	end   time.Time
	queue []job
	seq   int
}

// push schedules run at the simulated time at; a job after the end is dropped. Jobs of the
// same time run in the order they were pushed.
func (s *scheduler) push(at time.Time, run func(context.Context) error) {
	if at.After(s.end) {
		return
	}
	s.seq++
	s.queue = append(s.queue, job{at: at, seq: s.seq, run: run})
}

// advance moves the simulated clock forward to t, running first, in time order and each at its
// own time, every job due by then (including those that the jobs push), so that the clock never
// goes back: the store's ids, which carry their creation time, then sort like the simulated
// history. A job due before the clock's time runs at the clock's time.
func (s *scheduler) advance(ctx context.Context, t time.Time) error {
	for {
		slices.SortStableFunc(s.queue, func(a, b job) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.seq, b.seq)) })
		if len(s.queue) == 0 || s.queue[0].at.After(t) {
			break
		}
		j := s.queue[0]
		s.queue = s.queue[1:]
		s.setClock(j.at)
		if err := j.run(ctx); err != nil {
			return err
		}
	}
	s.setClock(t)
	return nil
}

// setClock sets the simulated clock, never backwards.
func (s *scheduler) setClock(t time.Time) {
	if t.After(s.clock.Now()) {
		s.clock.Set(t)
	}
}
