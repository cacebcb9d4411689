package reports

import (
	"strconv"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/reports/pdfdoc"
)

// The section "Against the marketplace" (transparency.md §3): each point of an approved
// scorecard that has a marketplace benchmark, the seller's value beside the median of the
// sellers of the period and the share of them it beats. It follows the table of every point.

// formatMedian prints a benchmark's median in the unit of the point's metric, as the value
// beside it.
func formatMedian(p Point, median float64) string {
	if isRate(p.Metric) {
		return formatPercent(median, 1)
	}
	return formatNumber(median)
}

// standingWords says where the seller stands on a point with a benchmark: the share of the
// other sellers of the period whose value is worse, or why there is none.
func standingWords(p Point) string {
	b := p.Benchmark
	switch {
	case b.BetterThan != nil:
		return "Better than " + formatPercent(*b.BetterThan, 0) + " of the other sellers"
	case p.Status == checklist.PointInsufficientData:
		return "Not evaluated: not enough samples"
	}
	return "Not ranked: the rule orders no values"
}

// marketplace draws the section. A draft has no benchmark: the section says so, since the
// seller only ever receives approved scorecards and staff should know what the seller will see.
func (d *report) marketplace() {
	const title = "Against the marketplace"
	if d.m.Status != audit.Approved {
		d.Section(title, "", 8)
		d.Note("An approved scorecard shows each point beside the marketplace median of its period; this one is not approved.")
		return
	}
	var rows []Point
	for _, p := range d.m.Points {
		if p.Benchmark != nil {
			rows = append(rows, p)
		}
	}
	d.Section(title, "Each point beside the median of the sellers whose approved scorecards of this period evaluated it, "+
		"published once at least "+strconv.Itoa(audit.MinBenchmarkSellers)+" sellers contribute; the standing is the share of the "+
		"other sellers whose value is worse than yours (ties are not worse).", 20)
	if len(rows) == 0 {
		d.Note("No point has a marketplace benchmark for this period yet: fewer than " +
			strconv.Itoa(audit.MinBenchmarkSellers) + " sellers' approved scorecards evaluated each point.")
		return
	}
	t := &pdfdoc.Table{Cols: []pdfdoc.Column{
		{Title: "Code", W: 14, Align: "L"},
		{Title: "Title", W: 50, Align: "L"},
		{Title: "Your value", W: 22, Align: "R"},
		{Title: "Median", W: 20, Align: "R"},
		{Title: "Sellers", W: 16, Align: "R"},
		{Title: "Standing", W: 58, Align: "L"},
	}, Size: 8.5}
	t.OnBreak = func() { d.Continued(title + " (continued)") }
	d.TableHeader(t)
	for _, p := range rows {
		standing := pdfdoc.Cell{Text: standingWords(p), Colour: pdfdoc.Muted()}
		if p.Benchmark.BetterThan != nil {
			standing.Colour = rgb{}
		}
		d.Row(t, []pdfdoc.Cell{
			{Text: p.Code, Face: bold},
			{Text: p.Title},
			{Text: formatValue(p), Face: bold},
			{Text: formatMedian(p, p.Benchmark.Median)},
			{Text: strconv.Itoa(p.Benchmark.Sellers)},
			standing,
		}, rgb{}, rgb{})
	}
}
