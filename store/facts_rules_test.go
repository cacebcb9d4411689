package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/sampling"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// The generated records of TestFactsAgreeWithDomainRules. REFURBQA_FACTS_SEED picks another
// seed, to explore; the coverage check then says if the records miss a case.
const (
	factsSeed         = 20260715
	factsSellers      = 3  // with records; a fourth has none
	factsBenchTests   = 80 // per seller, before corrections
	factsOrders       = 60 // per seller, before corrections
	factsCorrections  = 12 // per seller and kind
	factsKPIReplaced  = 3  // KPI months stored twice, per seller
	factsActionSeller = 2  // the first sellers get the corrective actions
)

// stillClock is a clock that stays where it is set, so that an approval, a closing or an audit
// happens at exactly the instant a test chooses (a period edge, a due date).
type stillClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stillClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stillClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC()
}

// factsPeriods are the periods audited: a quarter, three months off the month boundaries, a
// year and a single day at a month's end.
func factsPeriods(t *testing.T) []audit.Period {
	return []audit.Period{
		auPeriod(t, "2026-07-01", "2026-10-01"),
		auPeriod(t, "2026-07-15", "2026-10-15"),
		auPeriod(t, "2026-01-01", "2027-01-01"),
		auPeriod(t, "2026-08-31", "2026-09-01"),
	}
}

// factsGen writes generated records through the store's write methods and keeps them, as the
// audit sees them, for the domain's Aggregate.
type factsGen struct {
	t       *testing.T
	ctx     context.Context
	r       *rand.Rand
	st      *store.Store
	clock   *stillClock
	edges   []time.Time
	year    audit.Period // the longest period audited
	recs    map[string]*audit.Records
	benches map[string]audit.BenchTest // by id, as submitted, with the stored id
	orders  map[string]audit.MysteryOrder
	refs    int
	// closings counts the corrective actions by what became of them, for the coverage check.
	closings map[string]int
}

func pick[T any](r *rand.Rand, vs ...T) T { return vs[r.IntN(len(vs))] }

// edgeInstant is the i-th moment on or a microsecond before a period edge, for the first
// records of each kind, so that every edge is covered whatever the seed; past them, it is
// instant.
func (g *factsGen) edgeInstant(i int) time.Time {
	if i < 2*len(g.edges) {
		return g.edges[i/2].Add(-time.Duration(i%2) * time.Microsecond)
	}
	return g.instant()
}

// instant is a moment at a period edge (exactly, or a microsecond either side) half the time,
// and anywhere from December 2025 to January 2027 otherwise, to the microsecond.
func (g *factsGen) instant() time.Time {
	if g.r.IntN(2) == 0 {
		return pick(g.r, g.edges...).Add(time.Duration(g.r.IntN(3)-1) * time.Microsecond)
	}
	from := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC).Sub(from)
	return from.Add(time.Duration(g.r.Int64N(int64(span/time.Microsecond))) * time.Microsecond)
}

// bad is true three times in ten: a defect.
func (g *factsGen) bad() bool { return g.r.IntN(10) < 3 }

// batteryBoundaries are the battery values either side of the charter's 80 and 85.
func batteryBoundaries() []float64 {
	return []float64{0, 50, 79, 79.9, 79.99, 79.999999, 80, 80.000001, 80.5, 84.9, 84.99, 84.999999, 85, 85.000001, 90, 100}
}

