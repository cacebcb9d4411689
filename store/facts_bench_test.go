package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// BenchmarkAuditFacts measures Store.Facts alone, every seller over a year, on the records of
// BenchmarkAuditSellers (scaled the same way by REFURBQA_AUDIT_BENCH_SCALE): the part of an
// audit that the charter metrics' SQL conditions decide.
func BenchmarkAuditFacts(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			ctx := context.Background()
			st := backend.Open(b, store.Config{})
			scale := auditBenchScale(b)
			sellers := max(1, int(benchSellers*scale))
			seedAuditScale(b, st, sellers, max(1, int(benchUnits*scale)), max(1, int(benchOrders*scale)))
			p, errs := audit.ParsePeriod("2026-01-01", "2027-01-01")
			require.Empty(b, errs)
			b.ResetTimer()
			for b.Loop() {
				facts, err := st.Facts(ctx, p, nil)
				require.NoError(b, err)
				require.Len(b, facts, sellers)
			}
		})
	}
}
