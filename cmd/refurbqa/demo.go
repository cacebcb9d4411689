package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/cmd/internal/demogen"
	"github.com/refurbqa/refurbqa/cmd/internal/demosim"
	"github.com/refurbqa/refurbqa/store"
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
			"every tier and corrective actions (closed, overdue, open) exist. The lab inspects lots by\n"+
			"sampling on the way: a few sellers' monthly stock from their bench tests, and three suppliers'\n"+
			"parts lots (one stream ends on tightened inspection, one discontinued; parts lots only into a\n"+
			"database without sellers). The same seed always gives the\n"+
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

// runDemo opens the database, wires the simulation to it and reports what the simulation does:
// progress lines on standard error, the summary on standard output.
func runDemo(ctx context.Context, e *env, db dbFlags, opts demoOptions) error {
	clock := demosim.NewManualClock(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	random := &demosim.Random{}
	st, err := openDemoStore(ctx, db, clock, random)
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
	protocols, err := checklist.LoadProtocols()
	if err != nil {
		return err
	}
	gen, err := demogen.New(demogen.Config{Seed: opts.seed, Sellers: opts.sellers, From: opts.from, To: opts.to, Scale: opts.scale, Protocols: protocols})
	if err != nil {
		return usagef("%v", err)
	}
	progress := &demoProgress{w: e.stderr, opts: opts}
	// The lots' sample positions come from the simulation's seeded stream too, so that the same
	// seed gives the same lots (lots.md asks for a cryptographic source in real use, which the
	// server's service keeps).
	svc := audit.NewService(audit.ServiceConfig{Store: st, Protocols: protocols, Random: random})
	sum, err := demosim.Run(ctx, demosim.Config{Generator: gen, Existing: uint64(n)}, demosim.Deps{
		Loader:    st,
		Reviewer:  &demoReviewer{st: st, svc: svc},
		Inspector: demoInspector{svc: svc},
		Clock:     clock,
		Entropy:   random,
		Progress:  progress,
	})
	if err != nil {
		return err
	}
	progress.summary(e.stdout, sum)
	return nil
}

// openDemoStore opens the database like every command, with the simulation's clock and random
// source, and SQLite commits that do not wait for the disk (synchronous=NORMAL in WAL mode: a
// crash may lose the last transactions of the load, never corrupt the file).
func openDemoStore(ctx context.Context, db dbFlags, clock *demosim.ManualClock, random *demosim.Random) (*store.Store, error) {
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
		return nil, usagef("unknown database %q (want sqlite or postgres)", db.driver)
	}
	st, err := store.Open(ctx, store.Config{Driver: db.driver, DSN: dsn, Now: clock.Now, Random: random})
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// demoReviewer is the review use cases the simulation plays (demosim.Reviewer), wired to the
// domain's services: every call of the demo into the charter, audit, approval and
// corrective-action use cases goes through here.
type demoReviewer struct {
	st  *store.Store
	svc *audit.Service
}

// EnsureCharter publishes the default charter into a database that has none.
func (d *demoReviewer) EnsureCharter(ctx context.Context, by audit.Principal) error {
	def, err := checklist.DefaultCharter()
	if err != nil {
		return err
	}
	return d.st.EnsureDefaultCharter(ctx, by, def)
}

// AuditSellers audits the named sellers (none: nothing) against the active charter.
func (d *demoReviewer) AuditSellers(ctx context.Context, by audit.Principal, p audit.Period, sellerIDs []string) (audit.AuditResult, error) {
	if len(sellerIDs) == 0 {
		return audit.AuditResult{}, nil
	}
	in := audit.AuditInput{PeriodStart: p.Start.Format(time.DateOnly), PeriodEnd: p.End.Format(time.DateOnly)}
	return d.svc.AuditSellers(ctx, by, sellerIDs, in, nil)
}

// ApproveScorecard approves a draft scorecard, opening its corrective actions.
func (d *demoReviewer) ApproveScorecard(ctx context.Context, by audit.Principal, id, comment string) (audit.Scorecard, []audit.CorrectiveAction, error) {
	return d.svc.ApproveScorecard(ctx, by, id, comment)
}

// SubmitPlan records a seller's plan for one of its corrective actions.
func (d *demoReviewer) SubmitPlan(ctx context.Context, by audit.Principal, id, rootCause, actions string) (audit.CorrectiveAction, error) {
	return d.svc.SubmitPlan(ctx, by, id, rootCause, actions)
}

// CloseAction closes a corrective action.
func (d *demoReviewer) CloseAction(ctx context.Context, by audit.Principal, id, note string) (audit.CorrectiveAction, error) {
	return d.svc.CloseAction(ctx, by, id, note)
}

// demoInspector is the lot use cases the simulation plays (demosim.Inspector), wired to the
// domain's service, so that the demo's lots are planned, judged, decided and switched by the
// real rules.
type demoInspector struct {
	svc *audit.Service
}

// CreateLot creates a lot on its stream.
func (d demoInspector) CreateLot(ctx context.Context, by audit.Principal, in audit.NewLot) (audit.Lot, error) {
	return d.svc.CreateLot(ctx, by, audit.Input[audit.NewLot]{Value: in})
}

// AddLotSample adds the next sample to a lot and returns the lot with its new decision.
func (d demoInspector) AddLotSample(ctx context.Context, by audit.Principal, id string, in audit.NewLotSample) (audit.Lot, error) {
	l, _, err := d.svc.AddLotSample(ctx, by, id, audit.Input[audit.NewLotSample]{Value: in})
	return l, err
}

// demoProgress shows the simulation's progress (demosim.Progress) on standard error, with the
// wall-clock time it takes.
type demoProgress struct {
	w       io.Writer
	opts    demoOptions
	started time.Time // when the load began
	month   time.Time // when the month being loaded began
}

func (p *demoProgress) printf(format string, args ...any) {
	fmt.Fprintf(p.w, "demo: "+format+"\n", args...)
}

// Began starts the clock of the load and says what is loaded.
func (p *demoProgress) Began() {
	p.started = time.Now()
	p.month = p.started
	p.printf("%d sellers, %s to %s, seed %d%s", p.opts.sellers, p.opts.from.Format(time.DateOnly), p.opts.to.Format(time.DateOnly), p.opts.seed,
		map[bool]string{true: ", marketplace scale", false: ""}[p.opts.scale])
}

// Registered says how many sellers joined with a month.
func (p *demoProgress) Registered(m demogen.Month, sellers int) {
	p.printf("%s: %d sellers registered", m.Label, sellers)
}

// Loaded says what is stored so far, how long the month took and the rate of the whole load.
func (p *demoProgress) Loaded(m demogen.Month, t demosim.Totals) {
	took := time.Since(p.month)
	p.printf("%s: %d bench tests, %d mystery orders, %d KPI months (%.1fs, %.0f bench tests/s)", m.Label,
		t.BenchTests, t.MysteryOrders, t.KPIMonths, took.Seconds(), float64(t.BenchTests)/time.Since(p.started).Seconds())
	p.month = time.Now()
}

// Audited prints one line per audit and, with --verbose, every scorecard with the seller's kind
// and failed points first.
func (p *demoProgress) Audited(period audit.Period, cards []audit.Scorecard, sellers []demogen.Seller) {
	tiers := map[checklist.Tier]int{}
	for k, sc := range cards {
		tiers[sc.Result.Tier]++
		if p.opts.verbose {
			var failed []string
			for _, pt := range sc.Result.Points {
				if pt.Status == checklist.PointFail {
					failed = append(failed, pt.Code)
				}
			}
			s := sellers[k]
			p.printf("  %s %s %s (%s): %s, %d points evaluated, failed %s", period.Start.Format("2006-01"), sc.SellerID, s.Name, s.Archetype,
				sc.Result.Tier, sc.Result.EvaluatedPoints, strings.Join(failed, " "))
		}
	}
	p.printf("audit %s to %s: %d scorecards (%s)", period.Start.Format(time.DateOnly), period.End.Format(time.DateOnly), len(cards), tierCounts(tiers))
}

// Approved says how many scorecards one approval round approved and how many actions it opened.
func (p *demoProgress) Approved(scorecards, actionsOpened int) {
	p.printf("approved %d scorecards, %d corrective actions opened", scorecards, actionsOpened)
}

// summary prints what was loaded and, indented by two spaces, the sellers worth a look.
func (p *demoProgress) summary(w io.Writer, sum demosim.Summary) {
	fmt.Fprintf(w, "Demo data loaded in %.1fs (seed %d, %s to %s): %d sellers, %d bench tests, %d mystery orders, %d KPI months.\n",
		time.Since(p.started).Seconds(), p.opts.seed, p.opts.from.Format(time.DateOnly), p.opts.to.Format(time.DateOnly),
		sum.Sellers, sum.BenchTests, sum.MysteryOrders, sum.KPIMonths)
	if p.opts.scale {
		fmt.Fprintln(w, "Marketplace-scale data set: no audit was run (time one with refurbqa audit).")
		return
	}
	a := sum.Actions
	fmt.Fprintf(w, "Audited every month: %d scorecards, %d approved; %d corrective actions: %d closed in time, %d overdue, %d not yet due (%d with a plan).\n",
		sum.Scorecards, sum.Approved, a.Total, a.ClosedInTime, a.Overdue, a.Open, a.Planned)
	fmt.Fprintf(w, "Latest month (%s, draft scorecards): %s.\n", sum.Latest.Label, tierCounts(sum.LatestTiers))
	if l := sum.Lots; l.DeviceLots+l.PartsLots > 0 {
		fmt.Fprintf(w, "Lots inspected by sampling: %d device lots of %d sellers, %d parts lots of %d suppliers, %d samples; %d accepted, %d rejected; streams at the end: %d on tightened inspection, %d discontinued.\n",
			l.DeviceLots, l.Sellers, l.PartsLots, l.Suppliers, l.Samples, l.Accepted, l.Rejected, l.Tightened, l.Discontinued)
	}
	fmt.Fprintln(w, "Sellers worth a look (id, name — latest tier (kind)):")
	for _, s := range sum.WorthALook {
		score := ""
		if s.Score != nil && s.Tier != checklist.TierInsufficientData {
			score = fmt.Sprintf(", score %.1f", *s.Score)
		}
		fmt.Fprintf(w, "  %s %s — %s%s (%s)\n", s.ID, s.Name, s.Tier, score, s.Archetype)
	}
}

// tierCounts is "trusted 21, watch 8, …": the sellers per tier, in the order of tierOrder,
// leaving out the tiers nobody is in.
func tierCounts(tiers map[checklist.Tier]int) string {
	var parts []string
	for _, t := range tierOrder {
		if tiers[t] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", t, tiers[t]))
		}
	}
	return strings.Join(parts, ", ")
}
