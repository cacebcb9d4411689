package console

import (
	"sync"
	"time"
)

// Sign-in throttling (console.md, "People and sign-in"): failed sign-ins are counted per
// account (the email as typed, normalised, whether or not an account has it, so that the
// throttle tells nothing about which emails exist) and per client address. After a few free
// failures every further attempt must wait a delay that doubles with each failure; past a
// limit the key is locked for a while. A success clears its account's count. Counts are kept
// in memory per instance: a guesser spread over several instances is slowed by each.
type throttlePolicy struct {
	free   int           // failures allowed without delay
	base   time.Duration // the delay after the first failure past free; doubled each time
	lockAt int           // failures at which the key is locked
	lock   time.Duration // how long a lock lasts, and how long a count is remembered
}

var (
	// accountPolicy: 5 free failures, then 1 s, 2 s, 4 s, 8 s…, locked for 15 minutes at 10.
	accountPolicy = throttlePolicy{free: 5, base: time.Second, lockAt: 10, lock: 15 * time.Minute}
	// addressPolicy is looser, since a whole lab may sign in from one address: 20 free
	// failures, then a doubling delay, locked for 15 minutes at 50.
	addressPolicy = throttlePolicy{free: 20, base: time.Second, lockAt: 50, lock: 15 * time.Minute}
)

// maxThrottleKeys bounds the memory of the throttle: when it is full, forgotten counts are
// swept, and if none are, the oldest entry goes.
const maxThrottleKeys = 100_000

type failures struct {
	count int
	last  time.Time
}

// throttle counts failed sign-ins per key.
type throttle struct {
	now func() time.Time
	mu  sync.Mutex
	by  map[string]failures // "account:<email>" or "address:<ip>"
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, by: map[string]failures{}}
}

// wait returns how long the caller must still wait before an attempt for these keys may be
// checked, zero when it may be now.
func (t *throttle) wait(account, address string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	return max(t.waitFor("account:"+account, accountPolicy, now), t.waitFor("address:"+address, addressPolicy, now))
}

func (t *throttle) waitFor(key string, p throttlePolicy, now time.Time) time.Duration {
	f, ok := t.by[key]
	if !ok || now.Sub(f.last) >= p.lock {
		return 0
	}
	var until time.Time
	switch {
	case f.count >= p.lockAt:
		until = f.last.Add(p.lock)
	case f.count > p.free:
		until = f.last.Add(p.base << min(f.count-p.free-1, 20))
	default:
		return 0
	}
	return max(until.Sub(now), 0)
}

// fail records a failed sign-in for both keys.
func (t *throttle) fail(account, address string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.by) >= maxThrottleKeys {
		t.sweep(now)
	}
	for key, p := range map[string]throttlePolicy{"account:" + account: accountPolicy, "address:" + address: addressPolicy} {
		f := t.by[key]
		if now.Sub(f.last) >= p.lock {
			f.count = 0
		}
		t.by[key] = failures{count: f.count + 1, last: now}
	}
}

// succeed clears the count of an account after a successful sign-in.
func (t *throttle) succeed(account string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.by, "account:"+account)
}

// sweep drops the counts old enough to be forgotten, or the oldest one when none is.
func (t *throttle) sweep(now time.Time) {
	oldestKey, oldest := "", now
	for k, f := range t.by {
		if now.Sub(f.last) >= max(accountPolicy.lock, addressPolicy.lock) {
			delete(t.by, k)
			continue
		}
		if f.last.Before(oldest) {
			oldestKey, oldest = k, f.last
		}
	}
	if len(t.by) >= maxThrottleKeys {
		delete(t.by, oldestKey)
	}
}
