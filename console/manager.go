package console

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
)

// The quality managers' pages (console.md, "Quality manager"): the overview, which is their
// home; the seller list and a seller's page; the review queue of a period. Every list comes
// from a use case of the domain that reads it in a few statements whatever the size of the
// marketplace (audit/standing.go), so that each page is rendered in a few milliseconds on
// thousands of sellers; each is one page of its list, with a link to the next.

// Page sizes of the managers' lists.
const (
	sellersPerPage    = 50
	reviewPerPage     = 50
	cardsPerPage      = 24 // a seller's scorecards, and the approved ones its trend draws
	actionsPerPage    = 25
	maxTrendScorecard = cardsPerPage
)

// overview is the manager's and the admin's home: where the sellers stand and what waits for
// them.
func (c *Console) overview(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	o, err := c.svc.Overview(r.Context(), s.principal())
	if err != nil {
		return err
	}
	rejected, err := c.rejectedThisMonth(r, s)
	if err != nil {
		return err
	}
	return c.render(w, r, s, http.StatusOK, "home", "Overview", homePage{Overview: &o, LotsRejected: rejected})
}

// sortColumn is the header of a sortable column: a link that sorts by it (or reverses the
// order when it is the current one), and its aria-sort.
type sortColumn struct {
	Label string
	Href  string
	Sort  string // "ascending", "descending" or "" (not sorted by this column)
	Note  string // what ascending means, for the title of the link
}

// sortColumns are the headers of the columns keys of a list at base, ordered by current, with
// the other parameters of q kept (the cursor dropped: a new order starts at the first page).
func sortColumns(base string, q url.Values, current audit.ListOrder, cols ...colSpec) map[string]sortColumn {
	out := map[string]sortColumn{}
	for _, col := range cols {
		next := audit.ListOrder{By: col.key}
		sc := sortColumn{Label: col.label}
		if current.By == col.key {
			next.Desc = !current.Desc
			sc.Sort = "ascending"
			if current.Desc {
				sc.Sort = "descending"
			}
		}
		switch col.key {
		case audit.SortScore, audit.SortTier:
			sc.Note = "worst first; again for best first"
		default:
			sc.Note = "A to Z; again for Z to A"
		}
		sc.Href = pageURL(base, q, "sort", next.String(), "cursor", "")
		out[string(col.key)] = sc
	}
	return out
}

// colSpec names a sortable column: its key and its header.
type colSpec struct {
	key   audit.ListSort
	label string
}

// pageURL is base with the parameters of q, changed by the pairs of kv (an empty value drops
// the parameter).
func pageURL(base string, q url.Values, kv ...string) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = slices.Clone(vs)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

// sellersPage is the seller list.
type sellersPage struct {
	Form    *form
	Tiers   []checklist.Tier
	Columns map[string]sortColumn
	Sellers []audit.Standing
	Next    string // the next page, "" on the last
	First   string // the first page, "" on it
}

