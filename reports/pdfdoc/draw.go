package pdfdoc

// cornerPoints is the number of points between the ends of each rounded corner: gopdf draws a
// rounded corner as a polygon, and at the sizes of pills and chart dots eight points look round.
const cornerPoints = 8

// RGB is a colour. The zero value means "the default": the ink for text, nothing for the
// background of a table row.
type RGB struct{ R, G, B uint8 }

// The palette: dark ink on white and one accent, plus the signal colours and their tints.
// Colours are functions, not variables, so that no package-level state can be changed.

// Ink is the colour of body text.
func Ink() RGB { return RGB{31, 41, 51} }

// Muted is for labels, explanations and secondary text.
func Muted() RGB { return RGB{96, 108, 122} }

// Faint is for what should barely show: zero counts, chart labels.
func Faint() RGB { return RGB{168, 176, 186} }

// Accent is the documents' one brand colour: headings' bars, rules under a header, charts.
func Accent() RGB { return RGB{31, 78, 121} }

// Rule is the colour of the thin lines between rows.
func Rule() RGB { return RGB{221, 226, 232} }

// Panel is the background of a boxed figure.
func Panel() RGB { return RGB{244, 246, 249} }

// HeadFill is the background of a table's header row.
func HeadFill() RGB { return RGB{234, 238, 243} }

// Red signals a failure.
func Red() RGB { return RGB{180, 35, 24} }

// RedTint is the background of a failed row.
func RedTint() RGB { return RGB{253, 236, 234} }

// Green signals a pass.
func Green() RGB { return RGB{36, 120, 60} }

// GreenTint is the background of a passing figure.
func GreenTint() RGB { return RGB{228, 243, 232} }

// BlueTint is a neutral highlight.
func BlueTint() RGB { return RGB{226, 235, 246} }

// Orange signals a warning (a draft, a deadline).
func Orange() RGB { return RGB{214, 100, 0} }

// OrangeTint is the background of a warning.
func OrangeTint() RGB { return RGB{255, 240, 224} }

// White is the page.
func White() RGB { return RGB{255, 255, 255} }

// graphicsState is what a page's content stream has last been told about lines and fills,
// so that a table of a thousand rows does not set the same colour and width a thousand times.
// A new page's stream starts from PDF's defaults, and the footers are drawn onto pages whose
// state is not followed, so NewPage and Output forget it (the zero value): the next call sets
// the colour or width in any case.
type graphicsState struct {
	fill, stroke                 RGB
	width                        float64
	hasFill, hasStroke, hasWidth bool
}

// TextColour sets the colour of the text drawn next; the zero RGB is the ink.
func (d *Doc) TextColour(c RGB) {
	if c == (RGB{}) {
		c = Ink()
	}
	d.pdf.SetTextColor(c.R, c.G, c.B)
}

// FillColour sets the colour that shapes are filled with.
func (d *Doc) FillColour(c RGB) {
	if d.gs.fill != c || !d.gs.hasFill {
		d.pdf.SetFillColor(c.R, c.G, c.B)
		d.gs.fill, d.gs.hasFill = c, true
	}
}

// DrawColour sets the colour of lines and outlines.
func (d *Doc) DrawColour(c RGB) {
	if d.gs.stroke != c || !d.gs.hasStroke {
		d.pdf.SetStrokeColor(c.R, c.G, c.B)
		d.gs.stroke, d.gs.hasStroke = c, true
	}
}

// LineWidth sets the width of lines and outlines, in millimetres.
func (d *Doc) LineWidth(w float64) {
	if d.gs.width != w || !d.gs.hasWidth {
		d.pdf.SetLineWidth(w)
		d.gs.width, d.gs.hasWidth = w, true
	}
}

// Line draws a line in the current draw colour and line width.
func (d *Doc) Line(x1, y1, x2, y2 float64) { d.pdf.Line(x1, y1, x2, y2) }

