package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/reports/pdfdoc"
)

// This file draws the seven sections of the seller feedback report (report.md) with the
// layout toolkit of package pdfdoc, which knows nothing of scorecards.

// maxNameLines caps the seller's name in the header.
const maxNameLines = 8

// The shorthands of the toolkit's geometry used on every line below.
const (
	marginX  = pdfdoc.MarginX
	contentW = pdfdoc.ContentW
	cellPad  = pdfdoc.CellPad
	regular  = pdfdoc.Regular
	bold     = pdfdoc.Bold
)

type rgb = pdfdoc.RGB

// tierColours gives the fill and text colour of a tier's badge.
func tierColours(t checklist.Tier) (fill, text rgb) {
	switch t {
	case checklist.TierTrusted:
		return rgb{R: 46, G: 125, B: 50}, pdfdoc.White()
	case checklist.TierWatch:
		return rgb{R: 242, G: 183, B: 5}, rgb{R: 51, G: 40, B: 0}
	case checklist.TierProbation:
		return rgb{R: 232, G: 113, B: 10}, pdfdoc.White()
	case checklist.TierSuspend:
		return rgb{R: 198, G: 40, B: 40}, pdfdoc.White()
	}
	return rgb{R: 117, G: 117, B: 117}, pdfdoc.White()
}

func severityColour(s checklist.Severity) rgb {
	switch s {
	case checklist.Critical:
		return rgb{R: 198, G: 40, B: 40}
	case checklist.Major:
		return rgb{R: 214, G: 100, B: 0}
	}
	return rgb{R: 96, G: 108, B: 122}
}

// report is the state of one rendering: a document and the model it shows. It is never
// shared between goroutines.
type report struct {
	*pdfdoc.Doc
	m      Model
	gen    time.Time
	period string
}

func (r *Renderer) newReport(m Model, generated time.Time) *report {
	period := formatPeriod(m.Period)
	d := &report{m: m, gen: generated, period: period}
	d.Doc = r.kit.New(pdfdoc.Info{
		Title:    "Seller feedback report – " + cmpOr(m.SellerName, m.SellerID) + " – " + period,
		Subject:  "Quality scorecard " + m.ScorecardID + ", charter " + m.CharterVersion,
		Author:   Programme,
		Creator:  "refurbqa",
		Producer: "refurbqa reports (gopdf)",
		Date:     generated,
	})
	name := cmpOr(m.SellerName, m.SellerID)
	d.SetFooter(func() { d.PageFooter(name, period) })
	return d
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

func (d *report) header() {
	y := pdfdoc.MarginTop
	d.SetFont(bold, 9)
	d.TextColour(pdfdoc.Accent())
	d.Text(marginX, y, contentW/2, d.m.Programme, "L")
	d.SetFont(regular, 9)
	d.TextColour(pdfdoc.Muted())
	d.Text(marginX+contentW/2, y, contentW/2, "Seller feedback report", "R")
	y += 5.5
	d.HLine(marginX, marginX+contentW, y, pdfdoc.Accent(), 0.6)
	y += 4

	name := cmpOr(d.m.SellerName, d.m.SellerID)
	d.SetFont(bold, 20)
	d.TextColour(pdfdoc.Ink())
	for _, l := range pdfdoc.CapLines(d.Split(name, contentW), maxNameLines) {
		d.Text(marginX, y, contentW, l, "L")
		y += d.LineH()
	}
	y += 2.5

	type item struct {
		label, value string
		face         pdfdoc.Face
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
			d.SetFont(bold, 7)
			d.TextColour(pdfdoc.Muted())
			d.Text(x, y, colW, strings.ToUpper(it.label), "L")
			yy := y + d.LineH()
			size := 10.0
			if it.label == "Seller ID" || it.label == "Scorecard ID" {
				size = 9 // a 36-character UUID fits the column on one line
			}
			d.SetFont(it.face, size)
			colour := pdfdoc.Ink()
			if it.label == "Scorecard status" && d.m.Status != audit.Approved {
				colour = pdfdoc.Orange()
			}
			d.TextColour(colour)
			lh := 10 * pdfdoc.PtToMM * pdfdoc.LineSpacing // same baseline grid for every face
			for _, l := range d.Split(cmpOr(it.value, dash), colW) {
				d.Cell(x, yy, colW, lh, l, "L")
				yy += lh
			}
			rowH = max(rowH, yy-y)
			x += colW
		}
		y += rowH + 2
	}

	if d.m.Status != audit.Approved {
		y += 1
		d.FillRect(marginX, y, contentW, 7, pdfdoc.OrangeTint())
		d.FillRect(marginX, y, 0.9, 7, pdfdoc.Orange())
		d.SetFont(bold, 8.5)
		d.TextColour(rgb{R: 122, G: 62, B: 0})
		banner := "Draft — not yet approved by the quality team. Not for distribution to the seller."
		if d.m.Status == audit.Superseded {
			// A manager may read the report of a draft that a re-audit replaced; it says so.
			banner = "Superseded by " + d.m.SupersededBy + " — never approved. Not for distribution to the seller."
		}
		d.Cell(marginX+1, y, contentW-1, 7, banner, "L")
		y += 7
	}
	d.SetY(y)
}

