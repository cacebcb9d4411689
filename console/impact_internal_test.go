package console

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

// TestImpactCache: the overview's estimate is read once per month and impactTTL; while one
// request reads a stale estimate again, the others show the stale one; a new month, or a
// failed read, is never answered from the cache.
func TestImpactCache(t *testing.T) {
	t0 := time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC)
	oct, nov := lastFullMonth(t0), lastFullMonth(t0.AddDate(0, 1, 0))
	var ic impactCache
	reads := 0
	read := func(at time.Time) func() (*impactPanel, error) {
		return func() (*impactPanel, error) {
			reads++
			return &impactPanel{Month: "read", At: at}, nil
		}
	}
	tests := []struct {
		name  string
		p     audit.Period
		at    time.Time
		reads int // after the call
		want  time.Time
	}{
		{"the first read", oct, t0, 1, t0},
		{"within the TTL: the cache", oct, t0.Add(impactTTL - time.Second), 1, t0},
		{"stale: read again", oct, t0.Add(impactTTL), 2, t0.Add(impactTTL)},
		{"another month: read at once", nov, t0.Add(impactTTL + time.Second), 3, t0.Add(impactTTL + time.Second)},
	}
	for _, tc := range tests {
		p, err := ic.get(tc.p, tc.at, read(tc.at))
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.reads, reads, tc.name)
		assert.Equal(t, tc.want, p.At, tc.name)
	}

	// A stale estimate being read again: the others show it meanwhile.
	stale := t0.Add(time.Hour)
	inside := false
	_, err := ic.get(nov, stale, func() (*impactPanel, error) {
		inside = true
		other, err := ic.get(nov, stale, func() (*impactPanel, error) {
			t.Error("a second read while one is under way")
			return nil, nil
		})
		require.NoError(t, err)
		assert.Equal(t, t0.Add(impactTTL+time.Second), other.At, "the stale estimate")
		return &impactPanel{At: stale}, nil
	})
	require.NoError(t, err)
	assert.True(t, inside)

	// A failed read answers its error and leaves the cache as it was.
	boom := errors.New("database gone")
	_, err = ic.get(oct, stale, func() (*impactPanel, error) { return nil, boom })
	assert.ErrorIs(t, err, boom)
	p, err := ic.get(nov, stale.Add(time.Minute), read(stale))
	require.NoError(t, err)
	assert.Equal(t, stale, p.At, "the cache still holds November's")
}
