package httpapi_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// impactBody is an estimate as the API answers it.
type impactBody struct {
	Period struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"period"`
	SellerID            *string          `json:"seller_id"`
	Orders              int              `json:"orders"`
	Units               int              `json:"units"`
	OrdersWithoutMix    int              `json:"orders_without_mix"`
	FactorsVersion      string           `json:"factors_version"`
	Categories          []impactCategory `json:"categories"`
	Totals              impactFigures    `json:"totals"`
	DevicesNotEstimated float64          `json:"devices_not_estimated"`
}

type impactFigures struct {
	CO2eKg         *float64 `json:"co2e_kg"`
	EwasteKg       *float64 `json:"ewaste_kg"`
	RawMaterialsKg *float64 `json:"raw_materials_kg"`
	WaterL         *float64 `json:"water_l"`
}

type impactCategory struct {
	Category string  `json:"category"`
	Units    int     `json:"units"`
	Share    float64 `json:"share"`
	Devices  float64 `json:"devices"`
	impactFigures
}

// phone is the default factor per smartphone (the marketplace's published figures).
var phone = struct{ co2e, ewaste, raw, water float64 }{77.31, 0.1783, 243.60, 77000}

// assertFigures checks the four figures of got against want (nil: every one null).
func assertFigures(t *testing.T, want *[4]float64, got impactFigures, what string) {
	t.Helper()
	if want == nil {
		assert.Equal(t, impactFigures{}, got, "%s: not estimated, every figure null", what)
		return
	}
	for i, v := range []*float64{got.CO2eKg, got.EwasteKg, got.RawMaterialsKg, got.WaterL} {
		if assert.NotNil(t, v, "%s: figure %d", what, i) {
			assert.InDelta(t, want[i], *v, 1e-6*max(1, want[i]), "%s: figure %d", what, i)
		}
	}
}

func phones(n float64) *[4]float64 {
	return &[4]float64{n * phone.co2e, n * phone.ewaste, n * phone.raw, n * phone.water}
}

// impactFixture records, through the API, the period's orders and inspected units of both
// sellers: Own sold 200 devices in Q3 2026 (KPI months July and August; June and October are
// out) and had 3 smartphones and 1 tablet inspected (bench tests and a mystery order), plus an
// incomplete laptop and a smartphone tested on the period's end, which do not count; Other
// sold 50 and had 1 laptop inspected.
func impactFixture(t *testing.T, h *harness) {
	t.Helper()
	h.auditKPIs(h.Own.ID, "2026-06", func(d doc) { d["orders"] = 5000 })
	h.auditKPIs(h.Own.ID, "2026-07", nil)
	h.auditKPIs(h.Own.ID, "2026-08", nil)
	h.auditKPIs(h.Own.ID, "2026-10", func(d doc) { d["orders"] = 7000 })
	h.auditKPIs(h.Other.ID, "2026-09", func(d doc) {
		d["orders"], d["shipped_late"], d["valid_tracking"], d["cancelled_before_shipment"] = 50, 0, 50, 0
	})
	bench := func(seller string, category grading.Category, at string, change func(doc)) {
		d := doc{"seller_id": seller, "lab": "lab", "tested_at": at, "inspection": inspectionDoc(t, category)}
		if change != nil {
			change(d)
		}
		h.createBenchTest(d, http.StatusCreated)
	}
	bench(h.Own.ID, grading.Smartphone, "2026-07-01T00:00:00Z", nil)
	bench(h.Own.ID, grading.Smartphone, "2026-08-12T10:00:00Z", nil)
	bench(h.Own.ID, grading.Tablet, "2026-09-30T23:59:59Z", nil)
	bench(h.Own.ID, grading.Smartphone, "2026-10-01T00:00:00Z", nil) // the end: out
	bench(h.Own.ID, grading.Laptop, "2026-08-12T10:00:00Z", func(d doc) {
		set(d, "inspection.functional.display", "not_tested") // incomplete: out
	})
	mo := moDoc(t, h.Own.ID, "MO-IMPACT-1")
	mo["ordered_at"], mo["shipped_at"], mo["delivered_at"] = "2026-09-10T09:00:00Z", "2026-09-11T15:00:00Z", "2026-09-14T11:00:00Z"
	mo["service_probe"] = doc{"question_sent_at": "2026-09-10T10:00:00Z", "answered_at": "2026-09-10T16:30:00Z"}
	res := h.do(http.MethodPost, "/api/v1/mystery-orders", h.token(audit.RoleTechnician), mo)
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	bench(h.Other.ID, grading.Laptop, "2026-09-02T10:00:00Z", nil)
}

func (h *harness) impact(token, query string, want int) impactBody {
	h.t.Helper()
	res := h.do(http.MethodGet, "/api/v1/impact?"+query, token, nil)
	require.Equal(h.t, want, res.Code, "%s", res.Body)
	var b impactBody
	if want == http.StatusOK {
		res.JSON(h.t, &b)
	}
	return b
}

// TestImpactEstimate: a seller's estimate and the marketplace's over the full HTTP stack, from
// records stored through the API, on the configured database.
func TestImpactEstimate(t *testing.T) {
	h := newHarness(t)
	impactFixture(t, h)
	manager := h.token(audit.RoleManager)
	q3 := "period_start=2026-07-01&period_end=2026-10-01"

	own := h.impact(manager, q3+"&seller_id="+h.Own.ID, http.StatusOK)
	assert.Equal(t, "2026-07-01", own.Period.Start)
	assert.Equal(t, "2026-10-01", own.Period.End)
	require.NotNil(t, own.SellerID)
	assert.Equal(t, h.Own.ID, *own.SellerID)
	assert.Equal(t, 200, own.Orders)
	assert.Equal(t, 4, own.Units, "3 smartphones and a tablet; the incomplete laptop and the unit on the end are out")
	assert.Equal(t, 0, own.OrdersWithoutMix)
	assert.Equal(t, audit.DefaultImpactFactorsVersion, own.FactorsVersion)
	require.Len(t, own.Categories, 2)
	sp, tab := own.Categories[0], own.Categories[1]
	assert.Equal(t, "smartphone", sp.Category)
	assert.Equal(t, 3, sp.Units)
	assert.Equal(t, 0.75, sp.Share)
	assert.Equal(t, 150.0, sp.Devices)
	assertFigures(t, phones(150), sp.impactFigures, "smartphones")
	assert.Equal(t, "tablet", tab.Category)
	assert.Equal(t, 0.25, tab.Share)
	assert.Equal(t, 50.0, tab.Devices, "the tablets' devices are shown")
	assertFigures(t, nil, tab.impactFigures, "tablets")
	assertFigures(t, phones(150), own.Totals, "totals: the estimated categories")
	assert.Equal(t, 50.0, own.DevicesNotEstimated)

	// The marketplace: each seller's estimate summed.
	all := h.impact(manager, q3, http.StatusOK)
	assert.Nil(t, all.SellerID)
	assert.Equal(t, 250, all.Orders)
	assert.Equal(t, 5, all.Units)
	require.Len(t, all.Categories, 3)
	assert.Equal(t, []string{"smartphone", "tablet", "laptop"},
		[]string{all.Categories[0].Category, all.Categories[1].Category, all.Categories[2].Category})
	assert.Equal(t, []float64{150, 50, 50}, []float64{all.Categories[0].Devices, all.Categories[1].Devices, all.Categories[2].Devices})
	assert.Equal(t, []float64{0.6, 0.2, 0.2}, []float64{all.Categories[0].Share, all.Categories[1].Share, all.Categories[2].Share})
	assertFigures(t, phones(150), all.Totals, "marketplace totals")
	assert.Equal(t, 100.0, all.DevicesNotEstimated)

	// A seller: its own by default or by name, and another seller is 404, as if it did not
	// exist; the other seller's key gets its own estimate.
	mine := h.impact(h.token(audit.RoleSeller), q3, http.StatusOK)
	assert.Equal(t, own, mine)
	assert.Equal(t, own, h.impact(h.token(audit.RoleSeller), q3+"&seller_id="+h.Own.ID, http.StatusOK))
	h.impact(h.token(audit.RoleSeller), q3+"&seller_id="+h.Other.ID, http.StatusNotFound)
	h.impact(h.token(audit.RoleSeller), q3+"&seller_id=sl_nobody", http.StatusNotFound)
	other := h.impact(h.OtherToken, q3, http.StatusOK)
	require.NotNil(t, other.SellerID)
	assert.Equal(t, h.Other.ID, *other.SellerID)
	assert.Equal(t, 50, other.Orders)
	require.Len(t, other.Categories, 1)
	assert.Equal(t, "laptop", other.Categories[0].Category)
	assertFigures(t, nil, other.Totals, "only a category without factors: totals null")
	h.impact(h.token(audit.RoleTechnician), q3, http.StatusForbidden)
	h.impact("", q3, http.StatusUnauthorized)

	// Orders without an inspected unit: nothing estimated.
	oct := h.impact(manager, "period_start=2026-10-02&period_end=2026-11-01&seller_id="+h.Own.ID, http.StatusOK)
	assert.Equal(t, 0, oct.Orders, "October starts before the 2nd")
	none := h.impact(manager, "period_start=2026-10-01&period_end=2026-11-01&seller_id="+h.Own.ID, http.StatusOK)
	assert.Equal(t, 7000, none.Orders)
	assert.Equal(t, 1, none.Units, "the smartphone tested on October 1st")
	june := h.impact(manager, "period_start=2026-06-01&period_end=2026-07-01&seller_id="+h.Own.ID, http.StatusOK)
	assert.Equal(t, 5000, june.Orders)
	assert.Equal(t, 5000, june.OrdersWithoutMix)
	assert.Equal(t, 0, june.Units)
	assert.Empty(t, june.Categories)
	assert.NotNil(t, june.Categories, "an empty list, not null")
	assertFigures(t, nil, june.Totals, "no mix: totals null")

	// What cannot be answered.
	for _, bad := range []struct {
		query  string
		status int
	}{
		{"", http.StatusUnprocessableEntity},
		{"period_start=2026-07-01", http.StatusUnprocessableEntity},
		{"period_start=2026-10-01&period_end=2026-07-01", http.StatusUnprocessableEntity},
		{"period_start=2026-07-01&period_end=2027-08-01", http.StatusUnprocessableEntity},
		{"period_start=2026-13-01&period_end=2027-01-01", http.StatusUnprocessableEntity},
		{q3 + "&seller_id=%zz", http.StatusUnprocessableEntity},
		{q3 + "&seller_id=sl_nobody", http.StatusNotFound},
		{q3 + "&seller_id=" + url.QueryEscape("sl\x00"), http.StatusNotFound},
		{q3 + "&factors_version=1999.1", http.StatusNotFound},
	} {
		h.impact(manager, bad.query, bad.status)
	}
}

// TestImpactFactorsPublish: the default version is in force; a manager publishes a version with
// laptops, which is in force from then on (estimates use it; an older version may still be
// named); versions are published once, read by everyone with a strong ETag, and each
// publication is in the event trail.
func TestImpactFactorsPublish(t *testing.T) {
	h := newHarness(t)
	impactFixture(t, h)
	manager := h.token(audit.RoleManager)

	var list struct {
		Items []struct {
			Version string `json:"version"`
			Factors []struct {
				Category string  `json:"category"`
				CO2eKg   float64 `json:"co2e_kg"`
				WaterL   float64 `json:"water_l"`
				Source   string  `json:"source"`
			} `json:"factors"`
			InForce bool `json:"in_force"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	res := h.do(http.MethodGet, "/api/v1/impact-factors", h.token(audit.RoleSeller), nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	res.JSON(t, &list)
	require.Len(t, list.Items, 1)
	assert.Equal(t, "2026.1", list.Items[0].Version)
	assert.True(t, list.Items[0].InForce)
	require.Len(t, list.Items[0].Factors, 1)
	assert.Equal(t, "smartphone", list.Items[0].Factors[0].Category)
	assert.Equal(t, 77.31, list.Items[0].Factors[0].CO2eKg)
	assert.Equal(t, 77000.0, list.Items[0].Factors[0].WaterL)
	assert.Contains(t, list.Items[0].Factors[0].Source, "20,341.24 US gal")

	laptops := doc{"version": "2027.1", "factors": []doc{
		{"category": "smartphone", "co2e_kg": 77.31, "ewaste_kg": 0.1783, "raw_materials_kg": 243.60, "water_l": 77000, "source": "the marketplace"},
		{"category": "laptop", "co2e_kg": 300, "ewaste_kg": 2, "raw_materials_kg": 1000, "water_l": 190000, "source": "a laptop study"},
	}}
	res = h.do(http.MethodPost, "/api/v1/impact-factors", h.token(audit.RoleTechnician), laptops)
	assert.Equal(t, http.StatusForbidden, res.Code)
	res = h.do(http.MethodPost, "/api/v1/impact-factors", h.token(audit.RoleSeller), laptops)
	assert.Equal(t, http.StatusForbidden, res.Code)
	bad := doc{"version": "2027 1", "factors": []doc{
		{"category": "watch", "co2e_kg": "heavy", "ewaste_kg": -1, "water_l": 1, "source": ""},
		{"category": "laptop", "co2e_kg": 1, "ewaste_kg": 1, "raw_materials_kg": 1, "water_l": 1, "source": "x"},
		{"category": "laptop", "co2e_kg": 1, "ewaste_kg": 1, "raw_materials_kg": 1, "water_l": 1, "source": "x"},
	}}
	res = h.do(http.MethodPost, "/api/v1/impact-factors", manager, bad)
	require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
	assert.Equal(t, []string{"factors[0].category", "factors[0].co2e_kg", "factors[0].ewaste_kg", "factors[0].raw_materials_kg",
		"factors[0].source", "factors[2].category", "version"}, problemFields(t, res))
	res = h.do(http.MethodPost, "/api/v1/impact-factors", manager, "{}")
	require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
	res = h.do(http.MethodPost, "/api/v1/impact-factors", manager, laptops, "Content-Type", "text/plain")
	assert.Equal(t, http.StatusUnsupportedMediaType, res.Code)

	res = h.do(http.MethodPost, "/api/v1/impact-factors", manager, laptops)
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	created := res.Map(t)
	assert.Equal(t, "2027.1", created["version"])
	assert.Equal(t, true, created["in_force"])
	res = h.do(http.MethodPost, "/api/v1/impact-factors", h.token(audit.RoleAdmin), laptops)
	assert.Equal(t, http.StatusConflict, res.Code, "a version is published once")

	// In force: the estimates use it, and the older version may still be named.
	q3 := "period_start=2026-07-01&period_end=2026-10-01"
	all := h.impact(manager, q3, http.StatusOK)
	assert.Equal(t, "2027.1", all.FactorsVersion)
	require.Len(t, all.Categories, 3)
	assertFigures(t, &[4]float64{50 * 300, 50 * 2, 50 * 1000, 50 * 190000}, all.Categories[2].impactFigures, "laptops")
	p := phones(150)
	assertFigures(t, &[4]float64{p[0] + 50*300, p[1] + 50*2, p[2] + 50*1000, p[3] + 50*190000}, all.Totals, "totals with laptops")
	assert.Equal(t, 50.0, all.DevicesNotEstimated, "the tablets only")
	old := h.impact(manager, q3+"&factors_version=2026.1", http.StatusOK)
	assert.Equal(t, "2026.1", old.FactorsVersion)
	assertFigures(t, nil, old.Categories[2].impactFigures, "laptops with the default factors")

	// One version, with a strong ETag that changes when it is no longer in force.
	res = h.do(http.MethodGet, "/api/v1/impact-factors/2026.1", h.token(audit.RoleTechnician), nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, false, res.Map(t)["in_force"])
	etag := res.Header.Get("ETag")
	require.NotEmpty(t, etag)
	res = h.do(http.MethodGet, "/api/v1/impact-factors/2026.1", h.token(audit.RoleTechnician), nil, "If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, res.Code)
	res = h.do(http.MethodHead, "/api/v1/impact-factors/2027.1", h.token(audit.RoleSeller), nil)
	assert.Equal(t, http.StatusOK, res.Code)
	res = h.do(http.MethodGet, "/api/v1/impact-factors/1999.1", manager, nil)
	assert.Equal(t, http.StatusNotFound, res.Code)

	res = h.do(http.MethodGet, "/api/v1/impact-factors?limit=1", manager, nil)
	require.Equal(t, http.StatusOK, res.Code)
	res.JSON(t, &list)
	require.Len(t, list.Items, 1)
	assert.False(t, list.Items[0].InForce)
	require.NotEmpty(t, list.NextCursor)
	res = h.do(http.MethodGet, "/api/v1/impact-factors?limit=1&cursor="+list.NextCursor, manager, nil)
	require.Equal(t, http.StatusOK, res.Code)
	res.JSON(t, &list)
	require.Len(t, list.Items, 1)
	assert.Equal(t, "2027.1", list.Items[0].Version)
	assert.True(t, list.Items[0].InForce)

	var events struct {
		Items []struct {
			Action   string `json:"action"`
			EntityID string `json:"entity_id"`
			KeyID    string `json:"key_id"`
		} `json:"items"`
	}
	res = h.do(http.MethodGet, "/api/v1/events?entity=impact_factors", manager, nil)
	require.Equal(t, http.StatusOK, res.Code)
	res.JSON(t, &events)
	require.Len(t, events.Items, 1)
	assert.Equal(t, "publish", events.Items[0].Action)
	assert.Equal(t, "2027.1", events.Items[0].EntityID)
	assert.Equal(t, h.keyIDs[audit.RoleManager], events.Items[0].KeyID)
}