func (d *report) summary() {
	s := d.m.Summary
	d.Section("Summary", "", 40)
	y := d.Y()

	// Score panel.
	const pw, ph = 56.0, 38.0
	d.FillRoundedRect(marginX, y, pw, ph, 2, pdfdoc.Panel())
	d.SetFont(bold, 7)
	d.TextColour(pdfdoc.Muted())
	d.Text(marginX+2, y+2.5, pw-4, "SCORE", "L")
	score := formatScore(s.Score)
	d.SetFont(bold, 28)
	d.TextColour(pdfdoc.Ink())
	sw := d.StringWidth(score)
	d.Cell(marginX+2, y+8, sw+2*cellPad, 12, score, "L")
	if s.Score != nil {
		d.SetFont(regular, 10)
		d.TextColour(pdfdoc.Muted())
		d.Cell(marginX+2+sw+2*cellPad-1, y+10.5, 20, 8, "/ 100", "L")
	}
	d.SetFont(bold, 7)
	d.TextColour(pdfdoc.Muted())
	d.Text(marginX+2, y+23, pw-4, "TIER", "L")
	fill, fg := tierColours(s.Tier)
	d.Pill(marginX+3.6, y+27.5, tierLabel(s.Tier), fill, fg, 10)

	// Counts.
	x0 := marginX + pw + 4
	bw := (contentW - pw - 4 - 3*3) / 4
	counts := []struct {
		label  string
		n      int
		colour rgb
	}{
		{"Passed", s.Passed, pdfdoc.Green()},
		{"Failed", s.Failed, pdfdoc.Red()},
		{"Insufficient data", s.Insufficient, pdfdoc.Muted()},
		{"Failed critical", s.FailedCritical, pdfdoc.Red()},
	}
	for i, c := range counts {
		x := x0 + float64(i)*(bw+3)
		d.FillRoundedRect(x, y, bw, 21, 2, pdfdoc.Panel())
		colour := c.colour
		if c.n == 0 && colour == pdfdoc.Red() {
			colour = pdfdoc.Ink()
		}
		d.SetFont(bold, 18)
		d.TextColour(colour)
		d.Cell(x, y+2.5, bw, 9, strconv.Itoa(c.n), "L")
		d.SetFont(regular, 8)
		d.TextColour(pdfdoc.Muted())
		d.Text(x, y+13, bw, c.label, "L")
	}

	// Change since the previous scorecard.
	cy := y + 24
	cw := contentW - pw - 4
	d.FillRoundedRect(x0, cy, cw, 14, 2, pdfdoc.Panel())
	d.SetFont(bold, 7)
	d.TextColour(pdfdoc.Muted())
	d.Text(x0, cy+2, cw, "CHANGE SINCE PREVIOUS SCORECARD", "L")
	var change, detail string
	colour := pdfdoc.Ink()
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
			colour = pdfdoc.Green()
		case *s.Change < 0:
			colour = pdfdoc.Red()
		}
	}
	d.SetFont(bold, 11)
	d.TextColour(colour)
	lh := d.LineH()
	d.Text(x0, cy+6.5, cw, change, "L")
	chw := d.StringWidth(change) + cellPad // the detail follows on the same baseline
	d.SetFont(regular, 8.5)
	d.TextColour(pdfdoc.Muted())
	d.Cell(x0+chw, cy+6.5, cw-chw, lh, d.Fit(detail, cw-chw-2*cellPad), "L")

	// What to do next, in one or two sentences.
	y += ph + 3
	d.SetFont(regular, 9)
	d.TextColour(pdfdoc.Ink())
	for _, l := range d.Split(d.nextSteps(), contentW) {
		d.Text(marginX, y, contentW, l, "L")
		y += d.LineH()
	}
	d.SetY(y)
}

