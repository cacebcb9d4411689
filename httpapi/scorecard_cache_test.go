package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/httpapi/wire"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// TestScorecardReadPathMatchesDomain holds the read of GET /scorecards/{id} (approved
// scorecards answered from the cache of encoded answers) to the answer of the list endpoint
// and of the approval: same JSON, draft, approved, cached or not.
func TestScorecardReadPathMatchesDomain(t *testing.T) {
	h := newHarness(t)
	h.healthySeller(h.Own.ID, 5, map[int]func(doc) doc{1: func(d doc) doc {
		d["inspection"].(doc)["battery"].(doc)["health_pct"] = 70.0
		return d
	}})
	sc := h.auditQ4(h.Own.ID)
	listed := func() json.RawMessage {
		res := h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards", h.token(audit.RoleManager), nil)
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		var out struct {
			Items []json.RawMessage `json:"items"`
		}
		res.JSON(t, &out)
		require.Len(t, out.Items, 1)
		return out.Items[0]
	}
	get := func(token string) *response {
		return h.do(http.MethodGet, "/api/v1/scorecards/"+sc.ID, token, nil)
	}

	draft := get(h.token(audit.RoleManager))
	require.Equal(t, http.StatusOK, draft.Code, "%s", draft.Body)
	assert.JSONEq(t, string(listed()), string(draft.Body))
	assert.Contains(t, string(draft.Body), `"evidence":["`, "the scenario has evidence")
	assert.Equal(t, http.StatusNotFound, get(h.token(audit.RoleSeller)).Code, "a seller never sees a draft")

	approved := h.do(http.MethodPost, "/api/v1/scorecards/"+sc.ID+"/approve", h.token(audit.RoleManager), doc{"comment": "ok <&>"})
	require.Equal(t, http.StatusOK, approved.Code, "%s", approved.Body)
	for i := range 2 { // a miss, then a hit of the cache
		res := get(h.token(audit.RoleManager))
		require.Equal(t, http.StatusOK, res.Code, "read %d", i)
		assert.JSONEq(t, string(approved.Body), string(res.Body), "read %d", i)
		assert.JSONEq(t, string(listed()), string(res.Body), "read %d", i)
	}
	own := get(h.token(audit.RoleSeller))
	require.Equal(t, http.StatusOK, own.Code)
	assert.JSONEq(t, string(approved.Body), string(own.Body))
	assert.Equal(t, http.StatusNotFound, get(h.OtherToken).Code, "another seller's scorecard, cached, is still 404")
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/scorecards/sc_nope", h.token(audit.RoleManager), nil).Code)
}

