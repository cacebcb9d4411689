package demosim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/cmd/internal/demogen"
	"github.com/refurbqa/refurbqa/sampling"
)

// call is one call of the simulation into its dependencies, with the simulated time it was made
// at.
type call struct {
	op     string // ensure, sellers, bench, orders, kpis, analyze, audit, approve, plan, close
	at     time.Time
	by     audit.Principal
	id     string       // approve: the scorecard; plan, close: the action
	period audit.Period // audit
	ids    []string     // audit: the sellers
	n      int          // loads: the records
	last   time.Time    // sellers, bench: the last one's creation or test time
	text   string       // approve: the comment
}

// fakeClock is a Clock that remembers every time it was set to.
type fakeClock struct {
	t   time.Time
	set []time.Time
}

func (c *fakeClock) Now() time.Time { return c.t }
func (c *fakeClock) Set(t time.Time) {
	c.t = t
	c.set = append(c.set, t)
}

// world fakes every dependency of the simulation, logging each call: a store that gives ids in
// order and a review that scores a seller by the order it registered in (0, 1 or 2 failed
// points, each opening one corrective action due in audit.MajorActionDays).
type world struct {
	clock     fakeClock
	calls     []call
	streams   [][]byte          // the first bytes of every stream Use was given
	sellers   map[string]int    // order of registration, by id
	emails    map[string]string // contact email (which names the generated seller), by id
	cards     map[string]audit.Scorecard
	approved  map[string]bool
	actions   map[string]audit.CorrectiveAction
	events    []string // Progress
	failAudit error

	// The lot use cases, with the domain's sampling rules: the grades of the bench tests
	// loaded (by the ids given), the lots and the streams by source.
	grades     map[string]audit.BenchTest
	lots       map[string]*audit.Lot
	lotSource  map[string]string
	lotStreams map[string]*sampling.Stream
	samples    map[string][]audit.NewLotSample // by lot id
}

func newWorld() *world {
	return &world{sellers: map[string]int{}, emails: map[string]string{}, cards: map[string]audit.Scorecard{}, approved: map[string]bool{},
		actions: map[string]audit.CorrectiveAction{}, grades: map[string]audit.BenchTest{}, lots: map[string]*audit.Lot{},
		lotSource: map[string]string{}, lotStreams: map[string]*sampling.Stream{}, samples: map[string][]audit.NewLotSample{}}
}

func (w *world) deps() Deps {
	return Deps{Loader: w, Reviewer: w, Inspector: w, Clock: &w.clock, Entropy: w, Progress: w}
}

func (w *world) log(c call) { c.at = w.clock.t; w.calls = append(w.calls, c) }

// ops returns the calls of one kind.
func (w *world) ops(op string) []call {
	var out []call
	for _, c := range w.calls {
		if c.op == op {
			out = append(out, c)
		}
	}
	return out
}

// seller returns the generated seller registered as id.
func (w *world) seller(g *demogen.Generator, id string) demogen.Seller {
	for _, s := range g.Sellers() {
		if s.ContactEmail == w.emails[id] {
			return s
		}
	}
	panic("no seller " + id)
}

func (w *world) Use(r io.Reader) {
	b := make([]byte, 8)
	_, _ = r.Read(b)
	w.streams = append(w.streams, b)
	w.log(call{op: "use"})
}

func (w *world) LoadSellers(_ context.Context, by audit.Principal, in []audit.Seller) ([]audit.Seller, error) {
	if !slices.IsSortedFunc(in, func(a, b audit.Seller) int { return a.CreatedAt.Compare(b.CreatedAt) }) {
		return nil, errors.New("sellers out of order")
	}
	w.log(call{op: "sellers", by: by, n: len(in), last: in[len(in)-1].CreatedAt})
	out := make([]audit.Seller, len(in))
	for i, s := range in {
		s.ID = fmt.Sprintf("sl_%02d", len(w.sellers))
		w.sellers[s.ID] = len(w.sellers)
		w.emails[s.ID] = s.ContactEmail
		out[i] = s
	}
	return out, nil
}

