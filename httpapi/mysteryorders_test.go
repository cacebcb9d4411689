package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/store"
)

// moDoc returns a valid mystery order as a client sends it: ordered on Friday 2 October 2026
// at 09:00 UTC, shipped the next day, delivered on Tuesday, a pristine smartphone listed as
// excellent, and a service probe answered the same afternoon.
func moDoc(t testing.TB, sellerID, ref string) doc {
	return doc{
		"seller_id": sellerID, "order_ref": ref,
		"ordered_at": "2026-10-02T09:00:00Z", "shipped_at": "2026-10-03T15:00:00Z", "delivered_at": "2026-10-06T11:00:00Z",
		"listed_grade": "excellent",
		"inspection":   inspectionDoc(t, grading.Smartphone),
		"logistics": doc{"packaging_adequate": true, "transit_damage": false, "charge_on_arrival_pct": 54,
			"cable_included": true, "charger_as_listed": true},
		"identity_matches_listing": true,
		"service_probe":            doc{"question_sent_at": "2026-10-02T10:00:00Z", "answered_at": "2026-10-02T16:30:00Z"},
	}
}

// moBody is a stored mystery order as answered.
type moBody struct {
	ID                          string    `json:"id"`
	SellerID                    string    `json:"seller_id"`
	OrderRef                    string    `json:"order_ref"`
	OrderedAt                   time.Time `json:"ordered_at"`
	ShippedAt                   *string   `json:"shipped_at"`
	DeliveredAt                 *string   `json:"delivered_at"`
	ListedGrade                 string    `json:"listed_grade"`
	TechnicianKeyID             string    `json:"technician_key_id"`
	Grade                       gradeBody `json:"grade"`
	GradeMatch                  string    `json:"grade_match"`
	ShippedWithinOneBusinessDay bool      `json:"shipped_within_one_business_day"`
	PackagingFailure            bool      `json:"packaging_failure"`
	LowCharge                   bool      `json:"low_charge"`
	AccessoriesOK               bool      `json:"accessories_ok"`
	ProbeAnsweredInTime         *bool     `json:"probe_answered_in_time"`
	Supersedes                  *string   `json:"supersedes"`
	SupersededBy                *string   `json:"superseded_by"`
}

func (h *harness) createMO(body any, want int) moBody {
	h.t.Helper()
	res := h.do(http.MethodPost, "/api/v1/mystery-orders", h.token(audit.RoleTechnician), body)
	require.Equal(h.t, want, res.Code, "%s", res.Body)
	var out moBody
	if want < 300 {
		res.JSON(h.t, &out)
	}
	return out
}

func TestMysteryOrderCreate(t *testing.T) {
	h := newHarness(t)
	res := h.do(http.MethodPost, "/api/v1/mystery-orders", h.token(audit.RoleTechnician), moDoc(t, h.Own.ID, "MO-2026-0142"))
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	m := res.Map(t)
	for _, k := range []string{"id", "seller_id", "order_ref", "ordered_at", "shipped_at", "delivered_at", "listed_grade",
		"inspection", "logistics", "identity_matches_listing", "service_probe", "technician_key_id", "grade", "grade_match",
		"shipped_within_one_business_day", "packaging_failure", "low_charge", "accessories_ok", "probe_answered_in_time",
		"supersedes", "superseded_by", "created_at"} {
		assert.Contains(t, m, k)
	}
	var mo moBody
	res.JSON(t, &mo)
	assert.Regexp(t, `^mo_`, mo.ID)
	assert.Equal(t, h.keyIDs[audit.RoleTechnician], mo.TechnicianKeyID)
	assert.Equal(t, "premium", *mo.Grade.Marketplace)
	assert.Equal(t, "undergraded", mo.GradeMatch)
	assert.True(t, mo.ShippedWithinOneBusinessDay, "Friday 09:00 → Saturday 15:00")
	assert.False(t, mo.PackagingFailure)
	assert.False(t, mo.LowCharge)
	assert.True(t, mo.AccessoriesOK)
	require.NotNil(t, mo.ProbeAnsweredInTime)
	assert.True(t, *mo.ProbeAnsweredInTime)
	assert.Nil(t, mo.Supersedes)
	assert.Nil(t, mo.SupersededBy)
	assert.Equal(t, map[string]any{"question_sent_at": "2026-10-02T10:00:00Z", "answered_at": "2026-10-02T16:30:00Z"}, m["service_probe"])
	assert.Equal(t, map[string]any{"packaging_adequate": true, "transit_damage": false, "charge_on_arrival_pct": 54.0,
		"cable_included": true, "charger_as_listed": true}, m["logistics"])

	got := h.do(http.MethodGet, "/api/v1/mystery-orders/"+mo.ID, h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, got.Code)
	assert.Equal(t, m, got.Map(t))

	events, _, err := h.st.Events(context.Background(), store.EventFilter{Entity: "mystery_order", EntityID: mo.ID}, store.Page{})
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, h.keyIDs[audit.RoleTechnician], events[0].KeyID)

	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/mystery-orders/mo_nope", h.token(audit.RoleAdmin), nil).Code)
}

