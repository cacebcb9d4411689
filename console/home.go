package console

import (
	"net/http"
	"net/url"

	"github.com/refurbqa/refurbqa/audit"
)

// homePage is the signed-in person's home (console.md, /console/): for the people at the
// bench, the first step of a bench test and their last records; for a seller, its approved
// scorecards.
type homePage struct {
	Choose     *choosePage
	Work       *workPage
	Scorecards []audit.Scorecard
}

func (c *Console) home(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	var page homePage
	if s.User.Role == audit.RoleSeller {
		cards, _, err := c.svc.SellerScorecards(r.Context(), s.principal(), s.User.SellerID, audit.Approved, audit.Page{Limit: 24})
		if err != nil {
			return err
		}
		page.Scorecards = cards
		return c.render(w, r, s, http.StatusOK, "home", "Home", page)
	}
	choose, err := c.choices(r, s, benchTests, newForm(url.Values{}))
	if err != nil {
		return err
	}
	work, err := c.recentWork(r, s, audit.Page{Limit: homeWork})
	if err != nil {
		return err
	}
	page.Choose, page.Work = choose, &work
	return c.render(w, r, s, http.StatusOK, "home", "Home", page)
}
