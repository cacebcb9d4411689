package audit

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/refurbqa/refurbqa/checklist"
)

// Marketplace benchmarks (transparency.md §3): for a period, the distribution of each charter
// point's metric over the sellers whose approved scorecards of the period evaluated the point,
// published only when enough sellers contribute that no seller's figure can be read off it;
// and, for each approved scorecard, where its value stands in that distribution.
//
// The rules, once:
//
//   - A seller contributes through its latest approved scorecard of the period (exactly that
//     period_start and period_end), latest as CompareScorecards orders them (created last,
//     then the greater id): a re-audit approved after an earlier approval is the seller's
//     current word on the period, and a seller never counts twice. Its contributions are the
//     points that scorecard evaluated, pass or fail; a point with insufficient_data was not
//     evaluated (charter.md §3) and its value, a rate over nothing, says nothing.
//   - Points are told apart by code and primary metric: a later charter version that gave a
//     code another metric makes another benchmark, so values of different metrics are never
//     mixed.
//   - A point's figures are published only when at least MinBenchmarkSellers sellers
//     contribute. Below that, the point is listed with every figure null, the count of sellers
//     included: nothing about the values, or how many there are, is shown.
//   - Percentiles interpolate linearly between closest ranks (Percentile).
//   - A scorecard's standing on a point ("better than what share of sellers") is the share of
//     the other contributing sellers (every contributor but the scorecard's own seller) whose
//     value is strictly worse than the scorecard's, in the direction of the point's rule
//     (checklist.Direction). Ties are not worse: a seller equal to every other one is better
//     than none of them. There is a standing only where the benchmark is published, the
//     scorecard evaluated the point, and the rule has a direction.

// MinBenchmarkSellers is how many sellers must contribute to a point before its benchmark is
// published.
const MinBenchmarkSellers = 5

// BenchmarkValue is what one evaluated point of one approved scorecard contributes to the
// benchmark of its period.
type BenchmarkValue struct {
	ScorecardID string
	SellerID    string
	// CreatedAt is the scorecard's: of a seller's approved scorecards of one period, the
	// latest audit counts.
	CreatedAt time.Time
	Code      string
	Metric    string
	Value     float64
}

// BenchmarkValues returns what scorecard sc contributes to the benchmark of its period: one
// value per point it evaluated (pass or fail), in charter order, when it is approved, and
// nothing otherwise. The store keeps these values as each approval adds them.
func BenchmarkValues(sc Scorecard) []BenchmarkValue {
	if sc.Status != Approved {
		return nil
	}
	var out []BenchmarkValue
	for _, p := range sc.Result.Points {
		if !pointEvaluated(p) {
			continue
		}
		out = append(out, BenchmarkValue{ScorecardID: sc.ID, SellerID: sc.SellerID, CreatedAt: sc.CreatedAt.UTC(),
			Code: p.Code, Metric: p.Metric, Value: p.Value})
	}
	return out
}

// pointEvaluated reports whether a point was evaluated: it passed or failed. A point without
// enough samples has neither status.
func pointEvaluated(p checklist.PointResult) bool {
	return p.Status == checklist.PointPass || p.Status == checklist.PointFail
}

// Percentile returns the q-quantile (q from 0 to 1) of values sorted in ascending order, by
// linear interpolation between closest ranks, the definition of Excel's PERCENTILE.INC and
// numpy's default ("C = 1"): with n values x[0] ≤ … ≤ x[n-1], the rank is h = q·(n−1), and the
// percentile is x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). So the median of an odd number of
// values is the middle one, of an even number the mean of the middle two, and with five values
// the 25th, 50th and 75th percentiles are exactly the 2nd, 3rd and 4th. It is NaN without
// values; q is clamped to [0, 1].
func Percentile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	q = min(max(q, 0), 1)
	h := q * float64(n-1)
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	frac := h - float64(lo)
	if frac == 0 {
		return sorted[lo]
	}
	return sorted[lo] + frac*(sorted[lo+1]-sorted[lo])
}

// BenchmarkFigures are the published figures of one point's benchmark.
type BenchmarkFigures struct {
	Sellers          int // contributing sellers, at least MinBenchmarkSellers
	P25, Median, P75 float64
}

// PointBenchmark is the benchmark of one charter point over a period. Figures is nil when
// fewer than MinBenchmarkSellers sellers contribute: the benchmark is then null.
type PointBenchmark struct {
	Code    string
	Metric  string
	Figures *BenchmarkFigures
}

// Benchmark is the marketplace benchmark of a period: every point that at least one approved
// scorecard of the period evaluated, by code and then metric (byte order, which for the
// default charter's QC01…QC25 is charter order).
type Benchmark struct {
	Period Period
	Points []PointBenchmark
}

