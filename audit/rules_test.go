package audit

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/sampling"
)

// flawlessUnit is a unit that no unit rule holds for: sellable, F0, battery at 95, genuine
// parts, clean and compliant.
func flawlessUnit() Unit {
	return Unit{
		ID: "bt_1", SellerID: "sl_1", At: time.Date(2026, 8, 10, 10, 0, 0, 0, time.UTC),
		Status: grading.Sellable, Functional: grading.F0, BatteryHealth: 95,
		PartsDisclosed: true, DisplayLikeForLike: true, IMEIStatus: grading.IMEIClean,
		DataErased: true, FactoryReset: true, OSUpToDate: true, MarkingsIntact: true,
	}
}

// flawlessOrder is a mystery order that no order rule holds for, without a service probe.
func flawlessOrder() Order {
	u := flawlessUnit()
	u.ID = "mo_1"
	return Order{Unit: u, IdentityMatchesListing: true, GradeMatch: grading.MatchEqual,
		Cosmetic: grading.CosmeticB, AccessoriesOK: true}
}

func testRules() Rules {
	return MetricRules(Period{}, time.Time{})
}

// unitRule returns the unit rule id (the gate RuleUnit included).
func unitRule(t *testing.T, id RuleID) Rule[Unit] {
	t.Helper()
	r := testRules()
	if id == r.Unit.ID {
		return r.Unit
	}
	for _, u := range r.Units {
		if u.ID == id {
			return u
		}
	}
	require.FailNow(t, "no unit rule "+string(id))
	return Rule[Unit]{}
}

func orderRule(t *testing.T, id RuleID) Rule[Order] {
	t.Helper()
	for _, o := range testRules().Orders {
		if o.ID == id {
			return o
		}
	}
	require.FailNow(t, "no order rule "+string(id))
	return Rule[Order]{}
}

