package console

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/reports"
)

// The scorecard page (console.md, "Quality manager" and "Seller"): every point with its
// status, value, threshold and samples, the failed ones first and said so in words; the
// evidence of each failed point, linking to each bench test and mystery order the person may
// open; approval with a comment for a draft; the PDF report. A seller sees its own approved
// scorecards only: the service answers "not found" for any other, drafts included.

// Evidence shown per failed point: the first evidenceInline ids on the page, all of them on
// the point's own view (?point=CODE), evidencePerPage at a time, so that no page grows with
// the size of a seller's evidence.
const (
	evidenceInline  = 50
	evidencePerPage = 500
)

// pointView is one point of the scorecard as the page shows it.
type pointView struct {
	checklist.PointResult
	Failed bool
	Value  string
	// Median and Standing place the value in the marketplace benchmark of the period, on an
	// approved scorecard: "—" where the benchmark is null (fewer than five sellers).
	Median, Standing string
}

// evidenceView is the evidence of one failed point, or the part of it shown.
type evidenceView struct {
	Code, Title string
	Total       int
	From        int // index of the first item shown
	Items       []evidenceItem
	More        string // the page that shows the rest, "" when everything is shown
	MoreLabel   string
	Prev        string // the previous part on the point's own view
	Whole       string // back to the scorecard
}

// evidenceItem is one record behind a failed point.
type evidenceItem struct {
	ID   string
	Kind string // "bench test", "mystery order", "KPI month", "corrective action", "record"
	Href string // its page, "" when the person may not open one (then the id shows as text)
}

// scorecardPage is the page of one scorecard.
type scorecardPage struct {
	Card     audit.Scorecard
	Seller   audit.Seller
	Points   []pointView
	Evidence []evidenceView
	// Point is the code of the point whose whole evidence is shown (?point=), "" for the
	// scorecard.
	Point        string
	CanApprove   bool
	SellerHref   string // the seller's page, when the person may open it
	Form         *form  // the approval form, with its errors
	Actions      []audit.CorrectiveAction
	JustApproved bool
	Now          time.Time
	// Benchmarked is set on an approved scorecard, whose points show the marketplace median
	// and their standing.
	Benchmarked bool
	// MinSellers is how many sellers a point's benchmark needs.
	MinSellers int
}

// scorecard is GET /console/scorecards/{id}.
func (c *Console) scorecard(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	page, err := c.scorecardView(r, s)
	if err != nil {
		return err
	}
	page.JustApproved = r.URL.Query().Has("approved") && page.Card.Status == audit.Approved
	page.Form = newForm(url.Values{})
	return c.render(w, r, s, http.StatusOK, "scorecard", scorecardTitle(page), page)
}

func scorecardTitle(p *scorecardPage) string {
	return "Scorecard " + periodLabel(p.Card.Period) + " of " + p.Seller.Name
}

