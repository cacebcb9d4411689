package reports

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
)

// This file turns model values into the words and numbers the report prints. It is kept
// apart from the layout so that the wording can be tested without a PDF.

const (
	dash      = "—"
	minus     = "\u2212" // a real minus sign: a hyphen reads as a dash in a number
	maskRune  = '•'
	maxMasked = 11 // bullets shown at most, so a 64-character serial still fits its column
)

// formatDate prints a date as YYYY-MM-DD in UTC, or a dash for the zero time.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return dash
	}
	return t.UTC().Format(time.DateOnly)
}

// formatPeriod prints a half-open period [start, end) with its inclusive last day, which is
// how a person reads a period ("2026-07-01 – 2026-09-30").
func formatPeriod(p audit.Period) string {
	switch {
	case p.Start.IsZero() && p.End.IsZero():
		return dash
	case !p.End.After(p.Start):
		return formatDate(p.Start)
	}
	return formatDate(p.Start) + " – " + formatDate(p.End.AddDate(0, 0, -1))
}

// periodLabel is the short label of a period on the trend chart: a quarter, a month or a
// year when the period is one, else its first day.
func periodLabel(p audit.Period) string {
	s, e := p.Start.UTC(), p.End.UTC()
	if s.IsZero() {
		return dash
	}
	if s.Day() == 1 && s.Hour() == 0 && s.Minute() == 0 {
		switch {
		case e.Equal(s.AddDate(1, 0, 0)) && s.Month() == time.January:
			return strconv.Itoa(s.Year())
		case e.Equal(s.AddDate(0, 3, 0)) && (s.Month()-1)%3 == 0:
			return strconv.Itoa(s.Year()) + " Q" + strconv.Itoa(int(s.Month()-1)/3+1)
		case e.Equal(s.AddDate(0, 1, 0)):
			return s.Format("2006-01")
		}
	}
	return formatDate(s)
}

// formatScore prints a score with one decimal, or a dash when there is none.
func formatScore(s *float64) string {
	if s == nil {
		return dash
	}
	return strconv.FormatFloat(*s, 'f', 1, 64)
}

// formatChange prints a change in score with its sign: "+1.5", "−3.0" or "0.0".
func formatChange(c float64) string {
	switch {
	case c > 0:
		return "+" + strconv.FormatFloat(c, 'f', 1, 64)
	case c < 0:
		return minus + strconv.FormatFloat(-c, 'f', 1, 64)
	}
	return "0.0"
}

// isRate reports whether a metric is a fraction from 0 to 1; the catalogue names every rate
// "…_rate", and the report prints rates as percentages.
func isRate(metric string) bool { return strings.HasSuffix(metric, "_rate") }

// formatNumber prints a count without decimals and any other number with at most two.
func formatNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return dash
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// formatPercent prints a rate as a percentage with the given number of decimals (-1: as
// few as needed, at most two).
func formatPercent(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return dash
	}
	p := v * 100
	if decimals < 0 {
		return strconv.FormatFloat(math.Round(p*100)/100, 'f', -1, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', decimals, 64) + "%"
}

// formatValue prints what was measured for a point, in the unit of its metric. A point that
// had no samples at all has no meaningful value.
func formatValue(p Point) string {
	if p.Status == checklist.PointInsufficientData && p.Samples == 0 {
		return dash
	}
	if isRate(p.Metric) {
		return formatPercent(p.Value, 1)
	}
	return formatNumber(p.Value)
}

// threshold is a parsed "op number" threshold.
type threshold struct {
	op    string
	value float64
}

func parseThreshold(s string) (threshold, bool) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return threshold{}, false
	}
	switch f[0] {
	case "==", "!=", "<=", ">=", "<", ">":
	default:
		return threshold{}, false
	}
	v, err := strconv.ParseFloat(f[1], 64)
	if err != nil {
		return threshold{}, false
	}
	return threshold{op: f[0], value: v}, true
}

// formatTarget prints a point's threshold for the table, e.g. "≤ 5%" for "<= 0.05" on a rate.
// A threshold that is not a plain comparison is printed as the charter states it.
func formatTarget(p Point) string {
	t, ok := parseThreshold(p.Threshold)
	if !ok {
		if strings.TrimSpace(p.Threshold) == "" {
			return dash
		}
		return p.Threshold
	}
	sym := map[string]string{"==": "=", "!=": "≠", "<=": "≤", ">=": "≥", "<": "<", ">": ">"}[t.op]
	if isRate(p.Metric) {
		return sym + " " + formatPercent(t.value, -1)
	}
	return sym + " " + formatNumber(t.value)
}

// targetWords says a rate threshold in words ("at most 5%"), because "0.05" is not how a
// seller thinks of a share; it is empty when the rule already reads plainly.
func targetWords(p Point) string {
	t, ok := parseThreshold(p.Threshold)
	if !ok || !isRate(p.Metric) {
		return ""
	}
	words := map[string]string{
		"==": "exactly", "!=": "anything but", "<=": "at most", ">=": "at least", "<": "below", ">": "above",
	}[t.op]
	return words + " " + formatPercent(t.value, -1)
}

// maskIdentity hides an IMEI or serial but its last four characters, so a seller can find
// the device in its own stock while the report leaks no full identity.
func maskIdentity(s string) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return dash
	}
	if n <= 4 {
		return s
	}
	r := []rune(s)
	hidden := min(n-4, maxMasked)
	return strings.Repeat(string(maskRune), hidden) + string(r[n-4:])
}

// tierLabel names a tier for people.
func tierLabel(t checklist.Tier) string {
	switch t {
	case checklist.TierTrusted:
		return "Trusted"
	case checklist.TierWatch:
		return "Watch"
	case checklist.TierProbation:
		return "Probation"
	case checklist.TierSuspend:
		return "Suspend"
	case checklist.TierInsufficientData:
		return "Insufficient data"
	case "":
		return "No tier"
	}
	return capitalize(strings.ReplaceAll(string(t), "_", " "))
}

// statusLabel names a point status for people.
func statusLabel(s checklist.PointStatus) string {
	switch s {
	case checklist.PointPass:
		return "Pass"
	case checklist.PointFail:
		return "Fail"
	case checklist.PointInsufficientData:
		return "Insufficient data"
	}
	return capitalize(strings.ReplaceAll(string(s), "_", " "))
}

// scorecardStatusLabel names a scorecard status for people.
func scorecardStatusLabel(s audit.ScorecardStatus) string {
	switch s {
	case audit.Approved:
		return "Approved"
	case audit.Draft:
		return "Draft"
	case audit.Superseded:
		return "Superseded"
	case "":
		return dash
	}
	return capitalize(string(s))
}

// actionStatusLabel names a corrective-action status for people.
func actionStatusLabel(s audit.ActionStatus) string {
	switch s {
	case audit.ActionOpen:
		return "Open"
	case audit.ActionPlanSubmitted:
		return "Plan submitted"
	case "":
		return "New"
	}
	return capitalize(strings.ReplaceAll(string(s), "_", " "))
}

// observedLabel names a column of the accuracy matrix.
func observedLabel(i int) string {
	if i == ObservedNotSellable {
		return "not sellable"
	}
	return string(ListedGrades()[i])
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return strings.ToUpper(string(r)) + s[n:]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
