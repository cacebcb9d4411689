package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/cmd/internal/demogen"
	"github.com/refurbqa/refurbqa/store"
)

// demoPrincipal is who the demo writes as, in the event trail: the key id "demo" names no real
// key, so demo records are easy to tell from real ones.
var demoPrincipal = audit.Principal{KeyID: "demo", Role: audit.RoleAdmin}

// Sizes of the demo's load transactions: large enough to amortise each commit, small enough to
// keep memory flat at marketplace scale.
const (
	demoChunk  = 5000
	scaleChunk = 20000
	genAhead   = 64 // sellers generated ahead of the one being stored
)

// demoOptions are the flags of refurbqa demo, resolved.
type demoOptions struct {
	sellers  int
	from, to time.Time
	seed     uint64
	force    bool
	scale    bool
	verbose  bool
}

func cmdDemo(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "demo [flags]",
		"Loads a realistic demo data set: sellers of every kind (exemplary, over-graders, battery cheats,\n"+
			"LCD swappers, slow shippers, poor after-sales, brand-new), their bench tests, mystery orders and\n"+
			"monthly KPIs, then audits every past month and approves all but the latest, so that scorecards of\n"+
			"every tier and corrective actions (closed, overdue, open) exist. The same seed always gives the\n"+
			"same data, ids included. Progress goes to standard error; a summary and the sellers worth a look\n"+
			"(indented lines) to standard output. Refuses a database that already has sellers unless --force.\n\n"+
			"--scale generates the marketplace-scale data set of the performance targets instead (1,800 sellers\n"+
			"over 12 months: about 1,000,000 bench tests, 20,000 mystery orders, 21,600 KPI months) and runs no\n"+
			"audit, so that refurbqa audit can be timed on it.")
	var db dbFlags
	db.register(fs, e)
	sellers := fs.Int("sellers", 0, "number of sellers (default 40, or 1800 with --scale)")
	from := fs.String("from", "", "first day of the data, YYYY-MM-DD (default: the first day of the month 6 months before this one, 12 with --scale)")
	to := fs.String("to", "", "day after the data, YYYY-MM-DD (default: the first day of this month)")
	seed := fs.Uint64("seed", 1, "seed of the generator: the same seed gives the same data")
	force := fs.Bool("force", false, "load even if the database already has sellers")
	scale := fs.Bool("scale", false, "marketplace-scale volumes, for benchmarks; no audits")
	verbose := fs.Bool("verbose", false, "print every scorecard with the seller's kind and failed points on standard error")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the load to this file (for performance work)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	opts, err := resolveDemo(*sellers, *from, *to, *seed, *force, *scale, time.Now().UTC())
	if err != nil {
		return err
	}
	opts.verbose = *verbose
	if _, err := db.logger(e); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return runDemo(ctx, e, db, opts)
}

// resolveDemo applies the defaults and checks the flags.
func resolveDemo(sellers int, from, to string, seed uint64, force, scale bool, now time.Time) (demoOptions, error) {
	o := demoOptions{sellers: sellers, seed: seed, force: force, scale: scale}
	if o.sellers == 0 {
		o.sellers = 40
		if scale {
			o.sellers = 1800
		}
	}
	if o.sellers < 1 || o.sellers > 100_000 {
		return o, usagef("--sellers must be from 1 to 100000")
	}
	o.to = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if to != "" {
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			return o, usagef("--to %q: want YYYY-MM-DD", to)
		}
		o.to = t
	}
	months := 6
	if scale {
		months = 12
	}
	o.from = time.Date(o.to.Year(), o.to.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -months, 0)
	if from != "" {
		t, err := time.Parse(time.DateOnly, from)
		if err != nil {
			return o, usagef("--from %q: want YYYY-MM-DD", from)
		}
		o.from = t
	}
	switch {
	case !o.from.Before(o.to):
		return o, usagef("--from (%s) must be before --to (%s)", o.from.Format(time.DateOnly), o.to.Format(time.DateOnly))
	case o.to.After(now.AddDate(0, 0, 1)):
		return o, usagef("--to (%s) is in the future: demo data describes the past", o.to.Format(time.DateOnly))
	case o.from.Before(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)):
		return o, usagef("--from (%s) is before 2000", o.from.Format(time.DateOnly))
	case o.to.Sub(o.from) > 5*366*24*time.Hour:
		return o, usagef("--from to --to spans more than 5 years")
	}
	return o, nil
}

