package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// BenchmarkVerification measures one public verification through the whole router, as JSON
// and as the page: the code's one indexed read, the certificate, its encoding, and every
// middleware (the per-address limit off, as for a load test).
func BenchmarkVerification(b *testing.B) {
	ctx := context.Background()
	st := storetest.Open(b, store.Config{})
	cfg, err := httpapi.StoreConfig(httpapi.Config{}, st)
	require.NoError(b, err)
	srv, err := httpapi.New(cfg)
	require.NoError(b, err)
	ps, err := checklist.LoadProtocols()
	require.NoError(b, err)
	s, err := st.CreateSeller(ctx, system, audit.Seller{Name: "S", Country: "FR", ContactEmail: "s@example.com"})
	require.NoError(b, err)
	in := weakPhone(b)
	in.Cosmetic.Body = grading.Zone{LightScratches: 2, VisibleFromCM: 15}
	var codes []string
	for range 64 {
		bt := audit.BenchTest{SellerID: s.ID, Lab: "lab", TestedAt: st.Now(), Inspection: in}
		audit.DeriveBenchTest(&bt, ps[grading.Smartphone])
		rec, _, err := st.CreateBenchTest(ctx, system, bt)
		require.NoError(b, err)
		codes = append(codes, rec.VerificationCode)
	}
	for _, accept := range []string{"application/json", "text/html"} {
		b.Run(accept, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, "/verify/"+codes[i%len(codes)], nil)
					req.Header.Set("Accept", accept)
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
					}
					i++
				}
			})
		})
	}
}
