package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

// section is the part of body from the first occurrence of from up to the next </section>.
func section(t *testing.T, body, from string) string {
	t.Helper()
	i := strings.Index(body, from)
	require.GreaterOrEqual(t, i, 0, "no %q in the page", from)
	rest := body[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// navLabels are the entries of the page's main navigation.
func navLabels(body string) []string {
	nav := body[strings.Index(body, `<nav aria-label="Main">`):]
	nav = nav[:strings.Index(nav, "</nav>")]
	var out []string
	for _, m := range regexp.MustCompile(`<a href="[^"]*"(?: aria-current="page")?>([^<]*)</a>`).FindAllStringSubmatch(nav, -1) {
		out = append(out, m[1])
	}
	return out
}

// A manager's and an admin's home is the overview; a technician's stays the first step of a
// bench test, and the navigation shows each role its own pages.
func TestHomeByRole(t *testing.T) {
	h := newHarness(t)
	f := newReviewFixture(t, h)
	ctx := context.Background()
	// A plan waiting for verification, on the corrective action Other's approval opened.
	actions, _, err := h.svc.CorrectiveActions(ctx, system, audit.ActionFilter{SellerID: h.Other.ID}, audit.Page{})
	require.NoError(t, err)
	require.NotEmpty(t, actions)
	_, err = h.svc.SubmitPlan(ctx, system, actions[0].ID, "a bad battery batch", "new supplier")
	require.NoError(t, err)
	_ = f

	for _, role := range []audit.Role{audit.RoleManager, audit.RoleAdmin} {
		res := h.signedIn(role).get("/console/")
		require.Equal(t, http.StatusOK, res.status)
		assert.Contains(t, res.body, "<h1>Overview</h1>")
		assert.NotContains(t, res.body, "Start a bench test", "the bench test is in the navigation, not on the overview")
		want := []string{"Overview", "Sellers", "Review queue", "Corrective actions", "Audit", "KPIs", "Charter",
			"Bench test", "Batch upload", "Mystery order", "Lots", "Recent work"}
		if role == audit.RoleAdmin {
			want = append(want, "Users", "API keys")
		}
		assert.Equal(t, want, navLabels(res.body), role)

		tiers := section(t, res.body, `id="tiers-heading"`)
		assert.Contains(t, tiers, "2 sellers, each in the tier of its latest approved scorecard")
		// Own's October scorecard failed QC06 (critical): probation or worse; Other's
		// failed QC02. The counts link to the sellers of each tier.
		assert.Regexp(t, `<span class="tier tier-none">not rated yet</span></th><td class="num"><a href="/console/sellers\?tier=none&amp;sort=score">0<`, tiers)
		for _, tier := range []string{"suspend", "probation", "watch", "trusted", "insufficient_data"} {
			assert.Contains(t, tiers, `href="/console/sellers?tier=`+tier+`&amp;sort=score"`, tier)
		}
		drafts := section(t, res.body, `id="drafts-heading"`)
		assert.Contains(t, drafts, "3 draft scorecards wait for a manager")
		assert.Contains(t, drafts, `<a href="/console/review?period_end=2026-12-01&amp;period_start=2026-11-01">2026-11</a></th><td class="num">2</td>`,
			"Own's current November draft and Other's; the superseded one does not wait")
		assert.Contains(t, drafts, `<a href="/console/review?period_end=2026-09-01&amp;period_start=2026-08-01">2026-08</a></th><td class="num">1</td>`)
		acts := section(t, res.body, `id="actions-heading"`)
		assert.Contains(t, acts, "<dt>Plans waiting for verification</dt><dd>1</dd>")
		assert.Contains(t, acts, "<dt>Overdue: not closed and past their due date</dt><dd>0</dd>")
	}
	res := h.signedIn(audit.RoleTechnician).get("/console/")
	assert.Contains(t, res.body, "Start a bench test")
	assert.NotContains(t, res.body, "<h1>Overview</h1>")
	assert.Equal(t, []string{"Home", "Charter", "Bench test", "Batch upload", "Mystery order", "Lots", "Recent work"}, navLabels(res.body))
	res = h.signedIn(audit.RoleSeller).get("/console/")
	assert.Equal(t, []string{"Home", "Corrective actions", "Charter", "Lots"}, navLabels(res.body))
}

// The overview's tier counts are those of the latest approved scorecard of each seller.
func TestOverviewCountsTiers(t *testing.T) {
	h := newHarness(t)
	newReviewFixture(t, h)
	ctx := context.Background()
	o, err := h.svc.Overview(ctx, system)
	require.NoError(t, err)
	body := h.signedIn(audit.RoleManager).get("/console/").body
	for _, tc := range o.Tiers {
		assert.Regexp(t, fmt.Sprintf(`tier-%s">[^<]*</span></th><td class="num"><a href="[^"]*">%d<`, tc.Tier, tc.Sellers), body, tc.Tier)
	}
	own, err := h.svc.SellerStanding(ctx, system, h.Own.ID)
	require.NoError(t, err)
	require.NotNil(t, own.Latest)
	assert.NotEqual(t, audit.TierNone, own.Latest.Tier)
}

// The seller list: every seller with its latest approved score and tier in words and its
// trend, searchable by name or id, sortable, with a link to each seller's page.
func TestSellerList(t *testing.T) {
	h := newHarness(t)
	f := newReviewFixture(t, h)
	c := h.signedIn(audit.RoleManager)
	ctx := context.Background()
	own, err := h.svc.SellerStanding(ctx, system, h.Own.ID)
	require.NoError(t, err)
	require.Equal(t, audit.TrendDown, own.Trend(), "October scored below September")

	res := c.get("/console/sellers")
	require.Equal(t, http.StatusOK, res.status)
	row := section(t, res.body, `<a href="/console/sellers/`+h.Own.ID+`">Own Refurb</a>`)
	row = row[:strings.Index(row, "</tr>")]
	assert.Contains(t, row, "<td>FR</td>")
	assert.Contains(t, row, fmt.Sprintf(`<td class="num">%.1f</td>`, *own.Latest.Score))
	assert.Contains(t, row, `<span class="tier tier-`+string(own.Latest.Tier)+`">`+strings.ReplaceAll(string(own.Latest.Tier), "_", " ")+`</span>`)
	assert.Contains(t, row, `<span class="visually-hidden">down by `)
	assert.Contains(t, row, `from 100.0</span>`)
	assert.Contains(t, row, `<a href="/console/scorecards/`+f.OwnOct+`">2026-10</a>`)
	assert.Contains(t, res.body, `<th scope="col" aria-sort="ascending"><a href="/console/sellers?sort=-name"`, "sorted by name; choosing it again reverses")
	assert.Contains(t, res.body, `<a href="/console/sellers?sort=score"`)

	// Search by name (any case) and by id; a search keeps its order in the headers' links.
	res = c.get("/console/sellers?q=other&sort=-score")
	require.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, res.body, "Other Refurb")
	assert.NotContains(t, res.body, "Own Refurb")
	assert.Contains(t, res.body, `value="other"`, "the search is kept in the form")
	assert.Contains(t, res.body, `<input type="hidden" name="sort" value="-score">`)
	assert.Contains(t, res.body, `aria-sort="descending"><a href="/console/sellers?q=other&amp;sort=score"`)
	res = c.get("/console/sellers?q=" + h.Own.ID)
	assert.Contains(t, res.body, "Own Refurb")
	assert.NotContains(t, res.body, "Other Refurb")
	res = c.get("/console/sellers?q=nobody")
	assert.Contains(t, res.body, "No seller matches.")
	res = c.get("/console/sellers?tier=" + string(own.Latest.Tier))
	assert.Contains(t, res.body, "Own Refurb")

	// Refusals of the domain are the problem page of invalid input.
	for _, bad := range []string{"?sort=rating", "?tier=gold", "?cursor=%21%21", "?q=" + strings.Repeat("x", 201)} {
		res := c.get("/console/sellers" + bad)
		assert.Equal(t, http.StatusUnprocessableEntity, res.status, bad)
	}
}

// The seller list pages: 50 sellers a page, a next link, and every seller once.
func TestSellerListPages(t *testing.T) {
	h := newHarness(t)
	var in []audit.Seller
	for i := range 53 {
		in = append(in, audit.Seller{Name: fmt.Sprintf("Seller %02d", i), Country: "FR", ContactEmail: "s@example.com"})
	}
	_, err := h.st.CreateSellers(context.Background(), system, in)
	require.NoError(t, err)
	c := h.signedIn(audit.RoleAdmin)
	seen := map[string]bool{}
	path := "/console/sellers?sort=-name"
	pages := 0
	for path != "" {
		res := c.get(path)
		require.Equal(t, http.StatusOK, res.status)
		pages++
		rows := regexp.MustCompile(`<th scope="row"><a href="/console/sellers/([^"]+)">`).FindAllStringSubmatch(res.body, -1)
		assert.LessOrEqual(t, len(rows), 50)
		for _, r := range rows {
			assert.False(t, seen[r[1]], "a seller appears once")
			seen[r[1]] = true
		}
		m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(res.body)
		path = ""
		if m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
			assert.Contains(t, path, "sort=-name", "the order is kept")
		}
		if pages > 1 {
			assert.Contains(t, res.body, `<a href="/console/sellers?sort=-name">First page</a>`)
		}
	}
	assert.Equal(t, 2, pages)
	assert.Len(t, seen, 55)
}

