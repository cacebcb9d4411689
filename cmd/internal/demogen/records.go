package demogen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// Listing classes of mystery orders: what a seller claims, A to C (nobody lists D or E).
var listingClasses = []float64{0.25, 0.45, 0.30}

// BenchTests returns the bench tests of seller s (stored as sellerID) in month m, in the order
// they were tested, validated and graded as the API would (audit.DeriveBenchTest), with the
// inspection document as a client sends it (wire.EncodeInspection).
func (g *Generator) BenchTests(s Seller, sellerID string, m Month) ([]audit.BenchTest, error) {
	if !g.active(s, m) {
		return nil, nil
	}
	r := newRand(g.cfg.Seed, streamBench, s.Index, m.Index)
	p := profiles[s.Archetype]
	n := poisson(r, g.benchBase*s.size*p.volume*m.share)
	if s.Archetype == BrandNew && !g.cfg.Scale {
		n = between(r, 1, 4) // fewer than the 5 units that some points need
	}
	times := make([]time.Time, n)
	for i := range times {
		times[i] = businessTime(r, m)
		if times[i].Before(s.CreatedAt) {
			// A seller that joined during the month has stock tested after it joined.
			times[i] = s.CreatedAt.Add(time.Duration(uniform(r, 1, 72) * float64(time.Hour))).Truncate(time.Second)
			if !times[i].Before(m.End) {
				times[i] = m.End.Add(-time.Minute)
			}
		}
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	out := make([]audit.BenchTest, 0, n)
	for i, at := range times {
		u := g.newUnit(r, p, pick(r, p.cosmetic[:]))
		bt := audit.BenchTest{
			SellerID: sellerID, Lab: s.Lab, TestedAt: at,
			ExternalID: fmt.Sprintf("BT-%s-%05d", m.Label, i+1),
			Inspection: u.in,
		}
		proto := g.cfg.Protocols[u.model.category]
		// Two in five bench tests record the grade the device is listed under.
		if chance(r, 0.4) {
			observed := grading.Evaluate(u.in, proto).Marketplace
			bt.ListedGrade = listingOf(r, observed, p.overgrade/2, bt.Inspection.Cosmetic)
		}
		raw, err := wire.EncodeInspection(u.in)
		if err != nil {
			return nil, err
		}
		bt.Submitted = raw
		audit.DeriveBenchTest(&bt, proto)
		out = append(out, bt)
	}
	return out, nil
}

// listingOf is the grade a seller lists a device under: the observed grade, one better for an
// over-grader's share, and for a device that may not be sold at all whatever its looks suggest.
func listingOf(r *rand.Rand, observed grading.Marketplace, overgrade float64, c grading.Cosmetic) grading.Marketplace {
	if observed == "" {
		if marks(c.Screen) == 0 && c.Body.DeepScratches+c.Body.Dents+c.Body.Chips+c.Body.Cracks == 0 {
			return grading.Good
		}
		return grading.Fair
	}
	if chance(r, overgrade) {
		switch observed {
		case grading.Fair:
			return grading.Good
		case grading.Good:
			return grading.Excellent
		case grading.Excellent:
			return grading.Premium
		}
	}
	return observed
}

// MysteryOrders returns the mystery orders of seller s in month m, in order-ref order, derived
// as the API would (audit.DeriveMysteryOrder). The device is listed as the seller claims it;
// what arrives may be worse (an over-grader's), late, badly packed, or uncharged.
func (g *Generator) MysteryOrders(s Seller, sellerID string, m Month) ([]audit.MysteryOrder, error) {
	if !g.active(s, m) {
		return nil, nil
	}
	r := newRand(g.cfg.Seed, streamOrders, s.Index, m.Index)
	p := profiles[s.Archetype]
	n := poisson(r, p.orders*g.ordersBase*m.share)
	if !g.cfg.Scale && s.Archetype == OverGrader && m.share > 0.5 {
		n = max(n, 3) // the team keeps buying from a suspect: grade accuracy needs 3 orders
	}
	out := make([]audit.MysteryOrder, 0, n)
	lastDay := m.End.AddDate(0, 0, -7) // deliveries land inside the month
	if lastDay.Before(m.Start) {
		lastDay = m.Start
	}
	for k := range n {
		claimed := pick(r, listingClasses)
		actual := claimed
		if chance(r, p.listNoise) {
			actual++
		}
		if chance(r, p.overgrade) {
			actual = claimed + 1
			if chance(r, 0.3) {
				actual++
			}
		}
		if chance(r, p.damaged) {
			actual = max(actual, classD)
		}
		u := g.newUnit(r, p, min(actual, classE))
		proto := g.cfg.Protocols[u.model.category]

		ordered := m.Start.Add(time.Duration(r.Int64N(int64(lastDay.Sub(m.Start)) + int64(24*time.Hour))))
		ordered = time.Date(ordered.Year(), ordered.Month(), ordered.Day(), 0, 0, 0, 0, time.UTC).
			Add(time.Duration(uniform(r, 7, 23) * float64(time.Hour))).Truncate(time.Second)
		if !ordered.Before(m.End) {
			ordered = m.End.Add(-time.Hour)
		}
		if ordered.Before(m.Start) {
			ordered = m.Start
		}
		deadline := audit.OneBusinessDayDeadline(ordered)
		var shipped time.Time
		if chance(r, p.dispatchLate) {
			shipped = deadline.Add(time.Duration(uniform(r, 2, 96) * float64(time.Hour)))
		} else {
			shipped = ordered.Add(time.Duration(uniform(r, 0.05, 0.9) * float64(deadline.Sub(ordered))))
		}
		shipped = shipped.Truncate(time.Second)
		delivered := shipped.Add(time.Duration(uniform(r, 18, 70) * float64(time.Hour))).Truncate(time.Second)

		charge := round1(clamp(68+14*r.NormFloat64(), audit.LowChargePct, 100))
		if chance(r, p.lowCharge) {
			charge = round1(uniform(r, 3, audit.LowChargePct-1))
		}
		mo := audit.MysteryOrder{
			SellerID: sellerID, OrderRef: fmt.Sprintf("MO-%s-%03d", m.Label, k+1),
			OrderedAt: ordered, ShippedAt: &shipped, DeliveredAt: &delivered,
			ListedGrade: claimedListing(r, u.in, claimed, proto),
			Inspection:  u.in,
			Logistics: audit.Logistics{
				PackagingAdequate:  !chance(r, p.packagingBad),
				TransitDamage:      chance(r, p.transitDamage),
				ChargeOnArrivalPct: charge,
				CableIncluded:      !chance(r, p.accessoriesBad*0.3),
				ChargerAsListed:    !chance(r, p.accessoriesBad*0.7),
			},
			IdentityMatchesListing: !chance(r, p.identityBad),
		}
		if chance(r, 0.6) {
			sent := ordered.Add(time.Duration(uniform(r, -36, 24) * float64(time.Hour))).Truncate(time.Second)
			probe := &audit.ServiceProbe{QuestionSentAt: sent}
			due := audit.OneBusinessDayDeadline(sent)
			switch {
			case chance(r, p.probeNever):
			case chance(r, p.probeLate):
				at := due.Add(time.Duration(uniform(r, 1, 72) * float64(time.Hour))).Truncate(time.Second)
				probe.AnsweredAt = &at
			default:
				at := sent.Add(time.Duration(uniform(r, 0.05, 0.9) * float64(due.Sub(sent)))).Truncate(time.Second)
				probe.AnsweredAt = &at
			}
			mo.ServiceProbe = probe
		}
		raw, err := wire.EncodeInspection(u.in)
		if err != nil {
			return nil, err
		}
		mo.Submitted = raw
		audit.DeriveMysteryOrder(&mo, proto)
		out = append(out, mo)
	}
	return out, nil
}

// claimedListing is the grade the seller listed a mystery-order device under: the grade of the
// device as the seller described it (cosmetic class claimed, everything working, nothing
// blocking), or, when even that could not be sold, a plain guess from its looks.
func claimedListing(r *rand.Rand, in grading.Inspection, claimed int, proto grading.Protocol) grading.Marketplace {
	c := in
	c.Cosmetic = cosmeticOf(r, claimed)
	c.Functional = make(map[string]grading.Outcome, len(in.Functional))
	for code, o := range in.Functional {
		if o == grading.Fail || o == grading.NotTested {
			o = grading.Pass
		}
		c.Functional[code] = o
	}
	c.Compliance.ActivationLock, c.Compliance.LiquidDamage, c.Compliance.DataErased = false, false, true
	if c.Compliance.IMEIStatus != grading.IMEINotApplicable {
		c.Compliance.IMEIStatus = grading.IMEIClean
	}
	if m := grading.Evaluate(c, proto).Marketplace; m != "" {
		return m
	}
	if claimed == classC {
		return grading.Fair
	}
	return grading.Good
}

// KPIMonth returns the operations figures of seller s for the calendar month of m, and false
// when the seller was not active then.
func (g *Generator) KPIMonth(s Seller, sellerID string, m Month) (audit.KPIMonth, bool) {
	if !g.active(s, m) {
		return audit.KPIMonth{}, false
	}
	r := newRand(g.cfg.Seed, streamKPI, s.Index, m.Index)
	k := profiles[s.Archetype].kpi
	orders := poisson(r, ordersPerMonth*s.size*uniform(r, 0.85, 1.15))
	newcomer := s.Archetype == BrandNew && !g.cfg.Scale
	if newcomer {
		orders = between(r, 12, 30) // under the 50 orders the logistics points need
	}
	km := audit.KPIMonth{
		SellerID: sellerID, Month: m.Label, Orders: orders,
		ShippedLate:             binomial(r, orders, k.late),
		ValidTracking:           orders - binomial(r, orders, 1-k.tracking),
		CancelledBeforeShipment: binomial(r, orders, k.cancel),
		TechnicalReturns30d:     binomial(r, orders, k.returns),
		DefectiveOrders:         binomial(r, orders, k.defects),
		MessagesReceived:        poisson(r, float64(orders)*k.messages),
		WarrantyClaims:          binomial(r, orders, k.claims),
		WarrantyMonths:          12,
	}
	if newcomer {
		km.MessagesReceived = min(km.MessagesReceived, 8) // under the 10 messages QC21 needs
		km.WarrantyClaims = 0
	}
	km.MessagesAnsweredWithin1BD = binomial(r, km.MessagesReceived, k.respond)
	km.WarrantyRemediedWithin5BD = binomial(r, km.WarrantyClaims, k.remedy)
	switch {
	case chance(r, k.shortWarranty):
		km.WarrantyMonths = 6
	case s.Archetype == Exemplary && s.Index%3 == 0:
		km.WarrantyMonths = 24
	}
	return km, true
}

// Response is how a seller and the quality team deal with one corrective action: when the
// seller submits a plan and when a manager closes it (zero when never, within the data).
type Response struct {
	PlanAt, CloseAt   time.Time
	RootCause, Action string
	Note              string
}

// Respond decides the fate of the k-th corrective action opened for seller s on the approval
// of period, opened at opened and due at due: closed in time, closed late, or left open (with
// or without a plan), with the shares of the seller's archetype.
func (g *Generator) Respond(s Seller, period, k int, point string, opened, due time.Time) Response {
	r := newRand(g.cfg.Seed, streamActions, s.Index, period<<10|k)
	p := profiles[s.Archetype]
	span := due.Sub(opened)
	at := func(from time.Time, lo, hi float64, over time.Duration) time.Time {
		return from.Add(time.Duration(uniform(r, lo, hi) * float64(over))).Truncate(time.Second)
	}
	text := planTexts[point]
	if text[0] == "" {
		text = [2]string{"The process behind this point was not followed consistently.",
			"Procedure rewritten, staff trained, and a weekly self-check added."}
	}
	resp := Response{RootCause: text[0], Action: text[1]}
	switch x := r.Float64(); {
	case x < p.closeOnTime:
		resp.PlanAt = at(opened, 0.1, 0.5, span)
		resp.CloseAt = at(resp.PlanAt, 0.1, 0.9, due.Sub(resp.PlanAt))
		resp.Note = "Verified on the next bench tests and mystery orders: fixed."
	case x < p.closeOnTime+p.closeLate:
		resp.PlanAt = at(opened, 0.3, 0.9, span)
		resp.CloseAt = at(due, 1, 20, 24*time.Hour)
		resp.Note = "Fixed, but verified after the due date: the plan came late."
	case chance(r, p.planShare):
		resp.PlanAt = at(opened, 0.2, 1.2, span)
	}
	return resp
}

// planTexts are a believable root cause and corrective action per charter point.
var planTexts = map[string][2]string{
	"QC01": {"Functional tests were skipped on devices that looked fine.", "Every device now runs the full protocol before listing; a second technician signs off."},
	"QC02": {"Worn batteries were not checked before listing.", "Batteries below 85% are replaced with genuine parts before a device is listed."},
	"QC03": {"Battery health was not a listing criterion.", "Battery health is recorded for every device and below 85% triggers a replacement."},
	"QC04": {"Listings did not mention replaced parts.", "The listing template now has a mandatory replaced-parts field."},
	"QC05": {"A supplier shipped LCD panels for OLED models.", "Supplier changed; incoming panels are checked against the model's technology."},
	"QC06": {"Liquid-damage indicators were not inspected.", "Indicator check added to intake; affected devices go to parts."},
	"QC07": {"Accounts were not removed before sale.", "Activation-lock check added to the final test station."},
	"QC08": {"IMEIs were not checked against blocklists.", "Every IMEI is now checked at intake and again before listing."},
	"QC09": {"Erasure software was skipped under time pressure.", "Certified erasure is a blocking step of the workflow."},
	"QC10": {"Stock was mixed up between listings.", "Devices are labelled with their listing id at intake."},
	"QC11": {"Devices shipped with outdated software.", "Update and factory reset run automatically on the final station."},
	"QC13": {"Cosmetic grading was optimistic.", "Grading under standard light with the marketplace's reference photos; weekly calibration."},
	"QC14": {"Damaged devices were shipped.", "Final visual check before packing, under standard light."},
	"QC15": {"Chargers were missing from some parcels.", "Packing checklist with the accessories of each listing."},
	"QC16": {"Parcels were packed without protection.", "New padded boxes and a drop test of the packaging."},
	"QC17": {"Devices were packed discharged.", "Devices are charged to 50% before packing."},
	"QC18": {"The warehouse was understaffed.", "Second shift added; orders dispatched the same or next business day."},
	"QC19": {"Labels were printed without tracking.", "Only tracked services are offered."},
	"QC20": {"Stock levels were wrong, so orders were cancelled.", "Stock synchronised hourly with the marketplace."},
	"QC21": {"Messages were answered once a week.", "A daily customer-service rota."},
	"QC22": {"Returns came from untested devices.", "Full protocol on every device; return reasons reviewed weekly."},
	"QC23": {"Defective orders were not followed up.", "Root cause of every defective order reviewed within a week."},
	"QC24": {"Warranty claims were handled slowly.", "12-month warranty on every device and a claims desk answering within 2 days."},
	"QC25": {"Corrective actions were not tracked.", "A monthly review of open corrective actions by management."},
}
