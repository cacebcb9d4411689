package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// goodOrder is a mystery-order form of the smartphone of goodPhone, ordered on Monday
// 30 November 2026, shipped the same day, delivered on Thursday, arriving at 29.9 % charge
// without the charger listed, with a service probe answered the same afternoon.
func (h *harness) goodOrder(t *testing.T) url.Values {
	t.Helper()
	v := h.goodPhone(t)
	for _, f := range []string{"lab", "tested_at", "external_id"} {
		v.Del(f)
	}
	for name, value := range map[string]string{
		"order_ref": "MO-2026-0142", "ordered_at": "2026-11-30T09:00", "shipped_at": "2026-11-30T15:00",
		"delivered_at": "2026-12-03T11:00", "listed_grade": "excellent",
		"logistics.packaging_adequate": "true", "logistics.transit_damage": "false",
		"logistics.charge_on_arrival_pct": "29.9", "logistics.cable_included": "true",
		"logistics.charger_as_listed": "false", "identity_matches_listing": "true",
		"service_probe.question_sent_at": "2026-11-30T10:00", "service_probe.answered_at": "2026-11-30T16:30",
	} {
		v.Set(name, value)
	}
	return v
}

// fieldError is the error shown beside field on page ("" and false when none).
func fieldError(page, field string) (string, bool) {
	id := "f-" + strings.ReplaceAll(field, ".", "-")
	m := regexp.MustCompile(`<p class="field-error" id="` + regexp.QuoteMeta(id) + `-error">([^<]+)</p>`).FindStringSubmatch(page)
	if m == nil {
		return "", false
	}
	return m[1], true
}

func TestMysteryOrderForm(t *testing.T) {
	h := newHarness(t)
	c := h.signedIn(audit.RoleTechnician)

	first := c.get("/console/mystery-orders/new")
	require.Equal(t, http.StatusOK, first.status)
	assert.Contains(t, first.body, `<h1>New mystery order</h1>`)
	assert.Contains(t, first.body, `<form method="get" action="/console/mystery-orders/new"`, "the first step opens the mystery-order form")

	wrong := c.get("/console/mystery-orders/new?seller_id=sl_nobody&category=toaster")
	require.Equal(t, http.StatusUnprocessableEntity, wrong.status)
	msg, ok := fieldError(wrong.body, "seller_id")
	assert.True(t, ok)
	assert.Equal(t, "no seller has this id", msg)
	_, ok = fieldError(wrong.body, "category")
	assert.True(t, ok)

	res := c.get("/console/mystery-orders/new?seller_id=" + h.Own.ID + "&category=smartphone")
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Contains(t, res.body, `<form method="post" action="/console/mystery-orders" class="inspection" data-preview="/console/bench-tests/preview" novalidate>`,
		"the live preview grades its inspection")
	for _, name := range []string{"order_ref", "ordered_at", "shipped_at", "delivered_at", "listed_grade",
		"logistics.packaging_adequate", "logistics.transit_damage", "logistics.charge_on_arrival_pct",
		"logistics.cable_included", "logistics.charger_as_listed", "identity_matches_listing",
		"service_probe.question_sent_at", "service_probe.answered_at",
		"device.brand", "battery.health_pct", "cosmetic.body.cracks", "compliance.imei_status", "parts.disclosed"} {
		assert.Contains(t, res.body, `name="`+name+`"`)
	}
	p, err := h.svc.Protocol(grading.Smartphone)
	require.NoError(t, err)
	assert.Equal(t, len(p.Tests)*3+countOptional(p), strings.Count(res.body, `name="functional.`), "the protocol's tests")
	assert.NotContains(t, res.body, `name="tested_at"`, "no bench-test field")
	assert.Regexp(t, `<legend>Delivery</legend>`, res.body)
	assert.Regexp(t, `<legend>Service probe \(optional\)</legend>`, res.body)
	assert.Contains(t, res.body, `<label for="f-logistics-charge_on_arrival_pct">`, "every control labelled")

	// The inspection part is the bench test's: the live preview grades a mystery order's form.
	v := h.goodOrder(t)
	v.Set("cosmetic.screen.cracks", "1")
	v.Set("cosmetic.screen.visible_from_cm", "30")
	frag := c.post("/console/bench-tests/preview", v)
	require.Equal(t, http.StatusOK, frag.status)
	assert.Contains(t, frag.body, `<dt>Cosmetic</dt><dd>E</dd>`)

	v.Set("action", "preview")
	prev := c.post("/console/mystery-orders", v)
	require.Equal(t, http.StatusOK, prev.status, prev.body)
	assert.Contains(t, prev.body, `<dt>Cosmetic</dt><dd>E</dd>`)
	assert.Contains(t, prev.body, `name="order_ref" type="text" value="MO-2026-0142"`, "the order is kept")

	for _, tt := range p.Tests {
		v.Del("functional." + tt.Code)
	}
	v.Set("action", "all_pass")
	all := c.post("/console/mystery-orders", v)
	require.Equal(t, http.StatusOK, all.status)
	for _, tt := range p.Tests {
		assert.Contains(t, all.body, `name="functional.`+tt.Code+`" value="pass" checked`)
	}
	orders, _, err := h.svc.MysteryOrders(context.Background(), system, audit.MysteryOrderFilter{}, audit.Page{})
	require.NoError(t, err)
	assert.Empty(t, orders, "a preview stores nothing")
}