// A seller's page: standing, the score trend drawn by the server as SVG with its numbers in a
// table, the scorecards, KPI months, counts and corrective actions.
func TestSellerPage(t *testing.T) {
	h := newHarness(t)
	f := newReviewFixture(t, h)
	ctx := context.Background()
	_, err := h.svc.PutKPIMonth(ctx, system, audit.KPIMonth{SellerID: h.Own.ID, Month: "2026-10", Orders: 120, ShippedLate: 3,
		ValidTracking: 118, MessagesReceived: 20, MessagesAnsweredWithin1BD: 19, WarrantyMonths: 12})
	require.NoError(t, err)
	_, err = h.svc.PutKPIMonth(ctx, system, audit.KPIMonth{SellerID: h.Own.ID, Month: "2026-09", Orders: 99, WarrantyMonths: 12})
	require.NoError(t, err)
	c := h.signedIn(audit.RoleManager)
	res := c.get("/console/sellers/" + h.Own.ID)
	require.Equal(t, http.StatusOK, res.status)
	body := res.body
	assert.Contains(t, body, "<h1>Own Refurb</h1>")
	assert.Contains(t, body, "<dt>Bench tests</dt><dd>4</dd>")
	assert.Contains(t, body, "<dt>Mystery orders</dt><dd>1</dd>")

	// The chart: an inline SVG image with its title and description, a point per approved
	// scorecard, and the same numbers in a table.
	trend := section(t, body, `id="trend-heading"`)
	assert.Contains(t, trend, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 240" role="img" aria-labelledby="trend-title trend-desc"`)
	assert.Contains(t, trend, `<title id="trend-title">Score trend of Own Refurb</title>`)
	assert.Regexp(t, `<desc id="trend-desc">2 approved scorecards from 2026-09 to 2026-10\. Latest: [0-9.]+ \([a-z ]+\); lowest [0-9.]+, highest 100\.0\.</desc>`, trend)
	assert.Equal(t, 2, strings.Count(trend, `<circle class="point"`))
	assert.Equal(t, 1, strings.Count(trend, `<polyline class="line"`))
	assert.Contains(t, trend, `<tr><th scope="row"><a href="/console/scorecards/`+f.OwnSep+`">2026-09</a></th><td class="num">100.0</td>`)
	assert.Contains(t, trend, `<a href="/console/scorecards/`+f.OwnOct+`">2026-10</a>`)
	assert.NotContains(t, trend, f.OwnNov, "drafts are not in the trend")

	cards := section(t, body, `id="scorecards-heading"`)
	for _, id := range []string{f.OwnSep, f.OwnOct, f.OwnNov} {
		assert.Contains(t, cards, "/console/scorecards/"+id, "current scorecards")
	}
	assert.NotContains(t, cards, f.OwnNovOld, "superseded drafts are listed apart")
	assert.Less(t, strings.Index(cards, f.OwnNov), strings.Index(cards, f.OwnSep), "newest first")
	res = c.get("/console/sellers/" + h.Own.ID + "?status=superseded")
	cards = section(t, res.body, `id="scorecards-heading"`)
	assert.Contains(t, cards, f.OwnNovOld)
	assert.NotContains(t, cards, f.OwnNov+`"`)

	kpis := section(t, body, `id="kpis-heading"`)
	assert.Less(t, strings.Index(kpis, "2026-10"), strings.Index(kpis, "2026-09"), "the latest month first")
	assert.Contains(t, kpis, `<th scope="row">2026-10</th><td class="num">120</td><td class="num">3</td><td class="num">118</td>`)

	acts := section(t, body, `id="actions-heading"`)
	assert.Contains(t, acts, "<th scope=\"row\">QC06</th><td>critical</td>\n<td>open</td>")
	assert.Contains(t, acts, "<th scope=\"row\">QC10</th><td>major</td>\n<td>open</td>")
	assert.Contains(t, acts, `<a href="/console/scorecards/`+f.OwnOct+`">`)

	assert.Equal(t, http.StatusNotFound, c.get("/console/sellers/sl_nobody").status)
	assert.Equal(t, http.StatusUnprocessableEntity, c.get("/console/sellers/"+h.Own.ID+"?status=gone").status)
	assert.Equal(t, http.StatusForbidden, h.signedIn(audit.RoleSeller).get("/console/sellers/"+h.Own.ID).status,
		"a seller's page is the managers': a seller reads its results at home")
}

// The review queue of a period lists its current drafts, worst tier first by default, each
// linking to its scorecard; without a period it offers the periods that have drafts waiting.
func TestReviewQueuePage(t *testing.T) {
	h := newHarness(t)
	f := newReviewFixture(t, h)
	c := h.signedIn(audit.RoleManager)
	res := c.get("/console/review")
	require.Equal(t, http.StatusOK, res.status)
	periods := section(t, res.body, `id="periods-heading"`)
	assert.Contains(t, periods, `<a href="/console/review?period_end=2026-12-01&amp;period_start=2026-11-01">2026-11</a>: 2 drafts`)
	assert.Contains(t, periods, `2026-08</a>: 1 draft</li>`)

	res = c.get("/console/review?period_start=2026-11-01&period_end=2026-12-01")
	require.Equal(t, http.StatusOK, res.status)
	queue := section(t, res.body, `id="queue-heading"`)
	assert.Contains(t, queue, `<a href="/console/scorecards/`+f.OwnNov+`">Review`)
	assert.Contains(t, queue, `<a href="/console/scorecards/`+f.OtherNov+`">Review`)
	assert.NotContains(t, queue, f.OwnNovOld, "superseded drafts are not reviewed")
	assert.NotContains(t, queue, f.OwnOct)
	assert.Contains(t, queue, `<th scope="col" aria-sort="ascending"><a href="/console/review?period_end=2026-12-01&amp;period_start=2026-11-01&amp;sort=-tier"`)

	res = c.get("/console/review?period_start=2026-11-01&period_end=2026-12-01&sort=name")
	queue = section(t, res.body, `id="queue-heading"`)
	assert.Less(t, strings.Index(queue, "Other Refurb"), strings.Index(queue, "Own Refurb"), "by name: Other before Own")
	res = c.get("/console/review?period_start=2026-11-01&period_end=2026-12-01&sort=-name")
	queue = section(t, res.body, `id="queue-heading"`)
	assert.Less(t, strings.Index(queue, "Own Refurb"), strings.Index(queue, "Other Refurb"))

	res = c.get("/console/review?period_start=2026-07-01&period_end=2026-08-01")
	assert.Contains(t, res.body, "No draft of this period is waiting for review.")

	// A period the domain refuses comes back with its errors beside the fields, values kept.
	res = c.get("/console/review?period_start=2026-12-01&period_end=2026-11-01")
	assert.Equal(t, http.StatusUnprocessableEntity, res.status)
	assert.Contains(t, res.body, `<p class="field-error" id="f-period_end-error">must be after period_start</p>`)
	assert.Contains(t, res.body, `value="2026-12-01"`)
	res = c.get("/console/review?period_start=soon")
	assert.Equal(t, http.StatusUnprocessableEntity, res.status)
	assert.Contains(t, res.body, `id="f-period_start-error">must be a date written YYYY-MM-DD</p>`)
	assert.Contains(t, res.body, `id="f-period_end-error">is required</p>`)
	assert.Equal(t, http.StatusUnprocessableEntity, c.get("/console/review?period_start=2026-11-01&period_end=2026-12-01&sort=country").status)
}

// Approving a draft from its page: 303 back to the page, which says so; the comment is kept
// with the review. A second approval is a conflict; a comment the domain refuses comes back
// beside its field.
func TestApproveFromThePage(t *testing.T) {
	h := newHarness(t)
	f := newReviewFixture(t, h)
	c := h.signedIn(audit.RoleManager)
	page := c.get("/console/scorecards/" + f.OtherNov)
	require.Equal(t, http.StatusOK, page.status)
	assert.Contains(t, page.body, `<form method="post" action="/console/scorecards/`+f.OtherNov+`/approve">`)
	assert.Contains(t, page.body, `<label for="f-comment">Comment (optional)</label>`)

	long := strings.Repeat("x", 4001)
	res := c.post("/console/scorecards/"+f.OtherNov+"/approve", url.Values{"comment": {long}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.status)
	assert.Contains(t, res.body, `<p class="field-error" id="f-comment-error">must be at most 4000 characters, got 4001</p>`)
	assert.Contains(t, res.body, `aria-invalid="true" aria-describedby="f-comment-error">`+long+`</textarea>`)
	sc, err := h.svc.Scorecard(context.Background(), system, f.OtherNov)
	require.NoError(t, err)
	assert.Equal(t, audit.Draft, sc.Status, "nothing was approved")

	res = c.post("/console/scorecards/"+f.OtherNov+"/approve", url.Values{"comment": {"Battery figures checked\nwith the lab."}})
	require.Equal(t, http.StatusSeeOther, res.status)
	assert.Equal(t, "/console/scorecards/"+f.OtherNov+"?approved=1", res.header.Get("Location"))
	page = c.get(res.header.Get("Location"))
	assert.Contains(t, page.body, "You approved this scorecard.")
	assert.Contains(t, page.body, `<dd class="prose">Battery figures checked
with the lab.</dd>`)
	assert.NotContains(t, page.body, "/approve\">", "no approval form on an approved scorecard")
	sc, err = h.svc.Scorecard(context.Background(), system, f.OtherNov)
	require.NoError(t, err)
	assert.Equal(t, audit.Approved, sc.Status)
	assert.Equal(t, h.users[audit.RoleManager].ID, sc.Review.ApprovedBy, "the review is the signed-in manager's")

	res = c.post("/console/scorecards/"+f.OtherNov+"/approve", url.Values{})
	assert.Equal(t, http.StatusConflict, res.status, "approving twice")
	assert.Equal(t, http.StatusNotFound, c.post("/console/scorecards/sc_nothing/approve", url.Values{}).status)
	for _, role := range []audit.Role{audit.RoleSeller, audit.RoleTechnician} {
		assert.Equal(t, http.StatusForbidden, h.signedIn(role).post("/console/scorecards/"+f.OwnNov+"/approve", url.Values{}).status, role)
	}
}

// A superseded draft says so and links to its successor; approving it anyway is the 409
// problem naming the successor, with a link to it.
func TestSupersededDraft(t *testing.T) {
	h := newHarness(t)
	f := newReviewFixture(t, h)
	c := h.signedIn(audit.RoleManager)
	page := c.get("/console/scorecards/" + f.OwnNovOld)
	require.Equal(t, http.StatusOK, page.status)
	assert.Contains(t, page.body, `This draft was superseded`)
	assert.Contains(t, page.body, `See <a href="/console/scorecards/`+f.OwnNov+`">scorecard `+f.OwnNov+`</a>`)
	assert.NotContains(t, page.body, "/approve\">", "a superseded draft cannot be approved")

	res := c.post("/console/scorecards/"+f.OwnNovOld+"/approve", url.Values{"comment": {"late"}})
	assert.Equal(t, http.StatusConflict, res.status)
	assert.Contains(t, res.body, "<h1>Superseded</h1>")
	assert.Contains(t, res.body, "superseded by scorecard "+f.OwnNov)
	assert.Contains(t, res.body, `<a href="/console/scorecards/`+f.OwnNov+`">Open scorecard `+f.OwnNov+`</a>`)
}