func TestMysteryOrderKeepsTheInspectionAsSubmitted(t *testing.T) {
	h := newHarness(t)
	body := moDoc(t, h.Own.ID, "MO-RAW")
	body["inspection"] = "PLACEHOLDER"
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	insp, err := json.Marshal(inspectionDoc(t, grading.Smartphone))
	require.NoError(t, err)
	// Odd spacing and an extra key of the lab tool's own: kept as sent.
	odd := strings.Replace(string(insp), `{"battery"`, `{ "x-tool": "v2 \u00e9",  "battery"`, 1)
	res := h.do(http.MethodPost, "/api/v1/mystery-orders", h.token(audit.RoleTechnician),
		strings.Replace(string(raw), `"PLACEHOLDER"`, odd, 1))
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	id, _ := res.Map(t)["id"].(string)
	rec, err := h.st.MysteryOrder(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, odd, string(rec.Submitted))
}

func TestMysteryOrderOptionalFieldsAreNull(t *testing.T) {
	h := newHarness(t)
	body := moDoc(t, h.Own.ID, "MO-NEVER")
	body["shipped_at"], body["delivered_at"] = nil, nil
	delete(body, "service_probe")
	res := h.do(http.MethodPost, "/api/v1/mystery-orders", h.token(audit.RoleTechnician), body)
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	m := res.Map(t)
	for _, k := range []string{"shipped_at", "delivered_at", "service_probe", "probe_answered_in_time", "supersedes", "superseded_by"} {
		assert.Nil(t, m[k], k)
	}
	assert.Equal(t, false, m["shipped_within_one_business_day"], "never shipped is not shipped in time")

	body = moDoc(t, h.Own.ID, "MO-UNANSWERED")
	body["service_probe"] = doc{"question_sent_at": "2026-10-02T10:00:00Z", "answered_at": nil}
	m = h.do(http.MethodPost, "/api/v1/mystery-orders", h.token(audit.RoleTechnician), body).Map(t)
	assert.Equal(t, false, m["probe_answered_in_time"], "never answered is not answered in time")
	assert.Equal(t, map[string]any{"question_sent_at": "2026-10-02T10:00:00Z", "answered_at": nil}, m["service_probe"])
}

