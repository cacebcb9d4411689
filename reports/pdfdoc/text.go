package pdfdoc

import (
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
// characters are dropped; blank boxes or a failed document are never the result. The
// page-count alias is broken up too, so user text is never mistaken for it. Every text a Doc
// draws or measures goes through Clean; it is exported for texts that are composed first.
func (k *Kit) Clean(s string) string {
	ok := true
	for _, c := range s {
		if c == utf8.RuneError || c < 0x20 || !k.cover.has(c) {
			ok = false
			break
		}
	}
	if ok && !strings.Contains(s, pageCountAlias) {
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
	return strings.ReplaceAll(b.String(), pageCountAlias, "{n b}")
}

// SetFont selects the face and size (in points) of the text drawn and measured next.
func (d *Doc) SetFont(f Face, size float64) {
	d.face, d.size = f, size
	switch f {
	case Bold:
		d.pdf.SetFont(fontFamily, "B", size)
	default:
		d.pdf.SetFont(fontFamily, "", size)
	}
}

// LineH is the height of one line of text at the current font size.
func (d *Doc) LineH() float64 { return d.size * PtToMM * LineSpacing }

// Text draws one line of text in a box of width w and one line high at (x, y); align is "L",
// "C" or "R". The text keeps CellPad from the box's edges when aligned to one.
func (d *Doc) Text(x, y, w float64, s, align string) {
	d.Cell(x, y, w, d.LineH(), s, align)
}

// Cell draws one line of text vertically centred in a box of width w and height h at (x, y);
// align is "L", "C" or "R".
func (d *Doc) Cell(x, y, w, h float64, s, align string) {
	d.pdf.SetXY(x, y)
	d.pdf.CellFormat(w, h, d.kit.Clean(s), "", 0, align, false, 0, "")
}

// StringWidth is the width of s in the current font.
func (d *Doc) StringWidth(s string) float64 { return d.pdf.GetStringWidth(d.kit.Clean(s)) }

// Split wraps text to a box of width w (the cell padding taken off) in the current font. An
// empty string is one empty line, so every box has a height.
func (d *Doc) Split(s string, w float64) []string {
	s = d.kit.Clean(s)
	if s == "" {
		return []string{""}
	}
	lines := d.pdf.SplitText(s, w)
	if len(lines) == 0 {
		return []string{""}
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
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
	if d.pdf.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r) // the longest prefix that fits with the ellipsis is in [lo, hi)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if d.pdf.GetStringWidth(string(r[:mid])+"…") <= w {
			lo = mid
		} else {
			hi = mid
		}
	}
	return strings.TrimRight(string(r[:lo]), " ") + "…"
}
