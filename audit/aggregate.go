package audit

import (
	"slices"
	"strings"
	"time"
)

// Records are the records of one seller that an audit may read: its bench tests (as units),
// its mystery orders, its KPI months, its corrective actions and its lots. They may include records
// outside the period, and must include every correction of a record in the period, whatever
// its date: a record that a correction supersedes is left out.
type Records struct {
	Units     []Unit
	Orders    []Order
	KPIMonths []KPIMonth
	Actions   []CorrectiveAction
	// Lots are the seller's lots, of any decision and date.
	Lots []Lot
}

// Aggregate computes the facts of one seller over p from its records, as seen at now, by the
// rules of MetricRules. It is the statement of what an audit counts (charter.md §1–2), which
// the store computes with SQL for speed:
//
//   - units: the bench tests and the inspections of the mystery orders read, leaving out the
//     incomplete ones (Rules.Unit);
//   - mystery orders: every one read, incomplete inspections included;
//   - KPI months whose month starts inside p;
//   - corrective actions due in p, overdue when not closed by the due date as seen at now;
//   - device lots decided in p, rejected or accepted.
//
// A bench test or mystery order is read when its At falls in p and no other record of its
// kind supersedes it; the correction counts instead, by its own date. Evidence lists are
// sorted by id, KPI months in month order; a list with nothing in it is nil, and
// WarrantyMonths is nil without KPI months.
func Aggregate(p Period, now time.Time, r Records) Facts {
	rules := MetricRules(p, now)
	var f Facts

	unit := func(u Unit) {
		if !apply(&f, rules.Unit, u, u.ID) {
			return
		}
		for _, rule := range rules.Units {
			apply(&f, rule, u, u.ID)
		}
	}
	corrected := superseded(r.Units, func(u Unit) string { return u.Supersedes })
	for _, u := range r.Units {
		if p.Contains(u.At) && !corrected[u.ID] {
			unit(u)
		}
	}
	corrected = superseded(r.Orders, func(o Order) string { return o.Supersedes })
	for _, o := range r.Orders {
		if !p.Contains(o.At) || corrected[o.ID] {
			continue
		}
		f.MysteryOrders++
		unit(o.Unit)
		for _, rule := range rules.Orders {
			apply(&f, rule, o, o.ID)
		}
	}
	for _, list := range evidenceLists(rules) {
		slices.Sort(*list(&f))
	}

	var months []KPIMonth
	for _, k := range r.KPIMonths {
		if rules.KPIMonth.Holds(k) {
			months = append(months, k)
		}
	}
	slices.SortFunc(months, func(a, b KPIMonth) int { return strings.Compare(a.Month, b.Month) })
	for _, k := range months {
		apply(&f, rules.KPIMonth, k, k.ID)
		f.Orders += k.Orders
		f.ShippedLate += k.ShippedLate
		f.ValidTracking += k.ValidTracking
		f.CancelledBeforeShipment += k.CancelledBeforeShipment
		f.TechnicalReturns30d += k.TechnicalReturns30d
		f.DefectiveOrders += k.DefectiveOrders
		f.MessagesReceived += k.MessagesReceived
		f.MessagesAnsweredWithin1BD += k.MessagesAnsweredWithin1BD
		f.WarrantyClaims += k.WarrantyClaims
		f.WarrantyRemediedWithin5BD += k.WarrantyRemediedWithin5BD
		if f.WarrantyMonths == nil || k.WarrantyMonths < *f.WarrantyMonths {
			w := k.WarrantyMonths
			f.WarrantyMonths = &w
		}
	}

	for _, a := range r.Actions {
		if apply(&f, rules.CAPADue, a, a.ID) {
			apply(&f, rules.CAPAOverdue, a, a.ID)
		}
	}
	slices.Sort(f.CAPADue)
	slices.Sort(f.CAPAOverdue)

	for _, l := range r.Lots {
		if apply(&f, rules.Lot, l, l.ID) {
			apply(&f, rules.LotRejected, l, l.ID)
		}
	}
	slices.Sort(f.LotsRejected)
	return f
}

// apply counts rec under rule when the rule holds for it, and reports whether it did.
func apply[T any](f *Facts, rule Rule[T], rec T, id string) bool {
	if !rule.Holds(rec) {
		return false
	}
	if rule.Evidence != nil {
		list := rule.Evidence(f)
		*list = append(*list, id)
	}
	if rule.Count != nil {
		*rule.Count(f)++
	}
	return true
}

// superseded returns the set of ids that some record of recs corrects.
func superseded[T any](recs []T, supersedes func(T) string) map[string]bool {
	out := map[string]bool{}
	for _, r := range recs {
		if id := supersedes(r); id != "" {
			out[id] = true
		}
	}
	return out
}

// evidenceLists returns the evidence lists of the unit and mystery-order rules.
func evidenceLists(r Rules) []func(*Facts) *[]string {
	var out []func(*Facts) *[]string
	for _, u := range r.Units {
		if u.Evidence != nil {
			out = append(out, u.Evidence)
		}
	}
	for _, o := range r.Orders {
		if o.Evidence != nil {
			out = append(out, o.Evidence)
		}
	}
	return out
}