func TestMysteryOrderValidation(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name   string
		change func(d doc)
		fields []string
	}{
		{"shipped before ordered", func(d doc) { d["shipped_at"] = "2026-10-02T08:59:59Z" }, []string{"shipped_at"}},
		{"delivered before shipped", func(d doc) { d["delivered_at"] = "2026-10-03T14:59:59Z" }, []string{"delivered_at"}},
		{"delivered but never shipped", func(d doc) { d["shipped_at"] = nil }, []string{"shipped_at"}},
		{"charge 101", func(d doc) { set(d, "logistics.charge_on_arrival_pct", 101) }, []string{"logistics.charge_on_arrival_pct"}},
		{"charge below 0", func(d doc) { set(d, "logistics.charge_on_arrival_pct", -0.5) }, []string{"logistics.charge_on_arrival_pct"}},
		{"bad listed grade", func(d doc) { d["listed_grade"] = "mint" }, []string{"listed_grade"}},
		{"listed grade null", func(d doc) { d["listed_grade"] = nil }, []string{"listed_grade"}},
		{"empty order_ref", func(d doc) { d["order_ref"] = " " }, []string{"order_ref"}},
		{"order_ref too long", func(d doc) { d["order_ref"] = strings.Repeat("x", 65) }, []string{"order_ref"}},
		{"unknown seller", func(d doc) { d["seller_id"] = "sl_nobody" }, []string{"seller_id"}},
		{"unknown seller and a bad charge, together", func(d doc) {
			d["seller_id"] = "sl_nobody"
			set(d, "logistics.charge_on_arrival_pct", 101)
		}, []string{"logistics.charge_on_arrival_pct", "seller_id"}},
		{"malformed timestamp", func(d doc) { d["ordered_at"] = "2026-10-02 09:00" }, []string{"ordered_at"}},
		{"empty shipped_at", func(d doc) { d["shipped_at"] = "" }, []string{"shipped_at"}},
		{"timestamp of the wrong type", func(d doc) { d["ordered_at"] = 1759395600 }, []string{"ordered_at"}},
		{"missing logistics field", func(d doc) { set(d, "logistics.cable_included", nil) }, []string{"logistics.cable_included"}},
		{"logistics of the wrong type", func(d doc) { set(d, "logistics.transit_damage", "no") }, []string{"logistics.transit_damage"}},
		{"missing identity check", func(d doc) { delete(d, "identity_matches_listing") }, []string{"identity_matches_listing"}},
		{"probe answered before it was sent", func(d doc) { set(d, "service_probe.answered_at", "2026-10-02T09:59:59Z") },
			[]string{"service_probe.answered_at"}},
		{"probe without question time", func(d doc) { set(d, "service_probe.question_sent_at", nil) }, []string{"service_probe.question_sent_at"}},
		{"inspection out of range", func(d doc) { set(d, "inspection.battery.health_pct", 101) }, []string{"inspection.battery.health_pct"}},
		{"inspection part missing", func(d doc) { set(d, "inspection.compliance", nil) }, []string{"inspection.compliance"}},
		{"inspection missing", func(d doc) { delete(d, "inspection") }, []string{"inspection"}},
		{"inspection not an object", func(d doc) { d["inspection"] = 5 }, []string{"inspection"}},
		{"every field missing", func(d doc) {
			for k := range d {
				delete(d, k)
			}
		}, []string{"identity_matches_listing", "inspection", "listed_grade", "logistics", "order_ref", "ordered_at", "seller_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := moDoc(t, h.Own.ID, "MO-BAD")
			tt.change(body)
			res := h.do(http.MethodPost, "/api/v1/mystery-orders", h.token(audit.RoleTechnician), body)
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
			assert.Equal(t, tt.fields, problemFields(t, res), "%s", res.Body)
		})
	}
	for _, raw := range []string{`{"seller_id": `, `[]`, ``} {
		res := h.do(http.MethodPost, "/api/v1/mystery-orders", h.token(audit.RoleTechnician), raw)
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%q: %s", raw, res.Body)
		assert.Equal(t, []string{"body"}, problemFields(t, res), raw)
	}
	list := h.do(http.MethodGet, "/api/v1/mystery-orders", h.token(audit.RoleAdmin), nil).Map(t)
	assert.Empty(t, list["items"], "nothing invalid was stored")
}

func TestMysteryOrderRefIsUniquePerSeller(t *testing.T) {
	h := newHarness(t)
	h.createMO(moDoc(t, h.Own.ID, "MO-1"), http.StatusCreated)
	h.createMO(moDoc(t, h.Own.ID, "MO-1"), http.StatusConflict)
	h.createMO(moDoc(t, h.Other.ID, "MO-1"), http.StatusCreated)
}

