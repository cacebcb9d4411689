package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
)

// gatedStore holds an audit of every seller at the loading of its facts until the test
// releases it (or the run's context ends), so that a test sees the run going on.
type gatedStore struct {
	*store.Store
	entered chan struct{} // one value each time an audit of every seller reaches its facts
	release chan struct{}
}

func (g *gatedStore) Facts(ctx context.Context, p audit.Period, sellerIDs []string) (map[string]audit.Facts, error) {
	if len(sellerIDs) == 0 {
		g.entered <- struct{}{}
		select {
		case <-g.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return g.Store.Facts(ctx, p, sellerIDs)
}

func newGatedHarness(t *testing.T) (*harness, *gatedStore) {
	var g *gatedStore
	h := newHarnessOver(t, func(st *store.Store) audit.Store {
		g = &gatedStore{Store: st, entered: make(chan struct{}, 1), release: make(chan struct{})}
		return g
	})
	return h, g
}

// novemberTests records bench tests of November 2026: a good phone of each seller, and a
// phone of Own that fails critical points.
func (h *harness) novemberTests(t *testing.T) {
	t.Helper()
	tech := h.signedIn(audit.RoleTechnician)
	for i, seller := range []string{h.Own.ID, h.Other.ID} {
		v := h.goodPhone(t)
		v.Set("seller_id", seller)
		v.Set("external_id", fmt.Sprintf("NOV-%d", i))
		res := tech.post("/console/bench-tests", v)
		require.Equal(t, http.StatusSeeOther, res.status, res.body)
	}
	v := h.goodPhone(t)
	v.Set("external_id", "NOV-BAD")
	v.Set("battery.health_pct", "70")
	v.Set("compliance.liquid_damage", "true")
	res := tech.post("/console/bench-tests", v)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
}

// november is the audit form of November 2026 for seller ("" for every seller).
func november(seller string) url.Values {
	return url.Values{"seller_id": {seller}, "period_start": {"2026-11-01"}, "period_end": {"2026-12-01"}, "charter_version": {""}}
}

// runScorecards are the scorecards a run's page links to, with the seller of each.
func runScorecards(body string) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`<th scope="row"><a href="/console/scorecards/([^"]+)">[^<]*</a></th>\s*<td><a href="/console/sellers/([^"]+)">`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// drafts are the current drafts of a seller.
func (h *harness) drafts(t *testing.T, sellerID string) []audit.Scorecard {
	t.Helper()
	cards, _, err := h.svc.SellerScorecards(context.Background(), system, sellerID, audit.Draft, audit.Page{})
	require.NoError(t, err)
	return cards
}

const refreshMeta = `<noscript><meta http-equiv="refresh" content="2"></noscript>`

func TestAuditRunToCompletion(t *testing.T) {
	h := newHarness(t)
	h.novemberTests(t)
	c := h.signedIn(audit.RoleManager)

	res := c.get("/console/audits")
	require.Equal(t, http.StatusOK, res.status)
	assertHas(t, res.body, `<option value="">Every seller</option>`)
	assertHas(t, res.body, `<option value="">The active charter</option>`)
	assertHas(t, res.body, `<option value="2026.1">2026.1 (active)</option>`)
	assertHas(t, res.body, `name="period_start" type="date" value="`)

	res = c.post("/console/audits", november(""))
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	run := res.header.Get("Location")
	require.Regexp(t, `^/console/audits/run_[0-9a-f]{24}$`, run)
	h.console.WaitRuns()

	res = c.get(run)
	require.Equal(t, http.StatusOK, res.status)
	assertHas(t, res.body, "<h1>Audit of every seller</h1>")
	assertHas(t, res.body, "from 2026-11-01 up to 2026-12-01 (not included)")
	assertHas(t, res.body, "<dd>2026.1</dd>", "the charter the run used")
	assertHas(t, res.body, `Done, `)
	assertHas(t, res.body, `: 2 draft scorecards made.</p>`)
	assertHasNot(t, res.body, refreshMeta, "done: nothing more to follow")
	own, other := h.drafts(t, h.Own.ID), h.drafts(t, h.Other.ID)
	require.Len(t, own, 1)
	require.Len(t, other, 1)
	assert.Equal(t, map[string]string{own[0].ID: h.Own.ID, other[0].ID: h.Other.ID}, runScorecards(res.body),
		"every scorecard made, linked to its page and its seller's")
	assertHas(t, res.body, `<a href="/console/sellers/`+h.Own.ID+`">Own Refurb</a>`)
	row := regexp.MustCompile(`(?s)<tr>\s*<th scope="row"><a href="/console/scorecards/` + own[0].ID + `">.*?</tr>`).FindString(res.body)
	assertHas(t, row, fmt.Sprintf("<td>%d</td>\n<td>%d</td>", own[0].Result.FailedPoints, own[0].Result.FailedCritical))
	assertHas(t, row, `<td class="tier-`+string(own[0].Result.Tier)+`">`)
	require.NotNil(t, own[0].Result.Score)
	assertHas(t, row, fmt.Sprintf("<td>%.1f</td>", *own[0].Result.Score), "the score to one decimal")
	require.Positive(t, own[0].Result.FailedCritical, "the fixture fails critical points")
	// Two units evaluate 9 points, fewer than a tier needs.
	assertHas(t, res.body, `<tr><th scope="row" class="tier-insufficient_data">insufficient data</th><td>2</td></tr>`)
	assertHas(t, res.body, `<tr><th scope="row" class="tier-suspend">suspend</th><td>0</td></tr>`)

	res = c.get(run + "/progress")
	require.Equal(t, http.StatusOK, res.status)
	assert.True(t, strings.HasPrefix(strings.TrimSpace(res.body), `<div id="run-progress"`), "the fragment alone")
	assertHas(t, res.body, `data-done="true"`)

	// One seller, against a version named.
	v := november(h.Other.ID)
	v.Set("charter_version", "2026.1")
	res = c.post("/console/audits", v)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	one := res.header.Get("Location")
	h.console.WaitRun(one)
	res = c.get(one)
	assertHas(t, res.body, "<h1>Audit of Other Refurb</h1>")
	assertHas(t, res.body, ": 1 draft scorecard made.</p>")
	now := h.drafts(t, h.Other.ID)
	require.Len(t, now, 1)
	assert.NotEqual(t, other[0].ID, now[0].ID, "a new draft, superseding the first")
	assert.Equal(t, map[string]string{now[0].ID: h.Other.ID}, runScorecards(res.body))

	// The runs of this server, newest first.
	res = c.get("/console/audits")
	var runs []string
	for _, m := range regexp.MustCompile(`<th scope="row"><a href="(/console/audits/run_[^"]+)">`).FindAllStringSubmatch(res.body, -1) {
		runs = append(runs, m[1])
	}
	assert.Equal(t, []string{one, run}, runs)
}

func TestAuditRunRefused(t *testing.T) {
	h := newHarness(t)
	c := h.signedIn(audit.RoleManager)
	res := c.post("/console/audits", url.Values{"seller_id": {"sl_nosuchseller"}, "period_start": {"2026-12-01"},
		"period_end": {"2026-11-01"}, "charter_version": {"1999.9"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
	assertHas(t, res.body, `<p class="field-error" id="f-seller_id-error">no seller has this id</p>`)
	assertHas(t, res.body, `<p class="field-error" id="f-period_end-error">must be after period_start</p>`)
	assertHas(t, res.body, `<p class="field-error" id="f-charter_version-error">no published charter has this version</p>`)
	assertHas(t, res.body, `name="period_start" type="date" value="2026-12-01"`, "values kept")
	assertHas(t, res.body, `<option value="">Every seller</option>`, "the sellers listed: the unknown one kept as typed is not among them")
	v := november("")
	v.Set("period_start", "1 November")
	res = c.post("/console/audits", v)
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	assertHas(t, res.body, `id="f-period_start-error"`)
	assertHasNot(t, c.get("/console/audits").body, "Audits run on this server", "a refused run is no run")

	res = c.get("/console/audits/run_000000000000000000000000")
	assert.Equal(t, http.StatusNotFound, res.status)
	assertHas(t, res.body, "Runs are kept in the memory of the server that ran them, until it restarts")
	assert.Equal(t, http.StatusNotFound, c.get("/console/audits/run_000000000000000000000000/progress").status)
}

func TestAuditRunProgress(t *testing.T) {
	h, g := newGatedHarness(t)
	h.novemberTests(t)
	c := h.signedIn(audit.RoleManager)

	res := c.post("/console/audits", november(""))
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	run := res.header.Get("Location")
	<-g.entered

	// While it runs: where it stands, and the page reloads itself (without the script).
	res = c.get(run)
	require.Equal(t, http.StatusOK, res.status)
	assertHas(t, res.body, refreshMeta)
	assertHas(t, res.body, `<progress max="3" value="1" aria-label="Audit progress">step 1 of 3</progress>`)
	assertHas(t, res.body, "Step 1 of 3: loading the facts of every seller.")
	assertHas(t, res.body, `data-progress="`+run+`/progress"`)
	assertHasNot(t, res.body, "data-done")
	frag := c.get(run + "/progress")
	require.Equal(t, http.StatusOK, frag.status)
	assertHas(t, frag.body, "Step 1 of 3: loading the facts of every seller.")
	assertHasNot(t, frag.body, "<html")

	// A second audit of every seller is refused while the first runs, pointing at it.
	res = c.post("/console/audits", november(""))
	require.Equal(t, http.StatusConflict, res.status)
	assertHas(t, res.body, "<h2>An audit of every seller is already running</h2>")
	assertHas(t, res.body, `<a href="`+run+`">follow it on its page</a>`)
	assertHas(t, res.body, `name="period_start" type="date" value="2026-11-01"`, "the form kept")
	// An audit of one seller may run meanwhile.
	res = c.post("/console/audits", november(h.Own.ID))
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	one := res.header.Get("Location")
	h.console.WaitRun(one)
	assertHas(t, c.get(one).body, ": 1 draft scorecard made.</p>")
	res = c.get("/console/audits")
	assertHas(t, res.body, "<td>every seller</td>")
	assertHas(t, res.body, "<td>running</td>")
	assertHas(t, res.body, "<td>Own Refurb</td>")

	close(g.release)
	h.console.WaitRuns()
	res = c.get(run)
	assertHas(t, res.body, ": 2 draft scorecards made.</p>")
	assertHasNot(t, res.body, refreshMeta)
	assert.Len(t, runScorecards(res.body), 2)
	// Done, another may start.
	res = c.post("/console/audits", november(""))
	require.Equal(t, http.StatusSeeOther, res.status)
	<-g.entered // released for good: it goes on
	h.console.WaitRuns()
}

func TestConsoleCloseStopsAuditRuns(t *testing.T) {
	h, g := newGatedHarness(t)
	h.novemberTests(t)
	c := h.signedIn(audit.RoleManager)
	res := c.post("/console/audits", november(""))
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	run := res.header.Get("Location")
	<-g.entered

	h.console.Close() // the server stopping: cancels the run, waits for it
	res = c.get(run)
	assertHas(t, res.body, "The audit was stopped because the server was stopping; nothing was saved.")
	assert.Empty(t, h.drafts(t, h.Own.ID), "nothing saved")
	res = c.post("/console/audits", november(h.Own.ID))
	assert.Equal(t, http.StatusServiceUnavailable, res.status)
	assertHas(t, res.body, "The server is stopping: start the audit again in a moment.")
}

func TestAuditRunScorecardPages(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for i := range 101 {
		_, err := h.st.CreateSeller(ctx, system, audit.Seller{Name: fmt.Sprintf("Seller %03d", i), Country: "IT", ContactEmail: "s@example.com"})
		require.NoError(t, err)
	}
	c := h.signedIn(audit.RoleManager)
	res := c.post("/console/audits", november(""))
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	run := res.header.Get("Location")
	h.console.WaitRuns()
	first := c.get(run)
	assertHas(t, first.body, ": 103 draft scorecards made.</p>")
	assertHas(t, first.body, "<td>not scored</td>", "a seller without data")
	page1 := runScorecards(first.body)
	assert.Len(t, page1, 100, "100 a page")
	next := nextPage(first.body)
	require.Equal(t, run+"?from=100#scorecards", next)
	second := c.get(strings.TrimSuffix(next, "#scorecards"))
	page2 := runScorecards(second.body)
	assert.Len(t, page2, 3)
	assertHas(t, second.body, `<a href="`+run+`?from=0#scorecards" rel="prev">Previous scorecards</a>`)
	var all []string
	for id := range page1 {
		all = append(all, id)
	}
	for id := range page2 {
		all = append(all, id)
	}
	slices.Sort(all)
	assert.Len(t, slices.Compact(all), 103, "every scorecard once")
}
