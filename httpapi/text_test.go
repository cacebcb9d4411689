package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/sampling"
)

// textLeaf is one string of a document, with a setter for it.
type textLeaf struct {
	value string
	set   func(any)
}

// textLeaves lists the JSON path of every string of a generic document.
func textLeaves(v any, path string, set func(any), out map[string]textLeaf) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch x := v.(type) {
	case string:
		out[path] = textLeaf{x, set}
	case map[string]any:
		for k, el := range x {
			textLeaves(el, join(k), func(nv any) { x[k] = nv }, out)
		}
	case []any:
		for i, el := range x {
			textLeaves(el, path+"["+strconv.Itoa(i)+"]", func(nv any) { x[i] = nv }, out)
		}
	}
}

// generic turns a document into the generic form the JSON decoder would give (maps, slices).
func generic(t *testing.T, d any) any {
	t.Helper()
	b, err := json.Marshal(d)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// textFields returns the errors of a validation problem as field → message.
func textFields(t *testing.T, res *response) map[string]string {
	t.Helper()
	var p struct {
		Errors []struct{ Field, Message string } `json:"errors"`
	}
	res.JSON(t, &p)
	out := map[string]string{}
	for _, e := range p.Errors {
		out[e.Field] = e.Message
	}
	return out
}

// TestEveryEndpointRefusesControlCharacters sends, to every route that takes a JSON body, a
// valid body with each of its strings in turn given a control character: every one is a 422
// naming that field, on SQLite and PostgreSQL alike (this suite runs on PostgreSQL with
// REFURBQA_TEST_DB=postgres). Single-line texts refuse every control character; the prose of
// a plan, a closing note and a review comment allows line breaks and tabs, and nothing else.
// A route with a body that this test has no example for fails it, so that no new endpoint can
// slip by.
func TestEveryEndpointRefusesControlCharacters(t *testing.T) {
	h := newHarness(t)
	f := seedAuthz(t, h)
	manager, tech := h.token(audit.RoleManager), h.token(audit.RoleTechnician)
	bt := h.createBenchTest(benchTestDoc(t, h.Own.ID, "ext-text"), http.StatusCreated)
	mo := h.createMO(moDoc(t, h.Own.ID, "MO-TEXT"), http.StatusCreated)
	withParts := func(d map[string]any) map[string]any {
		d["parts"] = map[string]any{"non_genuine": []any{"battery"}, "disclosed": true}
		return d
	}
	bench := func(ext string) map[string]any {
		d := benchTestDoc(t, h.Own.ID, ext)
		withParts(d["inspection"].(map[string]any))
		return d
	}
	order := func(ref string) map[string]any {
		d := moDoc(t, h.Own.ID, ref)
		withParts(d["inspection"].(map[string]any))
		return d
	}
	// A fresh open corrective action for each closing that must succeed: the weak phones of
	// seedAuthz fail QC02 in any period around them.
	days := 0
	action := func() string {
		days++
		start := fmt.Sprintf("2026-07-%02d", days+1)
		res := h.do(http.MethodPost, "/api/v1/audits", manager, doc{"seller_id": h.Own.ID, "period_start": start, "period_end": "2026-09-01"})
		require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
		id := res.Map(t)["id"].(string)
		res = h.do(http.MethodPost, "/api/v1/scorecards/"+id+"/approve", manager, nil)
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		res = h.do(http.MethodGet, "/api/v1/corrective-actions?status=open&seller_id="+h.Own.ID+"&limit=500", manager, nil)
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		var list struct {
			Items []struct {
				ID          string `json:"id"`
				ScorecardID string `json:"scorecard_id"`
			} `json:"items"`
		}
		res.JSON(t, &list)
		for _, a := range list.Items {
			if a.ScorecardID == id {
				return a.ID
			}
		}
		require.FailNow(t, "no action opened")
		return ""
	}
	// A fresh draft for each approval that must succeed.
	month := 0
	draft := func() string {
		month++
		res := h.do(http.MethodPost, "/api/v1/audits", manager, doc{"seller_id": h.Other.ID,
			"period_start": fmt.Sprintf("2025-%02d-01", month), "period_end": fmt.Sprintf("2025-%02d-01", month+1)})
		require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
		return res.Map(t)["id"].(string)
	}

	// Lots: a large parts lot takes the samples; each resumption needs a stream discontinued
	// by 7 rejected lots (2 on normal, 5 on tightened).
	svc := service(h.st)
	received := time.Date(2026, 8, 3, 0, 0, 0, 0, time.UTC)
	bigLot, err := svc.CreateLot(context.Background(), system, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotParts,
		LotRef: "TEXT-BIG", LotSize: 100000, Supplier: "Acme", PartType: "screen", ReceivedAt: received}})
	require.NoError(t, err)
	lots, streams := 0, 0
	discontinued := func() string {
		streams++
		var id string
		for i := range 7 {
			l, err := svc.CreateLot(context.Background(), system, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotParts,
				LotRef: fmt.Sprint("D-", i), LotSize: 10, Supplier: fmt.Sprint("Stopped ", streams), PartType: "battery", ReceivedAt: received}})
			require.NoError(t, err)
			_, _, err = svc.AddLotSample(context.Background(), system, l.ID, audit.Input[audit.NewLotSample]{Value: audit.NewLotSample{
				Defects: []audit.Defect{{Class: sampling.Critical, Code: "dead"}}}})
			require.NoError(t, err)
			id = l.StreamID
		}
		return id
	}

	type example struct {
		path      func() string   // a fresh path for each request
		body      func() any      // a valid body
		ok        int             // the status of the valid body
		multiline map[string]bool // the fields of prose
		token     string          // the caller
		batch     bool            // errors are per item: results[i].errors
		typed     map[string]bool // fields that are not text (a timestamp), refused as malformed
	}
	fixed := func(p string) func() string { return func() string { return p } }
	examples := map[string]example{
		"POST /api/v1/keys": {path: fixed("/api/v1/keys"), ok: 201, token: h.token(audit.RoleAdmin),
			body: func() any {
				return doc{"name": "portal", "role": "seller", "seller_id": h.Own.ID, "expires_at": "2030-01-01T00:00:00Z"}
			}, typed: map[string]bool{"expires_at": true}},
		"POST /api/v1/sellers": {path: fixed("/api/v1/sellers"), ok: 201, token: manager,
			body: func() any { return doc{"name": "Łódź Serwis", "country": "PL", "contact_email": "qa@lodz.example"} }},
		"POST /api/v1/mystery-orders": {path: fixed("/api/v1/mystery-orders"), ok: 201, token: tech,
			body: func() any { return order("MO-TEXT-2") }},
		"POST /api/v1/mystery-orders/:id/corrections": {path: fixed("/api/v1/mystery-orders/" + mo.ID + "/corrections"), ok: 201, token: tech,
			body: func() any { return order("MO-TEXT") }},
		"PUT /api/v1/sellers/:id/kpis/:month": {path: fixed("/api/v1/sellers/" + h.Own.ID + "/kpis/2026-08"), ok: 200, token: manager,
			body: func() any { return kpiDoc() }},
		"POST /api/v1/grading/preview": {path: fixed("/api/v1/grading/preview"), ok: 200, token: tech,
			body: func() any { return withParts(inspectionDoc(t, "smartphone")) }},
		"POST /api/v1/bench-tests": {path: fixed("/api/v1/bench-tests"), ok: 201, token: tech,
			body: func() any { return bench("ext-text-2") }},
		"POST /api/v1/bench-tests/batch": {path: fixed("/api/v1/bench-tests/batch"), ok: 200, token: tech, batch: true,
			body: func() any { return doc{"items": []any{bench("ext-b1"), bench("ext-b2")}} }},
		"POST /api/v1/bench-tests/:id/corrections": {path: fixed("/api/v1/bench-tests/" + bt.ID + "/corrections"), ok: 201, token: tech,
			body: func() any { return bench("ext-text") }},
		"POST /api/v1/charters": {path: fixed("/api/v1/charters"), ok: 201, token: manager,
			body: func() any { return h.charterDraft("2027.9") }},
		"POST /api/v1/audits": {path: fixed("/api/v1/audits"), ok: 201, token: manager,
			body: func() any {
				return doc{"seller_id": h.Own.ID, "period_start": "2026-07-01", "period_end": "2026-10-01", "charter_version": "2026.1"}
			}},
		"POST /api/v1/audits/batch": {path: fixed("/api/v1/audits/batch"), ok: 200, token: manager,
			body: func() any {
				return doc{"period_start": "2026-07-01", "period_end": "2026-10-01", "charter_version": "2026.1"}
			}},
		"POST /api/v1/scorecards/:id/approve": {path: func() string { return "/api/v1/scorecards/" + draft() + "/approve" }, ok: 200,
			token: manager, multiline: map[string]bool{"comment": true},
			body: func() any { return doc{"comment": "Checked every device."} }},
		"POST /api/v1/corrective-actions/:id/plan": {path: fixed("/api/v1/corrective-actions/" + f.ownAction + "/plan"), ok: 200,
			token: h.token(audit.RoleSeller), multiline: map[string]bool{"root_cause": true, "actions": true},
			body: func() any { return doc{"root_cause": "A worn calibration rig.", "actions": "Replaced the rig."} }},
		"POST /api/v1/corrective-actions/:id/close": {path: func() string { return "/api/v1/corrective-actions/" + action() + "/close" }, ok: 200,
			token: manager, multiline: map[string]bool{"note": true},
			body: func() any { return doc{"note": "Verified on site."} }},
		"POST /api/v1/lots": {path: fixed("/api/v1/lots"), ok: 201, token: tech, typed: map[string]bool{"received_at": true},
			body: func() any {
				lots++
				return doc{"kind": "parts", "lot_ref": fmt.Sprint("TEXT-", lots), "lot_size": 500, "supplier": "Acme",
					"part_type": "screen", "received_at": "2026-08-03T00:00:00Z"}
			}},
		"POST /api/v1/lots/:id/samples": {path: fixed("/api/v1/lots/" + bigLot.ID + "/samples"), ok: 201, token: tech,
			body: func() any {
				return doc{"serial": "SN-1", "defects": []any{doc{"class": "minor", "code": "scratch"}}}
			}},
		"PUT /api/v1/sellers/:id/profile": {path: fixed("/api/v1/sellers/" + h.Other.ID + "/profile"), ok: 200, token: manager,
			body: func() any { return doc{"public": true} }},
		"POST /api/v1/lot-streams/:id/resume": {path: func() string { return "/api/v1/lot-streams/" + discontinued() + "/resume" }, ok: 200,
			token: manager, multiline: map[string]bool{"note": true},
			body: func() any { return doc{"note": "Supplier changed its process."} }},
	}

	routes := h.srv.Echo().Routes()
	sort.Slice(routes, func(i, j int) bool { return routes[i].Method+routes[i].Path < routes[j].Method+routes[j].Path })
	covered := 0
	for _, rt := range routes {
		if !slices.Contains([]string{http.MethodPost, http.MethodPut, http.MethodPatch}, rt.Method) || !strings.HasPrefix(rt.Path, "/api/v1/") {
			continue
		}
		key := rt.Method + " " + rt.Path
		if key == "POST /api/v1/kpis/import" {
			continue // a CSV body: TestKPIImportRefusesControlCharacters
		}
		ex, ok := examples[key]
		if !assert.True(t, ok, "%s takes a body that this test has no example for", key) {
			continue
		}
		covered++
		t.Run(key, func(t *testing.T) {
			send := func(body any) *response { return h.do(rt.Method, ex.path(), ex.token, body) }
			leaves := map[string]textLeaf{}
			textLeaves(generic(t, ex.body()), "", nil, leaves)
			for path := range leaves {
				for _, bad := range []string{"\x00", "\x1b", "\u0085", "\n"} {
					if ex.multiline[path] && bad == "\n" {
						continue
					}
					body := generic(t, ex.body())
					fresh := map[string]textLeaf{}
					textLeaves(body, "", nil, fresh)
					fresh[path].set(fresh[path].value + bad)
					res := send(body)
					if ex.batch {
						// items[i].x is reported as x in the result of item i.
						require.Equal(t, http.StatusOK, res.Code, "%s: %s", path, res.Body)
						i, rest := itemOf(t, path)
						var out struct {
							Results []struct {
								Status string `json:"status"`
								Errors []struct{ Field, Message string }
							} `json:"results"`
						}
						res.JSON(t, &out)
						require.Len(t, out.Results, 2)
						assert.Equal(t, "invalid", out.Results[i].Status, "%s %q", path, bad)
						got := map[string]string{}
						for _, e := range out.Results[i].Errors {
							got[e.Field] = e.Message
						}
						assert.Contains(t, got[rest], "control characters", "%s %q: %v", path, bad, got)
						assert.NotEqual(t, "invalid", out.Results[1-i].Status, "the other item is not spoiled")
						continue
					}
					require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s %q: %s", path, bad, res.Body)
					got := textFields(t, res)
					if assert.Contains(t, got, path, "%s %q: %s", path, bad, res.Body) && !ex.typed[path] {
						assert.Contains(t, got[path], "control characters", "%s %q: %s", path, bad, res.Body)
					}
				}
			}
			// The prose fields allow line breaks and tabs.
			for path := range ex.multiline {
				body := generic(t, ex.body())
				body.(map[string]any)[path] = "First line.\r\n\tSecond line.\nThird."
				res := send(body)
				assert.Equal(t, ex.ok, res.Code, "%s with line breaks and tabs: %s", path, res.Body)
			}
			// The valid body itself is accepted: the 422s were the control characters'.
			res := send(ex.body())
			assert.Equal(t, ex.ok, res.Code, "the example of %s: %s", key, res.Body)
		})
	}
	assert.Equal(t, len(examples), covered, "every example is a route of the server")

	// A key of a map is text too.
	d := inspectionDoc(t, "smartphone")
	d["functional"].(map[string]any)["power\x00on"] = "pass"
	res := h.do(http.MethodPost, "/api/v1/grading/preview", tech, d)
	require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
	assert.Contains(t, textFields(t, res)["functional"], "control characters")

	// Nothing of the refused requests was stored: the seller list holds no control character.
	res = h.do(http.MethodGet, "/api/v1/sellers?limit=500", manager, nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.NotContains(t, string(res.Body), `\u0000`)
}

// itemOf splits items[i].rest.
func itemOf(t *testing.T, path string) (int, string) {
	t.Helper()
	rest, ok := strings.CutPrefix(path, "items[")
	require.True(t, ok, path)
	n, rest, ok := strings.Cut(rest, "].")
	require.True(t, ok, path)
	i, err := strconv.Atoi(n)
	require.NoError(t, err)
	return i, rest
}

// The KPI import is CSV: a control character in a seller id is a 422 of its line and column,
// and nothing is imported.
func TestKPIImportRefusesControlCharacters(t *testing.T) {
	h := newHarness(t)
	for _, bad := range []string{"\x00", "\x01", "\x1f", "\x7f"} {
		res := h.importCSV(kpiHeader + kpiRow(h.Own.ID, "2026-07", 100) + kpiRow(h.Own.ID+bad, "2026-08", 100))
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%q: %s", bad, res.Body)
		assert.Equal(t, "must not contain control characters", textFields(t, res)["line 3: seller_id"], "%q", bad)
	}
	assert.Empty(t, h.kpiMonths(h.Own.ID))
}