// TestScorecardAnswerIsEncodedFromTheDomain: the stored points are the store's own document,
// not bytes of the API's answer. A row whose document is written otherwise (keys in another
// order, white space, a key the API does not have, a null evidence list, as an older release
// might have written it) is answered exactly as the list encodes the domain scorecard, before
// and after approval, from the cache too.
func TestScorecardAnswerIsEncodedFromTheDomain(t *testing.T) {
	h := newHarness(t)
	h.healthySeller(h.Own.ID, 5, map[int]func(doc) doc{1: func(d doc) doc {
		d["inspection"].(doc)["battery"].(doc)["health_pct"] = 70.0
		return d
	}})
	sc := h.auditQ4(h.Own.ID)
	pools := h.st.Pools()
	write, read := pools["write"], pools["read"]
	if write == nil {
		write, read = pools["main"], pools["main"]
	}
	ph1, ph2 := "?", "?"
	if h.st.Driver() == store.Postgres {
		ph1, ph2 = "$1", "$2"
	}
	var stored string
	require.NoError(t, read.QueryRow("SELECT points FROM scorecards WHERE id = "+ph1, sc.ID).Scan(&stored))
	var docs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(stored), &docs))
	require.NotEmpty(t, docs)
	for i := range docs {
		docs[i]["written_by"] = "an older release"
		if len(docs[i]["evidence"].([]any)) == 0 {
			docs[i]["evidence"] = nil
		}
	}
	rewritten, err := json.MarshalIndent(docs, "", "  ") // keys in alphabetical order
	require.NoError(t, err)
	_, err = write.Exec("UPDATE scorecards SET points = "+ph1+" WHERE id = "+ph2, string(rewritten), sc.ID)
	require.NoError(t, err)

	listed := func() string {
		res := h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards", h.token(audit.RoleManager), nil)
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		var out struct {
			Items []json.RawMessage `json:"items"`
		}
		res.JSON(t, &out)
		require.Len(t, out.Items, 1)
		return string(out.Items[0])
	}
	check := func(what string) {
		res := h.do(http.MethodGet, "/api/v1/scorecards/"+sc.ID, h.token(audit.RoleManager), nil)
		require.Equal(t, http.StatusOK, res.Code, "%s: %s", what, res.Body)
		body := strings.TrimSuffix(string(res.Body), "\n")
		assert.Equal(t, listed(), body, "%s: the same bytes as the list's", what)
		assert.NotContains(t, body, "written_by", what)
		assert.NotContains(t, body, `"evidence":null`, what)
		assert.Contains(t, body, `{"code":"QC01","title":`, "%s: the API's field order", what)
	}
	check("draft")
	res := h.do(http.MethodPost, "/api/v1/scorecards/"+sc.ID+"/approve", h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	check("approved, read")
	check("approved, cached")
}

// TestRequiredInspectionMembers checks, for every member of an inspection left out or sent as
// null, that the grading preview reports it as required (and nothing under it), and that a
// bench test carrying the same inspection reports the same problems of its inspection, under
// "inspection.": one check of the required members serves both paths.
func TestRequiredInspectionMembers(t *testing.T) {
	h := newHarness(t)
	base := previewDoc(t)
	var paths [][]string
	var walk func(prefix []string, m map[string]any)
	walk = func(prefix []string, m map[string]any) {
		for k, v := range m {
			p := append(append([]string(nil), prefix...), k)
			paths = append(paths, p)
			if sub, ok := v.(map[string]any); ok && k != "functional" {
				walk(p, sub)
			}
		}
	}
	walk(nil, base)
	optional := map[string]bool{"device.imei": true, "device.serial": true, "device.storage_gb": true, "battery.cycle_count": true}
	type problem struct{ Field, Message string }
	problems := func(res *response) []problem {
		var p struct{ Errors []problem }
		res.JSON(t, &p)
		return p.Errors
	}
	for _, p := range paths {
		for _, mode := range []string{"missing", "null"} {
			field := strings.Join(p, ".")
			if optional[field] {
				continue // an optional member: the domain's rules decide (the IMEI of a smartphone)
			}
			t.Run(field+"/"+mode, func(t *testing.T) {
				d := previewDoc(t)
				m := d
				for _, k := range p[:len(p)-1] {
					m = m[k].(map[string]any)
				}
				if mode == "missing" {
					delete(m, p[len(p)-1])
				} else {
					m[p[len(p)-1]] = nil
				}
				preview := h.do(http.MethodPost, "/api/v1/grading/preview", h.token(audit.RoleTechnician), d)
				bench := h.do(http.MethodPost, "/api/v1/bench-tests", h.token(audit.RoleTechnician),
					doc{"seller_id": h.Own.ID, "lab": "L", "tested_at": "2026-10-02T09:00:00Z", "inspection": d})
				require.Equal(t, http.StatusUnprocessableEntity, preview.Code, "%s", preview.Body)
				require.Equal(t, http.StatusUnprocessableEntity, bench.Code, "%s", bench.Body)
				got := problems(preview)
				assert.Contains(t, got, problem{field, "is required"})
				for _, e := range got {
					assert.False(t, strings.HasPrefix(e.Field, field+"."), "nothing under a missing member: %v", e)
				}
				var inBench []problem
				for _, e := range problems(bench) {
					if f, ok := strings.CutPrefix(e.Field, "inspection."); ok {
						inBench = append(inBench, problem{f, e.Message})
					}
				}
				assert.Equal(t, got, inBench)
			})
		}
	}
}

