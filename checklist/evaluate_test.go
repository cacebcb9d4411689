package checklist

import (
	"fmt"
	"maps"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// compiledDefault compiles the default charter.
func compiledDefault(t testing.TB) *Compiled {
	t.Helper()
	c, err := DefaultCharter()
	require.NoError(t, err)
	compiled, err := Compile(c)
	require.NoError(t, err)
	return compiled
}

// goodSeller has enough samples for every point of the default charter and passes them all.
func goodSeller() map[string]float64 {
	return map[string]float64{
		"units": 40, "battery_at_least_85_rate": 1, "software_ok_rate": 1,
		"mystery_orders": 6, "accessories_ok_rate": 1,
		"orders": 200, "valid_tracking_rate": 1,
		"messages": 30, "message_response_rate": 1,
		"warranty_claims": 3, "warranty_remedy_rate": 1, "warranty_months": 24,
		"capa_due": 2,
	}
}

func pointByCode(t *testing.T, r Result, code string) PointResult {
	t.Helper()
	for _, p := range r.Points {
		if p.Code == code {
			return p
		}
	}
	require.Failf(t, "no such point", "%s", code)
	return PointResult{}
}

func TestEvaluateGoodSellerIsTrusted(t *testing.T) {
	r := compiledDefault(t).Evaluate(Metrics{Values: goodSeller()})
	require.Len(t, r.Points, 25)
	for i, p := range r.Points {
		assert.Equal(t, fmt.Sprintf("QC%02d", i+1), p.Code)
		assert.Equal(t, PointPass, p.Status, p.Code)
		assert.NotNil(t, p.Evidence, p.Code)
		assert.Empty(t, p.Evidence, p.Code)
	}
	require.NotNil(t, r.Score)
	assert.Equal(t, 100.0, *r.Score)
	assert.Equal(t, TierTrusted, r.Tier)
	assert.Equal(t, 25, r.EvaluatedPoints)
	assert.Zero(t, r.FailedPoints)
	assert.Zero(t, r.FailedCritical)
}

func TestEvaluateEveryPointAtItsThreshold(t *testing.T) {
	tests := []struct {
		code   string
		values map[string]float64 // set on top of goodSeller
		want   PointStatus
	}{
		{"QC01", map[string]float64{"functional_fail_rate": 0}, PointPass},
		{"QC01", map[string]float64{"functional_fail_rate": 0.0001}, PointFail},
		{"QC01", map[string]float64{"functional_fail_rate": 1.0 / 40}, PointFail},
		{"QC02", map[string]float64{"battery_below_80": 0}, PointPass},
		{"QC02", map[string]float64{"battery_below_80": 1}, PointFail},
		{"QC03", map[string]float64{"battery_at_least_85_rate": 0.95}, PointPass},
		{"QC03", map[string]float64{"battery_at_least_85_rate": 0.9499}, PointFail},
		{"QC03", map[string]float64{"battery_at_least_85_rate": 19.0 / 20}, PointPass},
		{"QC03", map[string]float64{"battery_at_least_85_rate": 18.0 / 19}, PointFail},
		{"QC04", map[string]float64{"undisclosed_parts": 0}, PointPass},
		{"QC04", map[string]float64{"undisclosed_parts": 1}, PointFail},
		{"QC05", map[string]float64{"display_mismatch": 0}, PointPass},
		{"QC05", map[string]float64{"display_mismatch": 1}, PointFail},
		{"QC06", map[string]float64{"liquid_damage": 0}, PointPass},
		{"QC06", map[string]float64{"liquid_damage": 1}, PointFail},
		{"QC07", map[string]float64{"locked": 0}, PointPass},
		{"QC07", map[string]float64{"locked": 1}, PointFail},
		{"QC08", map[string]float64{"imei_blocked": 0}, PointPass},
		{"QC08", map[string]float64{"imei_blocked": 1}, PointFail},
		{"QC09", map[string]float64{"data_not_erased": 0}, PointPass},
		{"QC09", map[string]float64{"data_not_erased": 1}, PointFail},
		{"QC10", map[string]float64{"identity_mismatch": 0}, PointPass},
		{"QC10", map[string]float64{"identity_mismatch": 1}, PointFail},
		{"QC11", map[string]float64{"software_ok_rate": 0.95}, PointPass},
		{"QC11", map[string]float64{"software_ok_rate": 0.9499}, PointFail},
		{"QC12", map[string]float64{"markings_altered": 0}, PointPass},
		{"QC12", map[string]float64{"markings_altered": 1}, PointFail},
		{"QC13", map[string]float64{"overgraded_rate": 0.05}, PointPass},
		{"QC13", map[string]float64{"overgraded_rate": 0.0501}, PointFail},
		{"QC13", map[string]float64{"overgraded_rate": 1.0 / 20}, PointPass},
		{"QC13", map[string]float64{"overgraded_rate": 1.0 / 19}, PointFail},
		{"QC14", map[string]float64{"shipped_damaged": 0}, PointPass},
		{"QC14", map[string]float64{"shipped_damaged": 1}, PointFail},
		{"QC15", map[string]float64{"accessories_ok_rate": 0.95}, PointPass},
		{"QC15", map[string]float64{"accessories_ok_rate": 0.9499}, PointFail},
		{"QC16", map[string]float64{"packaging_failures": 0}, PointPass},
		{"QC16", map[string]float64{"packaging_failures": 1}, PointFail},
		{"QC17", map[string]float64{"low_charge_rate": 0.05}, PointPass},
		{"QC17", map[string]float64{"low_charge_rate": 0.0501}, PointFail},
		{"QC18", map[string]float64{"late_shipment_rate": 0.0399}, PointPass},
		{"QC18", map[string]float64{"late_shipment_rate": 0.04}, PointFail},
		{"QC18", map[string]float64{"late_shipment_rate": 2.0 / 50}, PointFail},
		{"QC18", map[string]float64{"late_shipment_rate": 39.0 / 1000}, PointPass},
		{"QC19", map[string]float64{"valid_tracking_rate": 0.95}, PointPass},
		{"QC19", map[string]float64{"valid_tracking_rate": 0.9499}, PointFail},
		{"QC20", map[string]float64{"cancellation_rate": 0.0249}, PointPass},
		{"QC20", map[string]float64{"cancellation_rate": 0.025}, PointFail},
		{"QC20", map[string]float64{"cancellation_rate": 1.0 / 40}, PointFail},
		{"QC21", map[string]float64{"message_response_rate": 0.90}, PointPass},
		{"QC21", map[string]float64{"message_response_rate": 0.8999}, PointFail},
		{"QC21", map[string]float64{"message_response_rate": 9.0 / 10}, PointPass},
		{"QC22", map[string]float64{"technical_return_rate": 0.03}, PointPass},
		{"QC22", map[string]float64{"technical_return_rate": 0.0301}, PointFail},
		{"QC23", map[string]float64{"order_defect_rate": 0.0099}, PointPass},
		{"QC23", map[string]float64{"order_defect_rate": 0.01}, PointFail},
		// QC24 has two halves; each fails the point on its own.
		{"QC24", map[string]float64{"warranty_months": 12, "warranty_remedy_rate": 0.95}, PointPass},
		{"QC24", map[string]float64{"warranty_months": 11.99, "warranty_remedy_rate": 1}, PointFail},
		{"QC24", map[string]float64{"warranty_months": 11, "warranty_remedy_rate": 1}, PointFail},
		{"QC24", map[string]float64{"warranty_months": 24, "warranty_remedy_rate": 0.9499}, PointFail},
		{"QC24", map[string]float64{"warranty_months": 6, "warranty_remedy_rate": 0.5}, PointFail},
		{"QC25", map[string]float64{"capa_overdue": 0}, PointPass},
		{"QC25", map[string]float64{"capa_overdue": 1}, PointFail},
	}
	compiled := compiledDefault(t)
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %v", tt.code, tt.values), func(t *testing.T) {
			values := goodSeller()
			maps.Copy(values, tt.values)
			r := compiled.Evaluate(Metrics{Values: values})
			p := pointByCode(t, r, tt.code)
			assert.Equal(t, tt.want, p.Status)
			assert.Equal(t, values[p.Metric], p.Value)
			for _, other := range r.Points {
				if other.Code != tt.code {
					assert.Equal(t, PointPass, other.Status, "%s should be unaffected", other.Code)
				}
			}
			assert.Equal(t, 25, r.EvaluatedPoints)
			if tt.want == PointFail {
				assert.Equal(t, 1, r.FailedPoints)
			}
		})
	}
}

