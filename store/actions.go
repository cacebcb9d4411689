package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
)

type actionRow struct {
	ID              string     `gorm:"column:id;primaryKey"`
	SellerID        string     `gorm:"column:seller_id"`
	ScorecardID     string     `gorm:"column:scorecard_id"`
	PointCode       string     `gorm:"column:point_code"`
	Severity        string     `gorm:"column:severity"`
	Status          string     `gorm:"column:status"`
	DueAt           time.Time  `gorm:"column:due_at"`
	PlanRootCause   *string    `gorm:"column:plan_root_cause"`
	PlanActions     *string    `gorm:"column:plan_actions"`
	PlanSubmittedAt *time.Time `gorm:"column:plan_submitted_at"`
	PlanSubmittedBy *string    `gorm:"column:plan_submitted_by"`
	ClosingNote     *string    `gorm:"column:closing_note"`
	ClosedAt        *time.Time `gorm:"column:closed_at"`
	ClosedBy        *string    `gorm:"column:closed_by"`
	CreatedAt       time.Time  `gorm:"column:created_at"`
}

func (actionRow) TableName() string { return "corrective_actions" }

func newActionRow(a audit.CorrectiveAction) actionRow {
	r := actionRow{ID: a.ID, SellerID: a.SellerID, ScorecardID: a.ScorecardID, PointCode: a.PointCode,
		Severity: string(a.Severity), Status: string(a.Status), DueAt: a.DueAt.UTC(), CreatedAt: a.CreatedAt.UTC(),
		ClosingNote: optional(a.ClosingNote), ClosedAt: utcPtr(a.ClosedAt), ClosedBy: optional(a.ClosedBy)}
	if a.Plan != nil {
		at := a.Plan.SubmittedAt.UTC()
		r.PlanRootCause, r.PlanActions = &a.Plan.RootCause, &a.Plan.Actions
		r.PlanSubmittedAt, r.PlanSubmittedBy = &at, optional(a.Plan.SubmittedBy)
	}
	return r
}

func (r actionRow) domain() audit.CorrectiveAction {
	a := audit.CorrectiveAction{ID: r.ID, SellerID: r.SellerID, ScorecardID: r.ScorecardID, PointCode: r.PointCode,
		Severity: checklist.Severity(r.Severity), Status: audit.ActionStatus(r.Status), DueAt: r.DueAt.UTC(),
		ClosedAt: utcPtr(r.ClosedAt), CreatedAt: r.CreatedAt.UTC()}
	if r.ClosingNote != nil {
		a.ClosingNote = *r.ClosingNote
	}
	if r.ClosedBy != nil {
		a.ClosedBy = *r.ClosedBy
	}
	if r.PlanSubmittedAt != nil {
		a.Plan = &audit.Plan{SubmittedAt: r.PlanSubmittedAt.UTC()}
		if r.PlanRootCause != nil {
			a.Plan.RootCause = *r.PlanRootCause
		}
		if r.PlanActions != nil {
			a.Plan.Actions = *r.PlanActions
		}
		if r.PlanSubmittedBy != nil {
			a.Plan.SubmittedBy = *r.PlanSubmittedBy
		}
	}
	return a
}

// ActionOverdue is audit.ActionOverdue.
const ActionOverdue = audit.ActionOverdue

// ActionFilter is audit.ActionFilter.
type ActionFilter = audit.ActionFilter

// CorrectiveActions lists corrective actions in creation order. The overdue filter applies
// audit.CorrectiveAction.Overdue at f.Now, in SQL.
func (s *Store) CorrectiveActions(ctx context.Context, f ActionFilter, p Page) ([]audit.CorrectiveAction, string, error) {
	q := s.read.WithContext(ctx).Table("corrective_actions")
	if f.SellerID != "" {
		q = q.Where("seller_id = ?", f.SellerID)
	}
	if f.ScorecardID != "" {
		q = q.Where("scorecard_id = ?", f.ScorecardID)
	}
	switch f.Status {
	case "":
	case string(audit.ActionOpen), string(audit.ActionPlanSubmitted), string(audit.ActionClosed):
		q = q.Where("status = ?", f.Status)
	case ActionOverdue:
		now := f.Now
		if now.IsZero() {
			now = s.now()
		}
		q = q.Where("((closed_at IS NULL AND due_at < ?) OR closed_at > due_at)", now.UTC())
	default:
		return nil, "", fmt.Errorf("corrective action status %q: %w", f.Status, audit.ErrInvalid)
	}
	var rows []actionRow
	next, err := applyPage(p, q, &rows, false)
	if err != nil {
		return nil, "", translate(err, "corrective actions")
	}
	out := make([]audit.CorrectiveAction, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

// CorrectiveAction returns one corrective action.
func (s *Store) CorrectiveAction(ctx context.Context, id string) (audit.CorrectiveAction, error) {
	var row actionRow
	if err := s.read.WithContext(ctx).Take(&row, "id = ?", id).Error; err != nil {
		return audit.CorrectiveAction{}, translate(err, "corrective action "+id)
	}
	return row.domain(), nil
}

// ChangeAction reads, changes and writes one corrective action in a write transaction (the row
// locked on PostgreSQL; SQLite's immediate transactions hold the write lock from the start),
// recording the event named action in the same transaction. change decides (audit.Service
// passes audit.SubmitPlan or audit.Close) from the action as stored and the store's clock; its
// error leaves the action as it was.
func (s *Store) ChangeAction(ctx context.Context, by audit.Principal, id, action string,
	change func(a audit.CorrectiveAction, now time.Time) (audit.CorrectiveAction, error)) (audit.CorrectiveAction, error) {
	var out audit.CorrectiveAction
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row actionRow
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, "id = ?", id).Error; err != nil {
			return err
		}
		a, err := change(row.domain(), s.now())
		if err != nil {
			return err
		}
		n := newActionRow(a)
		err = tx.Model(&actionRow{}).Where("id = ?", id).Updates(map[string]any{
			"status":            n.Status,
			"plan_root_cause":   n.PlanRootCause,
			"plan_actions":      n.PlanActions,
			"plan_submitted_at": n.PlanSubmittedAt,
			"plan_submitted_by": n.PlanSubmittedBy,
			"closing_note":      n.ClosingNote,
			"closed_at":         n.ClosedAt,
			"closed_by":         n.ClosedBy,
		}).Error
		if err != nil {
			return err
		}
		out = a
		return s.record(tx, by, action, "corrective_action", id)
	})
	if err != nil {
		return audit.CorrectiveAction{}, translate(err, "corrective action "+id)
	}
	return out, nil
}
