package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/console"
)

// openActions records a phone of seller that fails four critical points (a functional test,
// battery below 80, liquid damage, data not erased), audits November 2026 and approves the
// draft: the corrective actions approval opens, one per failed critical or major point.
func (h *harness) openActions(t *testing.T, sellerID string) []audit.CorrectiveAction {
	t.Helper()
	ctx := context.Background()
	v := h.goodPhone(t)
	v.Set("seller_id", sellerID)
	v.Set("external_id", "FAIL-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	for name := range v {
		if strings.HasPrefix(name, "functional.") {
			v.Set(name, "fail")
			break
		}
	}
	v.Set("battery.health_pct", "70")
	v.Set("compliance.liquid_damage", "true")
	v.Set("compliance.data_erased", "false")
	res := h.signedIn(audit.RoleTechnician).post("/console/bench-tests", v)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	sc, err := h.svc.AuditSeller(ctx, system, sellerID, audit.AuditInput{PeriodStart: "2026-11-01", PeriodEnd: "2026-12-01"}, nil)
	require.NoError(t, err)
	_, actions, err := h.svc.ApproveScorecard(ctx, system, sc.ID, "")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(actions), 4)
	return actions
}

// listed are the actions a page of the list links to, in its order.
func listed(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<th scope="row"><a href="/console/corrective-actions/([^"]+)">`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func ids(actions []audit.CorrectiveAction) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = a.ID
	}
	return out
}

func TestCorrectiveActionList(t *testing.T) {
	h := newHarness(t)
	own, other := h.openActions(t, h.Own.ID), h.openActions(t, h.Other.ID)
	manager, seller := h.signedIn(audit.RoleManager), h.signedIn(audit.RoleSeller)

	res := manager.get("/console/corrective-actions")
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, append(ids(own), ids(other)...), listed(res.body), "every seller's, in creation order")
	assertHas(t, res.body, `<a href="/console/sellers/`+h.Other.ID+`">Other Refurb</a>`)
	assertHas(t, res.body, `<a href="/console/scorecards/`+own[0].ScorecardID+`">`)
	assertHas(t, res.body, `name="seller_id"`, "managers filter by seller")
	row := regexp.MustCompile(`(?s)<tr>\s*<th scope="row"><a href="/console/corrective-actions/` + own[0].ID + `">.*?</tr>`).FindString(res.body)
	for _, cell := range []string{"<td>" + own[0].PointCode + "</td>", `severity-critical">critical<`,
		"<td>" + own[0].DueAt.UTC().Format("2006-01-02") + "</td>", `>open</td>`, "<td>on time</td>"} {
		assertHas(t, row, cell)
	}

	res = manager.get("/console/corrective-actions?seller_id=" + h.Other.ID)
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, ids(other), listed(res.body), "one seller's")
	assertHas(t, res.body, `<option value="`+h.Other.ID+`" selected>`, "the filter kept")
	res = manager.get("/console/corrective-actions?status=closed")
	require.Equal(t, http.StatusOK, res.status)
	assert.Empty(t, listed(res.body))
	assertHas(t, res.body, "No corrective action matches this filter.")
	res = manager.get("/console/corrective-actions?status=plan_submitted&seller_id=" + h.Own.ID)
	assert.Empty(t, listed(res.body))

	res = manager.get("/console/corrective-actions?status=forgotten")
	assert.Equal(t, http.StatusUnprocessableEntity, res.status)
	assertHas(t, res.body, `<p class="field-error" id="f-status-error">must be open, plan_submitted, closed or overdue</p>`)

	// A seller: its own actions only, whatever it asks, and no seller filter.
	for _, path := range []string{"/console/corrective-actions", "/console/corrective-actions?seller_id=" + h.Other.ID} {
		res = seller.get(path)
		require.Equal(t, http.StatusOK, res.status, path)
		assert.Equal(t, ids(own), listed(res.body), path)
		assertHasNot(t, res.body, `name="seller_id"`, path)
		assertHasNot(t, res.body, "Other Refurb", path)
		assertHasNot(t, res.body, "/console/sellers/", "a seller has no seller pages")
	}
	res = seller.get("/console/")
	assertHas(t, res.body, `<a href="/console/corrective-actions">Corrective actions</a>`, "in the seller's navigation")
}