func TestEvaluateShowsMetricThresholdAndSamples(t *testing.T) {
	values := goodSeller()
	values["late_shipment_rate"] = 0.05
	values["warranty_months"] = 12
	r := compiledDefault(t).Evaluate(Metrics{Values: values})

	qc18 := pointByCode(t, r, "QC18")
	assert.Equal(t, PointResult{
		Code: "QC18", Title: "Dispatch on time", Area: "logistics", Severity: Major, Weight: 4,
		Status: PointFail, Metric: "late_shipment_rate", Value: 0.05, Threshold: "< 0.04",
		Samples: 200, Evidence: []string{},
	}, qc18)

	want := map[string]string{
		"QC01": "== 0", "QC03": ">= 0.95", "QC13": "<= 0.05", "QC21": ">= 0.90", "QC24": ">= 12",
	}
	for code, th := range want {
		assert.Equal(t, th, pointByCode(t, r, code).Threshold, code)
	}
	qc24 := pointByCode(t, r, "QC24")
	assert.Equal(t, "warranty_months", qc24.Metric)
	assert.Equal(t, 12.0, qc24.Value)
	assert.Equal(t, 3, qc24.Samples)
}

func TestEvaluateSampleMinimums(t *testing.T) {
	tests := []struct {
		code   string
		sample string
		min    float64
	}{
		{"QC01", "units", 1}, {"QC02", "units", 1}, {"QC03", "units", 5}, {"QC04", "units", 1},
		{"QC05", "units", 1}, {"QC06", "units", 1}, {"QC07", "units", 1}, {"QC08", "units", 1},
		{"QC09", "units", 1}, {"QC10", "mystery_orders", 1}, {"QC11", "units", 5},
		{"QC12", "units", 1}, {"QC13", "mystery_orders", 3}, {"QC14", "mystery_orders", 1},
		{"QC15", "mystery_orders", 1}, {"QC16", "mystery_orders", 1}, {"QC17", "mystery_orders", 1},
		{"QC18", "orders", 50}, {"QC19", "orders", 50}, {"QC20", "orders", 50},
		{"QC21", "messages", 10}, {"QC22", "orders", 50}, {"QC23", "orders", 50},
		{"QC24", "warranty_claims", 1}, {"QC25", "capa_due", 1},
	}
	compiled := compiledDefault(t)
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			values := goodSeller()

			values[tt.sample] = tt.min - 1
			p := pointByCode(t, compiled.Evaluate(Metrics{Values: values}), tt.code)
			assert.Equal(t, PointInsufficientData, p.Status, "one short")
			assert.Equal(t, int(tt.min-1), p.Samples)
			assert.Empty(t, p.Evidence)

			values[tt.sample] = tt.min
			p = pointByCode(t, compiled.Evaluate(Metrics{Values: values}), tt.code)
			assert.Equal(t, PointPass, p.Status, "exactly enough")
			assert.Equal(t, int(tt.min), p.Samples)
		})
	}
}

