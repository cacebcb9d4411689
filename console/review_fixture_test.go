package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// reviewFixture is a history of scorecards for the managers' and the sellers' pages:
//
//	Own:   2026-09 approved (score 100), 2026-10 approved (QC06 failed: a liquid-damaged
//	       phone, and QC10: a mystery order not as listed), 2026-11 audited twice (the first
//	       draft superseded by the second).
//	Other: 2026-10 approved, 2026-11 draft, 2026-08 draft (left for approving).
type reviewFixture struct {
	OwnSep, OwnOct, OwnNovOld, OwnNov string
	OtherOct, OtherNov, OtherAug      string
	// Damaged is the bench test behind QC06 of OwnOct, Mismatched the mystery order behind
	// its QC10.
	Damaged, Mismatched string
}

// benchTest records a bench test of seller through the console's form, as a technician does,
// changed by change, and returns its id.
func (h *harness) benchTest(t *testing.T, tech *client, sellerID, externalID, testedAt string, change map[string]string) string {
	t.Helper()
	v := h.goodPhone(t)
	v.Set("seller_id", sellerID)
	v.Set("external_id", externalID)
	v.Set("tested_at", testedAt)
	for k, val := range change {
		v.Set(k, val)
	}
	res := tech.post("/console/bench-tests", v)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	return strings.TrimPrefix(res.header.Get("Location"), "/console/bench-tests/")
}

// mysteryOrder records a mystery order of seller whose device does not match its listing.
func (h *harness) mysteryOrder(t *testing.T, sellerID, ref string, ordered time.Time) string {
	t.Helper()
	p, err := h.svc.Protocol(grading.Smartphone)
	require.NoError(t, err)
	in := grading.Inspection{
		Device:     grading.Device{Category: grading.Smartphone, Brand: "Apple", Model: "iPhone 13", IMEI: "490154203237518", StorageGB: 128},
		Functional: map[string]grading.Outcome{},
		Battery:    grading.Battery{HealthPct: 92, Genuine: true},
		Compliance: grading.Compliance{IMEIStatus: grading.IMEIClean, DataErased: true, FactoryReset: true, OSUpToDate: true,
			MarkingsIntact: true, DisplayLikeForLike: true},
		Parts: grading.Parts{NonGenuine: []string{}, Disclosed: true},
	}
	for _, tt := range p.Tests {
		in.Functional[tt.Code] = grading.Pass
	}
	shipped, delivered := ordered.Add(5*time.Hour), ordered.Add(48*time.Hour)
	rec, err := h.svc.RecordMysteryOrder(context.Background(), system, audit.Input[audit.MysteryOrder]{Value: audit.MysteryOrder{
		SellerID: sellerID, OrderRef: ref, OrderedAt: ordered, ShippedAt: &shipped, DeliveredAt: &delivered,
		ListedGrade: grading.Premium, Inspection: in,
		Logistics: audit.Logistics{PackagingAdequate: true, ChargeOnArrivalPct: 60, CableIncluded: true, ChargerAsListed: true},
	}})
	require.NoError(t, err)
	return rec.ID
}

// audit audits seller over [start, end) and returns the new draft.
func (h *harness) audit(t *testing.T, sellerID, start, end string) string {
	t.Helper()
	sc, err := h.svc.AuditSeller(context.Background(), system, sellerID, audit.AuditInput{PeriodStart: start, PeriodEnd: end}, nil)
	require.NoError(t, err)
	return sc.ID
}

func (h *harness) approve(t *testing.T, id string) {
	t.Helper()
	_, _, err := h.svc.ApproveScorecard(context.Background(), system, id, "checked on the bench reports")
	require.NoError(t, err)
}

func newReviewFixture(t *testing.T, h *harness) reviewFixture {
	t.Helper()
	tech := h.signedIn(audit.RoleTechnician)
	var f reviewFixture
	h.benchTest(t, tech, h.Own.ID, "SEP-1", "2026-09-10T10:00", nil)
	f.Damaged = h.benchTest(t, tech, h.Own.ID, "OCT-1", "2026-10-10T10:00", map[string]string{"compliance.liquid_damage": "true"})
	h.benchTest(t, tech, h.Own.ID, "OCT-2", "2026-10-11T10:00", nil)
	f.Mismatched = h.mysteryOrder(t, h.Own.ID, "MO-OCT-1", time.Date(2026, 10, 12, 9, 0, 0, 0, time.UTC))
	h.benchTest(t, tech, h.Own.ID, "NOV-1", "2026-11-10T10:00", nil)
	h.benchTest(t, tech, h.Other.ID, "OTHER-OCT-1", "2026-10-10T10:00", map[string]string{"battery.health_pct": "70"})

	f.OwnSep = h.audit(t, h.Own.ID, "2026-09-01", "2026-10-01")
	h.approve(t, f.OwnSep)
	f.OwnOct = h.audit(t, h.Own.ID, "2026-10-01", "2026-11-01")
	h.approve(t, f.OwnOct)
	f.OwnNovOld = h.audit(t, h.Own.ID, "2026-11-01", "2026-12-01")
	f.OwnNov = h.audit(t, h.Own.ID, "2026-11-01", "2026-12-01")
	f.OtherOct = h.audit(t, h.Other.ID, "2026-10-01", "2026-11-01")
	h.approve(t, f.OtherOct)
	f.OtherNov = h.audit(t, h.Other.ID, "2026-11-01", "2026-12-01")
	f.OtherAug = h.audit(t, h.Other.ID, "2026-08-01", "2026-09-01")
	return f
}
