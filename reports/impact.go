package reports

import (
	"math"
	"strconv"
	"strings"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/reports/pdfdoc"
)

// The environmental impact section of the report (transparency.md §4): what the seller's
// sales in the scorecard's period avoided against buying new, as audit.ReadImpact estimates
// it. It is kept here, apart from the seven sections of report.md, and drawn by one function.

// impactColumns are the columns of the table of categories.
func impactColumns() []pdfdoc.Column {
	return []pdfdoc.Column{
		{Title: "Category", W: 30, Align: "L"},
		{Title: "Share", W: 18, Align: "R"},
		{Title: "Est. devices", W: 24, Align: "R"},
		{Title: "CO2e (kg)", W: 27, Align: "R"},
		{Title: "E-waste (kg)", W: 25, Align: "R"},
		{Title: "Raw mat. (kg)", W: 29, Align: "R"},
		{Title: "Water (L)", W: 27, Align: "R"},
	}
}

// notEstimatedText is what a figure without a factor reads.
const notEstimatedText = "not estimated"

// FormatQuantity prints v with the given decimals and thousands separated by commas
// ("11,596.5"), as the report prints impact figures; the console prints them alike.
func FormatQuantity(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return dash
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	if v < 0 && strings.Trim(b.String(), "0.,") != "" {
		return minus + b.String()
	}
	return b.String()
}

// formatDevices prints an estimated number of devices: whole when it is, else with one
// decimal (the estimate is not rounded, the print is).
func formatDevices(v float64) string {
	if v == math.Trunc(v) {
		return FormatQuantity(v, 0)
	}
	return FormatQuantity(v, 1)
}

// impactCells are the four figures of an impact in the table's units, or "not estimated".
func impactCells(f *audit.ImpactFigures) []pdfdoc.Cell {
	if f == nil {
		c := pdfdoc.Cell{Text: notEstimatedText, Colour: pdfdoc.Muted()}
		return []pdfdoc.Cell{c, c, c, c}
	}
	return []pdfdoc.Cell{{Text: FormatQuantity(f.CO2eKg, 1)}, {Text: FormatQuantity(f.EwasteKg, 1)},
		{Text: FormatQuantity(f.RawMaterialsKg, 1)}, {Text: FormatQuantity(f.WaterL, 0)}}
}

// impact draws the estimate: the four totals, the table of categories and how the figures
// were made, with the source of each factor. Without an inspected unit it says that nothing
// is estimated, and why.
func (d *report) impact() {
	e := d.m.Impact
	version := cmpOr(e.Factors.Version, dash)
	d.Section("Environmental impact (estimate)",
		"What your sales in the period avoided against buying new devices, estimated from the orders of the period's KPI "+
			"months and the category mix of your inspected devices, with impact factors version "+version+".", 30)
	if len(e.Categories) == 0 {
		d.Note("No device of yours was inspected in this period: the category mix is unknown, so no impact is estimated (" +
			plural(e.Orders, "order", "orders") + " in the period).")
		return
	}

	// The totals, in four panels.
	y := d.Y()
	const gap, ph = 3.0, 17.0
	pw := (contentW - 3*gap) / 4
	totals := []struct {
		label string
		value func(audit.ImpactFigures) string
	}{
		{"CO2e avoided", func(f audit.ImpactFigures) string { return FormatQuantity(f.CO2eKg, 0) + " kg" }},
		{"E-waste avoided", func(f audit.ImpactFigures) string { return FormatQuantity(f.EwasteKg, 1) + " kg" }},
		{"Raw materials saved", func(f audit.ImpactFigures) string { return FormatQuantity(f.RawMaterialsKg, 0) + " kg" }},
		{"Water saved", func(f audit.ImpactFigures) string { return FormatQuantity(f.WaterL, 0) + " L" }},
	}
	for i, t := range totals {
		x := marginX + float64(i)*(pw+gap)
		d.FillRoundedRect(x, y, pw, ph, 2, pdfdoc.GreenTint())
		d.SetFont(bold, 7)
		d.TextColour(pdfdoc.Muted())
		d.Text(x+1, y+2, pw-2, strings.ToUpper(t.label), "L")
		value, colour, size := notEstimatedText, pdfdoc.Muted(), 11.0
		if e.Totals != nil {
			value, colour, size = t.value(*e.Totals), pdfdoc.Green(), 13
		}
		d.SetFont(bold, size)
		d.TextColour(colour)
		d.Text(x+1, y+7.5, pw-2, d.Fit(value, pw-2-2*cellPad), "L")
	}
	d.SetY(y + ph + 3)

	t := &pdfdoc.Table{Cols: impactColumns(), Size: 8.5}
	t.OnBreak = func() { d.Continued("Environmental impact (continued)") }
	d.TableHeader(t)
	for _, c := range e.Categories {
		cells := []pdfdoc.Cell{{Text: capitalize(string(c.Category)), Face: bold, Sub: plural(c.Units, "device inspected", "devices inspected")},
			{Text: formatPercent(c.Share, 1)}, {Text: formatDevices(c.Devices)}}
		d.Row(t, append(cells, impactCells(c.Impact)...), rgb{}, rgb{})
	}
	total := []pdfdoc.Cell{{Text: "Total", Face: bold}, {Text: "100%"}, {Text: formatDevices(float64(e.Orders)), Face: bold}}
	for _, c := range impactCells(e.Totals) {
		c.Face = bold
		total = append(total, c)
	}
	d.Row(t, total, pdfdoc.HeadFill(), rgb{})

	words := "Estimated devices of a category = " + plural(e.Orders, "order", "orders") + " in the period × its share of the " +
		plural(e.Units, "device", "devices") + " inspected; the impact of a category = its devices × its factors per device."
	if e.NotEstimatedDevices > 0 {
		words += " Categories marked “" + notEstimatedText + "” have no published factor yet: their " +
			formatDevices(e.NotEstimatedDevices) + " estimated devices are left out of the totals."
	}
	d.Note(words)
	for _, f := range e.Factors.Factors {
		d.Note("Factors per " + string(f.Category) + ": " + FormatQuantity(f.PerDevice.CO2eKg, 2) + " kg CO2e, " +
			FormatQuantity(f.PerDevice.EwasteKg*1000, 1) + " g e-waste, " + FormatQuantity(f.PerDevice.RawMaterialsKg, 2) +
			" kg raw materials, " + FormatQuantity(f.PerDevice.WaterL, 0) + " L water. Source: " + f.Source)
	}
}