// TestUnitRules holds every unit rule to the wording of charter.md §2 at its boundaries.
func TestUnitRules(t *testing.T) {
	type tc struct {
		name   string
		change func(*Unit)
		holds  bool
	}
	functional := func(g grading.Functional) func(*Unit) { return func(u *Unit) { u.Functional = g } }
	battery := func(v float64) func(*Unit) { return func(u *Unit) { u.BatteryHealth = v } }
	imei := func(s grading.IMEIStatus) func(*Unit) { return func(u *Unit) { u.IMEIStatus = s } }
	parts := func(nonGenuine, disclosed bool) func(*Unit) {
		return func(u *Unit) { u.NonGenuineParts, u.PartsDisclosed = nonGenuine, disclosed }
	}
	software := func(reset, upToDate bool) func(*Unit) {
		return func(u *Unit) { u.FactoryReset, u.OSUpToDate = reset, upToDate }
	}
	status := func(s grading.Status) func(*Unit) { return func(u *Unit) { u.Status = s } }
	tests := map[RuleID][]tc{
		// "inspected units (not incomplete)"
		RuleUnit: {
			{"sellable", status(grading.Sellable), true},
			{"not sellable", status(grading.NotSellable), true},
			{"rejected", status(grading.Rejected), true},
			{"incomplete", status(grading.Incomplete), false},
		},
		// "functional grade is not F0"
		RuleFunctionalFail: {
			{"F0", functional(grading.F0), false},
			{"F1", functional(grading.F1), true},
			{"F2", functional(grading.F2), true},
			{"F3", functional(grading.F3), true},
			{"no grade (NULL)", functional(""), true},
		},
		// "battery health below 80"
		RuleBatteryBelow80: {
			{"0", battery(0), true},
			{"79.9", battery(79.9), true},
			{"79.999", battery(79.999), true},
			{"80", battery(80), false},
			{"80.01", battery(80.01), false},
			{"84.9", battery(84.9), false},
			{"85", battery(85), false},
		},
		// the complement of "battery health ≥ 85"
		RuleBatteryBelow85: {
			{"79.9", battery(79.9), true},
			{"80", battery(80), true},
			{"84.9", battery(84.9), true},
			{"84.999", battery(84.999), true},
			{"85", battery(85), false},
			{"85.01", battery(85.01), false},
			{"100", battery(100), false},
		},
		// "non-genuine parts that were not disclosed"
		RuleUndisclosedParts: {
			{"non-genuine, undisclosed", parts(true, false), true},
			{"non-genuine, disclosed", parts(true, true), false},
			{"genuine, nothing disclosed", parts(false, false), false},
			{"genuine, disclosed", parts(false, true), false},
		},
		// "display is not like-for-like"
		RuleDisplayMismatch: {
			{"like-for-like", func(u *Unit) { u.DisplayLikeForLike = true }, false},
			{"not like-for-like", func(u *Unit) { u.DisplayLikeForLike = false }, true},
		},
		RuleLiquidDamage: {
			{"none", func(u *Unit) { u.LiquidDamage = false }, false},
			{"liquid damage", func(u *Unit) { u.LiquidDamage = true }, true},
		},
		// "an activation lock"
		RuleLocked: {
			{"unlocked", func(u *Unit) { u.ActivationLock = false }, false},
			{"activation lock", func(u *Unit) { u.ActivationLock = true }, true},
		},
		// "IMEI status blacklisted or financed"
		RuleIMEIBlocked: {
			{"clean", imei(grading.IMEIClean), false},
			{"blacklisted", imei(grading.IMEIBlacklisted), true},
			{"financed", imei(grading.IMEIFinanced), true},
			{"unknown", imei(grading.IMEIUnknown), false},
			{"not applicable", imei(grading.IMEINotApplicable), false},
		},
		// "data was not erased"
		RuleDataNotErased: {
			{"erased", func(u *Unit) { u.DataErased = true }, false},
			{"not erased", func(u *Unit) { u.DataErased = false }, true},
		},
		// the complement of "factory reset and up to date"
		RuleSoftwareNotOK: {
			{"reset and up to date", software(true, true), false},
			{"not reset", software(false, true), true},
			{"not up to date", software(true, false), true},
			{"neither", software(false, false), true},
		},
		// "markings are not intact"
		RuleMarkingsAltered: {
			{"intact", func(u *Unit) { u.MarkingsIntact = true }, false},
			{"altered", func(u *Unit) { u.MarkingsIntact = false }, true},
		},
	}
	rules := testRules()
	require.Len(t, tests, 1+len(rules.Units), "a table for every unit rule")
	for id, cases := range tests {
		rule := unitRule(t, id)
		for _, tt := range cases {
			t.Run(string(id)+"/"+tt.name, func(t *testing.T) {
				u := flawlessUnit()
				tt.change(&u)
				assert.Equal(t, tt.holds, rule.Holds(u))
			})
		}
	}
	t.Run("a flawless unit counts and fails nothing", func(t *testing.T) {
		assert.True(t, rules.Unit.Holds(flawlessUnit()))
		for _, r := range rules.Units {
			assert.False(t, r.Holds(flawlessUnit()), r.ID)
		}
	})
}

