package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/reports/pdfdoc"
)

// This file lays the device grade certificate out on one A4 page with the toolkit of package
// pdfdoc: the device, its grade and what it means, and the verification code with its QR
// code at the top, where a buyer looks first; then the condition (cosmetic, battery, parts),
// the compliance checks, the functional tests, and who tested it when, under which rules.

// Caps that keep the certificate on one page whatever the record holds (a brand or a model
// may be 64 characters long; the tests of a protocol are about thirty).
const (
	certTitleLines   = 2
	certMeaningLines = 5
	certZoneLines    = 3
	certTestLines    = 4
	certLabLines     = 2
	certQRSize       = 40.0 // mm: at 2.4 mm a module of a 41-module code, the quiet zone included
)

// certificate is one certificate being drawn.
type certificate struct {
	*pdfdoc.Doc
	c Certificate
}

// WriteCertificate writes the one-page PDF grade certificate of c to w. c.Issued is printed as
// the certificate's date and stamped as the document's creation date, so the same Certificate
// always gives byte-identical output; it must not be zero, nor may c.VerifyURL be empty (the
// QR code encodes it).
func (r *Renderer) WriteCertificate(w io.Writer, c Certificate) (err error) {
	if c.Issued.IsZero() {
		return fmt.Errorf("reports: certificate %s: the issue date is required: %w", c.RecordID, audit.ErrInvalid)
	}
	if strings.TrimSpace(c.VerifyURL) == "" || strings.TrimSpace(c.Code) == "" {
		return fmt.Errorf("reports: certificate %s: the verification code and address are required: %w", c.RecordID, audit.ErrInvalid)
	}
	defer func() {
		// A bug in the PDF code must not take down the server that answers the request.
		if p := recover(); p != nil {
			err = fmt.Errorf("reports: certificate %s: %v", c.RecordID, p)
		}
	}()
	d := &certificate{c: c, Doc: r.kit.New(pdfdoc.Info{
		Title:    "Device grade certificate – " + c.deviceName() + " – " + c.Code,
		Subject:  certificateSubject(c),
		Author:   Programme,
		Creator:  "refurbqa",
		Producer: "refurbqa reports (gopdf)",
		Date:     c.Issued.UTC(),
	})}
	d.header()
	y := d.device(pdfdoc.MarginTop + 12)
	y = d.grade(y + 6)
	y = d.condition(y + 9)
	y = d.tests(y + 8)
	d.record(y + 8)
	if err := d.Output(w); err != nil {
		return fmt.Errorf("reports: certificate %s: %w", c.RecordID, err)
	}
	return nil
}

func certificateSubject(c Certificate) string {
	kind := "Bench test"
	if c.Source == SourceMysteryOrder {
		kind = "Mystery order"
	}
	return kind + " " + c.RecordID + ", ruleset " + c.Ruleset
}

// deviceName is the brand and model, or the category when neither was recorded.
func (c Certificate) deviceName() string {
	name := strings.TrimSpace(c.Device.Brand + " " + c.Device.Model)
	return cmpOr(name, c.Device.CategoryLabel)
}

// gradeColour is the colour of the grade's name: green for a grade a device may be listed
// under, red for a device that may not be sold, orange for one that could not be graded.
func gradeColour(s grading.Status) pdfdoc.RGB {
	switch s {
	case grading.Sellable:
		return pdfdoc.Green()
	case grading.Incomplete:
		return pdfdoc.Orange()
	}
	return pdfdoc.Red()
}

func (d *certificate) header() {
	y := pdfdoc.MarginTop
	d.SetFont(bold, 9)
	d.TextColour(pdfdoc.Accent())
	d.Text(marginX, y, contentW/2, Programme, "L")
	d.SetFont(regular, 9)
	d.TextColour(pdfdoc.Muted())
	d.Text(marginX+contentW/2, y, contentW/2, "Device grade certificate", "R")
	d.HLine(marginX, marginX+contentW, y+5.5, pdfdoc.Accent(), 0.6)
}

