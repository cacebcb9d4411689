package checklist

import (
	"math"

	"github.com/expr-lang/expr/vm"
)

// evalState is the scratch space of one Evaluate call: the rule environment and a reusable
// virtual machine. Compiled pools them, because a batch audit evaluates the same charter for
// thousands of sellers and would otherwise allocate both for every one.
type evalState struct {
	env ruleEnv
	vm  vm.VM
}

// Evaluate scores one seller's metrics against the charter (charter.md §3–4). Metrics missing
// from m.Values count as 0. For each point, in charter order: when the sample metric is below
// the point's minimum the status is insufficient_data; otherwise the rule decides pass or fail.
// A failed point carries the evidence of every metric its rule names (ids in order, each once),
// so that a seller sees exactly which records failed it; other points carry an empty list.
//
// The score is 100 × passed weight ÷ evaluated weight rounded half up to one decimal, computed
// in integers so that 2/3 gives exactly 66.7; it is nil when no point was evaluated. The tier
// thresholds compare that rounded score, the number the seller sees. Evaluate is safe for
// concurrent use and does not keep or modify m.
func (c *Compiled) Evaluate(m Metrics) Result {
	st := c.states.Get().(*evalState)
	defer c.states.Put(st)
	fillEnv(&st.env, m.Values)

	res := Result{Points: make([]PointResult, len(c.charter.Points))}
	passedWeight, failedWeight := 0, 0
	for i := range c.charter.Points {
		p := &c.charter.Points[i]
		cp := &c.points[i]
		samples := m.Values[p.SampleMetric]
		r := PointResult{
			Code:      p.Code,
			Title:     p.Title,
			Area:      p.Area,
			Severity:  p.Severity,
			Weight:    p.Weight,
			Status:    PointInsufficientData,
			Metric:    p.Metric,
			Value:     m.Values[p.Metric],
			Threshold: cp.threshold,
			Samples:   sampleCount(samples),
			Evidence:  []string{},
		}
		// Written as !(>=) so that a NaN sample count is never enough.
		if !(samples >= float64(p.MinSamples)) {
			res.Points[i] = r
			continue
		}
		res.EvaluatedPoints++
		out, err := st.vm.Run(cp.program, &st.env)
		// Compile admits only rules that cannot fail at run time; should one fail anyway, the
		// point fails (and shows its evidence) rather than pass unproven or vanish from the score.
		if pass, _ := out.(bool); pass && err == nil {
			r.Status = PointPass
			passedWeight += p.Weight
		} else {
			r.Status = PointFail
			failedWeight += p.Weight
			res.FailedPoints++
			if p.Severity == Critical {
				res.FailedCritical++
			}
			r.Evidence = unionEvidence(m.Evidence, cp.metrics)
		}
		res.Points[i] = r
	}

	score10 := -1 // the score in tenths; -1 while nothing was evaluated
	if total := passedWeight + failedWeight; res.EvaluatedPoints > 0 && total > 0 {
		score10 = roundedTenths(passedWeight, total)
		s := float64(score10) / 10
		res.Score = &s
	}
	res.Tier = tierOf(res.EvaluatedPoints, res.FailedCritical, score10)
	return res
}

// roundedTenths returns 1000 × passed ÷ total rounded half up, i.e. the percentage in tenths,
// exactly: (2000·passed + total) ÷ (2·total) in integer division.
func roundedTenths(passed, total int) int {
	return (2000*passed + total) / (2 * total)
}

// tierOf applies charter.md §4 in its stated order; score10 is the rounded score in tenths.
func tierOf(evaluated, failedCritical, score10 int) Tier {
	switch {
	case evaluated < 10:
		return TierInsufficientData
	case failedCritical >= 2 || score10 < 500:
		return TierSuspend
	case failedCritical == 1 || score10 < 700:
		return TierProbation
	case score10 < 900:
		return TierWatch
	}
	return TierTrusted
}

// sampleCount turns a sample metric into the whole number a scorecard shows. Counts are whole
// already; a fractional number metric (warranty months) is truncated, and values no int holds
// are clamped rather than left to platform-defined conversion.
func sampleCount(v float64) int {
	switch {
	case math.IsNaN(v):
		return 0
	case v >= math.MaxInt32:
		return math.MaxInt32
	case v <= math.MinInt32:
		return math.MinInt32
	}
	return int(v)
}

// unionEvidence merges the evidence of the named metrics: ids in order of the metrics and then
// of each list, every id once. The result is a new slice, never nil and never sharing memory
// with the caller's lists, as a scorecard keeps it.
func unionEvidence(evidence map[string][]string, metrics []string) []string {
	n := 0
	for _, name := range metrics {
		n += len(evidence[name])
	}
	out := make([]string, 0, n)
	if n == 0 {
		return out
	}
	seen := make(map[string]struct{}, n)
	for _, name := range metrics {
		for _, id := range evidence[name] {
			if _, dup := seen[id]; !dup {
				seen[id] = struct{}{}
				out = append(out, id)
			}
		}
	}
	return out
}
