// Package demosim plays the history of refurbqa's demo data set through its use cases:
// demogen invents sellers and their months of bench tests, mystery orders and KPI figures;
// demosim stores them at the simulated times they happen, audits every month the day after its
// KPI figures come in, approves every month's scorecards but the latest's, and plays the
// sellers' answers to the corrective actions those approvals open and the managers' closings.
// The lab inspects lots by sampling along the way: a few sellers' monthly stock, sampled from
// their bench tests, and the suppliers' parts lots (lots.go).
//
// Everything happens on a simulated clock that only moves forward (the store stamps records,
// and ids embed the time), and the store's randomness comes from streams of the seed, so the
// same seed always gives the same database, ids included. The simulation depends only on the
// small interfaces below, which the command wires to the storage adapter and the domain
// services, so it can be tested with fakes.
package demosim

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/cmd/internal/demogen"
)

// keyID is who the simulation writes as, in the event trail: it names no real key, so demo
// records are easy to tell from real ones.
const keyID = "demo"

// admin is the quality team of the simulation: it publishes, audits, approves and closes.
func admin() audit.Principal { return audit.Principal{KeyID: keyID, Role: audit.RoleAdmin} }

// sellerPrincipal is a seller answering its own corrective actions.
func sellerPrincipal(sellerID string) audit.Principal {
	return audit.Principal{KeyID: keyID, Role: audit.RoleSeller, SellerID: sellerID}
}

// Sizes of the load transactions: large enough to amortise each commit, small enough to keep
// memory flat at marketplace scale.
const (
	demoChunk  = 5000
	scaleChunk = 20000
	genAhead   = 64 // sellers generated ahead of the one being stored
	sellerRows = 1000
)

// Loader is the bulk load of generated records: the storage adapter's load paths, which skip
// the per-record lookups of the API because the generator owns its sellers and external ids.
// *store.Store implements it.
type Loader interface {
	// LoadSellers registers sellers, each created at its CreatedAt, and returns them with
	// their ids, in the order of in.
	LoadSellers(ctx context.Context, by audit.Principal, in []audit.Seller) ([]audit.Seller, error)
	LoadBenchTests(ctx context.Context, by audit.Principal, items []audit.BenchTest) ([]string, error)
	LoadMysteryOrders(ctx context.Context, by audit.Principal, items []audit.MysteryOrder) ([]string, error)
	LoadKPIMonths(ctx context.Context, by audit.Principal, items []audit.KPIMonth) ([]string, error)
	// AnalyzeAfterLoad refreshes what the database knows of its tables once the bulk is in,
	// before the last audit runs.
	AnalyzeAfterLoad(ctx context.Context) error
}

// Reviewer is the review use cases the simulation plays, as the API's callers would: the
// charter the audits score against, audits, approvals, and the corrective actions' plans and
// closings.
type Reviewer interface {
	// EnsureCharter makes sure a charter is active (the default one, in a database that has
	// none), so that the audits have one to score against.
	EnsureCharter(ctx context.Context, by audit.Principal) error
	// AuditSellers scores the sellers over p against the active charter and stores one draft
	// scorecard each.
	AuditSellers(ctx context.Context, by audit.Principal, p audit.Period, sellerIDs []string) (audit.AuditResult, error)
	// ApproveScorecard approves a draft and returns the corrective actions it opens.
	ApproveScorecard(ctx context.Context, by audit.Principal, id, comment string) (audit.Scorecard, []audit.CorrectiveAction, error)
	SubmitPlan(ctx context.Context, by audit.Principal, id, rootCause, actions string) (audit.CorrectiveAction, error)
	CloseAction(ctx context.Context, by audit.Principal, id, note string) (audit.CorrectiveAction, error)
}

// Clock is the simulated time the store stamps its records with; the simulation sets it, only
// ever forward. ManualClock implements it.
type Clock interface {
	Now() time.Time
	Set(t time.Time)
}

// Entropy is the store's source of randomness (the random part of ids), which the simulation
// points at streams of its seed. Random implements it.
type Entropy interface {
	Use(r io.Reader)
}