// device draws the device's name and identity and returns the position under them.
func (d *certificate) device(y float64) float64 {
	d.SetFont(bold, 20)
	d.TextColour(pdfdoc.Ink())
	for _, l := range pdfdoc.CapLines(d.Split(d.c.deviceName(), contentW), certTitleLines) {
		d.Text(marginX, y, contentW, l, "L")
		y += d.LineH()
	}
	dev := d.c.Device
	parts := []string{dev.CategoryLabel}
	if dev.StorageLabel != "" {
		parts = append(parts, dev.StorageLabel)
	}
	if dev.Identity != "" {
		parts = append(parts, dev.IdentityKind+" "+dev.Identity)
	}
	d.SetFont(regular, 10.5)
	d.TextColour(pdfdoc.Muted())
	d.Text(marginX, y+0.5, contentW, d.Fit(strings.Join(parts, "  ·  "), contentW-2*cellPad), "L")
	return y + 0.5 + d.LineH()
}

// grade draws the marketplace grade with its meaning and the device's grades at a glance on
// the left, and the verification code with its QR code on the right, and returns the
// position under them.
func (d *certificate) grade(y float64) float64 {
	const gap = 6.0
	const blockW = 48.0 // the verification block: wide enough for a 19-character code at 11 pt
	panelW := contentW - blockW - gap
	innerW := panelW - 8
	d.SetFont(regular, 10.5)
	meaning := pdfdoc.CapLines(d.Split(d.c.GradeMeaning, innerW), certMeaningLines)
	meaningLH := d.LineH()
	contentH := 5 + 12 + 2 + float64(len(meaning))*meaningLH + 4 + 9 + 4
	qrBlockH := certQRSize + 14
	panelH := max(contentH, qrBlockH)
	d.FillRoundedRect(marginX, y, panelW, panelH, 2.5, pdfdoc.Panel())
	d.FillRect(marginX, y+2.5, 1.2, panelH-5, gradeColour(d.c.Status))
	x := marginX + 4
	yy := y + 4
	d.SetFont(bold, 7.5)
	d.TextColour(pdfdoc.Muted())
	d.Text(x, yy, innerW, "MARKETPLACE GRADE", "L")
	yy += 4
	d.SetFont(bold, 28)
	d.TextColour(gradeColour(d.c.Status))
	d.Text(x, yy, innerW, d.c.GradeLabel, "L")
	yy += 13
	d.SetFont(regular, 10.5)
	d.TextColour(pdfdoc.Ink())
	for _, l := range meaning {
		d.Text(x, yy, innerW, l, "L")
		yy += meaningLH
	}
	// The grades at a glance, at the foot of the panel.
	yy = y + panelH - 13
	d.HLine(x+cellPad, x+innerW-cellPad, yy, pdfdoc.Rule(), 0.3)
	yy += 2
	facts := []struct{ label, value string }{
		{"Cosmetic", d.c.CosmeticLabel},
		{"Functional", d.c.FunctionalLabel},
		{"Battery", formatHealth(d.c.Battery.HealthPct)},
	}
	factW := innerW / float64(len(facts))
	for i, f := range facts {
		fx := x + float64(i)*factW
		d.SetFont(bold, 7)
		d.TextColour(pdfdoc.Muted())
		d.Text(fx, yy, factW, strings.ToUpper(f.label), "L")
		d.SetFont(bold, 10)
		d.TextColour(pdfdoc.Ink())
		d.Text(fx, yy+3.4, factW, d.Fit(f.value, factW-2*cellPad), "L")
	}

	// The verification block: the QR code of the verification address, the code under it.
	bx := marginX + contentW - blockW
	if err := d.QRCode(bx+(blockW-certQRSize)/2, y-1, certQRSize, d.c.VerifyURL); err != nil {
		panic(err) // recovered by WriteCertificate: a verification address too long for a QR code
	}
	yy = y - 1 + certQRSize
	d.SetFont(bold, 7)
	d.TextColour(pdfdoc.Muted())
	d.Text(bx, yy, blockW, "VERIFICATION CODE", "C")
	size := 11.0
	for d.SetFont(bold, size); size > 7 && d.StringWidth(d.c.Code) > blockW-2*cellPad; size -= 0.5 {
		d.SetFont(bold, size-0.5)
	}
	d.TextColour(pdfdoc.Ink())
	d.Text(bx, yy+3.2, blockW, d.Fit(d.c.Code, blockW-2*cellPad), "C")
	yy += 3.2 + d.LineH()
	d.SetFont(regular, 7)
	d.TextColour(pdfdoc.Muted())
	d.Text(bx, yy, blockW, "Scan to check this certificate", "C")
	return y + panelH
}