func TestCorrectiveActionsOverdue(t *testing.T) {
	later := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	h := newHarness(t, func(cfg *console.Config) { cfg.Now = func() time.Time { return later } })
	own := h.openActions(t, h.Own.ID)
	manager := h.signedIn(audit.RoleManager)
	res := manager.get("/console/corrective-actions?status=overdue")
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, ids(own), listed(res.body), "judged at the console's clock: due long before")
	assert.Equal(t, len(own), strings.Count(res.body, `<span class="overdue">overdue</span>`))
	res = manager.get("/console/corrective-actions/" + own[0].ID)
	assertHas(t, res.body, `<span class="overdue">overdue</span>`)
}

func TestCorrectiveActionPages(t *testing.T) {
	h := newHarness(t)
	var all []string
	for len(all) <= 50 {
		all = append(all, ids(h.openActions(t, h.Own.ID))...)
	}
	manager := h.signedIn(audit.RoleManager)
	first := manager.get("/console/corrective-actions?seller_id=" + h.Own.ID)
	require.Equal(t, http.StatusOK, first.status)
	assert.Equal(t, all[:50], listed(first.body), "50 a page")
	next := nextPage(first.body)
	require.NotEmpty(t, next)
	assert.Contains(t, next, "seller_id="+h.Own.ID, "the next page keeps the filter")
	second := manager.get(next)
	assert.Equal(t, all[50:], listed(second.body))
	assert.Empty(t, nextPage(second.body))
}

