package demosim

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/cmd/internal/demogen"
)

// day0 is an arbitrary simulated instant the tests count from.
var day0 = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

func at(hours int) time.Time { return day0.Add(time.Duration(hours) * time.Hour) }

// ran records which jobs ran and the clock's time when each did.
type ran struct {
	names []string
	times []time.Time
}

func (r *ran) job(clock Clock, name string) func(context.Context) error {
	return func(context.Context) error {
		r.names = append(r.names, name)
		r.times = append(r.times, clock.Now())
		return nil
	}
}

func TestSchedulerRunsJobsInTimeOrderAtTheirTimes(t *testing.T) {
	clock := NewManualClock(day0)
	s := scheduler{clock: clock, end: at(100)}
	var r ran
	s.push(at(30), r.job(clock, "c"))
	s.push(at(10), r.job(clock, "a"))
	s.push(at(20), r.job(clock, "b1"))
	s.push(at(20), r.job(clock, "b2")) // same time: after b1, pushed first
	s.push(at(50), r.job(clock, "later"))

	require.NoError(t, s.advance(context.Background(), at(30)))
	assert.Equal(t, []string{"a", "b1", "b2", "c"}, r.names, "due jobs, in time then push order; a job due at t runs")
	assert.Equal(t, []time.Time{at(10), at(20), at(20), at(30)}, r.times, "each job runs at its own time")
	assert.Equal(t, at(30), clock.Now())

	require.NoError(t, s.advance(context.Background(), at(49)))
	assert.Len(t, r.names, 4, "a job after t waits")
	assert.Equal(t, at(49), clock.Now())
	require.NoError(t, s.advance(context.Background(), at(60)))
	assert.Equal(t, "later", r.names[4])
	assert.Equal(t, at(50), r.times[4])
	assert.Equal(t, at(60), clock.Now())
}

func TestSchedulerRunsWhatJobsPushInTheSameAdvance(t *testing.T) {
	clock := NewManualClock(day0)
	s := scheduler{clock: clock, end: at(100)}
	var r ran
	s.push(at(10), func(ctx context.Context) error {
		s.push(at(15), r.job(clock, "pushed, due before t"))
		s.push(at(40), r.job(clock, "pushed, due after t"))
		return r.job(clock, "first")(ctx)
	})
	s.push(at(20), r.job(clock, "second"))
	require.NoError(t, s.advance(context.Background(), at(30)))
	assert.Equal(t, []string{"first", "pushed, due before t", "second"}, r.names)
	assert.Equal(t, []time.Time{at(10), at(15), at(20)}, r.times)
}

func TestSchedulerNeverMovesTheClockBackwards(t *testing.T) {
	clock := NewManualClock(at(50))
	s := scheduler{clock: clock, end: at(100)}
	var r ran
	s.push(at(10), r.job(clock, "overdue"))
	require.NoError(t, s.advance(context.Background(), at(20)))
	assert.Equal(t, []string{"overdue"}, r.names, "a job due before the clock's time still runs")
	assert.Equal(t, []time.Time{at(50)}, r.times, "at the clock's time, not back at its own")
	assert.Equal(t, at(50), clock.Now(), "advancing to an earlier time leaves the clock")
	require.NoError(t, s.advance(context.Background(), at(50)))
	assert.Equal(t, at(50), clock.Now())
}

func TestSchedulerDropsJobsAfterTheEnd(t *testing.T) {
	clock := NewManualClock(day0)
	s := scheduler{clock: clock, end: at(100)}
	var r ran
	s.push(at(100), r.job(clock, "at the end"))
	s.push(at(100).Add(time.Microsecond), r.job(clock, "after the end"))
	require.NoError(t, s.advance(context.Background(), at(1000)))
	assert.Equal(t, []string{"at the end"}, r.names)
	assert.Empty(t, s.queue)
}

func TestSchedulerStopsAtAFailingJob(t *testing.T) {
	clock := NewManualClock(day0)
	s := scheduler{clock: clock, end: at(100)}
	var r ran
	boom := errors.New("boom")
	s.push(at(10), func(context.Context) error { return boom })
	s.push(at(20), r.job(clock, "after the failure"))
	assert.ErrorIs(t, s.advance(context.Background(), at(30)), boom)
	assert.Empty(t, r.names)
	assert.Equal(t, at(10), clock.Now(), "the clock stays where the failure happened")
}

func TestManualClock(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	c := NewManualClock(time.Date(2025, 3, 1, 10, 0, 0, 123456789, paris))
	assert.Equal(t, time.Date(2025, 3, 1, 9, 0, 0, 123456000, time.UTC), c.Now(), "UTC, to the microsecond the databases keep")
	assert.Equal(t, time.UTC, c.Now().Location())
	c.Set(day0)
	assert.Equal(t, day0, c.Now())
}

func TestRandom(t *testing.T) {
	var r Random
	_, err := r.Read(make([]byte, 4))
	assert.Error(t, err, "no source yet")

	r.Use(demogen.NewReader(1, 2))
	got := make([]byte, 16)
	_, err = r.Read(got)
	require.NoError(t, err)
	want := make([]byte, 16)
	_, _ = demogen.NewReader(1, 2).Read(want)
	assert.Equal(t, want, got, "reads the stream in use")

	r.Use(bytes.NewReader([]byte{7, 8}))
	_, err = r.Read(got[:2])
	require.NoError(t, err)
	assert.Equal(t, []byte{7, 8}, got[:2], "Use switches the stream")
}