// scorecardView reads scorecard {id} and everything its page shows, as s may see it.
func (c *Console) scorecardView(r *http.Request, s *signedIn) (*scorecardPage, error) {
	ctx, by, id := r.Context(), s.principal(), r.PathValue("id")
	sc, err := c.svc.Scorecard(ctx, by, id)
	if err != nil {
		return nil, err
	}
	seller, err := c.svc.Seller(ctx, by, sc.SellerID)
	if err != nil {
		return nil, err
	}
	page := &scorecardPage{Card: sc, Seller: seller, Now: c.now(),
		CanApprove: sc.Status == audit.Draft && c.rules["POST /console/scorecards/{id}/approve"].allows(s.User.Role)}
	if c.rules["GET /console/sellers/{id}"].allows(s.User.Role) {
		page.SellerHref = "/console/sellers/" + sc.SellerID
	}
	if sc.Status == audit.Approved {
		if page.Actions, _, err = c.svc.CorrectiveActions(ctx, by, audit.ActionFilter{SellerID: sc.SellerID, ScorecardID: sc.ID, Now: page.Now},
			audit.Page{Limit: audit.MaxLimit}); err != nil {
			return nil, err
		}
	}
	var market *audit.MarketComparison
	if sc.Status == audit.Approved {
		cmps, err := c.svc.CompareScorecards(ctx, sc)
		if err != nil {
			return nil, err
		}
		market, page.Benchmarked, page.MinSellers = cmps[0], true, audit.MinBenchmarkSellers
	}
	q := r.URL.Query()
	page.Point = q.Get("point")
	from, _ := strconv.Atoi(q.Get("from"))
	base := "/console/scorecards/" + sc.ID
	for i, p := range sc.Result.Points {
		v := pointView{PointResult: p, Failed: p.Status == checklist.PointFail, Value: formatValue(p)}
		if market != nil && i < len(market.Points) {
			v.Median, v.Standing = standingOf(p, market.Points[i])
		}
		page.Points = append(page.Points, v)
		if !v.Failed || (page.Point != "" && page.Point != p.Code) {
			continue
		}
		ev := evidenceView{Code: p.Code, Title: p.Title, Total: len(p.Evidence)}
		limit, start := evidenceInline, 0
		if page.Point == p.Code {
			limit, start = evidencePerPage, min(max(from, 0), len(p.Evidence))
			ev.Whole = base + "#evidence-" + p.Code
			if start > 0 {
				ev.Prev = pointURL(base, p.Code, max(start-evidencePerPage, 0))
			}
		}
		end := min(start+limit, len(p.Evidence))
		ev.From = start
		for _, eid := range p.Evidence[start:end] {
			ev.Items = append(ev.Items, c.evidenceItem(s, eid))
		}
		if end < len(p.Evidence) {
			if page.Point == p.Code {
				ev.More, ev.MoreLabel = pointURL(base, p.Code, end), "Later records"
			} else {
				ev.More, ev.MoreLabel = pointURL(base, p.Code, 0), fmt.Sprintf("All %d records of %s", len(p.Evidence), p.Code)
			}
		}
		page.Evidence = append(page.Evidence, ev)
	}
	if page.Point != "" && len(page.Evidence) == 0 {
		return nil, fmt.Errorf("scorecard %s has no failed point %q: %w", sc.ID, page.Point, audit.ErrNotFound)
	}
	// Failed points first, each group in charter order.
	slices.SortStableFunc(page.Points, func(a, b pointView) int {
		switch {
		case a.Failed == b.Failed:
			return 0
		case a.Failed:
			return -1
		}
		return 1
	})
	return page, nil
}

// pointURL is the view of a failed point's evidence from item from.
func pointURL(base, code string, from int) string {
	v := url.Values{"point": {code}}
	if from > 0 {
		v.Set("from", strconv.Itoa(from))
	}
	return base + "?" + v.Encode() + "#evidence-" + code
}

// evidenceItem is one evidence id, with the page of its record when s may open it: bench
// tests, mystery orders and lots (the rejected lots of the lot metrics, lots.md §7) have pages
// of their own, for the roles whose routes allow them (sellers have none: they see the ids,
// and the devices and lots in their PDF report).
func (c *Console) evidenceItem(s *signedIn, id string) evidenceItem {
	kinds := []struct {
		prefix, kind, route, href string
	}{
		{audit.PrefixBenchTest, "bench test", "GET /console/bench-tests/{id}", "/console/bench-tests/"},
		{audit.PrefixMysteryOrder, "mystery order", "GET /console/mystery-orders/{id}", "/console/mystery-orders/"},
		{audit.PrefixKPIMonth, "KPI month", "", ""},
		{audit.PrefixCorrectiveAction, "corrective action", "", ""},
		{audit.PrefixLot, "lot", "GET /console/lots/{id}", "/console/lots/"},
	}
	for _, k := range kinds {
		if !strings.HasPrefix(id, k.prefix+"_") {
			continue
		}
		it := evidenceItem{ID: id, Kind: k.kind}
		if ru, ok := c.rules[k.route]; ok && ru.allows(s.User.Role) {
			it.Href = k.href + id
		}
		return it
	}
	return evidenceItem{ID: id, Kind: "record"}
}