// TestOrderRules holds every mystery-order rule to the wording of charter.md §2.
func TestOrderRules(t *testing.T) {
	type tc struct {
		name   string
		change func(*Order)
		holds  bool
	}
	match := func(m grading.Match) func(*Order) { return func(o *Order) { o.GradeMatch = m } }
	cosmetic := func(c grading.CosmeticGrade) func(*Order) { return func(o *Order) { o.Cosmetic = c } }
	probe := func(sent, inTime bool) func(*Order) {
		return func(o *Order) { o.ProbeSent, o.ProbeAnsweredInTime = sent, inTime }
	}
	tests := map[RuleID][]tc{
		// "device identity did not match the listing"
		RuleIdentityMismatch: {
			{"matches", func(o *Order) { o.IdentityMatchesListing = true }, false},
			{"does not match", func(o *Order) { o.IdentityMatchesListing = false }, true},
		},
		// "observed grade is below the listed grade"
		RuleOvergraded: {
			{"match", match(grading.MatchEqual), false},
			{"overgraded", match(grading.Overgraded), true},
			{"undergraded", match(grading.Undergraded), false},
			{"no comparison", match(""), false},
		},
		// "received with cosmetic grade D or E"
		RuleShippedDamaged: {
			{"A", cosmetic(grading.CosmeticA), false},
			{"B", cosmetic(grading.CosmeticB), false},
			{"C", cosmetic(grading.CosmeticC), false},
			{"D", cosmetic(grading.CosmeticD), true},
			{"E", cosmetic(grading.CosmeticE), true},
			{"no grade", cosmetic(""), false},
		},
		// the complement of "the cable and charger as listed"
		RuleAccessoriesNotOK: {
			{"as listed", func(o *Order) { o.AccessoriesOK = true }, false},
			{"not as listed", func(o *Order) { o.AccessoriesOK = false }, true},
		},
		// "inadequate packaging or transit damage", derived at intake
		RulePackagingFailure: {
			{"fine", func(o *Order) { o.PackagingFailure = false }, false},
			{"failure", func(o *Order) { o.PackagingFailure = true }, true},
		},
		// "less than 30% charge", derived at intake
		RuleLowCharge: {
			{"charged", func(o *Order) { o.LowCharge = false }, false},
			{"low charge", func(o *Order) { o.LowCharge = true }, true},
		},
		// service probes count as messages...
		RuleProbeSent: {
			{"no probe", probe(false, false), false},
			{"no probe, marked in time", probe(false, true), false},
			{"answered in time", probe(true, true), true},
			{"late or unanswered", probe(true, false), true},
		},
		// ...answered within one business day...
		RuleProbeAnswered: {
			{"no probe", probe(false, false), false},
			{"no probe, marked in time", probe(false, true), false},
			{"answered in time", probe(true, true), true},
			{"late or unanswered", probe(true, false), false},
		},
		// ...or not: the evidence against message_response_rate.
		RuleProbeLate: {
			{"no probe", probe(false, false), false},
			{"no probe, marked in time", probe(false, true), false},
			{"answered in time", probe(true, true), false},
			{"late or unanswered", probe(true, false), true},
		},
	}
	rules := testRules()
	require.Len(t, tests, len(rules.Orders), "a table for every order rule")
	for id, cases := range tests {
		rule := orderRule(t, id)
		for _, tt := range cases {
			t.Run(string(id)+"/"+tt.name, func(t *testing.T) {
				o := flawlessOrder()
				tt.change(&o)
				assert.Equal(t, tt.holds, rule.Holds(o))
			})
		}
	}
	t.Run("order rules ignore the unit", func(t *testing.T) {
		// An incomplete, damaged inspection is still a flawless order.
		o := flawlessOrder()
		o.Status, o.Functional, o.LiquidDamage = grading.Incomplete, "", true
		for _, r := range rules.Orders {
			assert.False(t, r.Holds(o), r.ID)
		}
	})
}

// TestPeriodRules checks the rules about the period itself at its edges: [start, end).
func TestPeriodRules(t *testing.T) {
	p := Period{Start: at(t, "2026-07-15T00:00:00Z"), End: at(t, "2026-10-15T00:00:00Z")}
	now := at(t, "2026-09-01T12:00:00Z")
	rules := MetricRules(p, now)
	us := time.Microsecond

	t.Run("contains", func(t *testing.T) {
		assert.False(t, p.Contains(p.Start.Add(-us)))
		assert.True(t, p.Contains(p.Start))
		assert.True(t, p.Contains(p.End.Add(-us)))
		assert.False(t, p.Contains(p.End))
	})
	t.Run("KPI months start inside the period", func(t *testing.T) {
		for month, want := range map[string]bool{
			"2026-06": false,
			"2026-07": false, // starts before the 15th
			"2026-08": true,
			"2026-09": true,
			"2026-10": true, // starts on the 1st, before the end on the 15th
			"2026-11": false,
			"2026-1":  false, // not a month
		} {
			assert.Equal(t, want, rules.KPIMonth.Holds(KPIMonth{Month: month}), month)
		}
		aligned := MetricRules(Period{Start: at(t, "2026-07-01T00:00:00Z"), End: at(t, "2026-10-01T00:00:00Z")}, now)
		assert.True(t, aligned.KPIMonth.Holds(KPIMonth{Month: "2026-07"}), "starts on the first day")
		assert.False(t, aligned.KPIMonth.Holds(KPIMonth{Month: "2026-10"}), "starts on the end")
	})
	t.Run("corrective actions due in the period", func(t *testing.T) {
		for _, tt := range []struct {
			due  time.Time
			want bool
		}{
			{p.Start.Add(-us), false}, {p.Start, true}, {p.End.Add(-us), true}, {p.End, false},
		} {
			assert.Equal(t, tt.want, rules.CAPADue.Holds(CorrectiveAction{DueAt: tt.due}), tt.due)
		}
	})
	t.Run("overdue when not closed by the due date, as seen at now", func(t *testing.T) {
		due := at(t, "2026-08-20T09:00:00Z")
		closed := func(d time.Duration) *time.Time { c := due.Add(d); return &c }
		for _, tt := range []struct {
			name   string
			due    time.Time
			closed *time.Time
			want   bool
		}{
			{"open, due before now", due, nil, true},
			{"open, due at now", now, nil, false},
			{"open, due after now", now.Add(us), nil, false},
			{"closed before the due date", due, closed(-time.Hour), false},
			{"closed at the due date", due, closed(0), false},
			{"closed just after", due, closed(us), true},
			{"closed late, due after now", now.Add(time.Hour), closed(now.Sub(due) + 2*time.Hour), true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				assert.Equal(t, tt.want, rules.CAPAOverdue.Holds(CorrectiveAction{DueAt: tt.due, ClosedAt: tt.closed}))
			})
		}
	})
}

