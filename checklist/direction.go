package checklist

import (
	"math"
	"strconv"
	"strings"
)

// Direction says which values of a point's primary metric are better, as the comparison of
// the point's rule states it: a seller's value can then be ranked against other sellers'
// (transparency.md §3, "better than what share of sellers"). It is read from the point's
// threshold, the comparison a scorecard shows beside the value (Compiled.Threshold):
//
//   - "< t" and "<= t": lower is better (late_shipment_rate < 0.04);
//   - "> t" and ">= t": higher is better (software_ok_rate >= 0.95);
//   - "== t": closer to t is better, so for the default charter's "== 0" on counts and rates,
//     which are never negative, lower is better;
//   - "!= t", and a threshold that is the whole rule (a rule of no simple shape): the rule
//     orders no two values, and there is no direction.
//
// The zero Direction has none.
type Direction struct {
	op     string // "<", ">" or "==" once normalised; "" without a direction
	target float64
}

// DirectionOf returns the direction of a threshold as PointResult.Threshold and
// Compiled.Threshold write it: an operator, one space and a number literal as the rule spells
// it (digit separators allowed). Anything else has no direction.
func DirectionOf(threshold string) Direction {
	op, lit, ok := strings.Cut(threshold, " ")
	if !ok {
		return Direction{}
	}
	t, err := strconv.ParseFloat(strings.ReplaceAll(lit, "_", ""), 64)
	if err != nil || math.IsNaN(t) || math.IsInf(t, 0) {
		return Direction{}
	}
	switch op {
	case "<", "<=":
		return Direction{op: "<", target: t}
	case ">", ">=":
		return Direction{op: ">", target: t}
	case "==":
		return Direction{op: "==", target: t}
	}
	return Direction{}
}

// Known reports whether d orders values at all.
func (d Direction) Known() bool { return d.op != "" }

// Worse reports whether value a is strictly worse than value b: higher when lower is better,
// lower when higher is better, farther from the target of an equality. Equal values, and any
// two values without a direction, are not worse than each other. A NaN is worse than any
// number, and not worse than another NaN.
func (d Direction) Worse(a, b float64) bool {
	switch {
	case !d.Known():
		return false
	case math.IsNaN(a) || math.IsNaN(b):
		return math.IsNaN(a) && !math.IsNaN(b)
	}
	switch d.op {
	case "<":
		return a > b
	case ">":
		return a < b
	}
	return math.Abs(a-d.target) > math.Abs(b-d.target)
}

// String names the direction in words, as a report or a page may print it.
func (d Direction) String() string {
	switch d.op {
	case "<":
		return "lower is better"
	case ">":
		return "higher is better"
	case "==":
		return "closer to " + strconv.FormatFloat(d.target, 'g', -1, 64) + " is better"
	}
	return "no direction"
}
