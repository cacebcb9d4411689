package console_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/console"
	"github.com/refurbqa/refurbqa/grading"
)

// device records a bench test of a pristine device of category for seller at at.
func (h *harness) device(t *testing.T, sellerID string, category grading.Category, at time.Time) {
	t.Helper()
	p, err := h.svc.Protocol(category)
	require.NoError(t, err)
	in := grading.Inspection{
		Device:     grading.Device{Category: category, Brand: "Brand", Model: "Model", Serial: "SER1234", StorageGB: 128},
		Functional: map[string]grading.Outcome{},
		Battery:    grading.Battery{HealthPct: 92, Genuine: true},
		Compliance: grading.Compliance{IMEIStatus: grading.IMEINotApplicable, DataErased: true, FactoryReset: true, OSUpToDate: true,
			MarkingsIntact: true, DisplayLikeForLike: true},
		Parts: grading.Parts{NonGenuine: []string{}, Disclosed: true},
	}
	if category == grading.Smartphone {
		in.Device.IMEI, in.Compliance.IMEIStatus = "356938035643809", grading.IMEIClean
	}
	for _, tt := range p.Tests {
		in.Functional[tt.Code] = grading.Pass
	}
	_, _, err = h.svc.RecordBenchTest(context.Background(), system, audit.Input[audit.BenchTest]{Value: audit.BenchTest{
		SellerID: sellerID, Lab: "lab", TestedAt: at, Inspection: in, Submitted: []byte("{}")}})
	require.NoError(t, err)
}

// orders records a seller's KPI month with n orders.
func (h *harness) orders(t *testing.T, sellerID, month string, n int) {
	t.Helper()
	_, err := h.svc.PutKPIMonth(context.Background(), system, audit.KPIMonth{SellerID: sellerID, Month: month, Orders: n,
		ValidTracking: n, WarrantyMonths: 12})
	require.NoError(t, err)
}

// TestOverviewImpact: the overview shows the marketplace's impact of the last full calendar
// month, each seller's estimate summed, says which month and how it is made; a category
// without factors shows its devices and "not estimated"; a month without inspected devices
// says that nothing is estimated. Sellers and technicians do not get the overview.
func TestOverviewImpact(t *testing.T) {
	now := time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC)
	var clock atomic.Int64 // minutes after now
	h := newHarness(t, func(cfg *console.Config) {
		cfg.Now = func() time.Time { return now.Add(time.Duration(clock.Load()) * time.Minute) }
	})
	oct := time.Date(2026, 10, 10, 10, 0, 0, 0, time.UTC)
	// Own: 100 orders, 1 phone inspected. Other: 100 orders, 3 tablets. November is not the
	// last full month: its figures are left out. A third seller has orders and no inspected
	// device: in the orders, in no category.
	h.orders(t, h.Own.ID, "2026-10", 100)
	h.device(t, h.Own.ID, grading.Smartphone, oct)
	h.orders(t, h.Other.ID, "2026-10", 100)
	for range 3 {
		h.device(t, h.Other.ID, grading.Tablet, oct)
	}
	third, err := h.st.CreateSeller(context.Background(), system, audit.Seller{Name: "Third", Country: "IT", ContactEmail: "t@example.com"})
	require.NoError(t, err)
	h.orders(t, third.ID, "2026-10", 1234)
	h.orders(t, h.Own.ID, "2026-11", 5000)
	h.device(t, h.Own.ID, grading.Laptop, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))

	for _, role := range []audit.Role{audit.RoleManager, audit.RoleAdmin} {
		res := h.signedIn(role).get("/console/")
		require.Equal(t, http.StatusOK, res.status)
		body := section(t, res.body, `<h2 id="impact-heading">`)
		assert.Contains(t, body, "Environmental impact, 2026-10")
		assert.Contains(t, body, "in the last full month (2026-10-01 to 2026-10-31)")
		assert.Contains(t, body, "(version 2026.1)")
		// 100 phones (the Own seller's mix), 100 tablets (the Other's); a pooled mix would have
		// said 50 of each.
		assert.Contains(t, body, `<dt>CO2e avoided (kg)</dt><dd>7,731.0</dd>`)
		assert.Contains(t, body, `<dt>E-waste avoided (kg)</dt><dd>17.8</dd>`)
		assert.Contains(t, body, `<dt>Raw materials saved (kg)</dt><dd>24,360.0</dd>`)
		assert.Contains(t, body, `<dt>Water saved (litres)</dt><dd>7,700,000</dd>`)
		assert.Contains(t, body, `<tr><th scope="row">smartphone</th><td class="num">1</td><td class="num">50.0%</td><td class="num">100.0</td><td class="num">7,731.0</td><td class="num">17.8</td><td class="num">24,360.0</td><td class="num">7,700,000</td></tr>`)
		assert.Contains(t, body, `<tr><th scope="row">tablet</th><td class="num">3</td><td class="num">50.0%</td><td class="num">100.0</td><td class="num">not estimated</td>`)
		assert.Contains(t, body, "1,434 orders, 4 inspected devices. 1,234 orders are of sellers without an inspected device this month, whose mix is unknown: not estimated.")
		assert.Contains(t, body, "their 100.0 estimated devices are left out of the totals")
		assert.NotContains(t, body, "laptop", "November is not the last full month")
	}
	// The overview reuses its estimate for five minutes, and says when it was made.
	manager := h.signedIn(audit.RoleManager)
	assert.Contains(t, manager.get("/console/").body, "Estimated at 2026-11-15 09:00 UTC; the overview estimates it again every 5 minutes.")
	h.device(t, h.Own.ID, grading.Tablet, oct) // Own's mix: half phones, half tablets
	clock.Store(4)
	body := section(t, manager.get("/console/").body, `<h2 id="impact-heading">`)
	assert.Contains(t, body, `<dt>CO2e avoided (kg)</dt><dd>7,731.0</dd>`, "within five minutes")
	assert.Contains(t, body, "Estimated at 2026-11-15 09:00 UTC")
	clock.Store(5)
	body = section(t, manager.get("/console/").body, `<h2 id="impact-heading">`)
	assert.Contains(t, body, `<dt>CO2e avoided (kg)</dt><dd>3,865.5</dd>`, "estimated again after five minutes")
	assert.Contains(t, body, "Estimated at 2026-11-15 09:05 UTC")

	for _, role := range []audit.Role{audit.RoleSeller, audit.RoleTechnician} {
		res := h.signedIn(role).get("/console/")
		require.Equal(t, http.StatusOK, res.status)
		assert.NotContains(t, res.body, "impact-heading", role)
	}

	// A month of orders without an inspected device: nothing estimated.
	h2 := newHarness(t, func(cfg *console.Config) { cfg.Now = func() time.Time { return now } })
	h2.orders(t, h2.Own.ID, "2026-10", 4200)
	res := h2.signedIn(audit.RoleManager).get("/console/")
	require.Equal(t, http.StatusOK, res.status)
	body = section(t, res.body, `<h2 id="impact-heading">`)
	assert.Contains(t, body, "No device was inspected in 2026-10: the category mix is unknown and nothing is estimated (4,200 orders in the month).")
	assert.NotContains(t, body, "<table>")
}
