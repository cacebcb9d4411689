package audit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/checklist"
)

func TestPercentile(t *testing.T) {
	cases := []struct {
		name             string
		sorted           []float64
		p25, median, p75 float64
	}{
		{"one value", []float64{7}, 7, 7, 7},
		{"two values", []float64{1, 2}, 1.25, 1.5, 1.75},
		{"three values", []float64{1, 2, 4}, 1.5, 2, 3},
		// numpy.percentile([1, 2, 3, 4], [25, 50, 75]) = [1.75, 2.5, 3.25]
		{"four values", []float64{1, 2, 3, 4}, 1.75, 2.5, 3.25},
		// Five values, the fewest published: rank q·4 falls on a value for each quartile.
		{"five values are the 2nd, 3rd and 4th", []float64{1, 2, 3, 4, 5}, 2, 3, 4},
		{"five rates", []float64{0, 0.01, 0.02, 0.04, 0.5}, 0.01, 0.02, 0.04},
		{"five with ties", []float64{0, 0, 0, 0, 1}, 0, 0, 0},
		// Ranks 1.25, 2.5 and 3.75: 20 + 0.25·10, 30 + 0.5·10, 40 + 0.75·10.
		{"six values", []float64{10, 20, 30, 40, 50, 60}, 22.5, 35, 47.5},
		// Ranks 1.5, 3 and 4.5.
		{"seven values", []float64{1, 2, 3, 4, 5, 6, 7}, 2.5, 4, 5.5},
		{"nine values", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 5, 7},
		{"negative", []float64{-4, -2, 0, 2}, -2.5, -1, 0.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.p25, Percentile(c.sorted, 0.25), "p25")
			assert.Equal(t, c.median, Percentile(c.sorted, 0.5), "median")
			assert.Equal(t, c.p75, Percentile(c.sorted, 0.75), "p75")
			assert.Equal(t, c.sorted[0], Percentile(c.sorted, 0), "q = 0 is the least")
			assert.Equal(t, c.sorted[len(c.sorted)-1], Percentile(c.sorted, 1), "q = 1 is the greatest")
			assert.Equal(t, c.sorted[0], Percentile(c.sorted, -1), "q below 0 is clamped")
			assert.Equal(t, c.sorted[len(c.sorted)-1], Percentile(c.sorted, 2), "q above 1 is clamped")
		})
	}
	assert.True(t, math.IsNaN(Percentile(nil, 0.5)), "no values, no percentile")
}

// benchPeriod is the period of the benchmark tests.
var benchPeriod = Period{Start: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}

// benchPoint is one point of a test scorecard: code, metric, threshold, status, value.
type benchPointSpec struct {
	code, metric, threshold string
	status                  checklist.PointStatus
	value                   float64
}

func pass(code, metric, threshold string, v float64) benchPointSpec {
	return benchPointSpec{code, metric, threshold, checklist.PointPass, v}
}

func fail(code, metric, threshold string, v float64) benchPointSpec {
	return benchPointSpec{code, metric, threshold, checklist.PointFail, v}
}

func insufficient(code, metric, threshold string, v float64) benchPointSpec {
	return benchPointSpec{code, metric, threshold, checklist.PointInsufficientData, v}
}

// benchCard is an approved scorecard of benchPeriod of seller, created at second created.
func benchCard(id, seller string, created int, points ...benchPointSpec) Scorecard {
	sc := Scorecard{ID: id, SellerID: seller, Period: benchPeriod, CharterVersion: "2026.1", Status: Approved,
		CreatedAt: time.Date(2026, 10, 2, 0, 0, created, 0, time.UTC), Review: &Review{ApprovedBy: "k"}}
	for _, p := range points {
		sc.Result.Points = append(sc.Result.Points, checklist.PointResult{Code: p.code, Metric: p.metric,
			Threshold: p.threshold, Status: p.status, Value: p.value, Evidence: []string{}})
	}
	return sc
}