// graded returns a generated inspection and grade: every status, functional grade (none
// included, whatever the status), IMEI status and cosmetic grade, battery health at and around
// the boundaries, each flag both ways. Grades are not derived from the inspection: the audit
// counts what was stored, and combinations grading would never produce must count the same.
func (g *factsGen) graded() (grading.Inspection, grading.Grade) {
	health := float64(6000+g.r.IntN(4001)) / 100
	if g.r.IntN(2) == 0 {
		health = pick(g.r, batteryBoundaries()...)
	}
	in := grading.Inspection{
		Device: grading.Device{Category: grading.Smartphone, Brand: "Apple", Model: "iPhone 13",
			IMEI: "356938035643809", Serial: "F2LXK0ABCD"},
		Battery: grading.Battery{HealthPct: health, Genuine: !g.bad()},
		Compliance: grading.Compliance{
			ActivationLock: g.bad(),
			IMEIStatus: pick(g.r, grading.IMEIClean, grading.IMEIBlacklisted, grading.IMEIFinanced,
				grading.IMEIUnknown, grading.IMEINotApplicable),
			LiquidDamage: g.bad(), DataErased: !g.bad(), FactoryReset: !g.bad(), OSUpToDate: !g.bad(),
			MarkingsIntact: !g.bad(), DisplayLikeForLike: !g.bad(),
		},
		Parts: grading.Parts{NonGenuine: pick(g.r, nil, []string{}, []string{"screen"}), Disclosed: g.r.IntN(2) == 0},
	}
	gr := grading.Grade{
		Ruleset:     "2026.1",
		Status:      pick(g.r, grading.Sellable, grading.NotSellable, grading.Rejected, grading.Incomplete),
		Functional:  pick(g.r, grading.F0, grading.F0, grading.F1, grading.F2, grading.F3, ""),
		Cosmetic:    pick(g.r, grading.CosmeticA, grading.CosmeticB, grading.CosmeticC, grading.CosmeticD, grading.CosmeticE, ""),
		Marketplace: pick(g.r, grading.Premium, grading.Excellent, grading.Good, grading.Fair, ""),
	}
	return in, gr
}

func (g *factsGen) benchTest(seller string, at time.Time) audit.BenchTest {
	in, gr := g.graded()
	return audit.BenchTest{SellerID: seller, Lab: "lab-1", TestedAt: at, Inspection: in, Submitted: []byte("{}"), Grade: gr,
		ListedGrade: pick(g.r, grading.Excellent, ""), GradeMatch: pick(g.r, grading.MatchEqual, grading.Overgraded, "")}
}

func (g *factsGen) mysteryOrder(seller, ref string, at time.Time) audit.MysteryOrder {
	in, gr := g.graded()
	mo := audit.MysteryOrder{
		SellerID: seller, OrderRef: ref, OrderedAt: at, ListedGrade: grading.Excellent, Inspection: in, Submitted: []byte("{}"),
		Logistics: audit.Logistics{PackagingAdequate: !g.bad(), TransitDamage: g.bad(), ChargeOnArrivalPct: float64(g.r.IntN(101)),
			CableIncluded: !g.bad(), ChargerAsListed: !g.bad()},
		IdentityMatchesListing: !g.bad(), Grade: gr,
		GradeMatch:                  pick(g.r, grading.MatchEqual, grading.Overgraded, grading.Undergraded),
		ShippedWithinOneBusinessDay: !g.bad(), PackagingFailure: g.bad(), LowCharge: g.bad(), AccessoriesOK: !g.bad(),
	}
	// Every combination of a probe and its judgement, the inconsistent ones included: a probe
	// never judged, and a judgement without a probe.
	if g.r.IntN(3) > 0 {
		mo.ServiceProbe = &audit.ServiceProbe{QuestionSentAt: at.Add(time.Hour)}
	}
	mo.ProbeAnsweredInTime = pick(g.r, nil, auBool(true), auBool(false))
	return mo
}

func (g *factsGen) addBench(bt audit.BenchTest, id string) {
	bt.ID = id
	g.benches[id] = bt
	g.recs[bt.SellerID].Units = append(g.recs[bt.SellerID].Units, bt.Unit())
}

func (g *factsGen) addOrder(mo audit.MysteryOrder, id string) {
	mo.ID = id
	g.orders[id] = mo
	g.recs[mo.SellerID].Orders = append(g.recs[mo.SellerID].Orders, mo.Order())
}