// PointComparison is where one point of an approved scorecard stands in the benchmark of its
// period.
type PointComparison struct {
	Sellers int     // contributing sellers
	Median  float64 // the marketplace median
	// BetterThan is the share, from 0 to 1, of the other contributing sellers whose value is
	// strictly worse than the scorecard's; nil when the scorecard did not evaluate the point
	// or the point's rule has no direction.
	BetterThan *float64
}

// MarketComparison is how an approved scorecard compares with the benchmark of its period.
type MarketComparison struct {
	// Version is the version of the period's benchmark it was made from (BenchmarkStore):
	// when the period's version moves on, another approval changed the benchmark.
	Version int64
	// Points is parallel to the scorecard's points; an entry is nil where the point's
	// benchmark is null.
	Points []*PointComparison
}

// benchKey names one benchmarked point.
type benchKey struct{ code, metric string }

// benchPoint is the values behind one point's benchmark.
type benchPoint struct {
	key     benchKey
	values  []float64         // one per contributing seller, ascending
	sellers []sellerValue     // the value of each contributing seller, by seller id
	figures *BenchmarkFigures // nil below MinBenchmarkSellers
}

// sellerValue is one seller's value of a point.
type sellerValue struct {
	seller string
	value  float64
}

// valueOf returns the value of seller, if it contributes.
func (bp *benchPoint) valueOf(seller string) (float64, bool) {
	i, ok := slices.BinarySearchFunc(bp.sellers, seller, func(sv sellerValue, id string) int { return strings.Compare(sv.seller, id) })
	if !ok {
		return 0, false
	}
	return bp.sellers[i].value, true
}

// PeriodBenchmark is the benchmark of one period with the values behind it, from which
// scorecards of the period are compared. It never changes once made, so it may be shared.
type PeriodBenchmark struct {
	period  Period
	version int64
	points  []benchPoint // by code, then metric
	index   map[benchKey]int
}

// NewPeriodBenchmark computes the benchmark of period p from the values of its approved
// scorecards (BenchmarkValues of each, in any order), at version. Values of another period
// cannot be told apart here: the caller passes those of p only.
func NewPeriodBenchmark(p Period, version int64, values []BenchmarkValue) *PeriodBenchmark {
	// Each seller's latest approved scorecard of the period.
	type card struct {
		id      string
		created time.Time
	}
	latest := map[string]card{}
	for _, v := range values {
		c, ok := latest[v.SellerID]
		if !ok || cmp.Or(v.CreatedAt.Compare(c.created), strings.Compare(v.ScorecardID, c.id)) > 0 {
			latest[v.SellerID] = card{id: v.ScorecardID, created: v.CreatedAt}
		}
	}
	b := &PeriodBenchmark{period: p, version: version, index: map[benchKey]int{}}
	for _, v := range values {
		if latest[v.SellerID].id != v.ScorecardID {
			continue
		}
		k := benchKey{v.Code, v.Metric}
		i, ok := b.index[k]
		if !ok {
			i = len(b.points)
			b.index[k] = i
			b.points = append(b.points, benchPoint{key: k})
		}
		b.points[i].sellers = append(b.points[i].sellers, sellerValue{v.SellerID, v.Value})
	}
	slices.SortFunc(b.points, func(x, y benchPoint) int {
		return cmp.Or(strings.Compare(x.key.code, y.key.code), strings.Compare(x.key.metric, y.key.metric))
	})
	for i := range b.points {
		bp := &b.points[i]
		b.index[bp.key] = i
		// One scorecard lists a code once; should one not, its first value counts.
		slices.SortStableFunc(bp.sellers, func(x, y sellerValue) int { return strings.Compare(x.seller, y.seller) })
		bp.sellers = slices.CompactFunc(bp.sellers, func(x, y sellerValue) bool { return x.seller == y.seller })
		bp.values = make([]float64, len(bp.sellers))
		for j, sv := range bp.sellers {
			bp.values[j] = sv.value
		}
		slices.Sort(bp.values)
		if n := len(bp.values); n >= MinBenchmarkSellers {
			bp.figures = &BenchmarkFigures{Sellers: n, P25: Percentile(bp.values, 0.25),
				Median: Percentile(bp.values, 0.5), P75: Percentile(bp.values, 0.75)}
		}
	}
	return b
}

// Period is the period of the benchmark.
func (b *PeriodBenchmark) Period() Period { return b.period }

// Version is the version of the period's benchmark these values make.
func (b *PeriodBenchmark) Version() int64 { return b.version }

