package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Report is the result of one load run, as printed and as written by --json.
type Report struct {
	Scenario    string  `json:"scenario"`
	URL         string  `json:"url"`
	Concurrency int     `json:"concurrency"`
	Batch       int     `json:"batch,omitempty"`
	Seconds     float64 `json:"seconds"` // measured time, warm-up excluded
	Requests    int     `json:"requests"`
	RequestsPS  float64 `json:"requests_per_second"`
	// Devices and DevicesPS count the items of ingest batches answered 200 (ingest only).
	Devices   int     `json:"devices,omitempty"`
	DevicesPS float64 `json:"devices_per_second,omitempty"`
	Created   int     `json:"created,omitempty"` // items reported "created"
	Latency   Latency `json:"latency_ms"`
	// Status counts responses by HTTP status; TransportErrors counts requests that got none.
	Status          map[string]int `json:"status"`
	TransportErrors int            `json:"transport_errors"`
	ServerErrors    int            `json:"server_errors"` // 5xx
	DatabaseLocked  int            `json:"database_locked"`
	FirstError      string         `json:"first_error,omitempty"`
}

// Latency holds latency percentiles in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of sorted: the smallest
// value with at least p% of the values at or below it. An empty slice gives 0.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Millisecond)*1000) / 1000 }

// latencyOf summarises latencies; it sorts them in place.
func latencyOf(lat []time.Duration) Latency {
	if len(lat) == 0 {
		return Latency{}
	}
	slices.Sort(lat)
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	return Latency{
		P50: ms(percentile(lat, 50)), P95: ms(percentile(lat, 95)), P99: ms(percentile(lat, 99)),
		Max: ms(lat[len(lat)-1]), Mean: ms(sum / time.Duration(len(lat))),
	}
}

// tally is what one worker observed; workers merge theirs at the end, so the hot path takes no
// lock.
type tally struct {
	latencies []time.Duration
	status    map[int]int
	transport int
	locked    int
	devices   int
	created   int
	firstErr  string
}

func newTally() *tally { return &tally{status: map[int]int{}} }

func (t *tally) merge(o *tally) {
	t.latencies = append(t.latencies, o.latencies...)
	for k, v := range o.status {
		t.status[k] += v
	}
	t.transport += o.transport
	t.locked += o.locked
	t.devices += o.devices
	t.created += o.created
	if t.firstErr == "" {
		t.firstErr = o.firstErr
	}
}

// report turns a merged tally into a Report over elapsed.
func (t *tally) report(scenario, url string, concurrency, batch int, elapsed time.Duration) Report {
	r := Report{Scenario: scenario, URL: url, Concurrency: concurrency, Seconds: math.Round(elapsed.Seconds()*1000) / 1000,
		Status: map[string]int{}, TransportErrors: t.transport, DatabaseLocked: t.locked, FirstError: t.firstErr}
	if scenario == "ingest" {
		r.Batch = batch
	}
	r.Requests = len(t.latencies)
	for code, n := range t.status {
		r.Status[strconv.Itoa(code)] = n
		if code >= 500 {
			r.ServerErrors += n
		}
	}
	if s := elapsed.Seconds(); s > 0 {
		r.RequestsPS = math.Round(float64(r.Requests)/s*10) / 10
		if scenario == "ingest" {
			r.Devices, r.Created = t.devices, t.created
			r.DevicesPS = math.Round(float64(t.devices)/s*10) / 10
		}
	}
	r.Latency = latencyOf(t.latencies)
	return r
}

// WriteTable prints the report as a small table.
func (r Report) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "%-18s %s\n", "scenario", r.Scenario)
	fmt.Fprintf(w, "%-18s %s\n", "url", r.URL)
	fmt.Fprintf(w, "%-18s %d\n", "concurrency", r.Concurrency)
	if r.Batch > 0 {
		fmt.Fprintf(w, "%-18s %d\n", "batch", r.Batch)
	}
	fmt.Fprintf(w, "%-18s %.1f s\n", "measured", r.Seconds)
	fmt.Fprintf(w, "%-18s %d (%.1f/s)\n", "requests", r.Requests, r.RequestsPS)
	if r.Scenario == "ingest" {
		fmt.Fprintf(w, "%-18s %d (%.1f/s), %d created\n", "devices", r.Devices, r.DevicesPS, r.Created)
	}
	fmt.Fprintf(w, "%-18s p50 %.2f  p95 %.2f  p99 %.2f  max %.2f  mean %.2f\n", "latency (ms)",
		r.Latency.P50, r.Latency.P95, r.Latency.P99, r.Latency.Max, r.Latency.Mean)
	codes := make([]string, 0, len(r.Status))
	for c := range r.Status {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%s: %d", c, r.Status[c]))
	}
	fmt.Fprintf(w, "%-18s %s\n", "status", strings.Join(parts, ", "))
	fmt.Fprintf(w, "%-18s 5xx %d, transport %d, \"database is locked\" %d\n", "errors", r.ServerErrors, r.TransportErrors, r.DatabaseLocked)
	if r.FirstError != "" {
		fmt.Fprintf(w, "%-18s %s\n", "first error", r.FirstError)
	}
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