func TestSaveMysteryOrder(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c := h.signedIn(audit.RoleTechnician)
	res := c.post("/console/mystery-orders", h.goodOrder(t))
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	loc := res.header.Get("Location")
	require.Regexp(t, `^/console/mystery-orders/mo_[0-9a-z]+$`, loc)

	rec, err := h.svc.MysteryOrder(ctx, system, strings.TrimPrefix(loc, "/console/mystery-orders/"))
	require.NoError(t, err)
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02T15:04", s)
		require.NoError(t, err)
		return v
	}
	assert.Equal(t, h.Own.ID, rec.SellerID)
	assert.Equal(t, "MO-2026-0142", rec.OrderRef)
	assert.Equal(t, at("2026-11-30T09:00"), rec.OrderedAt)
	require.NotNil(t, rec.ShippedAt)
	assert.Equal(t, at("2026-11-30T15:00"), *rec.ShippedAt)
	require.NotNil(t, rec.DeliveredAt)
	assert.Equal(t, at("2026-12-03T11:00"), *rec.DeliveredAt)
	assert.Equal(t, audit.Logistics{PackagingAdequate: true, ChargeOnArrivalPct: 29.9, CableIncluded: true}, rec.Logistics)
	assert.True(t, rec.IdentityMatchesListing)
	require.NotNil(t, rec.ServiceProbe)
	assert.Equal(t, at("2026-11-30T10:00"), rec.ServiceProbe.QuestionSentAt)
	assert.Equal(t, h.users[audit.RoleTechnician].ID, rec.TechnicianKeyID, "recorded as the signed-in user")
	assert.Equal(t, grading.Premium, rec.Grade.Marketplace)
	assert.Equal(t, grading.Undergraded, rec.GradeMatch, "premium found, excellent listed")

	page := c.get(loc)
	require.Equal(t, http.StatusOK, page.status)
	for row, want := range map[string]string{
		"Grade against the listing":                             "undergraded",
		"Shipped within one business day":                       "yes",
		"Packaging failure (inadequate, or damaged in transit)": "no",
		"Low charge (below 30 %)":                               "yes",
		"Accessories as listed (cable and charger)":             "no",
		"Service probe answered within one business day":        "yes",
		"Charge on arrival":                                     "29.9 %",
		"Service probe":                                         "question sent 2026-11-30 10:00 UTC; answered 2026-11-30 16:30 UTC",
	} {
		assert.Contains(t, page.body, `<tr><th scope="row">`+row+`</th><td>`+want+`</td></tr>`)
	}
	assert.Contains(t, page.body, `<dd class="status-sellable">sellable</dd>`)
	assert.Contains(t, page.body, `<a href="`+loc+`/correct">Correct this record</a>`)

	// The same order again is refused beside its reference, everything typed kept.
	again := c.post("/console/mystery-orders", h.goodOrder(t))
	require.Equal(t, http.StatusConflict, again.status)
	msg, ok := fieldError(again.body, "order_ref")
	assert.True(t, ok, "beside the order reference")
	assert.Contains(t, msg, "already has a mystery order with this reference")
	assert.Equal(t, filled(h.goodOrder(t)), formValues(t, again.body, "/console/mystery-orders"), "every value kept")

	// Never shipped, never delivered, no probe: the nulls of the API.
	v := h.goodOrder(t)
	v.Set("order_ref", "MO-2026-0143")
	for _, f := range []string{"shipped_at", "delivered_at", "service_probe.question_sent_at", "service_probe.answered_at"} {
		v.Set(f, "")
	}
	res = c.post("/console/mystery-orders", v)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	rec, err = h.svc.MysteryOrder(ctx, system, strings.TrimPrefix(res.header.Get("Location"), "/console/mystery-orders/"))
	require.NoError(t, err)
	assert.Nil(t, rec.ShippedAt)
	assert.Nil(t, rec.DeliveredAt)
	assert.Nil(t, rec.ServiceProbe)
	assert.Nil(t, rec.ProbeAnsweredInTime)
	assert.False(t, rec.ShippedWithinOneBusinessDay)
	page = c.get(res.header.Get("Location"))
	assert.Contains(t, page.body, `<dt>Shipped at</dt><dd>never shipped</dd>`)
	assert.Contains(t, page.body, `<tr><th scope="row">Service probe answered within one business day</th><td>no probe sent</td></tr>`)

	// A probe never answered.
	v.Set("order_ref", "MO-2026-0144")
	v.Set("service_probe.question_sent_at", "2026-11-30T10:00")
	res = c.post("/console/mystery-orders", v)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	rec, err = h.svc.MysteryOrder(ctx, system, strings.TrimPrefix(res.header.Get("Location"), "/console/mystery-orders/"))
	require.NoError(t, err)
	require.NotNil(t, rec.ServiceProbe)
	assert.Nil(t, rec.ServiceProbe.AnsweredAt)
	require.NotNil(t, rec.ProbeAnsweredInTime)
	assert.False(t, *rec.ProbeAnsweredInTime)
}

