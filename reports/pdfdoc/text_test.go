package pdfdoc

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newDoc(t *testing.T) *Doc {
	t.Helper()
	k, err := NewKit()
	require.NoError(t, err)
	return k.New(Info{Title: "test", Date: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
}

// The Kit measures text with its own table of widths, so that laying out a report does not
// go through gopdf for every word; the widths must be exactly those gopdf writes into the PDF,
// or wrapped and right-aligned text would be misplaced.
func TestStringWidthMatchesGopdf(t *testing.T) {
	d := newDoc(t)
	for _, face := range []Face{Regular, Bold} {
		for _, size := range []float64{7, 9.5, 20} {
			for _, s := range []string{"Seller feedback report", "Łódź Serwis Żółć", "Ελληνικά Ανακαίνιση", "Ремонт Телефонов", "•••••••••••3809 – 78.9 %"} {
				d.SetFont(face, size)
				want, err := d.pdf.MeasureTextWidth(s)
				require.NoError(t, err)
				assert.InDelta(t, want, d.StringWidth(s), 1e-9, "%q in face %d at %g pt", s, face, size)
			}
		}
	}
}

func TestSplit(t *testing.T) {
	d := newDoc(t)
	d.SetFont(Regular, 10)
	const w = 40.0
	tests := []struct {
		name, in string
		want     []string // nil: only check that every line fits
	}{
		{"empty is one line", "", []string{""}},
		{"short", "Light wear", []string{"Light wear"}},
		{"breaks after a space", "Biometrics, Bluetooth, Buttons, Cellular", []string{"Biometrics, Bluetooth,", "Buttons, Cellular"}},
		{"a word longer than a line is broken", strings.Repeat("Ünbroken", 12), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := d.Split(tt.in, w)
			if tt.want != nil {
				assert.Equal(t, tt.want, lines)
			}
			assert.Equal(t, strings.ReplaceAll(tt.in, " ", ""), strings.ReplaceAll(strings.Join(lines, ""), " ", ""), "no character lost")
			for _, l := range lines {
				assert.LessOrEqual(t, d.StringWidth(l), w-2*CellPad+1e-9, "%q fits", l)
			}
		})
	}
}