func TestEvaluateInsufficientPointsCountNowhere(t *testing.T) {
	values := goodSeller()
	values["orders"] = 49            // QC18–20, QC22–23 lack data…
	values["late_shipment_rate"] = 1 // …so this does not fail QC18
	values["locked"] = 2             // QC07 fails
	r := compiledDefault(t).Evaluate(Metrics{Values: values})
	assert.Equal(t, PointInsufficientData, pointByCode(t, r, "QC18").Status)
	assert.Equal(t, 20, r.EvaluatedPoints)
	assert.Equal(t, 1, r.FailedPoints)
	assert.Equal(t, 1, r.FailedCritical)
	require.NotNil(t, r.Score)
	assert.Equal(t, 92.2, *r.Score) // 94 of 102
	assert.Equal(t, TierProbation, r.Tier)
}

func TestEvaluateWithNoMetricsHasNoScore(t *testing.T) {
	compiled := compiledDefault(t)
	for _, m := range []Metrics{{}, {Values: map[string]float64{}, Evidence: map[string][]string{}}} {
		r := compiled.Evaluate(m)
		require.Len(t, r.Points, 25)
		for _, p := range r.Points {
			assert.Equal(t, PointInsufficientData, p.Status, p.Code)
			assert.NotNil(t, p.Evidence, p.Code)
		}
		assert.Nil(t, r.Score)
		assert.Equal(t, TierInsufficientData, r.Tier)
		assert.Zero(t, r.EvaluatedPoints)
		assert.Zero(t, r.FailedPoints)
	}
}

