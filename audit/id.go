package audit

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// ID prefixes, one per kind of record, so that an id says what it names in logs and support
// requests.
const (
	PrefixSeller           = "sl"
	PrefixKey              = "key"
	PrefixBenchTest        = "bt"
	PrefixMysteryOrder     = "mo"
	PrefixKPIMonth         = "km"
	PrefixScorecard        = "sc"
	PrefixCorrectiveAction = "ca"
	PrefixEvent            = "ev"
)

// crockford is Crockford's base32 alphabet in lower case: no i, l, o or u, so ids survive
// being read aloud or retyped, and its order matches ASCII order, so ids sort like their bits.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// maxIDTime is the last millisecond that 48 bits hold (year 10889).
const maxIDTime = 1<<48 - 1

// subBits is the precision of the time part below the millisecond: 2^16 steps of about 15
// nanoseconds, finer than the store's clock and than any rate at which one process makes ids.
const subBits = 16

// maxTick is the last time part: maxIDTime's last step.
const maxTick = maxIDTime<<subBits | (1<<subBits - 1)

// idChars is the length of an id after its prefix and "_": 14 characters of time (the
// millisecond as 10, then its fraction as 4) and 16 of randomness.
const idChars = 30

// NewID returns prefix + "_" + 30 characters: the time of now as 14 Crockford base32
// characters (the Unix millisecond in 48 bits as 10, then its fraction in 16 bits as 4), then
// 80 bits read from random as 16 characters. Ids sort by creation time, which keeps database
// indexes append-mostly and cursors simple, yet the 80 random bits, read afresh for every id,
// make them impossible to guess or walk, even from another id of the same instant (api.md
// wants opaque ids). The first 10 characters after the prefix are the millisecond, as in the
// 26-character ids of earlier releases, so old and new ids sort together by time. The prefix
// must be 1 to 8 lower-case letters; random is normally crypto/rand.Reader, and its failure
// is returned rather than producing a weak id.
func NewID(prefix string, now time.Time, random io.Reader) (string, error) {
	tick, err := idTick(prefix, now)
	if err != nil {
		return "", err
	}
	if random == nil {
		return "", errors.New("id: no source of randomness")
	}
	var rnd [10]byte
	if _, err := io.ReadFull(random, rnd[:]); err != nil {
		return "", fmt.Errorf("id randomness: %w", err)
	}
	return encodeID(prefix, tick, rnd), nil
}

// idTick checks the prefix and returns the time part of an id made at now.
func idTick(prefix string, now time.Time) (uint64, error) {
	if len(prefix) == 0 || len(prefix) > 8 {
		return 0, fmt.Errorf("id prefix %q: must be 1 to 8 lower-case letters", prefix)
	}
	for _, c := range []byte(prefix) {
		if c < 'a' || c > 'z' {
			return 0, fmt.Errorf("id prefix %q: must be 1 to 8 lower-case letters", prefix)
		}
	}
	ms := now.UnixMilli()
	if ms < 0 || ms > maxIDTime {
		return 0, fmt.Errorf("id time %s: out of range", now.UTC().Format(time.RFC3339))
	}
	frac := uint64(now.Sub(time.UnixMilli(ms))) << subBits / uint64(time.Millisecond)
	return uint64(ms)<<subBits | frac, nil
}

func encodeID(prefix string, tick uint64, rnd [10]byte) string {
	b := make([]byte, 0, len(prefix)+1+idChars)
	b = append(b, prefix...)
	b = append(b, '_')
	// The millisecond in 10 groups of 5 bits, then its fraction in 4, most significant first.
	ms, frac := tick>>subBits, tick&(1<<subBits-1)
	for shift := 45; shift >= 0; shift -= 5 {
		b = append(b, crockford[(ms>>shift)&31])
	}
	for shift := 15; shift >= 0; shift -= 5 {
		b = append(b, crockford[(frac>>shift)&31])
	}
	// 80 bits = 16 groups of 5, taken most significant first.
	var acc uint64
	bits := 0
	for _, x := range rnd {
		acc = acc<<8 | uint64(x)
		bits += 8
		for bits >= 5 {
			bits -= 5
			b = append(b, crockford[(acc>>bits)&31])
		}
	}
	return string(b)
}

// IDs makes ids like NewID that also sort in creation order when the clock does not tell them
// apart: an id whose time part would not be after the previous one's (made in the same
// instant, with a clock of coarse resolution, or one that stepped back) takes the previous
// time part plus one step, a fraction of a nanosecond. Only the time part orders the ids; the
// random part of each is read afresh, so no id says anything about the next one's. It is safe
// for concurrent use; order across processes is only as good as their clocks.
type IDs struct {
	Random io.Reader

	mu       sync.Mutex
	lastTick uint64
}

// New returns a new id with the given prefix, made at now.
func (g *IDs) New(prefix string, now time.Time) (string, error) {
	tick, err := idTick(prefix, now)
	if err != nil {
		return "", err // the prefix or the time is out of range
	}
	if g.Random == nil {
		return "", errors.New("id: no source of randomness")
	}
	var rnd [10]byte
	if _, err := io.ReadFull(g.Random, rnd[:]); err != nil {
		return "", fmt.Errorf("id randomness: %w", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if tick <= g.lastTick {
		if g.lastTick == maxTick {
			return "", errors.New("id time: out of range")
		}
		tick = g.lastTick + 1
	}
	g.lastTick = tick
	return encodeID(prefix, tick, rnd), nil
}