// formatHealth prints a battery health percentage: "88.5%", "92%".
func formatHealth(v float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + "%"
}

// heading draws the title of a block at (x, y) over width w and returns the position under it.
func (d *certificate) heading(x, y, w float64, title string) float64 {
	d.FillRect(x, y+0.8, 1, 3.8, pdfdoc.Accent())
	d.SetFont(bold, 11.5)
	d.TextColour(pdfdoc.Ink())
	d.Text(x+1.4, y, w-1.4, title, "L")
	y += d.LineH() + 1
	d.HLine(x, x+w, y, pdfdoc.Rule(), 0.3)
	return y + 1.5
}

// labelled draws a label and its value wrapped beside it, and returns the position under them.
func (d *certificate) labelled(x, y, w, labelW float64, label, value string, face pdfdoc.Face, colour pdfdoc.RGB, maxLines int) float64 {
	d.SetFont(face, 9.5)
	lines := pdfdoc.CapLines(d.Split(value, w-labelW), maxLines)
	lh := d.LineH()
	d.SetFont(bold, 7.5)
	d.TextColour(pdfdoc.Muted())
	d.Cell(x, y, labelW, lh, strings.ToUpper(label), "L")
	d.SetFont(face, 9.5)
	d.TextColour(colour)
	for i, l := range lines {
		d.Text(x+labelW, y+float64(i)*lh, w-labelW, l, "L")
	}
	return y + float64(len(lines))*lh + 1.2
}

// condition draws the cosmetic condition, the battery and the parts on the left and the
// compliance checks on the right, and returns the position under the longer column.
func (d *certificate) condition(y float64) float64 {
	const gap = 8.0
	colW := (contentW - gap) / 2
	left, right := marginX, marginX+colW+gap
	const labelW = 22.0

	ly := d.heading(left, y, colW, "Condition")
	ly = d.labelled(left, ly, colW, labelW, "Cosmetic", d.c.CosmeticLabel, bold, pdfdoc.Ink(), 1)
	for _, z := range d.c.Zones {
		ly = d.labelled(left, ly, colW, labelW, z.Zone, z.Marks, regular, pdfdoc.Ink(), certZoneLines)
	}
	batteryColour := pdfdoc.Ink()
	if d.c.Battery.HealthPct < 80 {
		batteryColour = pdfdoc.Red()
	}
	ly = d.labelled(left, ly, colW, labelW, "Battery", d.c.Battery.Summary, regular, batteryColour, 2)
	parts, partsColour := "All original parts", pdfdoc.Ink()
	if len(d.c.NonGenuineParts) > 0 {
		parts = "Non-genuine: " + strings.Join(d.c.NonGenuineParts, ", ")
		if d.c.PartsDisclosed {
			parts += " (disclosed in the listing)"
		} else {
			parts += " (not disclosed in the listing)"
		}
		partsColour = pdfdoc.Orange()
	}
	ly = d.labelled(left, ly, colW, labelW, "Parts", parts, regular, partsColour, 3)

	ry := d.heading(right, y, colW, "Compliance checks passed")
	ry = d.checks(right, ry, colW, d.c.CompliancePassed, pdfdoc.Green())
	if len(d.c.CompliancePassed) == 0 {
		d.SetFont(regular, 9.5)
		d.TextColour(pdfdoc.Muted())
		d.Text(right, ry, colW, "None.", "L")
		ry += d.LineH()
	}
	if len(d.c.ComplianceFailed) > 0 {
		d.SetFont(bold, 7.5)
		d.TextColour(pdfdoc.Red())
		d.Text(right, ry+0.5, colW, "NOT PASSED", "L")
		ry = d.checks(right, ry+0.5+d.LineH(), colW, d.c.ComplianceFailed, pdfdoc.Red())
	}
	return max(ly, ry)
}