func previewDoc(t testing.TB) map[string]any {
	raw, err := wire.EncodeInspection(sampleInspection())
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

func sampleInspection() grading.Inspection {
	cycles := 120
	return grading.Inspection{
		Device:     grading.Device{Category: "smartphone", Brand: "Apple", Model: "iPhone 12", IMEI: "356938035643809", StorageGB: 128},
		Functional: map[string]grading.Outcome{},
		Battery:    grading.Battery{HealthPct: 91, CycleCount: &cycles, Genuine: true},
		Compliance: grading.Compliance{IMEIStatus: "clean", DataErased: true, FactoryReset: true, OSUpToDate: true,
			MarkingsIntact: true, DisplayLikeForLike: true},
		Parts: grading.Parts{NonGenuine: []string{}},
	}
}

// benchServer is a server over a fresh store, with a manager and a technician token.
func benchServer(b *testing.B) (*httpapi.Server, *store.Store, map[audit.Role]string) {
	ctx := context.Background()
	st := storetest.OpenSQLite(b, store.Config{})
	protocols, err := checklist.LoadProtocols()
	require.NoError(b, err)
	def, err := checklist.DefaultCharter()
	require.NoError(b, err)
	require.NoError(b, st.EnsureDefaultCharter(ctx, system, def))
	cfg, err := httpapi.StoreConfig(httpapi.Config{Service: audit.NewService(audit.ServiceConfig{Store: st, Protocols: protocols})}, st)
	require.NoError(b, err)
	srv, err := httpapi.New(cfg)
	require.NoError(b, err)
	tokens := map[audit.Role]string{}
	for _, r := range []audit.Role{audit.RoleManager, audit.RoleTechnician} {
		_, tok, err := st.CreateKey(ctx, system, audit.Key{Name: string(r), Role: r})
		require.NoError(b, err)
		tokens[r] = tok
	}
	return srv, st, tokens
}

func serveBench(b *testing.B, srv *httpapi.Server, method, path, token, body string) {
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var req *http.Request
		if body == "" {
			req = httptest.NewRequest(method, path, nil)
		} else {
			req = httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
	}
}

// BenchmarkGetScorecard is GET /api/v1/scorecards/{id} through the whole middleware chain, on
// SQLite: a draft (read from the database every time) and an approved scorecard (cached).
func BenchmarkGetScorecard(b *testing.B) {
	srv, st, tokens := benchServer(b)
	ctx := context.Background()
	seller, err := st.CreateSeller(ctx, system, audit.Seller{Name: "Bench", Country: "FR", ContactEmail: "b@example.com"})
	require.NoError(b, err)
	svc := service(st)
	ids := map[string]string{}
	for _, q := range []struct{ name, start, end string }{{"draft", "2026-01-01", "2026-04-01"}, {"approved", "2026-04-01", "2026-07-01"}} {
		sc, err := svc.AuditSeller(ctx, system, seller.ID, audit.AuditInput{PeriodStart: q.start, PeriodEnd: q.end}, nil)
		require.NoError(b, err)
		ids[q.name] = sc.ID
	}
	_, _, err = svc.ApproveScorecard(ctx, system, ids["approved"], "")
	require.NoError(b, err)
	for _, name := range []string{"draft", "approved"} {
		b.Run(name, func(b *testing.B) {
			serveBench(b, srv, http.MethodGet, "/api/v1/scorecards/"+ids[name], tokens[audit.RoleManager], "")
		})
	}
}

// BenchmarkPreview is POST /api/v1/grading/preview through the whole middleware chain.
func BenchmarkPreview(b *testing.B) {
	srv, _, tokens := benchServer(b)
	raw, err := wire.EncodeInspection(sampleInspection())
	require.NoError(b, err)
	serveBench(b, srv, http.MethodPost, "/api/v1/grading/preview", tokens[audit.RoleTechnician], string(raw))
}