func TestEvaluateEvidence(t *testing.T) {
	values := goodSeller()
	values["locked"] = 2
	values["warranty_months"] = 6
	evidence := map[string][]string{
		"locked":               {"u1", "u2"},
		"units":                {"u1", "u2", "u3"}, // a sample metric, not in QC07's rule
		"warranty_months":      {"k1", "k2"},
		"warranty_remedy_rate": {"k2", "k3", "k1"},
		"imei_blocked":         {"u9"}, // its point passes: not shown
	}
	r := compiledDefault(t).Evaluate(Metrics{Values: values, Evidence: evidence})

	assert.Equal(t, []string{"u1", "u2"}, pointByCode(t, r, "QC07").Evidence)
	assert.Equal(t, []string{"k1", "k2", "k3"}, pointByCode(t, r, "QC24").Evidence)
	qc08 := pointByCode(t, r, "QC08")
	assert.Equal(t, PointPass, qc08.Status)
	assert.Equal(t, []string{}, qc08.Evidence)

	// A failed point without evidence shows an empty list, not null.
	values["data_not_erased"] = 1
	r = compiledDefault(t).Evaluate(Metrics{Values: values, Evidence: evidence})
	assert.Equal(t, []string{}, pointByCode(t, r, "QC09").Evidence)

	// The scorecard owns its evidence.
	qc07 := pointByCode(t, r, "QC07")
	qc07.Evidence[0] = "changed"
	assert.Equal(t, "u1", evidence["locked"][0])
}

// syntheticCharter builds a charter whose points pass, fail or lack data as asked, with no
// metrics at all: passing points hold "orders >= 0", failing ones "orders > 0", and the
// insufficient ones need a message nobody sent.
func syntheticCharter(pass, fail []Severity, insufficient int) Charter {
	c := Charter{Version: "synthetic"}
	add := func(sev Severity, rule string, min int) {
		c.Points = append(c.Points, Point{
			Code: fmt.Sprintf("P%03d", len(c.Points)+1), Title: "Synthetic", Area: "test",
			Severity: sev, Rule: rule, SampleMetric: "messages", MinSamples: min,
		})
	}
	for _, s := range pass {
		add(s, "orders >= 0", 0)
	}
	for _, s := range fail {
		add(s, "orders > 0", 0)
	}
	for range insufficient {
		add(Minor, "orders >= 0", 1)
	}
	return c
}

