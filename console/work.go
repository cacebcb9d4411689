package console

import (
	"net/http"

	"github.com/refurbqa/refurbqa/audit"
)

// The technician's recent work (console.md, Technician): their own bench tests and mystery
// orders, newest first, with their grades and corrections, a page at a time. Whose work it is
// is the service's decision (audit.Service.RecentWork): the signed-in person's.

// workPageSize is the length of a page of recent work; homeWork the length of the list on the
// home page.
const (
	workPageSize = 50
	homeWork     = 10
)

// workRow is one record of the list, with its seller's name and its page.
type workRow struct {
	audit.Work
	Kind       recordKind
	SellerName string
}

// Href is the record's page.
func (w workRow) Href() string { return w.Kind.Path + "/" + w.ID }

// workPage is a page of recent work.
type workPage struct {
	Rows []workRow
	// Next is the address of the next (older) page, empty on the last; Later says whether this
	// page is not the first.
	Next  string
	Later bool
}

// recentWork reads a page of the person's recent work with the names of its sellers.
func (c *Console) recentWork(r *http.Request, s *signedIn, p audit.Page) (workPage, error) {
	items, next, err := c.svc.RecentWork(r.Context(), s.principal(), p)
	if err != nil {
		return workPage{}, err
	}
	page := workPage{Rows: make([]workRow, len(items)), Later: p.Cursor != ""}
	if next != "" {
		page.Next = "/console/work?cursor=" + queryEscape(next)
	}
	names := map[string]string{}
	for i, it := range items {
		name, ok := names[it.SellerID]
		if !ok {
			seller, err := c.svc.Seller(r.Context(), s.principal(), it.SellerID)
			if err != nil {
				return workPage{}, err
			}
			name, names[it.SellerID] = seller.Name, seller.Name
		}
		kind := benchTests
		if it.Kind == audit.WorkMysteryOrder {
			kind = mysteryOrders
		}
		page.Rows[i] = workRow{Work: it, Kind: kind, SellerName: name}
	}
	return page, nil
}

// work is GET /console/work: a page of the signed-in person's recent work (?cursor= the next).
func (c *Console) work(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	page, err := c.recentWork(r, s, audit.Page{Limit: workPageSize, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	return c.render(w, r, s, http.StatusOK, "work", "Recent work", page)
}
