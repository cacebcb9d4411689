package pdfdoc

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Face is one of the two embedded fonts. A third (monospaced) face for ids was tried and
// dropped: Go Regular's digits are already tabular, so masked identities still line up.
type Face int

// The faces.
const (
	Regular Face = iota
	Bold
)

// coverage is the set of runes of the Basic Multilingual Plane that every embedded font can
// draw. Glyphs are addressed by 16-bit code, so nothing outside the BMP is drawable.
type coverage [0x10000 / 64]uint64

func (c *coverage) has(r rune) bool {
	return r >= 0 && r < 0x10000 && c[r/64]&(1<<(uint(r)%64)) != 0
}

// Clean makes s drawable: every rune the fonts cannot draw (emoji, scripts outside the Go
// fonts, invalid UTF-8) becomes '?', tabs and line breaks become spaces and other control
// characters are dropped; blank boxes or a failed document are never the result. Every text a
// Doc draws or measures goes through Clean; it is exported for texts that are composed first.
func (k *Kit) Clean(s string) string {
	ok := true
	for _, c := range s {
		if c == utf8.RuneError || c < 0x20 || !k.cover.has(c) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, c := range s {
		switch {
		case c == '\t' || c == '\n' || c == '\r':
			b.WriteByte(' ')
		case c < 0x20:
			// other control characters carry nothing readable
		case c == utf8.RuneError || !k.cover.has(c):
			b.WriteByte('?')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// SetFont selects the face and size (in points) of the text drawn and measured next.
func (d *Doc) SetFont(f Face, size float64) {
	if f != Bold {
		f = Regular
	}
	d.face, d.size = f, size
	d.check(d.pdf.SetFont(faceName(f), "", size))
}

// LineH is the height of one line of text at the current font size.
func (d *Doc) LineH() float64 { return d.size * PtToMM * LineSpacing }

// Text draws one line of text in a box of width w and one line high at (x, y); align is "L",
// "C" or "R". The text keeps CellPad from the box's edges when aligned to one.
func (d *Doc) Text(x, y, w float64, s, align string) {
	d.Cell(x, y, w, d.LineH(), s, align)
}

// Cell draws one line of text vertically centred in a box of width w and height h at (x, y);
// align is "L", "C" or "R". Left and right aligned text keeps CellPad from the box's edge.
func (d *Doc) Cell(x, y, w, h float64, s, align string) {
	s = d.kit.Clean(s)
	if s == "" {
		return
	}
	switch align {
	case "R":
		x += w - CellPad - d.width(s)
	case "C":
		x += (w - d.width(s)) / 2
	default:
		x += CellPad
	}
	// The baseline sits 0.3 of the font size under the middle of the box: the middle of a
	// capital letter of the Go fonts, so a line looks centred in its box.
	d.pdf.SetXY(x, y+h/2+0.3*d.size*PtToMM)
	d.check(d.pdf.Text(s))
	// gopdf sets the text's colour as the fill colour of the page.
	d.gs.hasFill = false
}

// width is the width in millimetres of s, already cleaned, in the current font.
func (d *Doc) width(s string) float64 {
	w := d.kit.widths[d.face]
	n := 0
	for _, c := range s {
		if c >= 0 && c < 0x10000 {
			n += int(w[c])
		}
	}
	return float64(n) * d.size / 1000 * PtToMM
}

// StringWidth is the width of s in the current font.
func (d *Doc) StringWidth(s string) float64 { return d.width(d.kit.Clean(s)) }

// Split wraps text to a box of width w (the cell padding taken off) in the current font:
// lines break after a space, and a word too long for a line is broken where the line is full.
// An empty string is one empty line, so every box has a height.
func (d *Doc) Split(s string, w float64) []string {
	s = d.kit.Clean(s)
	if s == "" {
		return []string{""}
	}
	widths := d.kit.widths[d.face]
	// In thousandths of the font size, as widths are stored.
	limit := int(math.Ceil((w - 2*CellPad) / PtToMM * 1000 / d.size))
	r := []rune(s)
	var lines []string
	start, brk, used := 0, -1, 0 // the line starts at start; brk is its last space
	for i := 0; i < len(r); {
		c := r[i]
		used += int(widths[c])
		if c == ' ' {
			brk = i
		}
		if used <= limit {
			i++
			continue
		}
		end := brk
		switch {
		case brk < 0 && i == start:
			end, i = i+1, i+1 // a single character wider than the box stands alone
		case brk < 0:
			end = i // break the word where the line is full
		default:
			i = brk + 1
		}
		lines = append(lines, strings.TrimRight(string(r[start:end]), " "))
		start, brk, used = i, -1, 0
	}
	if start < len(r) {
		lines = append(lines, strings.TrimRight(string(r[start:]), " "))
	}
	if len(lines) == 0 {
		return []string{""}
	}
	return lines
}

// CapLines keeps at most n lines, marking the cut with an ellipsis so it is never silent. It
// only bites on absurd input (a note of thousands of characters), which would otherwise make a
// block taller than a page and run off its bottom.
func CapLines(lines []string, n int) []string {
	if len(lines) <= n {
		return lines
	}
	lines = lines[:n]
	lines[n-1] += " …"
	return lines
}

// Fit shortens text with an ellipsis until it fits a width, for the few places (a footer, a
// detail beside a figure) where the full text is printed elsewhere.
func (d *Doc) Fit(s string, w float64) string {
	s = d.kit.Clean(s)
	if d.width(s) <= w {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r) // the longest prefix that fits with the ellipsis is in [lo, hi)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if d.width(string(r[:mid])+"…") <= w {
			lo = mid
		} else {
			hi = mid
		}
	}
	return strings.TrimRight(string(r[:lo]), " ") + "…"
}