// lateRates are approved scorecards of one seller each, with these QC18 values (lower is
// better) and QC19 (valid tracking, higher is better) at 1 − value.
func lateRates(values ...float64) []Scorecard {
	var cards []Scorecard
	for i, v := range values {
		cards = append(cards, benchCard(fmt.Sprintf("sc_%02d", i), fmt.Sprintf("sl_%02d", i), i,
			fail("QC18", "late_shipment_rate", "< 0.04", v), pass("QC19", "valid_tracking_rate", ">= 0.95", 1-v)))
	}
	return cards
}

func valuesOf(cards ...Scorecard) []BenchmarkValue {
	var out []BenchmarkValue
	for _, sc := range cards {
		out = append(out, BenchmarkValues(sc)...)
	}
	return out
}

func benchOf(cards ...Scorecard) *PeriodBenchmark {
	return NewPeriodBenchmark(benchPeriod, int64(len(cards)), valuesOf(cards...))
}

func TestBenchmarkValues(t *testing.T) {
	sc := benchCard("sc_1", "sl_1", 0,
		pass("QC01", "functional_fail_rate", "== 0", 0),
		fail("QC02", "battery_below_80", "== 0", 3),
		insufficient("QC03", "battery_at_least_85_rate", ">= 0.95", 0))
	got := BenchmarkValues(sc)
	assert.Equal(t, []BenchmarkValue{
		{ScorecardID: "sc_1", SellerID: "sl_1", CreatedAt: sc.CreatedAt, Code: "QC01", Metric: "functional_fail_rate", Value: 0},
		{ScorecardID: "sc_1", SellerID: "sl_1", CreatedAt: sc.CreatedAt, Code: "QC02", Metric: "battery_below_80", Value: 3},
	}, got, "passed and failed points contribute; a point with insufficient data was not evaluated")
	for _, status := range []ScorecardStatus{Draft, Superseded} {
		d := sc
		d.Status, d.Review = status, nil
		assert.Empty(t, BenchmarkValues(d), "a %s contributes nothing", status)
	}
}