func TestMysteryOrderFieldErrors(t *testing.T) {
	tests := []struct {
		name, field, value, want string
	}{
		{"a number that is none", "logistics.charge_on_arrival_pct", "lots", "must be a number"},
		{"a number out of the domain's range", "logistics.charge_on_arrival_pct", "100.5", "must be a number from 0 to 100"},
		{"a yes or no left out", "logistics.cable_included", "", "choose yes or no"},
		{"a time that is none", "ordered_at", "yesterday", "must be a date and time such as 2026-03-01T14:30"},
		{"a time out of order", "shipped_at", "2026-11-29T15:00", "must not be before ordered_at"},
		{"a delivery without a shipment", "shipped_at", "", "is required when delivered_at is set"},
		{"an answer without a question", "service_probe.question_sent_at", "", "is required"},
		{"a required grade", "listed_grade", "", "is required"},
		{"a rule of the inspection", "cosmetic.screen.visible_from_cm", "-1", fmt.Sprintf("must be between 0 and %d", grading.MaxVisibleFromCM)},
	}
	h := newHarness(t)
	c := h.signedIn(audit.RoleTechnician)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := h.goodOrder(t)
			v.Set(tt.field, tt.value)
			res := c.post("/console/mystery-orders", v)
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			msg, ok := fieldError(res.body, tt.field)
			require.True(t, ok, "an error beside %s", tt.field)
			assert.Equal(t, tt.want, msg)
			id := "f-" + strings.ReplaceAll(tt.field, ".", "-")
			assert.Contains(t, res.body, `aria-describedby="`+id+`-error"`)
			assert.Equal(t, filled(v), formValues(t, res.body, "/console/mystery-orders"), "every value kept as typed")
		})
	}
	orders, _, err := h.svc.MysteryOrders(context.Background(), system, audit.MysteryOrderFilter{}, audit.Page{})
	require.NoError(t, err)
	assert.Empty(t, orders, "nothing stored")
}
