package reports

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
)

// Renderer lays report models out as PDF documents. It is created once and shared: it holds
// the fonts and the set of characters they can draw, which are costly to work out, and it is
// never modified after NewRenderer, so any number of goroutines may call Render at once.
type Renderer struct {
	regular, bold []byte
	cover         *coverage
}

// coverage is the set of runes of the Basic Multilingual Plane that every embedded font can
// draw. gofpdf addresses glyphs by 16-bit code, so nothing outside the BMP is drawable.
type coverage [0x10000 / 64]uint64

func (c *coverage) has(r rune) bool {
	return r >= 0 && r < 0x10000 && c[r/64]&(1<<(uint(r)%64)) != 0
}

// NewRenderer parses the embedded Go fonts once and works out which characters they cover,
// so that rendering can replace anything else (emoji, unsupported scripts) instead of drawing
// blank boxes or failing.
func NewRenderer() (*Renderer, error) {
	// Private copies: the x/image font variables are shared by the whole program.
	r := &Renderer{regular: slices.Clone(goregular.TTF), bold: slices.Clone(gobold.TTF)}
	var cov coverage
	for i := range cov {
		cov[i] = ^uint64(0)
	}
	var buf sfnt.Buffer
	for _, ttf := range [][]byte{r.regular, r.bold} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			return nil, fmt.Errorf("reports: parse font: %w", err)
		}
		var one coverage
		for c := rune(0x20); c < 0x10000; c++ {
			if g, err := f.GlyphIndex(&buf, c); err == nil && g != 0 {
				one[c/64] |= 1 << (uint(c) % 64)
			}
		}
		for i := range cov {
			cov[i] &= one[i]
		}
	}
	r.cover = &cov
	return r, nil
}

// Render writes the report of m as a PDF to w with a throwaway Renderer. It is convenient for
// a single report; code that renders many should create one Renderer and reuse it.
func Render(w io.Writer, m Model, generated time.Time) error {
	r, err := NewRenderer()
	if err != nil {
		return err
	}
	return r.Render(w, m, generated)
}

// Render writes the report of m as a PDF to w. generated is printed as the date of the report
// and stamped as the document's creation and modification dates, so the same model and date
// always give byte-identical output; it must not be zero, because gofpdf would then read the
// clock.
func (r *Renderer) Render(w io.Writer, m Model, generated time.Time) (err error) {
	if generated.IsZero() {
		return fmt.Errorf("reports: generation date is required: %w", audit.ErrInvalid)
	}
	defer func() {
		// gofpdf reports most problems through Error(), but a bug in it must not take down a
		// server that renders reports in the background.
		if p := recover(); p != nil {
			err = fmt.Errorf("reports: render %s: %v", m.ScorecardID, p)
		}
	}()
	d := r.newDoc(m, generated.UTC())
	d.header()
	d.summary()
	d.trend()
	d.pointsTable()
	d.failedPoints()
	d.accuracy()
	d.actions()
	if err := d.pdf.Error(); err != nil {
		return fmt.Errorf("reports: render %s: %w", m.ScorecardID, err)
	}
	if err := d.pdf.Output(w); err != nil {
		return fmt.Errorf("reports: write %s: %w", m.ScorecardID, err)
	}
	return nil
}

// Page geometry, in millimetres (A4 portrait).
const (
	pageW        = 210.0
	pageH        = 297.0
	marginX      = 15.0
	marginTop    = 15.0
	bodyBottom   = pageH - 20 // content never goes below this line; the footer lives under it
	contentW     = pageW - 2*marginX
	cellPad      = 1.6 // horizontal padding inside table cells
	rowPad       = 1.5 // vertical padding inside table rows
	sectionGap   = 8.0
	ptToMM       = 25.4 / 72
	lineSpacing  = 1.32 // line height as a multiple of the font size
	fontFamily   = "go"
	nbPagesAlias = "{nb}"
	maxCellLines = 20 // per text of a table cell: a row stays well under a page
	maxNameLines = 8  // of the seller's name in the header
)

// face is one of the two embedded fonts. A third (monospaced) face for ids was tried and
// dropped: each embedded font costs about a fifth of the rendering time in gofpdf, and Go
// Regular's digits are already tabular, so masked identities still line up.
type face int

const (
	regular face = iota
	bold
)

// rgb is a colour; the zero value means "the default ink".
type rgb struct{ r, g, b int }

// The palette: dark ink on white, one accent, and the tier colours of report.md. Colours are
// functions, not variables, so that no package-level state can be changed.

func ink() rgb        { return rgb{31, 41, 51} }
func muted() rgb      { return rgb{96, 108, 122} }
func faint() rgb      { return rgb{168, 176, 186} }
func accent() rgb     { return rgb{31, 78, 121} }
func rule() rgb       { return rgb{221, 226, 232} }
func panel() rgb      { return rgb{244, 246, 249} }
func headFill() rgb   { return rgb{234, 238, 243} }
func red() rgb        { return rgb{180, 35, 24} }
func redTint() rgb    { return rgb{253, 236, 234} }
func green() rgb      { return rgb{36, 120, 60} }
func greenTint() rgb  { return rgb{228, 243, 232} }
func blueTint() rgb   { return rgb{226, 235, 246} }
func orange() rgb     { return rgb{214, 100, 0} }
func orangeTint() rgb { return rgb{255, 240, 224} }
func white() rgb      { return rgb{255, 255, 255} }

// tierColours gives the fill and text colour of a tier's badge.
func tierColours(t checklist.Tier) (fill, text rgb) {
	switch t {
	case checklist.TierTrusted:
		return rgb{46, 125, 50}, white()
	case checklist.TierWatch:
		return rgb{242, 183, 5}, rgb{51, 40, 0}
	case checklist.TierProbation:
		return rgb{232, 113, 10}, white()
	case checklist.TierSuspend:
		return rgb{198, 40, 40}, white()
	}
	return rgb{117, 117, 117}, white()
}

