package console

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestThrottlePolicy(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	const acct, addr = "ana@lab.example", "192.0.2.7"

	var waits []time.Duration
	for range 10 {
		th.fail(acct, addr)
		waits = append(waits, th.wait(acct, addr))
	}
	s := time.Second
	assert.Equal(t, []time.Duration{0, 0, 0, 0, 0, s, 2 * s, 4 * s, 8 * s, 15 * time.Minute}, waits,
		"five free failures, then a doubling delay, then a 15-minute lock at the tenth")

	now = now.Add(15*time.Minute - time.Second)
	assert.Equal(t, time.Second, th.wait(acct, addr), "the lock lasts 15 minutes")
	now = now.Add(time.Second)
	assert.Zero(t, th.wait(acct, addr), "then it is lifted")
	th.fail(acct, addr)
	assert.Zero(t, th.wait(acct, addr), "and the count starts again")

	th.succeed(acct)
	assert.Zero(t, th.wait(acct, addr))

	// Another account from the same address: the address counts every failure, with a looser
	// policy (a whole lab may share one address).
	for i := range 19 {
		th.fail("user"+string(rune('a'+i))+"@lab.example", addr)
	}
	assert.Zero(t, th.wait("new@lab.example", addr), "20 failures from one address are free")
	th.fail("x@lab.example", addr)
	assert.Equal(t, time.Second, th.wait("new@lab.example", addr), "the 21st makes every account from it wait")
	assert.Zero(t, th.wait("new@lab.example", "198.51.100.1"), "other addresses are not slowed")
}

func TestThrottleMemoryIsBounded(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	for i := range maxThrottleKeys + 10 {
		now = now.Add(time.Millisecond)
		th.fail("a"+time.Duration(i).String(), "192.0.2.1")
	}
	assert.LessOrEqual(t, len(th.by), maxThrottleKeys)
}