// correction picks the j-th record to correct among heads (the records not corrected yet),
// whose dates are at, and the date of its correction. A correction counts by its own date: the
// original's, or another one. The first correction moves a record of the year out of it, the
// second one into it a record from before, so that both happen whatever the seed.
func (g *factsGen) correction(j int, heads []string, at func(id string) time.Time) (int, time.Time) {
	find := func(ok func(time.Time) bool) int {
		i := slices.IndexFunc(heads, func(id string) bool { return ok(at(id)) })
		require.GreaterOrEqual(g.t, i, 0, "a record to correct")
		return i
	}
	switch j {
	case 0:
		return find(g.year.Contains), g.year.End.AddDate(0, 0, 14)
	case 1:
		return find(func(t time.Time) bool { return t.Before(g.year.Start) }), g.year.Start.AddDate(0, 7, 9)
	}
	i := g.r.IntN(len(heads))
	if g.r.IntN(2) == 0 {
		return i, at(heads[i])
	}
	return i, g.instant()
}

// writeBenchTests stores a seller's bench tests through the three write paths (a batch, one
// at a time, the bulk loader), then corrects some of them, chains of corrections included.
func (g *factsGen) writeBenchTests(seller string) {
	t, ctx := g.t, g.ctx
	items := make([]audit.BenchTest, factsBenchTests)
	for i := range items {
		items[i] = g.benchTest(seller, g.edgeInstant(i))
		if i%3 == 0 {
			items[i].ExternalID = fmt.Sprintf("ext-%s-%d", seller, i)
		}
	}
	// After the records on the edges, one counted unit in the year at each battery boundary,
	// whatever the seed.
	for k, health := range batteryBoundaries() {
		bt := &items[2*len(g.edges)+k]
		bt.Inspection.Battery.HealthPct, bt.Grade.Status = health, grading.Sellable
		bt.TestedAt = g.year.Start.Add(time.Duration(g.r.Int64N(int64(g.year.End.Sub(g.year.Start)/time.Microsecond))) * time.Microsecond)
	}
	third := len(items) / 3
	res, err := g.st.CreateBenchTests(ctx, auditor, items[:third])
	require.NoError(t, err)
	for i, r := range res {
		require.Equal(t, store.BatchCreated, r.Outcome)
		g.addBench(items[i], r.ID)
	}
	for _, bt := range items[third : 2*third] {
		rec, created, err := g.st.CreateBenchTest(ctx, auditor, bt)
		require.NoError(t, err)
		require.True(t, created)
		g.addBench(bt, rec.ID)
	}
	ids, err := g.st.LoadBenchTests(ctx, auditor, items[2*third:])
	require.NoError(t, err)
	for i, id := range ids {
		g.addBench(items[2*third+i], id)
	}

	var heads []string
	for _, u := range g.recs[seller].Units {
		heads = append(heads, u.ID)
	}
	for j := range factsCorrections {
		i, at := g.correction(j, heads, func(id string) time.Time { return g.benches[id].TestedAt })
		old := g.benches[heads[i]]
		bt := g.benchTest(seller, at)
		rec, err := g.st.CorrectBenchTest(ctx, auditor, old.ID, bt)
		require.NoError(t, err)
		bt.Supersedes = old.ID
		g.addBench(bt, rec.ID)
		heads[i] = rec.ID // the next correction of this device corrects the correction
	}
}

// writeMysteryOrders stores a seller's mystery orders in bulk and one at a time, then corrects
// some of them.
func (g *factsGen) writeMysteryOrders(seller string) {
	t, ctx := g.t, g.ctx
	items := make([]audit.MysteryOrder, factsOrders)
	for i := range items {
		g.refs++
		items[i] = g.mysteryOrder(seller, fmt.Sprintf("MO-%04d", g.refs), g.edgeInstant(i))
	}
	half := len(items) / 2
	ids, err := g.st.LoadMysteryOrders(ctx, auditor, items[:half])
	require.NoError(t, err)
	for i, id := range ids {
		g.addOrder(items[i], id)
	}
	for _, mo := range items[half:] {
		rec, err := g.st.CreateMysteryOrder(ctx, auditor, mo)
		require.NoError(t, err)
		g.addOrder(mo, rec.ID)
	}

	var heads []string
	for _, o := range g.recs[seller].Orders {
		heads = append(heads, o.ID)
	}
	for j := range factsCorrections {
		i, at := g.correction(j, heads, func(id string) time.Time { return g.orders[id].OrderedAt })
		old := g.orders[heads[i]]
		mo := g.mysteryOrder(seller, old.OrderRef, at)
		rec, err := g.st.CorrectMysteryOrder(ctx, auditor, old.ID, mo)
		require.NoError(t, err)
		mo.Supersedes = old.ID
		g.addOrder(mo, rec.ID)
		heads[i] = rec.ID
	}
}