func TestCorrectiveActionPlanAndClose(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.openActions(t, h.Own.ID)[0]
	otherAction := h.openActions(t, h.Other.ID)[0]
	page := "/console/corrective-actions/" + a.ID
	seller, manager := h.signedIn(audit.RoleSeller), h.signedIn(audit.RoleManager)

	res := seller.get(page)
	require.Equal(t, http.StatusOK, res.status, res.body)
	for _, want := range []string{"<h1>Corrective action " + a.PointCode + "</h1>", `severity-critical">critical<`,
		a.DueAt.UTC().Format("2006-01-02 15:04 UTC"), `<dd class="action-open">open</dd>`, "No plan has been submitted yet.",
		`<a href="/console/scorecards/` + a.ScorecardID + `">`} {
		assertHas(t, res.body, want)
	}
	assertHas(t, res.body, `action="`+page+`/plan"`, "the seller's plan form")
	assertHasNot(t, res.body, `action="`+page+`/close"`, "a seller does not close")

	// Refused: each error beside its field, the text typed kept.
	res = seller.post(page+"/plan", url.Values{"root_cause": {"A worn  \r\nbench cable"}, "actions": {"  "}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
	assertHas(t, res.body, `<p class="field-error" id="f-actions-error">is required</p>`)
	assertHasNot(t, res.body, `id="f-root_cause-error"`)
	assertHas(t, res.body, ">A worn  \nbench cable</textarea>")
	assertHas(t, res.body, `aria-invalid="true" aria-describedby="f-actions-error f-actions-hint"`)
	res = seller.post(page+"/plan", url.Values{"root_cause": {strings.Repeat("x", 4001)}, "actions": {"Replace it"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	assertHas(t, res.body, `<p class="field-error" id="f-root_cause-error">must be at most 4000 characters, got 4001</p>`)
	// 4000 characters, whose line breaks a browser sends as CR LF (4800 bytes): within the
	// limit, as the API counts them.
	long := strings.Repeat("abcd\r\n", 800)

	res = seller.post(page+"/plan", url.Values{"root_cause": {"A worn bench cable\r\nat station 2"}, "actions": {long}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	assert.Equal(t, page, res.header.Get("Location"))
	stored, err := h.svc.CorrectiveAction(ctx, system, a.ID)
	require.NoError(t, err)
	assert.Equal(t, audit.ActionPlanSubmitted, stored.Status)
	assert.Equal(t, "A worn bench cable\nat station 2", stored.Plan.RootCause)
	res = seller.get(page)
	assertHas(t, res.body, `<p class="notice" role="status">The plan was submitted: a quality manager will verify it.</p>`)
	assertHas(t, res.body, `<p class="prose">A worn bench cable`+"\n"+`at station 2</p>`)
	assertHas(t, res.body, `<dd class="action-plan_submitted">plan submitted</dd>`)
	assertHas(t, res.body, `>A worn bench cable`+"\n"+`at station 2</textarea>`, "a new plan starts from the last")
	assertHasNot(t, seller.get(page).body, `class="notice"`, "the notice is shown once")

	assert.Equal(t, http.StatusForbidden, seller.post(page+"/close", url.Values{"note": {"done"}}).status, "a seller cannot close")

	// Another seller's action is not found, to read or to answer.
	assert.Equal(t, http.StatusNotFound, seller.get("/console/corrective-actions/"+otherAction.ID).status)
	assert.Equal(t, http.StatusNotFound, seller.post("/console/corrective-actions/"+otherAction.ID+"/plan",
		url.Values{"root_cause": {"x"}, "actions": {"y"}}).status)
	other, err := h.svc.CorrectiveAction(ctx, system, otherAction.ID)
	require.NoError(t, err)
	assert.Nil(t, other.Plan)

	// The manager verifies and closes it with a note.
	res = manager.get(page)
	assertHas(t, res.body, `action="`+page+`/close"`)
	assertHas(t, res.body, `<a href="/console/sellers/`+h.Own.ID+`">Own Refurb</a>`)
	res = manager.post(page+"/close", url.Values{"note": {" \r\n "}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	assertHas(t, res.body, `<p class="field-error" id="f-note-error">is required</p>`)
	res = manager.post(page+"/close", url.Values{"note": {"Cable replaced;\r\nchecked on 12 phones."}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	res = manager.get(page)
	assertHas(t, res.body, "The corrective action was closed.")
	assertHas(t, res.body, `<dd class="action-closed">closed</dd>`)
	assertHasNot(t, res.body, `action="`+page+`/close"`, "closed: no more forms")
	assertHasNot(t, res.body, `action="`+page+`/plan"`)

	// The seller reads the closing note; the closed action takes no plan any more.
	res = seller.get(page)
	assertHas(t, res.body, "<h3>Closing note</h3>\n<p class=\"prose\">Cable replaced;\nchecked on 12 phones.</p>")
	assert.Equal(t, http.StatusConflict, seller.post(page+"/plan", url.Values{"root_cause": {"x"}, "actions": {"y"}}).status)
	assert.Equal(t, http.StatusConflict, manager.post(page+"/close", url.Values{"note": {"again"}}).status)

	for _, path := range []string{"/console/corrective-actions/ca_nosuchaction", "/console/corrective-actions/ca_nosuchaction/plan"} {
		res := seller.do(map[bool]string{true: http.MethodPost, false: http.MethodGet}[strings.HasSuffix(path, "/plan")], path, url.Values{})
		assert.Equal(t, http.StatusNotFound, res.status, path)
	}
}

// assertHas checks that body holds want, and says which part is missing without printing
// the whole page.
func assertHas(t *testing.T, body, want string, msgAndArgs ...any) bool {
	t.Helper()
	return assert.True(t, strings.Contains(body, want), "the page holds %q%s", want, note(msgAndArgs))
}

// assertHasNot checks that body does not hold unwanted.
func assertHasNot(t *testing.T, body, unwanted string, msgAndArgs ...any) bool {
	t.Helper()
	return assert.False(t, strings.Contains(body, unwanted), "the page does not hold %q%s", unwanted, note(msgAndArgs))
}

// note is the words a check adds to its message: a format and its arguments, or nothing.
func note(msgAndArgs []any) string {
	if len(msgAndArgs) == 0 {
		return ""
	}
	if format, ok := msgAndArgs[0].(string); ok {
		return ": " + fmt.Sprintf(format, msgAndArgs[1:]...)
	}
	return ": " + fmt.Sprint(msgAndArgs...)
}
