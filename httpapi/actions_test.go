package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi"
)

type actionBody struct {
	ID          string    `json:"id"`
	SellerID    string    `json:"seller_id"`
	ScorecardID string    `json:"scorecard_id"`
	PointCode   string    `json:"point_code"`
	Severity    string    `json:"severity"`
	Status      string    `json:"status"`
	DueAt       time.Time `json:"due_at"`
	Overdue     bool      `json:"overdue"`
	Plan        *struct {
		RootCause   string    `json:"root_cause"`
		Actions     string    `json:"actions"`
		SubmittedAt time.Time `json:"submitted_at"`
	} `json:"plan"`
	ClosingNote *string `json:"closing_note"`
}

func (h *harness) actions(query, token string) (int, map[string]actionBody) {
	h.t.Helper()
	res := h.do(http.MethodGet, "/api/v1/corrective-actions"+query, token, nil)
	out := map[string]actionBody{}
	if res.Code != http.StatusOK {
		return res.Code, out
	}
	var list struct {
		Items []actionBody `json:"items"`
	}
	res.JSON(h.t, &list)
	for _, a := range list.Items {
		out[a.PointCode] = a
	}
	return res.Code, out
}

func TestApprovalOpensCorrectiveActionsAndTheirLifecycle(t *testing.T) {
	// The server's clock runs 20 days ahead of the store's, so that the critical actions
	// (due 14 days after approval) are already overdue as the API sees them and the major
	// ones (30 days) are not.
	h := newHarnessWith(t, httpapi.Config{Now: func() time.Time { return time.Now().UTC().Add(20 * 24 * time.Hour) }})
	// Own fails QC01 and QC02 (critical: a unit with a 75% battery is also F2), QC18 (major:
	// 19 of 300 orders late, 6.3%) and QC19 (minor: 278 of 300 with valid tracking, 92.7%);
	// QC03 passes with 22 of 23 units at 85% or more.
	h.healthySeller(h.Own.ID, 20, map[int]func(doc) doc{0: func(d doc) doc { return set(d, "inspection.battery.health_pct", 75) }})
	h.auditKPIs(h.Own.ID, "2026-10", func(d doc) { d["shipped_late"], d["valid_tracking"] = 15, 80 }) // replaces October
	sc := h.auditQ4(h.Own.ID)
	st := sc.statuses()
	for code, want := range map[string]string{"QC01": "fail", "QC02": "fail", "QC18": "fail", "QC19": "fail", "QC03": "pass"} {
		require.Equal(t, want, st[code], code)
	}

	// Nothing is opened before approval, and approval is for managers only.
	code, open := h.actions("", h.token(audit.RoleManager))
	require.Equal(t, http.StatusOK, code)
	assert.Empty(t, open)
	for _, role := range []audit.Role{audit.RoleTechnician, audit.RoleSeller} {
		assert.Equal(t, http.StatusForbidden, h.do(http.MethodPost, "/api/v1/scorecards/"+sc.ID+"/approve", h.token(role), doc{}).Code, role)
	}
	res := h.do(http.MethodPost, "/api/v1/scorecards/"+sc.ID+"/approve", h.token(audit.RoleManager), doc{"comment": strings.Repeat("x", 4001)})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"comment"}, problemFields(t, res))

	res = h.do(http.MethodPost, "/api/v1/scorecards/"+sc.ID+"/approve", h.token(audit.RoleManager), doc{"comment": "discussed with the seller"})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	var approved scorecardBody
	res.JSON(t, &approved)
	assert.Equal(t, "approved", approved.Status)
	require.NotNil(t, approved.Review)
	assert.Equal(t, "discussed with the seller", approved.Review.Comment)
	assert.Equal(t, h.keyIDs[audit.RoleManager], approved.Review.ApprovedBy)
	assert.Equal(t, sc.Points, approved.Points, "approval changes nothing of the result")
	assert.Equal(t, sc.Score, approved.Score)

	// Approving twice is 409; the scorecard is as it was.
	res = h.do(http.MethodPost, "/api/v1/scorecards/"+sc.ID+"/approve", h.token(audit.RoleAdmin), nil)
	require.Equal(t, http.StatusConflict, res.Code)
	assert.Contains(t, res.Map(t)["detail"], "already approved")
	var again scorecardBody
	h.do(http.MethodGet, "/api/v1/scorecards/"+sc.ID, h.token(audit.RoleManager), nil).JSON(t, &again)
	assert.Equal(t, approved, again)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodPost, "/api/v1/scorecards/sc_missing/approve", h.token(audit.RoleManager), nil).Code)

	// One action per failed critical (14 days) or major (30 days) point; none for QC19.
	code, open = h.actions("?seller_id="+h.Own.ID, h.token(audit.RoleManager))
	require.Equal(t, http.StatusOK, code)
	require.Len(t, open, 3)
	at := approved.Review.ApprovedAt
	for point, days := range map[string]int{"QC01": 14, "QC02": 14, "QC18": 30} {
		a := open[point]
		assert.Equal(t, at.AddDate(0, 0, days), a.DueAt, point)
		assert.Equal(t, "open", a.Status, point)
		assert.Equal(t, sc.ID, a.ScorecardID, point)
		assert.Equal(t, h.Own.ID, a.SellerID, point)
		assert.Nil(t, a.Plan, point)
		assert.Nil(t, a.ClosingNote, point)
		assert.Equal(t, days == 14, a.Overdue, "%s: overdue as of the server's clock", point)
	}
	assert.Equal(t, "critical", open["QC01"].Severity)
	assert.Equal(t, "major", open["QC18"].Severity)

	// Re-auditing the approved period makes a new draft; the approved scorecard and its actions
	// stay as they are.
	res = h.do(http.MethodPost, "/api/v1/audits", h.token(audit.RoleManager), doc{"seller_id": h.Own.ID, "period_start": q4Start, "period_end": q4End})
	assert.Equal(t, http.StatusCreated, res.Code)

	// Reading: the seller its own, another seller nothing; technicians may not.
	seller := h.token(audit.RoleSeller)
	code, mine := h.actions("", seller)
	require.Equal(t, http.StatusOK, code)
	assert.Len(t, mine, 3)
	code, _ = h.actions("?seller_id="+h.Own.ID, seller)
	assert.Equal(t, http.StatusOK, code)
	code, _ = h.actions("?seller_id="+h.Other.ID, seller)
	assert.Equal(t, http.StatusNotFound, code, "another seller's actions do not exist for this seller")
	code, theirs := h.actions("", h.OtherToken)
	require.Equal(t, http.StatusOK, code)
	assert.Empty(t, theirs)
	code, _ = h.actions("", h.token(audit.RoleTechnician))
	assert.Equal(t, http.StatusForbidden, code)
	qc18 := open["QC18"].ID
	assert.Equal(t, http.StatusOK, h.do(http.MethodGet, "/api/v1/corrective-actions/"+qc18, seller, nil).Code)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/corrective-actions/"+qc18, h.OtherToken, nil).Code)
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodGet, "/api/v1/corrective-actions/"+qc18, h.token(audit.RoleTechnician), nil).Code)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/corrective-actions/ca_missing", h.token(audit.RoleManager), nil).Code)

	// Filters, overdue included.
	code, over := h.actions("?status=overdue", h.token(audit.RoleManager))
	require.Equal(t, http.StatusOK, code)
	assert.ElementsMatch(t, []string{"QC01", "QC02"}, auKeys(over))
	for _, bad := range []string{"?status=late", "?limit=0", "?cursor=%25"} {
		code, _ = h.actions(bad, h.token(audit.RoleManager))
		assert.Equal(t, http.StatusUnprocessableEntity, code, bad)
	}

	// Plans: the seller for its own; another seller 404; a technician 403; both texts needed.
	planPath := "/api/v1/corrective-actions/" + qc18 + "/plan"
	plan := doc{"root_cause": "one courier lost a week of pick-ups", "actions": "second courier contracted"}
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodPost, planPath, h.OtherToken, plan).Code)
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodPost, planPath, h.token(audit.RoleTechnician), plan).Code)
	res = h.do(http.MethodPost, planPath, seller, doc{"root_cause": ""})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"actions", "root_cause"}, problemFields(t, res))
	res = h.do(http.MethodPost, planPath, seller, plan)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	var planned actionBody
	res.JSON(t, &planned)
	assert.Equal(t, "plan_submitted", planned.Status)
	require.NotNil(t, planned.Plan)
	assert.Equal(t, plan["root_cause"], planned.Plan.RootCause)
	assert.Equal(t, plan["actions"], planned.Plan.Actions)
	// A manager may submit on the seller's behalf (here, for a critical point).
	res = h.do(http.MethodPost, "/api/v1/corrective-actions/"+open["QC01"].ID+"/plan", h.token(audit.RoleManager), plan)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)

	// Closing: managers only, with a note; twice is 409, and so is a plan after closing.
	closePath := "/api/v1/corrective-actions/" + qc18 + "/close"
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodPost, closePath, seller, doc{"note": "done"}).Code)
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodPost, closePath, h.token(audit.RoleTechnician), doc{"note": "done"}).Code)
	res = h.do(http.MethodPost, closePath, h.token(audit.RoleManager), doc{})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"note"}, problemFields(t, res))
	res = h.do(http.MethodPost, closePath, h.token(audit.RoleManager), doc{"note": "pick-ups verified for 3 weeks"})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	var closed actionBody
	res.JSON(t, &closed)
	assert.Equal(t, "closed", closed.Status)
	require.NotNil(t, closed.ClosingNote)
	assert.Equal(t, "pick-ups verified for 3 weeks", *closed.ClosingNote)
	assert.False(t, closed.Overdue, "closed before its due date")
	assert.NotNil(t, closed.Plan)
	assert.Equal(t, http.StatusConflict, h.do(http.MethodPost, closePath, h.token(audit.RoleManager), doc{"note": "again"}).Code)
	assert.Equal(t, http.StatusConflict, h.do(http.MethodPost, planPath, seller, plan).Code)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodPost, "/api/v1/corrective-actions/ca_missing/close", h.token(audit.RoleManager), doc{"note": "x"}).Code)

	code, byStatus := h.actions("?status=closed", seller)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"QC18"}, auKeys(byStatus))
	code, byStatus = h.actions("?status=plan_submitted", seller)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"QC01"}, auKeys(byStatus))
	code, byStatus = h.actions("?status=open", seller)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"QC02"}, auKeys(byStatus))

	// The trail of the action.
	res = h.do(http.MethodGet, "/api/v1/events?entity=corrective_action&entity_id="+qc18, h.token(audit.RoleAdmin), nil)
	require.Equal(t, http.StatusOK, res.Code)
	var events struct {
		Items []struct {
			Action string `json:"action"`
			Role   string `json:"role"`
		} `json:"items"`
	}
	res.JSON(t, &events)
	var trail []string
	for _, e := range events.Items {
		trail = append(trail, e.Action+" by "+e.Role)
	}
	// Order-insensitive: event ids of one millisecond do not sort by creation.
	assert.ElementsMatch(t, []string{"create by manager", "plan by seller", "close by manager"}, trail)
}

