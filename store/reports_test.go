package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// TestReportInputQueriesDoNotGrowWithEvidence: a report reads a handful of queries whatever
// the size of its evidence (every kind of record is read in one query per 500 ids, never one
// per record).
func TestReportInputQueriesDoNotGrowWithEvidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb := e.seller("A"), e.seller("B")
		seedQuarter(e, a, bb)
		q3 := auPeriod(t, "2026-07-01", "2026-10-01")
		compiled := auCompiled(t)
		res, err := e.st.AuditSellers(ctx, auditor, q3, compiled, []string{a})
		require.NoError(t, err)
		reads := e.st.CountReads()
		in, err := e.st.ReportInput(ctx, res.Scorecards[0], false)
		require.NoError(t, err)
		few := reads.Load()
		t.Logf("%d queries for %d evidence records", few, len(in.Evidence))
		assert.LessOrEqual(t, few, int64(8), "a handful of queries")

		for i := range 400 {
			e.bench(a, fmt.Sprintf("bt_x%03d", i), "2026-08-20T10:00:00Z", auRow{"liquid_damage": true})
		}
		res, err = e.st.AuditSellers(ctx, auditor, q3, compiled, []string{a})
		require.NoError(t, err)
		reads.Store(0)
		more, err := e.st.ReportInput(ctx, res.Scorecards[0], false)
		require.NoError(t, err)
		assert.Equal(t, few, reads.Load(), "as many queries for %d evidence records as for %d", len(more.Evidence), len(in.Evidence))
		for i := range 400 {
			assert.Contains(t, more.Evidence, fmt.Sprintf("bt_x%03d", i))
		}
	})
}

// BenchmarkReportInput reads the input of the report of a scorecard with hundreds of evidence
// records (a year of 2,000 bench tests and 200 mystery orders).
func BenchmarkReportInput(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			ctx := context.Background()
			st := backend.Open(b, store.Config{})
			seedAuditScale(b, st, 1, 2000, 200)
			def, err := checklist.DefaultCharter()
			require.NoError(b, err)
			require.NoError(b, st.EnsureDefaultCharter(ctx, auditor, def))
			compiled, err := checklist.Compile(def)
			require.NoError(b, err)
			p, errs := audit.ParsePeriod("2026-01-01", "2027-01-01")
			require.Empty(b, errs)
			res, err := st.AuditSellers(ctx, auditor, p, compiled, nil)
			require.NoError(b, err)
			sc := res.Scorecards[0]
			n := 0
			for _, pt := range sc.Result.Points {
				n += len(pt.Evidence)
			}
			b.ResetTimer()
			for b.Loop() {
				_, err := st.ReportInput(ctx, sc, false)
				require.NoError(b, err)
			}
			b.ReportMetric(float64(n), "evidence")
		})
	}
}