// writeKPIMonths stores most months from November 2025 to February 2027, some of them twice
// (the second figures replace the first, keeping the id).
func (g *factsGen) writeKPIMonths(seller string) {
	t, ctx := g.t, g.ctx
	figures := func(month string) audit.KPIMonth {
		orders, msgs, claims := g.r.IntN(300), g.r.IntN(100), g.r.IntN(10)
		part := func(whole int) int { return g.r.IntN(whole + 1) }
		return audit.KPIMonth{SellerID: seller, Month: month, Orders: orders, ShippedLate: part(orders),
			ValidTracking: part(orders), CancelledBeforeShipment: part(orders), TechnicalReturns30d: part(orders),
			DefectiveOrders: part(orders), MessagesReceived: msgs, MessagesAnsweredWithin1BD: part(msgs),
			WarrantyClaims: claims, WarrantyRemediedWithin5BD: part(claims), WarrantyMonths: pick(g.r, 6, 12, 12, 24, 36)}
	}
	stored := map[string]int{} // month → index in Records.KPIMonths
	var months []string
	for m := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC); m.Before(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		if g.r.IntN(10) < 8 {
			months = append(months, m.Format("2006-01"))
		}
	}
	g.r.Shuffle(len(months), func(i, j int) { months[i], months[j] = months[j], months[i] })
	for i := range factsKPIReplaced {
		months = append(months, months[i])
	}
	recs := g.recs[seller]
	for _, month := range months {
		k, err := g.st.PutKPIMonth(ctx, auditor, figures(month))
		require.NoError(t, err)
		if i, ok := stored[month]; ok {
			require.Equal(t, recs.KPIMonths[i].ID, k.ID, "a replaced month keeps its id")
			recs.KPIMonths[i] = k
			continue
		}
		stored[month] = len(recs.KPIMonths)
		recs.KPIMonths = append(recs.KPIMonths, k)
	}
}

// writeActions opens corrective actions the only way there is, by approving scorecards with
// failed points, at instants chosen so that they fall due exactly on the period edges (or a
// microsecond before): one bench test of March 2025 fails seven critical points (due
// CriticalActionDays after approval) and one major point (MajorActionDays). Then each action
// is left open, given a plan, or closed before, at, just after or long after its due date.
func (g *factsGen) writeActions(seller string, dues []time.Time) {
	t, ctx := g.t, g.ctx
	bad := audit.BenchTest{SellerID: seller, Lab: "lab-1", TestedAt: auAt(t, "2025-03-10T10:00:00Z"), Submitted: []byte("{}"),
		Inspection: grading.Inspection{
			Device:     grading.Device{Category: grading.Smartphone, Brand: "Apple", Model: "iPhone 13", IMEI: "356938035643809"},
			Battery:    grading.Battery{HealthPct: 50},
			Compliance: grading.Compliance{ActivationLock: true, IMEIStatus: grading.IMEIBlacklisted, LiquidDamage: true},
			Parts:      grading.Parts{NonGenuine: []string{"screen"}},
		},
		Grade: grading.Grade{Ruleset: "2026.1", Status: grading.NotSellable, Functional: grading.F3, Cosmetic: grading.CosmeticC}}
	rec, _, err := g.st.CreateBenchTest(ctx, auditor, bad)
	require.NoError(t, err)
	g.addBench(bad, rec.ID)
	march := auPeriod(t, "2025-03-01", "2025-04-01")

	for i, due := range dues {
		days := audit.CriticalActionDays
		if i%2 == 1 {
			days = audit.MajorActionDays
		}
		approved := due.AddDate(0, 0, -days)
		g.clock.set(approved)
		res, err := auditSellers(ctx, g.st, auditor, march, []string{seller})
		require.NoError(t, err)
		require.Len(t, res.Scorecards, 1)
		_, actions, err := approveScorecard(ctx, g.st, auditor, res.Scorecards[0].ID, "")
		require.NoError(t, err)
		require.Len(t, actions, 8, "seven critical points and one major failed")
		for _, a := range actions {
			a = g.settle(a, approved)
			g.recs[seller].Actions = append(g.recs[seller].Actions, a)
		}
	}
}

