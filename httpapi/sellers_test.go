package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

func TestSellersCreateAndRead(t *testing.T) {
	h := newHarness(t)
	body := map[string]any{"name": "Ελληνικά Ανακαίνιση Łódź", "country": "GR", "contact_email": "qa@example.gr"}
	res := h.do(http.MethodPost, "/api/v1/sellers", h.token(audit.RoleManager), body)
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	m := res.Map(t)
	assert.Equal(t, body["name"], m["name"])
	id, _ := m["id"].(string)
	assert.True(t, strings.HasPrefix(id, "sl_"), "opaque id: %s", id)
	for _, k := range []string{"id", "name", "country", "contact_email", "created_at"} {
		assert.Contains(t, m, k)
	}

	got := h.do(http.MethodGet, "/api/v1/sellers/"+id, h.token(audit.RoleTechnician), nil)
	require.Equal(t, http.StatusOK, got.Code)
	assert.Equal(t, m, got.Map(t))
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/sellers/sl_nope", h.token(audit.RoleAdmin), nil).Code)
}

func TestSellersValidation(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name   string
		body   any
		fields []string
	}{
		{"every field wrong", map[string]any{"name": "", "country": "XX", "contact_email": "nope"}, []string{"contact_email", "country", "name"}},
		{"missing fields", map[string]any{}, []string{"contact_email", "country", "name"}},
		{"name too long", map[string]any{"name": strings.Repeat("é", 201), "country": "FR", "contact_email": "a@b.fr"}, []string{"name"}},
		{"name of 200 characters is fine but country lower case", map[string]any{"name": strings.Repeat("é", 200), "country": "fr", "contact_email": "a@b.fr"}, []string{"country"}},
		{"wrong type", `{"name": 5, "country": "FR", "contact_email": "a@b.fr"}`, []string{"name"}},
		{"malformed JSON", `{"name": `, []string{"body"}},
		{"empty body", "", []string{"body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.do(http.MethodPost, "/api/v1/sellers", h.token(audit.RoleAdmin), tt.body)
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
			assert.Equal(t, tt.fields, problemFields(t, res))
		})
	}
}

func TestSellersRoles(t *testing.T) {
	h := newHarness(t)
	body := map[string]any{"name": "X", "country": "FR", "contact_email": "x@example.com"}
	for role, want := range map[audit.Role]int{audit.RoleAdmin: 201, audit.RoleManager: 201, audit.RoleTechnician: 403, audit.RoleSeller: 403} {
		assert.Equal(t, want, h.do(http.MethodPost, "/api/v1/sellers", h.token(role), body).Code, role)
	}
	assert.Equal(t, 401, h.do(http.MethodPost, "/api/v1/sellers", "", body).Code)
	assert.Equal(t, 401, h.do(http.MethodGet, "/api/v1/sellers", "rfq_unknown", nil).Code)

	// A seller reads its own record; another seller's answers 404 as if it did not exist.
	assert.Equal(t, 200, h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID, h.token(audit.RoleSeller), nil).Code)
	assert.Equal(t, 404, h.do(http.MethodGet, "/api/v1/sellers/"+h.Other.ID, h.token(audit.RoleSeller), nil).Code)
	var list struct {
		Items []struct{ ID string } `json:"items"`
	}
	h.do(http.MethodGet, "/api/v1/sellers", h.token(audit.RoleSeller), nil).JSON(t, &list)
	require.Len(t, list.Items, 1)
	assert.Equal(t, h.Own.ID, list.Items[0].ID)
}

func TestSellersPaginationWalksEveryItemOnce(t *testing.T) {
	h := newHarness(t)
	for i := range 23 {
		res := h.do(http.MethodPost, "/api/v1/sellers", h.token(audit.RoleManager),
			map[string]any{"name": fmt.Sprintf("Seller %d", i), "country": "FR", "contact_email": "s@example.com"})
		require.Equal(t, 201, res.Code)
	}
	seen := map[string]int{}
	cursor, pages := "", 0
	for {
		var page struct {
			Items      []struct{ ID string } `json:"items"`
			NextCursor string                `json:"next_cursor"`
		}
		res := h.do(http.MethodGet, "/api/v1/sellers?limit=5&cursor="+cursor, h.token(audit.RoleAdmin), nil)
		require.Equal(t, 200, res.Code, "%s", res.Body)
		res.JSON(t, &page)
		assert.LessOrEqual(t, len(page.Items), 5)
		for _, it := range page.Items {
			seen[it.ID]++
		}
		pages++
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	assert.Len(t, seen, 25) // 23 + the harness's two
	for id, n := range seen {
		assert.Equal(t, 1, n, id)
	}
	assert.Equal(t, 5, pages)
	for _, bad := range []string{"limit=0", "limit=abc", "cursor=%25%25"} {
		res := h.do(http.MethodGet, "/api/v1/sellers?"+bad, h.token(audit.RoleAdmin), nil)
		assert.Equal(t, 422, res.Code, bad)
	}
	res := h.do(http.MethodGet, "/api/v1/sellers?limit=100000", h.token(audit.RoleAdmin), nil)
	assert.Equal(t, 200, res.Code)
}

// TestEveryWrongTypeIsReported: a document with several values of the wrong type names every
// one of them, with the other invalid fields, in one answer.
func TestEveryWrongTypeIsReported(t *testing.T) {
	h := newHarness(t)
	res := h.do(http.MethodPost, "/api/v1/sellers", h.token(audit.RoleAdmin), `{"name": 1, "country": 2, "contact_email": 3}`)
	require.Equal(t, 422, res.Code)
	assert.Equal(t, []string{"contact_email", "country", "name"}, problemFields(t, res))

	insp := inspectionDoc(t, "smartphone")
	insp = set(insp, "cosmetic.screen.cracks", "x")
	insp = set(insp, "cosmetic.body.dents", "y")
	insp = set(insp, "battery.genuine", "yes")
	insp = set(insp, "battery.health_pct", 120)
	res = h.do(http.MethodPost, "/api/v1/grading/preview", h.token(audit.RoleTechnician), insp)
	require.Equal(t, 422, res.Code, "%s", res.Body)
	assert.Equal(t, []string{"battery.genuine", "battery.health_pct", "cosmetic.body.dents", "cosmetic.screen.cracks"}, problemFields(t, res))

	res = h.do(http.MethodPut, kpiPath(h.Own.ID, "2026-08"), h.token(audit.RoleManager), `{"orders": 1.5, "shipped_late": "x", "valid_tracking": 0,
		"cancelled_before_shipment": 0, "technical_returns_30d": 0, "defective_orders": 0, "messages_received": 0,
		"messages_answered_within_1bd": 0, "warranty_claims": 0, "warranty_remedied_within_5bd": 0, "warranty_months": 12}`)
	require.Equal(t, 422, res.Code, "%s", res.Body)
	assert.Equal(t, []string{"orders", "shipped_late"}, problemFields(t, res))

	bt := benchTestDoc(t, h.Own.ID, "")
	bt["lab"] = 5
	bt["tested_at"] = "yesterday"
	res = h.do(http.MethodPost, "/api/v1/bench-tests", h.token(audit.RoleTechnician), bt)
	require.Equal(t, 422, res.Code, "%s", res.Body)
	assert.Equal(t, []string{"lab", "tested_at"}, problemFields(t, res))
}
