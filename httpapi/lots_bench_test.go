package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// BenchmarkLotSamples measures POST /api/v1/lots/{id}/samples through the whole HTTP stack
// (routing, authentication, decoding, the service, the group commit on a SQLite file, the
// answer with the whole lot), as the load tool's lot-samples scenario drives it: 8 concurrent
// clients add conforming parts to lots of 2,000 samples (lot size 1,000,000 at level III, major
// AQL 0.65), which fill one after the other. It reports samples stored per second.
func BenchmarkLotSamples(b *testing.B) {
	const clients, perLot = 8, 2000
	ctx := context.Background()
	st := storetest.OpenSQLite(b, store.Config{})
	protocols, err := checklist.LoadProtocols()
	require.NoError(b, err)
	cfg, err := httpapi.StoreConfig(httpapi.Config{Service: audit.NewService(audit.ServiceConfig{Store: st, Protocols: protocols})}, st)
	require.NoError(b, err)
	srv, err := httpapi.New(cfg)
	require.NoError(b, err)
	_, token, err := st.CreateKey(ctx, system, audit.Key{Name: "lab", Role: audit.RoleTechnician})
	require.NoError(b, err)
	post := func(path string, body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	var paths []string
	newLot := func() {
		body := fmt.Sprintf(`{"kind":"parts","lot_ref":"B-%d","lot_size":1000000,"inspection_level":"III",`+
			`"aql":{"major":0.65},"supplier":"Bench supplier","part_type":"screen","received_at":"2026-10-01T08:00:00Z"}`, len(paths))
		rec := post("/api/v1/lots", []byte(body))
		require.Equal(b, http.StatusCreated, rec.Code, "%s", rec.Body)
		var lot struct {
			ID         string `json:"id"`
			SampleSize int    `json:"sample_size"`
		}
		require.NoError(b, json.Unmarshal(rec.Body.Bytes(), &lot))
		require.Equal(b, perLot, lot.SampleSize)
		paths = append(paths, "/api/v1/lots/"+lot.ID+"/samples")
	}
	// Enough lots for every iteration, made before the clock starts.
	for range (b.N + perLot - 1) / perLot {
		newLot()
	}
	part := []byte(`{"serial":"SN-1","defects":[]}`)
	var seq atomic.Int64
	b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := int(seq.Add(1) - 1)
			rec := post(paths[k/perLot], part)
			if rec.Code != http.StatusCreated {
				b.Errorf("sample %d answered %d: %.300s", k, rec.Code, rec.Body)
				return
			}
		}
	})
	b.ReportMetric(float64(seq.Load())/b.Elapsed().Seconds(), "samples/s")
}