// TestMysteryOrderDerivedFields checks the intake derivations at the boundaries of charter.md §2
// and of the low-charge threshold.
func TestMysteryOrderDerivedFields(t *testing.T) {
	h := newHarness(t)
	// 2 October 2026 is a Friday.
	require.Equal(t, time.Friday, time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC).Weekday())
	tests := []struct {
		name   string
		change func(d doc)
		field  string
		want   any
	}{
		{"Friday 16:00 shipped Monday 16:00 is within one business day", func(d doc) {
			d["ordered_at"], d["shipped_at"], d["delivered_at"] = "2026-10-02T16:00:00Z", "2026-10-05T16:00:00Z", nil
		}, "shipped_within_one_business_day", true},
		{"Friday 16:00 shipped Monday 16:00:01 is not", func(d doc) {
			d["ordered_at"], d["shipped_at"], d["delivered_at"] = "2026-10-02T16:00:00Z", "2026-10-05T16:00:01Z", nil
		}, "shipped_within_one_business_day", false},
		{"Thursday 10:00 shipped Friday 10:00 is within", func(d doc) {
			d["ordered_at"], d["shipped_at"], d["delivered_at"] = "2026-10-01T10:00:00Z", "2026-10-02T10:00:00Z", nil
		}, "shipped_within_one_business_day", true},
		{"a Saturday order shipped Monday 23:59:59 is within", func(d doc) {
			d["ordered_at"], d["shipped_at"], d["delivered_at"] = "2026-10-03T08:00:00Z", "2026-10-05T23:59:59Z", nil
		}, "shipped_within_one_business_day", true},
		{"a Sunday order shipped Tuesday 00:00:01 is not", func(d doc) {
			d["ordered_at"], d["shipped_at"], d["delivered_at"] = "2026-10-04T22:00:00Z", "2026-10-06T00:00:01Z", nil
		}, "shipped_within_one_business_day", false},
		{"times in another zone are compared in UTC", func(d doc) {
			// Friday 18:00+02:00 is Friday 16:00 UTC; Monday 17:00+01:00 is Monday 16:00 UTC.
			d["ordered_at"], d["shipped_at"], d["delivered_at"] = "2026-10-02T18:00:00+02:00", "2026-10-05T17:00:00+01:00", nil
		}, "shipped_within_one_business_day", true},
		{"charge 29.9 is low", func(d doc) { set(d, "logistics.charge_on_arrival_pct", 29.9) }, "low_charge", true},
		{"charge 30 is not low", func(d doc) { set(d, "logistics.charge_on_arrival_pct", 30) }, "low_charge", false},
		{"charge 0 is low", func(d doc) { set(d, "logistics.charge_on_arrival_pct", 0) }, "low_charge", true},
		{"probe answered the next business day at the same time is in time", func(d doc) {
			d["service_probe"] = doc{"question_sent_at": "2026-10-02T10:00:00Z", "answered_at": "2026-10-05T10:00:00Z"}
		}, "probe_answered_in_time", true},
		{"probe answered a second later is not", func(d doc) {
			d["service_probe"] = doc{"question_sent_at": "2026-10-02T10:00:00Z", "answered_at": "2026-10-05T10:00:01Z"}
		}, "probe_answered_in_time", false},
		{"probe sent before the order is a pre-sale question", func(d doc) {
			d["service_probe"] = doc{"question_sent_at": "2026-10-01T10:00:00Z", "answered_at": "2026-10-01T12:00:00Z"}
		}, "probe_answered_in_time", true},
		{"no probe", func(d doc) { delete(d, "service_probe") }, "probe_answered_in_time", nil},
		{"inadequate packaging", func(d doc) { set(d, "logistics.packaging_adequate", false) }, "packaging_failure", true},
		{"transit damage", func(d doc) { set(d, "logistics.transit_damage", true) }, "packaging_failure", true},
		{"no cable", func(d doc) { set(d, "logistics.cable_included", false) }, "accessories_ok", false},
		{"charger not as listed", func(d doc) { set(d, "logistics.charger_as_listed", false) }, "accessories_ok", false},
		{"listed premium, observed premium", func(d doc) { d["listed_grade"] = "premium" }, "grade_match", "match"},
		{"a cracked screen is overgraded", func(d doc) {
			set(d, "inspection.cosmetic.screen.cracks", 1)
			set(d, "inspection.cosmetic.screen.visible_from_cm", 100)
		}, "grade_match", "overgraded"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := moDoc(t, h.Own.ID, fmt.Sprintf("MO-D%02d", i))
			tt.change(body)
			res := h.do(http.MethodPost, "/api/v1/mystery-orders", h.token(audit.RoleTechnician), body)
			require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
			assert.Equal(t, tt.want, res.Map(t)[tt.field])
		})
	}
}

