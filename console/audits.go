package console

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

// The audit of a period (console.md, Quality manager): for one seller or every seller, through
// the same use cases as POST /api/v1/audits and /api/v1/audits/batch. An audit of every seller
// takes seconds to minutes, longer than a person waits for a page, so the form starts a run in
// the background and sends the person to the run's page, which shows its progress (from the
// service's progress reports) while it runs and reloads itself, then the scorecards it made.
//
// Runs live in the memory of the console that started them (auditRuns): the page of a run is
// found on that server only, until it restarts. A run outlives the request that started it but
// not the server: Console.Close cancels the runs still going and waits for them.

// Limits of the runs a console keeps.
const (
	// keptRuns is how many runs the registry keeps: the oldest finished ones are forgotten
	// beyond it (a run still going is never forgotten).
	keptRuns = 20
	// runCardsPage is how many scorecards of a run its page lists at a time.
	runCardsPage = 100
	// refreshSeconds is how often the page of a run going on reloads without the script.
	refreshSeconds = 2
)

// errAllRunning refuses a second audit of every seller while one is going in this console.
var errAllRunning = errors.New("an audit of every seller is already running")

// errStopping refuses to start a run while the console is closing.
var errStopping = errors.New("the server is stopping")

// auditRuns is the registry of the audit runs this console started. Its context is the parent
// of every run's: cancelled by Close, it stops the runs still going.
type auditRuns struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	runs   []*auditRun // oldest first
}

func newAuditRuns() *auditRuns {
	ctx, cancel := context.WithCancel(context.Background())
	return &auditRuns{ctx: ctx, cancel: cancel}
}

// start registers run and runs do in the background with the registry's context. It refuses
// (errAllRunning, naming the run going) a run of every seller while another is going, and any
// run once the registry is closed (errStopping).
func (rs *auditRuns) start(run *auditRun, do func(ctx context.Context)) (*auditRun, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.closed {
		return nil, errStopping
	}
	if run.SellerID == "" {
		for _, other := range rs.runs {
			if other.SellerID == "" && !other.snapshot().Done {
				return other, errAllRunning
			}
		}
	}
	rs.runs = append(rs.runs, run)
	for len(rs.runs) > keptRuns {
		i := slices.IndexFunc(rs.runs, func(r *auditRun) bool { return r.snapshot().Done })
		if i < 0 {
			break
		}
		rs.runs = slices.Delete(rs.runs, i, i+1)
	}
	rs.wg.Add(1)
	go func() {
		defer rs.wg.Done()
		do(rs.ctx)
	}()
	return run, nil
}