// checks draws one compliance check a line, each after a dot of colour c.
func (d *certificate) checks(x, y, w float64, checks []string, c pdfdoc.RGB) float64 {
	d.SetFont(regular, 9.5)
	lh := d.LineH()
	for _, s := range checks {
		d.Dot(x+1.6, y+lh/2, 0.9, c, c, 0.1)
		d.TextColour(pdfdoc.Ink())
		d.Text(x+3, y, w-3, d.Fit(s, w-3-2*cellPad), "L")
		y += lh
	}
	return y + 0.5
}

// tests draws the functional tests grouped by outcome and returns the position under them.
func (d *certificate) tests(y float64) float64 {
	y = d.heading(marginX, y, contentW, "Functional tests")
	const labelW = 32.0
	y = d.labelled(marginX, y, contentW, labelW, "Functional", d.c.FunctionalLabel, bold, pdfdoc.Ink(), 1)
	if len(d.c.Tests) == 0 {
		d.SetFont(regular, 9)
		d.TextColour(pdfdoc.Muted())
		d.Text(marginX, y, contentW, "No functional test recorded.", "L")
		return y + d.LineH()
	}
	for _, g := range d.c.Tests {
		colour := pdfdoc.Ink()
		switch g.Outcome {
		case grading.Fail:
			colour = pdfdoc.Red()
		case grading.NotTested:
			colour = pdfdoc.Orange()
		case grading.NotApplicable:
			colour = pdfdoc.Muted()
		}
		label := fmt.Sprintf("%s (%d)", g.Label, len(g.Tests))
		y = d.labelled(marginX, y, contentW, labelW, label, strings.Join(g.Tests, ", "), regular, colour, certTestLines)
	}
	return y
}

// record draws who tested the device, when, under which rules, and how to check the
// certificate, at the foot of the page.
func (d *certificate) record(y float64) {
	y = d.heading(marginX, y, contentW, "Inspection")
	const labelW = 27.0
	colW := contentW / 2
	kind := "Bench test"
	if d.c.Source == SourceMysteryOrder {
		kind = "Mystery order"
	}
	left := []struct{ label, value string }{
		{"Tested by", d.c.Lab},
		{"Test date", formatDate(d.c.TestedAt)},
		{"Ruleset", d.c.Ruleset},
	}
	right := []struct{ label, value string }{
		{kind, d.c.RecordID},
		{"Issued", formatDate(d.c.Issued)},
	}
	ly, ry := y, y
	for _, it := range left {
		ly = d.labelled(marginX, ly, colW-4, labelW, it.label, it.value, regular, pdfdoc.Ink(), certLabLines)
	}
	for _, it := range right {
		ry = d.labelled(marginX+colW, ry, colW, labelW, it.label, it.value, regular, pdfdoc.Ink(), certLabLines)
	}
	y = d.labelled(marginX, max(ly, ry), contentW, labelW, "Verify at", d.c.VerifyURL, regular, pdfdoc.Ink(), certLabLines)
	y += 3
	d.SetFont(regular, 7.5)
	d.TextColour(pdfdoc.Muted())
	note := "This certificate describes the device as it was inspected on the test date, graded under the ruleset named above. " +
		"Scan the QR code or open the address with the verification code to check it: the page also says whether the record has since been corrected. " +
		"The IMEI or serial number is shown by its last four characters only."
	for _, l := range pdfdoc.CapLines(d.Split(note, contentW), 4) {
		d.Text(marginX, y, contentW, l, "L")
		y += d.LineH()
	}
}