func severities(n int, s Severity) []Severity {
	out := make([]Severity, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestEvaluateScoreAndTier(t *testing.T) {
	tests := []struct {
		name           string
		pass, fail     []Severity
		insufficient   int
		score          float64
		tier           Tier
		failedCritical int
	}{
		{"9 evaluated: insufficient data despite a perfect score", severities(9, Minor), nil, 5, 100, TierInsufficientData, 0},
		{"10 evaluated: scored", severities(10, Minor), nil, 5, 100, TierTrusted, 0},
		{"insufficient data before suspend", nil, severities(9, Critical), 0, 0, TierInsufficientData, 9},
		{"2 critical failures suspend despite a high score", severities(100, Minor), severities(2, Critical), 0, 92.6, TierSuspend, 2},
		{"1 critical failure: probation despite a high score", severities(100, Minor), severities(1, Critical), 0, 96.2, TierProbation, 1},
		{"score 50.0: probation", severities(5, Minor), severities(5, Minor), 0, 50, TierProbation, 0},
		{"score 49.9: suspend", severities(167, Minor), severities(168, Minor), 0, 49.9, TierSuspend, 0},
		{"score 70.0: watch", severities(7, Minor), severities(3, Minor), 0, 70, TierWatch, 0},
		{"score 69.9: probation", severities(79, Minor), severities(34, Minor), 0, 69.9, TierProbation, 0},
		{"score 90.0: trusted", severities(9, Minor), severities(1, Minor), 0, 90, TierTrusted, 0},
		{"score 89.9: watch", severities(62, Minor), severities(7, Minor), 0, 89.9, TierWatch, 0},
		{"score 0: suspend", nil, severities(10, Major), 0, 0, TierSuspend, 0},
		{"2 critical and a low score: suspend", severities(8, Minor), severities(2, Critical), 0, 50, TierSuspend, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compiled, err := Compile(syntheticCharter(tt.pass, tt.fail, tt.insufficient))
			require.NoError(t, err)
			r := compiled.Evaluate(Metrics{})
			require.NotNil(t, r.Score)
			assert.Equal(t, tt.score, *r.Score)
			assert.Equal(t, tt.tier, r.Tier)
			assert.Equal(t, len(tt.pass)+len(tt.fail), r.EvaluatedPoints)
			assert.Equal(t, len(tt.fail), r.FailedPoints)
			assert.Equal(t, tt.failedCritical, r.FailedCritical)
		})
	}
}

func TestEvaluateScoreRounding(t *testing.T) {
	tests := []struct {
		name       string
		pass, fail []Severity
		score      float64
	}{
		{"2/3 = 66.666…", []Severity{Critical}, []Severity{Major}, 66.7},
		{"104/120 = 86.666…", append(severities(11, Critical), severities(4, Major)...), []Severity{Critical, Major, Major}, 86.7},
		{"1/3 = 33.333…", []Severity{Major}, []Severity{Critical}, 33.3},
		{"2/32 = 6.25, half up", []Severity{Minor}, []Severity{Critical, Critical, Critical, Minor, Minor, Minor}, 6.3},
		{"10/32 = 31.25, half up", severities(5, Minor), []Severity{Critical, Critical, Major, Minor}, 31.3},
		{"6/16 = 37.5 exactly", []Severity{Major, Minor}, []Severity{Critical, Minor}, 37.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compiled, err := Compile(syntheticCharter(tt.pass, tt.fail, 0))
			require.NoError(t, err)
			r := compiled.Evaluate(Metrics{})
			require.NotNil(t, r.Score)
			assert.Equal(t, tt.score, *r.Score)
		})
	}
}

func TestRoundedTenths(t *testing.T) {
	tests := []struct{ passed, total, want int }{
		{2, 3, 667}, {104, 120, 867}, {1, 3, 333}, {2, 32, 63}, {10, 32, 313}, {1, 16, 63},
		{1, 1, 1000}, {0, 8, 0}, {499, 1000, 499}, {1, 2000, 1}, {1, 2001, 0}, {1, 1999, 1},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, roundedTenths(tt.passed, tt.total), "%d/%d", tt.passed, tt.total)
	}
}

func TestTierOf(t *testing.T) {
	tests := []struct {
		evaluated, critical, score10 int
		want                         Tier
	}{
		{9, 0, 1000, TierInsufficientData},
		{9, 3, 0, TierInsufficientData},
		{10, 0, 1000, TierTrusted},
		{10, 2, 1000, TierSuspend},
		{10, 0, 499, TierSuspend},
		{10, 0, 500, TierProbation},
		{10, 1, 1000, TierProbation},
		{10, 1, 499, TierSuspend},
		{10, 0, 699, TierProbation},
		{10, 0, 700, TierWatch},
		{10, 0, 899, TierWatch},
		{10, 0, 900, TierTrusted},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tierOf(tt.evaluated, tt.critical, tt.score10), "%+v", tt)
	}
}

func TestEvaluateIsSafeForConcurrentUse(t *testing.T) {
	compiled := compiledDefault(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				values := goodSeller()
				values["locked"] = float64((i + j) % 2)
				r := compiled.Evaluate(Metrics{Values: values})
				want := PointPass
				if (i+j)%2 == 1 {
					want = PointFail
				}
				assert.Equal(t, want, r.Points[6].Status)
			}
		})
	}
	wg.Wait()
}

