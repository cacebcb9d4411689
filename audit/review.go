package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/checklist"
)

// The review use cases: auditing sellers against the charter, reading the scorecards an audit
// makes, approving them, and following up the corrective actions that approval opens. Every
// adapter (the API, the command line, the demo loader) runs them through these methods, so an
// audit checks its input, evaluates and saves the same way whoever asks for it.

// maxAuditRefLen bounds the seller id and the charter version an audit is asked for: longer
// values name nothing that exists, so they are refused before any lookup.
const maxAuditRefLen = 64

// AuditInput is what an audit is asked for besides its sellers: the period and the charter,
// as a client writes them.
type AuditInput struct {
	// PeriodStart and PeriodEnd are YYYY-MM-DD dates, the end exclusive (see ParsePeriod).
	PeriodStart, PeriodEnd string
	// CharterVersion names a published charter version; empty means the active charter.
	CharterVersion string
}

// AuditProgress is one step of an audit run, reported as the run enters it, so that an
// operator watching a run over many sellers sees where the time goes.
type AuditProgress struct {
	Phase AuditPhase
	// Sellers is how many sellers the phase is about: at PhaseFacts the number of sellers
	// named (0 for a run over every seller, which counts them only then), at PhaseEvaluating
	// the sellers whose facts were gathered, at PhaseSaving the drafts to store.
	Sellers int
	// Charter is the version of the charter the run evaluates against.
	Charter string
}

// auditRun is an audit input once checked: the period and the compiled charter.
type auditRun struct {
	period   Period
	compiled *checklist.Compiled
}

// mayAudit refuses the roles that may not run audits: audits are the managers' and the
// admins' (api.md, roles).
func mayAudit(by Principal) error {
	if by.Role != RoleAdmin && by.Role != RoleManager {
		return fmt.Errorf("audit: %w", ErrForbidden)
	}
	return nil
}

// checkRef adds the problem of a seller id or charter version to errs, and reports whether the
// value may be looked up.
func checkRef(errs *fieldErrors, field, v string) bool {
	switch {
	case len(v) > maxAuditRefLen:
		errs.add(field, "must have at most %d characters", maxAuditRefLen)
	case TextProblem(v, false) != "":
		errs.add(field, "%s", TextProblem(v, false))
	default:
		return true
	}
	return false
}

// AuditSeller audits one seller over a period against the active charter or the one named,
// and returns its new draft scorecard (see AuditSellers for what a run writes). Every invalid
// field is reported at once, as a *ValidationError: seller_id (required, at most 64
// characters, naming a seller), period_start and period_end (ParsePeriod), charter_version
// (at most 64 characters, naming a published version). progress, when not nil, is called at
// the start of each phase.
func (s *Service) AuditSeller(ctx context.Context, by Principal, sellerID string, in AuditInput, progress func(AuditProgress)) (Scorecard, error) {
	if err := mayAudit(by); err != nil {
		return Scorecard{}, err
	}
	var errs fieldErrors
	if strings.TrimSpace(sellerID) == "" {
		errs.add("seller_id", "is required")
	} else if checkRef(&errs, "seller_id", sellerID) {
		if _, err := s.store.Seller(ctx, sellerID); err != nil {
			if !errors.Is(err, ErrNotFound) {
				return Scorecard{}, err
			}
			errs.add("seller_id", "no seller has this id")
		}
	}
	run, err := s.auditInput(ctx, errs, in)
	if err != nil {
		return Scorecard{}, err
	}
	res, err := s.audit(ctx, by, run, []string{sellerID}, progress)
	if err != nil {
		return Scorecard{}, err
	}
	return res.Scorecards[0], nil
}

// AuditSellers audits the sellers named, or every seller when sellerIDs is empty, over a
// period against the active charter or the one named, checked as AuditSeller checks them. An
// unknown seller id is ErrNotFound, before anything is read or written.
//
// Every seller audited gets a new draft scorecard, in seller id order. A seller has at most
// one current draft per period and charter version: the new draft supersedes it, and the
// older one is kept, unchanged, naming its successor. Approved scorecards are final and stay
// beside the new draft: a re-audit after approval, with data that arrived since, is a new
// draft to review. The facts of every seller come from one snapshot read before the drafts
// are written, and the drafts of a run are stored all or none (Store.SaveDrafts).
//
// One run over every seller goes at a time in this process, so that concurrent requests do
// not each hold the facts of every seller in memory; the store serializes the writes of
// several processes.
func (s *Service) AuditSellers(ctx context.Context, by Principal, sellerIDs []string, in AuditInput, progress func(AuditProgress)) (AuditResult, error) {
	if err := mayAudit(by); err != nil {
		return AuditResult{}, err
	}
	run, err := s.auditInput(ctx, nil, in)
	if err != nil {
		return AuditResult{}, err
	}
	if len(sellerIDs) > 0 {
		unknown, err := s.store.UnknownSellers(ctx, sellerIDs)
		if err != nil {
			return AuditResult{}, err
		}
		if len(unknown) > 0 {
			return AuditResult{}, fmt.Errorf("seller %s: %w", unknown[0], ErrNotFound)
		}
	} else {
		s.batchMu.Lock()
		defer s.batchMu.Unlock()
	}
	return s.audit(ctx, by, run, sellerIDs, progress)
}

