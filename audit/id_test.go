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
	format := regexp.MustCompile(`^[a-z]+_[0-9a-hjkmnp-tv-z]{30}$`)
	for _, prefix := range []string{
		PrefixSeller, PrefixKey, PrefixBenchTest, PrefixMysteryOrder, PrefixKPIMonth,
		PrefixScorecard, PrefixCorrectiveAction, PrefixEvent,
	} {
		t.Run(prefix, func(t *testing.T) {
			id, err := NewID(prefix, now, rand.Reader)
			require.NoError(t, err)
			assert.Regexp(t, format, id)
			assert.True(t, strings.HasPrefix(id, prefix+"_"))
			assert.Len(t, id, len(prefix)+31)
		})
	}

	t.Run("time and randomness round-trip", func(t *testing.T) {
		random := bytes.Repeat([]byte{0xa5}, 10)
		id, err := NewID("sc", now, bytes.NewReader(random))
		require.NoError(t, err)
		body := strings.TrimPrefix(id, "sc_")
		assert.Equal(t, now.UnixMilli(), decodeCrockford(t, body[:10]).Int64())
		assert.Zero(t, decodeCrockford(t, body[10:14]).Int64(), "a whole millisecond")
		assert.Equal(t, new(big.Int).SetBytes(random), decodeCrockford(t, body[14:]))

		// The fraction of the millisecond, in 1/65536ths.
		id, err = NewID("sc", now.Add(250*time.Microsecond), bytes.NewReader(random))
		require.NoError(t, err)
		body = strings.TrimPrefix(id, "sc_")
		assert.Equal(t, now.UnixMilli(), decodeCrockford(t, body[:10]).Int64())
		assert.Equal(t, int64(1<<14), decodeCrockford(t, body[10:14]).Int64())
	})

	t.Run("known values", func(t *testing.T) {
		id, err := NewID("ev", time.UnixMilli(0), bytes.NewReader(make([]byte, 10)))
		require.NoError(t, err)
		assert.Equal(t, "ev_000000000000000000000000000000", id)

		id, err = NewID("ev", time.UnixMilli(maxIDTime).Add(time.Millisecond-time.Nanosecond), bytes.NewReader(bytes.Repeat([]byte{0xff}, 10)))
		require.NoError(t, err)
		assert.Equal(t, "ev_7zzzzzzzzz1zzzzzzzzzzzzzzzzzzz", id)

		id, err = NewID("ev", time.UnixMilli(32).Add(500*time.Microsecond), bytes.NewReader(append(make([]byte, 9), 1)))
		require.NoError(t, err)
		assert.Equal(t, "ev_0000000010"+"1000"+"0000000000000001", id)
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
		assert.Len(t, id, len("bt_")+30)
		prev = id
	}
	_, err := g.New("BT", now)
	assert.Error(t, err)

	// The last step of a millisecond moves on to the next millisecond and keeps the order.
	ms := uint64(now.UnixMilli())
	h := &IDs{Random: rand.Reader, lastTick: ms<<subBits | (1<<subBits - 1)}
	before := encodeID("bt", h.lastTick, [10]byte{})
	id, err := h.New("bt", now)
	require.NoError(t, err)
	assert.Greater(t, id, before)
	assert.Equal(t, encodeID("bt", (ms+1)<<subBits, [10]byte{})[:len("bt_")+14], id[:len("bt_")+14])

	// The very last time part cannot be stepped past.
	h = &IDs{Random: rand.Reader, lastTick: maxTick}
	_, err = h.New("bt", now)
	assert.Error(t, err)
}

// randomPart reads the 80 random bits of an id.
func randomPart(t *testing.T, id string) *big.Int {
	t.Helper()
	_, body, ok := strings.Cut(id, "_")
	require.True(t, ok)
	require.Len(t, body, 30)
	return decodeCrockford(t, body[14:])
}

// Ids made in the same millisecond (here: the same instant) are not derivable from each other:
// each random part is exactly the 80 bits read for it, whatever came before, and only the time
// part keeps them in order.
func TestIDsOfOneMillisecondAreIndependent(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	first, second := bytes.Repeat([]byte{0x5a}, 10), make([]byte, 10)
	g := &IDs{Random: bytes.NewReader(append(slices.Clone(first), second...))}
	a, err := g.New("bt", now)
	require.NoError(t, err)
	b, err := g.New("bt", now)
	require.NoError(t, err)
	assert.Zero(t, new(big.Int).SetBytes(first).Cmp(randomPart(t, a)), "the first random part is the bytes read for it")
	assert.Zero(t, new(big.Int).SetBytes(second).Cmp(randomPart(t, b)), "the second random part is the bytes read for it, not the first one moved on")
	assert.Greater(t, b, a, "still in creation order, although its random part is smaller")

	// With real randomness, no two consecutive ids of one millisecond are close: a random
	// part within 2^32 of the previous one would happen by chance once in 2^47 pairs.
	g = &IDs{Random: rand.Reader}
	near := new(big.Int).Lsh(big.NewInt(1), 32)
	prev := ""
	for range 1000 {
		id, err := g.New("bt", now)
		require.NoError(t, err)
		if prev != "" {
			assert.Greater(t, id, prev)
			diff := new(big.Int).Sub(randomPart(t, id), randomPart(t, prev))
			assert.Positive(t, diff.Abs(diff).Cmp(near), "%s follows %s too closely", id, prev)
		}
		prev = id
	}
}