// sellers is GET /console/sellers: every seller with its latest approved score and tier and
// its trend, searchable by name or id (?q=), by tier (?tier=), sorted by name, country, score
// or tier (?sort=, "-" for the reverse order), one page at a time (?cursor=).
func (c *Console) sellers(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	q := listParams(r.URL.Query(), "q", "tier", "sort", "cursor")
	order, err := audit.ParseOrder(q.Get("sort"), audit.ListOrder{By: audit.SortName}, audit.SellerOrders...)
	if err != nil {
		return err
	}
	f := audit.StandingFilter{Query: q.Get("q"), Tier: checklist.Tier(q.Get("tier")), Order: order}
	list, next, err := c.svc.SellerStandings(r.Context(), s.principal(), f, audit.Page{Limit: sellersPerPage, Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	page := sellersPage{Form: newForm(q), Tiers: audit.Tiers, Sellers: list,
		Columns: sortColumns("/console/sellers", q, order,
			colSpec{audit.SortName, "Seller"}, colSpec{audit.SortCountry, "Country"},
			colSpec{audit.SortScore, "Latest score"}, colSpec{audit.SortTier, "Tier"})}
	if next != "" {
		page.Next = pageURL("/console/sellers", q, "cursor", next)
	}
	if q.Get("cursor") != "" {
		page.First = pageURL("/console/sellers", q, "cursor", "")
	}
	return c.render(w, r, s, http.StatusOK, "sellers", "Sellers", page)
}

// listParams keeps the named parameters of a list's query that have a value, trimmed.
func listParams(in url.Values, names ...string) url.Values {
	out := url.Values{}
	for _, n := range names {
		if v := strings.TrimSpace(in.Get(n)); v != "" {
			out.Set(n, v)
		}
	}
	return out
}

// sellerPage is one seller's page.
type sellerPage struct {
	Standing audit.Standing
	Chart    *trendChart
	Counts   audit.RecordCounts
	// Status is the state of the scorecards listed ("": the current ones, drafts and
	// approved; or exactly draft, approved or superseded: the drafts a re-audit replaced).
	Status      audit.ScorecardStatus
	Cards       []audit.ScorecardSummary
	CardsNext   string
	CardsFirst  string
	CardsOther  string // the superseded drafts, or the current scorecards when listing those
	KPIs        []audit.KPIMonth
	Actions     []audit.CorrectiveAction
	ActionsNext string
	ActionsTop  string
	Now         time.Time
	// Lots are the seller's device lots, newest first.
	Lots *sellerLots
	// Profile is whether the seller's public profile is shown (profile.go).
	Profile audit.ProfileSetting
}

// seller is GET /console/sellers/{id}: the seller's standing and score trend, its scorecards
// (?status=superseded for the replaced drafts; ?cards= pages), KPI months, bench-test and
// mystery-order counts, corrective actions (?actions= pages) and device lots (?lots= pages).
func (c *Console) seller(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	ctx, by, id := r.Context(), s.principal(), r.PathValue("id")
	q := listParams(r.URL.Query(), "status", "cards", "actions", "lots")
	standing, err := c.svc.SellerStanding(ctx, by, id)
	if err != nil {
		return err
	}
	page := sellerPage{Standing: standing, Status: audit.ScorecardStatus(q.Get("status")), Now: c.now()}
	approved, _, err := c.svc.SellerScorecardSummaries(ctx, by, id, audit.Approved, audit.Page{Limit: maxTrendScorecard})
	if err != nil {
		return err
	}
	page.Chart = newTrendChart("trend", standing.Seller.Name, approved)
	if page.Counts, err = c.svc.SellerRecordCounts(ctx, by, id); err != nil {
		return err
	}
	if page.Profile, err = c.svc.ProfileSetting(ctx, by, id); err != nil {
		return err
	}
	base := "/console/sellers/" + id
	var next string
	if page.Cards, next, err = c.svc.SellerScorecardSummaries(ctx, by, id, page.Status, audit.Page{Limit: cardsPerPage, Cursor: q.Get("cards")}); err != nil {
		return err
	}
	if next != "" {
		page.CardsNext = pageURL(base, q, "cards", next) + "#scorecards"
	}
	if q.Get("cards") != "" {
		page.CardsFirst = pageURL(base, q, "cards", "") + "#scorecards"
	}
	if page.Status == audit.Superseded {
		page.CardsOther = pageURL(base, q, "status", "", "cards", "") + "#scorecards"
	} else {
		page.CardsOther = pageURL(base, q, "status", string(audit.Superseded), "cards", "") + "#scorecards"
	}
	months, err := audit.All(func(p audit.Page) ([]audit.KPIMonth, string, error) {
		return c.svc.KPIMonths(ctx, by, id, p)
	})
	if err != nil {
		return err
	}
	slices.Reverse(months) // the latest month first
	page.KPIs = months
	if page.Actions, next, err = c.svc.CorrectiveActions(ctx, by, audit.ActionFilter{SellerID: id, Now: page.Now},
		audit.Page{Limit: actionsPerPage, Cursor: q.Get("actions")}); err != nil {
		return err
	}
	if next != "" {
		page.ActionsNext = pageURL(base, q, "actions", next) + "#actions"
	}
	if q.Get("actions") != "" {
		page.ActionsTop = pageURL(base, q, "actions", "") + "#actions"
	}
	if page.Lots, err = c.sellerLotsOf(r, s, standing.Seller, base, q); err != nil {
		return err
	}
	return c.render(w, r, s, http.StatusOK, "seller", standing.Seller.Name, page)
}

// reviewPage is the review queue of a period, or the choice of a period.
type reviewPage struct {
	Form    *form
	Period  *audit.Period
	Periods []audit.DraftPeriod // the periods with drafts waiting, to choose from
	Items   []audit.ScorecardSummary
	Columns map[string]sortColumn
	Next    string
	First   string
}

// review is GET /console/review: with ?period_start=&period_end= (the dates of an audit
// period, end exclusive, as the API's audits take them), the drafts of that period waiting for
// review, sorted by tier (worst first), score or seller name (?sort=, "-" for the reverse),
// each linking to its scorecard, where it is approved; without, the periods that have drafts
// waiting, to choose from.
func (c *Console) review(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	ctx, by := r.Context(), s.principal()
	q := listParams(r.URL.Query(), "period_start", "period_end", "sort", "cursor")
	page := reviewPage{Form: newForm(q)}
	o, err := c.svc.Overview(ctx, by)
	if err != nil {
		return err
	}
	page.Periods = o.Drafts
	if !q.Has("period_start") && !q.Has("period_end") {
		return c.render(w, r, s, http.StatusOK, "review", "Review queue", page)
	}
	p, perrs := audit.ParsePeriod(q.Get("period_start"), q.Get("period_end"))
	if len(perrs) > 0 {
		page.Form.setErrors(perrs, "", func(f string) bool { return f == "period_start" || f == "period_end" })
		return c.render(w, r, s, http.StatusUnprocessableEntity, "review", "Review queue", page)
	}
	order, err := audit.ParseOrder(q.Get("sort"), audit.ListOrder{By: audit.SortTier}, audit.ReviewOrders...)
	if err != nil {
		return err
	}
	var next string
	page.Items, next, err = c.svc.ReviewQueue(ctx, by, audit.ReviewFilter{Period: p, Order: order},
		audit.Page{Limit: reviewPerPage, Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	page.Period = &p
	page.Columns = sortColumns("/console/review", q, order,
		colSpec{audit.SortName, "Seller"}, colSpec{audit.SortScore, "Score"}, colSpec{audit.SortTier, "Tier"})
	if next != "" {
		page.Next = pageURL("/console/review", q, "cursor", next)
	}
	if q.Get("cursor") != "" {
		page.First = pageURL("/console/review", q, "cursor", "")
	}
	return c.render(w, r, s, http.StatusOK, "review", "Review queue "+periodLabel(p), page)
}

// reviewURL is the review queue of a period.
func reviewURL(p audit.Period) string {
	return "/console/review?" + url.Values{"period_start": {p.Start.UTC().Format(time.DateOnly)},
		"period_end": {p.End.UTC().Format(time.DateOnly)}}.Encode()
}