func TestMysteryOrderCorrections(t *testing.T) {
	h := newHarness(t)
	first := h.createMO(moDoc(t, h.Own.ID, "MO-1"), http.StatusCreated)
	corrections := "/api/v1/mystery-orders/" + first.ID + "/corrections"

	fix := moDoc(t, h.Own.ID, "MO-1")
	set(fix, "logistics.charge_on_arrival_pct", 12)
	res := h.do(http.MethodPost, corrections, h.token(audit.RoleTechnician), fix)
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	var second moBody
	res.JSON(t, &second)
	require.NotNil(t, second.Supersedes)
	assert.Equal(t, first.ID, *second.Supersedes)
	assert.True(t, second.LowCharge)
	assert.Nil(t, second.SupersededBy)

	var old moBody
	h.do(http.MethodGet, "/api/v1/mystery-orders/"+first.ID, h.token(audit.RoleTechnician), nil).JSON(t, &old)
	require.NotNil(t, old.SupersededBy)
	assert.Equal(t, second.ID, *old.SupersededBy)
	assert.False(t, old.LowCharge, "the corrected record never changes")

	// Corrections form a chain: correct the latest.
	res = h.do(http.MethodPost, corrections, h.token(audit.RoleTechnician), fix)
	assert.Equal(t, http.StatusConflict, res.Code, "%s", res.Body)
	res = h.do(http.MethodPost, "/api/v1/mystery-orders/"+second.ID+"/corrections", h.token(audit.RoleManager), fix)
	assert.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)

	latest := "/api/v1/mystery-orders/" + res.Map(t)["id"].(string) + "/corrections"
	res = h.do(http.MethodPost, latest, h.token(audit.RoleTechnician), moDoc(t, h.Own.ID, "MO-2"))
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"order_ref"}, problemFields(t, res))
	res = h.do(http.MethodPost, latest, h.token(audit.RoleTechnician), moDoc(t, h.Other.ID, "MO-1"))
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"seller_id"}, problemFields(t, res))
	bad := moDoc(t, h.Own.ID, "MO-1")
	bad["listed_grade"] = "mint"
	res = h.do(http.MethodPost, latest, h.token(audit.RoleTechnician), bad)
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"listed_grade"}, problemFields(t, res))

	assert.Equal(t, http.StatusNotFound, h.do(http.MethodPost, "/api/v1/mystery-orders/mo_nope/corrections", h.token(audit.RoleTechnician), fix).Code)
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodPost, corrections, h.token(audit.RoleSeller), fix).Code)

	var list struct {
		Items []moBody `json:"items"`
	}
	h.do(http.MethodGet, "/api/v1/mystery-orders?seller_id="+h.Own.ID, h.token(audit.RoleTechnician), nil).JSON(t, &list)
	assert.Len(t, list.Items, 3, "corrections and corrected records stay visible")
}