// Benchmark returns the published benchmark: every point with its figures, or with none
// below MinBenchmarkSellers.
func (b *PeriodBenchmark) Benchmark() Benchmark {
	out := Benchmark{Period: b.period, Points: make([]PointBenchmark, len(b.points))}
	for i, bp := range b.points {
		out.Points[i] = PointBenchmark{Code: bp.key.code, Metric: bp.key.metric}
		if bp.figures != nil {
			f := *bp.figures
			out.Points[i].Figures = &f
		}
	}
	return out
}

// Compare returns where each point of scorecard sc stands in the benchmark, or nil when sc
// is not an approved scorecard of the benchmark's period (drafts carry no comparison).
func (b *PeriodBenchmark) Compare(sc Scorecard) *MarketComparison {
	if sc.Status != Approved || !samePeriod(sc.Period, b.period) {
		return nil
	}
	out := &MarketComparison{Version: b.version, Points: make([]*PointComparison, len(sc.Result.Points))}
	for i, p := range sc.Result.Points {
		j, ok := b.index[benchKey{p.Code, p.Metric}]
		if !ok || b.points[j].figures == nil {
			continue
		}
		bp := &b.points[j]
		pc := &PointComparison{Sellers: bp.figures.Sellers, Median: bp.figures.Median}
		if d := checklist.DirectionOf(p.Threshold); pointEvaluated(p) && d.Known() {
			others, worse := len(bp.values), 0
			for _, v := range bp.values {
				if d.Worse(v, p.Value) {
					worse++
				}
			}
			if own, ok := bp.valueOf(sc.SellerID); ok {
				others--
				if d.Worse(own, p.Value) {
					worse--
				}
			}
			if others > 0 {
				share := float64(worse) / float64(others)
				pc.BetterThan = &share
			}
		}
		out.Points[i] = pc
	}
	return out
}

func samePeriod(a, b Period) bool { return a.Start.Equal(b.Start) && a.End.Equal(b.End) }

// periodKey is a period as a map key: its two instants, in seconds.
type periodKey struct{ start, end int64 }

func keyOf(p Period) periodKey { return periodKey{p.Start.Unix(), p.End.Unix()} }

// benchmarkCachePeriods bounds how many periods' benchmarks a Benchmarks keeps.
const benchmarkCachePeriods = 64

// versionReadTimeout bounds a read of a period's version made on behalf of several callers
// (Benchmarks.Version), which no single caller's cancellation may end.
const versionReadTimeout = 10 * time.Second

// Benchmarks computes the benchmarks of periods from a BenchmarkStore and keeps the latest of
// each period in memory, so that reading an approved scorecard with its comparison costs a
// read of the period's version, not a read of every value. An entry is used only while its
// version is the store's: an approval on any process sharing the database moves the version,
// and the next read computes the benchmark again. Each period is computed by one caller at a
// time; the others wait for its result. It is safe for concurrent use.
type Benchmarks struct {
	store   BenchmarkStore
	mu      sync.Mutex
	periods map[periodKey]*benchmarkSlot
	reads   map[periodKey]*versionReads // the reads of versions under way, under mu
}

// benchmarkSlot holds the latest benchmark of one period; its lock is held while it is
// computed.
type benchmarkSlot struct {
	mu    sync.Mutex
	bench *PeriodBenchmark
}

// versionReads are the reads of one period's version: at most one at a time, and the next
// one, not started yet, which every caller that arrives meanwhile joins.
type versionReads struct {
	next *versionRead // nil when no caller waits
}

// versionRead is one read of a period's version, for every caller that joined it before it
// started.
type versionRead struct {
	done    chan struct{}
	callers int // who joined it, under Benchmarks.mu
	version int64
	err     error
}

// NewBenchmarks returns a cache of the benchmarks of store.
func NewBenchmarks(store BenchmarkStore) *Benchmarks {
	return &Benchmarks{store: store, periods: map[periodKey]*benchmarkSlot{}, reads: map[periodKey]*versionReads{}}
}