// nextSteps says in plain words what the seller should do after reading the summary.
func (d *report) nextSteps() string {
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
	return strings.Join(parts, " ")
}

func (d *report) trend() {
	pts := d.m.Trend
	sub := "Score of the last " + strconv.Itoa(len(pts)) + " scorecards, oldest first; the shaded bands are the tiers."
	if len(pts) == 1 {
		sub = "The first scorecard with a score: the trend builds up with each audit. The shaded bands are the tiers."
	}
	d.Section("Score trend", sub, 46)
	y := d.Y()
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
		{90, 100, rgb{R: 231, G: 244, B: 234}, "trusted"},
		{70, 90, rgb{R: 253, G: 246, B: 222}, "watch"},
		{50, 70, rgb{R: 253, G: 236, B: 222}, "probation"},
		{0, 50, rgb{R: 251, G: 231, B: 231}, "suspend"},
	}
	for _, b := range bands {
		top, bottom := yOf(b.hi), yOf(max(b.lo, lo))
		d.FillRect(px0, top, px1-px0, bottom-top, b.fill)
		d.SetFont(regular, 6.5)
		d.TextColour(pdfdoc.Faint())
		d.Cell(px0, top+0.3, 30, 3.2, b.label, "L")
	}
	d.SetFont(regular, 7)
	d.TextColour(pdfdoc.Muted())
	for _, v := range []float64{lo, 50, 70, 90, 100} {
		d.HLine(px0, px1, yOf(v), pdfdoc.White(), 0.3)
		d.Cell(marginX, yOf(v)-2, axisW-0.5, 4, strconv.Itoa(int(v)), "R")
	}
	d.HLine(px0, px1, py1, pdfdoc.Faint(), 0.3)

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
	d.DrawColour(pdfdoc.Accent())
	d.LineWidth(0.6)
	for i := 1; i < n; i++ {
		if pts[i-1].Score != nil && pts[i].Score != nil {
			d.Line(xs[i-1], yOf(*pts[i-1].Score), xs[i], yOf(*pts[i].Score))
		}
	}
	for i, p := range pts {
		x := xs[i]
		if p.Score != nil {
			yy := yOf(*p.Score)
			if p.Current {
				fill, _ := tierColours(d.m.Summary.Tier)
				d.Dot(x, yy, 1.9, fill, pdfdoc.White(), 0.5)
			} else {
				d.Dot(x, yy, 1.3, pdfdoc.Accent(), pdfdoc.White(), 0.5)
			}
			d.SetFont(bold, 7.5)
			d.TextColour(pdfdoc.Ink())
			ly := yy - 6.2
			if ly < py0-1 {
				ly = yy + 2.2 // no room above the dot: write the value under it
			}
			d.Cell(x-12, ly, 24, 4, formatScore(p.Score), "C")
		} else {
			d.SetFont(regular, 7)
			d.TextColour(pdfdoc.Muted())
			d.Cell(x-12, py1-6, 24, 4, "no score", "C")
		}
		f := regular
		colour := pdfdoc.Muted()
		if p.Current {
			f, colour = bold, pdfdoc.Ink()
		}
		d.SetFont(f, 7)
		d.TextColour(colour)
		d.Cell(x-15, py1+1, 30, 3.5, periodLabel(p.Period), "C")
		if p.Current {
			d.SetFont(regular, 6.5)
			d.TextColour(pdfdoc.Muted())
			d.Cell(x-15, py1+4.4, 30, 3.5, "this scorecard", "C")
		}
	}
	d.SetY(py1 + labelH)
}

func pointColumns() []pdfdoc.Column {
	return []pdfdoc.Column{
		{Title: "Code", W: 14, Align: "L"},
		{Title: "Title", W: 61, Align: "L"},
		{Title: "Severity", W: 18, Align: "L"},
		{Title: "Status", W: 25, Align: "L"},
		{Title: "Value", W: 20, Align: "R"},
		{Title: "Target", W: 24, Align: "R"},
		{Title: "Samples", W: 18, Align: "R"},
	}
}

