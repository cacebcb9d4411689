package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
)

// kpiDoc is a valid KPI month body: 120 orders, 10 messages, 2 warranty claims.
func kpiDoc() doc {
	return doc{"orders": 120, "shipped_late": 3, "valid_tracking": 118, "cancelled_before_shipment": 2,
		"technical_returns_30d": 2, "defective_orders": 1, "messages_received": 10, "messages_answered_within_1bd": 9,
		"warranty_claims": 2, "warranty_remedied_within_5bd": 2, "warranty_months": 12}
}

func kpiPath(seller, month string) string { return "/api/v1/sellers/" + seller + "/kpis/" + month }

const kpiHeader = "seller_id,month,orders,shipped_late,valid_tracking,cancelled_before_shipment," +
	"technical_returns_30d,defective_orders,messages_received,messages_answered_within_1bd," +
	"warranty_claims,warranty_remedied_within_5bd,warranty_months\n"

func kpiRow(seller, month string, orders int) string {
	return fmt.Sprintf("%s,%s,%d,1,%d,0,1,0,10,9,2,2,12\n", seller, month, orders, orders)
}

// importCSV posts a KPI CSV as a manager.
func (h *harness) importCSV(csv string) *response {
	h.t.Helper()
	return h.do(http.MethodPost, "/api/v1/kpis/import", h.token(audit.RoleManager), csv, "Content-Type", "text/csv; charset=utf-8")
}

// kpiMonths returns every KPI month of a seller, as a map month → figures.
func (h *harness) kpiMonths(seller string) map[string]map[string]any {
	h.t.Helper()
	out := map[string]map[string]any{}
	cursor := ""
	for {
		res := h.do(http.MethodGet, "/api/v1/sellers/"+seller+"/kpis?limit=2&cursor="+cursor, h.token(audit.RoleManager), nil)
		require.Equal(h.t, http.StatusOK, res.Code, "%s", res.Body)
		var page struct {
			Items      []map[string]any `json:"items"`
			NextCursor string           `json:"next_cursor"`
		}
		res.JSON(h.t, &page)
		for _, it := range page.Items {
			out[it["month"].(string)] = it
		}
		if page.NextCursor == "" {
			return out
		}
		cursor = page.NextCursor
	}
}

func TestKPIPutReplacesTheMonth(t *testing.T) {
	h := newHarness(t)
	res := h.do(http.MethodPut, kpiPath(h.Own.ID, "2026-09"), h.token(audit.RoleManager), kpiDoc())
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	first := res.Map(t)
	for k, v := range kpiDoc() {
		assert.EqualValues(t, v, first[k], k)
	}
	assert.Equal(t, h.Own.ID, first["seller_id"])
	assert.Equal(t, "2026-09", first["month"])
	assert.Regexp(t, `^km_`, first["id"])
	assert.Contains(t, first, "updated_at")

	second := h.do(http.MethodPut, kpiPath(h.Own.ID, "2026-09"), h.token(audit.RoleAdmin), set(kpiDoc(), "orders", 500)).Map(t)
	assert.Equal(t, first["id"], second["id"], "a second PUT replaces the month, keeping its id")
	assert.EqualValues(t, 500, second["orders"])
	months := h.kpiMonths(h.Own.ID)
	require.Len(t, months, 1)
	assert.Equal(t, second, months["2026-09"])

	events, _, err := h.st.Events(context.Background(), store.EventFilter{Entity: "kpi_month", EntityID: first["id"].(string)}, store.Page{})
	require.NoError(t, err)
	assert.Len(t, events, 2)
}

