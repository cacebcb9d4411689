package console

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
)

// The score trend of a seller, drawn by the server as an inline SVG (console.md: no chart
// library in the browser): a line through the scores of its approved scorecards in time order,
// the tier thresholds as dashed lines, and the same numbers in a table beside it for people
// who do not see the chart.

// Chart geometry, in SVG user units; the SVG scales to its box (CSS).
const (
	chartWidth  = 640
	chartHeight = 240
	chartLeft   = 44 // room for the score labels
	chartRight  = 36 // room for half the last period label
	chartTop    = 12
	chartBottom = 36 // room for the period labels
	// chartLabels is the most period labels drawn under the axis; the others are in the
	// table.
	chartLabels = 8
)

// trendChart is the trend of a seller's approved scorecards, ready for templates/partials.
type trendChart struct {
	ID     string // prefix of the element ids of this chart
	Title  string
	Desc   string
	Width  int
	Height int
	// Lines are the polylines through consecutive scored scorecards ("x,y x,y …").
	Lines []string
	// Points are the scored scorecards, in time order.
	Points []chartPoint
	// Grid are the horizontal lines: 0 and 100, and the tier thresholds 50, 70 and 90.
	Grid []chartGrid
	// Labels are the period labels under the axis.
	Labels []chartLabel
	// Rows are every scorecard of the trend, scored or not, in time order: the table.
	Rows []trendRow
	// Left, Right, Bottom are the plot area's edges, for the axes.
	Left, Right, Bottom float64
}

type chartPoint struct {
	X, Y  float64
	Label string // e.g. "2026-09: 72.5, watch"
}

type chartGrid struct {
	Y         float64
	Label     string
	Threshold bool // a tier threshold, drawn dashed
}

type chartLabel struct {
	X    float64
	Text string
}

// trendRow is one scorecard of the trend, as its table shows it.
type trendRow struct {
	ID     string
	Period string
	Score  *float64
	Tier   checklist.Tier
}

// newTrendChart draws the scores of cards (approved scorecards, in any order) in time order;
// nil when there is none. id prefixes the element ids, so that a page may hold several.
func newTrendChart(id, sellerName string, cards []audit.ScorecardSummary) *trendChart {
	if len(cards) == 0 {
		return nil
	}
	cards = slices.Clone(cards)
	slices.SortFunc(cards, func(a, b audit.ScorecardSummary) int {
		return audit.CompareScorecards(audit.Scorecard{ID: a.ID, Period: a.Period}, audit.Scorecard{ID: b.ID, Period: b.Period})
	})
	c := &trendChart{ID: id, Width: chartWidth, Height: chartHeight,
		Left: chartLeft, Right: chartWidth - chartRight, Bottom: chartHeight - chartBottom,
		Title: "Score trend of " + sellerName}
	plotW := float64(chartWidth - chartLeft - chartRight)
	x := func(i int) float64 {
		if len(cards) == 1 {
			return chartLeft + plotW/2
		}
		return chartLeft + plotW*float64(i)/float64(len(cards)-1)
	}
	y := func(score float64) float64 {
		return chartTop + float64(chartHeight-chartTop-chartBottom)*(100-score)/100
	}
	for _, g := range []struct {
		v         float64
		threshold bool
	}{{0, false}, {50, true}, {70, true}, {90, true}, {100, false}} {
		c.Grid = append(c.Grid, chartGrid{Y: y(g.v), Label: strconv.Itoa(int(g.v)), Threshold: g.threshold})
	}
	step := (len(cards) + chartLabels - 1) / chartLabels
	var line []string
	var scored []float64
	for i, sc := range cards {
		label := periodLabel(sc.Period)
		c.Rows = append(c.Rows, trendRow{ID: sc.ID, Period: label, Score: sc.Score, Tier: sc.Tier})
		if i%step == 0 || (i == len(cards)-1 && i%step > step/2) {
			c.Labels = append(c.Labels, chartLabel{X: x(i), Text: shortPeriod(sc.Period)})
		}
		if sc.Score == nil {
			// A scorecard without a score breaks the line: nothing to draw.
			if len(line) > 1 {
				c.Lines = append(c.Lines, strings.Join(line, " "))
			}
			line = nil
			continue
		}
		p := chartPoint{X: x(i), Y: y(*sc.Score), Label: fmt.Sprintf("%s: %s, %s", label, formatScore(sc.Score), tierName(sc.Tier))}
		c.Points = append(c.Points, p)
		line = append(line, fmt.Sprintf("%.1f,%.1f", p.X, p.Y))
		scored = append(scored, *sc.Score)
	}
	if len(line) > 1 {
		c.Lines = append(c.Lines, strings.Join(line, " "))
	}
	c.Desc = trendWords(cards, scored)
	return c
}

// trendWords says in a sentence what the chart shows.
func trendWords(cards []audit.ScorecardSummary, scored []float64) string {
	first, last := cards[0], cards[len(cards)-1]
	n := len(cards)
	s := fmt.Sprintf("%d approved %s from %s to %s.", n, plural(n, "scorecard", "scorecards"),
		periodLabel(first.Period), periodLabel(last.Period))
	if len(scored) == 0 {
		return s + " None has a score."
	}
	s += fmt.Sprintf(" Latest: %s (%s); lowest %s, highest %s.", formatScore(last.Score), tierName(last.Tier),
		formatScore(ptr(slices.Min(scored))), formatScore(ptr(slices.Max(scored))))
	if k := n - len(scored); k > 0 {
		s += fmt.Sprintf(" %d without a score.", k)
	}
	return s
}

func ptr[T any](v T) *T { return &v }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// isMonth reports whether p is one calendar month.
func isMonth(p audit.Period) bool {
	return p.Start.Day() == 1 && p.Start.AddDate(0, 1, 0).Equal(p.End)
}

// periodLabel is a period in words: "2026-09" for a calendar month, "2026-07-01 to
// 2026-09-30" otherwise (the end is exclusive: the label shows the last day).
func periodLabel(p audit.Period) string {
	if isMonth(p) {
		return p.Start.UTC().Format("2006-01")
	}
	return p.Start.UTC().Format(time.DateOnly) + " to " + p.End.UTC().AddDate(0, 0, -1).Format(time.DateOnly)
}

// shortPeriod is the label of a period under the chart's axis: its month, or its last day.
func shortPeriod(p audit.Period) string {
	if isMonth(p) {
		return p.Start.UTC().Format("2006-01")
	}
	return p.End.UTC().AddDate(0, 0, -1).Format(time.DateOnly)
}

// formatScore is a score to one decimal, or "not scored".
func formatScore(s *float64) string {
	if s == nil {
		return "not scored"
	}
	return strconv.FormatFloat(*s, 'f', 1, 64)
}

// tierName is a tier in words ("insufficient data"); TierNone and "" are "not rated yet".
func tierName(t checklist.Tier) string {
	if t == "" || t == audit.TierNone {
		return "not rated yet"
	}
	return strings.ReplaceAll(string(t), "_", " ")
}