// Version returns the store's current version of the benchmark of period p. It is read on
// every read of an approved scorecard, so concurrent callers share reads: a caller joins the
// next read that has not started yet (starting it when none is under way), never one under
// way already, so that the version it gets was read after it asked, as fresh as a read of its
// own. At most one read per period is under way at a time; the callers who arrive meanwhile
// are answered, together, by the read that follows it.
func (b *Benchmarks) Version(ctx context.Context, p Period) (int64, error) {
	key := keyOf(p)
	b.mu.Lock()
	g, busy := b.reads[key]
	if !busy {
		// Nothing under way: this caller reads now, alone, in its own context.
		b.reads[key] = &versionReads{}
		b.mu.Unlock()
		v, err := b.store.BenchmarkVersion(ctx, p)
		b.finishRead(ctx, key, p)
		return v, err
	}
	if g.next == nil {
		g.next = &versionRead{done: make(chan struct{})}
	}
	r := g.next
	r.callers++
	b.mu.Unlock()
	select {
	case <-r.done:
		return r.version, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// finishRead ends the read under way of a period: when callers joined the next one, it is
// started for them, apart from any one caller's cancellation.
func (b *Benchmarks) finishRead(ctx context.Context, key periodKey, p Period) {
	b.mu.Lock()
	g := b.reads[key]
	r := g.next
	if r == nil {
		delete(b.reads, key)
		b.mu.Unlock()
		return
	}
	g.next = nil
	b.mu.Unlock()
	go func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), versionReadTimeout)
		r.version, r.err = b.store.BenchmarkVersion(rctx, p)
		cancel()
		close(r.done)
		b.finishRead(ctx, key, p)
	}()
}

// Of returns the benchmark of period p at the store's current version.
func (b *Benchmarks) Of(ctx context.Context, p Period) (*PeriodBenchmark, error) {
	v, err := b.Version(ctx, p)
	if err != nil {
		return nil, err
	}
	return b.at(ctx, p, v)
}

// at returns the benchmark of period p at version v or later, computing it unless the slot
// holds it already.
func (b *Benchmarks) at(ctx context.Context, p Period, v int64) (*PeriodBenchmark, error) {
	key := keyOf(p)
	b.mu.Lock()
	slot, ok := b.periods[key]
	if !ok {
		if len(b.periods) >= benchmarkCachePeriods {
			for k := range b.periods { // an arbitrary period makes room
				delete(b.periods, k)
				break
			}
		}
		slot = &benchmarkSlot{}
		b.periods[key] = slot
	}
	b.mu.Unlock()

	slot.mu.Lock()
	defer slot.mu.Unlock()
	if slot.bench != nil && slot.bench.version >= v {
		return slot.bench, nil
	}
	values, version, err := b.store.BenchmarkValues(ctx, p)
	if err != nil {
		return nil, err
	}
	bench := NewPeriodBenchmark(p, version, values)
	if slot.bench == nil || bench.version >= slot.bench.version {
		slot.bench = bench
	}
	return bench, nil
}

// Compare returns, parallel to cards, the comparison of each approved scorecard with the
// benchmark of its period (nil for any other), reading each period's version once.
func (b *Benchmarks) Compare(ctx context.Context, cards ...Scorecard) ([]*MarketComparison, error) {
	out := make([]*MarketComparison, len(cards))
	byPeriod := map[periodKey]*PeriodBenchmark{}
	for i, sc := range cards {
		if sc.Status != Approved {
			continue
		}
		key := keyOf(sc.Period)
		bench, ok := byPeriod[key]
		if !ok {
			var err error
			if bench, err = b.Of(ctx, sc.Period); err != nil {
				return nil, fmt.Errorf("benchmark of %s to %s: %w", sc.Period.Start.Format(time.DateOnly), sc.Period.End.Format(time.DateOnly), err)
			}
			byPeriod[key] = bench
		}
		out[i] = bench.Compare(sc)
	}
	return out, nil
}

// Benchmark returns the marketplace benchmark of the period [start, end) (YYYY-MM-DD dates,
// checked as ParsePeriod checks them, every problem a *ValidationError). Every role may read
// it, sellers included: it shows no seller's figure.
func (s *Service) Benchmark(ctx context.Context, by Principal, start, end string) (Benchmark, error) {
	if !by.Role.Valid() {
		return Benchmark{}, fmt.Errorf("benchmark: %w", ErrForbidden)
	}
	p, errs := ParsePeriod(start, end)
	if err := Invalid(errs); err != nil {
		return Benchmark{}, err
	}
	bench, err := s.benchmarks.Of(ctx, p)
	if err != nil {
		return Benchmark{}, err
	}
	return bench.Benchmark(), nil
}

// CompareScorecards returns, parallel to cards, where each approved scorecard stands in the
// benchmark of its period (nil for a draft or a superseded one). The caller has read the
// scorecards as its principal may see them; the comparison adds nothing about other sellers
// beyond the published benchmark and the share of them each value beats.
func (s *Service) CompareScorecards(ctx context.Context, cards ...Scorecard) ([]*MarketComparison, error) {
	return s.benchmarks.Compare(ctx, cards...)
}

// BenchmarkVersion returns the current version of the benchmark of period p, which moves on
// with every approval of a scorecard of p, on any process sharing the database: a comparison
// made at an earlier version is stale.
func (s *Service) BenchmarkVersion(ctx context.Context, p Period) (int64, error) {
	return s.benchmarks.Version(ctx, p)
}
