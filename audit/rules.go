package audit

import (
	"time"

	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/sampling"
)

// Unit is an inspected unit as the audit sees it: the graded facts of a bench test, or of the
// inspection of a mystery order, that the unit metrics of charter.md §2 decide on, and nothing
// else. They are the figures the store keeps in columns, so that the rules of MetricRules and
// the store's SQL translation of them read the same values.
type Unit struct {
	ID         string    // the bench-test or mystery-order id: what evidence lists
	SellerID   string    // whose unit it is
	At         time.Time // tested_at of a bench test, ordered_at of a mystery order
	Supersedes string    // the id of the record this one corrects; empty when none

	Status             grading.Status
	Functional         grading.Functional // empty when the grade has none
	BatteryHealth      float64            // percent
	NonGenuineParts    bool               // some part is not genuine
	PartsDisclosed     bool               // the non-genuine parts were disclosed to the buyer
	DisplayLikeForLike bool
	LiquidDamage       bool
	ActivationLock     bool
	IMEIStatus         grading.IMEIStatus
	DataErased         bool
	FactoryReset       bool
	OSUpToDate         bool
	MarkingsIntact     bool
}

// Order is a mystery order as the audit sees it: its inspected unit (whose ID, SellerID, At and
// Supersedes are the order's own) and the findings derived at intake (DeriveMysteryOrder) that
// the mystery-order metrics of charter.md §2 count.
type Order struct {
	Unit

	IdentityMatchesListing bool
	GradeMatch             grading.Match
	Cosmetic               grading.CosmeticGrade // of the inspection on arrival
	AccessoriesOK          bool
	PackagingFailure       bool
	LowCharge              bool
	ProbeSent              bool // a service probe was sent
	ProbeAnsweredInTime    bool // the probe was answered within one business day
}

// newUnit takes what the audit reads from a graded inspection.
func newUnit(id, sellerID string, at time.Time, supersedes string, in grading.Inspection, g grading.Grade) Unit {
	c := in.Compliance
	return Unit{
		ID: id, SellerID: sellerID, At: at, Supersedes: supersedes,
		Status:             g.Status,
		Functional:         g.Functional,
		BatteryHealth:      in.Battery.HealthPct,
		NonGenuineParts:    len(in.Parts.NonGenuine) > 0,
		PartsDisclosed:     in.Parts.Disclosed,
		DisplayLikeForLike: c.DisplayLikeForLike,
		LiquidDamage:       c.LiquidDamage,
		ActivationLock:     c.ActivationLock,
		IMEIStatus:         c.IMEIStatus,
		DataErased:         c.DataErased,
		FactoryReset:       c.FactoryReset,
		OSUpToDate:         c.OSUpToDate,
		MarkingsIntact:     c.MarkingsIntact,
	}
}

// Unit returns the bench test as the audit sees it. bt is a bench test as submitted and
// derived (DeriveBenchTest): its Inspection lists the non-genuine parts.
func (bt BenchTest) Unit() Unit {
	return newUnit(bt.ID, bt.SellerID, bt.TestedAt, bt.Supersedes, bt.Inspection, bt.Grade)
}

// Order returns the mystery order as the audit sees it. mo is a mystery order as submitted and
// derived (DeriveMysteryOrder); a probe whose answer was never judged counts as not answered
// in time.
func (mo MysteryOrder) Order() Order {
	return Order{
		Unit:                   newUnit(mo.ID, mo.SellerID, mo.OrderedAt, mo.Supersedes, mo.Inspection, mo.Grade),
		IdentityMatchesListing: mo.IdentityMatchesListing,
		GradeMatch:             mo.GradeMatch,
		Cosmetic:               mo.Grade.Cosmetic,
		AccessoriesOK:          mo.AccessoriesOK,
		PackagingFailure:       mo.PackagingFailure,
		LowCharge:              mo.LowCharge,
		ProbeSent:              mo.ServiceProbe != nil,
		ProbeAnsweredInTime:    mo.ProbeAnsweredInTime != nil && *mo.ProbeAnsweredInTime,
	}
}

// Contains reports whether t falls in the half-open period [Start, End).
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start) && t.Before(p.End)
}

// StartsIn reports whether the month starts inside p: the KPI months an audit of p reads
// (charter.md §1). A month that is not a valid YYYY-MM starts nowhere.
func (k KPIMonth) StartsIn(p Period) bool {
	m, ok := ParseMonth(k.Month)
	return ok && p.Contains(m)
}