// Progress hears of the simulation's milestones as they happen, to show them to an operator.
// Its methods are called from the goroutine that called Run.
type Progress interface {
	// Began is called once the charter is in place, before the first month loads.
	Began()
	// Registered is called when sellers joined with month m (not for a month nobody joins).
	Registered(m demogen.Month, sellers int)
	// Loaded is called when month m's records are stored, with the totals so far.
	Loaded(m demogen.Month, totals Totals)
	// Audited is called after the audit of p, with the new scorecards and the seller of each
	// (by index).
	Audited(p audit.Period, cards []audit.Scorecard, sellers []demogen.Seller)
	// Approved is called when one period's scorecards are approved.
	Approved(scorecards, actionsOpened int)
}

// Config says what to simulate.
type Config struct {
	// Generator invents the data; its configuration (seed, range, scale) is the simulation's.
	// In scale mode the data is loaded and nothing is audited.
	Generator *demogen.Generator
	// Existing is the number of sellers the database had before: it salts the id streams, so
	// that a second load of the same seed into the same database does not repeat ids.
	Existing uint64
}

// Deps are what the simulation acts on. All are required.
type Deps struct {
	Loader    Loader
	Reviewer  Reviewer
	Inspector Inspector
	Clock     Clock
	Entropy   Entropy
	Progress  Progress
}

// Run plays the whole simulation and returns what it stored. The store behind deps must use
// deps.Clock as its clock and deps.Entropy as its source of randomness, or the data's times
// and ids are not the simulation's.
func Run(ctx context.Context, cfg Config, deps Deps) (Summary, error) {
	gen := cfg.Generator
	seed, scale := gen.Config().Seed, gen.Config().Scale
	deps.Entropy.Use(demogen.NewReader(seed, cfg.Existing))
	months := gen.Months()
	sellers := gen.Sellers()
	start := sellers[0].CreatedAt
	for _, s := range sellers {
		if s.CreatedAt.Before(start) {
			start = s.CreatedAt
		}
	}
	deps.Clock.Set(start.Add(-time.Hour))
	if err := deps.Reviewer.EnsureCharter(ctx, admin()); err != nil {
		return Summary{}, err
	}
	r := &run{deps: deps, gen: gen, scale: scale, sellers: sellers,
		ids: make([]string, len(sellers)), byID: make(map[string]int, len(sellers)),
		latest: map[string]checklist.Tier{}, scores: map[string]*float64{}, actions: map[string]*action{},
		lots: newLotState(gen)}
	r.sched.clock = deps.Clock
	deps.Progress.Began()

	// The data's ids come from a stream of their own, so that what the store drew before (the
	// default charter's events) does not shift them.
	deps.Entropy.Use(demogen.NewReader(seed, cfg.Existing+1<<32))
	if !scale {
		r.scheduleReviews(months)
		r.scheduleLots(cfg.Existing)
	}
	for _, m := range months {
		if err := r.loadMonth(ctx, m); err != nil {
			return Summary{}, err
		}
	}
	if err := deps.Loader.AnalyzeAfterLoad(ctx); err != nil {
		return Summary{}, err
	}
	if err := r.sched.advance(ctx, r.sched.end); err != nil {
		return Summary{}, err
	}
	return r.summary(), nil
}

// run is the state of one simulation.
type run struct {
	deps    Deps
	gen     *demogen.Generator
	scale   bool
	sellers []demogen.Seller
	ids     []string       // store id of each seller, by index
	byID    map[string]int // seller index by store id
	sched   scheduler
	totals  Totals
	// scorecards and approved count the audits' and approvals' work.
	scorecards, approved int
	latest               map[string]checklist.Tier // tier of each seller in the last period
	scores               map[string]*float64       // score of each seller in the last period
	actions              map[string]*action        // every corrective action opened, by id
	lots                 *lotState
}

// action follows one corrective action through the simulation, for the summary.
type action struct {
	due      time.Time
	closedAt time.Time
	plan     bool
}

// approvalComment is the reviewer's comment on a scorecard it approves.
func approvalComment(sc audit.Scorecard) string {
	if sc.Result.FailedPoints > 0 {
		return fmt.Sprintf("Reviewed with the seller: %d failed points.", sc.Result.FailedPoints)
	}
	return "Reviewed: no finding needs an action."
}
