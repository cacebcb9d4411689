// Package pdfdoc is the layout toolkit of refurbqa's PDF documents: A4 pages with a header
// and a "Page N of M" footer, the two embedded Go fonts, a small palette, text that is
// cleaned, measured, wrapped and fitted, pills, section headings, and tables whose header row
// is repeated on every page they continue on.
//
// It is a package of its own, not a file of package reports, so that the seam is kept by
// the compiler: it knows nothing of scorecards (it imports no domain package), and a second
// kind of document — the device certificate — uses the same fonts, colours and tables
// without reaching into the report's internals. The report's seven sections live in package
// reports and use only this API.
//
// A Kit is made once per process and shared by every document: it holds what is costly to
// work out and never changes — the two fonts parsed once (a gopdf.FontContainer), the
// characters they can draw and their advance widths. A Doc is one document being drawn and
// belongs to one goroutine. The PDF itself is written by github.com/signintech/gopdf, which
// can add a font parsed once to any number of documents; jung-kurt/gofpdf, used before, and
// its fork go-pdf/fpdf are archived and re-parse every font for every document (about a
// third of a report's rendering time; docs/performance.md). gopdf comes from
// third_party/gopdf: upstream v0.33.0 with two patches (PATCHES.md there) that reuse its zlib
// writers and format its text into a buffer, which halve the CPU of every document and write
// the same content.
package pdfdoc

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Page geometry, in millimetres (A4 portrait).
const (
	PageW      = 210.0
	PageH      = 297.0
	MarginX    = 15.0
	MarginTop  = 15.0
	BodyBottom = PageH - 20 // content never goes below this line; the footer lives under it
	ContentW   = PageW - 2*MarginX
	CellPad    = 1.6 // horizontal padding inside a text box, on each side
	RowPad     = 1.5 // vertical padding inside table rows
	SectionGap = 8.0
	PtToMM     = 25.4 / 72
	// LineSpacing is the height of a line of text as a multiple of the font size.
	LineSpacing = 1.32
)

// faceName is the name of a face inside every document (the PDF's font name).
func faceName(f Face) string {
	if f == Bold {
		return "GoBold"
	}
	return "GoRegular"
}

// Kit holds what every document shares: the embedded fonts parsed once, the set of characters
// they can draw and the width of each. It is never modified after NewKit, so any number of
// goroutines may make documents with it at once.
type Kit struct {
	fonts *gopdf.FontContainer
	cover *coverage
	// widths holds each face's advance width of every drawable rune of the Basic
	// Multilingual Plane, in thousandths of the font size, rounded down as gopdf writes them
	// into the PDF: measuring with it gives exactly the widths a reader lays the text out with.
	widths [2]*[0x10000]uint16
}

// NewKit parses the embedded Go fonts once — for gopdf, which adds the parsed fonts to each
// document without parsing them again, and for the Kit's own measuring — and works out which
// characters they cover, so that documents can replace anything else (emoji, unsupported
// scripts) instead of drawing blank boxes or failing.
func NewKit() (*Kit, error) {
	k := &Kit{fonts: &gopdf.FontContainer{}}
	var cov coverage
	for i := range cov {
		cov[i] = ^uint64(0)
	}
	var buf sfnt.Buffer
	for _, face := range []Face{Regular, Bold} {
		// A private copy: the x/image font variables are shared by the whole program.
		ttf := slices.Clone(goregular.TTF)
		if face == Bold {
			ttf = slices.Clone(gobold.TTF)
		}
		if err := k.fonts.AddTTFFontData(faceName(face), ttf); err != nil {
			return nil, fmt.Errorf("pdfdoc: load font %s: %w", faceName(face), err)
		}
		f, err := sfnt.Parse(ttf)
		if err != nil {
			return nil, fmt.Errorf("pdfdoc: parse font %s: %w", faceName(face), err)
		}
		upem := int(f.UnitsPerEm())
		widths := new([0x10000]uint16)
		var one coverage
		for c := rune(0x20); c < 0x10000; c++ {
			g, err := f.GlyphIndex(&buf, c)
			if err != nil || g == 0 {
				continue
			}
			one[c/64] |= 1 << (uint(c) % 64)
			// At one pixel per font unit the advance is in font units (26.6 fixed point).
			adv, err := f.GlyphAdvance(&buf, g, fixed.I(upem), font.HintingNone)
			if err != nil {
				return nil, fmt.Errorf("pdfdoc: width of %U: %w", c, err)
			}
			widths[c] = uint16(adv.Round() * 1000 / upem)
		}
		k.widths[face] = widths
		for i := range cov {
			cov[i] &= one[i]
		}
	}
	k.cover = &cov
	return k, nil
}

