package console

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
)

// Corrective actions (console.md, Quality manager and Seller): the managers' list, filtered by
// status and seller, and each action's page, where its seller (or a manager on its behalf)
// states the root cause and the actions, and a manager verifies it and closes it with a note.
// Who sees which action is the service's decision: a seller its own only, any other being not
// found, exactly as in the API.

// actionsPageSize is the length of a page of the list.
const actionsPageSize = 50

// actionStatuses are the status filters of the list, in the order of an action's life.
var actionStatuses = []string{string(audit.ActionOpen), string(audit.ActionPlanSubmitted), string(audit.ActionClosed), audit.ActionOverdue}

// actionRow is one action of the list with what the list shows beside it.
type actionRow struct {
	audit.CorrectiveAction
	Overdue    bool
	SellerName string
}

// actionsPage is a page of the list and its filter.
type actionsPage struct {
	Filter   *form
	Statuses []string
	// BySeller says whether the filter has a seller field (managers and admins: a seller's
	// list is its own); Sellers are its choices, nil when there are too many to list.
	BySeller bool
	Sellers  []audit.Seller
	// SellerPages says whether seller names link to the managers' seller pages.
	SellerPages bool
	Rows        []actionRow
	Next        string
	Later       bool
	First       string
}

// actions is GET /console/corrective-actions?status=&seller_id=&cursor=: the actions the
// person may see, in creation order, 50 a page. Overdue is judged at one instant for the filter
// and for every row's flag.
func (c *Console) actions(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	q := r.URL.Query()
	filter := url.Values{}
	for _, name := range []string{"status", "seller_id"} {
		if v := strings.TrimSpace(q.Get(name)); v != "" {
			filter.Set(name, v)
		}
	}
	page := actionsPage{Filter: newForm(filter), Statuses: actionStatuses, Later: q.Get("cursor") != "",
		BySeller: s.User.Role != audit.RoleSeller, SellerPages: managerPages(s)}
	page.First = "/console/corrective-actions"
	if enc := filter.Encode(); enc != "" {
		page.First += "?" + enc
	}
	if page.BySeller {
		var err error
		if page.Sellers, err = c.sellerChoices(r, s); err != nil {
			return err
		}
	}
	now := c.now()
	f := audit.ActionFilter{Status: filter.Get("status"), Now: now}
	if page.BySeller {
		f.SellerID = filter.Get("seller_id")
	}
	items, next, err := c.svc.CorrectiveActions(r.Context(), s.principal(), f, audit.Page{Limit: actionsPageSize, Cursor: q.Get("cursor")})
	var ve *audit.ValidationError
	if errors.As(err, &ve) {
		page.Filter.setErrors(ve.Errors, "", func(name string) bool { return name == "status" || name == "seller_id" })
		return c.render(w, r, s, http.StatusUnprocessableEntity, "actions", "Corrective actions", page)
	}
	if err != nil {
		return err
	}
	if next != "" {
		v := url.Values{}
		for k, vals := range filter {
			v[k] = vals
		}
		v.Set("cursor", next)
		page.Next = "/console/corrective-actions?" + v.Encode()
	}
	names := map[string]string{}
	for _, a := range items {
		name, ok := names[a.SellerID]
		if !ok {
			seller, err := c.svc.Seller(r.Context(), s.principal(), a.SellerID)
			if err != nil {
				return err
			}
			name, names[a.SellerID] = seller.Name, seller.Name
		}
		page.Rows = append(page.Rows, actionRow{CorrectiveAction: a, Overdue: a.Overdue(now), SellerName: name})
	}
	return c.render(w, r, s, http.StatusOK, "actions", "Corrective actions", page)
}

// actionPage is the page of one corrective action: what it asks, the plan, the closing note,
// and the forms its reader may send.
type actionPage struct {
	A       audit.CorrectiveAction
	Overdue bool
	Seller  audit.Seller
	// Point is the failed point of the approved scorecard that opened the action; nil if the
	// scorecard cannot be read.
	Point       *checklist.PointResult
	Scorecard   *audit.Scorecard
	SellerPages bool
	// Plan and Close are the two forms, nil when the reader may not send them or the action
	// is closed.
	Plan, Close *form
	// OnBehalf says that the plan form is a manager's, sent for the seller.
	OnBehalf bool
}

