package audit

import (
	"fmt"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

// Corrective-action deadlines after approval (charter.md §5) and the longest audit period.
const (
	CriticalActionDays = 14
	MajorActionDays    = 30
	MaxPeriodDays      = 366
)

// NewScorecard returns the draft scorecard of one audit. It records the charter version that
// produced r, so that the scorecard can be explained long after the charter has moved on.
func NewScorecard(id, sellerID string, p Period, charterVersion string, r checklist.Result, now time.Time) Scorecard {
	return Scorecard{
		ID:             id,
		SellerID:       sellerID,
		Period:         p,
		CharterVersion: charterVersion,
		Status:         Draft,
		Result:         r,
		CreatedAt:      now.UTC(),
	}
}

// Approve records the review of a draft scorecard by a manager or an admin and opens one
// corrective action, with an id from newID, for every failed critical or major point: due
// CriticalActionDays or MajorActionDays after approval. Failed minor points and points without
// enough data open nothing. The comment is optional, at most 4000 characters.
//
// A seller is told ErrNotFound, as for anything it may not see (api.md), unless the scorecard
// is its own and already approved (ErrForbidden); a technician gets ErrForbidden. Approving an
// approved scorecard is ErrConflict, since an approved scorecard never changes; approving a
// superseded draft is a *SupersededError (an ErrConflict) naming the draft that replaced it,
// since only the current draft of a seller, period and charter version may be approved.
func Approve(sc Scorecard, by Principal, comment string, now time.Time, newID func() string) (Scorecard, []CorrectiveAction, error) {
	switch by.Role {
	case RoleAdmin, RoleManager:
	case RoleSeller:
		if err := by.ScorecardVisible(sc); err != nil {
			return sc, nil, err
		}
		return sc, nil, fmt.Errorf("approve scorecard %s: %w", sc.ID, ErrForbidden)
	default:
		return sc, nil, fmt.Errorf("approve scorecard %s: %w", sc.ID, ErrForbidden)
	}
	if sc.Status == Superseded {
		return sc, nil, &SupersededError{ID: sc.ID, By: sc.SupersededBy}
	}
	if sc.Status != Draft || sc.Review != nil {
		return sc, nil, fmt.Errorf("scorecard %s is already %s: %w", sc.ID, sc.Status, ErrConflict)
	}
	var errs fieldErrors
	errs.optionalText("comment", comment, maxNoteLen)
	if err := Invalid(errs.sorted()); err != nil {
		return sc, nil, err
	}

	now = now.UTC()
	sc.Status = Approved
	sc.Review = &Review{ApprovedBy: by.KeyID, Comment: comment, ApprovedAt: now}

	var actions []CorrectiveAction
	for _, p := range sc.Result.Points {
		if p.Status != checklist.PointFail {
			continue
		}
		var days int
		switch p.Severity {
		case checklist.Critical:
			days = CriticalActionDays
		case checklist.Major:
			days = MajorActionDays
		default:
			continue
		}
		actions = append(actions, CorrectiveAction{
			ID:          newID(),
			SellerID:    sc.SellerID,
			ScorecardID: sc.ID,
			PointCode:   p.Code,
			Severity:    p.Severity,
			Status:      ActionOpen,
			DueAt:       now.AddDate(0, 0, days),
			CreatedAt:   now,
		})
	}
	return sc, actions, nil
}

// SubmitPlan records the seller's root cause and actions for a corrective action, moving it to
// plan_submitted. The action's own seller may submit, and so may a manager or an admin on the
// seller's behalf; another seller is told ErrNotFound (as if the action did not exist) and a
// technician ErrForbidden. A plan may be resubmitted while the action is not closed (the new
// plan replaces the old one, e.g. after a manager asked for more detail), including after the
// due date: a late answer is still better than none, and lateness is judged on closing.
// Closed actions are ErrConflict. Both texts are required, 1 to 4000 characters, else a
// *ValidationError naming root_cause and/or actions. Permission is checked first, then state,
// then input, so that nobody learns more than their role allows.
func SubmitPlan(a CorrectiveAction, by Principal, rootCause, actions string, now time.Time) (CorrectiveAction, error) {
	switch by.Role {
	case RoleAdmin, RoleManager:
	case RoleSeller:
		if err := by.OwnSeller(a.SellerID, "corrective action "+a.ID); err != nil {
			return a, err
		}
	default:
		return a, fmt.Errorf("submit plan for corrective action %s: %w", a.ID, ErrForbidden)
	}
	if a.Status != ActionOpen && a.Status != ActionPlanSubmitted {
		return a, fmt.Errorf("corrective action %s is %s: %w", a.ID, a.Status, ErrConflict)
	}
	var errs fieldErrors
	errs.text("root_cause", rootCause, maxNoteLen)
	errs.text("actions", actions, maxNoteLen)
	if err := Invalid(errs.sorted()); err != nil {
		return a, err
	}
	a.Status = ActionPlanSubmitted
	a.Plan = &Plan{RootCause: rootCause, Actions: actions, SubmittedAt: now.UTC(), SubmittedBy: by.KeyID}
	return a, nil
}

// Close records a manager's (or an admin's) verification of a corrective action, with a note of
// 1 to 4000 characters. An open action without a plan may be closed too: the action may have
// been opened in error, or fixed and verified without the seller writing a plan, and the
// mandatory note records why; otherwise such an action could only ever end as overdue. Sellers
// and technicians get ErrForbidden (a seller asking about another seller's action ErrNotFound,
// as if it did not exist); a closed action is ErrConflict. Whether it was closed in time is
// CorrectiveAction.Overdue's business, from ClosedAt.
func Close(a CorrectiveAction, by Principal, note string, now time.Time) (CorrectiveAction, error) {
	switch by.Role {
	case RoleAdmin, RoleManager:
	case RoleSeller:
		if err := by.OwnSeller(a.SellerID, "corrective action "+a.ID); err != nil {
			return a, err
		}
		return a, fmt.Errorf("close corrective action %s: %w", a.ID, ErrForbidden)
	default:
		return a, fmt.Errorf("close corrective action %s: %w", a.ID, ErrForbidden)
	}
	if a.Status != ActionOpen && a.Status != ActionPlanSubmitted {
		return a, fmt.Errorf("corrective action %s is %s: %w", a.ID, a.Status, ErrConflict)
	}
	var errs fieldErrors
	errs.text("note", note, maxNoteLen)
	if err := Invalid(errs.sorted()); err != nil {
		return a, err
	}
	now = now.UTC()
	a.Status = ActionClosed
	a.ClosingNote = note
	a.ClosedAt = &now
	a.ClosedBy = by.KeyID
	return a, nil
}

// ParsePeriod parses an audit period given as two YYYY-MM-DD dates, the end exclusive, into
// midnight UTC. It returns every problem under period_start or period_end: a date that is
// missing, malformed, not a real calendar day or outside the years 2000 to 2100; an end not
// after the start; or a span of more than MaxPeriodDays days (a year, leap or not), which keeps
// one audit a bounded amount of work and a meaningful comparison between sellers.
func ParsePeriod(start, end string) (Period, []grading.FieldError) {
	var errs fieldErrors
	s, okStart := parseDate(&errs, "period_start", start)
	e, okEnd := parseDate(&errs, "period_end", end)
	if okStart && okEnd {
		switch {
		case !e.After(s):
			errs.add("period_end", "must be after period_start")
		case e.Sub(s) > MaxPeriodDays*24*time.Hour:
			errs.add("period_end", "must be at most %d days after period_start", MaxPeriodDays)
		}
	}
	if len(errs) > 0 {
		return Period{}, errs.sorted()
	}
	return Period{Start: s, End: e}, nil
}

// parseDate parses one YYYY-MM-DD date, adding its problem to errs.
func parseDate(errs *fieldErrors, field, v string) (time.Time, bool) {
	if strings.TrimSpace(v) == "" {
		errs.add(field, "is required")
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		errs.add(field, "must be a date written YYYY-MM-DD")
		return time.Time{}, false
	}
	if y := t.Year(); y < minMonthYear || y > maxMonthYear {
		errs.add(field, "must be a date from 2000-01-01 to 2100-12-31")
		return time.Time{}, false
	}
	return t, true
}