// simClock is the store's clock during a demo load: the demo moves it through the simulated
// months, so that records carry believable creation times, corrective actions fall due and
// become overdue, and ids (which embed the time) are reproducible.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t.UTC().Truncate(time.Microsecond)
	c.mu.Unlock()
}

// lazyReader is the store's random source, chosen once the database has been looked at (the
// stream depends on how many sellers are there already, so that a forced second load of the
// same seed does not repeat ids).
type lazyReader struct{ r io.Reader }

func (l *lazyReader) Read(p []byte) (int, error) {
	if l.r == nil {
		return 0, errors.New("demo: random source not ready")
	}
	return l.r.Read(p)
}

// demoRun is the state of one demo load.
type demoRun struct {
	e       *env
	st      *store.Store
	svc     *audit.Service // the audits, approvals and answers to corrective actions
	clock   *simClock
	gen     *demogen.Generator
	opts    demoOptions
	started time.Time

	sellers  []demogen.Seller
	ids      []string       // store id of each seller, by index
	byID     map[string]int // seller index by store id
	counts   struct{ bench, orders, kpis, scorecards, approved int }
	latest   map[string]checklist.Tier // tier of each seller in the last period
	scores   map[string]*float64
	actions  map[string]*demoAction
	lastTime time.Time // the last simulated instant: nothing is scheduled after it
	slots    chan struct{}
	queue    []job // scheduled reviews, run by advance
	seq      int
}

// demoAction tracks one corrective action through the simulation, for the summary.
type demoAction struct {
	due      time.Time
	closedAt time.Time
	plan     bool
}

func runDemo(ctx context.Context, e *env, db dbFlags, opts demoOptions) error {
	st, clock, random, err := openDemoStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.CountSellers(ctx)
	if err != nil {
		return err
	}
	if n > 0 && !opts.force {
		return fmt.Errorf("the database already has %d sellers: refusing to load demo data into it (use --force to add the demo sellers anyway)", n)
	}
	random.r = demogen.NewReader(opts.seed, uint64(n))

	protocols, err := checklist.LoadProtocols()
	if err != nil {
		return err
	}
	gen, err := demogen.New(demogen.Config{Seed: opts.seed, Sellers: opts.sellers, From: opts.from, To: opts.to, Scale: opts.scale, Protocols: protocols})
	if err != nil {
		return usagef("%v", err)
	}
	months := gen.Months()
	start := gen.Sellers()[0].CreatedAt
	for _, s := range gen.Sellers() {
		if s.CreatedAt.Before(start) {
			start = s.CreatedAt
		}
	}
	clock.Set(start.Add(-time.Hour))
	def, err := checklist.DefaultCharter()
	if err != nil {
		return err
	}
	if err := st.EnsureDefaultCharter(ctx, demoPrincipal, def); err != nil {
		return err
	}
	svc := audit.NewService(audit.ServiceConfig{Store: st, Protocols: protocols})
	r := &demoRun{e: e, st: st, svc: svc, clock: clock, gen: gen, opts: opts, started: time.Now(),
		latest: map[string]checklist.Tier{}, scores: map[string]*float64{}, actions: map[string]*demoAction{}}
	r.progress("%d sellers, %s to %s, seed %d%s", opts.sellers, opts.from.Format(time.DateOnly), opts.to.Format(time.DateOnly), opts.seed,
		map[bool]string{true: ", marketplace scale", false: ""}[opts.scale])

	// The data's ids come from a stream of their own, so that what the store drew before (the
	// default charter's events) does not shift them.
	random.r = demogen.NewReader(opts.seed, uint64(n)+1<<32)
	r.sellers = gen.Sellers()
	r.ids = make([]string, len(r.sellers))
	r.byID = make(map[string]int, len(r.sellers))
	if !opts.scale {
		r.scheduleReviews(months)
	}
	for _, m := range months {
		if err := r.loadMonth(ctx, m); err != nil {
			return err
		}
	}
	if err := st.AnalyzeAfterLoad(ctx); err != nil {
		return err
	}
	if err := r.advance(ctx, r.lastTime); err != nil {
		return err
	}
	r.summary()
	return nil
}