func TestMysteryOrderRoles(t *testing.T) {
	h := newHarness(t)
	for i, role := range []audit.Role{audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician} {
		res := h.do(http.MethodPost, "/api/v1/mystery-orders", h.token(role), moDoc(t, h.Own.ID, fmt.Sprintf("MO-R%d", i)))
		assert.Equal(t, http.StatusCreated, res.Code, role)
	}
	id := h.createMO(moDoc(t, h.Own.ID, "MO-R9"), http.StatusCreated).ID
	// A seller reads no mystery order, not even one of its own: they are the quality team's
	// evidence (api.md lists none for sellers).
	for _, tok := range []string{h.token(audit.RoleSeller), h.OtherToken} {
		assert.Equal(t, http.StatusForbidden, h.do(http.MethodPost, "/api/v1/mystery-orders", tok, moDoc(t, h.Own.ID, "MO-S")).Code)
		assert.Equal(t, http.StatusForbidden, h.do(http.MethodGet, "/api/v1/mystery-orders", tok, nil).Code)
		assert.Equal(t, http.StatusForbidden, h.do(http.MethodGet, "/api/v1/mystery-orders/"+id, tok, nil).Code)
	}
	assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodGet, "/api/v1/mystery-orders", "", nil).Code)
	assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodPost, "/api/v1/mystery-orders", "", moDoc(t, h.Own.ID, "MO-U")).Code)
}

func TestMysteryOrderListFilters(t *testing.T) {
	h := newHarness(t)
	// One order a day from Thursday 1 October, alternating sellers.
	for i := range 6 {
		seller := h.Own.ID
		if i%2 == 1 {
			seller = h.Other.ID
		}
		d := moDoc(t, seller, fmt.Sprintf("MO-L%d", i))
		at := time.Date(2026, 10, 1+i, 9, 0, 0, 0, time.UTC)
		d["ordered_at"], d["shipped_at"], d["delivered_at"] = at.Format(time.RFC3339), nil, nil
		h.createMO(d, http.StatusCreated)
	}
	refs := func(query string) []string {
		t.Helper()
		var out []string
		cursor := ""
		for {
			res := h.do(http.MethodGet, "/api/v1/mystery-orders?limit=2&"+query+"&cursor="+cursor, h.token(audit.RoleTechnician), nil)
			require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
			var page struct {
				Items      []moBody `json:"items"`
				NextCursor string   `json:"next_cursor"`
			}
			res.JSON(t, &page)
			for _, it := range page.Items {
				out = append(out, it.OrderRef)
			}
			if page.NextCursor == "" {
				return out
			}
			cursor = page.NextCursor
		}
	}
	assert.Equal(t, []string{"MO-L0", "MO-L1", "MO-L2", "MO-L3", "MO-L4", "MO-L5"}, refs(""))
	assert.Equal(t, []string{"MO-L0", "MO-L2", "MO-L4"}, refs("seller_id="+h.Own.ID))
	assert.Equal(t, []string{"MO-L1", "MO-L2"}, refs("from=2026-10-02&to=2026-10-04T09:00:00Z"), "[from, to)")
	assert.Equal(t, []string{"MO-L2"}, refs("from=2026-10-02T09:00:00%2B00:00&to=2026-10-04&seller_id="+h.Own.ID))
	assert.Empty(t, refs("seller_id=sl_nobody"))
	assert.Empty(t, refs("seller_id=%00"))

	for _, bad := range []string{"from=yesterday", "to=2026-13-01", "from=2026-10-03&to=2026-10-02", "limit=0", "limit=x", "cursor=%25%25"} {
		res := h.do(http.MethodGet, "/api/v1/mystery-orders?"+bad, h.token(audit.RoleAdmin), nil)
		assert.Equal(t, http.StatusUnprocessableEntity, res.Code, bad)
	}
	for _, p := range []string{"/api/v1/mystery-orders/mo%00x", "/api/v1/mystery-orders/mo%ffx"} {
		assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, p, h.token(audit.RoleAdmin), nil).Code, p)
		assert.Equal(t, http.StatusNotFound, h.do(http.MethodPost, p+"/corrections", h.token(audit.RoleAdmin), moDoc(t, h.Own.ID, "MO-L0")).Code, p)
	}
}
