package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// fuzzListPaths are the list endpoints whose query parameters FuzzQueryParams throws arbitrary
// strings at; {id} is replaced by the fuzzed id, {own} by a seller that has records.
var fuzzListPaths = []string{
	"/api/v1/mystery-orders",
	"/api/v1/mystery-orders/{id}",
	"/api/v1/sellers/{own}/kpis",
	"/api/v1/sellers/{id}/kpis",
	"/api/v1/bench-tests",
	"/api/v1/sellers",
	"/api/v1/keys",
	"/api/v1/events",
}

// FuzzQueryParams sends arbitrary query strings (limit, cursor, from, to, seller_id and
// anything else) and path ids to the list endpoints through the full router, as an admin, and
// checks that no input produces a 5xx (api.md: "No input may produce a 5xx").
func FuzzQueryParams(f *testing.F) {
	ctx := context.Background()
	st := storetest.Open(f, store.Config{})
	protocols, err := checklist.LoadProtocols()
	require.NoError(f, err)
	cfg, err := httpapi.StoreConfig(httpapi.Config{Service: audit.NewService(audit.ServiceConfig{Store: st, Protocols: protocols})}, st)
	require.NoError(f, err)
	srv, err := httpapi.New(cfg)
	require.NoError(f, err)
	seller, err := st.CreateSeller(ctx, system, audit.Seller{Name: "Fuzz Refurb", Country: "FR", ContactEmail: "fuzz@example.com"})
	require.NoError(f, err)
	_, token, err := st.CreateKey(ctx, system, audit.Key{Name: "fuzz", Role: audit.RoleAdmin})
	require.NoError(f, err)
	for i := range 3 {
		_, err := st.PutKPIMonth(ctx, system, audit.KPIMonth{SellerID: seller.ID, Month: fmt.Sprintf("2026-0%d", i+1), Orders: 10})
		require.NoError(f, err)
	}
	mo := audit.MysteryOrder{
		SellerID: seller.ID, OrderRef: "MO-FUZZ", OrderedAt: time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC),
		ListedGrade: grading.Good, Submitted: []byte(`{}`),
		Inspection: grading.Inspection{Device: grading.Device{Category: grading.Smartphone, Brand: "A", Model: "B"}},
	}
	audit.DeriveMysteryOrder(&mo, protocols[grading.Smartphone])
	for i := range 3 {
		mo.OrderRef = fmt.Sprintf("MO-FUZZ-%d", i)
		_, err := st.CreateMysteryOrder(ctx, system, mo)
		require.NoError(f, err)
	}

	f.Add(uint8(0), "limit=2&cursor=&from=2026-10-01&to=2026-10-03T00:00:00Z&seller_id="+seller.ID, "")
	f.Add(uint8(2), "limit=1&cursor="+store.EncodeCursor("202601"), "")

	f.Fuzz(func(t *testing.T, which uint8, rawQuery, id string) {
		path := fuzzListPaths[int(which)%len(fuzzListPaths)]
		path = strings.ReplaceAll(path, "{own}", seller.ID)
		path = strings.ReplaceAll(path, "{id}", id)
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path, req.URL.RawPath, req.URL.RawQuery = path, "", rawQuery
		req.RequestURI = req.URL.RequestURI()
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("GET %q ? %q answered %d: %s", path, rawQuery, rec.Code, rec.Body.String())
		}
	})
}
