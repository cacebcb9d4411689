package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value is every percentile", ms(7), 99, 7 * time.Millisecond},
		{"median of four is the second (nearest rank)", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p95 of 1..100", ms(hundred...), 95, 95 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p100 is the max", ms(hundred...), 100, 100 * time.Millisecond},
		{"p99 of ten is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"tiny p is the min", ms(5, 6, 7), 0.1, 5 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, percentile(tc.sorted, tc.p))
		})
	}
}

func TestReport(t *testing.T) {
	a, b := newTally(), newTally()
	for i := 1; i <= 60; i++ {
		a.latencies = append(a.latencies, time.Duration(i)*time.Millisecond)
	}
	for i := 61; i <= 100; i++ {
		b.latencies = append(b.latencies, time.Duration(i)*time.Millisecond)
	}
	a.status[200], b.status[200], b.status[503] = 60, 38, 2
	a.devices, a.created, b.devices = 30000, 29990, 19000
	b.locked, b.transport, b.firstErr = 1, 3, "POST /x: 503 database is locked"
	a.merge(b)
	r := a.report("ingest", "http://127.0.0.1:8080", 8, 500, 10*time.Second)

	assert.Equal(t, 100, r.Requests)
	assert.InDelta(t, 10.0, r.RequestsPS, 1e-9)
	assert.Equal(t, 49000, r.Devices)
	assert.InDelta(t, 4900.0, r.DevicesPS, 1e-9)
	assert.Equal(t, 29990, r.Created)
	assert.Equal(t, Latency{P50: 50, P95: 95, P99: 99, Max: 100, Mean: 50.5}, r.Latency)
	assert.Equal(t, map[string]int{"200": 98, "503": 2}, r.Status)
	assert.Equal(t, 2, r.ServerErrors)
	assert.Equal(t, 1, r.DatabaseLocked)
	assert.Equal(t, 3, r.TransportErrors)
	assert.Equal(t, 500, r.Batch)

	var table bytes.Buffer
	r.WriteTable(&table)
	for _, want := range []string{"scenario           ingest", "requests           100 (10.0/s)", "devices            49000 (4900.0/s), 29990 created",
		"p50 50.00  p95 95.00  p99 99.00  max 100.00", "200: 98, 503: 2", `5xx 2, transport 3, "database is locked" 1`, "first error"} {
		assert.Contains(t, table.String(), want)
	}
	var js bytes.Buffer
	require.NoError(t, r.WriteJSON(&js))
	var back Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	assert.Equal(t, r, back)

	// A read scenario reports no devices.
	r = newTally().report("scorecards", "u", 64, 500, time.Second)
	assert.Zero(t, r.Batch)
	assert.Zero(t, r.DevicesPS)
	assert.NotContains(t, func() string { var b bytes.Buffer; r.WriteTable(&b); return b.String() }(), "devices")
}

func TestLoopbackOnly(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080", "http://127.9.8.7", "https://[::1]:8443/", "http://localhost:8080"} {
		u, err := loopbackURL(ok)
		if assert.NoError(t, err, ok) {
			assert.False(t, strings.HasSuffix(u.String(), "/"))
		}
	}
	for _, bad := range []string{"http://10.0.0.1:8080", "http://192.168.1.20", "http://172.16.0.1", "http://8.8.8.8",
		"http://example.com", "http://0.0.0.0:8080", "ftp://127.0.0.1", "127.0.0.1:8080", "http://", "http://user:pw@127.0.0.1",
		"http://127.0.0.1.example.com", "http://[::ffff:10.0.0.1]"} {
		_, err := loopbackURL(bad)
		assert.Error(t, err, bad)
	}
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"refurbqa-load", "--url", "http://10.1.2.3:8080", "--token", "t", "--scenario", "preview"},
		func(string) string { return "" }, io.Discard, &stderr)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr.String(), "not a loopback address")
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--scenario", "nope", "--token", "t"},
		{"--scenario", "preview"}, // no token
		{"--scenario", "ingest", "--token", "t", "--batch", "1001"},
		{"--scenario", "preview", "--token", "t", "--duration", "11m"},
		{"--scenario", "preview", "--token", "t", "--concurrency", "0"},
		{"--scenario", "preview", "--token", "t", "extra"},
	} {
		code := run(context.Background(), append([]string{"refurbqa-load"}, args...), func(string) string { return "" }, io.Discard, io.Discard)
		assert.Equal(t, 2, code, args)
	}
}