func severityColour(s checklist.Severity) rgb {
	switch s {
	case checklist.Critical:
		return rgb{198, 40, 40}
	case checklist.Major:
		return rgb{214, 100, 0}
	}
	return rgb{96, 108, 122}
}

// doc is the state of one rendering: never shared between goroutines.
type doc struct {
	pdf    *gofpdf.Fpdf
	cover  *coverage
	m      Model
	gen    time.Time
	period string
	face   face
	size   float64
}

func (r *Renderer) newDoc(m Model, generated time.Time) *doc {
	pdf := gofpdf.New("P", "mm", "A4", "")
	d := &doc{pdf: pdf, cover: r.cover, m: m, gen: generated, period: formatPeriod(m.Period)}
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(generated)
	pdf.SetModificationDate(generated)
	pdf.SetCompression(true)
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetAutoPageBreak(false, 0) // page breaks are placed by hand: rows never split
	pdf.SetCellMargin(cellPad)
	// Each document gets its own copy of the font files: gofpdf 1.16.2 writes into the slice
	// it is given (its checksum code appends padding in place), which would be a data race
	// between concurrent renders and would scribble on the x/image package's font data.
	pdf.AddUTF8FontFromBytes(fontFamily, "", slices.Clone(r.regular))
	pdf.AddUTF8FontFromBytes(fontFamily, "B", slices.Clone(r.bold))
	pdf.AliasNbPages(nbPagesAlias)
	pdf.SetTitle(d.clean("Seller feedback report – "+cmpOr(m.SellerName, m.SellerID)+" – "+d.period), true)
	pdf.SetSubject(d.clean("Quality scorecard "+m.ScorecardID+", charter "+m.CharterVersion), true)
	pdf.SetAuthor(Programme, true)
	pdf.SetCreator("refurbqa", true)
	pdf.SetProducer("refurbqa reports (gofpdf)", true)
	pdf.SetFooterFunc(d.footer)
	pdf.SetLineCapStyle("round")
	pdf.SetLineJoinStyle("round")
	d.newPage()
	return d
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// clean makes s drawable: every rune the fonts cannot draw (emoji, scripts outside the Go
// fonts, invalid UTF-8) becomes '?', tabs and line breaks become spaces and other control
// characters are dropped. gofpdf would otherwise draw blank boxes, or panic on runes beyond
// 16 bits. The page-count alias is broken up too, so user text is never mistaken for it.
func (d *doc) clean(s string) string {
	ok := true
	for _, c := range s {
		if c == utf8.RuneError || c < 0x20 || !d.cover.has(c) {
			ok = false
			break
		}
	}
	if ok && !strings.Contains(s, nbPagesAlias) {
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
		case c == utf8.RuneError || !d.cover.has(c):
			b.WriteByte('?')
		default:
			b.WriteRune(c)
		}
	}
	return strings.ReplaceAll(b.String(), nbPagesAlias, "{n b}")
}

// --- low-level drawing -------------------------------------------------------------------

func (d *doc) setFont(f face, size float64) {
	d.face, d.size = f, size
	switch f {
	case bold:
		d.pdf.SetFont(fontFamily, "B", size)
	default:
		d.pdf.SetFont(fontFamily, "", size)
	}
}

func (d *doc) textColour(c rgb) {
	if c == (rgb{}) {
		c = ink()
	}
	d.pdf.SetTextColor(c.r, c.g, c.b)
}

func (d *doc) fillColour(c rgb) { d.pdf.SetFillColor(c.r, c.g, c.b) }
func (d *doc) drawColour(c rgb) { d.pdf.SetDrawColor(c.r, c.g, c.b) }

// lineH is the height of one line of text at the current font size.
func (d *doc) lineH() float64 { return d.size * ptToMM * lineSpacing }

// text draws one line of already cleaned text in a box of width w at (x, y); align is "L",
// "C" or "R". The box is one line high.
func (d *doc) text(x, y, w float64, s, align string) {
	d.pdf.SetXY(x, y)
	d.pdf.CellFormat(w, d.lineH(), s, "", 0, align, false, 0, "")
}

