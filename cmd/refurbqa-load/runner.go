package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/cmd/internal/demogen"
)

// Pool sizes of the generated payloads: enough variety that the server does not see the same
// document over and over, small enough to build in a second before the clock starts.
const (
	itemPool       = 2000
	inspectionPool = 512
	maxScorecards  = 20000
)

// conformingPart is a part sample without a defect.
var conformingPart = []byte(`{"defects":[]}`)

var (
	lockedText  = []byte("database is locked")
	createdText = []byte(`"status":"created"`)
)

// runner is one load run.
type runner struct {
	o      options
	log    io.Writer
	client *http.Client

	// Payloads, built before the clock starts.
	items       [][]byte // ingest: bench tests without external_id, each a JSON object
	inspections [][]byte // preview
	paths       []string // scorecards, reports, console-pages
	cookies     []string // console scenarios: one session per client
	lotSample   int      // lot-samples: the sample size of every lot
	runID       string
	seq         atomic.Int64
	requests    atomic.Int64
}

func newRunner(o options, log io.Writer) *runner {
	tr := &http.Transport{
		MaxIdleConns:        o.concurrency * 2,
		MaxIdleConnsPerHost: o.concurrency * 2,
		MaxConnsPerHost:     o.concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	client := &http.Client{Transport: tr, Timeout: o.timeout,
		// Never follow a redirect: it could point away from the loopback server.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &runner{o: o, log: log, client: client, runID: strconv.FormatInt(time.Now().UnixNano()%(1<<40), 36)}
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.log, "refurbqa-load: "+format+"\n", args...)
}

// run prepares the payloads, then runs the clients for warm-up plus duration.
func (r *runner) run(ctx context.Context) (Report, error) {
	if err := r.prepare(ctx); err != nil {
		return Report{}, err
	}
	r.logf("%s: %d clients for %s (warm-up %s) against %s", r.o.scenario, r.o.concurrency, r.o.duration, r.o.warmup, r.o.url)
	start := time.Now()
	measureFrom := start.Add(r.o.warmup)
	deadline := measureFrom.Add(r.o.duration)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	tallies := make([]*tally, r.o.concurrency)
	var wg sync.WaitGroup
	for i := range tallies {
		tallies[i] = newTally()
		wg.Add(1)
		go func(t *tally, worker int) {
			defer wg.Done()
			r.worker(ctx, cancel, t, worker, measureFrom)
		}(tallies[i], i)
	}
	wg.Wait()
	end := time.Now()
	if end.After(deadline) {
		end = deadline
	}
	total := newTally()
	for _, t := range tallies {
		total.merge(t)
	}
	elapsed := end.Sub(measureFrom)
	if elapsed <= 0 {
		elapsed = time.Since(start)
	}
	return total.report(r.o.scenario, r.o.url.String(), r.o.concurrency, r.o.batch, elapsed), nil
}

// worker sends requests until the run ends, recording those started after measureFrom and
// finished before the deadline.
func (r *runner) worker(ctx context.Context, stop context.CancelFunc, t *tally, worker int, measureFrom time.Time) {
	rng := rand.New(rand.NewPCG(r.o.seed, uint64(worker)))
	var body bytes.Buffer
	var resp bytes.Buffer
	for ctx.Err() == nil {
		req, devices, err := r.request(ctx, rng, &body, worker)
		if err != nil {
			t.transport++
			if t.firstErr == "" {
				t.firstErr = err.Error()
			}
			return
		}
		began := time.Now()
		res, err := r.client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return // the run ended while this request was in flight: not counted
			}
			if began.After(measureFrom) {
				t.transport++
				if t.firstErr == "" {
					t.firstErr = err.Error()
				}
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		resp.Reset()
		_, err = resp.ReadFrom(res.Body)
		res.Body.Close()
		took := time.Since(began)
		if err != nil && ctx.Err() != nil {
			return
		}
		if !began.After(measureFrom) {
			continue // warm-up
		}
		t.latencies = append(t.latencies, took)
		t.status[res.StatusCode]++
		if bytes.Contains(resp.Bytes(), lockedText) {
			t.locked++
		}
		switch {
		case res.StatusCode == http.StatusOK && devices > 0:
			t.devices += devices
			t.created += bytes.Count(resp.Bytes(), createdText)
		case res.StatusCode >= 300 && t.firstErr == "":
			t.firstErr = fmt.Sprintf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, truncate(resp.String(), 300))
		}
		if r.o.maxRequests > 0 && r.requests.Add(1) >= int64(r.o.maxRequests) {
			stop()
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// request builds the next request of the scenario; for ingest it also returns the number of
// bench tests in it.
func (r *runner) request(ctx context.Context, rng *rand.Rand, body *bytes.Buffer, worker int) (*http.Request, int, error) {
	var method, path string
	var payload []byte
	devices := 0
	switch r.o.scenario {
	case "ingest":
		method, path, devices = http.MethodPost, "/api/v1/bench-tests/batch", r.o.batch
		body.Reset()
		body.WriteString(`{"items":[`)
		for i := range r.o.batch {
			if i > 0 {
				body.WriteByte(',')
			}
			// A unique external id per item, so that every item is a new bench test that
			// the server checks for duplicates and stores.
			body.WriteString(`{"external_id":"LT-`)
			body.WriteString(r.runID)
			body.WriteByte('-')
			body.WriteString(strconv.FormatInt(r.seq.Add(1), 36))
			body.WriteString(`",`)
			body.Write(r.items[rng.IntN(len(r.items))][1:])
		}
		body.WriteString(`]}`)
		payload = body.Bytes()
	case "preview":
		method, path = http.MethodPost, "/api/v1/grading/preview"
		payload = r.inspections[rng.IntN(len(r.inspections))]
	case "scorecards":
		method, path = http.MethodGet, r.paths[rng.IntN(len(r.paths))]
	case "reports":
		method, path = http.MethodGet, r.paths[rng.IntN(len(r.paths))]+"/report.pdf"
	case "lot-samples":
		p, ok := r.lotSamplePath()
		if !ok {
			return nil, 0, errors.New("every lot's sample is complete: run for less time")
		}
		method, path = http.MethodPost, p
		payload = conformingPart
	case "console-pages":
		method, path = http.MethodGet, r.paths[rng.IntN(len(r.paths))]
	case "console-preview":
		method, path = http.MethodPost, "/console/bench-tests/preview"
		payload = r.inspections[rng.IntN(len(r.inspections))]
	case "public-profiles", "verify":
		method, path = http.MethodGet, r.paths[rng.IntN(len(r.paths))]
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.o.url.String()+path, rd)
	if err != nil {
		return nil, 0, err
	}
	if consoleScenario(r.o.scenario) {
		req.Header.Set("Cookie", r.cookies[worker%len(r.cookies)])
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if payload != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		return req, devices, nil
	}
	if r.o.scenario == "public-profiles" {
		return req, devices, nil // a buyer's browser: no key
	}
	if r.o.scenario == "verify" {
		r.verifyHeaders(req)
		return req, devices, nil
	}
	req.Header.Set("Authorization", "Bearer "+r.o.token)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, devices, nil
}

// prepare builds the payloads of the scenario, listing what it needs from the server first.
func (r *runner) prepare(ctx context.Context) error {
	switch r.o.scenario {
	case "ingest":
		sellers := r.o.sellers
		if len(sellers) == 0 {
			var err error
			if sellers, err = r.sellerIDs(ctx, 200); err != nil {
				return err
			}
		}
		if len(sellers) == 0 {
			id, err := r.createSeller(ctx)
			if err != nil {
				return fmt.Errorf("no seller to ingest for (pass --seller, or use a manager token so that one is created): %w", err)
			}
			sellers = []string{id}
		}
		return r.buildItems(sellers)
	case "preview":
		return r.buildInspections()
	case "lot-samples":
		return r.createLots(ctx)
	case "console-pages":
		r.paths = r.o.paths
		return r.signIn(ctx)
	case "console-preview":
		if err := r.signIn(ctx); err != nil {
			return err
		}
		return r.buildPreviewForms()
	case "public-profiles":
		// The token lists the sellers; the requests then go without it.
		sellers, err := r.sellerIDs(ctx, 100_000)
		if err != nil {
			return err
		}
		if len(sellers) == 0 {
			return errors.New("the server has no sellers (load the demo first)")
		}
		for _, id := range sellers {
			r.paths = append(r.paths, "/public/sellers/"+url.PathEscape(id))
		}
		r.logf("%d public profiles", len(r.paths))
	case "verify":
		return r.readCodes()
	default:
		ids, err := r.scorecardIDs(ctx)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return errors.New("the server has no scorecards (load the demo or run an audit first)")
		}
		for _, id := range ids {
			r.paths = append(r.paths, "/api/v1/scorecards/"+url.PathEscape(id))
		}
		r.logf("%d scorecards found", len(ids))
	}
	return nil
}

// generator returns a demo generator over the last three months.
func (r *runner) generator(sellers int) (*demogen.Generator, error) {
	ps, err := checklist.LoadProtocols()
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	to := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return demogen.New(demogen.Config{Seed: r.o.seed, Sellers: sellers, From: to.AddDate(0, -3, 0), To: to, Scale: true, Protocols: ps})
}

// buildItems generates bench tests of realistic sellers, spread over the given seller ids, and
// keeps each as a JSON object without its external id.
func (r *runner) buildItems(sellerIDs []string) (err error) {
	type item struct {
		SellerID    string          `json:"seller_id"`
		Lab         string          `json:"lab"`
		TestedAt    time.Time       `json:"tested_at"`
		ListedGrade *string         `json:"listed_grade,omitempty"`
		Inspection  json.RawMessage `json:"inspection"`
	}
	r.items, err = r.generateBenchTests(40, itemPool, func(i int, bt audit.BenchTest) ([]byte, error) {
		it := item{SellerID: sellerIDs[i%len(sellerIDs)], Lab: bt.Lab, TestedAt: bt.TestedAt, Inspection: bt.Submitted}
		if bt.ListedGrade != "" {
			g := string(bt.ListedGrade)
			it.ListedGrade = &g
		}
		return json.Marshal(it)
	})
	if err != nil {
		return err
	}
	r.logf("%d bench-test templates over %d sellers", len(r.items), len(sellerIDs))
	return nil
}

// buildInspections generates inspections to preview.
func (r *runner) buildInspections() (err error) {
	r.inspections, err = r.generateBenchTests(20, inspectionPool, func(_ int, bt audit.BenchTest) ([]byte, error) {
		return bt.Submitted, nil
	})
	return err
}

// generateBenchTests generates bench tests of the given number of demo sellers, seller by seller
// and month by month, until it has made n payloads, one a bench test: payload turns the i-th
// bench test into its own. The load of every scenario that sends bench tests is built here.
func (r *runner) generateBenchTests(sellers, n int, payload func(i int, bt audit.BenchTest) ([]byte, error)) ([][]byte, error) {
	gen, err := r.generator(sellers)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, n)
	for k := 0; len(out) < n; k++ {
		s := gen.Sellers()[k%len(gen.Sellers())]
		bts, err := gen.BenchTests(s, "", gen.Months()[k/len(gen.Sellers())%len(gen.Months())])
		if err != nil {
			return nil, err
		}
		for _, bt := range bts {
			b, err := payload(len(out), bt)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
		if k > 100*n {
			return nil, errors.New("the generator made no bench tests")
		}
	}
	return out, nil
}

// get fetches one JSON document into v.
func (r *runner) get(ctx context.Context, path string, v any) error {
	return r.call(ctx, http.MethodGet, path, nil, v)
}

func (r *runner) call(ctx context.Context, method, path string, in, out any) error {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.o.url.String()+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.o.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, truncate(string(b), 300))
	}
	return json.Unmarshal(b, out)
}