// find returns the run of id, nil when the registry has none.
func (rs *auditRuns) find(id string) *auditRun {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, r := range rs.runs {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// forget drops run, one whose input was refused: it never ran.
func (rs *auditRuns) forget(run *auditRun) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.runs = slices.DeleteFunc(rs.runs, func(r *auditRun) bool { return r == run })
}

// list returns the runs, newest first.
func (rs *auditRuns) list() []*auditRun {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := slices.Clone(rs.runs)
	slices.Reverse(out)
	return out
}

// close refuses new runs, cancels the runs going and waits for them to end.
func (rs *auditRuns) close() {
	rs.mu.Lock()
	rs.closed = true
	rs.mu.Unlock()
	rs.cancel()
	rs.wg.Wait()
}

// auditRun is one audit run: what was asked, by whom, and its state, which the run's
// goroutine updates and pages read (snapshot).
type auditRun struct {
	ID string
	// SellerID is the seller audited, empty for every seller.
	SellerID  string
	Input     audit.AuditInput
	By        string // the name of the person who started it
	StartedAt time.Time

	// started is closed at the run's first progress report: its input was accepted.
	started   chan struct{}
	startOnce sync.Once
	// done is closed when the run has ended, its state final.
	done chan struct{}

	mu    sync.Mutex
	state runState
}

// runState is where a run stands.
type runState struct {
	// Phase is the phase the run is in, empty until the service reports the first (a run of
	// every seller waits for any other in this process to end first).
	Phase audit.AuditPhase
	// Sellers is the number of sellers of the phase (0 while the facts of every seller are
	// being loaded: they are counted only then); Charter the version audited against.
	Sellers int
	Charter string
	Done    bool
	Ended   time.Time
	// SellerName is the name of the one seller audited, once the run is done.
	SellerName string
	// Err is why the run failed, in words; Problems the fields the service refused.
	Err      string
	Problems []grading.FieldError
	Cards    []runCard
}

// runCard is a scorecard a run made.
type runCard struct {
	ID, SellerID, SellerName string
	Score                    *float64
	Tier                     checklist.Tier
	Failed, FailedCritical   int
}

// ScoreText is the score as a scorecard shows it, to one decimal, or "not scored" when no
// point was evaluated.
func (c runCard) ScoreText() string {
	if c.Score == nil {
		return "not scored"
	}
	return strconv.FormatFloat(*c.Score, 'f', 1, 64)
}

// snapshot is the run's state now; its Cards are never changed after the run ends.
func (r *auditRun) snapshot() runState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

// progress records a progress report of the service.
func (r *auditRun) progress(p audit.AuditProgress) {
	r.mu.Lock()
	r.state.Phase, r.state.Sellers, r.state.Charter = p.Phase, p.Sellers, p.Charter
	r.mu.Unlock()
	r.startOnce.Do(func() { close(r.started) })
}

// finish records the end of the run.
func (r *auditRun) finish(at time.Time, sellerName string, cards []runCard, err error) {
	r.mu.Lock()
	r.state.Done, r.state.Ended, r.state.SellerName, r.state.Cards = true, at, sellerName, cards
	if err != nil {
		var ve *audit.ValidationError
		switch {
		case errors.As(err, &ve):
			r.state.Err, r.state.Problems = "The audit was refused:", ve.Errors
		case errors.Is(err, context.Canceled):
			r.state.Err = "The audit was stopped because the server was stopping; nothing was saved. Run it again."
		case errors.Is(err, audit.ErrNotFound):
			r.state.Err = "The audit was refused: " + err.Error() + "."
		default:
			r.state.Err = "The audit failed and saved nothing. Please run it again; if it keeps failing, tell an administrator."
		}
	}
	r.mu.Unlock()
	close(r.done)
}

// newRunID is an unguessable id of a run.
func newRunID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "run_" + hex.EncodeToString(b[:]), nil
}

// auditFields are the fields of the form, the API's names.
var auditFields = []string{"seller_id", "period_start", "period_end", "charter_version"}

// auditFormPage is the form of a run and the runs of this server.
type auditFormPage struct {
	Form     *form
	Sellers  []audit.Seller
	Versions []audit.CharterVersion
	Runs     []runSummary
	// Running is the audit of every seller going on, when the form was refused because of it.
	Running *runSummary
}

// runSummary is a run as a list shows it.
type runSummary struct {
	*auditRun
	State runState
}

func summary(r *auditRun) runSummary { return runSummary{auditRun: r, State: r.snapshot()} }

// auditForm is GET /console/audits: the form, its period set to the last whole month.
func (c *Console) auditForm(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	now := c.now().UTC()
	end := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	v := url.Values{"period_start": {end.AddDate(0, -1, 0).Format(time.DateOnly)}, "period_end": {end.Format(time.DateOnly)}}
	for _, name := range auditFields {
		if q := r.URL.Query().Get(name); q != "" {
			v.Set(name, q)
		}
	}
	return c.renderAuditForm(w, r, s, http.StatusOK, auditFormPage{Form: newForm(v)})
}

func (c *Console) renderAuditForm(w http.ResponseWriter, r *http.Request, s *signedIn, status int, page auditFormPage) error {
	var err error
	if page.Sellers, err = c.sellerChoices(r, s); err != nil {
		return err
	}
	versions, next, err := c.svc.Charters(r.Context(), audit.Page{Limit: maxSellerChoices})
	if err != nil {
		return err
	}
	if next == "" {
		page.Versions = versions
	}
	for _, run := range c.runs.list() {
		page.Runs = append(page.Runs, summary(run))
	}
	return c.render(w, r, s, status, "audits", "Audit", page)
}