func TestPeriodBenchmark(t *testing.T) {
	figures := func(n int, p25, median, p75 float64) *BenchmarkFigures {
		return &BenchmarkFigures{Sellers: n, P25: p25, Median: median, P75: p75}
	}
	cases := []struct {
		name  string
		cards []Scorecard
		want  []PointBenchmark
	}{
		{"nothing approved", nil, []PointBenchmark{}},
		{"four sellers: null", lateRates(0.01, 0.02, 0.03, 0.04), []PointBenchmark{
			{Code: "QC18", Metric: "late_shipment_rate"}, {Code: "QC19", Metric: "valid_tracking_rate"}}},
		{"five sellers: published", lateRates(0.04, 0.01, 0.03, 0.02, 0), []PointBenchmark{
			{Code: "QC18", Metric: "late_shipment_rate", Figures: figures(5, 0.01, 0.02, 0.03)},
			{Code: "QC19", Metric: "valid_tracking_rate", Figures: figures(5, 1-0.03, 1-0.02, 1-0.01)}}},
		{"six sellers interpolate", lateRates(0.1, 0.2, 0.3, 0.4, 0.5, 0.6), []PointBenchmark{
			{Code: "QC18", Metric: "late_shipment_rate", Figures: figures(6, 0.2+0.25*(0.3-0.2), 0.3+0.5*(0.4-0.3), 0.4+0.75*(0.5-0.4))},
			{Code: "QC19", Metric: "valid_tracking_rate", Figures: figures(6,
				Percentile([]float64{1 - 0.6, 1 - 0.5, 1 - 0.4, 1 - 0.3, 1 - 0.2, 1 - 0.1}, 0.25),
				Percentile([]float64{1 - 0.6, 1 - 0.5, 1 - 0.4, 1 - 0.3, 1 - 0.2, 1 - 0.1}, 0.5),
				Percentile([]float64{1 - 0.6, 1 - 0.5, 1 - 0.4, 1 - 0.3, 1 - 0.2, 1 - 0.1}, 0.75))}}},
		{"a point without enough data does not count its seller", append(lateRates(0, 0, 0, 0),
			benchCard("sc_x", "sl_x", 9, insufficient("QC18", "late_shipment_rate", "< 0.04", 0), pass("QC19", "valid_tracking_rate", ">= 0.95", 1))),
			[]PointBenchmark{{Code: "QC18", Metric: "late_shipment_rate"},
				{Code: "QC19", Metric: "valid_tracking_rate", Figures: figures(5, 1, 1, 1)}}},
		{"a seller counts once, by its latest approved scorecard", append(lateRates(0.01, 0.02, 0.03, 0.04),
			benchCard("sc_old", "sl_00", 50, pass("QC18", "late_shipment_rate", "< 0.04", 0.9)),
			benchCard("sc_new", "sl_00", 60, pass("QC18", "late_shipment_rate", "< 0.04", 0.5))),
			[]PointBenchmark{{Code: "QC18", Metric: "late_shipment_rate"}, {Code: "QC19", Metric: "valid_tracking_rate"}}},
		{"the latest scorecard's points only", append(lateRates(0.01, 0.02, 0.03, 0.04, 0.05),
			benchCard("sc_zz", "sl_00", 99, pass("QC18", "late_shipment_rate", "< 0.04", 0.5))),
			[]PointBenchmark{{Code: "QC18", Metric: "late_shipment_rate", Figures: figures(5, 0.03, 0.04, 0.05)},
				{Code: "QC19", Metric: "valid_tracking_rate"}}},
		{"created at the same instant: the greater id is the latest", append(lateRates(0.01, 0.02, 0.03, 0.04, 0.05),
			benchCard("sc_00a", "sl_00", 0, pass("QC18", "late_shipment_rate", "< 0.04", 0.5))),
			[]PointBenchmark{{Code: "QC18", Metric: "late_shipment_rate", Figures: figures(5, 0.03, 0.04, 0.05)},
				{Code: "QC19", Metric: "valid_tracking_rate"}}},
		{"a code listed twice by one scorecard counts its first value", append(lateRates(0.01, 0.02, 0.03, 0.04),
			benchCard("sc_twice", "sl_twice", 0, pass("QC18", "late_shipment_rate", "< 0.04", 0), pass("QC18", "late_shipment_rate", "< 0.04", 0.9))),
			[]PointBenchmark{{Code: "QC18", Metric: "late_shipment_rate", Figures: figures(5, 0.01, 0.02, 0.03)},
				{Code: "QC19", Metric: "valid_tracking_rate"}}},
		{"a code with another metric is another benchmark, in code then metric order", []Scorecard{
			benchCard("sc_1", "sl_1", 0, pass("QC20", "cancellation_rate", "< 0.025", 0), pass("QC02", "battery_below_80", "== 0", 0)),
			benchCard("sc_2", "sl_2", 0, pass("QC20", "cancelled", "== 0", 0)),
		}, []PointBenchmark{{Code: "QC02", Metric: "battery_below_80"}, {Code: "QC20", Metric: "cancellation_rate"},
			{Code: "QC20", Metric: "cancelled"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := benchOf(c.cards...)
			got := b.Benchmark()
			assert.Equal(t, benchPeriod, got.Period)
			assert.Equal(t, c.want, got.Points)
			assert.Equal(t, int64(len(c.cards)), b.Version())
		})
	}
}

// Below five contributors nothing of the values is shown: two sets of up to four sellers that
// differ in every value, or in one seller's only, give the same answers, to the benchmark and
// to every scorecard's comparison, so no answer can be told from another and no seller's
// figure recovered from them, by differencing either. The fifth seller's approval publishes
// figures of all five, whose differences with the answer before it are the figures themselves.
func TestBenchmarkLeaksNothingBelowFiveSellers(t *testing.T) {
	for n := 1; n < MinBenchmarkSellers; n++ {
		t.Run(fmt.Sprintf("%d sellers", n), func(t *testing.T) {
			low, high := make([]float64, n), make([]float64, n)
			for i := range n {
				low[i], high[i] = float64(i)/100, 0.5+float64(i)/10
			}
			oneDiffers := append([]float64(nil), low...)
			oneDiffers[n-1] = 0.9
			a, b, c := lateRates(low...), lateRates(high...), lateRates(oneDiffers...)
			ba, bb, bc := benchOf(a...), benchOf(b...), benchOf(c...)
			assert.Equal(t, ba.Benchmark(), bb.Benchmark())
			assert.Equal(t, ba.Benchmark(), bc.Benchmark())
			for _, p := range ba.Benchmark().Points {
				assert.Nil(t, p.Figures, "%s: no figure, not even the count of sellers", p.Code)
			}
			for i := range n {
				ca, cb, cc := ba.Compare(a[i]), bb.Compare(b[i]), bc.Compare(c[i])
				require.NotNil(t, ca, "an approved scorecard has a comparison")
				assert.Equal(t, []*PointComparison{nil, nil}, ca.Points, "null where the benchmark is null")
				assert.Equal(t, ca, cb)
				assert.Equal(t, ca, cc)
			}
		})
	}
	four := lateRates(0.01, 0.02, 0.03, 0.04)
	before := benchOf(four...)
	fifth := lateRates(0.01, 0.02, 0.03, 0.04, 0.05)
	after := benchOf(fifth...)
	require.Nil(t, before.Benchmark().Points[0].Figures)
	assert.Equal(t, &BenchmarkFigures{Sellers: 5, P25: 0.02, Median: 0.03, P75: 0.04}, after.Benchmark().Points[0].Figures)
	got := after.Compare(fifth[4])
	require.NotNil(t, got.Points[0])
	assert.Equal(t, PointComparison{Sellers: 5, Median: 0.03, BetterThan: ptr(0.0)}, *got.Points[0],
		"the worst of five is better than none of the four others")
}

func TestCompare(t *testing.T) {
	// QC18 lower is better; QC19 higher is better; QC25 closer to 0 is better.
	rates := lateRates(0, 0.01, 0.02, 0.03, 0.04)
	cases := []struct {
		name  string
		bench []Scorecard
		card  Scorecard
		want  []*PointComparison // nil entries where the benchmark is null
	}{
		{"the middle of five beats two of the four others, both ways", rates, rates[2], []*PointComparison{
			{Sellers: 5, Median: 0.02, BetterThan: ptr(0.5)}, {Sellers: 5, Median: 1 - 0.02, BetterThan: ptr(0.5)}}},
		{"the best beats every other", rates, rates[0], []*PointComparison{
			{Sellers: 5, Median: 0.02, BetterThan: ptr(1.0)}, {Sellers: 5, Median: 1 - 0.02, BetterThan: ptr(1.0)}}},
		{"ties are not worse", lateRates(0, 0, 0, 0, 0), lateRates(0, 0, 0, 0, 0)[3], []*PointComparison{
			{Sellers: 5, Median: 0, BetterThan: ptr(0.0)}, {Sellers: 5, Median: 1, BetterThan: ptr(0.0)}}},
		{"a tie with some: only the strictly worse count", lateRates(0, 0.01, 0.01, 0.01, 0.04), lateRates(0, 0.01, 0.01, 0.01, 0.04)[1],
			[]*PointComparison{{Sellers: 5, Median: 0.01, BetterThan: ptr(0.25)}, {Sellers: 5, Median: 1 - 0.01, BetterThan: ptr(0.25)}}},
		{"a seller outside the benchmark is compared with all five", rates,
			benchCard("sc_out", "sl_out", 0, pass("QC18", "late_shipment_rate", "< 0.04", 0.015), pass("QC19", "valid_tracking_rate", ">= 0.95", 0.985)),
			[]*PointComparison{{Sellers: 5, Median: 0.02, BetterThan: ptr(0.6)}, {Sellers: 5, Median: 1 - 0.02, BetterThan: ptr(0.6)}}},
		{"an older approved scorecard of a contributor is compared with the others only", rates,
			benchCard("sc_00", "sl_04", -1, pass("QC18", "late_shipment_rate", "< 0.04", 0.005), pass("QC19", "valid_tracking_rate", ">= 0.95", 0.5)),
			[]*PointComparison{{Sellers: 5, Median: 0.02, BetterThan: ptr(0.75)}, {Sellers: 5, Median: 1 - 0.02, BetterThan: ptr(0.0)}}},
		{"a point the scorecard did not evaluate has the median and no standing", rates,
			benchCard("sc_ins", "sl_new", 0, insufficient("QC18", "late_shipment_rate", "< 0.04", 0), pass("QC19", "valid_tracking_rate", ">= 0.95", 1)),
			[]*PointComparison{{Sellers: 5, Median: 0.02}, {Sellers: 5, Median: 1 - 0.02, BetterThan: ptr(0.8)}}},
		{"a rule without a direction has no standing", rates,
			benchCard("sc_rule", "sl_new", 0, pass("QC18", "late_shipment_rate", "late_shipment_rate < 0.04 || orders < 10", 0)),
			[]*PointComparison{{Sellers: 5, Median: 0.02}}},
		{"a point no benchmark has, or a null one", append(lateRates(0, 0, 0, 0),
			benchCard("sc_q", "sl_q", 9, pass("QC19", "valid_tracking_rate", ">= 0.95", 1), pass("QC25", "capa_overdue", "== 0", 0))),
			benchCard("sc_z", "sl_z", 0, pass("QC25", "capa_overdue", "== 0", 0), pass("QC18", "late_shipment_rate", "< 0.04", 0),
				pass("QC19", "valid_tracking_rate", ">= 0.95", 1)),
			[]*PointComparison{nil, nil, {Sellers: 5, Median: 1, BetterThan: ptr(0.0)}}},
		{"closer to the target of == is better", []Scorecard{
			benchCard("sc_1", "sl_1", 0, fail("QC25", "capa_overdue", "== 0", 3)),
			benchCard("sc_2", "sl_2", 0, fail("QC25", "capa_overdue", "== 0", 1)),
			benchCard("sc_3", "sl_3", 0, pass("QC25", "capa_overdue", "== 0", 0)),
			benchCard("sc_4", "sl_4", 0, fail("QC25", "capa_overdue", "== 0", 2)),
			benchCard("sc_5", "sl_5", 0, fail("QC25", "capa_overdue", "== 0", 2)),
		}, benchCard("sc_4", "sl_4", 0, fail("QC25", "capa_overdue", "== 0", 2)),
			[]*PointComparison{{Sellers: 5, Median: 2, BetterThan: ptr(0.25)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := benchOf(c.bench...)
			got := b.Compare(c.card)
			require.NotNil(t, got)
			assert.Equal(t, b.Version(), got.Version)
			assert.Equal(t, c.want, got.Points)
		})
	}

	b := benchOf(rates...)
	for _, status := range []ScorecardStatus{Draft, Superseded} {
		d := rates[0]
		d.Status = status
		assert.Nil(t, b.Compare(d), "a %s carries no comparison", status)
	}
	other := rates[0]
	other.Period.End = other.Period.End.AddDate(0, 1, 0)
	assert.Nil(t, b.Compare(other), "a scorecard of another period is not compared with this benchmark")
}

// benchFake is a BenchmarkStore over scorecards, counting its reads.
type benchFake struct {
	Store
	mu            sync.Mutex
	cards         []Scorecard
	versionReads  int
	valueReads    int
	block         chan struct{} // when set, BenchmarkValues waits on it
	versionFailed bool
}

func (f *benchFake) approve(sc Scorecard) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cards = append(f.cards, sc)
}

func (f *benchFake) version(p Period) int64 {
	var n int64
	for _, sc := range f.cards {
		if samePeriod(sc.Period, p) {
			n++
		}
	}
	return n
}

func (f *benchFake) BenchmarkVersion(_ context.Context, p Period) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.versionReads++
	if f.versionFailed {
		return 0, errors.New("database gone")
	}
	return f.version(p), nil
}

