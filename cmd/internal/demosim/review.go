package demosim

import (
	"context"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/cmd/internal/demogen"
)

// When the quality team reviews a month, counted from the month's end: the month's KPI
// figures come in at 9:00 the next morning, the audit runs at 6:00 the day after, and the
// approval at 9:00 the day after that.
const (
	auditAfter   = 30 * time.Hour
	approveAfter = 2*24*time.Hour + 9*time.Hour
)

// scheduleReviews plans the review of every month: an audit the day after its KPIs came in,
// and the approval of its scorecards the day after, except for the latest month, whose
// scorecards stay drafts (someone has to have something to review). Approvals schedule the
// sellers' answers to the corrective actions they open. The simulation ends with the audit of
// the last month: nothing is scheduled after it.
func (r *run) scheduleReviews(months []demogen.Month) {
	last := len(months) - 1
	r.sched.end = months[last].End.Add(auditAfter)
	for i, m := range months {
		period := audit.Period{Start: m.Start, End: m.End}
		r.sched.push(m.End.Add(auditAfter), func(ctx context.Context) error {
			cards, err := r.auditMonth(ctx, period, i == last)
			if err != nil || i == last {
				return err
			}
			r.sched.push(m.End.Add(approveAfter), func(ctx context.Context) error {
				return r.approve(ctx, i, cards)
			})
			return nil
		})
	}
}

// auditMonth scores every seller registered before the end of the period; the latest period's
// tiers and scores are kept for the summary.
func (r *run) auditMonth(ctx context.Context, p audit.Period, latest bool) ([]audit.Scorecard, error) {
	var ids []string
	for i, s := range r.sellers {
		if s.CreatedAt.Before(p.End) {
			ids = append(ids, r.ids[i])
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	res, err := r.deps.Reviewer.AuditSellers(ctx, admin(), p, ids)
	if err != nil {
		return nil, err
	}
	r.scorecards += len(res.Scorecards)
	sellers := make([]demogen.Seller, len(res.Scorecards))
	for k, sc := range res.Scorecards {
		sellers[k] = r.sellers[r.byID[sc.SellerID]]
		if latest {
			r.latest[sc.SellerID] = sc.Result.Tier
			r.scores[sc.SellerID] = sc.Result.Score
		}
	}
	r.deps.Progress.Audited(p, res.Scorecards, sellers)
	return res.Scorecards, nil
}

// approve approves the scorecards of one period, in the order of the audit, and schedules each
// seller's answers to the corrective actions it opens (demogen.Generator.Respond decides them):
// the plan, submitted by the seller, and the closing, by the quality team.
func (r *run) approve(ctx context.Context, period int, cards []audit.Scorecard) error {
	opened := 0
	for _, sc := range cards {
		_, actions, err := r.deps.Reviewer.ApproveScorecard(ctx, admin(), sc.ID, approvalComment(sc))
		if err != nil {
			return err
		}
		r.approved++
		seller := r.sellers[r.byID[sc.SellerID]]
		for k, a := range actions {
			opened++
			r.actions[a.ID] = &action{due: a.DueAt}
			resp := r.gen.Respond(seller, period, k, a.PointCode, a.CreatedAt, a.DueAt)
			id := a.ID
			owner := sellerPrincipal(sc.SellerID)
			if !resp.PlanAt.IsZero() {
				r.sched.push(resp.PlanAt, func(ctx context.Context) error {
					if _, err := r.deps.Reviewer.SubmitPlan(ctx, owner, id, resp.RootCause, resp.Action); err != nil {
						return err
					}
					r.actions[id].plan = true
					return nil
				})
			}
			if !resp.CloseAt.IsZero() {
				r.sched.push(resp.CloseAt, func(ctx context.Context) error {
					if _, err := r.deps.Reviewer.CloseAction(ctx, admin(), id, resp.Note); err != nil {
						return err
					}
					r.actions[id].closedAt = r.deps.Clock.Now()
					return nil
				})
			}
		}
	}
	r.deps.Progress.Approved(len(cards), opened)
	return nil
}