// startAudit is POST /console/audits (seller_id, empty for every seller; period_start,
// period_end; charter_version, empty for the active charter). It starts the run and waits for
// the service to accept its input or refuse it: a refusal comes back on the form, every error
// beside its field; an accepted run is followed on its page (303). Only one run of every seller
// goes at a time in this console: a second is refused (409) with a link to the one going.
func (c *Console) startAudit(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := r.ParseForm(); err != nil {
		return audit.Invalid(nil)
	}
	v := url.Values{}
	for _, name := range auditFields {
		v.Set(name, strings.TrimSpace(r.PostForm.Get(name)))
	}
	page := auditFormPage{Form: newForm(v)}
	id, err := newRunID()
	if err != nil {
		return err
	}
	run := &auditRun{ID: id, SellerID: v.Get("seller_id"), By: s.User.Name, StartedAt: c.now(),
		Input:   audit.AuditInput{PeriodStart: v.Get("period_start"), PeriodEnd: v.Get("period_end"), CharterVersion: v.Get("charter_version")},
		started: make(chan struct{}), done: make(chan struct{})}
	by := s.principal()
	going, err := c.runs.start(run, func(ctx context.Context) { c.execute(ctx, by, run) })
	switch {
	case errors.Is(err, errAllRunning):
		sum := summary(going)
		page.Running = &sum
		return c.renderAuditForm(w, r, s, http.StatusConflict, page)
	case errors.Is(err, errStopping):
		page.Form.Other = append(page.Form.Other, grading.FieldError{Message: "The server is stopping: start the audit again in a moment."})
		return c.renderAuditForm(w, r, s, http.StatusServiceUnavailable, page)
	case err != nil:
		return err
	}
	select {
	case <-run.started:
	case <-run.done:
		if st := run.snapshot(); st.Problems != nil {
			c.runs.forget(run)
			page.Form.setErrors(st.Problems, "", func(name string) bool { return slices.Contains(auditFields, name) })
			return c.renderAuditForm(w, r, s, http.StatusUnprocessableEntity, page)
		}
	case <-r.Context().Done():
		// Still waiting for another audit of every seller (one of the API's) to end: the
		// run's page says so.
	}
	http.Redirect(w, r, "/console/audits/"+run.ID, http.StatusSeeOther)
	return nil
}

// execute runs the audit of run with ctx, detached from the request that started it, and
// records its end. A panic is the run's failure, not the server's.
func (c *Console) execute(ctx context.Context, by audit.Principal, run *auditRun) {
	var cards []runCard
	var sellerName string
	var err error
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("audit run panic", "run", run.ID, "panic", p)
			err = fmt.Errorf("panic: %v", p)
		}
		if err != nil && !errors.As(err, new(*audit.ValidationError)) && !errors.Is(err, context.Canceled) {
			c.log.Error("audit run failed", "run", run.ID, "err", err)
		}
		run.finish(c.now(), sellerName, cards, err)
	}()
	var made []audit.Scorecard
	if run.SellerID != "" {
		var sc audit.Scorecard
		sc, err = c.svc.AuditSeller(ctx, by, run.SellerID, run.Input, run.progress)
		made = []audit.Scorecard{sc}
	} else {
		var res audit.AuditResult
		res, err = c.svc.AuditSellers(ctx, by, nil, run.Input, run.progress)
		made = res.Scorecards
	}
	if err != nil {
		return
	}
	names := c.sellerNames(ctx, by, run.SellerID)
	cards = make([]runCard, len(made))
	for i, sc := range made {
		cards[i] = runCard{ID: sc.ID, SellerID: sc.SellerID, SellerName: names[sc.SellerID], Score: sc.Result.Score,
			Tier: sc.Result.Tier, Failed: sc.Result.FailedPoints, FailedCritical: sc.Result.FailedCritical}
	}
	sellerName = names[run.SellerID]
}