func (w *world) LoadBenchTests(_ context.Context, by audit.Principal, items []audit.BenchTest) ([]string, error) {
	if !slices.IsSortedFunc(items, func(a, b audit.BenchTest) int { return a.TestedAt.Compare(b.TestedAt) }) {
		return nil, errors.New("bench tests out of order")
	}
	w.log(call{op: "bench", by: by, n: len(items), last: items[len(items)-1].TestedAt})
	ids := make([]string, len(items))
	for i, bt := range items {
		ids[i] = fmt.Sprintf("bt_%05d", len(w.grades))
		w.grades[ids[i]] = bt
	}
	return ids, nil
}

func (w *world) LoadMysteryOrders(_ context.Context, by audit.Principal, items []audit.MysteryOrder) ([]string, error) {
	if !slices.IsSortedFunc(items, func(a, b audit.MysteryOrder) int { return a.OrderedAt.Compare(b.OrderedAt) }) {
		return nil, errors.New("mystery orders out of order")
	}
	w.log(call{op: "orders", by: by, n: len(items)})
	return make([]string, len(items)), nil
}

func (w *world) LoadKPIMonths(_ context.Context, by audit.Principal, items []audit.KPIMonth) ([]string, error) {
	w.log(call{op: "kpis", by: by, n: len(items)})
	return make([]string, len(items)), nil
}

func (w *world) AnalyzeAfterLoad(context.Context) error {
	w.log(call{op: "analyze"})
	return nil
}

func (w *world) EnsureCharter(_ context.Context, by audit.Principal) error {
	w.log(call{op: "ensure", by: by})
	return nil
}

func (w *world) AuditSellers(_ context.Context, by audit.Principal, p audit.Period, sellerIDs []string) (audit.AuditResult, error) {
	w.log(call{op: "audit", by: by, period: p, ids: sellerIDs})
	if w.failAudit != nil {
		return audit.AuditResult{}, w.failAudit
	}
	var res audit.AuditResult
	for _, id := range sellerIDs {
		i, ok := w.sellers[id]
		if !ok {
			return res, fmt.Errorf("seller %s: %w", id, audit.ErrNotFound)
		}
		score := 100 - 10*float64(i%3)
		sc := audit.Scorecard{ID: fmt.Sprintf("sc_%02d", len(w.cards)), SellerID: id, Period: p, Status: audit.Draft,
			Result: checklist.Result{Tier: []checklist.Tier{checklist.TierTrusted, checklist.TierWatch, checklist.TierProbation}[i%3],
				Score: &score, FailedPoints: i % 3}}
		w.cards[sc.ID] = sc
		res.Scorecards = append(res.Scorecards, sc)
	}
	return res, nil
}

func (w *world) ApproveScorecard(_ context.Context, by audit.Principal, id, comment string) (audit.Scorecard, []audit.CorrectiveAction, error) {
	w.log(call{op: "approve", by: by, id: id, text: comment})
	sc, ok := w.cards[id]
	if !ok || w.approved[id] {
		return sc, nil, fmt.Errorf("scorecard %s: %w", id, audit.ErrConflict)
	}
	w.approved[id] = true
	sc.Status = audit.Approved
	sc.Review = &audit.Review{Comment: comment}
	var opened []audit.CorrectiveAction
	for range sc.Result.FailedPoints {
		a := audit.CorrectiveAction{ID: fmt.Sprintf("ca_%03d", len(w.actions)), SellerID: sc.SellerID, ScorecardID: id,
			PointCode: "QC01", Status: audit.ActionOpen, CreatedAt: w.clock.t, DueAt: w.clock.t.AddDate(0, 0, audit.MajorActionDays)}
		w.actions[a.ID] = a
		opened = append(opened, a)
	}
	return sc, opened, nil
}

func (w *world) SubmitPlan(_ context.Context, by audit.Principal, id, rootCause, actions string) (audit.CorrectiveAction, error) {
	w.log(call{op: "plan", by: by, id: id})
	a, ok := w.actions[id]
	if !ok || by.SellerID != a.SellerID {
		return a, fmt.Errorf("action %s: %w", id, audit.ErrNotFound)
	}
	return a, nil
}

