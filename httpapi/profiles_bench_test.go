package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// BenchmarkPublicProfile reads a seller's public profile through the whole router, as a page,
// as JSON and as its badge: a seller with twelve approved monthly scorecards, one client per
// core, no rate limit.
//
//	go test -run '^$' -bench PublicProfile ./httpapi/
func BenchmarkPublicProfile(b *testing.B) {
	ctx := context.Background()
	st := storetest.Open(b, store.Config{})
	def, err := checklist.DefaultCharter()
	require.NoError(b, err)
	require.NoError(b, st.EnsureDefaultCharter(ctx, system, def))
	cfg, err := httpapi.StoreConfig(httpapi.Config{}, st)
	require.NoError(b, err)
	srv, err := httpapi.New(cfg)
	require.NoError(b, err)
	seller, err := st.CreateSeller(ctx, system, audit.Seller{Name: "Bench Refurb", Country: "FR", ContactEmail: "b@example.com"})
	require.NoError(b, err)
	for m := range 12 {
		start := time.Date(2026, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC)
		sc, err := cfg.Service.AuditSeller(ctx, system, seller.ID, audit.AuditInput{PeriodStart: start.Format(time.DateOnly),
			PeriodEnd: start.AddDate(0, 1, 0).Format(time.DateOnly)}, nil)
		require.NoError(b, err)
		_, _, err = cfg.Service.ApproveScorecard(ctx, system, sc.ID, "")
		require.NoError(b, err)
	}
	for _, tc := range []struct{ name, path, accept string }{
		{"page", "/public/sellers/" + seller.ID, ""},
		{"json", "/public/sellers/" + seller.ID, "application/json"},
		{"badge", "/public/sellers/" + seller.ID + "/badge.svg", ""},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, tc.path, nil)
					if tc.accept != "" {
						req.Header.Set("Accept", tc.accept)
					}
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						panic(fmt.Sprintf("status %d: %s", rec.Code, rec.Body))
					}
				}
			})
		})
	}
}