// auditInput checks the period and resolves the charter, adding their problems to errs, and
// returns every problem at once.
func (s *Service) auditInput(ctx context.Context, errs fieldErrors, in AuditInput) (auditRun, error) {
	p, perrs := ParsePeriod(in.PeriodStart, in.PeriodEnd)
	errs = append(errs, perrs...)
	compiled, err := s.auditCharter(ctx, &errs, in.CharterVersion)
	if err != nil {
		return auditRun{}, err
	}
	if err := Invalid(errs.sorted()); err != nil {
		return auditRun{}, err
	}
	return auditRun{period: p, compiled: compiled}, nil
}

// auditCharter resolves the charter an audit runs against: the named version, or the active
// one. An unknown version is a problem of charter_version. The compiled programs come from the
// service's cache, so that runs compile each version once per process.
func (s *Service) auditCharter(ctx context.Context, errs *fieldErrors, version string) (*checklist.Compiled, error) {
	var cv CharterVersion
	var err error
	if version == "" {
		cv, err = s.store.ActiveCharter(ctx)
	} else {
		if !checkRef(errs, "charter_version", version) {
			return nil, nil
		}
		cv, err = s.store.Charter(ctx, version)
		if errors.Is(err, ErrNotFound) {
			errs.add("charter_version", "no published charter has this version")
			return nil, nil
		}
	}
	if err != nil {
		return nil, err
	}
	compiled, err := s.programs.Get(cv.Charter)
	if err != nil {
		// A stored charter compiled when it was published; failing now is a server fault.
		return nil, fmt.Errorf("charter %s no longer compiles: %v", cv.Charter.Version, err)
	}
	return compiled, nil
}

// audit runs a checked audit: it gathers the facts of the sellers (every seller when
// sellerIDs is empty), evaluates the charter for each and saves one draft per seller.
func (s *Service) audit(ctx context.Context, by Principal, run auditRun, sellerIDs []string, progress func(AuditProgress)) (AuditResult, error) {
	version := run.compiled.Charter().Version
	report := func(phase AuditPhase, n int) {
		if progress != nil {
			progress(AuditProgress{Phase: phase, Sellers: n, Charter: version})
		}
	}
	report(PhaseFacts, len(sellerIDs))
	// The store's clock stamps the drafts, as it stamps every record it writes.
	now := s.store.Now()
	facts, err := s.store.Facts(ctx, run.period, sellerIDs)
	if err != nil {
		return AuditResult{}, err
	}
	ids := make([]string, 0, len(facts))
	for id := range facts {
		ids = append(ids, id)
	}
	slices.Sort(ids)

	report(PhaseEvaluating, len(ids))
	cards := make([]Scorecard, len(ids))
	for i, id := range ids {
		cards[i] = NewScorecard(s.store.NewID(PrefixScorecard), id, run.period, version, run.compiled.Evaluate(facts[id].Metrics()), now)
	}

	report(PhaseSaving, len(cards))
	if err := s.store.SaveDrafts(ctx, by, run.period, version, cards); err != nil {
		return AuditResult{}, err
	}
	return AuditResult{Scorecards: cards}, nil
}

// Scorecard returns scorecard id as by may see it: ErrNotFound, exactly as for an id that
// does not exist, when by may not (Principal.ScorecardVisible).
func (s *Service) Scorecard(ctx context.Context, by Principal, id string) (Scorecard, error) {
	sc, err := s.store.Scorecard(ctx, id)
	if err != nil {
		return Scorecard{}, err
	}
	if err := by.ScorecardVisible(sc); err != nil {
		return Scorecard{}, err
	}
	return sc, nil
}

// SellerScorecards lists the scorecards of one seller that by may see, newest first. Without
// a status the list holds the current scorecards, drafts and approved ones; with one, exactly
// the scorecards in that state (superseded drafts only thus). A seller lists its own only
// (another seller is ErrNotFound, as if it did not exist) and of them the approved ones only:
// asking for its drafts or superseded drafts gives an empty list. An unknown seller is
// ErrNotFound; a status other than draft, approved or superseded a *ValidationError of status.
func (s *Service) SellerScorecards(ctx context.Context, by Principal, sellerID string, status ScorecardStatus, p Page) ([]Scorecard, string, error) {
	f, visible, err := s.sellerScorecardFilter(ctx, by, sellerID, status)
	if err != nil {
		return nil, "", err
	}
	if !visible {
		return []Scorecard{}, "", nil
	}
	return s.store.Scorecards(ctx, f, p)
}

