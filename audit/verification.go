package audit

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Verification codes (transparency.md §1): every stored bench test and mystery order carries
// one, printed on its certificate, which anybody may look up at /verify/{code}. A code is 80
// bits read from a cryptographic source, written as 16 characters of Crockford's base32 in
// upper case (no I, L, O or U, so it survives being read aloud, printed small and retyped),
// shown in four groups of four: "7K3M-Q9XD-2R4T-VW8H". The 80 bits make the codes of the
// records that exist impossible to find by guessing: at a billion stored records and a billion
// guesses, the chance that any guess hits is about 10^18 / 2^80, under one in a million — and
// guesses are rate-limited per address besides. A code is fixed for its record: a correction is
// a record of its own with a code of its own, and the corrected record keeps the code it was
// given, whose verification then says it has been superseded.

// VerificationCodeLen is the length of a verification code without its dashes.
const VerificationCodeLen = 16

// verificationBytes is the randomness of one code: 80 bits, 16 groups of 5.
const verificationBytes = 10

// crockfordUpper is the alphabet of verification codes: Crockford's base32 in upper case.
var crockfordUpper = strings.ToUpper(crockford)

// NewVerificationCode returns a new verification code in its canonical form (16 upper-case
// characters, no dashes), made of 80 bits read from random, which must be cryptographic
// (crypto/rand.Reader; tests may pass a fixed stream). A failing source is an error, never a
// weaker code.
func NewVerificationCode(random io.Reader) (string, error) {
	if random == nil {
		return "", errors.New("verification code: no source of randomness")
	}
	var rnd [verificationBytes]byte
	if _, err := io.ReadFull(random, rnd[:]); err != nil {
		return "", fmt.Errorf("verification code randomness: %w", err)
	}
	b := make([]byte, 0, VerificationCodeLen)
	var acc uint64
	bits := 0
	for _, x := range rnd {
		acc = acc<<8 | uint64(x)
		bits += 8
		for bits >= 5 {
			bits -= 5
			b = append(b, crockfordUpper[(acc>>bits)&31])
		}
	}
	return string(b), nil
}

// FormatVerificationCode writes a canonical code as people read it, in four groups of four
// joined by dashes ("7K3M-Q9XD-2R4T-VW8H"). Anything that is not a canonical code is returned
// unchanged.
func FormatVerificationCode(code string) string {
	if len(code) != VerificationCodeLen {
		return code
	}
	return code[0:4] + "-" + code[4:8] + "-" + code[8:12] + "-" + code[12:16]
}

// ParseVerificationCode reads a code as a person may type it: in any case, with or without the
// dashes (spaces are ignored too), and with the letters Crockford's base32 reads as digits (O
// for 0, I and L for 1). It returns the canonical form, or false when the text cannot be a
// code at all (a wrong length, a character outside the alphabet), which names no record.
func ParseVerificationCode(s string) (string, bool) {
	if len(s) > 4*VerificationCodeLen {
		return "", false
	}
	b := make([]byte, 0, VerificationCodeLen)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == ' ':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		switch c {
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		if strings.IndexByte(crockfordUpper, c) < 0 || len(b) == VerificationCodeLen {
			return "", false
		}
		b = append(b, c)
	}
	if len(b) != VerificationCodeLen {
		return "", false
	}
	return string(b), true
}