// sellerNames are the names of the sellers of a run (the one seller, or every seller, a few
// pages of 500); a name that cannot be read is left out and the page shows the id.
func (c *Console) sellerNames(ctx context.Context, by audit.Principal, sellerID string) map[string]string {
	names := map[string]string{}
	if sellerID != "" {
		if seller, err := c.svc.Seller(ctx, by, sellerID); err == nil {
			names[seller.ID] = seller.Name
		}
		return names
	}
	sellers, err := audit.All(func(p audit.Page) ([]audit.Seller, string, error) { return c.svc.Sellers(ctx, by, p) })
	if err != nil {
		c.log.Warn("audit run: seller names", "err", err)
	}
	for _, seller := range sellers {
		names[seller.ID] = seller.Name
	}
	return names
}

// runPage is the page of a run.
type runPage struct {
	Run   *auditRun
	State runState
	// Step is the phase's number of the three; Tiers the scorecards by tier once done.
	Step  int
	Tiers []tierCount
	// Cards are the scorecards listed on this page of the run's; Next the next page.
	Cards []runCard
	From  int
	Next  string
	Prev  string
}

// tierCount is how many scorecards of a run have a tier.
type tierCount struct {
	Tier  checklist.Tier
	Count int
}

// RefreshAfter reloads the page while the run goes on.
func (p runPage) RefreshAfter() int {
	if p.State.Done {
		return 0
	}
	return refreshSeconds
}

// runTiers is the order in which a run's tiers are counted, worst first.
var runTiers = []checklist.Tier{checklist.TierSuspend, checklist.TierProbation, checklist.TierWatch,
	checklist.TierTrusted, checklist.TierInsufficientData}

// runPageOf is the page of run, with its scorecards from the one at from.
func (c *Console) runPageOf(run *auditRun, from int) runPage {
	st := run.snapshot()
	page := runPage{Run: run, State: st}
	switch st.Phase {
	case audit.PhaseFacts:
		page.Step = 1
	case audit.PhaseEvaluating:
		page.Step = 2
	case audit.PhaseSaving:
		page.Step = 3
	}
	if !st.Done {
		return page
	}
	counts := map[checklist.Tier]int{}
	for _, card := range st.Cards {
		counts[card.Tier]++
	}
	for _, t := range runTiers {
		page.Tiers = append(page.Tiers, tierCount{Tier: t, Count: counts[t]})
	}
	from = max(0, min(from, len(st.Cards)))
	to := min(from+runCardsPage, len(st.Cards))
	page.Cards, page.From = st.Cards[from:to], from
	base := "/console/audits/" + run.ID
	if to < len(st.Cards) {
		page.Next = base + "?from=" + strconv.Itoa(to) + "#scorecards"
	}
	if from > 0 {
		page.Prev = base + "?from=" + strconv.Itoa(max(0, from-runCardsPage)) + "#scorecards"
	}
	return page
}

// runOf is the run the path names; for an id it does not know, it renders the not-found page
// saying where runs are kept, and returns nil.
func (c *Console) runOf(w http.ResponseWriter, r *http.Request, s *signedIn) (*auditRun, error) {
	run := c.runs.find(r.PathValue("run"))
	if run == nil {
		p := problem{Status: http.StatusNotFound, Title: "Not found",
			Detail: "No audit run has this id on this server. Runs are kept in the memory of the server that ran them, until it restarts; the scorecards of a finished run are kept in the database, with the sellers' other scorecards."}
		return nil, c.render(w, r, s, http.StatusNotFound, "problem", p.Title, p)
	}
	return run, nil
}

// auditRun is GET /console/audits/{run} (?from= the first scorecard listed).
func (c *Console) auditRun(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	run, err := c.runOf(w, r, s)
	if run == nil {
		return err
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("from"))
	return c.render(w, r, s, http.StatusOK, "audit_run", "Audit run", c.runPageOf(run, from))
}

// auditProgress is GET /console/audits/{run}/progress: the run's progress alone, for the script
// to follow the run without reloading the page.
func (c *Console) auditProgress(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	run, err := c.runOf(w, r, s)
	if run == nil {
		return err
	}
	return c.fragment(w, r, "audit-progress", c.runPageOf(run, 0))
}