// HLine draws a horizontal rule of colour c and the given width.
func (d *Doc) HLine(x1, x2, y float64, c RGB, width float64) {
	d.DrawColour(c)
	d.LineWidth(width)
	d.pdf.Line(x1, y, x2, y)
}

// FillRect fills a rectangle with colour c.
func (d *Doc) FillRect(x, y, w, h float64, c RGB) {
	if w <= 0 || h <= 0 {
		return
	}
	d.FillColour(c)
	d.pdf.RectFromUpperLeftWithStyle(x, y, w, h, "F")
}

// FillRoundedRect fills a rectangle with corners of radius r with colour c.
func (d *Doc) FillRoundedRect(x, y, w, h, r float64, c RGB) {
	if w <= 0 || h <= 0 {
		return
	}
	d.FillColour(c)
	d.check(d.pdf.Rectangle(x, y, x+w, y+h, "F", min(r, w/2, h/2), cornerPoints))
}

// StrokeRect outlines a rectangle with a line of colour c and the given width.
func (d *Doc) StrokeRect(x, y, w, h float64, c RGB, width float64) {
	d.DrawColour(c)
	if w <= 0 || h <= 0 {
		return
	}
	d.LineWidth(width)
	d.pdf.RectFromUpperLeftWithStyle(x, y, w, h, "D")
}

// Dot draws a filled circle of radius r at (x, y) with an outline of colour stroke and the
// given width: a point of a chart.
func (d *Doc) Dot(x, y, r float64, fill, stroke RGB, width float64) {
	d.LineWidth(width)
	d.DrawColour(stroke)
	d.FillColour(fill)
	if r > 0 {
		// A square whose corners are rounded by half its side is a circle.
		d.check(d.pdf.Rectangle(x-r, y-r, x+r, y+r, "FD", r, cornerPoints))
	}
}

// PillWidth is the width of the pill Pill would draw for label at size.
func (d *Doc) PillWidth(label string, size float64) float64 {
	d.SetFont(Bold, size)
	return d.StringWidth(label) + 2*CellPad + 2
}

// Pill draws a small rounded badge with a bold label and returns its width.
func (d *Doc) Pill(x, y float64, label string, fill, fg RGB, size float64) float64 {
	w := d.PillWidth(label, size)
	h := size*PtToMM + 2.4
	d.FillRoundedRect(x, y, w, h, h/2, fill)
	d.TextColour(fg)
	d.Cell(x, y, w, h, label, "C")
	return w
}

// Section draws a section title with an optional one-line explanation, keeping it on the
// same page as at least minBody millimetres of what follows.
func (d *Doc) Section(title, sub string, minBody float64) {
	d.SetY(d.Y() + SectionGap)
	need := 9.0 + minBody
	if sub != "" {
		need += 5
	}
	d.Ensure(need)
	y := d.Y()
	d.FillRect(MarginX, y+0.9, 1.2, 4.6, Accent())
	d.SetFont(Bold, 12.5)
	d.TextColour(Ink())
	d.Text(MarginX+2.2, y, ContentW-2.2, title, "L")
	y += 7.2
	if sub != "" {
		d.SetFont(Regular, 8.5)
		d.TextColour(Muted())
		for _, l := range d.Split(sub, ContentW) {
			d.Text(MarginX, y, ContentW, l, "L")
			y += d.LineH()
		}
		y += 1
	}
	d.SetY(y + 1)
}

// Continued draws the small heading that tells a reader a table goes on from the previous
// page.
func (d *Doc) Continued(title string) {
	d.SetFont(Bold, 9)
	d.TextColour(Muted())
	d.Text(MarginX, d.Y(), ContentW, title, "L")
	d.SetY(d.Y() + d.LineH() + 1)
}

// Note draws a short muted paragraph across the page, such as "nothing to show".
func (d *Doc) Note(s string) {
	d.SetFont(Regular, 8.5)
	d.TextColour(Muted())
	y := d.Y() + 1.5
	for _, l := range d.Split(s, ContentW) {
		d.Text(MarginX, y, ContentW, l, "L")
		y += d.LineH()
	}
	d.SetY(y)
}