func (f *benchFake) BenchmarkValues(_ context.Context, p Period) ([]BenchmarkValue, int64, error) {
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.valueReads++
	var out []BenchmarkValue
	for _, sc := range f.cards {
		if samePeriod(sc.Period, p) {
			out = append(out, BenchmarkValues(sc)...)
		}
	}
	return out, f.version(p), nil
}

func (f *benchFake) Now() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }

// The cache of benchmarks reads the values of a period once per version: an approval (on any
// process: the store's version is all the cache asks) makes the next read compute again.
func TestBenchmarksCache(t *testing.T) {
	ctx := context.Background()
	f := &benchFake{}
	rates := lateRates(0, 0.01, 0.02, 0.03, 0.04, 0.05)
	for _, sc := range rates[:4] {
		f.approve(sc)
	}
	b := NewBenchmarks(f)
	first, err := b.Of(ctx, benchPeriod)
	require.NoError(t, err)
	assert.Nil(t, first.Benchmark().Points[0].Figures)
	again, err := b.Of(ctx, benchPeriod)
	require.NoError(t, err)
	assert.Same(t, first, again, "the same version is not computed again")
	assert.Equal(t, 1, f.valueReads)
	assert.Equal(t, 2, f.versionReads)

	f.approve(rates[4])
	fifth, err := b.Of(ctx, benchPeriod)
	require.NoError(t, err)
	assert.Equal(t, int64(5), fifth.Version())
	assert.Equal(t, 0.02, fifth.Benchmark().Points[0].Figures.Median, "the fifth approval publishes the figures")
	assert.Equal(t, 2, f.valueReads)

	// Compare reads each period's version once, whatever the number of its scorecards.
	f.versionReads = 0
	draft := rates[5]
	draft.Status = Draft
	other := rates[0]
	other.Period.Start = other.Period.Start.AddDate(0, -3, 0)
	other.Period.End = benchPeriod.Start
	got, err := b.Compare(ctx, rates[0], rates[1], draft, rates[2], other)
	require.NoError(t, err)
	require.Len(t, got, 5)
	assert.Equal(t, ptr(1.0), got[0].Points[0].BetterThan)
	assert.Equal(t, ptr(0.75), got[1].Points[0].BetterThan)
	assert.Nil(t, got[2], "a draft has no comparison")
	assert.Equal(t, []*PointComparison{nil, nil}, got[4].Points, "a period without a published benchmark")
	assert.Equal(t, 2, f.versionReads, "two periods")

	f.versionFailed = true
	_, err = b.Compare(ctx, rates[0])
	assert.ErrorContains(t, err, "database gone")
}