// settle does one of the things that can happen to a corrective action after approval, at a
// chosen instant, and returns the action as the store answered.
func (g *factsGen) settle(a audit.CorrectiveAction, approved time.Time) audit.CorrectiveAction {
	t, ctx := g.t, g.ctx
	us := time.Microsecond
	plan := func(at time.Time) {
		g.clock.set(at)
		var err error
		a, err = audit.NewService(audit.ServiceConfig{Store: g.st}).SubmitPlan(ctx, auditor, a.ID, "root cause", "actions")
		require.NoError(t, err)
	}
	closeAt := func(at time.Time) {
		g.clock.set(at)
		var err error
		a, err = audit.NewService(audit.ServiceConfig{Store: g.st}).CloseAction(ctx, auditor, a.ID, "verified")
		require.NoError(t, err)
	}
	before := approved.Add(time.Duration(g.r.Int64N(int64(a.DueAt.Sub(approved)/us))) * us)
	what := pick(g.r, "open", "plan", "closed before", "closed at due", "closed just after", "closed long after")
	g.closings[what]++
	switch what {
	case "plan":
		plan(before)
	case "closed before":
		if g.r.IntN(2) == 0 {
			plan(approved)
		}
		closeAt(before)
	case "closed at due":
		closeAt(a.DueAt)
	case "closed just after":
		closeAt(a.DueAt.Add(us))
	case "closed long after":
		plan(a.DueAt.Add(time.Hour))
		closeAt(a.DueAt.Add(time.Duration(1+g.r.IntN(20*24)) * time.Hour))
	}
	return a
}

// lotBenchTest stores a bench test of seller to sample into a lot, graded to be judged
// conforming, or critical (rejected) when bad, and keeps it among the seller's units.
func (g *factsGen) lotBenchTest(seller string, bad bool) string {
	bt := g.benchTest(seller, g.instant())
	bt.Grade = grading.Grade{Ruleset: "2026.1", Status: grading.Sellable, Functional: grading.F0,
		Cosmetic: grading.CosmeticB, Marketplace: grading.Good}
	if bad {
		bt.Grade.Status, bt.Grade.Marketplace = grading.Rejected, ""
	}
	rec, _, err := g.st.CreateBenchTest(g.ctx, auditor, bt)
	require.NoError(g.t, err)
	g.addBench(bt, rec.ID)
	return rec.ID
}

// writeLots has the seller's device lots decided through the lot use cases at chosen instants:
// on every period edge and a microsecond before it, and anywhere in the data's span, accepted
// and rejected in turn, with two lots left pending. Each lot holds two devices, so that its
// sample is both of them (lots.md §3): two conforming bench tests accept it, one critical
// bench test rejects it at once. The deciding sample is added with the clock at the instant.
func (g *factsGen) writeLots(svc *audit.Service, seller string) {
	t, ctx := g.t, g.ctx
	var instants []time.Time
	for _, e := range g.edges {
		instants = append(instants, e, e.Add(-time.Microsecond))
	}
	for range 6 {
		instants = append(instants, g.instant())
	}
	sample := func(lotID string, bad bool) audit.Lot {
		l, _, err := svc.AddLotSample(ctx, auditor, lotID, audit.Input[audit.NewLotSample]{
			Value: audit.NewLotSample{BenchTestID: g.lotBenchTest(seller, bad)}})
		require.NoError(t, err)
		return l
	}
	stream := ""
	for i := range len(instants) + 2 {
		in := audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotDevices,
			LotRef: fmt.Sprintf("L-%03d", i), LotSize: 2, SellerID: seller, ReceivedAt: g.instant()}}
		l, err := svc.CreateLot(ctx, auditor, in)
		if errors.Is(err, audit.ErrConflict) && stream != "" {
			// The rejections discontinued the stream: a manager resumes it (lots.md §5).
			_, err = svc.ResumeStream(ctx, auditor, stream, "supplier of the seller changed")
			require.NoError(t, err)
			l, err = svc.CreateLot(ctx, auditor, in)
		}
		require.NoError(t, err)
		stream = l.StreamID
		require.Equal(t, 2, l.Plan.SampleSize)
		switch {
		case i >= len(instants): // pending: one sample of two in
			l = sample(l.ID, false)
			require.Equal(t, sampling.Pending, l.Decision)
		case g.r.IntN(2) == 0:
			sample(l.ID, false)
			g.clock.set(instants[i])
			l = sample(l.ID, false)
			require.Equal(t, sampling.Accepted, l.Decision)
		default:
			g.clock.set(instants[i])
			l = sample(l.ID, true)
			require.Equal(t, sampling.Rejected, l.Decision)
		}
		g.recs[seller].Lots = append(g.recs[seller].Lots, l)
	}
}