func (d *report) pointsTable() {
	sub := fmt.Sprintf("%s of charter %s; failed points are highlighted. Value and target are in the unit of each point’s metric.",
		plural(len(d.m.Points), "point", "points"), cmpOr(d.m.CharterVersion, dash))
	d.Section("All charter points", sub, 20)
	t := &pdfdoc.Table{Cols: pointColumns(), Size: 8.5}
	t.OnBreak = func() { d.Continued("All charter points (continued)") }
	d.TableHeader(t)
	if len(d.m.Points) == 0 {
		d.Note("The scorecard holds no points.")
		return
	}
	for _, p := range d.m.Points {
		status := pdfdoc.Cell{Text: statusLabel(p.Status), Colour: pdfdoc.Muted()}
		var fill, marker rgb
		switch p.Status {
		case checklist.PointFail:
			status = pdfdoc.Cell{Text: "Fail", Face: bold, Colour: pdfdoc.Red()}
			fill, marker = pdfdoc.RedTint(), pdfdoc.Red()
		case checklist.PointPass:
			status.Colour = pdfdoc.Green()
		}
		d.Row(t, []pdfdoc.Cell{
			{Text: p.Code, Face: bold},
			{Text: p.Title},
			{Text: string(p.Severity)},
			status,
			{Text: formatValue(p)},
			{Text: formatTarget(p)},
			{Text: strconv.Itoa(p.Samples)},
		}, fill, marker)
	}
}

func evidenceColumns() []pdfdoc.Column {
	return []pdfdoc.Column{
		{Title: "#", W: 9, Align: "R"},
		{Title: "Kind", W: 15, Align: "L"},
		{Title: "Device / order", W: 55, Align: "L"},
		{Title: "IMEI / serial", W: 33, Align: "L"},
		{Title: "Tested / ordered", W: 21, Align: "L"},
		{Title: "Delivered", W: 20, Align: "L"},
		{Title: "Grade", W: 27, Align: "L"},
	}
}

func (d *report) failedPoints() {
	if len(d.m.Failed) == 0 {
		d.Section("Failed points in detail", "", 8)
		d.Note("No charter point failed in this period.")
		return
	}
	d.Section("Failed points in detail",
		"For each failed point: what the charter expects, what was measured, and the records behind the failure. "+
			"IMEIs and serials show only their last 4 characters.", 45)
	for i, fp := range d.m.Failed {
		if i > 0 {
			d.SetY(d.Y() + 6)
		}
		d.failedPoint(fp)
	}
}

func (d *report) failedPoint(fp FailedPoint) {
	p := fp.Point
	// Keep the heading, the expectation block, the table header and a first row together.
	d.Ensure(48)
	y := d.Y()

	// Heading: code and title, severity badge on the right.
	sev := string(p.Severity)
	pw := d.PillWidth(sev, 7.5)
	d.SetFont(bold, 11)
	d.TextColour(pdfdoc.Red())
	codeW := d.StringWidth(p.Code) + 2*cellPad
	d.Text(marginX, y, codeW, p.Code, "L")
	d.TextColour(pdfdoc.Ink())
	tw := contentW - codeW - pw - 2
	lines := d.Split(p.Title, tw)
	for j, l := range lines {
		d.Text(marginX+codeW, y+float64(j)*d.LineH(), tw, l, "L")
	}
	hh := float64(len(lines)) * d.LineH()
	d.Pill(marginX+contentW-pw, y+0.4, sev, severityColour(p.Severity), pdfdoc.White(), 7.5)
	y += hh + 1
	d.HLine(marginX, marginX+contentW, y, pdfdoc.Rule(), 0.3)
	y += 1.5

	// What the charter expects and what was measured.
	const labelW = 32.0
	valueW := contentW - labelW
	rows := []struct {
		label string
		value string
		face  pdfdoc.Face
		extra string
		col   rgb
	}{
		{"Charter expects", p.Expectation(), bold, targetWords(p), pdfdoc.Ink()},
		{"Measured", formatValue(p), bold, "over " + plural(p.Samples, "sample", "samples"), pdfdoc.Red()},
		{"Evidence", plural(len(fp.Evidence), "record", "records"), regular, "", pdfdoc.Ink()},
	}
	for _, r := range rows {
		d.SetFont(bold, 7.5)
		d.TextColour(pdfdoc.Muted())
		d.Cell(marginX, y, labelW, 5, strings.ToUpper(r.label), "L")
		// The value wraps rather than being cut: a compound rule can be long.
		d.SetFont(r.face, 9)
		d.TextColour(r.col)
		lines := d.Split(cmpOr(r.value, dash), valueW)
		for j, l := range lines {
			if j > 0 {
				y += 5
			}
			d.Cell(marginX+labelW, y, valueW, 5, l, "L")
		}
		if r.extra != "" {
			lw := d.StringWidth(lines[len(lines)-1]) + 2*cellPad
			extra := "(" + r.extra + ")"
			d.SetFont(regular, 8.5)
			d.TextColour(pdfdoc.Muted())
			if lw+d.StringWidth(extra)+2*cellPad > valueW {
				lw, y = 0, y+5
			}
			d.Cell(marginX+labelW+lw, y, valueW-lw, 5, extra, "L")
		}
		y += 5
	}
	d.SetY(y + 1.5)

	if len(fp.Evidence) == 0 {
		d.Note("No individual records are attached to this point: it is measured from aggregated figures.")
		return
	}
	t := &pdfdoc.Table{Cols: evidenceColumns(), Size: 8}
	head := p.Code + " " + p.Title + " — evidence (continued)"
	t.OnBreak = func() { d.Continued(head) }
	d.TableHeader(t)
	for i, e := range fp.Evidence {
		d.Row(t, evidenceCells(i+1, e), rgb{}, rgb{})
	}
}