// sellerScorecardFilter checks a list of the scorecards of a seller (SellerScorecards) and
// returns its filter, and whether by may see anything of it at all.
func (s *Service) sellerScorecardFilter(ctx context.Context, by Principal, sellerID string, status ScorecardStatus) (ScorecardFilter, bool, error) {
	if status != "" && !status.Valid() {
		var errs fieldErrors
		errs.add("status", "must be draft, approved or superseded")
		return ScorecardFilter{}, false, Invalid(errs)
	}
	if err := by.OwnSeller(sellerID, "seller "+sellerID); err != nil {
		return ScorecardFilter{}, false, err
	}
	if _, err := s.store.Seller(ctx, sellerID); err != nil {
		return ScorecardFilter{}, false, err
	}
	f := ScorecardFilter{SellerID: sellerID, Status: status}
	if status == "" && !by.SeesScorecard(sellerID, Draft) {
		// Of the current scorecards, by sees the approved ones only.
		f.Status = Approved
	}
	return f, by.SeesScorecard(sellerID, f.Status), nil
}

// ApproveScorecard records by's review of draft scorecard id and opens its corrective
// actions, as Approve decides, in one transaction with the scorecard as the last audit left
// it: approving twice is ErrConflict, approving a superseded draft a *SupersededError naming
// its successor. The review is stamped with the store's clock.
func (s *Service) ApproveScorecard(ctx context.Context, by Principal, id, comment string) (Scorecard, []CorrectiveAction, error) {
	return s.store.ApproveScorecard(ctx, by, id, func(sc Scorecard, now time.Time) (Scorecard, []CorrectiveAction, error) {
		return Approve(sc, by, comment, now, func() string { return s.store.NewID(PrefixCorrectiveAction) })
	})
}

// actionStatuses are the status filters of a list of corrective actions.
var actionStatuses = []string{string(ActionOpen), string(ActionPlanSubmitted), string(ActionClosed), ActionOverdue}

// CorrectiveActions lists the corrective actions by may see that f selects, in creation order.
// A seller sees its own only: with no seller in f it gets its own, and naming another seller
// is ErrNotFound, as for any record of another seller. Overdue (f.Status ActionOverdue) is
// judged at f.Now, or at the service's clock when f.Now is zero, so that an adapter that shows
// each action's overdue flag judges both at the same instant. An unknown status is a
// *ValidationError of status.
func (s *Service) CorrectiveActions(ctx context.Context, by Principal, f ActionFilter, p Page) ([]CorrectiveAction, string, error) {
	if f.Status != "" && !slices.Contains(actionStatuses, f.Status) {
		var errs fieldErrors
		errs.add("status", "must be open, plan_submitted, closed or overdue")
		return nil, "", Invalid(errs)
	}
	if f.SellerID != "" {
		if err := by.OwnSeller(f.SellerID, "seller "+f.SellerID); err != nil {
			return nil, "", err
		}
	} else if by.Role == RoleSeller {
		f.SellerID = by.SellerID
	}
	if f.Now.IsZero() {
		f.Now = s.now()
	}
	return s.store.CorrectiveActions(ctx, f, p)
}

// CorrectiveAction returns corrective action id; another seller's is ErrNotFound.
func (s *Service) CorrectiveAction(ctx context.Context, by Principal, id string) (CorrectiveAction, error) {
	a, err := s.store.CorrectiveAction(ctx, id)
	if err != nil {
		return CorrectiveAction{}, err
	}
	if err := by.OwnSeller(a.SellerID, "corrective action "+id); err != nil {
		return CorrectiveAction{}, err
	}
	return a, nil
}

// SubmitPlan records a plan for corrective action id: its seller's, or a manager's or an
// admin's on the seller's behalf, as the rule SubmitPlan decides from the stored action.
func (s *Service) SubmitPlan(ctx context.Context, by Principal, id, rootCause, actions string) (CorrectiveAction, error) {
	return s.store.ChangeAction(ctx, by, id, "plan", func(a CorrectiveAction, now time.Time) (CorrectiveAction, error) {
		return SubmitPlan(a, by, rootCause, actions, now)
	})
}

// CloseAction records a manager's (or an admin's) verification of corrective action id, as
// the rule Close decides from the stored action.
func (s *Service) CloseAction(ctx context.Context, by Principal, id, note string) (CorrectiveAction, error) {
	return s.store.ChangeAction(ctx, by, id, "close", func(a CorrectiveAction, now time.Time) (CorrectiveAction, error) {
		return Close(a, by, note, now)
	})
}