func auKeys[V any](m map[string]V) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestEventsFiltersAndRoles(t *testing.T) {
	h := newHarness(t)
	for _, role := range []audit.Role{audit.RoleTechnician, audit.RoleSeller} {
		assert.Equal(t, http.StatusForbidden, h.do(http.MethodGet, "/api/v1/events", h.token(role), nil).Code, role)
	}
	sc := h.auditQ4(h.Own.ID)
	list := func(query string) (int, []string) {
		res := h.do(http.MethodGet, "/api/v1/events"+query, h.token(audit.RoleManager), nil)
		var out struct {
			Items []struct {
				Entity   string `json:"entity"`
				EntityID string `json:"entity_id"`
				KeyID    string `json:"key_id"`
				Action   string `json:"action"`
			} `json:"items"`
		}
		ids := []string{}
		if res.Code == http.StatusOK {
			res.JSON(t, &out)
			for _, e := range out.Items {
				ids = append(ids, e.Entity+":"+e.Action)
			}
		}
		return res.Code, ids
	}
	code, got := list("?entity_id=" + sc.ID)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"scorecard:create"}, got)
	code, got = list("?key_id=" + h.keyIDs[audit.RoleManager] + "&entity=scorecard")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"scorecard:create"}, got)
	code, got = list("?entity=scorecard&from=2000-01-01&to=2000-01-02")
	require.Equal(t, http.StatusOK, code)
	assert.Empty(t, got)
	code, got = list("?entity=scorecard&from=" + time.Now().UTC().Add(-time.Hour).Format(time.RFC3339))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"scorecard:create"}, got)
	for _, bad := range []string{"?from=yesterday", "?to=2026-13-01", "?from=2026-02-01&to=2026-01-01", "?limit=-1"} {
		code, _ = list(bad)
		assert.Equal(t, http.StatusUnprocessableEntity, code, bad)
	}
	// Pages walk the whole trail once.
	_, all := list("?limit=500")
	seen := 0
	cursor := ""
	for {
		res := h.do(http.MethodGet, "/api/v1/events?limit=3&cursor="+cursor, h.token(audit.RoleAdmin), nil)
		require.Equal(t, http.StatusOK, res.Code)
		var page struct {
			Items      []any  `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		res.JSON(t, &page)
		seen += len(page.Items)
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	assert.Equal(t, len(all), seen)
}