// evidenceCells lays one evidence record out in the evidence table's columns.
func evidenceCells(n int, e EvidenceRow) []pdfdoc.Cell {
	muted := pdfdoc.Muted()
	num := pdfdoc.Cell{Text: strconv.Itoa(n), Colour: muted}
	if !e.Found {
		return []pdfdoc.Cell{num,
			{Text: "Record", Colour: muted},
			{Text: e.ID, Sub: "no details found for this record"},
			{Text: dash, Colour: muted},
			{Text: dash, Colour: muted},
			{Text: dash, Colour: muted},
			{Text: dash, Colour: muted},
		}
	}
	identity := pdfdoc.Cell{Text: maskIdentity(e.Identity)}
	grade := pdfdoc.Cell{Text: cmpOr(e.Grade, dash)}
	switch e.Kind {
	case EvidenceOrder:
		delivered := "not delivered"
		if e.DeliveredAt != nil {
			delivered = formatDate(*e.DeliveredAt)
		}
		return []pdfdoc.Cell{num,
			{Text: "Order"},
			{Text: cmpOr(e.OrderRef, e.ID), Face: bold, Sub: joinNonEmpty(" · ", e.Model, e.Note)},
			identity,
			{Text: formatDate(e.Date)},
			{Text: delivered},
			grade,
		}
	default:
		kind := "Device"
		if e.Kind != "" && e.Kind != EvidenceDevice {
			kind = capitalize(e.Kind)
		}
		return []pdfdoc.Cell{num,
			{Text: kind},
			{Text: cmpOr(e.Model, "unknown model"), Sub: e.Note},
			identity,
			{Text: formatDate(e.Date)},
			{Text: dash, Colour: muted},
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

func (d *report) accuracy() {
	a := d.m.Accuracy
	empty := a.Orders == 0 && a.UnknownListed == 0 && a.Incomplete == 0
	minBody := 58.0 // the whole matrix: it is never split
	if empty {
		minBody = 8
	}
	d.Section("Grade accuracy",
		"Mystery orders of the period: the grade the device was listed with (rows) against the grade observed on arrival (columns).", minBody)
	if empty {
		d.Note("No mystery orders were inspected in this period.")
		return
	}
	const firstW, colW, totalW, rowH = 34.0, 22.0, 20.0, 7.0
	y := d.Y()
	// Header.
	d.FillRect(marginX, y, firstW+5*colW+totalW, rowH+1, pdfdoc.HeadFill())
	d.SetFont(bold, 7.5)
	d.TextColour(pdfdoc.Muted())
	d.Cell(marginX, y, firstW, rowH+1, "Listed \\ observed", "L")
	for o := 0; o < observedColumns; o++ {
		d.Cell(marginX+firstW+float64(o)*colW, y, colW, rowH+1, observedLabel(o), "C")
	}
	d.Cell(marginX+firstW+5*colW, y, totalW, rowH+1, "Total", "C")
	y += rowH + 1

	var colTotals [observedColumns]int
	for l, g := range ListedGrades() {
		d.SetFont(bold, 8.5)
		d.TextColour(pdfdoc.Ink())
		d.Cell(marginX, y, firstW, rowH, string(g), "L")
		rowTotal := 0
		for o := 0; o < observedColumns; o++ {
			n := a.Counts[l][o]
			rowTotal += n
			colTotals[o] += n
			x := marginX + firstW + float64(o)*colW
			var fill, fg rgb
			switch {
			case n == 0:
				fg = pdfdoc.Faint()
			case o == l:
				fill, fg = pdfdoc.GreenTint(), pdfdoc.Green()
			case o > l:
				fill, fg = pdfdoc.RedTint(), pdfdoc.Red()
			default:
				fill, fg = pdfdoc.BlueTint(), pdfdoc.Accent()
			}
			if fill != (rgb{}) {
				d.FillRect(x+0.6, y+0.6, colW-1.2, rowH-1.2, fill)
			}
			if o == l && n == 0 {
				d.StrokeRect(x+0.6, y+0.6, colW-1.2, rowH-1.2, pdfdoc.GreenTint(), 0.4)
			}
			f := regular
			if n > 0 {
				f = bold
			}
			d.SetFont(f, 9)
			d.TextColour(fg)
			d.Cell(x, y, colW, rowH, strconv.Itoa(n), "C")
		}
		d.SetFont(bold, 9)
		d.TextColour(pdfdoc.Ink())
		d.Cell(marginX+firstW+5*colW, y, totalW, rowH, strconv.Itoa(rowTotal), "C")
		y += rowH
		d.HLine(marginX, marginX+firstW+5*colW+totalW, y, pdfdoc.Rule(), 0.2)
	}
	d.SetFont(bold, 8.5)
	d.TextColour(pdfdoc.Ink())
	d.Cell(marginX, y, firstW, rowH, "Total", "L")
	for o := 0; o < observedColumns; o++ {
		d.Cell(marginX+firstW+float64(o)*colW, y, colW, rowH, strconv.Itoa(colTotals[o]), "C")
	}
	d.Cell(marginX+firstW+5*colW, y, totalW, rowH, strconv.Itoa(a.Orders), "C")
	y += rowH + 2

	// Legend and totals in words.
	x := marginX
	for _, l := range []struct {
		fill  rgb
		label string
	}{
		{pdfdoc.GreenTint(), "as listed"},
		{pdfdoc.RedTint(), "overgraded (arrived worse than listed)"},
		{pdfdoc.BlueTint(), "undergraded (arrived better than listed)"},
	} {
		d.FillRect(x+cellPad, y+1, 3, 3, l.fill)
		d.SetFont(regular, 7.5)
		d.TextColour(pdfdoc.Muted())
		w := d.StringWidth(l.label) + 2*cellPad
		d.Cell(x+4, y, w, 5, l.label, "L")
		x += 4 + w + 4
	}
	d.SetY(y + 5)
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
	d.Note(words)
}

func (d *report) actions() {
	d.Section("Corrective actions",
		"Each open action needs a plan (root cause and actions) before its due date; the quality team closes it once verified.", 20)
	if len(d.m.Actions) == 0 {
		d.Note("No corrective action is open.")
		return
	}
	t := &pdfdoc.Table{Cols: []pdfdoc.Column{
		{Title: "Point", W: 14, Align: "L"},
		{Title: "Title", W: 64, Align: "L"},
		{Title: "Severity", W: 20, Align: "L"},
		{Title: "Status", W: 28, Align: "L"},
		{Title: "Due", W: 24, Align: "L"},
		{Title: "Note", W: 30, Align: "L"},
	}, Size: 8.5}
	t.OnBreak = func() { d.Continued("Corrective actions (continued)") }
	d.TableHeader(t)
	for _, a := range d.m.Actions {
		var notes []string
		noteColour := pdfdoc.Accent()
		if a.New {
			notes = append(notes, "new")
		}
		if a.Overdue(d.gen) {
			notes = append(notes, "overdue")
			noteColour = pdfdoc.Red()
		}
		d.Row(t, []pdfdoc.Cell{
			{Text: a.PointCode, Face: bold},
			{Text: cmpOr(a.PointTitle, dash)},
			{Text: string(a.Severity), Colour: severityColour(a.Severity)},
			{Text: actionStatusLabel(a.Status)},
			{Text: formatDate(a.DueAt), Face: bold},
			{Text: capitalize(strings.Join(notes, ", ")), Face: bold, Colour: noteColour},
		}, rgb{}, rgb{})
	}
}