func TestLotRules(t *testing.T) {
	p := Period{Start: at(t, "2026-07-15T00:00:00Z"), End: at(t, "2026-10-15T00:00:00Z")}
	rules := MetricRules(p, at(t, "2026-09-01T12:00:00Z"))
	us := time.Microsecond
	lot := func(kind LotKind, d sampling.Decision, decided time.Time) Lot {
		l := Lot{Kind: kind, Decision: d}
		if !decided.IsZero() {
			l.DecidedAt = &decided
		}
		return l
	}
	in := at(t, "2026-08-10T10:00:00Z")
	for _, tt := range []struct {
		name          string
		lot           Lot
		read, rejects bool
	}{
		{"accepted in the period", lot(LotDevices, sampling.Accepted, in), true, false},
		{"rejected in the period", lot(LotDevices, sampling.Rejected, in), true, true},
		{"decided at the start", lot(LotDevices, sampling.Rejected, p.Start), true, true},
		{"decided a microsecond before the start", lot(LotDevices, sampling.Rejected, p.Start.Add(-us)), false, true},
		{"decided on the last microsecond", lot(LotDevices, sampling.Accepted, p.End.Add(-us)), true, false},
		{"decided at the end", lot(LotDevices, sampling.Rejected, p.End), false, true},
		{"pending", lot(LotDevices, sampling.Pending, time.Time{}), false, false},
		{"pending, with a decision time by mistake", lot(LotDevices, sampling.Pending, in), false, false},
		{"a parts lot", lot(LotParts, sampling.Rejected, in), false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.read, rules.Lot.Holds(tt.lot))
			assert.Equal(t, tt.rejects, rules.LotRejected.Holds(tt.lot))
		})
	}
}

// TestMetricRulesTable checks the shape of the table: unique ids, one Facts field per rule,
// and every catalogue metric fed by some rule (mystery_orders counts every order read).
func TestMetricRulesTable(t *testing.T) {
	rules := testRules()
	ids := rules.IDs()
	assert.Len(t, ids, 26)
	seen := map[RuleID]bool{}
	for _, id := range ids {
		assert.False(t, seen[id], "duplicate rule %s", id)
		seen[id] = true
	}

	var f Facts
	type target struct {
		id       RuleID
		metrics  []string
		evidence func(*Facts) *[]string
		count    func(*Facts) *int
	}
	targets := []target{{rules.Unit.ID, rules.Unit.Metrics, rules.Unit.Evidence, rules.Unit.Count}}
	for _, r := range rules.Units {
		targets = append(targets, target{r.ID, r.Metrics, r.Evidence, r.Count})
	}
	for _, r := range rules.Orders {
		targets = append(targets, target{r.ID, r.Metrics, r.Evidence, r.Count})
	}
	for _, r := range []Rule[KPIMonth]{rules.KPIMonth} {
		targets = append(targets, target{r.ID, r.Metrics, r.Evidence, r.Count})
	}
	for _, r := range []Rule[CorrectiveAction]{rules.CAPADue, rules.CAPAOverdue} {
		targets = append(targets, target{r.ID, r.Metrics, r.Evidence, r.Count})
	}
	for _, r := range []Rule[Lot]{rules.Lot, rules.LotRejected} {
		targets = append(targets, target{r.ID, r.Metrics, r.Evidence, r.Count})
	}
	require.Len(t, targets, len(ids))
	lists := map[*[]string]RuleID{}
	counts := map[*int]RuleID{}
	fed := map[string]bool{"mystery_orders": true}
	for _, tg := range targets {
		assert.NotEmpty(t, tg.metrics, tg.id)
		for _, m := range tg.metrics {
			fed[m] = true
		}
		switch {
		case tg.evidence != nil && tg.count == nil:
			l := tg.evidence(&f)
			other, dup := lists[l]
			assert.False(t, dup, "%s fills the list of %s", tg.id, other)
			lists[l] = tg.id
		case tg.count != nil && tg.evidence == nil:
			c := tg.count(&f)
			other, dup := counts[c]
			assert.False(t, dup, "%s adds to the count of %s", tg.id, other)
			counts[c] = tg.id
		default:
			t.Errorf("%s: needs either evidence or a count", tg.id)
		}
	}
	// Every evidence list of Facts is filled by a rule.
	assert.Len(t, lists, 22)

	var catalogue []string
	for _, m := range checklist.Catalogue() {
		catalogue = append(catalogue, m.Name)
	}
	var names []string
	for m := range fed {
		names = append(names, m)
	}
	slices.Sort(catalogue)
	slices.Sort(names)
	assert.Equal(t, catalogue, names, "the rules feed exactly the catalogue")
}