// TestFactsAgreeWithDomainRules holds the store's SQL to the domain's rules: a few hundred
// generated records, stored through the store's write methods on a migrated database, give
// the same facts (counts and evidence) from Store.Facts as from audit.Aggregate over the same
// records, for every period and audit instant checked, on every backend.
func TestFactsAgreeWithDomainRules(t *testing.T) {
	seed := uint64(factsSeed)
	if v := os.Getenv("REFURBQA_FACTS_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		require.NoError(t, err)
		seed = n
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Logf("seed %d", seed)
		ctx := context.Background()
		clock := &stillClock{}
		clock.set(auAt(t, "2026-11-02T08:00:00Z"))
		st := b.Open(t, store.Config{Now: clock.Now})
		def, err := checklist.DefaultCharter()
		require.NoError(t, err)
		require.NoError(t, st.EnsureDefaultCharter(ctx, auditor, def))

		periods := factsPeriods(t)
		var edges []time.Time
		for _, p := range periods {
			edges = append(edges, p.Start, p.End)
		}
		g := &factsGen{t: t, ctx: ctx, r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), st: st, clock: clock,
			edges: edges, year: periods[2], recs: map[string]*audit.Records{}, benches: map[string]audit.BenchTest{},
			orders: map[string]audit.MysteryOrder{}, closings: map[string]int{}}

		var sellers []string
		for i := range factsSellers + 1 {
			s, err := st.CreateSeller(ctx, auditor, audit.Seller{Name: fmt.Sprintf("Seller %d", i), Country: "FR", ContactEmail: "qa@example.com"})
			require.NoError(t, err)
			sellers = append(sellers, s.ID)
			g.recs[s.ID] = &audit.Records{}
		}
		for _, s := range sellers[:factsSellers] {
			g.writeBenchTests(s)
			g.writeMysteryOrders(s)
			g.writeKPIMonths(s)
		}
		// Actions due on every period edge and a microsecond before it, dealt to the first
		// sellers.
		dues := make([][]time.Time, factsActionSeller)
		for i, e := range edges {
			k := i % factsActionSeller
			dues[k] = append(dues[k], e, e.Add(-time.Microsecond))
		}
		for k, s := range sellers[:factsActionSeller] {
			g.writeActions(s, dues[k])
		}
		// Lots, and a rejected parts lot decided in every period, which is nobody's.
		svc := audit.NewService(audit.ServiceConfig{Store: st})
		for _, s := range sellers[:factsSellers] {
			g.writeLots(svc, s)
		}
		parts, err := svc.CreateLot(ctx, auditor, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotParts,
			LotRef: "P-1", LotSize: 2, Supplier: "Parts Ltd", PartType: "screen", ReceivedAt: periods[3].Start}})
		require.NoError(t, err)
		clock.set(periods[3].Start.Add(time.Hour))
		parts, _, err = svc.AddLotSample(ctx, auditor, parts.ID, audit.Input[audit.NewLotSample]{
			Value: audit.NewLotSample{Defects: []audit.Defect{{Class: sampling.Critical, Code: "cracked"}}}})
		require.NoError(t, err)
		require.Equal(t, sampling.Rejected, parts.Decision)

		// The audit instants: mid-quarter, at the due date of an open action (not yet overdue),
		// before every due date and after them all.
		nows := []time.Time{auAt(t, "2026-09-01T12:00:00Z"), auAt(t, "2025-06-01T00:00:00Z"), auAt(t, "2027-06-01T00:00:00Z")}
		for _, a := range g.recs[sellers[0]].Actions {
			if a.ClosedAt == nil && a.DueIn(periods[0]) {
				nows = append(nows, a.DueAt)
				break
			}
		}
		require.Len(t, nows, 4, "an open action due in the first period")
		requireFactsCoverage(t, g, periods, nows)

		for _, p := range periods {
			for _, now := range nows {
				clock.set(now)
				got, err := st.Facts(ctx, p, nil)
				require.NoError(t, err)
				require.Len(t, got, len(sellers))
				for _, s := range sellers {
					want := audit.Aggregate(p, now, *g.recs[s])
					assert.Equal(t, want, got[s], "seller %s over [%s, %s) at %s", s,
						p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly), now.Format(time.RFC3339Nano))
				}
			}
		}
		t.Run("named sellers", func(t *testing.T) {
			p, now := periods[1], nows[3]
			clock.set(now)
			got, err := st.Facts(ctx, p, []string{sellers[2], sellers[0], sellers[2]})
			require.NoError(t, err)
			require.Len(t, got, 2)
			for _, s := range []string{sellers[0], sellers[2]} {
				assert.Equal(t, audit.Aggregate(p, now, *g.recs[s]), got[s], s)
			}
		})
	})
}

