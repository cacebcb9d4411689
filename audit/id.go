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

// NewID returns prefix + "_" + 26 characters: the Unix time of now in milliseconds as 10
// Crockford base32 characters (48 bits), then 80 bits read from random as 16 characters. Ids
// sort by creation time, which keeps database indexes append-mostly and cursors simple, yet the
// 80 random bits make them impossible to guess or walk (api.md wants opaque ids). Ids of the same
// millisecond are in random order. The prefix must be 1 to 8 lower-case letters; random is
// normally crypto/rand.Reader, and its failure is returned rather than producing a weak id.
func NewID(prefix string, now time.Time, random io.Reader) (string, error) {
	if len(prefix) == 0 || len(prefix) > 8 {
		return "", fmt.Errorf("id prefix %q: must be 1 to 8 lower-case letters", prefix)
	}
	for _, c := range []byte(prefix) {
		if c < 'a' || c > 'z' {
			return "", fmt.Errorf("id prefix %q: must be 1 to 8 lower-case letters", prefix)
		}
	}
	ms := now.UnixMilli()
	if ms < 0 || ms > maxIDTime {
		return "", fmt.Errorf("id time %s: out of range", now.UTC().Format(time.RFC3339))
	}
	if random == nil {
		return "", errors.New("id: no source of randomness")
	}
	var rnd [10]byte
	if _, err := io.ReadFull(random, rnd[:]); err != nil {
		return "", fmt.Errorf("id randomness: %w", err)
	}
	return encodeID(prefix, ms, rnd), nil
}

func encodeID(prefix string, ms int64, rnd [10]byte) string {
	b := make([]byte, 0, len(prefix)+1+26)
	b = append(b, prefix...)
	b = append(b, '_')
	for shift := 45; shift >= 0; shift -= 5 {
		b = append(b, crockford[(ms>>shift)&31])
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

// IDs makes ids like NewID that also sort in creation order within one millisecond: an id made
// in the same millisecond as the previous one (or with a clock that stepped back) takes the
// previous one's time and its random part plus a random step of 1 to 2^32. Ids made in a burst
// therefore keep their order without becoming guessable from one another. It is safe for
// concurrent use; order across processes is only as good as their clocks.
type IDs struct {
	Random io.Reader

	mu     sync.Mutex
	lastMS int64
	last   [10]byte
}

// New returns a new id with the given prefix, made at now.
func (g *IDs) New(prefix string, now time.Time) (string, error) {
	if _, err := NewID(prefix, now, zeroReader{}); err != nil {
		return "", err // the prefix or the time is out of range
	}
	if g.Random == nil {
		return "", errors.New("id: no source of randomness")
	}
	ms := now.UnixMilli()
	g.mu.Lock()
	defer g.mu.Unlock()
	var rnd [10]byte
	if ms > g.lastMS {
		if _, err := io.ReadFull(g.Random, rnd[:]); err != nil {
			return "", fmt.Errorf("id randomness: %w", err)
		}
	} else {
		var step [4]byte
		if _, err := io.ReadFull(g.Random, step[:]); err != nil {
			return "", fmt.Errorf("id randomness: %w", err)
		}
		ms, rnd = g.lastMS, g.last
		carry := uint64(step[0])<<24 | uint64(step[1])<<16 | uint64(step[2])<<8 | uint64(step[3]) + 1
		for i := len(rnd) - 1; i >= 0 && carry > 0; i-- {
			sum := uint64(rnd[i]) + carry&0xff
			rnd[i] = byte(sum)
			carry = carry>>8 + sum>>8
		}
		if carry > 0 {
			// The random part overflowed: move on to the next millisecond.
			ms++
			if _, err := io.ReadFull(g.Random, rnd[:]); err != nil {
				return "", fmt.Errorf("id randomness: %w", err)
			}
		}
	}
	g.lastMS, g.last = ms, rnd
	return encodeID(prefix, ms, rnd), nil
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
