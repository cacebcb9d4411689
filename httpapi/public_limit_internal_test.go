package httpapi

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientKey(t *testing.T) {
	for _, tc := range []struct{ addr, key string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"not an address", "not an address"},
		{"", ""},
	} {
		assert.Equal(t, tc.key, clientKey(tc.addr), tc.addr)
	}
}

func TestAddressLimiter(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	l := newAddressLimiter(2, 4, func() time.Time { return now })
	for range 4 {
		require.NoError(t, l.allow("a"))
	}
	err := l.allow("a")
	var rl *rateLimited
	require.True(t, errors.As(err, &rl), "the fifth at once is refused")
	assert.Equal(t, "1", rl.retryAfter, "half a second, rounded up")
	require.NoError(t, l.allow("b"), "another client has its own bucket")
	now = now.Add(500 * time.Millisecond)
	require.NoError(t, l.allow("a"), "one token back after 1/rate")
	require.Error(t, l.allow("a"), "a refused request takes no token, and none is left")

	assert.NoError(t, newAddressLimiter(0, 0, time.Now).allow("a"), "a limit of 0 lets everything through")
}

// The limiter forgets the clients whose buckets are full again, so that its memory follows the
// clients of the last few seconds, not every address ever seen; and forgetting one changes
// no answer.
func TestAddressLimiterForgetsIdleClients(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	l := newAddressLimiter(1, 2, func() time.Time { return now })
	for i := range publicSweepFloor - 1 {
		require.NoError(t, l.allow(fmt.Sprint("idle-", i)))
	}
	require.NoError(t, l.allow("busy"))
	require.NoError(t, l.allow("busy"))
	assert.Equal(t, publicSweepFloor, l.size())

	// Two seconds later every idle bucket is full again; "busy" keeps sending.
	now = now.Add(2 * time.Second)
	require.NoError(t, l.allow("busy"))
	require.NoError(t, l.allow("busy"))
	require.NoError(t, l.allow("new"), "the sweep runs as a new client arrives")
	assert.Equal(t, 2, l.size(), "only the busy client and the new one are remembered")
	assert.Error(t, l.allow("busy"), "the busy client's bucket is still empty: sweeping kept it")

	// The next sweep waits for the table to grow again.
	for i := range publicSweepFloor - 3 {
		require.NoError(t, l.allow(fmt.Sprint("more-", i)))
	}
	assert.Equal(t, publicSweepFloor-1, l.size(), "no sweep below the floor")
}