func TestKPIPutValidation(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name   string
		month  string
		body   any
		fields []string // nil: accepted
	}{
		{"shipped_late equal to orders", "2026-09", set(kpiDoc(), "shipped_late", 120), nil},
		{"shipped_late one more than orders", "2026-09", set(kpiDoc(), "shipped_late", 121), []string{"shipped_late"}},
		{"orders one less than its parts", "2026-09", set(kpiDoc(), "orders", 117), []string{"valid_tracking"}},
		{"answered more than received", "2026-09", set(kpiDoc(), "messages_answered_within_1bd", 11), []string{"messages_answered_within_1bd"}},
		{"remedied more than claimed", "2026-09", set(kpiDoc(), "warranty_remedied_within_5bd", 3), []string{"warranty_remedied_within_5bd"}},
		{"all zero", "2026-09", doc{"orders": 0, "shipped_late": 0, "valid_tracking": 0, "cancelled_before_shipment": 0,
			"technical_returns_30d": 0, "defective_orders": 0, "messages_received": 0, "messages_answered_within_1bd": 0,
			"warranty_claims": 0, "warranty_remedied_within_5bd": 0, "warranty_months": 0}, nil},
		{"negative", "2026-09", set(kpiDoc(), "defective_orders", -1), []string{"defective_orders"}},
		{"warranty of 120 months", "2026-09", set(kpiDoc(), "warranty_months", 120), nil},
		{"warranty of 121 months", "2026-09", set(kpiDoc(), "warranty_months", 121), []string{"warranty_months"}},
		{"month 2026-13", "2026-13", kpiDoc(), []string{"month"}},
		{"month 2026-00", "2026-00", kpiDoc(), []string{"month"}},
		{"month 2026-1", "2026-1", kpiDoc(), []string{"month"}},
		{"month 2026-09-01", "2026-09-01", kpiDoc(), []string{"month"}},
		{"bad month and bad figure together", "2026-13", set(kpiDoc(), "shipped_late", 121), []string{"month", "shipped_late"}},
		{"missing whole: no spurious part error", "2026-09", set(kpiDoc(), "orders", nil), []string{"orders"}},
		{"missing part", "2026-09", set(kpiDoc(), "shipped_late", nil), []string{"shipped_late"}},
		{"not an integer", "2026-09", set(kpiDoc(), "orders", 1.5), []string{"orders"}},
		{"a string", "2026-09", set(kpiDoc(), "orders", "120"), []string{"orders"}},
		{"empty body", "2026-09", doc{}, []string{"cancelled_before_shipment", "defective_orders", "messages_answered_within_1bd",
			"messages_received", "orders", "shipped_late", "technical_returns_30d", "valid_tracking", "warranty_claims",
			"warranty_months", "warranty_remedied_within_5bd"}},
		{"malformed JSON", "2026-09", `{"orders": `, []string{"body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.do(http.MethodPut, kpiPath(h.Own.ID, tt.month), h.token(audit.RoleManager), tt.body)
			if tt.fields == nil {
				assert.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
				return
			}
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
			assert.Equal(t, tt.fields, problemFields(t, res), "%s", res.Body)
		})
	}
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodPut, kpiPath("sl_nobody", "2026-09"), h.token(audit.RoleManager), kpiDoc()).Code)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodPut, kpiPath("sl%00x", "2026-09"), h.token(audit.RoleManager), kpiDoc()).Code)
}

func TestKPIRoles(t *testing.T) {
	h := newHarness(t)
	for role, want := range map[audit.Role]int{audit.RoleAdmin: 200, audit.RoleManager: 200, audit.RoleTechnician: 403, audit.RoleSeller: 403} {
		assert.Equal(t, want, h.do(http.MethodPut, kpiPath(h.Own.ID, "2026-09"), h.token(role), kpiDoc()).Code, role)
		assert.Equal(t, want, h.do(http.MethodPost, "/api/v1/kpis/import", h.token(role), kpiHeader, "Content-Type", "text/csv").Code, role)
	}
	for role, want := range map[audit.Role]int{audit.RoleAdmin: 200, audit.RoleManager: 200, audit.RoleTechnician: 403, audit.RoleSeller: 403} {
		assert.Equal(t, want, h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/kpis", h.token(role), nil).Code, role)
	}
	// KPIs are the quality team's working figures: no seller reads them, its own or another's.
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodGet, "/api/v1/sellers/"+h.Other.ID+"/kpis", h.token(audit.RoleSeller), nil).Code)
	assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/kpis", "", nil).Code)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/sellers/sl_nobody/kpis", h.token(audit.RoleAdmin), nil).Code)
}