// action is GET /console/corrective-actions/{id}.
func (c *Console) action(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	page, err := c.actionPage(r, s, r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.renderAction(w, r, s, http.StatusOK, page)
}

// actionPage reads corrective action id as s may see it, with its forms filled from the
// stored action.
func (c *Console) actionPage(r *http.Request, s *signedIn, id string) (*actionPage, error) {
	a, err := c.svc.CorrectiveAction(r.Context(), s.principal(), id)
	if err != nil {
		return nil, err
	}
	seller, err := c.svc.Seller(r.Context(), s.principal(), a.SellerID)
	if err != nil {
		return nil, err
	}
	page := &actionPage{A: a, Overdue: a.Overdue(c.now()), Seller: seller,
		SellerPages: managerPages(s), OnBehalf: s.User.Role != audit.RoleSeller}
	sc, err := c.svc.Scorecard(r.Context(), s.principal(), a.ScorecardID)
	switch {
	case err == nil:
		page.Scorecard = &sc
		for i := range sc.Result.Points {
			if sc.Result.Points[i].Code == a.PointCode {
				page.Point = &sc.Result.Points[i]
			}
		}
	case !errors.Is(err, audit.ErrNotFound):
		return nil, err
	}
	if a.Status != audit.ActionClosed {
		if c.may(s, "POST /console/corrective-actions/{id}/plan") {
			v := url.Values{}
			if p := a.Plan; p != nil {
				v.Set("root_cause", p.RootCause)
				v.Set("actions", p.Actions)
			}
			page.Plan = newForm(v)
		}
		if c.may(s, "POST /console/corrective-actions/{id}/close") {
			page.Close = newForm(nil)
		}
	}
	return page, nil
}

func (c *Console) renderAction(w http.ResponseWriter, r *http.Request, s *signedIn, status int, page *actionPage) error {
	return c.render(w, r, s, status, "action", "Corrective action "+page.A.PointCode+" of "+page.Seller.Name, page)
}

// managerPages reports whether the person works on the managers' pages of sellers and
// scorecards (/console/sellers/{id}), which a page links to.
func managerPages(s *signedIn) bool { return slices.Contains(managers, s.User.Role) }

// multiline is a text typed in a textarea with its line breaks as the API's clients send them:
// browsers send CR LF, which would count twice against the length limit.
func multiline(v string) string { return strings.ReplaceAll(v, "\r\n", "\n") }

// submitPlan is POST /console/corrective-actions/{id}/plan (root_cause, actions): the
// seller's answer, or a manager's on its behalf. A refusal comes back on the page with the
// texts kept and each error beside its field.
func (c *Console) submitPlan(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := r.ParseForm(); err != nil {
		return audit.Invalid(nil)
	}
	id := r.PathValue("id")
	rootCause, actions := multiline(r.PostForm.Get("root_cause")), multiline(r.PostForm.Get("actions"))
	_, err := c.svc.SubmitPlan(r.Context(), s.principal(), id, rootCause, actions)
	var ve *audit.ValidationError
	if errors.As(err, &ve) {
		page, perr := c.actionPage(r, s, id)
		if perr != nil {
			return perr
		}
		page.Plan = newForm(url.Values{"root_cause": {rootCause}, "actions": {actions}})
		page.Plan.setErrors(ve.Errors, "", func(name string) bool { return name == "root_cause" || name == "actions" })
		return c.renderAction(w, r, s, http.StatusUnprocessableEntity, page)
	}
	if err != nil {
		return err
	}
	c.flash(r, "The plan was submitted: a quality manager will verify it.")
	http.Redirect(w, r, "/console/corrective-actions/"+id, http.StatusSeeOther)
	return nil
}

// closeAction is POST /console/corrective-actions/{id}/close (note): a manager's verification.
func (c *Console) closeAction(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := r.ParseForm(); err != nil {
		return audit.Invalid(nil)
	}
	id := r.PathValue("id")
	note := multiline(r.PostForm.Get("note"))
	_, err := c.svc.CloseAction(r.Context(), s.principal(), id, note)
	var ve *audit.ValidationError
	if errors.As(err, &ve) {
		page, perr := c.actionPage(r, s, id)
		if perr != nil {
			return perr
		}
		page.Close = newForm(url.Values{"note": {note}})
		page.Close.setErrors(ve.Errors, "", func(name string) bool { return name == "note" })
		return c.renderAction(w, r, s, http.StatusUnprocessableEntity, page)
	}
	if err != nil {
		return err
	}
	c.flash(r, "The corrective action was closed.")
	http.Redirect(w, r, "/console/corrective-actions/"+id, http.StatusSeeOther)
	return nil
}