// Callers that find a period's version moved on compute it once between them.
func TestBenchmarksComputedOnceAtATime(t *testing.T) {
	ctx := context.Background()
	f := &benchFake{block: make(chan struct{})}
	for _, sc := range lateRates(0, 0.01, 0.02, 0.03, 0.04) {
		f.approve(sc)
	}
	b := NewBenchmarks(f)
	var wg sync.WaitGroup
	results := make([]*PeriodBenchmark, 8)
	for i := range results {
		wg.Go(func() {
			var err error
			results[i], err = b.Of(ctx, benchPeriod)
			assert.NoError(t, err)
		})
	}
	time.Sleep(20 * time.Millisecond)
	close(f.block)
	wg.Wait()
	assert.Equal(t, 1, f.valueReads)
	for _, r := range results {
		assert.Same(t, results[0], r)
	}
}

func TestServiceBenchmark(t *testing.T) {
	ctx := context.Background()
	f := &benchFake{}
	for _, sc := range lateRates(0.04, 0.03, 0.02, 0.01, 0) {
		f.approve(sc)
	}
	svc := NewService(ServiceConfig{Store: f})
	for _, role := range Roles {
		got, err := svc.Benchmark(ctx, Principal{Role: role, SellerID: "sl_00"}, "2026-07-01", "2026-10-01")
		require.NoError(t, err, role)
		assert.Equal(t, benchPeriod, got.Period)
		require.Len(t, got.Points, 2)
		assert.Equal(t, &BenchmarkFigures{Sellers: 5, P25: 0.01, Median: 0.02, P75: 0.03}, got.Points[0].Figures)
	}
	_, err := svc.Benchmark(ctx, Principal{}, "2026-07-01", "2026-10-01")
	assert.ErrorIs(t, err, ErrForbidden)

	cases := []struct {
		start, end string
		fields     []string
	}{
		{"", "", []string{"period_end", "period_start"}},
		{"2026-07-01", "", []string{"period_end"}},
		{"2026-13-01", "2026-10-01", []string{"period_start"}},
		{"2026-10-01", "2026-10-01", []string{"period_end"}},
		{"2026-01-01", "2027-06-01", []string{"period_end"}},
	}
	for _, c := range cases {
		_, err := svc.Benchmark(ctx, Principal{Role: RoleSeller}, c.start, c.end)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "%q %q", c.start, c.end)
		assert.Equal(t, c.fields, fields(ve.Errors))
	}

	cards := lateRates(0.04, 0.03, 0.02, 0.01, 0)
	got, err := svc.CompareScorecards(ctx, cards[0])
	require.NoError(t, err)
	assert.Equal(t, ptr(0.0), got[0].Points[0].BetterThan)
	v, err := svc.BenchmarkVersion(ctx, benchPeriod)
	require.NoError(t, err)
	assert.Equal(t, int64(5), v)
}