func TestSampleCount(t *testing.T) {
	assert.Equal(t, 12, sampleCount(12.7))
	assert.Equal(t, 0, sampleCount(0))
	assert.Equal(t, 0, sampleCount(nan()))
	assert.Equal(t, 1<<31-1, sampleCount(1e300))
	assert.Equal(t, -1<<31, sampleCount(-1e300))
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

// BenchmarkEvaluate scores a typical seller on the default charter: every point evaluated, a
// few failures with evidence. A batch audit does this once per seller.
func BenchmarkEvaluate(b *testing.B) {
	compiled := compiledDefault(b)
	values := goodSeller()
	values["locked"] = 1
	values["late_shipment_rate"] = 0.06
	values["warranty_remedy_rate"] = 0.9
	evidence := map[string][]string{
		"locked":               {"unit-17"},
		"units":                {"unit-1", "unit-2", "unit-3"},
		"late_shipment_rate":   {"2026-07", "2026-08", "2026-09"},
		"warranty_months":      {"2026-07", "2026-08", "2026-09"},
		"warranty_remedy_rate": {"2026-08"},
	}
	m := Metrics{Values: values, Evidence: evidence}
	b.ReportAllocs()
	for b.Loop() {
		r := compiled.Evaluate(m)
		if r.FailedPoints != 3 {
			b.Fatalf("failed points %d", r.FailedPoints)
		}
	}
}

// BenchmarkEvaluateParallel is the batch audit shape: many sellers scored at once on one
// compiled charter.
func BenchmarkEvaluateParallel(b *testing.B) {
	compiled := compiledDefault(b)
	m := Metrics{Values: goodSeller()}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			compiled.Evaluate(m)
		}
	})
}

// TestEvaluateLotMetrics: a later charter may hold sellers to their device lots (lots.md §7):
// the lot metrics compile as any other, lots is a sample metric, and a failed point lists the
// rejected lots as its evidence.
func TestEvaluateLotMetrics(t *testing.T) {
	c := Charter{Version: "2027.1", Points: []Point{
		{Code: "QC26", Title: "Lots accepted on inspection", Area: "grading", Severity: Major,
			Rule: "lot_rejection_rate <= 0.2", SampleMetric: "lots", MinSamples: 3},
		{Code: "QC27", Title: "No rejected lot", Area: "grading", Severity: Minor,
			Rule: "lots_rejected == 0", SampleMetric: "lots", MinSamples: 1},
	}}
	compiled, err := Compile(c)
	require.NoError(t, err)
	assert.Equal(t, "lot_rejection_rate", compiled.Charter().Points[0].Metric)
	assert.Equal(t, "<= 0.2", compiled.Threshold(0))

	evidence := map[string][]string{"lots_rejected": {"lot_1"}, "lot_rejection_rate": {"lot_1"}}
	tests := []struct {
		name         string
		lots, reject float64
		want         [2]PointStatus
		evidence     []string
	}{
		{"no lots", 0, 0, [2]PointStatus{PointInsufficientData, PointInsufficientData}, []string{}},
		{"too few lots for the rate", 2, 0, [2]PointStatus{PointInsufficientData, PointPass}, []string{}},
		{"one in five at the threshold", 5, 1, [2]PointStatus{PointPass, PointFail}, []string{}},
		{"one in four", 4, 1, [2]PointStatus{PointFail, PointFail}, []string{"lot_1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := map[string]float64{"lots": tt.lots, "lots_rejected": tt.reject}
			if tt.lots > 0 {
				values["lot_rejection_rate"] = tt.reject / tt.lots
			}
			r := compiled.Evaluate(Metrics{Values: values, Evidence: evidence})
			assert.Equal(t, tt.want, [2]PointStatus{r.Points[0].Status, r.Points[1].Status})
			assert.Equal(t, tt.evidence, r.Points[0].Evidence)
			if tt.want[1] == PointFail {
				assert.Equal(t, []string{"lot_1"}, r.Points[1].Evidence)
			}
			assert.Equal(t, int(tt.lots), r.Points[0].Samples)
		})
	}
}
