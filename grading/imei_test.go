package grading_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/refurbqa/refurbqa/grading"
)

func TestValidIMEI(t *testing.T) {
	tests := []struct {
		imei string
		want bool
	}{
		{imeiA, true},
		{imeiB, true},
		{"000000000000000", true},
		{"356938035643808", false}, // wrong check digit
		{"356938035643800", false},
		{"35693803564380", false},   // 14 digits
		{"3569380356438090", false}, // 16 digits
		{"35693803564380a", false},
		{"35693803564380 ", false},
		{" 356938035643809", false},
		{"35-6938035643809", false},
		{"３５６９３８０３５６４３８０９", false}, // full-width digits
		{"", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, grading.ValidIMEI(tt.imei), "%q", tt.imei)
	}
}

// luhn is an independent, textbook implementation to check ValidIMEI against.
func luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func TestValidIMEIEveryCheckDigit(t *testing.T) {
	for _, body := range []string{"35693803564380", "49015420323751", "00000000000000", "99999999999999", "12345678901234"} {
		valid := 0
		for d := '0'; d <= '9'; d++ {
			s := body + string(d)
			assert.Equal(t, luhn(s), grading.ValidIMEI(s), s)
			if grading.ValidIMEI(s) {
				valid++
			}
		}
		assert.Equal(t, 1, valid, "exactly one check digit fits %s", body)
	}
}

func FuzzValidIMEI(f *testing.F) {
	f.Add(imeiA)
	f.Add("35693803564380")
	f.Add("x")
	f.Fuzz(func(t *testing.T, s string) {
		want := len(s) == 15 && luhn(s)
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				want = false
			}
		}
		if got := grading.ValidIMEI(s); got != want {
			t.Fatalf("ValidIMEI(%q) = %v, want %v", s, got, want)
		}
	})
}