// openDemoStore opens the database like every command, with the demo's clock and a random
// source set later, and SQLite commits that do not wait for the disk (synchronous=NORMAL in
// WAL mode: a crash may lose the last transactions of the load, never corrupt the file).
func openDemoStore(ctx context.Context, db dbFlags) (*store.Store, *simClock, *lazyReader, error) {
	dsn := db.dsn
	switch db.driver {
	case store.SQLite:
		if dsn == "" {
			dsn = "refurbqa.db"
		}
		if !strings.Contains(dsn, "_synchronous=") {
			sep := "?"
			if strings.Contains(dsn, "?") {
				sep = "&"
			}
			dsn += sep + "_synchronous=NORMAL"
		}
	case store.Postgres:
	default:
		return nil, nil, nil, usagef("unknown database %q (want sqlite or postgres)", db.driver)
	}
	clock := &simClock{}
	clock.Set(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	random := &lazyReader{}
	st, err := store.Open(ctx, store.Config{Driver: db.driver, DSN: dsn, Now: clock.Now, Random: random})
	if err != nil {
		return nil, nil, nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	return st, clock, random, nil
}

func (r *demoRun) progress(format string, args ...any) {
	fmt.Fprintf(r.e.stderr, "demo: "+format+"\n", args...)
}

// registerSellers registers the sellers that join with month m (JoinMonth == m.Index), in
// the order of their creation times, each created at its own time.
func (r *demoRun) registerSellers(ctx context.Context, m demogen.Month) error {
	var joining []demogen.Seller
	for _, s := range r.sellers {
		if s.JoinMonth == m.Index {
			joining = append(joining, s)
		}
	}
	slices.SortStableFunc(joining, func(a, b demogen.Seller) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for chunk := range slices.Chunk(joining, 1000) {
		in := make([]audit.Seller, len(chunk))
		for i, s := range chunk {
			in[i] = audit.Seller{Name: s.Name, Country: s.Country, ContactEmail: s.ContactEmail, CreatedAt: s.CreatedAt}
		}
		if err := r.advance(ctx, chunk[len(chunk)-1].CreatedAt); err != nil {
			return err
		}
		out, err := r.st.LoadSellers(ctx, demoPrincipal, in)
		if err != nil {
			return err
		}
		for i, s := range out {
			r.ids[chunk[i].Index] = s.ID
			r.byID[s.ID] = chunk[i].Index
		}
	}
	if len(joining) > 0 {
		r.progress("%s: %d sellers registered", m.Label, len(joining))
	}
	return nil
}

// loadMonth generates and stores one month of bench tests, mystery orders and KPI figures.
// Bench tests are stored in chunks in the order they were tested, each chunk as if uploaded by
// the lab an hour after its last test.
func (r *demoRun) loadMonth(ctx context.Context, m demogen.Month) error {
	chunk := demoChunk
	if r.opts.scale {
		chunk = scaleChunk
	}
	began := time.Now()
	if err := r.registerSellers(ctx, m); err != nil {
		return err
	}
	var bench []audit.BenchTest
	var orders []audit.MysteryOrder
	var kpis []audit.KPIMonth
	flush := func() error {
		if len(bench) == 0 {
			return nil
		}
		slices.SortStableFunc(bench, func(a, b audit.BenchTest) int { return a.TestedAt.Compare(b.TestedAt) })
		if err := r.advance(ctx, bench[len(bench)-1].TestedAt.Add(time.Hour)); err != nil {
			return err
		}
		if _, err := r.st.LoadBenchTests(ctx, demoPrincipal, bench); err != nil {
			return err
		}
		r.counts.bench += len(bench)
		bench = bench[:0]
		return nil
	}
	done := make(chan struct{})
	defer close(done)
	// A fresh set of slots per month: an early return leaves no slot taken for the next.
	r.slots = make(chan struct{}, genAhead)
	results := r.generate(m, done)
	for i := range r.sellers {
		res := <-results[i]
		<-r.slots
		if res.err != nil {
			return res.err
		}
		bench = append(bench, res.bench...)
		orders = append(orders, res.orders...)
		if res.kpi != nil {
			kpis = append(kpis, *res.kpi)
		}
		if len(bench) >= chunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	// Mystery orders are logged on delivery; the month's last ones are in before it ends.
	slices.SortStableFunc(orders, func(a, b audit.MysteryOrder) int { return a.OrderedAt.Compare(b.OrderedAt) })
	if err := r.advance(ctx, m.End.Add(-time.Hour)); err != nil {
		return err
	}
	if _, err := r.st.LoadMysteryOrders(ctx, demoPrincipal, orders); err != nil {
		return err
	}
	r.counts.orders += len(orders)
	// Sellers report the month's figures the next morning.
	if err := r.advance(ctx, m.End.Add(9*time.Hour)); err != nil {
		return err
	}
	if _, err := r.st.LoadKPIMonths(ctx, demoPrincipal, kpis); err != nil {
		return err
	}
	r.counts.kpis += len(kpis)
	took := time.Since(began)
	r.progress("%s: %d bench tests, %d mystery orders, %d KPI months (%.1fs, %.0f bench tests/s)", m.Label,
		r.counts.bench, r.counts.orders, r.counts.kpis, took.Seconds(), float64(r.counts.bench)/time.Since(r.started).Seconds())
	return nil
}

// sellerMonth is the generated data of one seller in one month.
type sellerMonth struct {
	bench  []audit.BenchTest
	orders []audit.MysteryOrder
	kpi    *audit.KPIMonth
	err    error
}

// generate produces every seller's data for month m on all cores; the results arrive in seller
// order, one channel per seller, so that what is stored (and so the ids drawn) does not depend
// on scheduling.
func (r *demoRun) generate(m demogen.Month, done <-chan struct{}) []chan sellerMonth {
	out := make([]chan sellerMonth, len(r.sellers))
	for i := range out {
		out[i] = make(chan sellerMonth, 1)
	}
	// At most genAhead sellers are generated ahead of the one being stored, which bounds
	// memory at marketplace scale.
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range r.sellers {
			select {
			case r.slots <- struct{}{}:
			case <-done:
				return
			}
			next <- i
		}
	}()
	workers := max(1, min(4, runtime.GOMAXPROCS(0)))
	for range workers {
		go func() {
			for i := range next {
				s, id := r.sellers[i], r.ids[i]
				var res sellerMonth
				res.bench, res.err = r.gen.BenchTests(s, id, m)
				if res.err == nil {
					res.orders, res.err = r.gen.MysteryOrders(s, id, m)
				}
				if k, ok := r.gen.KPIMonth(s, id, m); ok {
					res.kpi = &k
				}
				out[i] <- res
			}
		}()
	}
	return out
}

// job is one step of the review simulation, run at its simulated time.
type job struct {
	at  time.Time
	seq int
	run func(context.Context) error
}

// scheduleReviews plans the review of every month: an audit the day after its KPIs came in,
// and the approval of its scorecards the day after, except for the latest month, whose
// scorecards stay drafts. Approvals schedule the sellers' answers to the corrective actions they
// open. Nothing is scheduled after the audit of the last month.
func (r *demoRun) scheduleReviews(months []demogen.Month) {
	last := len(months) - 1
	r.lastTime = months[last].End.Add(30 * time.Hour)
	for i, m := range months {
		period := audit.Period{Start: m.Start, End: m.End}
		r.push(m.End.Add(30*time.Hour), func(ctx context.Context) error {
			cards, err := r.auditMonth(ctx, period, i == last)
			if err != nil || i == last {
				return err
			}
			r.push(m.End.Add(2*24*time.Hour+9*time.Hour), func(ctx context.Context) error {
				return r.approve(ctx, i, cards)
			})
			return nil
		})
	}
}

// push schedules a job at a simulated time (dropped when after the end of the simulation).
func (r *demoRun) push(at time.Time, run func(context.Context) error) {
	if at.After(r.lastTime) {
		return
	}
	r.seq++
	r.queue = append(r.queue, job{at: at, seq: r.seq, run: run})
}

// advance moves the simulated clock forward to t, running first, in time order, every job due
// by then, so that the clock never goes back: the store's ids, which carry their creation time,
// then sort like the simulated history. Data of a month is loaded at times before its audit,
// and audits run before the data of later months arrives.
func (r *demoRun) advance(ctx context.Context, t time.Time) error {
	for {
		slices.SortStableFunc(r.queue, func(a, b job) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.seq, b.seq)) })
		if len(r.queue) == 0 || r.queue[0].at.After(t) {
			break
		}
		j := r.queue[0]
		r.queue = r.queue[1:]
		r.setClock(j.at)
		if err := j.run(ctx); err != nil {
			return err
		}
	}
	r.setClock(t)
	return nil
}

