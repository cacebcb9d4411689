package audit

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeCrockford reads a lower-case Crockford base32 string as a number.
func decodeCrockford(t *testing.T, s string) *big.Int {
	t.Helper()
	n := new(big.Int)
	for _, c := range s {
		i := strings.IndexRune(crockford, c)
		require.GreaterOrEqual(t, i, 0, "character %q", c)
		n.Lsh(n, 5)
		n.Or(n, big.NewInt(int64(i)))
	}
	return n
}

func TestNewIDFormat(t *testing.T) {
	now := at(t, "2026-10-05T12:30:00.123Z")
	format := regexp.MustCompile(`^[a-z]+_[0-9a-hjkmnp-tv-z]{26}$`)
	for _, prefix := range []string{
		PrefixSeller, PrefixKey, PrefixBenchTest, PrefixMysteryOrder, PrefixKPIMonth,
		PrefixScorecard, PrefixCorrectiveAction, PrefixEvent,
	} {
		t.Run(prefix, func(t *testing.T) {
			id, err := NewID(prefix, now, rand.Reader)
			require.NoError(t, err)
			assert.Regexp(t, format, id)
			assert.True(t, strings.HasPrefix(id, prefix+"_"))
			assert.Len(t, id, len(prefix)+27)
		})
	}

	t.Run("time and randomness round-trip", func(t *testing.T) {
		random := bytes.Repeat([]byte{0xa5}, 10)
		id, err := NewID("sc", now, bytes.NewReader(random))
		require.NoError(t, err)
		body := strings.TrimPrefix(id, "sc_")
		assert.Equal(t, now.UnixMilli(), decodeCrockford(t, body[:10]).Int64())
		assert.Equal(t, new(big.Int).SetBytes(random), decodeCrockford(t, body[10:]))
	})

	t.Run("known values", func(t *testing.T) {
		id, err := NewID("ev", time.UnixMilli(0), bytes.NewReader(make([]byte, 10)))
		require.NoError(t, err)
		assert.Equal(t, "ev_00000000000000000000000000", id)

		id, err = NewID("ev", time.UnixMilli(maxIDTime), bytes.NewReader(bytes.Repeat([]byte{0xff}, 10)))
		require.NoError(t, err)
		assert.Equal(t, "ev_7zzzzzzzzzzzzzzzzzzzzzzzzz", id)

		id, err = NewID("ev", time.UnixMilli(32), bytes.NewReader(append(make([]byte, 9), 1)))
		require.NoError(t, err)
		assert.Equal(t, "ev_00000000100000000000000001", id)
	})

	t.Run("deterministic for the same inputs", func(t *testing.T) {
		a, err := NewID("bt", now, bytes.NewReader([]byte("0123456789")))
		require.NoError(t, err)
		b, err := NewID("bt", now, bytes.NewReader([]byte("0123456789")))
		require.NoError(t, err)
		assert.Equal(t, a, b)
	})
}

func TestNewIDOrdering(t *testing.T) {
	start := at(t, "2026-01-01T00:00:00Z")
	steps := []time.Duration{
		time.Millisecond, 31 * time.Millisecond, time.Second, time.Hour, 24 * time.Hour, 1000 * 24 * time.Hour,
	}
	var created []string
	now := start
	for i := range 2000 {
		now = now.Add(steps[i%len(steps)])
		id, err := NewID("mo", now, rand.Reader)
		require.NoError(t, err)
		created = append(created, id)
	}
	assert.True(t, slices.IsSorted(created), "ids sort in creation order")

	t.Run("same millisecond, different ids", func(t *testing.T) {
		seen := map[string]bool{}
		for range 1000 {
			id, err := NewID("ca", start, rand.Reader)
			require.NoError(t, err)
			assert.False(t, seen[id], "duplicate %s", id)
			seen[id] = true
		}
	})

	t.Run("sub-millisecond differences share the time part", func(t *testing.T) {
		a, err := NewID("km", start, rand.Reader)
		require.NoError(t, err)
		b, err := NewID("km", start.Add(999*time.Microsecond), rand.Reader)
		require.NoError(t, err)
		assert.Equal(t, a[:13], b[:13])
	})
}

func TestNewIDErrors(t *testing.T) {
	now := at(t, "2026-10-05T12:30:00Z")
	boom := errors.New("boom")
	tests := []struct {
		name   string
		prefix string
		now    time.Time
		random io.Reader
		is     error
	}{
		{"empty prefix", "", now, rand.Reader, nil},
		{"upper-case prefix", "SC", now, rand.Reader, nil},
		{"prefix with underscore", "s_c", now, rand.Reader, nil},
		{"prefix too long", "abcdefghi", now, rand.Reader, nil},
		{"before 1970", "sc", at(t, "1969-12-31T23:59:59Z"), rand.Reader, nil},
		{"after 48 bits", "sc", time.UnixMilli(maxIDTime + 1), rand.Reader, nil},
		{"no randomness", "sc", now, nil, nil},
		{"short randomness", "sc", now, bytes.NewReader(make([]byte, 9)), io.ErrUnexpectedEOF},
		{"failing randomness", "sc", now, &failingReader{err: boom}, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := NewID(tt.prefix, tt.now, tt.random)
			require.Error(t, err)
			assert.Empty(t, id)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
		})
	}
}

func TestIDsAreMonotonicWithinAMillisecond(t *testing.T) {
	g := &IDs{Random: rand.Reader}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	prev := ""
	for i := range 10000 {
		at := now
		if i%1000 == 999 {
			at = now.Add(-time.Second) // a clock stepping back must not break the order
		}
		id, err := g.New("bt", at)
		require.NoError(t, err)
		assert.Greater(t, id, prev, "ids sort in the order they were made")
		assert.Len(t, id, len("bt_")+26)
		prev = id
	}
	_, err := g.New("BT", now)
	assert.Error(t, err)

	// The random part overflowing moves to the next millisecond and keeps the order.
	h := &IDs{Random: rand.Reader, lastMS: now.UnixMilli()}
	for i := range h.last {
		h.last[i] = 0xff
	}
	before := encodeID("bt", now.UnixMilli(), h.last)
	id, err := h.New("bt", now)
	require.NoError(t, err)
	assert.Greater(t, id, before)
}