func (w *world) CloseAction(_ context.Context, by audit.Principal, id, note string) (audit.CorrectiveAction, error) {
	w.log(call{op: "close", by: by, id: id})
	a, ok := w.actions[id]
	if !ok {
		return a, fmt.Errorf("action %s: %w", id, audit.ErrNotFound)
	}
	return a, nil
}

func (w *world) CreateLot(_ context.Context, by audit.Principal, in audit.NewLot) (audit.Lot, error) {
	w.log(call{op: "lot", by: by, id: in.LotRef, text: in.SellerID + in.Supplier})
	source := "devices:" + in.SellerID
	if in.Kind == audit.LotParts {
		source = "parts:" + in.Supplier + ":" + string(in.PartType)
	}
	st := w.lotStreams[source]
	if st == nil {
		st = &sampling.Stream{}
		w.lotStreams[source] = st
	}
	sev, err := st.Severity()
	if err != nil {
		return audit.Lot{}, fmt.Errorf("stream %s: %w", source, audit.ErrConflict)
	}
	plan, err := sampling.NewPlan(in.LotSize, sampling.LevelII, sampling.DefaultAQLs(), sev)
	if err != nil {
		return audit.Lot{}, err
	}
	l := &audit.Lot{ID: fmt.Sprintf("lot_%03d", len(w.lots)), Kind: in.Kind, LotRef: in.LotRef, SellerID: in.SellerID,
		ListedGrade: in.ListedGrade, Supplier: in.Supplier, PartType: in.PartType, ReceivedAt: in.ReceivedAt, Plan: plan,
		Decision: sampling.Pending, CreatedAt: w.clock.t}
	w.lots[l.ID], w.lotSource[l.ID] = l, source
	return *l, nil
}

func (w *world) AddLotSample(_ context.Context, by audit.Principal, id string, in audit.NewLotSample) (audit.Lot, error) {
	w.log(call{op: "sample", by: by, id: id, text: in.BenchTestID})
	l, ok := w.lots[id]
	if !ok {
		return audit.Lot{}, fmt.Errorf("lot %s: %w", id, audit.ErrNotFound)
	}
	var unit sampling.Unit
	if l.Kind == audit.LotDevices {
		bt, ok := w.grades[in.BenchTestID]
		if !ok || bt.SellerID != l.SellerID {
			return audit.Lot{}, fmt.Errorf("bench test %q of lot %s: %w", in.BenchTestID, id, audit.ErrInvalid)
		}
		if unit, ok = sampling.JudgeDevice(bt.Grade, l.ListedGrade); !ok {
			return audit.Lot{}, fmt.Errorf("bench test %s is incomplete: %w", in.BenchTestID, audit.ErrInvalid)
		}
	} else {
		var classes []sampling.Class
		for _, d := range in.Defects {
			classes = append(classes, d.Class)
		}
		var err error
		if unit, err = sampling.JudgePart(classes); err != nil {
			return audit.Lot{}, err
		}
	}
	t, err := l.Plan.Record(l.Tally, unit)
	if err != nil {
		return audit.Lot{}, fmt.Errorf("lot %s: %w", id, audit.ErrConflict)
	}
	w.samples[id] = append(w.samples[id], in)
	l.Tally, l.Decision = t, l.Plan.Decide(t)
	if l.Decided() {
		at := w.clock.t
		l.DecidedAt = &at
		st := w.lotStreams[w.lotSource[id]]
		if *st, err = st.Record(l.Decision); err != nil {
			return audit.Lot{}, err
		}
	}
	return *l, nil
}

func (w *world) Began() { w.events = append(w.events, "began") }
func (w *world) Registered(m demogen.Month, sellers int) {
	w.events = append(w.events, fmt.Sprintf("%s registered %d", m.Label, sellers))
}
func (w *world) Loaded(m demogen.Month, t Totals) {
	w.events = append(w.events, fmt.Sprintf("%s loaded %d %d %d", m.Label, t.BenchTests, t.MysteryOrders, t.KPIMonths))
}
func (w *world) Audited(p audit.Period, cards []audit.Scorecard, sellers []demogen.Seller) {
	for k, sc := range cards {
		if w.emails[sc.SellerID] != sellers[k].ContactEmail {
			w.events = append(w.events, "audited: wrong seller for "+sc.ID)
		}
	}
	w.events = append(w.events, fmt.Sprintf("audited %s %d", p.Start.Format(time.DateOnly), len(cards)))
}
func (w *world) Approved(scorecards, actionsOpened int) {
	w.events = append(w.events, fmt.Sprintf("approved %d %d", scorecards, actionsOpened))
}