// formatValue is a point's value as the page shows it: a count as a whole number, a rate also
// as a percentage, anything else to at most four decimals.
func formatValue(p checklist.PointResult) string { return formatMetric(p.Metric, p.Value) }

// formatMetric is a value of a metric as the page shows it (formatValue).
func formatMetric(metric string, value float64) string {
	v := strconv.FormatFloat(value, 'f', 4, 64)
	v = strings.TrimRight(strings.TrimRight(v, "0"), ".")
	if strings.HasSuffix(metric, "_rate") {
		pct := strconv.FormatFloat(value*100, 'f', 1, 64)
		return v + " (" + pct + " %)"
	}
	return v
}

// standingOf words where point p of an approved scorecard stands in the benchmark of its
// period: the marketplace median with the number of sellers behind it, and the share of the
// other sellers whose value is worse. Without a benchmark (fewer than five sellers) both are
// "—"; a point the scorecard did not evaluate, or whose rule orders no values, has a median
// and no standing.
func standingOf(p checklist.PointResult, b *audit.PointComparison) (median, standing string) {
	if b == nil {
		return "—", "—"
	}
	median = formatMetric(p.Metric, b.Median) + ", " + strconv.Itoa(b.Sellers) + " sellers"
	switch {
	case b.BetterThan != nil:
		standing = "better than " + strconv.FormatFloat(*b.BetterThan*100, 'f', 0, 64) + " % of the other sellers"
	case p.Status == checklist.PointInsufficientData:
		standing = "not evaluated"
	default:
		standing = "not ranked"
	}
	return median, standing
}

// approveScorecard is POST /console/scorecards/{id}/approve: the manager's review of a draft,
// with an optional comment (comment). It redirects back to the scorecard with 303; a comment
// the domain refuses comes back on the page with 422, kept as typed, its error beside it.
// Approving a superseded draft is the 409 problem page naming its successor, approving twice
// the 409 of a conflict.
func (c *Console) approveScorecard(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := r.ParseForm(); err != nil {
		return audit.Invalid([]grading.FieldError{{Field: "", Message: "the form could not be read"}})
	}
	id := r.PathValue("id")
	_, _, err := c.svc.ApproveScorecard(r.Context(), s.principal(), id, r.PostForm.Get("comment"))
	var ve *audit.ValidationError
	if errors.As(err, &ve) {
		page, verr := c.scorecardView(r, s)
		if verr != nil {
			return verr
		}
		page.Form = newForm(url.Values{"comment": {r.PostForm.Get("comment")}})
		page.Form.setErrors(ve.Errors, "", func(f string) bool { return f == "comment" })
		return c.render(w, r, s, http.StatusUnprocessableEntity, "scorecard", scorecardTitle(page), page)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/scorecards/"+id+"?approved=1", http.StatusSeeOther)
	return nil
}

// scorecardReport is GET /console/scorecards/{id}/report.pdf: the PDF feedback report, built
// and drawn as the API's (reports.Builder decides what the person may see: a seller its own
// approved scorecards only). It is drawn whole into memory first, so a failure is a problem
// page and never half a file; its generation date is the day of the request.
func (c *Console) scorecardReport(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	in, err := c.reports.Input(r.Context(), s.principal(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := c.renderer.Render(&buf, reports.NewModel(in), c.now().UTC().Truncate(24*time.Hour)); err != nil {
		return fmt.Errorf("report of scorecard %s: %w", in.Scorecard.ID, err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="`+reports.FileName(in.Seller, in.Scorecard.Period)+`"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = buf.WriteTo(w)
	}
	return nil
}