// split wraps cleaned text to a width, with the current font, minus the cell padding. An
// empty string is one empty line, so every cell has a height.
func (d *doc) split(s string, w float64) []string {
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

// capLines keeps at most n lines, marking the cut with an ellipsis so it is never silent. It
// only bites on absurd input (a note of thousands of characters), which would otherwise make a
// row taller than a page and run off its bottom.
func capLines(lines []string, n int) []string {
	if len(lines) <= n {
		return lines
	}
	lines = lines[:n]
	lines[n-1] += " …"
	return lines
}

// fit shortens cleaned text with an ellipsis until it fits a width; for the footer only,
// where the full text is printed elsewhere on the page set.
func (d *doc) fit(s string, w float64) string {
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

func (d *doc) y() float64     { return d.pdf.GetY() }
func (d *doc) setY(y float64) { d.pdf.SetY(y) }

func (d *doc) newPage() {
	d.pdf.AddPage()
	d.setY(marginTop)
}

// ensure starts a new page unless h millimetres fit below the current position. At the top
// of a page it never breaks, so an oversized block cannot loop forever.
func (d *doc) ensure(h float64) bool {
	if d.y()+h <= bodyBottom || d.y() <= marginTop+0.01 {
		return false
	}
	d.newPage()
	return true
}

func (d *doc) hline(x1, x2, y float64, c rgb, width float64) {
	d.drawColour(c)
	d.pdf.SetLineWidth(width)
	d.pdf.Line(x1, y, x2, y)
}

// pill draws a small rounded badge with text and returns its width.
func (d *doc) pill(x, y float64, label string, fill, fg rgb, size float64) float64 {
	d.setFont(bold, size)
	label = d.clean(label)
	w := d.pdf.GetStringWidth(label) + 2*cellPad + 2
	h := size*ptToMM + 2.4
	d.fillColour(fill)
	d.pdf.RoundedRect(x, y, w, h, h/2, "1234", "F")
	d.textColour(fg)
	d.pdf.SetXY(x, y)
	d.pdf.CellFormat(w, h, label, "", 0, "C", false, 0, "")
	return w
}

// --- tables ------------------------------------------------------------------------------

type column struct {
	title string
	w     float64
	align string
}

type cell struct {
	text   string
	sub    string // a second, smaller and muted text under the first
	face   face
	colour rgb
}

type table struct {
	cols    []column
	size    float64
	onBreak func() // draws what precedes the header row on a continuation page
}

// laidOut is a cell wrapped to its column.
type laidOut struct {
	lines, sub []string
}

func (d *doc) layout(t *table, cells []cell) ([]laidOut, float64) {
	out := make([]laidOut, len(cells))
	h := 0.0
	for i, c := range cells {
		w := t.cols[i].w
		d.setFont(c.face, t.size)
		out[i].lines = capLines(d.split(d.clean(c.text), w), maxCellLines)
		ch := float64(len(out[i].lines)) * d.lineH()
		if c.sub != "" {
			d.setFont(regular, t.size-1)
			out[i].sub = capLines(d.split(d.clean(c.sub), w), maxCellLines)
			ch += float64(len(out[i].sub)) * d.lineH()
		}
		h = max(h, ch)
	}
	return out, h + 2*rowPad
}

func (d *doc) tableHeader(t *table) {
	cells := make([]cell, len(t.cols))
	for i, c := range t.cols {
		cells[i] = cell{text: c.title, face: bold}
	}
	size := t.size
	ht := &table{cols: t.cols, size: size - 1}
	lay, h := d.layout(ht, cells)
	y := d.y()
	d.fillColour(headFill())
	d.pdf.Rect(marginX, y, contentW, h, "F")
	d.setFont(bold, ht.size)
	d.textColour(muted())
	x := marginX
	for i, c := range t.cols {
		for j, l := range lay[i].lines {
			d.text(x, y+rowPad+float64(j)*d.lineH(), c.w, l, c.align)
		}
		x += c.w
	}
	d.setY(y + h)
}

// row draws one table row, starting a new page (with the continuation heading and the
// header row again) when it does not fit: a row is never split across pages.
func (d *doc) row(t *table, cells []cell, fill *rgb, marker *rgb) {
	lay, h := d.layout(t, cells)
	if d.ensure(h) {
		if t.onBreak != nil {
			t.onBreak()
		}
		d.tableHeader(t)
	}
	y := d.y()
	if fill != nil {
		d.fillColour(*fill)
		d.pdf.Rect(marginX, y, contentW, h, "F")
	}
	if marker != nil {
		d.fillColour(*marker)
		d.pdf.Rect(marginX, y, 0.9, h, "F")
	}
	x := marginX
	for i, c := range cells {
		col := t.cols[i]
		yy := y + rowPad
		d.setFont(c.face, t.size)
		d.textColour(c.colour)
		for _, l := range lay[i].lines {
			d.text(x, yy, col.w, l, col.align)
			yy += d.lineH()
		}
		if len(lay[i].sub) > 0 {
			d.setFont(regular, t.size-1)
			d.textColour(muted())
			for _, l := range lay[i].sub {
				d.text(x, yy, col.w, l, col.align)
				yy += d.lineH()
			}
		}
		x += col.w
	}
	d.hline(marginX, marginX+contentW, y+h, rule(), 0.2)
	d.setY(y + h)
}

// --- sections ----------------------------------------------------------------------------

// section draws a section title with an optional one-line explanation, keeping it on the
// same page as at least minBody millimetres of what follows.
func (d *doc) section(title, sub string, minBody float64) {
	d.setY(d.y() + sectionGap)
	need := 9.0 + minBody
	if sub != "" {
		need += 5
	}
	d.ensure(need)
	y := d.y()
	d.fillColour(accent())
	d.pdf.Rect(marginX, y+0.9, 1.2, 4.6, "F")
	d.setFont(bold, 12.5)
	d.textColour(ink())
	d.text(marginX+2.2, y, contentW-2.2, title, "L")
	y += 7.2
	if sub != "" {
		d.setFont(regular, 8.5)
		d.textColour(muted())
		for _, l := range d.split(d.clean(sub), contentW) {
			d.text(marginX, y, contentW, l, "L")
			y += d.lineH()
		}
		y += 1
	}
	d.setY(y + 1)
}

func (d *doc) header() {
	y := marginTop
	d.setFont(bold, 9)
	d.textColour(accent())
	d.text(marginX, y, contentW/2, d.clean(d.m.Programme), "L")
	d.setFont(regular, 9)
	d.textColour(muted())
	d.text(marginX+contentW/2, y, contentW/2, "Seller feedback report", "R")
	y += 5.5
	d.hline(marginX, marginX+contentW, y, accent(), 0.6)
	y += 4

	name := cmpOr(d.m.SellerName, d.m.SellerID)
	d.setFont(bold, 20)
	d.textColour(ink())
	for _, l := range capLines(d.split(d.clean(name), contentW), maxNameLines) {
		d.text(marginX, y, contentW, l, "L")
		y += d.lineH()
	}
	y += 2.5

	type item struct {
		label, value string
		face         face
	}
	// Ids get the widest column, so that a 36-character UUID fits on one line.
	items := []item{
		{"Seller ID", d.m.SellerID, regular},
		{"Period", d.period, regular},
		{"Charter version", d.m.CharterVersion, regular},
		{"Scorecard ID", d.m.ScorecardID, regular},
		{"Generated", formatDate(d.gen), regular},
		{"Scorecard status", scorecardStatusLabel(d.m.Status), bold},
	}
	widths := []float64{74, 60, 46}
	for rowStart := 0; rowStart < len(items); rowStart += 3 {
		rowH := 0.0
		x := marginX
		for i := rowStart; i < rowStart+3; i++ {
			it := items[i]
			colW := widths[i-rowStart]
			d.setFont(bold, 7)
			d.textColour(muted())
			d.text(x, y, colW, strings.ToUpper(it.label), "L")
			yy := y + d.lineH()
			size := 10.0
			if it.label == "Seller ID" || it.label == "Scorecard ID" {
				size = 9 // a 36-character UUID fits the column on one line
			}
			d.setFont(it.face, size)
			colour := ink()
			if it.label == "Scorecard status" && d.m.Status != audit.Approved {
				colour = orange()
			}
			d.textColour(colour)
			lh := 10 * ptToMM * lineSpacing // same baseline grid for every face
			for _, l := range d.split(d.clean(cmpOr(it.value, dash)), colW) {
				d.pdf.SetXY(x, yy)
				d.pdf.CellFormat(colW, lh, l, "", 0, "L", false, 0, "")
				yy += lh
			}
			rowH = max(rowH, yy-y)
			x += colW
		}
		y += rowH + 2
	}

	if d.m.Status != audit.Approved {
		y += 1
		d.fillColour(orangeTint())
		d.pdf.Rect(marginX, y, contentW, 7, "F")
		d.fillColour(orange())
		d.pdf.Rect(marginX, y, 0.9, 7, "F")
		d.setFont(bold, 8.5)
		d.textColour(rgb{122, 62, 0})
		d.pdf.SetXY(marginX+1, y)
		banner := "Draft — not yet approved by the quality team. Not for distribution to the seller."
		if d.m.Status == audit.Superseded {
			// A manager may read the report of a draft that a re-audit replaced; it says so.
			banner = "Superseded by " + d.m.SupersededBy + " — never approved. Not for distribution to the seller."
		}
		d.pdf.CellFormat(contentW-1, 7, d.clean(banner), "", 0, "LM", false, 0, "")
		y += 7
	}
	d.setY(y)
}

func (d *doc) summary() {
	s := d.m.Summary
	d.section("Summary", "", 40)
	y := d.y()

	// Score panel.
	const pw, ph = 56.0, 38.0
	d.fillColour(panel())
	d.pdf.RoundedRect(marginX, y, pw, ph, 2, "1234", "F")
	d.setFont(bold, 7)
	d.textColour(muted())
	d.text(marginX+2, y+2.5, pw-4, "SCORE", "L")
	score := formatScore(s.Score)
	d.setFont(bold, 28)
	d.textColour(ink())
	sw := d.pdf.GetStringWidth(score)
	d.pdf.SetXY(marginX+2, y+8)
	d.pdf.CellFormat(sw+2*cellPad, 12, score, "", 0, "LM", false, 0, "")
	if s.Score != nil {
		d.setFont(regular, 10)
		d.textColour(muted())
		d.pdf.SetXY(marginX+2+sw+2*cellPad-1, y+10.5)
		d.pdf.CellFormat(20, 8, "/ 100", "", 0, "LM", false, 0, "")
	}
	d.setFont(bold, 7)
	d.textColour(muted())
	d.text(marginX+2, y+23, pw-4, "TIER", "L")
	fill, fg := tierColours(s.Tier)
	d.pill(marginX+3.6, y+27.5, tierLabel(s.Tier), fill, fg, 10)

	// Counts.
	x0 := marginX + pw + 4
	bw := (contentW - pw - 4 - 3*3) / 4
	counts := []struct {
		label  string
		n      int
		colour rgb
	}{
		{"Passed", s.Passed, green()},
		{"Failed", s.Failed, red()},
		{"Insufficient data", s.Insufficient, muted()},
		{"Failed critical", s.FailedCritical, red()},
	}
	for i, c := range counts {
		x := x0 + float64(i)*(bw+3)
		d.fillColour(panel())
		d.pdf.RoundedRect(x, y, bw, 21, 2, "1234", "F")
		colour := c.colour
		if c.n == 0 && colour == red() {
			colour = ink()
		}
		d.setFont(bold, 18)
		d.textColour(colour)
		d.pdf.SetXY(x, y+2.5)
		d.pdf.CellFormat(bw, 9, strconv.Itoa(c.n), "", 0, "LM", false, 0, "")
		d.setFont(regular, 8)
		d.textColour(muted())
		d.text(x, y+13, bw, c.label, "L")
	}

	// Change since the previous scorecard.
	cy := y + 24
	cw := contentW - pw - 4
	d.fillColour(panel())
	d.pdf.RoundedRect(x0, cy, cw, 14, 2, "1234", "F")
	d.setFont(bold, 7)
	d.textColour(muted())
	d.text(x0, cy+2, cw, "CHANGE SINCE PREVIOUS SCORECARD", "L")
	var change, detail string
	colour := ink()
	switch {
	case s.Previous == nil:
		change, detail = "First scorecard", "no earlier score to compare with"
	case s.Change == nil:
		change = dash
		detail = "no score this period; previous " + formatScore(&s.Previous.Score) + " (" + formatPeriod(s.Previous.Period) + ")"
	default:
		change = formatChange(*s.Change) + " points"
		detail = "from " + formatScore(&s.Previous.Score) + " (" + formatPeriod(s.Previous.Period) + ")"
		switch {
		case *s.Change > 0:
			colour = green()
		case *s.Change < 0:
			colour = red()
		}
	}
	d.setFont(bold, 11)
	d.textColour(colour)
	lh := d.lineH()
	d.text(x0, cy+6.5, cw, change, "L")
	chw := d.pdf.GetStringWidth(change) + cellPad // the detail follows on the same baseline
	d.setFont(regular, 8.5)
	d.textColour(muted())
	d.pdf.SetXY(x0+chw, cy+6.5)
	d.pdf.CellFormat(cw-chw, lh, d.fit(d.clean(detail), cw-chw-2*cellPad), "", 0, "L", false, 0, "")

	// What to do next, in one or two sentences.
	y += ph + 3
	d.setFont(regular, 9)
	d.textColour(ink())
	for _, l := range d.split(d.nextSteps(), contentW) {
		d.text(marginX, y, contentW, l, "L")
		y += d.lineH()
	}
	d.setY(y)
}

// nextSteps says in plain words what the seller should do after reading the summary.
func (d *doc) nextSteps() string {
	s := d.m.Summary
	var parts []string
	switch {
	case s.Failed == 0 && s.Passed == 0:
		parts = append(parts, "No charter point could be evaluated in this period.")
	case s.Failed == 0:
		parts = append(parts, "Every evaluated charter point passed.")
	default:
		p := plural(s.Failed, "point", "points") + " failed"
		if s.FailedCritical > 0 {
			p += " (" + strconv.Itoa(s.FailedCritical) + " critical)"
		}
		parts = append(parts, p+": “Failed points in detail” lists the devices and orders behind each failure.")
	}
	if n := len(d.m.Actions); n > 0 {
		first := d.m.Actions[0].DueAt
		parts = append(parts, plural(n, "corrective action is", "corrective actions are")+
			" open; the first is due "+formatDate(first)+".")
	}
	return d.clean(strings.Join(parts, " "))
}

func (d *doc) trend() {
	pts := d.m.Trend
	sub := "Score of the last " + strconv.Itoa(len(pts)) + " scorecards, oldest first; the shaded bands are the tiers."
	if len(pts) == 1 {
		sub = "The first scorecard with a score: the trend builds up with each audit. The shaded bands are the tiers."
	}
	d.section("Score trend", sub, 46)
	y := d.y()
	const (
		axisW  = 9.0
		chartH = 38.0
		labelH = 9.0
	)
	px0, px1 := marginX+axisW, marginX+contentW
	py0, py1 := y+2, y+2+chartH
	// The axis starts at 40 (or lower when a score needs it): scores live mostly between 50
	// and 100, and a 0–100 axis would squash the differences a seller cares about.
	lo := 40.0
	for _, p := range pts {
		if p.Score != nil {
			lo = min(lo, math.Floor((*p.Score-10)/10)*10)
		}
	}
	lo = max(lo, 0)
	yOf := func(v float64) float64 { return py1 - (min(max(v, lo), 100)-lo)/(100-lo)*(py1-py0) }

	bands := []struct {
		lo, hi float64
		fill   rgb
		label  string
	}{
		{90, 100, rgb{231, 244, 234}, "trusted"},
		{70, 90, rgb{253, 246, 222}, "watch"},
		{50, 70, rgb{253, 236, 222}, "probation"},
		{0, 50, rgb{251, 231, 231}, "suspend"},
	}
	for _, b := range bands {
		top, bottom := yOf(b.hi), yOf(max(b.lo, lo))
		d.fillColour(b.fill)
		d.pdf.Rect(px0, top, px1-px0, bottom-top, "F")
		d.setFont(regular, 6.5)
		d.textColour(faint())
		d.pdf.SetXY(px0, top+0.3)
		d.pdf.CellFormat(30, 3.2, b.label, "", 0, "LM", false, 0, "")
	}
	d.setFont(regular, 7)
	d.textColour(muted())
	for _, v := range []float64{lo, 50, 70, 90, 100} {
		d.hline(px0, px1, yOf(v), white(), 0.3)
		d.pdf.SetXY(marginX, yOf(v)-2)
		d.pdf.CellFormat(axisW-0.5, 4, strconv.Itoa(int(v)), "", 0, "RM", false, 0, "")
	}
	d.hline(px0, px1, py1, faint(), 0.3)

	n := len(pts)
	xs := make([]float64, n)
	const inset = 16.0
	for i := range pts {
		if n == 1 {
			xs[i] = (px0 + px1) / 2
		} else {
			xs[i] = px0 + inset + float64(i)*(px1-px0-2*inset)/float64(n-1)
		}
	}
	// The line first, so the dots sit on top of it.
	d.drawColour(accent())
	d.pdf.SetLineWidth(0.6)
	for i := 1; i < n; i++ {
		if pts[i-1].Score != nil && pts[i].Score != nil {
			d.pdf.Line(xs[i-1], yOf(*pts[i-1].Score), xs[i], yOf(*pts[i].Score))
		}
	}
	for i, p := range pts {
		x := xs[i]
		if p.Score != nil {
			yy := yOf(*p.Score)
			d.pdf.SetLineWidth(0.5)
			d.drawColour(white())
			if p.Current {
				fill, _ := tierColours(d.m.Summary.Tier)
				d.fillColour(fill)
				d.pdf.Circle(x, yy, 1.9, "FD")
			} else {
				d.fillColour(accent())
				d.pdf.Circle(x, yy, 1.3, "FD")
			}
			d.setFont(bold, 7.5)
			d.textColour(ink())
			ly := yy - 6.2
			if ly < py0-1 {
				ly = yy + 2.2 // no room above the dot: write the value under it
			}
			d.pdf.SetXY(x-12, ly)
			d.pdf.CellFormat(24, 4, formatScore(p.Score), "", 0, "CM", false, 0, "")
		} else {
			d.setFont(regular, 7)
			d.textColour(muted())
			d.pdf.SetXY(x-12, py1-6)
			d.pdf.CellFormat(24, 4, "no score", "", 0, "CM", false, 0, "")
		}
		label := d.clean(periodLabel(p.Period))
		f := regular
		colour := muted()
		if p.Current {
			f, colour = bold, ink()
		}
		d.setFont(f, 7)
		d.textColour(colour)
		d.pdf.SetXY(x-15, py1+1)
		d.pdf.CellFormat(30, 3.5, label, "", 0, "CM", false, 0, "")
		if p.Current {
			d.setFont(regular, 6.5)
			d.textColour(muted())
			d.pdf.SetXY(x-15, py1+4.4)
			d.pdf.CellFormat(30, 3.5, "this scorecard", "", 0, "CM", false, 0, "")
		}
	}
	d.setY(py1 + labelH)
}

func pointColumns() []column {
	return []column{
		{"Code", 14, "L"},
		{"Title", 61, "L"},
		{"Severity", 18, "L"},
		{"Status", 25, "L"},
		{"Value", 20, "R"},
		{"Target", 24, "R"},
		{"Samples", 18, "R"},
	}
}

func (d *doc) pointsTable() {
	sub := fmt.Sprintf("%s of charter %s; failed points are highlighted. Value and target are in the unit of each point’s metric.",
		plural(len(d.m.Points), "point", "points"), cmpOr(d.m.CharterVersion, dash))
	d.section("All charter points", sub, 20)
	t := &table{cols: pointColumns(), size: 8.5}
	t.onBreak = func() { d.continued("All charter points (continued)") }
	d.tableHeader(t)
	if len(d.m.Points) == 0 {
		d.note("The scorecard holds no points.")
		return
	}
	for _, p := range d.m.Points {
		status := cell{text: statusLabel(p.Status), colour: muted()}
		var fill, marker *rgb
		switch p.Status {
		case checklist.PointFail:
			status = cell{text: "Fail", face: bold, colour: red()}
			f, mk := redTint(), red()
			fill, marker = &f, &mk
		case checklist.PointPass:
			status.colour = green()
		}
		samples := strconv.Itoa(p.Samples)
		d.row(t, []cell{
			{text: p.Code, face: bold},
			{text: p.Title},
			{text: string(p.Severity)},
			status,
			{text: formatValue(p)},
			{text: formatTarget(p)},
			{text: samples},
		}, fill, marker)
	}
}

// continued draws the small heading that tells a reader a table goes on from the previous
// page.
func (d *doc) continued(title string) {
	d.setFont(bold, 9)
	d.textColour(muted())
	d.text(marginX, d.y(), contentW, d.clean(title), "L")
	d.setY(d.y() + d.lineH() + 1)
}

func (d *doc) note(s string) {
	d.setFont(regular, 8.5)
	d.textColour(muted())
	y := d.y() + 1.5
	for _, l := range d.split(d.clean(s), contentW) {
		d.text(marginX, y, contentW, l, "L")
		y += d.lineH()
	}
	d.setY(y)
}

func evidenceColumns() []column {
	return []column{
		{"#", 9, "R"},
		{"Kind", 15, "L"},
		{"Device / order", 55, "L"},
		{"IMEI / serial", 33, "L"},
		{"Tested / ordered", 21, "L"},
		{"Delivered", 20, "L"},
		{"Grade", 27, "L"},
	}
}

func (d *doc) failedPoints() {
	if len(d.m.Failed) == 0 {
		d.section("Failed points in detail", "", 8)
		d.note("No charter point failed in this period.")
		return
	}
	d.section("Failed points in detail",
		"For each failed point: what the charter expects, what was measured, and the records behind the failure. "+
			"IMEIs and serials show only their last 4 characters.", 45)
	for i, fp := range d.m.Failed {
		if i > 0 {
			d.setY(d.y() + 6)
		}
		d.failedPoint(fp)
	}
}

func (d *doc) failedPoint(fp FailedPoint) {
	p := fp.Point
	title := d.clean(p.Title)
	// Keep the heading, the expectation block, the table header and a first row together.
	d.ensure(48)
	y := d.y()

	// Heading: code and title, severity badge on the right.
	sev := string(p.Severity)
	d.setFont(bold, 7.5)
	pw := d.pdf.GetStringWidth(sev) + 2*cellPad + 2
	d.setFont(bold, 11)
	d.textColour(red())
	code := d.clean(p.Code)
	codeW := d.pdf.GetStringWidth(code) + 2*cellPad
	d.text(marginX, y, codeW, code, "L")
	d.textColour(ink())
	tw := contentW - codeW - pw - 2
	lines := d.split(title, tw)
	for j, l := range lines {
		d.text(marginX+codeW, y+float64(j)*d.lineH(), tw, l, "L")
	}
	hh := float64(len(lines)) * d.lineH()
	d.pill(marginX+contentW-pw, y+0.4, sev, severityColour(p.Severity), white(), 7.5)
	y += hh + 1
	d.hline(marginX, marginX+contentW, y, rule(), 0.3)
	y += 1.5

	// What the charter expects and what was measured.
	const labelW = 32.0
	valueW := contentW - labelW
	rows := []struct {
		label string
		value string
		face  face
		extra string
		col   rgb
	}{
		{"Charter expects", p.Expectation(), bold, targetWords(p), ink()},
		{"Measured", formatValue(p), bold, "over " + plural(p.Samples, "sample", "samples"), red()},
		{"Evidence", plural(len(fp.Evidence), "record", "records"), regular, "", ink()},
	}
	for _, r := range rows {
		d.setFont(bold, 7.5)
		d.textColour(muted())
		d.pdf.SetXY(marginX, y)
		d.pdf.CellFormat(labelW, 5, strings.ToUpper(r.label), "", 0, "LM", false, 0, "")
		// The value wraps rather than being cut: a compound rule can be long.
		d.setFont(r.face, 9)
		d.textColour(r.col)
		lines := d.split(d.clean(cmpOr(r.value, dash)), valueW)
		for j, l := range lines {
			if j > 0 {
				y += 5
			}
			d.pdf.SetXY(marginX+labelW, y)
			d.pdf.CellFormat(valueW, 5, l, "", 0, "LM", false, 0, "")
		}
		if r.extra != "" {
			lw := d.pdf.GetStringWidth(lines[len(lines)-1]) + 2*cellPad
			extra := d.clean("(" + r.extra + ")")
			d.setFont(regular, 8.5)
			d.textColour(muted())
			if lw+d.pdf.GetStringWidth(extra)+2*cellPad > valueW {
				lw, y = 0, y+5
			}
			d.pdf.SetXY(marginX+labelW+lw, y)
			d.pdf.CellFormat(valueW-lw, 5, extra, "", 0, "LM", false, 0, "")
		}
		y += 5
	}
	d.setY(y + 1.5)

	if len(fp.Evidence) == 0 {
		d.note("No individual records are attached to this point: it is measured from aggregated figures.")
		return
	}
	t := &table{cols: evidenceColumns(), size: 8}
	head := p.Code + " " + p.Title + " — evidence (continued)"
	t.onBreak = func() { d.continued(head) }
	d.tableHeader(t)
	for i, e := range fp.Evidence {
		d.row(t, evidenceCells(i+1, e), nil, nil)
	}
}

// evidenceCells lays one evidence record out in the evidence table's columns.
func evidenceCells(n int, e EvidenceRow) []cell {
	num := cell{text: strconv.Itoa(n), colour: muted()}
	if !e.Found {
		return []cell{num,
			{text: "Record", colour: muted()},
			{text: e.ID, sub: "no details found for this record"},
			{text: dash, colour: muted()},
			{text: dash, colour: muted()},
			{text: dash, colour: muted()},
			{text: dash, colour: muted()},
		}
	}
	identity := cell{text: maskIdentity(e.Identity)}
	grade := cell{text: cmpOr(e.Grade, dash)}
	switch e.Kind {
	case EvidenceOrder:
		delivered := "not delivered"
		if e.DeliveredAt != nil {
			delivered = formatDate(*e.DeliveredAt)
		}
		return []cell{num,
			{text: "Order"},
			{text: cmpOr(e.OrderRef, e.ID), face: bold, sub: joinNonEmpty(" · ", e.Model, e.Note)},
			identity,
			{text: formatDate(e.Date)},
			{text: delivered},
			grade,
		}
	default:
		kind := "Device"
		if e.Kind != "" && e.Kind != EvidenceDevice {
			kind = capitalize(e.Kind)
		}
		return []cell{num,
			{text: kind},
			{text: cmpOr(e.Model, "unknown model"), sub: e.Note},
			identity,
			{text: formatDate(e.Date)},
			{text: dash, colour: muted()},
			grade,
		}
	}
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func (d *doc) accuracy() {
	a := d.m.Accuracy
	empty := a.Orders == 0 && a.UnknownListed == 0 && a.Incomplete == 0
	minBody := 58.0 // the whole matrix: it is never split
	if empty {
		minBody = 8
	}
	d.section("Grade accuracy",
		"Mystery orders of the period: the grade the device was listed with (rows) against the grade observed on arrival (columns).", minBody)
	if empty {
		d.note("No mystery orders were inspected in this period.")
		return
	}
	const firstW, colW, totalW, rowH = 34.0, 22.0, 20.0, 7.0
	y := d.y()
	// Header.
	d.fillColour(headFill())
	d.pdf.Rect(marginX, y, firstW+5*colW+totalW, rowH+1, "F")
	d.setFont(bold, 7.5)
	d.textColour(muted())
	d.pdf.SetXY(marginX, y)
	d.pdf.CellFormat(firstW, rowH+1, "Listed \\ observed", "", 0, "LM", false, 0, "")
	for o := 0; o < observedColumns; o++ {
		d.pdf.SetXY(marginX+firstW+float64(o)*colW, y)
		d.pdf.CellFormat(colW, rowH+1, observedLabel(o), "", 0, "CM", false, 0, "")
	}
	d.pdf.SetXY(marginX+firstW+5*colW, y)
	d.pdf.CellFormat(totalW, rowH+1, "Total", "", 0, "CM", false, 0, "")
	y += rowH + 1

	var colTotals [observedColumns]int
	for l, g := range ListedGrades() {
		d.setFont(bold, 8.5)
		d.textColour(ink())
		d.pdf.SetXY(marginX, y)
		d.pdf.CellFormat(firstW, rowH, string(g), "", 0, "LM", false, 0, "")
		rowTotal := 0
		for o := 0; o < observedColumns; o++ {
			n := a.Counts[l][o]
			rowTotal += n
			colTotals[o] += n
			x := marginX + firstW + float64(o)*colW
			var fill, fg rgb
			switch {
			case n == 0:
				fg = faint()
			case o == l:
				fill, fg = greenTint(), green()
			case o > l:
				fill, fg = redTint(), red()
			default:
				fill, fg = blueTint(), accent()
			}
			if fill != (rgb{}) {
				d.fillColour(fill)
				d.pdf.Rect(x+0.6, y+0.6, colW-1.2, rowH-1.2, "F")
			}
			if o == l && n == 0 {
				d.drawColour(greenTint())
				d.pdf.SetLineWidth(0.4)
				d.pdf.Rect(x+0.6, y+0.6, colW-1.2, rowH-1.2, "D")
			}
			d.setFont(map[bool]face{true: bold, false: regular}[n > 0], 9)
			d.textColour(fg)
			d.pdf.SetXY(x, y)
			d.pdf.CellFormat(colW, rowH, strconv.Itoa(n), "", 0, "CM", false, 0, "")
		}
		d.setFont(bold, 9)
		d.textColour(ink())
		d.pdf.SetXY(marginX+firstW+5*colW, y)
		d.pdf.CellFormat(totalW, rowH, strconv.Itoa(rowTotal), "", 0, "CM", false, 0, "")
		y += rowH
		d.hline(marginX, marginX+firstW+5*colW+totalW, y, rule(), 0.2)
	}
	d.setFont(bold, 8.5)
	d.textColour(ink())
	d.pdf.SetXY(marginX, y)
	d.pdf.CellFormat(firstW, rowH, "Total", "", 0, "LM", false, 0, "")
	for o := 0; o < observedColumns; o++ {
		d.pdf.SetXY(marginX+firstW+float64(o)*colW, y)
		d.pdf.CellFormat(colW, rowH, strconv.Itoa(colTotals[o]), "", 0, "CM", false, 0, "")
	}
	d.pdf.SetXY(marginX+firstW+5*colW, y)
	d.pdf.CellFormat(totalW, rowH, strconv.Itoa(a.Orders), "", 0, "CM", false, 0, "")
	y += rowH + 2

	// Legend and totals in words.
	x := marginX
	for _, l := range []struct {
		fill  rgb
		label string
	}{
		{greenTint(), "as listed"},
		{redTint(), "overgraded (arrived worse than listed)"},
		{blueTint(), "undergraded (arrived better than listed)"},
	} {
		d.fillColour(l.fill)
		d.pdf.Rect(x+cellPad, y+1, 3, 3, "F")
		d.setFont(regular, 7.5)
		d.textColour(muted())
		w := d.pdf.GetStringWidth(l.label) + 2*cellPad
		d.pdf.SetXY(x+4, y)
		d.pdf.CellFormat(w, 5, l.label, "", 0, "LM", false, 0, "")
		x += 4 + w + 4
	}
	d.setY(y + 5)
	words := fmt.Sprintf("%d of %s arrived as listed, %d overgraded, %d undergraded.",
		a.Matched, plural(a.Orders, "order", "orders"), a.Overgraded, a.Undergraded)
	var left []string
	if a.UnknownListed > 0 {
		left = append(left, plural(a.UnknownListed, "order", "orders")+" without a listed grade")
	}
	if a.Incomplete > 0 {
		left = append(left, plural(a.Incomplete, "order", "orders")+" with an incomplete inspection")
	}
	if len(left) > 0 {
		words += " Not in the matrix: " + strings.Join(left, ", ") + "."
	}
	d.note(words)
}

func (d *doc) actions() {
	d.section("Corrective actions",
		"Each open action needs a plan (root cause and actions) before its due date; the quality team closes it once verified.", 20)
	if len(d.m.Actions) == 0 {
		d.note("No corrective action is open.")
		return
	}
	t := &table{cols: []column{
		{"Point", 14, "L"},
		{"Title", 64, "L"},
		{"Severity", 20, "L"},
		{"Status", 28, "L"},
		{"Due", 24, "L"},
		{"Note", 30, "L"},
	}, size: 8.5}
	t.onBreak = func() { d.continued("Corrective actions (continued)") }
	d.tableHeader(t)
	for _, a := range d.m.Actions {
		var notes []string
		noteColour := accent()
		if a.New {
			notes = append(notes, "new")
		}
		if a.Overdue(d.gen) {
			notes = append(notes, "overdue")
			noteColour = red()
		}
		d.row(t, []cell{
			{text: a.PointCode, face: bold},
			{text: cmpOr(a.PointTitle, dash)},
			{text: string(a.Severity), colour: severityColour(a.Severity)},
			{text: actionStatusLabel(a.Status)},
			{text: formatDate(a.DueAt), face: bold},
			{text: capitalize(strings.Join(notes, ", ")), face: bold, colour: noteColour},
		}, nil, nil)
	}
}

// footer is called by gofpdf at the end of every page. The total page count is written as an
// alias that gofpdf replaces when the document is closed; the last page's footer prints the
// real count in the same font, so its digits are always embedded.
func (d *doc) footer() {
	y := pageH - 13
	d.hline(marginX, marginX+contentW, y, rule(), 0.3)
	d.setFont(regular, 7.5)
	d.textColour(muted())
	page := "Page " + strconv.Itoa(d.pdf.PageNo()) + " of "
	// The alias is as wide as two digits, so right-aligning the real text keeps its edge
	// within a digit of the margin.
	pw := d.pdf.GetStringWidth(page + "00")
	d.pdf.SetXY(marginX+contentW-pw-cellPad, y+1.5)
	d.pdf.CellFormat(pw+cellPad, 4, page+nbPagesAlias, "", 0, "L", false, 0, "")
	period := d.period
	perW := d.pdf.GetStringWidth(period) + 2*cellPad
	d.pdf.SetXY((pageW-perW)/2, y+1.5)
	d.pdf.CellFormat(perW, 4, period, "", 0, "C", false, 0, "")
	nameW := (pageW-perW)/2 - marginX - 4
	d.pdf.SetXY(marginX, y+1.5)
	d.pdf.CellFormat(nameW, 4, d.fit(d.clean(cmpOr(d.m.SellerName, d.m.SellerID)), nameW-2*cellPad), "", 0, "L", false, 0, "")
}