type page struct {
	Items []struct {
		ID string `json:"id"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// list follows the cursors of a list endpoint and returns up to limit ids.
func (r *runner) list(ctx context.Context, path string, limit int) ([]string, error) {
	var ids []string
	cursor := ""
	for len(ids) < limit {
		q := url.Values{"limit": {"500"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var p page
		if err := r.get(ctx, path+"?"+q.Encode(), &p); err != nil {
			return nil, err
		}
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	return ids[:min(len(ids), limit)], nil
}

func (r *runner) sellerIDs(ctx context.Context, limit int) ([]string, error) {
	return r.list(ctx, "/api/v1/sellers", limit)
}

func (r *runner) createSeller(ctx context.Context) (string, error) {
	var s struct {
		ID string `json:"id"`
	}
	in := map[string]string{"name": "Load test seller " + r.runID, "country": "PL", "contact_email": "load-test@sellers.example"}
	if err := r.call(ctx, http.MethodPost, "/api/v1/sellers", in, &s); err != nil {
		return "", err
	}
	return s.ID, nil
}

// scorecardIDs lists the scorecards of every seller, with the run's concurrency.
func (r *runner) scorecardIDs(ctx context.Context) ([]string, error) {
	sellers, err := r.sellerIDs(ctx, 100_000)
	if err != nil {
		return nil, err
	}
	r.logf("listing the scorecards of %d sellers", len(sellers))
	var mu sync.Mutex
	var ids []string
	var firstErr error
	next := make(chan string)
	var wg sync.WaitGroup
	for range min(r.o.concurrency, 16) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range next {
				got, err := r.list(ctx, "/api/v1/sellers/"+url.PathEscape(s)+"/scorecards", maxScorecards)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				ids = append(ids, got...)
				mu.Unlock()
			}
		}()
	}
	for _, s := range sellers {
		next <- s
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	// Sellers answered in any order: sort for a reproducible request sequence.
	slices.Sort(ids)
	return ids[:min(len(ids), maxScorecards)], nil
}