// TestRecordsAsTheAuditSeesThem checks the conversions of a submitted, derived bench test and
// mystery order.
func TestRecordsAsTheAuditSeesThem(t *testing.T) {
	in := pristineInspection()
	in.Battery.HealthPct = 79.5
	in.Parts = grading.Parts{NonGenuine: []string{"screen"}, Disclosed: false}
	in.Compliance = grading.Compliance{IMEIStatus: grading.IMEIFinanced, ActivationLock: true, LiquidDamage: true,
		DataErased: false, FactoryReset: true, OSUpToDate: false, MarkingsIntact: false, DisplayLikeForLike: false}
	bt := BenchTest{ID: "bt_9", SellerID: "sl_1", TestedAt: at(t, "2026-08-01T10:00:00Z"), Supersedes: "bt_8", Inspection: in}
	DeriveBenchTest(&bt, testProtocol())
	require.NotEmpty(t, bt.Grade.Status)

	u := bt.Unit()
	assert.Equal(t, Unit{
		ID: "bt_9", SellerID: "sl_1", At: bt.TestedAt, Supersedes: "bt_8",
		Status: bt.Grade.Status, Functional: bt.Grade.Functional, BatteryHealth: 79.5,
		NonGenuineParts: true, PartsDisclosed: false, DisplayLikeForLike: false, LiquidDamage: true,
		ActivationLock: true, IMEIStatus: grading.IMEIFinanced, DataErased: false, FactoryReset: true,
		OSUpToDate: false, MarkingsIntact: false,
	}, u)
	t.Run("no non-genuine parts", func(t *testing.T) {
		bt := bt
		bt.Inspection.Parts = grading.Parts{NonGenuine: []string{}, Disclosed: false}
		assert.False(t, bt.Unit().NonGenuineParts)
	})

	sent := at(t, "2026-08-03T10:00:00Z")
	mo := MysteryOrder{ID: "mo_9", SellerID: "sl_1", OrderedAt: at(t, "2026-08-02T10:00:00Z"), ListedGrade: grading.Premium,
		Inspection: crackedInspection(), IdentityMatchesListing: false,
		Logistics:    Logistics{PackagingAdequate: false, ChargeOnArrivalPct: 29.9, CableIncluded: true, ChargerAsListed: false},
		ServiceProbe: &ServiceProbe{QuestionSentAt: sent}}
	DeriveMysteryOrder(&mo, testProtocol())
	o := mo.Order()
	assert.Equal(t, "mo_9", o.ID)
	assert.Equal(t, mo.OrderedAt, o.At)
	assert.Equal(t, mo.Grade.Status, o.Status)
	assert.Equal(t, grading.CosmeticE, o.Cosmetic)
	assert.Equal(t, grading.Overgraded, o.GradeMatch)
	assert.False(t, o.IdentityMatchesListing)
	assert.False(t, o.AccessoriesOK)
	assert.True(t, o.PackagingFailure)
	assert.True(t, o.LowCharge)
	assert.True(t, o.ProbeSent)
	assert.False(t, o.ProbeAnsweredInTime, "never answered")

	answered := sent.Add(time.Hour)
	mo.ServiceProbe.AnsweredAt = &answered
	DeriveMysteryOrder(&mo, testProtocol())
	assert.True(t, mo.Order().ProbeAnsweredInTime)
	mo.ServiceProbe = nil
	DeriveMysteryOrder(&mo, testProtocol())
	assert.False(t, mo.Order().ProbeSent)
}