// requireFactsCoverage fails the test when the generated records miss a case that matters, so
// that the agreement checked is not an agreement on nothing: every rule holding and not
// holding for records that count, holding for incomplete units and for superseded records,
// every status, functional grade, IMEI status and battery boundary among counted units, records
// on and a microsecond before every period edge, KPI months in and out of every period,
// corrective actions due on every edge and settled every way, and lots decided on every edge,
// accepted, rejected, outside the year or not at all.
func requireFactsCoverage(t *testing.T, g *factsGen, periods []audit.Period, nows []time.Time) {
	t.Helper()
	seen := map[string]bool{}
	var want []string
	expect := func(keys ...string) { want = append(want, keys...) }
	year := periods[2]
	rules := audit.MetricRules(year, nows[0])

	for _, r := range rules.Units {
		expect("unit "+string(r.ID)+" holds", "unit "+string(r.ID)+" fails",
			"incomplete unit "+string(r.ID)+" holds", "superseded unit "+string(r.ID)+" holds")
	}
	for _, r := range rules.Orders {
		expect("order "+string(r.ID)+" holds", "order "+string(r.ID)+" fails",
			"incomplete order "+string(r.ID)+" holds", "superseded order "+string(r.ID)+" holds")
	}
	for _, s := range []grading.Status{grading.Sellable, grading.NotSellable, grading.Rejected, grading.Incomplete} {
		expect("status " + string(s))
	}
	for _, f := range []grading.Functional{grading.F0, grading.F1, grading.F2, grading.F3, ""} {
		expect("functional " + string(f))
	}
	for _, s := range []grading.IMEIStatus{grading.IMEIClean, grading.IMEIBlacklisted, grading.IMEIFinanced, grading.IMEIUnknown, grading.IMEINotApplicable} {
		expect("imei " + string(s))
	}
	for _, v := range batteryBoundaries() {
		expect(fmt.Sprintf("battery %g", v))
	}
	for _, p := range periods {
		for _, e := range []time.Time{p.Start, p.End} {
			for _, kind := range []string{"unit", "order", "action due"} {
				expect(kind+" at "+e.Format(time.RFC3339Nano), kind+" at "+e.Add(-time.Microsecond).Format(time.RFC3339Nano))
			}
		}
		expect("kpi month out of " + p.Start.String())
		first := time.Date(p.Start.Year(), p.Start.Month(), 1, 0, 0, 0, 0, time.UTC)
		if first.Before(p.Start) {
			first = first.AddDate(0, 1, 0)
		}
		if p.Contains(first) {
			expect("kpi month in " + p.Start.String())
		}
	}
	expect("correction in, original out", "correction out, original in")
	for _, p := range periods {
		for _, e := range []time.Time{p.Start, p.End} {
			expect("lot decided at "+e.Format(time.RFC3339Nano), "lot decided at "+e.Add(-time.Microsecond).Format(time.RFC3339Nano))
		}
	}
	expect("lot accepted in the year", "lot rejected in the year", "lot decided out of the year", "lot pending")
	for _, k := range []string{"open", "plan", "closed before", "closed at due", "closed just after", "closed long after"} {
		expect("action " + k)
	}

	for _, recs := range g.recs {
		units := slices.Clone(recs.Units)
		for _, o := range recs.Orders {
			units = append(units, o.Unit)
		}
		corrected := map[string]audit.Unit{}
		for _, u := range units {
			if u.Supersedes != "" {
				corrected[u.Supersedes] = u
			}
		}
		for _, u := range units {
			seen["unit at "+u.At.Format(time.RFC3339Nano)] = true
			if c, ok := corrected[u.ID]; ok {
				seen["correction in, original out"] = seen["correction in, original out"] || (year.Contains(c.At) && !year.Contains(u.At))
				seen["correction out, original in"] = seen["correction out, original in"] || (!year.Contains(c.At) && year.Contains(u.At))
			}
			if !year.Contains(u.At) {
				continue
			}
			_, superseded := corrected[u.ID]
			for _, r := range rules.Units {
				switch {
				case superseded:
					seen["superseded unit "+string(r.ID)+" holds"] = seen["superseded unit "+string(r.ID)+" holds"] || r.Holds(u)
				case !rules.Unit.Holds(u):
					seen["incomplete unit "+string(r.ID)+" holds"] = seen["incomplete unit "+string(r.ID)+" holds"] || r.Holds(u)
				case r.Holds(u):
					seen["unit "+string(r.ID)+" holds"] = true
				default:
					seen["unit "+string(r.ID)+" fails"] = true
				}
			}
			if !superseded {
				seen["status "+string(u.Status)] = true
				if rules.Unit.Holds(u) {
					seen["functional "+string(u.Functional)] = true
					seen["imei "+string(u.IMEIStatus)] = true
					seen[fmt.Sprintf("battery %g", u.BatteryHealth)] = true
				}
			}
		}
		orderCorrected := map[string]bool{}
		for _, o := range recs.Orders {
			orderCorrected[o.Supersedes] = true
		}
		for _, o := range recs.Orders {
			seen["order at "+o.At.Format(time.RFC3339Nano)] = true
			if !year.Contains(o.At) {
				continue
			}
			for _, r := range rules.Orders {
				key := "order " + string(r.ID)
				switch {
				case orderCorrected[o.ID]:
					seen["superseded "+key+" holds"] = seen["superseded "+key+" holds"] || r.Holds(o)
				case r.Holds(o):
					seen[key+" holds"] = true
					if !rules.Unit.Holds(o.Unit) {
						seen["incomplete "+key+" holds"] = true
					}
				default:
					seen[key+" fails"] = true
				}
			}
		}
		for _, p := range periods {
			for _, k := range recs.KPIMonths {
				if k.StartsIn(p) {
					seen["kpi month in "+p.Start.String()] = true
				} else {
					seen["kpi month out of "+p.Start.String()] = true
				}
			}
		}
		for _, a := range recs.Actions {
			seen["action due at "+a.DueAt.Format(time.RFC3339Nano)] = true
		}
		for _, l := range recs.Lots {
			switch {
			case l.DecidedAt == nil:
				seen["lot pending"] = true
			case !year.Contains(*l.DecidedAt):
				seen["lot decided out of the year"] = true
			default:
				seen["lot "+string(l.Decision)+" in the year"] = true
			}
			if l.DecidedAt != nil {
				seen["lot decided at "+l.DecidedAt.Format(time.RFC3339Nano)] = true
			}
		}
	}
	for k, n := range g.closings {
		seen["action "+k] = n > 0
	}
	var missing []string
	for _, k := range want {
		if !seen[k] {
			missing = append(missing, k)
		}
	}
	require.Empty(t, missing, "the generated records miss these cases; change the seed or the counts")
}
