package audit

import (
	"math"

	"github.com/refurbqa/refurbqa/grading"
)

// LowChargePct is the charge on arrival, in percent, below which a mystery order counts as
// delivered uncharged (charter point QC17).
const LowChargePct = 30

// ValidateMysteryOrder returns every invalid field of a mystery order as submitted, sorted by
// dotted JSON path, or nil when it is valid. The inspection is checked by grading.Validate
// against ps and its errors are placed under "inspection.".
//
// Times must be in order, ordered_at ≤ shipped_at ≤ delivered_at, because a wrong order would
// otherwise be scored as a fast dispatch. A delivery without a shipment is reported on
// shipped_at ("required when delivered_at is set"). A service probe may be sent before
// ordered_at: a pre-sale question is a legitimate probe.
func ValidateMysteryOrder(mo MysteryOrder, ps grading.Protocols) []grading.FieldError {
	var errs fieldErrors
	errs.line("seller_id", mo.SellerID, maxExternalLen)
	errs.line("order_ref", mo.OrderRef, maxRefLen)

	if mo.OrderedAt.IsZero() {
		errs.add("ordered_at", "is required")
	}
	if mo.ShippedAt != nil && mo.ShippedAt.Before(mo.OrderedAt) {
		errs.add("shipped_at", "must not be before ordered_at")
	}
	if mo.DeliveredAt != nil {
		switch {
		case mo.ShippedAt == nil:
			errs.add("shipped_at", "is required when delivered_at is set")
		case mo.DeliveredAt.Before(*mo.ShippedAt):
			errs.add("delivered_at", "must not be before shipped_at")
		}
	}

	switch {
	case mo.ListedGrade == "":
		errs.add("listed_grade", "is required")
	case !mo.ListedGrade.Valid():
		errs.add("listed_grade", "must be one of premium, excellent, good, fair")
	}

	if pct := mo.Logistics.ChargeOnArrivalPct; math.IsNaN(pct) || pct < 0 || pct > 100 {
		errs.add("logistics.charge_on_arrival_pct", "must be a number from 0 to 100")
	}

	if sp := mo.ServiceProbe; sp != nil {
		if sp.QuestionSentAt.IsZero() {
			errs.add("service_probe.question_sent_at", "is required")
		}
		if sp.AnsweredAt != nil && sp.AnsweredAt.Before(sp.QuestionSentAt) {
			errs.add("service_probe.answered_at", "must not be before question_sent_at")
		}
	}

	errs.addPrefixed("inspection.", grading.Validate(mo.Inspection, ps))
	return errs.sorted()
}

// DeriveMysteryOrder computes the derived fields of a valid mystery order, which are stored
// with it so that audits of later periods count exactly what was observed at intake: the grade
// of the inspection under protocol p, its comparison with the listed grade, dispatch within one
// business day of ordering (false when never shipped), the packaging, charge and accessory
// findings, and whether the service probe was answered within one business day (nil without a
// probe, false when never answered). GradeMatch is left empty when no grade was listed.
func DeriveMysteryOrder(mo *MysteryOrder, p grading.Protocol) {
	mo.Grade = grading.Evaluate(mo.Inspection, p)
	mo.GradeMatch = ""
	if mo.ListedGrade != "" {
		mo.GradeMatch = grading.Compare(mo.Grade.Marketplace, mo.ListedGrade)
	}
	mo.ShippedWithinOneBusinessDay = mo.ShippedAt != nil && WithinOneBusinessDay(mo.OrderedAt, *mo.ShippedAt)
	mo.PackagingFailure = !mo.Logistics.PackagingAdequate || mo.Logistics.TransitDamage
	mo.LowCharge = mo.Logistics.ChargeOnArrivalPct < LowChargePct
	mo.AccessoriesOK = mo.Logistics.CableIncluded && mo.Logistics.ChargerAsListed
	mo.ProbeAnsweredInTime = nil
	if sp := mo.ServiceProbe; sp != nil {
		inTime := sp.AnsweredAt != nil && WithinOneBusinessDay(sp.QuestionSentAt, *sp.AnsweredAt)
		mo.ProbeAnsweredInTime = &inTime
	}
}
