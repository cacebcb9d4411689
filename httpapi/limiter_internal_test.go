package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The limiter drops, once a minute, the buckets that have filled up again, which changes no
// answer (a full bucket is a new one), so that it holds only the clients seen lately; past
// maxKeys, new clients share one overflow bucket.
func TestLimiterForgetsIdleClients(t *testing.T) {
	now := time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)
	l := newLimiter(1, 2, func() time.Time { return now })
	l.maxKeys = 3
	require.NoError(t, l.allow("a"))
	require.NoError(t, l.allow("a"))
	require.Error(t, l.allow("a"), "a's burst is spent")
	require.NoError(t, l.allow("b"))
	require.NoError(t, l.allow("c"))
	assert.Equal(t, 3, l.held())

	// The bound: d and e share the overflow bucket, of the same burst.
	require.NoError(t, l.allow("d"))
	require.NoError(t, l.allow("e"))
	assert.Error(t, l.allow("d"), "the overflow bucket is spent, by d and e together")
	assert.Equal(t, 3, l.held())

	// A minute on, every bucket is full again: the sweep forgets them all, and a, whose
	// bucket refilled, has its whole burst as before.
	now = now.Add(time.Minute)
	require.NoError(t, l.allow("a"))
	assert.Equal(t, 1, l.held(), "only a, just now")
	require.NoError(t, l.allow("a"))
	assert.Error(t, l.allow("a"))

	// A bucket still refilling survives the sweep, so the sweep never hands out a burst early.
	now = now.Add(time.Minute - time.Second)
	require.NoError(t, l.allow("b"))
	require.NoError(t, l.allow("b"))
	now = now.Add(time.Second)
	require.NoError(t, l.allow("c")) // sweeps: a is full again, b is not
	assert.Equal(t, 2, l.held(), "b, still refilling, and c")
	require.NoError(t, l.allow("b"), "the token b earned in a second")
	assert.Error(t, l.allow("b"), "and no more")
}

// With no limit, nothing is held at all.
func TestLimiterOff(t *testing.T) {
	l := newLimiter(0, 0, time.Now)
	for i := range 1000 {
		require.NoError(t, l.allow(fmt.Sprint(i)))
	}
	assert.Equal(t, 0, l.held())
}

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":                 "192.0.2.7",
		"::ffff:192.0.2.7":          "192.0.2.7",
		"2001:db8:1:2::a":           "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff::1": "2001:db8:1:2::/64",
		"2001:db8:1:3::a":           "2001:db8:1:3::/64",
		"::1":                       "::/64",
		"fe80::1%eth0":              "fe80::/64",
		"not an address":            "not an address",
	} {
		assert.Equal(t, want, clientKey(in), in)
	}
}

// The public pages take the client's address from the connection, never from a header.
func TestPublicLimitIgnoresForwardedHeaders(t *testing.T) {
	s := newBareServer(t)
	s.public = newLimiter(1, 1, time.Now)
	for i, spoof := range []string{"198.51.100.1", "198.51.100.2"} {
		req := httptest.NewRequest(http.MethodGet, "/verify", nil)
		req.RemoteAddr = "192.0.2.9:4000"
		req.Header.Set("X-Forwarded-For", spoof)
		req.Header.Set("X-Real-IP", spoof)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if i == 0 {
			assert.Equal(t, http.StatusOK, rec.Code)
		} else {
			assert.Equal(t, http.StatusTooManyRequests, rec.Code, "the same connection's address")
		}
	}
}
