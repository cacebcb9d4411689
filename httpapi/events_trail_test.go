package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

type eventBody struct {
	ID       string `json:"id"`
	At       string `json:"at"`
	KeyID    string `json:"key_id"`
	Role     string `json:"role"`
	Action   string `json:"action"`
	Entity   string `json:"entity"`
	EntityID string `json:"entity_id"`
}

// eventsOf reads the trail of one record through the API.
func (h *harness) eventsOf(entity, id string) []eventBody {
	h.t.Helper()
	q := url.Values{"entity": {entity}, "entity_id": {id}}
	res := h.do(http.MethodGet, "/api/v1/events?"+q.Encode(), h.token(audit.RoleManager), nil)
	require.Equal(h.t, http.StatusOK, res.Code, "%s", res.Body)
	var page struct {
		Items []eventBody `json:"items"`
	}
	res.JSON(h.t, &page)
	return page.Items
}

// TestEveryWriteIsInTheTrail makes one write of every kind through the API and checks that
// each left an event naming who (key id and role), what (entity, id, action) and when.
func TestEveryWriteIsInTheTrail(t *testing.T) {
	h := newHarness(t)
	tech, manager, admin, seller := h.token(audit.RoleTechnician), h.token(audit.RoleManager), h.token(audit.RoleAdmin), h.token(audit.RoleSeller)
	type write struct {
		entity, id, action string
		role               audit.Role
	}
	var writes []write
	created := func(res *response, entity, action string, role audit.Role) string {
		t.Helper()
		require.Contains(t, []int{200, 201}, res.Code, "%s", res.Body)
		id, _ := res.Map(t)["id"].(string)
		require.NotEmpty(t, id)
		writes = append(writes, write{entity, id, action, role})
		return id
	}

	created(h.do(http.MethodPost, "/api/v1/sellers", manager, doc{"name": "Trail", "country": "FR", "contact_email": "t@example.com"}), "seller", "create", audit.RoleManager)
	keyID := created(h.do(http.MethodPost, "/api/v1/keys", admin, doc{"name": "k", "role": "technician"}), "api_key", "create", audit.RoleAdmin)
	require.Equal(t, 204, h.do(http.MethodDelete, "/api/v1/keys/"+keyID, admin, nil).Code)
	writes = append(writes, write{"api_key", keyID, "revoke", audit.RoleAdmin})

	btID := created(h.do(http.MethodPost, "/api/v1/bench-tests", tech, benchTestDoc(t, h.Own.ID, "trail-1")), "bench_test", "create", audit.RoleTechnician)
	created(h.do(http.MethodPost, "/api/v1/bench-tests/"+btID+"/corrections", tech, benchTestDoc(t, h.Own.ID, "trail-1")), "bench_test", "correct", audit.RoleTechnician)
	batch := h.do(http.MethodPost, "/api/v1/bench-tests/batch", tech, doc{"items": []any{benchTestDoc(t, h.Own.ID, "trail-2")}})
	require.Equal(t, 200, batch.Code, "%s", batch.Body)
	var br struct {
		Results []struct{ ID string } `json:"results"`
	}
	batch.JSON(t, &br)
	writes = append(writes, write{"bench_test", br.Results[0].ID, "create", audit.RoleTechnician})

	moID := created(h.do(http.MethodPost, "/api/v1/mystery-orders", tech, moDoc(t, h.Own.ID, "MO-TRAIL-1")), "mystery_order", "create", audit.RoleTechnician)
	created(h.do(http.MethodPost, "/api/v1/mystery-orders/"+moID+"/corrections", tech, moDoc(t, h.Own.ID, "MO-TRAIL-1")), "mystery_order", "correct", audit.RoleTechnician)
	created(h.do(http.MethodPut, kpiPath(h.Own.ID, "2026-08"), manager, kpiDoc()), "kpi_month", "create", audit.RoleManager)

	charter := h.charterDraft("2099.1")
	charter["activate"] = true
	res := h.do(http.MethodPost, "/api/v1/charters", manager, charter)
	require.Equal(t, 201, res.Code, "%s", res.Body)
	writes = append(writes, write{"charter", "2099.1", "publish", audit.RoleManager}, write{"charter", "2099.1", "activate", audit.RoleManager})

	scID := created(h.do(http.MethodPost, "/api/v1/audits", manager, doc{"seller_id": h.Own.ID, "period_start": "2026-10-01", "period_end": "2026-11-01"}), "scorecard", "create", audit.RoleManager)
	res = h.do(http.MethodPost, "/api/v1/scorecards/"+scID+"/approve", manager, doc{"comment": "ok"})
	require.Equal(t, 200, res.Code, "%s", res.Body)
	writes = append(writes, write{"scorecard", scID, "approve", audit.RoleManager})

	res = h.do(http.MethodPut, "/api/v1/sellers/"+h.Other.ID+"/profile", admin, doc{"public": false})
	require.Equal(t, 200, res.Code, "%s", res.Body)
	writes = append(writes, write{"seller_profile", h.Other.ID, "hide", audit.RoleAdmin})
	res = h.do(http.MethodPut, "/api/v1/sellers/"+h.Other.ID+"/profile", manager, doc{"public": true})
	require.Equal(t, 200, res.Code, "%s", res.Body)
	writes = append(writes, write{"seller_profile", h.Other.ID, "show", audit.RoleManager})

	// An action to answer: the seller's weak battery fails QC02.
	f := seedAuthz(t, h)
	res = h.do(http.MethodPost, "/api/v1/corrective-actions/"+f.ownAction+"/plan", seller, doc{"root_cause": "worn cells", "actions": "replace batteries"})
	require.Equal(t, 200, res.Code, "%s", res.Body)
	writes = append(writes, write{"corrective_action", f.ownAction, "", audit.RoleSeller})
	res = h.do(http.MethodPost, "/api/v1/corrective-actions/"+f.ownAction+"/close", manager, doc{"note": "verified"})
	require.Equal(t, 200, res.Code, "%s", res.Body)
	writes = append(writes, write{"corrective_action", f.ownAction, "", audit.RoleManager})

	// A parts lot of 2, decided by its 2 samples; a device lot sampled once.
	lotID := created(h.do(http.MethodPost, "/api/v1/lots", tech, doc{"kind": "parts", "lot_ref": "TRAIL", "lot_size": 2,
		"supplier": "Acme", "part_type": "screen", "received_at": "2026-08-03T00:00:00Z"}), "lot", "create", audit.RoleTechnician)
	for range 2 {
		res = h.do(http.MethodPost, "/api/v1/lots/"+lotID+"/samples", tech, doc{"defects": []any{}})
		require.Equal(t, 201, res.Code, "%s", res.Body)
	}
	writes = append(writes, write{"lot", lotID, "accepted", audit.RoleTechnician})
	devLot := created(h.do(http.MethodPost, "/api/v1/lots", manager, doc{"kind": "devices", "lot_ref": "TRAIL", "lot_size": 50,
		"seller_id": h.Own.ID, "received_at": "2026-08-03T00:00:00Z"}), "lot", "create", audit.RoleManager)
	bt := h.createBenchTest(benchTestDoc(t, h.Own.ID, "trail-lot"), http.StatusCreated)
	res = h.do(http.MethodPost, "/api/v1/lots/"+devLot+"/samples", tech, doc{"bench_test_id": bt.ID})
	require.Equal(t, 201, res.Code, "%s", res.Body)
	samples, _, err := service(h.st).LotSamples(context.Background(), system, devLot, audit.Page{})
	require.NoError(t, err)
	require.Len(t, samples, 1)
	writes = append(writes, write{"lot_sample", samples[0].ID, "create", audit.RoleTechnician})

	for _, w := range writes {
		events := h.eventsOf(w.entity, w.id)
		found := false
		for _, e := range events {
			if e.Role == string(w.role) && (w.action == "" || e.Action == w.action) {
				found = true
				assert.Equal(t, h.keyIDs[w.role], e.KeyID, "%s %s", w.entity, w.id)
				assert.NotEmpty(t, e.At)
			}
		}
		assert.True(t, found, "no %q event by %s for %s %s: %+v", w.action, w.role, w.entity, w.id, events)
	}
}
