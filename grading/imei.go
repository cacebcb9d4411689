package grading

// IMEILength is the number of digits of an IMEI, check digit included.
const IMEILength = 15

// ValidIMEI reports whether s is an IMEI: exactly 15 ASCII digits whose last digit is the Luhn
// check digit of the first 14. The check catches most typing errors at the bench, before the
// IMEI is looked up in the blacklist and finance databases.
func ValidIMEI(s string) bool {
	if len(s) != IMEILength {
		return false
	}
	sum := 0
	for i := 0; i < IMEILength; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		// Luhn doubles every second digit counting from the check digit, which is position 0
		// from the right; index i from the left is position 14-i from the right.
		if (IMEILength-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
