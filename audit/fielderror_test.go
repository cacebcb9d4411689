package audit

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every control character is refused in a single-line text; a multi-line text allows line
// breaks and tabs only. Other characters, however unusual, are text.
func TestTextProblem(t *testing.T) {
	for r := rune(0); r <= 0x9f; r++ {
		control := r < 0x20 || r >= 0x7f
		v := "a" + string(r) + "b"
		single, multi := TextProblem(v, false), TextProblem(v, true)
		if !control {
			assert.Empty(t, single, "%U", r)
			assert.Empty(t, multi, "%U", r)
			continue
		}
		assert.Equal(t, "must not contain control characters", single, "%U", r)
		if r == '\n' || r == '\r' || r == '\t' {
			assert.Empty(t, multi, "%U in a multi-line text", r)
		} else {
			assert.Equal(t, "must not contain control characters other than line breaks and tabs", multi, "%U", r)
		}
	}
	for _, v := range []string{"", "Łódź Serwis", "iPhone 13 Pro Max", "日本語", "emoji 📱", "a\u00a0b", "\u2028", "\ufffd"} {
		assert.Empty(t, TextProblem(v, false), "%q", v)
		assert.Empty(t, TextProblem(v, true), "%q", v)
	}
	assert.Equal(t, "must be valid UTF-8", TextProblem("a\xffb", false))
	assert.Equal(t, "must be valid UTF-8", TextProblem("a\xffb", true))
	// The check covers the whole value, not its first characters only.
	assert.NotEmpty(t, TextProblem(fmt.Sprintf("%01000d\x00", 0), true))
}
