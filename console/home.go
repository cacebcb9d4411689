package console

import (
	"net/http"
	"net/url"

	"github.com/refurbqa/refurbqa/audit"
)

// homePage is the signed-in person's home (console.md, /console/): for a technician, the
// first step of a bench test and their last records; for a manager or an admin, the
// overview (overview); for a seller, its approved scorecards and their score trend.
type homePage struct {
	Choose   *choosePage
	Work     *workPage
	Overview *audit.Overview
	// LotsRejected is the overview's count of the lots rejected this month.
	LotsRejected *rejectedLots
	Scorecards   []audit.ScorecardSummary
	Chart        *trendChart
}

func (c *Console) home(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	switch s.User.Role {
	case audit.RoleManager, audit.RoleAdmin:
		return c.overview(w, r, s)
	case audit.RoleSeller:
		return c.sellerHome(w, r, s)
	}
	choose, err := c.choices(r, s, benchTests, newForm(url.Values{}))
	if err != nil {
		return err
	}
	work, err := c.recentWork(r, s, audit.Page{Limit: homeWork})
	if err != nil {
		return err
	}
	return c.render(w, r, s, http.StatusOK, "home", "Home", homePage{Choose: choose, Work: &work})
}

// sellerHome is a seller's results: its latest approved scorecards, each linking to its page,
// and their score trend. Drafts are never among them (the service shows a seller its approved
// scorecards only).
func (c *Console) sellerHome(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	cards, _, err := c.svc.SellerScorecardSummaries(r.Context(), s.principal(), s.User.SellerID, audit.Approved, audit.Page{Limit: cardsPerPage})
	if err != nil {
		return err
	}
	name := "your scores"
	if len(cards) > 0 {
		name = cards[0].SellerName
	}
	page := homePage{Scorecards: cards, Chart: newTrendChart("trend", name, cards)}
	return c.render(w, r, s, http.StatusOK, "home", "Home", page)
}
