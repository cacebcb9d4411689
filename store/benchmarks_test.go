package store_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// benchDocPoint is one point of the store's points document, as the store writes it (the
// benchmark and profile tests insert scorecards with it).
type benchDocPoint struct {
	Code      string   `json:"code"`
	Title     string   `json:"title"`
	Area      string   `json:"area"`
	Severity  string   `json:"severity"`
	Weight    int      `json:"weight"`
	Status    string   `json:"status"`
	Metric    string   `json:"metric"`
	Value     float64  `json:"value"`
	Threshold string   `json:"threshold"`
	Samples   int      `json:"samples"`
	Evidence  []string `json:"evidence"`
}

// pointsCard inserts a draft scorecard of seller over [start, end) whose points have these
// statuses and values (codes QC01, QC02, … in order).
func (e *auditEnv) pointsCard(seller, id, start, end string, statuses []string, values []float64) {
	e.t.Helper()
	docs := make([]benchDocPoint, len(values))
	for i, v := range values {
		docs[i] = benchDocPoint{Code: fmt.Sprintf("QC%02d", i+1), Title: "t", Area: "device", Severity: "major", Weight: 4,
			Status: statuses[i], Metric: fmt.Sprintf("metric_%d", i+1), Value: v, Threshold: "<= 0.05", Samples: 10, Evidence: []string{}}
	}
	b, err := json.Marshal(docs)
	require.NoError(e.t, err)
	e.insert("scorecards", auRow{
		"id": id, "seller_id": seller, "period_start": start, "period_end": end,
		"charter_version": "2026.1", "score": 50.0, "tier": "watch", "evaluated_points": len(values),
		"failed_points": 0, "failed_critical": 0, "points": string(b), "created_at": e.clock.Now(),
	}, nil)
	e.insert("scorecard_drafts", auRow{"seller_id": seller, "period_start": start, "period_end": end,
		"charter_version": "2026.1", "scorecard_id": id}, nil)
}

func sortedValues(vs []audit.BenchmarkValue) []audit.BenchmarkValue {
	slices.SortFunc(vs, func(a, b audit.BenchmarkValue) int {
		return cmp.Or(strings.Compare(a.ScorecardID, b.ScorecardID), strings.Compare(a.Code, b.Code))
	})
	return vs
}

// The store keeps, for each approved scorecard, exactly audit.BenchmarkValues of it, and a
// version per period that each approval moves on; drafts and other periods are not in a
// period's values. Migration 00017 makes the same rows, by the same rule in SQL, for the
// scorecards approved before it: taken down and up again, it gives the same answers, to the
// bit of every value.
func TestBenchmarkValuesKeptOnApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		q3 := auPeriod(t, "2026-07-01", "2026-10-01")
		q4 := auPeriod(t, "2026-10-01", "2027-01-01")
		p, i, f, x := "pass", "insufficient_data", "fail", "pass"
		awkward := []float64{1.0 / 3, 2.0 / 3, 7.0 / 120, 0.1 + 0.2, 1e-7, 123456.789, 0, 5, 1 - 0.05, 0.016666666666666666}
		var approved []string
		for n := range 6 {
			seller := e.seller(fmt.Sprintf("S%d", n))
			vals := make([]float64, 4)
			for k := range vals {
				vals[k] = awkward[(n+k)%len(awkward)]
			}
			id := fmt.Sprintf("sc_q3_%d", n)
			e.pointsCard(seller, id, "2026-07-01", "2026-10-01", []string{p, i, f, x}, vals)
			if n < 5 {
				e.approve(id)
				approved = append(approved, id)
			}
			e.pointsCard(seller, fmt.Sprintf("sc_q4_%d", n), "2026-10-01", "2027-01-01", []string{p, p, p, p}, vals)
		}
		e.approve("sc_q4_0")
		// An approved scorecard that evaluated nothing moves the version on and adds no value.
		s7 := e.seller("S7")
		e.pointsCard(s7, "sc_q3_7", "2026-07-01", "2026-10-01", []string{i, i}, []float64{0.5, 0.5})
		e.approve("sc_q3_7")

		var want []audit.BenchmarkValue
		for _, id := range approved {
			sc, err := e.st.Scorecard(ctx, id)
			require.NoError(t, err)
			want = append(want, audit.BenchmarkValues(sc)...)
		}
		require.Len(t, want, 5*3, "three evaluated points per approved scorecard")
		want = sortedValues(want)

		check := func(stage string) {
			got, v, err := e.st.BenchmarkValues(ctx, q3)
			require.NoError(t, err)
			assert.Equal(t, want, sortedValues(got), stage)
			assert.Equal(t, int64(6), v, "%s: six approvals of Q3", stage)
			v, err = e.st.BenchmarkVersion(ctx, q3)
			require.NoError(t, err)
			assert.Equal(t, int64(6), v, stage)

			got, v, err = e.st.BenchmarkValues(ctx, q4)
			require.NoError(t, err)
			assert.Len(t, got, 4, stage)
			assert.Equal(t, int64(1), v, stage)

			none := auPeriod(t, "2026-07-01", "2026-08-01")
			got, v, err = e.st.BenchmarkValues(ctx, none)
			require.NoError(t, err)
			assert.Empty(t, got, stage)
			assert.Zero(t, v, stage)
			v, err = e.st.BenchmarkVersion(ctx, none)
			require.NoError(t, err)
			assert.Zero(t, v, stage)
		}
		check("written on approval")

		m := migrator(t, b, e.st)
		_, err := m.DownTo(ctx, 16)
		require.NoError(t, err)
		_, err = m.UpTo(ctx, 17)
		require.NoError(t, err)
		check("made by migration 00017")

		// And approvals after the migration go on from its versions.
		e.approve("sc_q3_5")
		v, err := e.st.BenchmarkVersion(ctx, q3)
		require.NoError(t, err)
		assert.Equal(t, int64(7), v)
		got, _, err := e.st.BenchmarkValues(ctx, q3)
		require.NoError(t, err)
		assert.Len(t, got, 6*3)
	})
}