func TestKPIListInMonthOrder(t *testing.T) {
	h := newHarness(t)
	for _, m := range []string{"2026-03", "2025-12", "2026-01", "2026-02", "2025-11"} {
		require.Equal(t, http.StatusOK, h.do(http.MethodPut, kpiPath(h.Own.ID, m), h.token(audit.RoleManager), kpiDoc()).Code)
	}
	require.Equal(t, http.StatusOK, h.do(http.MethodPut, kpiPath(h.Other.ID, "2026-01"), h.token(audit.RoleManager), kpiDoc()).Code)
	var months []string
	cursor := ""
	for {
		var page struct {
			Items      []struct{ Month string } `json:"items"`
			NextCursor string                   `json:"next_cursor"`
		}
		res := h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/kpis?limit=2&cursor="+cursor, h.token(audit.RoleManager), nil)
		require.Equal(t, http.StatusOK, res.Code)
		res.JSON(t, &page)
		for _, it := range page.Items {
			months = append(months, it.Month)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	assert.Equal(t, []string{"2025-11", "2025-12", "2026-01", "2026-02", "2026-03"}, months)
	for _, bad := range []string{"limit=0", "cursor=%25%25", "cursor=" + store.EncodeCursor("sl_abc")} {
		assert.Equal(t, http.StatusUnprocessableEntity, h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/kpis?"+bad, h.token(audit.RoleAdmin), nil).Code, bad)
	}
}

func TestKPIImport(t *testing.T) {
	h := newHarness(t)
	require.Equal(t, http.StatusOK, h.do(http.MethodPut, kpiPath(h.Own.ID, "2026-09"), h.token(audit.RoleManager), kpiDoc()).Code)
	before := h.kpiMonths(h.Own.ID)["2026-09"]

	// A spreadsheet export: byte order mark, CRLF, columns in an order of its own.
	csv := "\uFEFFwarranty_months,month,defective_orders,orders,seller_id,shipped_late,valid_tracking," +
		"messages_answered_within_1bd,cancelled_before_shipment,technical_returns_30d,messages_received," +
		"warranty_remedied_within_5bd,warranty_claims\r\n" +
		"24,2026-09,1,300,OWN,3,290,38,2,2,40,4,4\r\n" +
		"24,2026-10,1,310,OWN,3,300,38,2,2,40,4,4\r\n" +
		"12,2026-10,0,50,OTHER,0,50,0,0,0,0,0,0\r\n"
	csv = strings.NewReplacer("OWN", h.Own.ID, "OTHER", h.Other.ID).Replace(csv)
	res := h.importCSV(csv)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	assert.Equal(t, map[string]any{"imported": 3.0}, res.Map(t))

	own := h.kpiMonths(h.Own.ID)
	require.Len(t, own, 2)
	assert.Equal(t, before["id"], own["2026-09"]["id"], "an imported month replaces the stored one, keeping its id")
	assert.EqualValues(t, 300, own["2026-09"]["orders"])
	assert.EqualValues(t, 24, own["2026-10"]["warranty_months"])
	assert.Len(t, h.kpiMonths(h.Other.ID), 1)

	events, _, err := h.st.Events(context.Background(), store.EventFilter{Entity: "kpi_month", KeyID: h.keyIDs[audit.RoleManager]}, store.Page{Limit: 100})
	require.NoError(t, err)
	imports := 0
	for _, e := range events {
		if e.Action == "import" {
			imports++
		}
	}
	assert.Equal(t, 3, imports, "one event per imported month")

	res = h.importCSV(kpiHeader)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	assert.Equal(t, map[string]any{"imported": 0.0}, res.Map(t))
}

func TestKPIImportRefusals(t *testing.T) {
	h := newHarness(t)
	require.Equal(t, http.StatusOK, h.do(http.MethodPut, kpiPath(h.Own.ID, "2026-09"), h.token(audit.RoleManager), kpiDoc()).Code)
	before := h.kpiMonths(h.Own.ID)
	own := h.Own.ID
	tests := []struct {
		name   string
		csv    string
		fields []string
	}{
		{"a bad row in the middle", kpiHeader + kpiRow(own, "2026-09", 300) + kpiRow(own, "2026-10", 10) +
			own + ",2026-11,10,11,10,0,0,0,0,0,0,0,12\n" + kpiRow(own, "2026-12", 10), []string{"line 4: shipped_late"}},
		{"an unknown column", strings.Replace(kpiHeader, "\n", ",notes\n", 1) + strings.Replace(kpiRow(own, "2026-10", 10), "\n", ",hi\n", 1),
			[]string{"line 1: notes"}},
		{"a missing column", strings.Replace(kpiHeader, "defective_orders,", "", 1), []string{"line 1: defective_orders"}},
		{"an unknown seller", kpiHeader + kpiRow(own, "2026-10", 10) + kpiRow("sl_nobody", "2026-10", 10), []string{"line 3: seller_id"}},
		{"a month that repeats, on the later line", kpiHeader + kpiRow(own, "2026-10", 10) + kpiRow(own, "2026-10", 11), []string{"line 3: month"}},
		{"month 2026-13", kpiHeader + kpiRow(own, "2026-13", 10), []string{"line 2: month"}},
		{"a short row", kpiHeader + own + ",2026-10,1\n", []string{"line 2"}},
		{"an empty body", "", []string{"line 1: cancelled_before_shipment", "line 1: defective_orders", "line 1: messages_answered_within_1bd",
			"line 1: messages_received", "line 1: month", "line 1: orders", "line 1: seller_id", "line 1: shipped_late",
			"line 1: technical_returns_30d", "line 1: valid_tracking", "line 1: warranty_claims", "line 1: warranty_months",
			"line 1: warranty_remedied_within_5bd"}},
		{"two bad rows, one error each", kpiHeader + own + ",2026-10,x,y,0,0,0,0,0,0,0,0,0\n" + kpiRow(own, "2026-11", 10) +
			kpiRow(own, "2026-12", -1), []string{"line 2: orders", "line 4: orders"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.importCSV(tt.csv)
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
			assert.Equal(t, tt.fields, problemFields(t, res), "%s", res.Body)
			assert.Equal(t, before, h.kpiMonths(h.Own.ID), "nothing was imported")
		})
	}

	for _, ct := range []string{"application/json", "text/plain", "", "text/csv-ish", "multipart/form-data; boundary=x"} {
		res := h.do(http.MethodPost, "/api/v1/kpis/import", h.token(audit.RoleManager), kpiHeader+kpiRow(own, "2026-10", 10), "Content-Type", ct)
		assert.Equal(t, http.StatusUnsupportedMediaType, res.Code, "%q: %s", ct, res.Body)
	}
	assert.Equal(t, before, h.kpiMonths(h.Own.ID))
}

func TestKPIImportCapsTheErrorList(t *testing.T) {
	h := newHarness(t)
	var sb strings.Builder
	sb.WriteString(kpiHeader)
	for i := range 1200 {
		sb.WriteString(kpiRow("sl_nobody", fmt.Sprintf("%04d-%02d", 2000+i/12, 1+i%12), 10))
	}
	res := h.importCSV(sb.String())
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	fields := problemFields(t, res)
	require.Len(t, fields, 1001)
	assert.Equal(t, "line 2: seller_id", fields[0])
	assert.Equal(t, "line 1001: seller_id", fields[999])
	var p struct {
		Errors []struct{ Field, Message string } `json:"errors"`
	}
	res.JSON(t, &p)
	assert.Contains(t, p.Errors[1000].Message, "200 more")
}