// gatedVersions is a BenchmarkStore whose reads of a version take the value current when
// they start, then wait to be let through, one by one.
type gatedVersions struct {
	Store
	mu      sync.Mutex
	current int64
	reads   int
	gate    chan struct{}
}

func (g *gatedVersions) BenchmarkVersion(ctx context.Context, _ Period) (int64, error) {
	g.mu.Lock()
	v := g.current
	g.reads++
	g.mu.Unlock()
	select {
	case <-g.gate:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (g *gatedVersions) set(v int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.current = v
}

func (g *gatedVersions) readCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.reads
}

// Concurrent readers of a version share reads, but never one that started before they
// asked: an approval between the start of a read and a caller's arrival is in the version
// that caller gets.
func TestBenchmarkVersionReadsAreSharedNeverStale(t *testing.T) {
	ctx := context.Background()
	g := &gatedVersions{current: 1, gate: make(chan struct{})}
	b := NewBenchmarks(g)
	callers := func() int {
		b.mu.Lock()
		defer b.mu.Unlock()
		if r := b.reads[keyOf(benchPeriod)]; r != nil && r.next != nil {
			return r.next.callers
		}
		return 0
	}

	first := make(chan int64)
	go func() {
		v, err := b.Version(ctx, benchPeriod)
		assert.NoError(t, err)
		first <- v
	}()
	require.Eventually(t, func() bool { return g.readCount() == 1 }, time.Second, time.Millisecond, "the first read started")
	g.set(2) // an approval lands while the first read is under way

	later := make(chan int64, 3)
	for range 3 {
		go func() {
			v, err := b.Version(ctx, benchPeriod)
			assert.NoError(t, err)
			later <- v
		}()
	}
	require.Eventually(t, func() bool { return callers() == 3 }, time.Second, time.Millisecond, "three callers wait for the next read")
	assert.Equal(t, 1, g.readCount(), "nobody joined the read under way")

	g.gate <- struct{}{}
	assert.Equal(t, int64(1), <-first, "the first caller's read")
	require.Eventually(t, func() bool { return g.readCount() == 2 }, time.Second, time.Millisecond, "the next read started for the waiters")
	g.gate <- struct{}{}
	for range 3 {
		assert.Equal(t, int64(2), <-later, "read after they asked: the approval is in it")
	}
	assert.Equal(t, 2, g.readCount(), "four callers, two reads")

	// Alone again: one read of one's own, and nothing left under way.
	done := make(chan int64)
	go func() {
		v, _ := b.Version(ctx, benchPeriod)
		done <- v
	}()
	g.gate <- struct{}{}
	assert.Equal(t, int64(2), <-done)
	b.mu.Lock()
	assert.Empty(t, b.reads, "no read under way is remembered")
	b.mu.Unlock()

	// A waiter whose request ends stops waiting; the read goes on for the others.
	go func() { _, _ = b.Version(ctx, benchPeriod) }()
	require.Eventually(t, func() bool { return g.readCount() == 4 }, time.Second, time.Millisecond)
	cctx, cancel := context.WithCancel(ctx)
	gone := make(chan error)
	go func() {
		_, err := b.Version(cctx, benchPeriod)
		gone <- err
	}()
	require.Eventually(t, func() bool { return callers() == 1 }, time.Second, time.Millisecond)
	cancel()
	assert.ErrorIs(t, <-gone, context.Canceled)
	g.gate <- struct{}{} // the first of these reads
	g.gate <- struct{}{} // the one the cancelled caller had joined
	require.Eventually(t, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.reads) == 0
	}, time.Second, time.Millisecond)
}
