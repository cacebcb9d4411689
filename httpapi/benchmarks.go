package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
)

// benchmarkPeriodJSON is the period of a benchmark, its end exclusive.
type benchmarkPeriodJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// benchmarkPointJSON is the benchmark of one charter point: every figure null, the count of
// sellers included, when fewer than five sellers contribute.
type benchmarkPointJSON struct {
	Code    string   `json:"code"`
	Metric  string   `json:"metric"`
	Sellers *int     `json:"sellers"`
	P25     *float64 `json:"p25"`
	Median  *float64 `json:"median"`
	P75     *float64 `json:"p75"`
}

// benchmarkJSON is the answer of GET /api/v1/benchmarks.
type benchmarkJSON struct {
	Period benchmarkPeriodJSON  `json:"period"`
	Points []benchmarkPointJSON `json:"points"`
}

func toBenchmarkJSON(b audit.Benchmark) benchmarkJSON {
	out := benchmarkJSON{
		Period: benchmarkPeriodJSON{Start: b.Period.Start.UTC().Format(time.DateOnly), End: b.Period.End.UTC().Format(time.DateOnly)},
		Points: make([]benchmarkPointJSON, len(b.Points)),
	}
	for i, p := range b.Points {
		out.Points[i] = benchmarkPointJSON{Code: p.Code, Metric: p.Metric}
		if f := p.Figures; f != nil {
			n, p25, median, p75 := f.Sellers, f.P25, f.Median, f.P75
			out.Points[i].Sellers, out.Points[i].P25, out.Points[i].Median, out.Points[i].P75 = &n, &p25, &median, &p75
		}
	}
	return out
}

// scorecardBenchmarkJSON is where one point of an approved scorecard stands in the benchmark
// of its period (audit.PointComparison).
type scorecardBenchmarkJSON struct {
	Sellers    int      `json:"sellers"`
	Median     float64  `json:"median"`
	BetterThan *float64 `json:"better_than"`
}

func toScorecardBenchmarkJSON(c *audit.PointComparison) *scorecardBenchmarkJSON {
	if c == nil {
		return nil
	}
	out := &scorecardBenchmarkJSON{Sellers: c.Sellers, Median: c.Median}
	if c.BetterThan != nil {
		v := *c.BetterThan
		out.BetterThan = &v
	}
	return out
}

// getBenchmarks answers the marketplace benchmark of a period (every role, sellers
// included): ?period_start=&period_end=, checked as an audit's period (audit.ParsePeriod).
func (s *Server) getBenchmarks(c echo.Context) error {
	q := newQuery(c)
	start, end := q.str("period_start", 64), q.str("period_end", 64)
	if err := q.err(); err != nil {
		return err
	}
	b, err := s.svc.Benchmark(c.Request().Context(), mustPrincipal(c), start, end)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toBenchmarkJSON(b))
}

// scorecardsJSON answers a page of scorecards, each approved one compared with the benchmark
// of its period (one read of each period's benchmark version for the whole page).
func (s *Server) scorecardsJSON(c echo.Context, items []audit.Scorecard, next string) error {
	cmps, err := s.svc.CompareScorecards(c.Request().Context(), items...)
	if err != nil {
		return err
	}
	out := listResponse[scorecardJSON]{Items: make([]scorecardJSON, len(items)), NextCursor: next}
	for i, sc := range items {
		out.Items[i] = toScorecardJSON(sc, cmps[i])
	}
	return writeJSON(c, http.StatusOK, out)
}