// generator is a small demo over three months, the brand-new sellers joining in the last. With
// more than 60 sellers, the established ones do not register in the order of their indexes.
func generator(t *testing.T, sellers int, scale bool) *demogen.Generator {
	t.Helper()
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	g, err := demogen.New(demogen.Config{Seed: 5, Sellers: sellers, Scale: scale, Protocols: ps,
		From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	return g
}

func simulate(t *testing.T, g *demogen.Generator) (*world, Summary) {
	t.Helper()
	w := newWorld()
	sum, err := Run(context.Background(), Config{Generator: g, Existing: 3}, w.deps())
	require.NoError(t, err)
	return w, sum
}

// TestRunTimeOnlyMovesForward: every call happens at a simulated time no earlier than the one
// before, the clock is never set back, and nothing happens after the audit of the last month.
func TestRunTimeOnlyMovesForward(t *testing.T) {
	g := generator(t, 70, false)
	w, _ := simulate(t, g)
	months := g.Months()
	end := months[len(months)-1].End.Add(30 * time.Hour)

	for i := 1; i < len(w.clock.set); i++ {
		require.False(t, w.clock.set[i].Before(w.clock.set[i-1]), "clock set back from %s to %s", w.clock.set[i-1], w.clock.set[i])
	}
	for i := 1; i < len(w.calls); i++ {
		require.False(t, w.calls[i].at.Before(w.calls[i-1].at), "%s at %s after %s at %s", w.calls[i].op, w.calls[i].at, w.calls[i-1].op, w.calls[i-1].at)
	}
	for _, c := range w.calls {
		assert.False(t, c.at.After(end), "%s at %s, after the end %s", c.op, c.at, end)
	}
	assert.Equal(t, end, w.clock.t, "the simulation ends with the last audit")
	last := w.calls[len(w.calls)-1]
	assert.Equal(t, "audit", last.op)
	assert.Equal(t, months[len(months)-1].Start, last.period.Start)

	// The charter is ensured an hour before the first seller registered, on the first
	// stream; the data comes from the second.
	first := g.Sellers()[0].CreatedAt
	for _, s := range g.Sellers() {
		if s.CreatedAt.Before(first) {
			first = s.CreatedAt
		}
	}
	require.GreaterOrEqual(t, len(w.calls), 5)
	assert.Equal(t, []string{"use", "ensure", "use", "sellers"}, []string{w.calls[0].op, w.calls[1].op, w.calls[2].op, w.calls[3].op})
	assert.Equal(t, first.Add(-time.Hour), w.calls[1].at)
	want := func(salt uint64) []byte {
		b := make([]byte, 8)
		_, _ = demogen.NewReader(5, salt).Read(b)
		return b
	}
	assert.Equal(t, [][]byte{want(3), want(3 + 1<<32)}, w.streams, "streams salted by the sellers already there")

	// Sellers are registered when the last of them registered.
	for _, c := range w.ops("sellers") {
		assert.Equal(t, c.last, c.at)
	}
	// Each month: bench tests an hour after the last one tested, mystery orders an hour before
	// the month ends, KPI figures at 9:00 the next morning.
	for _, c := range w.ops("bench") {
		assert.Equal(t, c.last.Add(time.Hour), c.at)
	}
	var orders, kpis []time.Time
	for _, c := range w.ops("orders") {
		orders = append(orders, c.at)
	}
	for _, c := range w.ops("kpis") {
		kpis = append(kpis, c.at)
	}
	for i, m := range months {
		assert.Equal(t, m.End.Add(-time.Hour), orders[i])
		assert.Equal(t, m.End.Add(9*time.Hour), kpis[i])
	}
}

// TestRunAnswersActionsAtTheirTimes: each seller submits its plan, and the quality team closes
// the action, at the times demogen decides, unless that is after the end of the simulation.
func TestRunAnswersActionsAtTheirTimes(t *testing.T) {
	g := generator(t, 70, false)
	w, sum := simulate(t, g)
	months := g.Months()
	end := months[len(months)-1].End.Add(30 * time.Hour)
	plans, closes := map[string]call{}, map[string]call{}
	for _, c := range w.ops("plan") {
		plans[c.id] = c
	}
	for _, c := range w.ops("close") {
		closes[c.id] = c
	}
	// The k-th action opened by the approval of period i, as demogen answers it.
	period := map[time.Time]int{}
	for i, m := range months {
		period[m.Start] = i
	}
	// The actions of each scorecard, in the order they were opened (ids count up).
	byCard := map[string][]audit.CorrectiveAction{}
	for _, a := range w.actions {
		byCard[a.ScorecardID] = append(byCard[a.ScorecardID], a)
	}
	var planned, closed, dropped int
	for _, ap := range w.ops("approve") {
		sc := w.cards[ap.id]
		actions := byCard[sc.ID]
		slices.SortFunc(actions, func(a, b audit.CorrectiveAction) int { return strings.Compare(a.ID, b.ID) })
		seller := w.seller(g, sc.SellerID)
		for k, a := range actions {
			resp := g.Respond(seller, period[sc.Period.Start], k, a.PointCode, a.CreatedAt, a.DueAt)
			if p, ok := plans[a.ID]; ok {
				planned++
				assert.Equal(t, resp.PlanAt, p.at, a.ID)
				assert.Equal(t, audit.Principal{KeyID: "demo", Role: audit.RoleSeller, SellerID: sc.SellerID}, p.by, "the seller plans")
			} else {
				assert.True(t, resp.PlanAt.IsZero() || resp.PlanAt.After(end), "%s: plan at %s not submitted", a.ID, resp.PlanAt)
				if !resp.PlanAt.IsZero() {
					dropped++
				}
			}
			if c, ok := closes[a.ID]; ok {
				closed++
				assert.Equal(t, resp.CloseAt, c.at, a.ID)
				assert.Equal(t, admin(), c.by, "the quality team closes")
			} else {
				assert.True(t, resp.CloseAt.IsZero() || resp.CloseAt.After(end), "%s: closing at %s not done", a.ID, resp.CloseAt)
				if !resp.CloseAt.IsZero() {
					dropped++
				}
			}
		}
	}
	assert.Len(t, plans, planned, "no plan for an action that was not opened")
	assert.Len(t, closes, closed)
	assert.Positive(t, planned)
	assert.Positive(t, closed)
	assert.Positive(t, dropped, "the case has answers after the end, which must not happen")
	// The summary counts the actions as they were answered.
	answered := map[string]*action{}
	for id, a := range w.actions {
		answered[id] = &action{due: a.DueAt}
		_, answered[id].plan = plans[id]
		if c, ok := closes[id]; ok {
			answered[id].closedAt = c.at
		}
	}
	assert.Equal(t, countActions(answered, end), sum.Actions)
	assert.Equal(t, len(w.actions), sum.Actions.Total)
	for _, n := range []int{sum.Actions.ClosedInTime, sum.Actions.Overdue, sum.Actions.Open, sum.Actions.Planned} {
		assert.Positive(t, n, "the case has actions of every kind: %+v", sum.Actions)
	}
}

// TestRunReviewPolicy: every month is audited the day after its KPI figures, over the sellers
// registered by its end; every month's scorecards but the latest's are approved the day after,
// once each; the latest month's stay drafts.
func TestRunReviewPolicy(t *testing.T) {
	g := generator(t, 70, false)
	w, sum := simulate(t, g)
	months := g.Months()
	audits := w.ops("audit")
	require.Len(t, audits, len(months))
	approvedAt := map[string]time.Time{}
	for _, c := range w.ops("approve") {
		approvedAt[c.id] = c.at
		assert.Equal(t, admin(), c.by)
		comment := "Reviewed: no finding needs an action."
		if n := w.cards[c.id].Result.FailedPoints; n > 0 {
			comment = fmt.Sprintf("Reviewed with the seller: %d failed points.", n)
		}
		assert.Equal(t, comment, c.text)
	}
	ids := map[int]string{}
	for id := range w.sellers {
		ids[w.seller(g, id).Index] = id
	}
	lastCards := 0
	for i, m := range months {
		c := audits[i]
		assert.Equal(t, audit.Period{Start: m.Start, End: m.End}, c.period)
		assert.Equal(t, m.End.Add(30*time.Hour), c.at)
		var want []string
		for _, s := range g.Sellers() {
			if s.CreatedAt.Before(m.End) {
				want = append(want, ids[s.Index])
			}
		}
		assert.Equal(t, want, c.ids, "the sellers registered before %s", m.End)
		for _, sc := range w.cards {
			if sc.Period.Start != m.Start {
				continue
			}
			at, ok := approvedAt[sc.ID]
			if i == len(months)-1 {
				lastCards++
				assert.False(t, ok, "%s of the latest month approved", sc.ID)
				continue
			}
			if assert.True(t, ok, "%s of %s not approved", sc.ID, m.Label) {
				assert.Equal(t, m.End.Add(57*time.Hour), at)
			}
		}
	}
	assert.Len(t, approvedAt, len(w.ops("approve")), "each scorecard approved once")
	assert.Len(t, approvedAt, len(w.cards)-lastCards)
	assert.Equal(t, len(w.cards), sum.Scorecards)
	assert.Equal(t, len(approvedAt), sum.Approved)
	assert.Equal(t, len(g.Sellers()), lastCards, "every seller is audited in the latest month")

	// The summary's latest month is the drafts'.
	assert.Equal(t, months[len(months)-1].Label, sum.Latest.Label)
	tiers := map[checklist.Tier]int{}
	for _, sc := range w.cards {
		if sc.Period.Start == months[len(months)-1].Start {
			tiers[sc.Result.Tier]++
		}
	}
	assert.Equal(t, tiers, sum.LatestTiers)
	require.NotEmpty(t, sum.WorthALook)
	for _, p := range sum.WorthALook {
		s := w.seller(g, p.ID)
		assert.Equal(t, s.Name, p.Name)
		assert.Equal(t, s.Archetype, p.Archetype)
		assert.Positive(t, tiers[p.Tier], "%+v: a tier of the latest month", p)
	}
}

// TestRunLoadsWhatTheGeneratorMakes: every record of every month is loaded, as admin, and
// the progress reports say so in order.
func TestRunLoadsWhatTheGeneratorMakes(t *testing.T) {
	g := generator(t, 70, false)
	w, sum := simulate(t, g)
	var bench, orders, kpis int
	var events []string
	for _, m := range g.Months() {
		for _, s := range g.Sellers() {
			bts, err := g.BenchTests(s, "", m)
			require.NoError(t, err)
			mos, err := g.MysteryOrders(s, "", m)
			require.NoError(t, err)
			bench += len(bts)
			orders += len(mos)
			if _, ok := g.KPIMonth(s, "", m); ok {
				kpis++
			}
		}
		events = append(events, fmt.Sprintf("%s loaded %d %d %d", m.Label, bench, orders, kpis))
	}
	loaded := map[string]int{}
	for _, c := range w.calls {
		loaded[c.op] += c.n
		if c.op == "sellers" || c.op == "bench" || c.op == "orders" || c.op == "kpis" {
			assert.Equal(t, admin(), c.by)
		}
	}
	assert.Equal(t, Totals{BenchTests: bench, MysteryOrders: orders, KPIMonths: kpis}, sum.Totals)
	assert.Equal(t, map[string]int{"sellers": 70, "bench": bench, "orders": orders, "kpis": kpis}, map[string]int{
		"sellers": loaded["sellers"], "bench": loaded["bench"], "orders": loaded["orders"], "kpis": loaded["kpis"]})
	assert.Equal(t, 70, sum.Sellers)
	assert.Len(t, w.ops("analyze"), 1)

	var loadEvents []string
	for _, e := range w.events {
		if strings.Contains(e, " loaded ") {
			loadEvents = append(loadEvents, e)
		}
	}
	assert.Equal(t, events, loadEvents)
	assert.Equal(t, "began", w.events[0])
	assert.NotContains(t, fmt.Sprint(w.events), "wrong seller")
	joined := map[int]int{}
	for _, s := range g.Sellers() {
		joined[s.JoinMonth]++
	}
	require.Len(t, joined, 2, "the case has established and brand-new sellers")
	for i, m := range g.Months() {
		if joined[i] > 0 {
			assert.Contains(t, w.events, fmt.Sprintf("%s registered %d", m.Label, joined[i]))
		} else {
			assert.NotContains(t, fmt.Sprint(w.events), m.Label+" registered")
		}
	}
}

// TestRunScaleLoadsOnly: at marketplace scale nothing is audited; the summary has the totals.
func TestRunScaleLoadsOnly(t *testing.T) {
	g := generator(t, 5, true)
	w, sum := simulate(t, g)
	for _, c := range w.calls {
		assert.NotContains(t, []string{"audit", "approve", "plan", "close", "lot", "sample"}, c.op)
	}
	assert.Positive(t, sum.BenchTests)
	assert.Equal(t, Summary{Sellers: 5, Totals: sum.Totals}, sum)
}

// TestRunStopsOnAnError: a failing use case ends the simulation with its error.
func TestRunStopsOnAnError(t *testing.T) {
	w := newWorld()
	w.failAudit = errors.New("database gone")
	_, err := Run(context.Background(), Config{Generator: generator(t, 70, false)}, w.deps())
	assert.ErrorIs(t, err, w.failAudit)
	assert.Len(t, w.ops("audit"), 1, "nothing runs after the failure")
	assert.Empty(t, w.ops("approve"))
}

// TestRunInspectsLots: once a month's bench tests are stored, the lab inspects the month's lot
// of each lot seller, sampling the seller's judgeable bench tests of the month in test order
// until the lot is decided; each supplier's parts lots are inspected at their times, logged
// until decided. The decisions are sampling's, and the streams end as the suppliers' scripts
// say: one on normal, one on tightened inspection, one discontinued.
func TestRunInspectsLots(t *testing.T) {
	g := generator(t, 70, false)
	w := newWorld()
	sum, err := Run(context.Background(), Config{Generator: g}, w.deps())
	require.NoError(t, err)
	tech := audit.Principal{KeyID: "demo", Role: audit.RoleTechnician}

	// Device lots: the lots of each month come after its bench tests, before its mystery orders.
	lotSellers := g.LotSellers()
	require.Len(t, lotSellers, 4)
	byRef := map[string]*audit.Lot{}
	for _, l := range w.lots {
		byRef[l.LotRef+"/"+l.SellerID+l.Supplier] = l
	}
	var deviceLots int
	benchSeen := map[string]bool{}
	for _, m := range g.Months() {
		var benchAt, ordersAt time.Time
		for _, c := range w.ops("bench") {
			if !c.last.Before(m.Start) && c.last.Before(m.End) {
				benchAt = c.at
			}
		}
		for _, c := range w.ops("orders") {
			if c.at.Equal(m.End.Add(-time.Hour)) {
				ordersAt = c.at
			}
		}
		for _, s := range lotSellers {
			spec, ok := g.DeviceLot(s, m)
			require.True(t, ok, "every lot seller is established")
			var sid string
			for id := range w.sellers {
				if w.seller(g, id).Index == s.Index {
					sid = id
				}
			}
			var month []string
			for id, bt := range w.grades {
				if _, judged := sampling.JudgeDevice(bt.Grade, ""); judged && bt.SellerID == sid && m.Start.Compare(bt.TestedAt) <= 0 && bt.TestedAt.Before(m.End) {
					month = append(month, id)
				}
			}
			slices.SortFunc(month, func(a, b string) int { return w.grades[a].TestedAt.Compare(w.grades[b].TestedAt) })
			l := byRef[spec.Ref+"/"+sid]
			if len(month) < demogen.DeviceLotMin {
				assert.Nil(t, l, "%s of %s: too few bench tests for a lot", m.Label, sid)
				continue
			}
			require.NotNil(t, l, "%s of %s", m.Label, sid)
			deviceLots++
			assert.Equal(t, spec.Size, l.Plan.LotSize)
			assert.Equal(t, spec.ListedGrade, l.ListedGrade)
			assert.True(t, l.Decided(), l.LotRef)
			var sampled []string
			for _, smp := range w.samples[l.ID] {
				sampled = append(sampled, smp.BenchTestID)
				assert.False(t, benchSeen[smp.BenchTestID], "a bench test in one lot only")
				benchSeen[smp.BenchTestID] = true
			}
			assert.Equal(t, month[:len(sampled)], sampled, "the month's bench tests in test order")
			assert.True(t, l.DecidedAt.After(benchAt) && l.DecidedAt.Before(ordersAt), "%s decided at %s", l.LotRef, l.DecidedAt)
		}
	}
	assert.Positive(t, deviceLots)
	for _, c := range append(w.ops("lot"), w.ops("sample")...) {
		assert.Equal(t, tech, c.by, "the lab inspects")
	}

	// Parts lots: at their times, in their order, each decided as scripted.
	states := map[string]sampling.State{}
	parts := 0
	for _, s := range g.Suppliers() {
		for _, pl := range g.PartsLots(s) {
			l := byRef[pl.Ref+"/"+s.Name]
			require.NotNil(t, l, pl.Ref)
			parts++
			assert.Equal(t, pl.InspectAt, l.CreatedAt)
			assert.Equal(t, map[bool]sampling.Decision{true: sampling.Rejected, false: sampling.Accepted}[pl.Reject], l.Decision, pl.Ref)
			assert.Equal(t, pl.ReceivedAt, l.ReceivedAt)
		}
		states[s.Name] = w.lotStreams["parts:"+s.Name+":"+string(s.PartType)].Current()
	}
	assert.Equal(t, map[string]sampling.State{"Shenzhen BrightView Display Co.": sampling.StateNormal,
		"VoltCell Energy Ltd.": sampling.StateTightened, "Ningbo FastFix Components": sampling.StateDiscontinued}, states)

	// The summary counts what was inspected, and where the streams ended.
	var samples, rejected, tightened, discontinued int
	for id, l := range w.lots {
		samples += len(w.samples[id])
		if l.Decision == sampling.Rejected {
			rejected++
		}
	}
	for _, st := range w.lotStreams {
		switch st.Current() {
		case sampling.StateTightened:
			tightened++
		case sampling.StateDiscontinued:
			discontinued++
		}
	}
	assert.Equal(t, LotCounts{DeviceLots: deviceLots, PartsLots: parts, Sellers: 4, Suppliers: 3, Samples: samples,
		Accepted: len(w.lots) - rejected, Rejected: rejected, Tightened: tightened, Discontinued: discontinued}, sum.Lots)
	assert.GreaterOrEqual(t, tightened, 1)
	assert.Equal(t, 1, discontinued)

	// A second load into a database with sellers adds their device lots, no parts lots.
	w, _ = simulate(t, g)
	for _, c := range w.ops("lot") {
		assert.NotContains(t, c.text, "VoltCell", "no parts lot on a second load")
	}
	assert.NotEmpty(t, w.ops("lot"))
}

// TestRunLeavesDiscontinuedSellersAlone: over ten months a seller whose lots keep failing has
// its stream discontinued, and the lab creates no lot for it afterwards (the domain would refuse
// it), while the other sellers' lots go on.
func TestRunLeavesDiscontinuedSellersAlone(t *testing.T) {
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	g, err := demogen.New(demogen.Config{Seed: 1, Sellers: 12, Protocols: ps,
		From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	w := newWorld()
	_, err = Run(context.Background(), Config{Generator: g}, w.deps())
	require.NoError(t, err, "no lot is offered to a discontinued stream")
	discontinued := 0
	for source, st := range w.lotStreams {
		if st.Current() != sampling.StateDiscontinued || !strings.HasPrefix(source, "devices:") {
			continue
		}
		discontinued++
		var last time.Time
		for _, l := range w.lots {
			if l.SellerID == strings.TrimPrefix(source, "devices:") && l.DecidedAt != nil && l.DecidedAt.After(last) {
				last = *l.DecidedAt
			}
		}
		for _, c := range w.ops("lot") {
			if c.text == strings.TrimPrefix(source, "devices:") {
				assert.False(t, c.at.After(last), "a lot of %s created after its stream was discontinued", source)
			}
		}
	}
	assert.Positive(t, discontinued, "the case has a discontinued seller")
}
