package audit

import (
	"slices"

	"github.com/refurbqa/refurbqa/checklist"
)

// Metrics computes every metric of the catalogue (charter.md §2) from the facts of one seller
// over one period, by catalogue name, with the evidence behind each one.
//
// Rates are fractions from 0 to 1 and a rate whose denominator is 0 is 0 (its point then lacks
// samples and is not evaluated). Service probes of mystery orders count as customer messages
// beside those of the KPI months. warranty_months is the shortest warranty offered, 0 without
// KPI months.
//
// The evidence of a count is the ids it counts; the evidence of a rate is the ids that count
// against it (the units that failed, the KPI months whose figures make up a KPI rate, plus the
// late probes for message_response_rate, the rejected lots for lot_rejection_rate). units,
// mystery_orders and lots have no evidence: Facts keeps only the ids of records that count
// against the seller. Metrics without evidence have
// no entry in Evidence, and every evidence slice is a copy that the caller may keep.
func (f Facts) Metrics() checklist.Metrics {
	m := checklist.Metrics{
		Values:   make(map[string]float64, 35),
		Evidence: make(map[string][]string, 35),
	}
	set := func(name string, v float64, evidence ...[]string) {
		m.Values[name] = v
		if ids := slices.Concat(evidence...); len(ids) > 0 {
			m.Evidence[name] = ids
		}
	}
	count := func(name string, ids []string) { set(name, float64(len(ids)), ids) }

	// Inspected units.
	set("units", float64(f.Units))
	set("functional_fail_rate", rate(len(f.FunctionalFail), f.Units), f.FunctionalFail)
	count("battery_below_80", f.BatteryBelow80)
	set("battery_at_least_85_rate", rate(f.Units-len(f.BatteryBelow85), f.Units), f.BatteryBelow85)
	count("undisclosed_parts", f.UndisclosedParts)
	count("display_mismatch", f.DisplayMismatch)
	count("liquid_damage", f.LiquidDamage)
	count("locked", f.Locked)
	count("imei_blocked", f.IMEIBlocked)
	count("data_not_erased", f.DataNotErased)
	set("software_ok_rate", rate(f.Units-len(f.SoftwareNotOK), f.Units), f.SoftwareNotOK)
	count("markings_altered", f.MarkingsAltered)

	// Mystery orders.
	set("mystery_orders", float64(f.MysteryOrders))
	count("identity_mismatch", f.IdentityMismatch)
	set("overgraded_rate", rate(len(f.Overgraded), f.MysteryOrders), f.Overgraded)
	count("shipped_damaged", f.ShippedDamaged)
	set("accessories_ok_rate", rate(f.MysteryOrders-len(f.AccessoriesNotOK), f.MysteryOrders), f.AccessoriesNotOK)
	count("packaging_failures", f.PackagingFailures)
	set("low_charge_rate", rate(len(f.LowCharge), f.MysteryOrders), f.LowCharge)

	// KPI months.
	set("orders", float64(f.Orders), f.KPIMonths)
	set("late_shipment_rate", rate(f.ShippedLate, f.Orders), f.KPIMonths)
	set("valid_tracking_rate", rate(f.ValidTracking, f.Orders), f.KPIMonths)
	set("cancellation_rate", rate(f.CancelledBeforeShipment, f.Orders), f.KPIMonths)
	set("technical_return_rate", rate(f.TechnicalReturns30d, f.Orders), f.KPIMonths)
	set("order_defect_rate", rate(f.DefectiveOrders, f.Orders), f.KPIMonths)
	messages := f.MessagesReceived + f.Probes
	set("messages", float64(messages), f.KPIMonths)
	set("message_response_rate", rate(f.MessagesAnsweredWithin1BD+f.ProbesAnswered, messages), f.KPIMonths, f.ProbesLate)
	set("warranty_claims", float64(f.WarrantyClaims), f.KPIMonths)
	set("warranty_remedy_rate", rate(f.WarrantyRemediedWithin5BD, f.WarrantyClaims), f.KPIMonths)
	warrantyMonths := 0
	if f.WarrantyMonths != nil {
		warrantyMonths = *f.WarrantyMonths
	}
	set("warranty_months", float64(warrantyMonths), f.KPIMonths)

	// Corrective actions.
	count("capa_due", f.CAPADue)
	count("capa_overdue", f.CAPAOverdue)

	// Device lots (lots.md §7).
	set("lots", float64(f.Lots))
	count("lots_rejected", f.LotsRejected)
	set("lot_rejection_rate", rate(len(f.LotsRejected), f.Lots), f.LotsRejected)
	return m
}

// rate is part ÷ whole, or 0 when whole is 0 (charter.md §2).
func rate(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}
