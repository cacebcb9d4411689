package audit

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeCode reads a canonical code back into its 80 bits, independently of the encoder.
func decodeCode(t *testing.T, code string) []byte {
	t.Helper()
	var bits []byte
	for _, c := range code {
		i := strings.IndexRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", c)
		require.GreaterOrEqual(t, i, 0, "%q in %s", c, code)
		for shift := 4; shift >= 0; shift-- {
			bits = append(bits, byte(i>>shift)&1)
		}
	}
	out := make([]byte, len(bits)/8)
	for i, b := range bits {
		out[i/8] |= b << (7 - i%8)
	}
	return out
}

func TestNewVerificationCode(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"zero bits", make([]byte, 10), "0000000000000000"},
		{"every bit", bytes.Repeat([]byte{0xff}, 10), "ZZZZZZZZZZZZZZZZ"},
		{"bytes 0 to 9", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "000G40R40M30E209"},
		{"bytes 10 to 19", []byte{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, "185GR38E1W8124GK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewVerificationCode(bytes.NewReader(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.in, decodeCode(t, got), "the 80 bits, all of them, and nothing else")
		})
	}

	// Every code reads exactly 10 bytes: two codes from one stream are its two halves.
	stream := bytes.NewReader(append(make([]byte, 10), bytes.Repeat([]byte{0xff}, 10)...))
	a, err := NewVerificationCode(stream)
	require.NoError(t, err)
	b, err := NewVerificationCode(stream)
	require.NoError(t, err)
	assert.Equal(t, []string{"0000000000000000", "ZZZZZZZZZZZZZZZZ"}, []string{a, b})

	// A source that fails or runs short makes no code at all.
	_, err = NewVerificationCode(bytes.NewReader(make([]byte, 9)))
	assert.ErrorContains(t, err, "verification code randomness")
	_, err = NewVerificationCode(iotest.ErrReader(assert.AnError))
	assert.ErrorIs(t, err, assert.AnError)
	_, err = NewVerificationCode(nil)
	assert.Error(t, err)

	// From crypto/rand: canonical, and no two alike.
	seen := map[string]bool{}
	for range 2000 {
		c, err := NewVerificationCode(rand.Reader)
		require.NoError(t, err)
		p, ok := ParseVerificationCode(c)
		require.True(t, ok && p == c, "%s is canonical", c)
		assert.False(t, seen[c])
		seen[c] = true
	}
}

func TestFormatVerificationCode(t *testing.T) {
	assert.Equal(t, "7K3M-Q9XD-2R4T-VW8H", FormatVerificationCode("7K3MQ9XD2R4TVW8H"))
	assert.Equal(t, "7K3MQ9XD2R4TVW8", FormatVerificationCode("7K3MQ9XD2R4TVW8"), "not a code: unchanged")
	assert.Equal(t, "", FormatVerificationCode(""))
}

func TestParseVerificationCode(t *testing.T) {
	const want = "7K3MQ9XD2R4TVW8H"
	tests := []struct {
		in   string
		want string // "" when it cannot be a code
	}{
		{"7K3MQ9XD2R4TVW8H", want},
		{"7K3M-Q9XD-2R4T-VW8H", want},
		{"7k3m-q9xd-2r4t-vw8h", want},
		{"7k3mq9xd2r4tvw8h", want},
		{"7K3M Q9XD 2R4T VW8H", want},
		{"-7K3M--Q9XD-2R4T-VW8H-", want},
		{"OOOO-IIII-LLLL-oil0", "0000111111110110"}, // read as digits, as Crockford's base32 does
		{"7K3M-Q9XD-2R4T-VW8", ""},                  // 15 characters
		{"7K3M-Q9XD-2R4T-VW8HX", ""},                // 17
		{"", ""},
		{"----", ""},
		{"7K3M-Q9XD-2R4T-VW8U", ""}, // U is not in the alphabet
		{"7K3M_Q9XD_2R4T_VW8H", ""},
		{"7K3M-Q9XD-2R4T-VW8É", ""},
		{"7K3M-Q9XD-2R4T-VW8\x00", ""},
		{strings.Repeat("-", 64) + want, ""}, // too long to be typed
	}
	for _, tt := range tests {
		got, ok := ParseVerificationCode(tt.in)
		assert.Equal(t, tt.want != "", ok, "%q", tt.in)
		assert.Equal(t, tt.want, got, "%q", tt.in)
	}
}

// FuzzParseVerificationCode: whatever is typed, a code read is canonical, reads as itself in
// every form it is shown in, and is 80 bits.
func FuzzParseVerificationCode(f *testing.F) {
	for _, s := range []string{"7K3M-Q9XD-2R4T-VW8H", "oooo-iiii-llll-0000", "", "ZZZZZZZZZZZZZZZZ", "7K3M-Q9XD-2R4T-VW8U"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := ParseVerificationCode(s)
		if !ok {
			assert.Empty(t, c)
			return
		}
		require.Len(t, c, VerificationCodeLen)
		for _, form := range []string{c, FormatVerificationCode(c), strings.ToLower(FormatVerificationCode(c))} {
			again, ok := ParseVerificationCode(form)
			assert.True(t, ok, form)
			assert.Equal(t, c, again, form)
		}
		code, err := NewVerificationCode(bytes.NewReader(decodeCode(t, c)))
		require.NoError(t, err)
		assert.Equal(t, c, code)
	})
}