// TestRun drives a fake server: previews answered 200, then 503 with "database is locked", and
// checks what the report counts.
func TestRun(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/api/v1/grading/preview", r.URL.Path)
		assert.Equal(t, "Bearer tok", r.Header.Get("Authorization"))
		var doc map[string]any
		assert.NoError(t, json.NewDecoder(r.Body).Decode(&doc))
		assert.Contains(t, doc, "functional")
		if calls.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"detail":"database is locked"}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":"sellable"}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"refurbqa-load", "--url", srv.URL, "--scenario", "preview", "--concurrency", "2",
		"--duration", "2s", "--requests", "40", "--json", filepath.Join(dir, "r.json")},
		func(k string) string { return map[string]string{"REFURBQA_TOKEN": "tok"}[k] }, &stdout, &stderr)
	assert.Equal(t, 1, code, "5xx answers make the run fail: %s", stderr.String())
	b, err := os.ReadFile(filepath.Join(dir, "r.json"))
	require.NoError(t, err)
	var r Report
	require.NoError(t, json.Unmarshal(b, &r))
	assert.GreaterOrEqual(t, r.Requests, 40)
	assert.Equal(t, r.Requests, r.Status["200"]+r.Status["503"])
	assert.Positive(t, r.Status["503"])
	assert.Equal(t, r.Status["503"], r.ServerErrors)
	assert.Equal(t, r.Status["503"], r.DatabaseLocked)
	assert.Contains(t, stdout.String(), "scenario           preview")
}

// TestIngestBody checks the batch documents of the ingest scenario: valid JSON, the batch size,
// a distinct external id on every item.
func TestIngestBody(t *testing.T) {
	u, err := loopbackURL("http://127.0.0.1:1")
	require.NoError(t, err)
	r := newRunner(options{url: u, token: "t", scenario: "ingest", concurrency: 1, batch: 7, seed: 1, timeout: time.Second}, io.Discard)
	require.NoError(t, r.buildItems([]string{"sl_a", "sl_b"}))
	seen := map[string]bool{}
	var body bytes.Buffer
	for range 3 {
		req, devices, err := r.request(context.Background(), newTestRand(), &body, 0)
		require.NoError(t, err)
		assert.Equal(t, 7, devices)
		assert.Equal(t, "/api/v1/bench-tests/batch", req.URL.Path)
		var doc struct {
			Items []map[string]any `json:"items"`
		}
		require.NoError(t, json.Unmarshal(body.Bytes(), &doc))
		require.Len(t, doc.Items, 7)
		for _, it := range doc.Items {
			id := it["external_id"].(string)
			assert.False(t, seen[id], id)
			seen[id] = true
			assert.Contains(t, []any{"sl_a", "sl_b"}, it["seller_id"])
			assert.Contains(t, it, "inspection")
			assert.Contains(t, it, "tested_at")
		}
	}
}

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// TestPublicProfilesScenario lists the sellers with the token, then reads their public pages
// without it, as buyers do.
func TestPublicProfilesScenario(t *testing.T) {
	var pages atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/v1/sellers":
			assert.Equal(t, "Bearer tok", r.Header.Get("Authorization"))
			_, _ = w.Write([]byte(`{"items":[{"id":"sl_a"},{"id":"sl_b"}],"next_cursor":""}`))
		case r.URL.Path == "/public/sellers/sl_a" || r.URL.Path == "/public/sellers/sl_b":
			assert.Empty(t, r.Header.Get("Authorization"), "a public page is read without a key")
			pages.Add(1)
			_, _ = w.Write([]byte(`<!DOCTYPE html>`))
		default:
			t.Errorf("unexpected %s", r.URL.Path)
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"refurbqa-load", "--url", srv.URL, "--token", "tok", "--scenario", "public-profiles",
		"--concurrency", "2", "--duration", "2s", "--warmup", "0s", "--requests", "20"}, func(string) string { return "" }, &stdout, &stderr)
	assert.Equal(t, 0, code, stderr.String())
	assert.GreaterOrEqual(t, pages.Load(), int64(20))
	assert.Contains(t, stdout.String(), "scenario           public-profiles")
	assert.Contains(t, stderr.String(), "2 public profiles")
}
