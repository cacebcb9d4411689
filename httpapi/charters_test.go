package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

type charterBody struct {
	Version string `json:"version"`
	Points  []doc  `json:"points"`
	Active  bool   `json:"active"`
}

// activeCharter reads GET /api/v1/charter.
func (h *harness) activeCharter(token string) charterBody {
	h.t.Helper()
	res := h.do(http.MethodGet, "/api/v1/charter", token, nil)
	require.Equal(h.t, http.StatusOK, res.Code, "%s", res.Body)
	var c charterBody
	res.JSON(h.t, &c)
	return c
}

// charterDraft is the active charter under a new version, ready to change and publish.
func (h *harness) charterDraft(version string) doc {
	c := h.activeCharter(h.token(audit.RoleManager))
	points := make([]any, len(c.Points))
	for i, p := range c.Points {
		points[i] = p
	}
	return doc{"version": version, "points": points}
}

func TestCharterRead(t *testing.T) {
	h := newHarness(t)
	// Every role reads the charter, sellers included (api.md's role table): the rules everyone
	// is held to are public to all who hold a key.
	for _, role := range audit.Roles {
		c := h.activeCharter(h.token(role))
		assert.Equal(t, "2026.1", c.Version, role)
		assert.True(t, c.Active)
		require.Len(t, c.Points, 25)
		for _, path := range []string{"/api/v1/charters", "/api/v1/charters/2026.1", "/api/v1/metrics"} {
			res := h.do(http.MethodGet, path, h.token(role), nil)
			assert.Equal(t, http.StatusOK, res.Code, "%s %s: %s", role, path, res.Body)
		}
		assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/charters/1999.1", h.token(role), nil).Code, role)
	}
	assert.Equal(t, h.activeCharter(h.token(audit.RoleManager)), h.activeCharter(h.token(audit.RoleSeller)),
		"a seller reads the same charter as a manager")
	c := h.activeCharter(h.token(audit.RoleManager))
	assert.Equal(t, doc{"code": "QC01", "title": "Fully functional", "area": "device", "severity": "critical",
		"weight": 8.0, "rule": "functional_fail_rate == 0", "metric": "functional_fail_rate",
		"sample_metric": "units", "min_samples": 1.0}, c.Points[0])
	assert.Equal(t, "warranty_months >= 12 && warranty_remedy_rate >= 0.95", c.Points[23]["rule"])
	assert.Equal(t, "warranty_months", c.Points[23]["metric"])
	assert.Equal(t, 401, h.do(http.MethodGet, "/api/v1/charter", "", nil).Code)

	res := h.do(http.MethodGet, "/api/v1/charters/2026.1", h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/charters/1999.1", h.token(audit.RoleManager), nil).Code)

	// The metric catalogue, not Prometheus's /metrics.
	res = h.do(http.MethodGet, "/api/v1/metrics", h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	var metrics []struct{ Name, Kind, Description string }
	res.JSON(t, &metrics)
	require.Len(t, metrics, 35)
	assert.Equal(t, "units", metrics[0].Name)
	assert.Equal(t, "count", metrics[0].Kind)
	assert.Equal(t, "functional_fail_rate", metrics[1].Name)
	assert.Equal(t, "rate", metrics[1].Kind)
	assert.Equal(t, "capa_overdue", metrics[31].Name)
	// The lot metrics of lots.md §7 follow the charter's.
	assert.Equal(t, []struct{ Name, Kind, Description string }{
		{"lots", "count", "the seller's device lots decided in the period"},
		{"lots_rejected", "count", "the seller's device lots decided in the period and rejected"},
		{"lot_rejection_rate", "rate", "lots_rejected ÷ lots"},
	}, metrics[32:])
	kinds := map[string]bool{}
	for _, m := range metrics {
		kinds[m.Kind] = true
		assert.NotEmpty(t, m.Description, m.Name)
	}
	assert.Equal(t, map[string]bool{"count": true, "rate": true, "number": true}, kinds)
}

func TestCharterPublicationErrors(t *testing.T) {
	h := newHarness(t)
	type fe struct{ Field, Message string }
	tests := []struct {
		name   string
		change func(d doc) doc
		want   []fe
	}{
		{"bad syntax", func(d doc) doc { d["points"].([]any)[3].(doc)["rule"] = "undisclosed_parts =="; return d },
			[]fe{{"points[3].rule", "QC04: unexpected token EOF (1:20)"}}},
		{"unknown metric", func(d doc) doc { d["points"].([]any)[3].(doc)["rule"] = "foo == 0"; return d },
			[]fe{{"points[3].rule", "QC04: unknown name foo (1:1)"}}},
		{"not a boolean", func(d doc) doc { d["points"].([]any)[3].(doc)["rule"] = "units + 1"; return d },
			[]fe{{"points[3].rule", "QC04: rule must yield a boolean, not float64"}}},
		{"duplicate code", func(d doc) doc { d["points"].([]any)[4].(doc)["code"] = "QC04"; return d },
			[]fe{{"points[4].code", "duplicate code QC04, first used at points[3]"}}},
		{"unknown sample metric and bad severity at once", func(d doc) doc {
			p := d["points"].([]any)[0].(doc)
			p["sample_metric"], p["severity"] = "devices", "fatal"
			return d
		}, []fe{{"points[0].severity", `must be one of critical, major, minor, got "fatal"`}, {"points[0].sample_metric", "unknown metric devices"}}},
		{"no version", func(d doc) doc { delete(d, "version"); return d }, []fe{{"version", "is required"}}},
		{"no points", func(d doc) doc { d["points"] = []any{}; return d }, []fe{{"points", "must list at least one point"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.do(http.MethodPost, "/api/v1/charters", h.token(audit.RoleManager), tt.change(h.charterDraft("2027.1")))
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
			var p struct {
				Errors []fe `json:"errors"`
			}
			res.JSON(t, &p)
			assert.Equal(t, tt.want, p.Errors)
		})
	}
	res := h.do(http.MethodPost, "/api/v1/charters", h.token(audit.RoleManager), `{"version": "2027.1", "points": 3}`)
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"points"}, problemFields(t, res))
	// Nothing of the refused attempts was stored.
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/charters/2027.1", h.token(audit.RoleManager), nil).Code)
}

func TestCharterPublicationAndActivation(t *testing.T) {
	h := newHarness(t)
	for role, want := range map[audit.Role]int{audit.RoleTechnician: 403, audit.RoleSeller: 403} {
		assert.Equal(t, want, h.do(http.MethodPost, "/api/v1/charters", h.token(role), h.charterDraft("2027.0")).Code, role)
	}

	// Published without activation: stored, not active. Weight and primary metric may be
	// left out and come back filled in.
	d := h.charterDraft("2027.1")
	qc18 := d["points"].([]any)[17].(doc)
	qc18["rule"] = "late_shipment_rate < 0.02"
	delete(qc18, "weight")
	delete(qc18, "metric")
	res := h.do(http.MethodPost, "/api/v1/charters", h.token(audit.RoleManager), d)
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	var published charterBody
	res.JSON(t, &published)
	assert.Equal(t, "2027.1", published.Version)
	assert.False(t, published.Active)
	assert.Equal(t, 4.0, published.Points[17]["weight"])
	assert.Equal(t, "late_shipment_rate", published.Points[17]["metric"])
	assert.Equal(t, "2026.1", h.activeCharter(h.token(audit.RoleManager)).Version)

	// A version is published once.
	res = h.do(http.MethodPost, "/api/v1/charters", h.token(audit.RoleAdmin), h.charterDraft("2027.1"))
	require.Equal(t, http.StatusConflict, res.Code, "%s", res.Body)
	assert.Equal(t, "charter version 2027.1 is already published; versions never change", res.Map(t)["detail"])

	// Audits may name it; unnamed, they use the active one.
	res = h.do(http.MethodPost, "/api/v1/audits", h.token(audit.RoleManager),
		doc{"seller_id": h.Own.ID, "period_start": q4Start, "period_end": q4End, "charter_version": "2027.1"})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	var sc scorecardBody
	res.JSON(t, &sc)
	assert.Equal(t, "2027.1", sc.CharterVersion)
	assert.Equal(t, "< 0.02", sc.Points[17].Threshold)
	assert.Equal(t, "2026.1", h.auditQ4(h.Own.ID).CharterVersion, "another version, another scorecard")

	// Activation switches GET /charter and the default of audits.
	d = h.charterDraft("2027.2")
	d["activate"] = true
	res = h.do(http.MethodPost, "/api/v1/charters", h.token(audit.RoleAdmin), d)
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	assert.True(t, res.Map(t)["active"].(bool))
	assert.Equal(t, "2027.2", h.activeCharter(h.token(audit.RoleManager)).Version)
	assert.Equal(t, "2027.2", h.auditQ4(h.Other.ID).CharterVersion)

	// The list: every version, oldest first, one active; pages of 2.
	var versions []string
	active := 0
	cursor := ""
	for {
		res := h.do(http.MethodGet, "/api/v1/charters?limit=2&cursor="+cursor, h.token(audit.RoleManager), nil)
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		var page struct {
			Items      []charterBody `json:"items"`
			NextCursor string        `json:"next_cursor"`
		}
		res.JSON(t, &page)
		assert.LessOrEqual(t, len(page.Items), 2)
		for _, c := range page.Items {
			versions = append(versions, c.Version)
			if c.Active {
				active++
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	assert.Equal(t, []string{"2026.1", "2027.1", "2027.2"}, versions)
	assert.Equal(t, 1, active)
	assert.Equal(t, http.StatusUnprocessableEntity, h.do(http.MethodGet, "/api/v1/charters?cursor=%25", h.token(audit.RoleAdmin), nil).Code)

	// The trail records publication and activation.
	res = h.do(http.MethodGet, "/api/v1/events?entity=charter&entity_id=2027.2", h.token(audit.RoleAdmin), nil)
	require.Equal(t, http.StatusOK, res.Code)
	var ev struct {
		Items []struct{ Action string } `json:"items"`
	}
	res.JSON(t, &ev)
	require.Len(t, ev.Items, 2)
	// One transaction, one millisecond: ids of the same millisecond do not sort by creation.
	assert.ElementsMatch(t, []string{"publish", "activate"}, []string{ev.Items[0].Action, ev.Items[1].Action})
}