// DueIn reports whether the action is due inside p: the corrective actions an audit of p reads
// (charter.md §1).
func (a CorrectiveAction) DueIn(p Period) bool {
	return p.Contains(a.DueAt)
}

// RuleID names one rule of MetricRules. The store keys its SQL translation of each rule by it,
// and a test fails when a rule has no translation or a translation no rule.
type RuleID string

// The rules of the metric catalogue.
const (
	RuleUnit             RuleID = "unit"
	RuleFunctionalFail   RuleID = "functional_fail"
	RuleBatteryBelow80   RuleID = "battery_below_80"
	RuleBatteryBelow85   RuleID = "battery_below_85"
	RuleUndisclosedParts RuleID = "undisclosed_parts"
	RuleDisplayMismatch  RuleID = "display_mismatch"
	RuleLiquidDamage     RuleID = "liquid_damage"
	RuleLocked           RuleID = "locked"
	RuleIMEIBlocked      RuleID = "imei_blocked"
	RuleDataNotErased    RuleID = "data_not_erased"
	RuleSoftwareNotOK    RuleID = "software_not_ok"
	RuleMarkingsAltered  RuleID = "markings_altered"

	RuleIdentityMismatch RuleID = "identity_mismatch"
	RuleOvergraded       RuleID = "overgraded"
	RuleShippedDamaged   RuleID = "shipped_damaged"
	RuleAccessoriesNotOK RuleID = "accessories_not_ok"
	RulePackagingFailure RuleID = "packaging_failure"
	RuleLowCharge        RuleID = "low_charge"
	RuleProbeSent        RuleID = "probe_sent"
	RuleProbeAnswered    RuleID = "probe_answered"
	RuleProbeLate        RuleID = "probe_late"

	RuleKPIMonth    RuleID = "kpi_month"
	RuleCAPADue     RuleID = "capa_due"
	RuleCAPAOverdue RuleID = "capa_overdue"

	RuleLot         RuleID = "lot"
	RuleLotRejected RuleID = "lot_rejected"
)

// Rule is one business rule of the metric catalogue: which records of type T count under it,
// and where Facts keeps them. A rule fills either an evidence list (the ids of the records it
// holds for, which a failed point shows the seller) or a bare count.
type Rule[T any] struct {
	ID RuleID
	// Metrics are the catalogue metrics (charter.md §2) computed from what the rule fills.
	Metrics []string
	// Holds reports whether a record counts under the rule.
	Holds func(T) bool
	// Evidence is the list of Facts the rule fills with record ids; nil for a counted rule.
	Evidence func(*Facts) *[]string
	// Count is the count of Facts the rule adds to; nil for a rule with evidence.
	Count func(*Facts) *int
}

// Rules is the metric catalogue of charter.md §2 as domain rules: for every metric, which
// records count under it and which Facts field it fills. Aggregate applies them to records;
// the store translates each one, by ID, into SQL for speed, and a test holds the two to the
// same answers.
//
// A record is read by an audit of a period only when it falls in the period (Period.Contains of
// its At) and no correction supersedes it; KPIMonth, the corrective-action rules and Lot are
// about the period themselves. Every mystery order read counts under mystery_orders, and no rule is
// needed for that.
type Rules struct {
	// Unit decides which inspected units count at all (charter.md §1: not incomplete). Units
	// apply to those units only.
	Unit Rule[Unit]
	// Units are the unit metrics, over the units that Unit holds for.
	Units []Rule[Unit]
	// Orders are the mystery-order metrics, over every mystery order read, incomplete
	// inspections included: an incomplete unit is left out of the unit metrics only.
	Orders []Rule[Order]
	// KPIMonth decides which KPI months an audit reads: those whose month starts in the period.
	// Their figures are summed (warranty_months: the least) into the KPI facts.
	KPIMonth Rule[KPIMonth]
	// CAPADue decides which corrective actions an audit reads: those due in the period.
	CAPADue Rule[CorrectiveAction]
	// CAPAOverdue applies to the actions CAPADue holds for: not closed by the due date, as seen
	// at the audit's now (CorrectiveAction.Overdue).
	CAPAOverdue Rule[CorrectiveAction]
	// Lot decides which lots an audit reads (lots.md §7): the seller's device lots decided in
	// the period, accepted or rejected. Pending lots and parts lots never count.
	Lot Rule[Lot]
	// LotRejected applies to the lots Lot holds for: those rejected, which are the evidence of
	// lots_rejected and lot_rejection_rate.
	LotRejected Rule[Lot]
}