// setClock sets the simulated clock, never backwards.
func (r *demoRun) setClock(t time.Time) {
	if t.After(r.clock.Now()) {
		r.clock.Set(t)
	}
}

// auditMonth scores every seller registered before the end of the period.
func (r *demoRun) auditMonth(ctx context.Context, p audit.Period, latest bool) ([]audit.Scorecard, error) {
	var ids []string
	for i, s := range r.sellers {
		if s.CreatedAt.Before(p.End) {
			ids = append(ids, r.ids[i])
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	res, err := r.svc.AuditSellers(ctx, demoPrincipal, ids,
		audit.AuditInput{PeriodStart: p.Start.Format(time.DateOnly), PeriodEnd: p.End.Format(time.DateOnly)}, nil)
	if err != nil {
		return nil, err
	}
	r.counts.scorecards += len(res.Scorecards)
	tiers := map[checklist.Tier]int{}
	for _, sc := range res.Scorecards {
		tiers[sc.Result.Tier]++
		if r.opts.verbose {
			var failed []string
			for _, pt := range sc.Result.Points {
				if pt.Status == checklist.PointFail {
					failed = append(failed, pt.Code)
				}
			}
			s := r.sellers[r.byID[sc.SellerID]]
			r.progress("  %s %s %s (%s): %s, %d points evaluated, failed %s", p.Start.Format("2006-01"), sc.SellerID, s.Name, s.Archetype,
				sc.Result.Tier, sc.Result.EvaluatedPoints, strings.Join(failed, " "))
		}
		if latest {
			r.latest[sc.SellerID] = sc.Result.Tier
			r.scores[sc.SellerID] = sc.Result.Score
		}
	}
	r.progress("audit %s to %s: %d scorecards (%s)", p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly), len(res.Scorecards), tierCounts(tiers))
	return res.Scorecards, nil
}

// approve approves the scorecards of one period, in seller order, and schedules the answers to
// the corrective actions it opens.
func (r *demoRun) approve(ctx context.Context, period int, cards []audit.Scorecard) error {
	opened := 0
	for _, sc := range cards {
		comment := "Reviewed: no finding needs an action."
		if sc.Result.FailedPoints > 0 {
			comment = fmt.Sprintf("Reviewed with the seller: %d failed points.", sc.Result.FailedPoints)
		}
		_, actions, err := r.svc.ApproveScorecard(ctx, demoPrincipal, sc.ID, comment)
		if err != nil {
			return err
		}
		r.counts.approved++
		seller := r.sellers[r.byID[sc.SellerID]]
		for k, a := range actions {
			opened++
			r.actions[a.ID] = &demoAction{due: a.DueAt}
			resp := r.gen.Respond(seller, period, k, a.PointCode, a.CreatedAt, a.DueAt)
			id := a.ID
			owner := audit.Principal{KeyID: "demo", Role: audit.RoleSeller, SellerID: sc.SellerID}
			if !resp.PlanAt.IsZero() {
				r.push(resp.PlanAt, func(ctx context.Context) error {
					if _, err := r.svc.SubmitPlan(ctx, owner, id, resp.RootCause, resp.Action); err != nil {
						return err
					}
					r.actions[id].plan = true
					return nil
				})
			}
			if !resp.CloseAt.IsZero() {
				r.push(resp.CloseAt, func(ctx context.Context) error {
					if _, err := r.svc.CloseAction(ctx, demoPrincipal, id, resp.Note); err != nil {
						return err
					}
					r.actions[id].closedAt = r.clock.Now()
					return nil
				})
			}
		}
	}
	r.progress("approved %d scorecards, %d corrective actions opened", len(cards), opened)
	return nil
}

func tierCounts(tiers map[checklist.Tier]int) string {
	var parts []string
	for _, t := range []checklist.Tier{checklist.TierTrusted, checklist.TierWatch, checklist.TierProbation, checklist.TierSuspend, checklist.TierInsufficientData} {
		if tiers[t] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", t, tiers[t]))
		}
	}
	return strings.Join(parts, ", ")
}