// Through the service, the benchmark of a period follows the approvals on the store: a fifth
// seller's approval publishes it.
func TestBenchmarkThroughService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		svc := e.service()
		for n := range 5 {
			seller := e.seller(fmt.Sprintf("S%d", n))
			id := fmt.Sprintf("sc_%d", n)
			e.pointsCard(seller, id, "2026-07-01", "2026-10-01", []string{"fail"}, []float64{float64(n) / 100})
			e.approve(id)
			bm, err := svc.Benchmark(ctx, audit.Principal{Role: audit.RoleSeller, SellerID: seller}, "2026-07-01", "2026-10-01")
			require.NoError(t, err)
			require.Len(t, bm.Points, 1)
			if n < 4 {
				assert.Nil(t, bm.Points[0].Figures, "%d sellers", n+1)
				continue
			}
			assert.Equal(t, &audit.BenchmarkFigures{Sellers: 5, P25: 0.01, Median: 0.02, P75: 0.03}, bm.Points[0].Figures)
		}
	})
}

// BenchmarkPeriodBenchmark reads and computes the benchmark of one period at marketplace
// scale: 1,800 sellers' approved scorecards, each having evaluated 24 points (43,200 values),
// the work of the first read of a period after an approval.
func BenchmarkPeriodBenchmark(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			ctx := context.Background()
			st := backend.Open(b, store.Config{})
			def, err := checklist.DefaultCharter()
			require.NoError(b, err)
			require.NoError(b, st.EnsureDefaultCharter(ctx, auditor, def))
			db := st.AuditsTestDB()
			var cards, rows []map[string]any
			for i := range benchSellers {
				seller, err := st.CreateSeller(ctx, auditor, audit.Seller{Name: fmt.Sprintf("S%d", i), Country: "FR", ContactEmail: "qa@example.com"})
				require.NoError(b, err)
				id := fmt.Sprintf("sc_bench_%04d", i)
				created := time.Date(2027, 1, 2, 0, 0, i, 0, time.UTC)
				cards = append(cards, map[string]any{"id": id, "seller_id": seller.ID, "period_start": "2026-01-01",
					"period_end": "2027-01-01", "charter_version": "2026.1", "tier": "watch", "evaluated_points": 24,
					"failed_points": 0, "failed_critical": 0, "points": "[]", "created_at": created})
				var lines []string
				for k := 1; k <= 24; k++ {
					lines = append(lines, fmt.Sprintf("QC%02d\tmetric_%d_rate\t%v", k, k, float64((i*7+k)%100)/100))
				}
				rows = append(rows, map[string]any{"period_start": "2026-01-01", "period_end": "2027-01-01",
					"scorecard_id": id, "seller_id": seller.ID, "created_at": created, "points": strings.Join(lines, "\n")})
			}
			require.NoError(b, db.Table("scorecards").CreateInBatches(cards, 100).Error)
			require.NoError(b, db.Table("benchmark_scorecards").CreateInBatches(rows, 100).Error)
			require.NoError(b, db.Exec("INSERT INTO benchmark_versions (period_start, period_end, version) VALUES ('2026-01-01', '2027-01-01', ?)", benchSellers).Error)
			p, errs := audit.ParsePeriod("2026-01-01", "2027-01-01")
			require.Empty(b, errs)
			b.ResetTimer()
			for b.Loop() {
				vs, v, err := st.BenchmarkValues(ctx, p)
				require.NoError(b, err)
				bench := audit.NewPeriodBenchmark(p, v, vs)
				require.Len(b, bench.Benchmark().Points, 24)
			}
		})
	}
}