// MetricRules returns the rules of an audit of p run at now (now only matters to
// CAPAOverdue). Each call returns fresh slices.
func MetricRules(p Period, now time.Time) Rules {
	return Rules{
		Unit: Rule[Unit]{ID: RuleUnit, Metrics: []string{"units"},
			Holds: func(u Unit) bool { return u.Status != grading.Incomplete },
			Count: func(f *Facts) *int { return &f.Units }},
		Units: []Rule[Unit]{
			// A unit without a functional grade is not F0, so it is never taken for fully
			// functional.
			{ID: RuleFunctionalFail, Metrics: []string{"functional_fail_rate"},
				Holds:    func(u Unit) bool { return u.Functional != grading.F0 },
				Evidence: func(f *Facts) *[]string { return &f.FunctionalFail }},
			{ID: RuleBatteryBelow80, Metrics: []string{"battery_below_80"},
				Holds:    func(u Unit) bool { return u.BatteryHealth < 80 },
				Evidence: func(f *Facts) *[]string { return &f.BatteryBelow80 }},
			// The complement of "battery health ≥ 85".
			{ID: RuleBatteryBelow85, Metrics: []string{"battery_at_least_85_rate"},
				Holds:    func(u Unit) bool { return u.BatteryHealth < 85 },
				Evidence: func(f *Facts) *[]string { return &f.BatteryBelow85 }},
			{ID: RuleUndisclosedParts, Metrics: []string{"undisclosed_parts"},
				Holds:    func(u Unit) bool { return u.NonGenuineParts && !u.PartsDisclosed },
				Evidence: func(f *Facts) *[]string { return &f.UndisclosedParts }},
			{ID: RuleDisplayMismatch, Metrics: []string{"display_mismatch"},
				Holds:    func(u Unit) bool { return !u.DisplayLikeForLike },
				Evidence: func(f *Facts) *[]string { return &f.DisplayMismatch }},
			{ID: RuleLiquidDamage, Metrics: []string{"liquid_damage"},
				Holds:    func(u Unit) bool { return u.LiquidDamage },
				Evidence: func(f *Facts) *[]string { return &f.LiquidDamage }},
			{ID: RuleLocked, Metrics: []string{"locked"},
				Holds:    func(u Unit) bool { return u.ActivationLock },
				Evidence: func(f *Facts) *[]string { return &f.Locked }},
			{ID: RuleIMEIBlocked, Metrics: []string{"imei_blocked"},
				Holds: func(u Unit) bool {
					return u.IMEIStatus == grading.IMEIBlacklisted || u.IMEIStatus == grading.IMEIFinanced
				},
				Evidence: func(f *Facts) *[]string { return &f.IMEIBlocked }},
			{ID: RuleDataNotErased, Metrics: []string{"data_not_erased"},
				Holds:    func(u Unit) bool { return !u.DataErased },
				Evidence: func(f *Facts) *[]string { return &f.DataNotErased }},
			// The complement of "factory reset and up to date".
			{ID: RuleSoftwareNotOK, Metrics: []string{"software_ok_rate"},
				Holds:    func(u Unit) bool { return !(u.FactoryReset && u.OSUpToDate) },
				Evidence: func(f *Facts) *[]string { return &f.SoftwareNotOK }},
			{ID: RuleMarkingsAltered, Metrics: []string{"markings_altered"},
				Holds:    func(u Unit) bool { return !u.MarkingsIntact },
				Evidence: func(f *Facts) *[]string { return &f.MarkingsAltered }},
		},
		Orders: []Rule[Order]{
			{ID: RuleIdentityMismatch, Metrics: []string{"identity_mismatch"},
				Holds:    func(o Order) bool { return !o.IdentityMatchesListing },
				Evidence: func(f *Facts) *[]string { return &f.IdentityMismatch }},
			// The observed grade is below the listed one.
			{ID: RuleOvergraded, Metrics: []string{"overgraded_rate"},
				Holds:    func(o Order) bool { return o.GradeMatch == grading.Overgraded },
				Evidence: func(f *Facts) *[]string { return &f.Overgraded }},
			{ID: RuleShippedDamaged, Metrics: []string{"shipped_damaged"},
				Holds:    func(o Order) bool { return o.Cosmetic == grading.CosmeticD || o.Cosmetic == grading.CosmeticE },
				Evidence: func(f *Facts) *[]string { return &f.ShippedDamaged }},
			// The complement of "the cable and charger as listed".
			{ID: RuleAccessoriesNotOK, Metrics: []string{"accessories_ok_rate"},
				Holds:    func(o Order) bool { return !o.AccessoriesOK },
				Evidence: func(f *Facts) *[]string { return &f.AccessoriesNotOK }},
			// Inadequate packaging or transit damage.
			{ID: RulePackagingFailure, Metrics: []string{"packaging_failures"},
				Holds:    func(o Order) bool { return o.PackagingFailure },
				Evidence: func(f *Facts) *[]string { return &f.PackagingFailures }},
			// Delivered with less than LowChargePct charge.
			{ID: RuleLowCharge, Metrics: []string{"low_charge_rate"},
				Holds:    func(o Order) bool { return o.LowCharge },
				Evidence: func(f *Facts) *[]string { return &f.LowCharge }},
			// Service probes count as customer messages beside the KPI months'.
			{ID: RuleProbeSent, Metrics: []string{"messages", "message_response_rate"},
				Holds: func(o Order) bool { return o.ProbeSent },
				Count: func(f *Facts) *int { return &f.Probes }},
			{ID: RuleProbeAnswered, Metrics: []string{"message_response_rate"},
				Holds: func(o Order) bool { return o.ProbeSent && o.ProbeAnsweredInTime },
				Count: func(f *Facts) *int { return &f.ProbesAnswered }},
			{ID: RuleProbeLate, Metrics: []string{"message_response_rate"},
				Holds:    func(o Order) bool { return o.ProbeSent && !o.ProbeAnsweredInTime },
				Evidence: func(f *Facts) *[]string { return &f.ProbesLate }},
		},
		KPIMonth: Rule[KPIMonth]{ID: RuleKPIMonth,
			Metrics: []string{"orders", "late_shipment_rate", "valid_tracking_rate", "cancellation_rate",
				"technical_return_rate", "order_defect_rate", "messages", "message_response_rate",
				"warranty_claims", "warranty_remedy_rate", "warranty_months"},
			Holds:    func(k KPIMonth) bool { return k.StartsIn(p) },
			Evidence: func(f *Facts) *[]string { return &f.KPIMonths }},
		CAPADue: Rule[CorrectiveAction]{ID: RuleCAPADue, Metrics: []string{"capa_due"},
			Holds:    func(a CorrectiveAction) bool { return a.DueIn(p) },
			Evidence: func(f *Facts) *[]string { return &f.CAPADue }},
		CAPAOverdue: Rule[CorrectiveAction]{ID: RuleCAPAOverdue, Metrics: []string{"capa_overdue"},
			Holds:    func(a CorrectiveAction) bool { return a.Overdue(now) },
			Evidence: func(f *Facts) *[]string { return &f.CAPAOverdue }},
		// Decided at an instant of the period, like every record an audit reads.
		Lot: Rule[Lot]{ID: RuleLot, Metrics: []string{"lots", "lot_rejection_rate"},
			Holds: func(l Lot) bool {
				return l.Kind == LotDevices && l.Decided() && l.DecidedAt != nil && p.Contains(*l.DecidedAt)
			},
			Count: func(f *Facts) *int { return &f.Lots }},
		LotRejected: Rule[Lot]{ID: RuleLotRejected, Metrics: []string{"lots_rejected", "lot_rejection_rate"},
			Holds:    func(l Lot) bool { return l.Decision == sampling.Rejected },
			Evidence: func(f *Facts) *[]string { return &f.LotsRejected }},
	}
}

// IDs lists the ids of every rule, in the order of Rules.
func (r Rules) IDs() []RuleID {
	ids := []RuleID{r.Unit.ID}
	for _, u := range r.Units {
		ids = append(ids, u.ID)
	}
	for _, o := range r.Orders {
		ids = append(ids, o.ID)
	}
	return append(ids, r.KPIMonth.ID, r.CAPADue.ID, r.CAPAOverdue.ID, r.Lot.ID, r.LotRejected.ID)
}