// summary prints what was loaded and, indented by two spaces, one seller worth a look per
// archetype and per tier.
func (r *demoRun) summary() {
	w := r.e.stdout
	fmt.Fprintf(w, "Demo data loaded in %.1fs (seed %d, %s to %s): %d sellers, %d bench tests, %d mystery orders, %d KPI months.\n",
		time.Since(r.started).Seconds(), r.opts.seed, r.opts.from.Format(time.DateOnly), r.opts.to.Format(time.DateOnly),
		len(r.sellers), r.counts.bench, r.counts.orders, r.counts.kpis)
	if r.opts.scale {
		fmt.Fprintln(w, "Marketplace-scale data set: no audit was run (time one with refurbqa audit).")
		return
	}
	var closed, overdue, open, planned int
	for _, a := range r.actions {
		switch {
		case !a.closedAt.IsZero() && !a.closedAt.After(a.due):
			closed++
		case !a.closedAt.IsZero() || r.lastTime.After(a.due):
			overdue++
		default:
			open++
			if a.plan {
				planned++
			}
		}
	}
	fmt.Fprintf(w, "Audited every month: %d scorecards, %d approved; %d corrective actions: %d closed in time, %d overdue, %d not yet due (%d with a plan).\n",
		r.counts.scorecards, r.counts.approved, len(r.actions), closed, overdue, open, planned)
	tiers := map[checklist.Tier]int{}
	for _, t := range r.latest {
		tiers[t]++
	}
	last := r.gen.Months()[len(r.gen.Months())-1]
	fmt.Fprintf(w, "Latest month (%s, draft scorecards): %s.\n", last.Label, tierCounts(tiers))
	fmt.Fprintln(w, "Sellers worth a look (id, name — latest tier (kind)):")
	for _, i := range r.interesting() {
		id := r.ids[i]
		score := ""
		if sc := r.scores[id]; sc != nil && r.latest[id] != checklist.TierInsufficientData {
			score = fmt.Sprintf(", score %.1f", *sc)
		}
		fmt.Fprintf(w, "  %s %s — %s%s (%s)\n", id, r.sellers[i].Name, r.latest[id], score, r.sellers[i].Archetype)
	}
}

// interesting picks, for each archetype, its first seller that landed in the archetype's usual
// tier (or its first seller), then one seller for every tier not shown yet.
func (r *demoRun) interesting() []int {
	var out []int
	shown := map[int]bool{}
	tierShown := map[checklist.Tier]bool{}
	add := func(i int) {
		if !shown[i] {
			shown[i] = true
			out = append(out, i)
			tierShown[r.latest[r.ids[i]]] = true
		}
	}
	for _, a := range demogen.Archetypes {
		first := -1
		for i, s := range r.sellers {
			if s.Archetype != a {
				continue
			}
			if first < 0 {
				first = i
			}
			if string(r.latest[r.ids[i]]) == demogen.ExpectedTier(a) {
				first = i
				break
			}
		}
		if first >= 0 {
			add(first)
		}
	}
	for _, t := range []checklist.Tier{checklist.TierTrusted, checklist.TierWatch, checklist.TierProbation, checklist.TierSuspend, checklist.TierInsufficientData} {
		if tierShown[t] {
			continue
		}
		for i := range r.sellers {
			if r.latest[r.ids[i]] == t {
				add(i)
				break
			}
		}
	}
	return out
}
