package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// BenchmarkAuthenticatedRequest measures what authentication adds to every request (the key
// read, the rate limiter, the last-use policy) on a route that reads nothing else: the metric
// catalogue, through the whole router.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	ctx := context.Background()
	st := storetest.Open(b, store.Config{})
	cfg, err := httpapi.StoreConfig(httpapi.Config{}, st)
	require.NoError(b, err)
	srv, err := httpapi.New(cfg)
	require.NoError(b, err)
	_, token, err := st.CreateKey(ctx, system, audit.Key{Name: "bench", Role: audit.RoleManager})
	require.NoError(b, err)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/metrics", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}
