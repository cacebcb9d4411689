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
// work out and never changes (the fonts, the characters they can draw). A Doc is one
// document being drawn and belongs to one goroutine.
package pdfdoc

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
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

const (
	fontFamily = "go"
	// pageCountAlias stands for the number of pages in the footer until the document is
	// finished. Clean breaks it up in any other text, so no user text is ever mistaken for it.
	pageCountAlias = "{nb}"
)

// Kit holds what every document shares: the embedded fonts and the set of characters they
// can draw, which are costly to work out. It is never modified after NewKit, so any number of
// goroutines may make documents with it at once.
type Kit struct {
	regular, bold []byte
	cover         *coverage
}

// NewKit parses the embedded Go fonts once and works out which characters they cover, so
// that documents can replace anything else (emoji, unsupported scripts) instead of drawing
// blank boxes or failing.
func NewKit() (*Kit, error) {
	// Private copies: the x/image font variables are shared by the whole program.
	k := &Kit{regular: slices.Clone(goregular.TTF), bold: slices.Clone(gobold.TTF)}
	var cov coverage
	for i := range cov {
		cov[i] = ^uint64(0)
	}
	var buf sfnt.Buffer
	for _, ttf := range [][]byte{k.regular, k.bold} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			return nil, fmt.Errorf("pdfdoc: parse font: %w", err)
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
	k.cover = &cov
	return k, nil
}

// Info is what a document says about itself in its properties.
type Info struct {
	Title, Subject, Author, Creator, Producer string
	// Date is stamped as the creation and modification date, so that the same content and
	// date always give byte-identical output. It must not be zero.
	Date time.Time
}

// Doc is one document being drawn. It is never shared between goroutines.
type Doc struct {
	pdf    *gofpdf.Fpdf
	kit    *Kit
	face   Face
	size   float64
	footer func()
	noDate bool
}

// New starts a document on its first page. Info's texts are cleaned like any other text.
func (k *Kit) New(info Info) *Doc {
	pdf := gofpdf.New("P", "mm", "A4", "")
	d := &Doc{pdf: pdf, kit: k, noDate: info.Date.IsZero()}
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(info.Date)
	pdf.SetModificationDate(info.Date)
	pdf.SetCompression(true)
	pdf.SetMargins(MarginX, MarginTop, MarginX)
	pdf.SetAutoPageBreak(false, 0) // page breaks are placed by hand: rows never split
	pdf.SetCellMargin(CellPad)
	// Each document gets its own copy of the font files: gofpdf 1.16.2 writes into the slice
	// it is given (its checksum code appends padding in place), which would be a data race
	// between concurrent documents and would scribble on the x/image package's font data.
	pdf.AddUTF8FontFromBytes(fontFamily, "", slices.Clone(k.regular))
	pdf.AddUTF8FontFromBytes(fontFamily, "B", slices.Clone(k.bold))
	pdf.AliasNbPages(pageCountAlias)
	pdf.SetTitle(k.Clean(info.Title), true)
	pdf.SetSubject(k.Clean(info.Subject), true)
	pdf.SetAuthor(k.Clean(info.Author), true)
	pdf.SetCreator(k.Clean(info.Creator), true)
	pdf.SetProducer(k.Clean(info.Producer), true)
	pdf.SetFooterFunc(func() {
		if d.footer != nil {
			d.footer()
		}
	})
	pdf.SetLineCapStyle("round")
	pdf.SetLineJoinStyle("round")
	d.NewPage()
	return d
}

// SetFooter sets what is drawn at the bottom of every page once the page is full, usually a
// call to PageFooter.
func (d *Doc) SetFooter(fn func()) { d.footer = fn }

// Output finishes the document and writes it to w.
func (d *Doc) Output(w io.Writer) error {
	if d.noDate {
		// gofpdf would read the clock, and the output would no longer be reproducible.
		return errors.New("pdfdoc: the document date is required")
	}
	if err := d.pdf.Error(); err != nil {
		return err
	}
	return d.pdf.Output(w)
}

// PageNo is the number of the current page, from 1.
func (d *Doc) PageNo() int { return d.pdf.PageNo() }

// Y is the current vertical position on the page.
func (d *Doc) Y() float64 { return d.pdf.GetY() }

// SetY moves the current vertical position.
func (d *Doc) SetY(y float64) { d.pdf.SetY(y) }

// NewPage finishes the current page (drawing its footer) and starts the next at the top
// margin.
func (d *Doc) NewPage() {
	d.pdf.AddPage()
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
// left, centre in the middle and "Page N of M" on the right. The total page count is written
// as an alias that is replaced when the document is finished; the last page's footer prints
// the real count in the same font, so its digits are always embedded.
func (d *Doc) PageFooter(left, centre string) {
	y := PageH - 13
	d.HLine(MarginX, MarginX+ContentW, y, Rule(), 0.3)
	d.SetFont(Regular, 7.5)
	d.TextColour(Muted())
	page := "Page " + strconv.Itoa(d.PageNo()) + " of "
	// The alias is as wide as two digits, so right-aligning the real text keeps its edge
	// within a digit of the margin.
	pw := d.StringWidth(page + "00")
	d.pdf.SetXY(MarginX+ContentW-pw-CellPad, y+1.5)
	d.pdf.CellFormat(pw+CellPad, 4, page+pageCountAlias, "", 0, "L", false, 0, "")
	centre = d.kit.Clean(centre)
	cw := d.StringWidth(centre) + 2*CellPad
	d.Cell((PageW-cw)/2, y+1.5, cw, 4, centre, "C")
	lw := (PageW-cw)/2 - MarginX - 4
	d.Cell(MarginX, y+1.5, lw, 4, d.Fit(left, lw-2*CellPad), "L")
}
