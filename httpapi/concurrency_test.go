package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

// TestConcurrentWriters runs 32 writers at once (sellers, bench tests, batches, mystery orders,
// KPI months) while an audit batch scores every seller: nothing may fail with "database is
// locked" or any 5xx, and every acknowledged write must be readable afterwards.
func TestConcurrentWriters(t *testing.T) {
	h := newHarness(t)
	tech, manager := h.token(audit.RoleTechnician), h.token(audit.RoleManager)
	const writers, each = 32, 6
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	var benchIDs []string
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	check := func(what string, res *response, want ...int) bool {
		for _, w := range want {
			if res.Code == w {
				return true
			}
		}
		fail("%s: %d %s", what, res.Code, res.Body)
		return false
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				switch (w + i) % 5 {
				case 0:
					check("seller", h.do(http.MethodPost, "/api/v1/sellers", manager, doc{"name": fmt.Sprintf("W%d-%d", w, i), "country": "FR", "contact_email": "w@example.com"}), 201)
				case 1:
					res := h.do(http.MethodPost, "/api/v1/bench-tests", tech, benchTestDoc(t, h.Own.ID, fmt.Sprintf("w%d-i%d", w, i)))
					if check("bench test", res, 201) {
						mu.Lock()
						benchIDs = append(benchIDs, res.Map(t)["id"].(string))
						mu.Unlock()
					}
				case 2:
					items := make([]any, 20)
					for k := range items {
						items[k] = benchTestDoc(t, h.Other.ID, fmt.Sprintf("w%d-i%d-k%d", w, i, k))
					}
					check("batch", h.do(http.MethodPost, "/api/v1/bench-tests/batch", tech, doc{"items": items}), 200)
				case 3:
					check("mystery order", h.do(http.MethodPost, "/api/v1/mystery-orders", tech, moDoc(t, h.Own.ID, fmt.Sprintf("MO-W%d-%d", w, i))), 201)
				case 4:
					check("kpi", h.do(http.MethodPut, kpiPath(h.Other.ID, fmt.Sprintf("2026-%02d", 1+(w+i)%12)), manager, kpiDoc()), 200)
				}
			}
		}()
	}
	// Audits run alongside the ingest: batches, and re-audits of one seller racing them.
	const batches, single = 3, 4
	for range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			check("audit batch", h.do(http.MethodPost, "/api/v1/audits/batch", manager, doc{"period_start": "2026-10-01", "period_end": "2026-11-01"}), 200)
		}()
	}
	for range single {
		wg.Add(1)
		go func() {
			defer wg.Done()
			check("audit", h.do(http.MethodPost, "/api/v1/audits", manager, doc{"seller_id": h.Own.ID, "period_start": "2026-10-01", "period_end": "2026-11-01"}), 201)
		}()
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
		assert.NotContains(t, f, "database is locked")
	}
	require.Empty(t, failures)
	for _, id := range benchIDs {
		assert.Equal(t, 200, h.do(http.MethodGet, "/api/v1/bench-tests/"+id, tech, nil).Code, id)
	}
	// The audits superseded each other's drafts: one current scorecard per seller for the
	// period, and a single chain of superseded drafts, one for every audit but the last.
	type card struct {
		ID           string  `json:"id"`
		PeriodStart  string  `json:"period_start"`
		SupersededBy *string `json:"superseded_by"`
	}
	var list struct{ Items []card }
	h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards", manager, nil).JSON(t, &list)
	var current []string
	for _, it := range list.Items {
		if strings.HasPrefix(it.PeriodStart, "2026-10-01") {
			current = append(current, it.ID)
		}
	}
	require.Len(t, current, 1)
	list.Items = nil
	h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards?status=superseded&limit=500", manager, nil).JSON(t, &list)
	require.Len(t, list.Items, batches+single-1)
	next, named := map[string]string{}, map[string]bool{}
	for _, it := range list.Items {
		require.NotNil(t, it.SupersededBy)
		assert.False(t, named[*it.SupersededBy], "%s replaces two drafts", *it.SupersededBy)
		next[it.ID], named[*it.SupersededBy] = *it.SupersededBy, true
	}
	var first []string
	for id := range next {
		if !named[id] {
			first = append(first, id)
		}
	}
	require.Len(t, first, 1, "one chain")
	steps := 0
	for id := first[0]; id != current[0]; id = next[id] {
		require.Contains(t, next, id, "the chain breaks at %s", id)
		steps++
	}
	assert.Equal(t, batches+single-1, steps)
}
