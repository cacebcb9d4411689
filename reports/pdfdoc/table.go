package pdfdoc

// maxCellLines caps each text of a table cell, so that a row stays well under a page.
const maxCellLines = 20

// Column is one column of a table: its header, width in millimetres and alignment ("L", "C"
// or "R").
type Column struct {
	Title string
	W     float64
	Align string
}

// Cell is the content of one cell of a row.
type Cell struct {
	Text   string
	Sub    string // a second, smaller and muted text under the first
	Face   Face
	Colour RGB
}

// Table describes a table: its columns, the font size of its rows, and what to draw before
// the repeated header row when the table continues on a new page (usually a call to
// Continued).
type Table struct {
	Cols    []Column
	Size    float64
	OnBreak func()
}

// laidOut is a cell wrapped to its column.
type laidOut struct {
	lines, sub []string
}

func (d *Doc) layout(cols []Column, size float64, cells []Cell) ([]laidOut, float64) {
	out := make([]laidOut, len(cells))
	h := 0.0
	for i, c := range cells {
		w := cols[i].W
		d.SetFont(c.Face, size)
		out[i].lines = CapLines(d.Split(c.Text, w), maxCellLines)
		ch := float64(len(out[i].lines)) * d.LineH()
		if c.Sub != "" {
			d.SetFont(Regular, size-1)
			out[i].sub = CapLines(d.Split(c.Sub, w), maxCellLines)
			ch += float64(len(out[i].sub)) * d.LineH()
		}
		h = max(h, ch)
	}
	return out, h + 2*RowPad
}

// TableHeader draws the header row of t at the current position.
func (d *Doc) TableHeader(t *Table) {
	cells := make([]Cell, len(t.Cols))
	for i, c := range t.Cols {
		cells[i] = Cell{Text: c.Title, Face: Bold}
	}
	size := t.Size - 1
	lay, h := d.layout(t.Cols, size, cells)
	y := d.Y()
	d.FillRect(MarginX, y, ContentW, h, HeadFill())
	d.SetFont(Bold, size)
	d.TextColour(Muted())
	x := MarginX
	for i, c := range t.Cols {
		for j, l := range lay[i].lines {
			d.Text(x, y+RowPad+float64(j)*d.LineH(), c.W, l, c.Align)
		}
		x += c.W
	}
	d.SetY(y + h)
}

// Row draws one row of t, starting a new page (with t.OnBreak and the header row again) when
// it does not fit: a row is never split across pages. A non-zero fill colours the row's
// background, a non-zero marker draws a thin bar of that colour at its left edge.
func (d *Doc) Row(t *Table, cells []Cell, fill, marker RGB) {
	lay, h := d.layout(t.Cols, t.Size, cells)
	if d.Ensure(h) {
		if t.OnBreak != nil {
			t.OnBreak()
		}
		d.TableHeader(t)
	}
	y := d.Y()
	if fill != (RGB{}) {
		d.FillRect(MarginX, y, ContentW, h, fill)
	}
	if marker != (RGB{}) {
		d.FillRect(MarginX, y, 0.9, h, marker)
	}
	x := MarginX
	for i, c := range cells {
		col := t.Cols[i]
		yy := y + RowPad
		d.SetFont(c.Face, t.Size)
		d.TextColour(c.Colour)
		for _, l := range lay[i].lines {
			d.Text(x, yy, col.W, l, col.Align)
			yy += d.LineH()
		}
		if len(lay[i].sub) > 0 {
			d.SetFont(Regular, t.Size-1)
			d.TextColour(Muted())
			for _, l := range lay[i].sub {
				d.Text(x, yy, col.W, l, col.Align)
				yy += d.LineH()
			}
		}
		x += col.W
	}
	d.HLine(MarginX, MarginX+ContentW, y+h, Rule(), 0.2)
	d.SetY(y + h)
}