// Info is what a document says about itself in its properties.
type Info struct {
	Title, Subject, Author, Creator, Producer string
	// Date is stamped as the creation date, so that the same content and date always give
	// byte-identical output. It must not be zero.
	Date time.Time
}

// Doc is one document being drawn. It is never shared between goroutines.
type Doc struct {
	pdf    *gopdf.GoPdf
	kit    *Kit
	face   Face
	size   float64
	y      float64
	page   int // the page being drawn, from 1
	pages  int // the pages started so far
	gs     graphicsState
	footer func()
	noDate bool
	err    error // the first error of a drawing call, returned by Output
}

// New starts a document on its first page. Info's texts are cleaned like any other text.
func (k *Kit) New(info Info) *Doc {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{Unit: gopdf.UnitMM, PageSize: gopdf.Rect{W: PageW, H: PageH}})
	d := &Doc{pdf: pdf, kit: k, noDate: info.Date.IsZero()}
	for _, face := range []Face{Regular, Bold} {
		// The fonts NewKit parsed: nothing is parsed again here.
		d.check(pdf.AddTTFFontFromFontContainer(faceName(face), k.fonts))
	}
	pdf.SetInfo(gopdf.PdfInfo{
		Title:        k.Clean(info.Title),
		Subject:      k.Clean(info.Subject),
		Author:       k.Clean(info.Author),
		Creator:      k.Clean(info.Creator),
		Producer:     k.Clean(info.Producer),
		CreationDate: info.Date.UTC(),
	})
	d.NewPage()
	return d
}

// check keeps the first error of a drawing call, for Output.
func (d *Doc) check(err error) {
	if err != nil && d.err == nil {
		d.err = err
	}
}

// SetFooter sets what is drawn at the bottom of every page, usually a call to PageFooter. The
// footers are drawn when the document is finished, so that they know the number of pages.
func (d *Doc) SetFooter(fn func()) { d.footer = fn }

// Output finishes the document — the footer of every page — and writes it to w.
func (d *Doc) Output(w io.Writer) error {
	if d.noDate {
		// The output would no longer say when it was made, and could not be reproduced.
		return errors.New("pdfdoc: the document date is required")
	}
	if d.footer != nil {
		for p := 1; p <= d.pages; p++ {
			if err := d.pdf.SetPage(p); err != nil {
				return fmt.Errorf("pdfdoc: page %d: %w", p, err)
			}
			d.page = p
			d.gs = graphicsState{}
			d.footer()
		}
	}
	if d.err != nil {
		return fmt.Errorf("pdfdoc: %w", d.err)
	}
	_, err := d.pdf.WriteTo(w)
	return err
}

// PageNo is the number of the current page, from 1.
func (d *Doc) PageNo() int { return d.page }

// PageCount is the number of pages started so far: while the footers are drawn, the number
// of pages of the document.
func (d *Doc) PageCount() int { return d.pages }

// Y is the current vertical position on the page.
func (d *Doc) Y() float64 { return d.y }

// SetY moves the current vertical position.
func (d *Doc) SetY(y float64) { d.y = y }

// NewPage starts the next page at the top margin.
func (d *Doc) NewPage() {
	d.pdf.AddPage()
	d.pages++
	d.page = d.pages
	d.gs = graphicsState{}
	// Every page gets its content stream now, even one left empty, so that Output finds each
	// page's stream by the page's number when it draws the footers.
	d.LineWidth(0.2)
	d.SetY(MarginTop)
}

// Ensure starts a new page unless h millimetres fit below the current position, and says
// whether it did. At the top of a page it never breaks, so an oversized block cannot loop
// forever.
func (d *Doc) Ensure(h float64) bool {
	if d.Y()+h <= BodyBottom || d.Y() <= MarginTop+0.01 {
		return false
	}
	d.NewPage()
	return true
}

// PageFooter draws the standard footer under the body: a rule, left (shortened to fit) on the
// left, centre in the middle and "Page N of M" on the right.
func (d *Doc) PageFooter(left, centre string) {
	y := PageH - 13
	d.HLine(MarginX, MarginX+ContentW, y, Rule(), 0.3)
	d.SetFont(Regular, 7.5)
	d.TextColour(Muted())
	page := "Page " + strconv.Itoa(d.PageNo()) + " of " + strconv.Itoa(d.PageCount())
	pw := d.StringWidth(page) + 2*CellPad
	d.Cell(MarginX+ContentW-pw, y+1.5, pw, 4, page, "R")
	centre = d.kit.Clean(centre)
	cw := d.StringWidth(centre) + 2*CellPad
	d.Cell((PageW-cw)/2, y+1.5, cw, 4, centre, "C")
	lw := (PageW-cw)/2 - MarginX - 4
	d.Cell(MarginX, y+1.5, lw, 4, d.Fit(left, lw-2*CellPad), "L")
}
