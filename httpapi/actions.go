package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
)

type planJSON struct {
	RootCause   string    `json:"root_cause"`
	Actions     string    `json:"actions"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// actionJSON is a corrective action on the wire. overdue is computed at the time of the
// request (not closed by the due date), never stored.
type actionJSON struct {
	ID          string     `json:"id"`
	SellerID    string     `json:"seller_id"`
	ScorecardID string     `json:"scorecard_id"`
	PointCode   string     `json:"point_code"`
	Severity    string     `json:"severity"`
	Status      string     `json:"status"`
	DueAt       time.Time  `json:"due_at"`
	Overdue     bool       `json:"overdue"`
	Plan        *planJSON  `json:"plan"`
	ClosingNote *string    `json:"closing_note"`
	ClosedAt    *time.Time `json:"closed_at"`
	CreatedAt   time.Time  `json:"created_at"`
}

func toActionJSON(now time.Time) func(audit.CorrectiveAction) actionJSON {
	return func(a audit.CorrectiveAction) actionJSON {
		out := actionJSON{ID: a.ID, SellerID: a.SellerID, ScorecardID: a.ScorecardID, PointCode: a.PointCode,
			Severity: string(a.Severity), Status: string(a.Status), DueAt: a.DueAt, Overdue: a.Overdue(now),
			ClosedAt: a.ClosedAt, CreatedAt: a.CreatedAt}
		if a.Plan != nil {
			out.Plan = &planJSON{RootCause: a.Plan.RootCause, Actions: a.Plan.Actions, SubmittedAt: a.Plan.SubmittedAt}
		}
		if a.Status == audit.ActionClosed {
			note := a.ClosingNote
			out.ClosingNote = &note
		}
		return out
	}
}

// listActions lists corrective actions in creation order, as the caller may see them
// (audit.Service.CorrectiveActions: a seller its own only). Overdue is judged at the request's
// instant, for the filter and for every item alike.
func (s *Server) listActions(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	sellerID := q.str("seller_id", 64)
	status := q.oneOf("status", string(audit.ActionOpen), string(audit.ActionPlanSubmitted), string(audit.ActionClosed), audit.ActionOverdue)
	if err := q.err(); err != nil {
		return err
	}
	now := s.now()
	items, next, err := s.svc.CorrectiveActions(c.Request().Context(), mustPrincipal(c), audit.ActionFilter{SellerID: sellerID, Status: status, Now: now}, page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, toActionJSON(now)))
}

func (s *Server) getAction(c echo.Context) error {
	a, err := s.svc.CorrectiveAction(c.Request().Context(), mustPrincipal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toActionJSON(s.now())(a))
}

// planRequest is a seller's answer to a corrective action: two texts of prose, which may hold
// line breaks and tabs (wire.TextTag).
type planRequest struct {
	RootCause string `json:"root_cause" text:"multiline"`
	Actions   string `json:"actions" text:"multiline"`
}

// submitPlan records a plan: the seller for its own action, or a manager or an admin on its
// behalf (audit.SubmitPlan checks who, the state and both texts).
func (s *Server) submitPlan(c echo.Context) error {
	var req planRequest
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	a, err := s.svc.SubmitPlan(c.Request().Context(), mustPrincipal(c), c.Param("id"), req.RootCause, req.Actions)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toActionJSON(s.now())(a))
}

// closeRequest is a manager's verification of a corrective action; the note is prose.
type closeRequest struct {
	Note string `json:"note" text:"multiline"`
}

func (s *Server) closeAction(c echo.Context) error {
	var req closeRequest
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	a, err := s.svc.CloseAction(c.Request().Context(), mustPrincipal(c), c.Param("id"), req.Note)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toActionJSON(s.now())(a))
}
