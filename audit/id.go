package audit

import (
	"errors"
	"fmt"
	"io"
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
	return string(b), nil
}
