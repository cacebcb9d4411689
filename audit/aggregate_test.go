package audit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/sampling"
)

// TestAggregate computes the facts of one seller over a period that does not start on the
// first of a month, from records around its edges, given in no particular order.
func TestAggregate(t *testing.T) {
	p := Period{Start: at(t, "2026-07-15T00:00:00Z"), End: at(t, "2026-10-15T00:00:00Z")}
	now := at(t, "2026-09-01T12:00:00Z")
	us := time.Microsecond
	in := at(t, "2026-08-10T10:00:00Z")
	unit := func(id string, when time.Time, change func(*Unit)) Unit {
		u := flawlessUnit()
		u.ID, u.At = id, when
		if change != nil {
			change(&u)
		}
		return u
	}
	order := func(id string, when time.Time, change func(*Order)) Order {
		o := flawlessOrder()
		o.ID, o.At = id, when
		if change != nil {
			change(&o)
		}
		return o
	}
	action := func(id string, due time.Time, closed *time.Time) CorrectiveAction {
		return CorrectiveAction{ID: id, SellerID: "sl_1", DueAt: due, ClosedAt: closed}
	}
	tptr := func(v time.Time) *time.Time { return &v }
	lot := func(id string, kind LotKind, d sampling.Decision, decided *time.Time) Lot {
		return Lot{ID: id, Kind: kind, SellerID: "sl_1", Decision: d, DecidedAt: decided}
	}

	r := Records{
		Units: []Unit{
			unit("bt_c1", in, func(u *Unit) { u.BatteryHealth = 80 }), // below 85 only
			unit("bt_a1", p.Start, func(u *Unit) { u.BatteryHealth = 79.9 }),
			unit("bt_a2", p.Start.Add(-us), func(u *Unit) { u.LiquidDamage = true }), // before: out
			unit("bt_a3", p.End.Add(-us), func(u *Unit) { u.IMEIStatus = grading.IMEIFinanced }),
			unit("bt_a4", p.End, func(u *Unit) { u.LiquidDamage = true }), // the end: out
			// Incomplete: left out of every unit metric, whatever is wrong with it.
			unit("bt_a5", in, func(u *Unit) {
				u.Status, u.Functional, u.LiquidDamage, u.BatteryHealth = grading.Incomplete, "", true, 10
			}),
			// No functional grade although not incomplete: not F0.
			unit("bt_a6", in, func(u *Unit) { u.Functional = "" }),
			// A correction counts instead of the record it supersedes...
			unit("bt_a7", in, func(u *Unit) { u.LiquidDamage = true }),
			unit("bt_a8", in, func(u *Unit) { u.Supersedes, u.MarkingsIntact = "bt_a7", false }),
			// ...by its own date: out of the period although the original is in...
			unit("bt_a9", in, func(u *Unit) { u.ActivationLock = true }),
			unit("bt_b0", p.End.Add(time.Hour), func(u *Unit) { u.Supersedes = "bt_a9" }),
			// ...and in it although the original is not.
			unit("bt_b1", p.Start.Add(-time.Hour), func(u *Unit) { u.LiquidDamage = true }),
			unit("bt_b2", in, func(u *Unit) { u.Supersedes, u.DataErased = "bt_b1", false }),
		},
		Orders: []Order{
			// Incomplete: an order all the same, not a unit.
			order("mo_a1", in, func(o *Order) {
				o.Status, o.Functional, o.LiquidDamage, o.IdentityMatchesListing = grading.Incomplete, "", true, false
			}),
			order("mo_a2", p.Start, func(o *Order) {
				o.BatteryHealth, o.Cosmetic, o.ProbeSent, o.ProbeAnsweredInTime = 84.9, grading.CosmeticD, true, true
			}),
			order("mo_a3", in, func(o *Order) { o.GradeMatch, o.ProbeSent = grading.Overgraded, true }),
			order("mo_a4", in, func(o *Order) { o.LowCharge = true }),
			order("mo_a5", in, func(o *Order) { o.Supersedes, o.AccessoriesOK = "mo_a4", false }),
			order("mo_a6", p.End, func(o *Order) { o.PackagingFailure = true }), // out
			// A probe marked in time without being sent is no message.
			order("mo_a7", in, func(o *Order) { o.ProbeAnsweredInTime, o.PackagingFailure = true, true }),
		},
		KPIMonths: []KPIMonth{
			{ID: "km_4", Month: "2026-10", Orders: 40, ShippedLate: 4, WarrantyMonths: 24},
			{ID: "km_1", Month: "2026-07", Orders: 1000, WarrantyMonths: 1}, // starts before the period
			{ID: "km_2", Month: "2026-08", Orders: 20, ShippedLate: 2, ValidTracking: 19, CancelledBeforeShipment: 1,
				TechnicalReturns30d: 1, DefectiveOrders: 1, MessagesReceived: 10, MessagesAnsweredWithin1BD: 9,
				WarrantyClaims: 2, WarrantyRemediedWithin5BD: 1, WarrantyMonths: 12},
			{ID: "km_5", Month: "2026-11", Orders: 1000, WarrantyMonths: 1}, // after the end
			{ID: "km_3", Month: "2026-09", Orders: 30, ValidTracking: 30, MessagesReceived: 5, MessagesAnsweredWithin1BD: 5,
				WarrantyMonths: 18},
		},
		Actions: []CorrectiveAction{
			action("ca_8", at(t, "2026-09-10T00:00:00Z"), tptr(at(t, "2026-09-11T00:00:00Z"))), // closed late
			action("ca_1", p.Start, nil),          // due, open: overdue
			action("ca_2", p.Start.Add(-us), nil), // before: out
			action("ca_3", p.End.Add(-us), nil),   // due after now: not yet overdue
			action("ca_4", p.End, nil),            // the end: out
			action("ca_5", at(t, "2026-08-20T09:00:00Z"), tptr(at(t, "2026-08-20T09:00:00Z"))), // closed at the due date
			action("ca_6", at(t, "2026-08-20T09:00:00Z"), tptr(at(t, "2026-08-20T09:00:00Z").Add(us))),
			action("ca_7", now, nil), // due now: not yet overdue
		},
		Lots: []Lot{
			lot("lot_9", LotDevices, sampling.Rejected, tptr(in)),
			lot("lot_1", LotDevices, sampling.Accepted, tptr(p.Start)),
			lot("lot_2", LotDevices, sampling.Rejected, tptr(p.Start.Add(-us))), // before: out
			lot("lot_3", LotDevices, sampling.Rejected, tptr(p.End.Add(-us))),
			lot("lot_4", LotDevices, sampling.Accepted, tptr(p.End)), // the end: out
			lot("lot_5", LotDevices, sampling.Pending, nil),
			lot("lot_6", LotParts, sampling.Rejected, tptr(in)), // not the seller's devices
		},
	}
	twelve := 12
	want := Facts{
		// Bench tests bt_a1 a3 a6 a8 b2 c1 and the complete mystery orders mo_a2 a3 a5 a7.
		Units:             10,
		FunctionalFail:    []string{"bt_a6"},
		BatteryBelow80:    []string{"bt_a1"},
		BatteryBelow85:    []string{"bt_a1", "bt_c1", "mo_a2"},
		IMEIBlocked:       []string{"bt_a3"},
		DataNotErased:     []string{"bt_b2"},
		MarkingsAltered:   []string{"bt_a8"},
		MysteryOrders:     5,
		IdentityMismatch:  []string{"mo_a1"},
		Overgraded:        []string{"mo_a3"},
		ShippedDamaged:    []string{"mo_a2"},
		AccessoriesNotOK:  []string{"mo_a5"},
		PackagingFailures: []string{"mo_a7"},
		Probes:            2,
		ProbesAnswered:    1,
		ProbesLate:        []string{"mo_a3"},

		KPIMonths:                 []string{"km_2", "km_3", "km_4"},
		Orders:                    90,
		ShippedLate:               6,
		ValidTracking:             49,
		CancelledBeforeShipment:   1,
		TechnicalReturns30d:       1,
		DefectiveOrders:           1,
		MessagesReceived:          15,
		MessagesAnsweredWithin1BD: 14,
		WarrantyClaims:            2,
		WarrantyRemediedWithin5BD: 1,
		WarrantyMonths:            &twelve,

		CAPADue:     []string{"ca_1", "ca_3", "ca_5", "ca_6", "ca_7", "ca_8"},
		CAPAOverdue: []string{"ca_1", "ca_6", "ca_8"},

		Lots:         3,
		LotsRejected: []string{"lot_3", "lot_9"},
	}
	assert.Equal(t, want, Aggregate(p, now, r))

	t.Run("nothing", func(t *testing.T) {
		assert.Equal(t, Facts{}, Aggregate(p, now, Records{}))
		// Records outside the period alone: still nothing, and no empty lists.
		assert.Equal(t, Facts{}, Aggregate(Period{Start: at(t, "2027-01-01T00:00:00Z"), End: at(t, "2027-02-01T00:00:00Z")}, now, r))
	})
}
