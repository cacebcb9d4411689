// Package reports turns a seller scorecard into the seller feedback report: first a Model that
// resolves everything the report shows (summary, trend, failed points with their evidence,
// grade accuracy, device lots, open corrective actions), then a PDF rendered from that model to an
// io.Writer. Building the model is pure and cheap, so it can be tested without a PDF; the
// renderer only lays the model out and never looks anything up.
package reports

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

// Programme is the name printed at the top of every report, so a seller knows which
// programme the document comes from even when it is forwarded out of context.
const Programme = "refurbqa seller quality programme"

// Evidence kinds: what a record behind a failed point is.
const (
	EvidenceDevice = "device"    // a bench-tested unit
	EvidenceOrder  = "order"     // a mystery order
	EvidenceKPI    = "KPI month" // a month of operations figures (logistics and service points)
	EvidenceAction = "action"    // a corrective action (QC25)
	EvidenceLot    = "lot"       // a rejected device lot (the lot metrics, lots.md §7)
)

// Evidence is one record behind a failed point, as the report shows it. The Builder makes it
// from the record the Source returns; the identity is kept unmasked here so that masking is
// decided in one place, the renderer, and cannot be forgotten by a caller.
type Evidence struct {
	ID          string
	Kind        string     // EvidenceDevice, EvidenceOrder, EvidenceKPI, EvidenceAction or EvidenceLot
	Model       string     // brand and model of the device; what a KPI month, action or lot is
	Identity    string     // IMEI or serial, unmasked; the renderer shows only its last 4 characters
	Date        time.Time  // tested_at of a device, ordered_at of an order
	Grade       string     // e.g. "F0 · B · excellent", or the grading status
	OrderRef    string     // orders only
	DeliveredAt *time.Time // orders only; nil when not delivered
	Note        string
}

// Input is everything a report is built from. A Builder loads it, as the caller may see it;
// NewModel only combines it, so the report for a stored scorecard is reproducible.
type Input struct {
	Seller    audit.Seller
	Scorecard audit.Scorecard
	// History holds the seller's other scorecards, in any order. Only those that come before
	// this one (by period end, then period start, then creation time) are used, for the change
	// since the previous scorecard and the trend. Pass only approved ones for a report that
	// goes to the seller.
	History []audit.Scorecard
	// Evidence resolves, by id, the evidence ids of the failed points. An id missing from the
	// map still appears in the report, as a bare record id.
	Evidence map[string]Evidence
	// Orders are the grades of the period's mystery orders, for the grade-accuracy matrix.
	Orders []audit.OrderGrade
	// Actions are the seller's corrective actions; closed ones are left out of the report.
	Actions []audit.CorrectiveAction
	// Lots are the seller's device lots decided in the period, in any order; pending lots,
	// parts lots and other sellers' lots are left out of the report.
	Lots []audit.Lot
	// Market compares an approved scorecard's points with the marketplace benchmark of its
	// period (audit.MarketComparison); nil for drafts, which have none.
	Market *audit.MarketComparison
}

// Model is a report resolved and ready to lay out. Every slice is in display order, so
// rendering the same model always gives the same document.
type Model struct {
	Programme      string
	SellerID       string
	SellerName     string // exactly as registered
	ScorecardID    string
	Period         audit.Period
	CharterVersion string
	Status         audit.ScorecardStatus
	SupersededBy   string // the scorecard that replaced a superseded draft
	Summary        Summary
	Trend          []TrendPoint // oldest first; the last one is this scorecard
	Points         []Point      // every charter point, in charter order
	Failed         []FailedPoint
	Accuracy       Accuracy
	Lots           []Lot    // the device lots decided in the period, in the order decided
	Actions        []Action // not closed, by due date
}

// Summary is the two-minute answer to "where do I stand".
type Summary struct {
	Score          *float64 // nil when nothing was evaluated
	Tier           checklist.Tier
	Passed         int
	Failed         int
	Insufficient   int
	FailedCritical int
	// Previous is the latest earlier scorecard with a score; nil for a first scorecard.
	Previous *Previous
	// Change is Score minus the previous score, rounded to one decimal; nil when either is
	// missing.
	Change *float64
}

// Previous identifies the scorecard the change in score is measured against, so the report
// can say what the change is relative to.
type Previous struct {
	ScorecardID string
	Period      audit.Period
	Score       float64
}

// TrendPoint is one scorecard on the trend chart.
type TrendPoint struct {
	ScorecardID string
	Period      audit.Period
	Score       *float64 // only the current scorecard may lack a score
	Current     bool
}

// Point is one charter point as the report shows it.
type Point struct {
	Code      string
	Title     string
	Area      string
	Severity  checklist.Severity
	Weight    int
	Status    checklist.PointStatus
	Metric    string
	Value     float64
	Threshold string // e.g. "== 0", ">= 0.95"
	Samples   int
	// Benchmark is where the point stands in the marketplace benchmark of the period: nil on
	// a draft and where the benchmark is null (fewer than audit.MinBenchmarkSellers sellers).
	Benchmark *audit.PointComparison
}

// Expectation is the rule of the point as the charter states it, e.g.
// "functional_fail_rate == 0": the seller sees exactly what it is measured against.
func (p Point) Expectation() string {
	return strings.TrimSpace(p.Metric + " " + p.Threshold)
}

// FailedPoint is a failed point with the records behind its failure.
type FailedPoint struct {
	Point    Point
	Evidence []EvidenceRow // in the order of the point's evidence ids
}

// EvidenceRow is one evidence id of a failed point. Found is false when the id could not be
// resolved: the row is still shown, with only its id, so nothing disappears silently.
type EvidenceRow struct {
	Evidence
	Found bool
}

// Observed grade columns of the accuracy matrix: the four marketplace grades, then
// "not sellable" for a device that may not be listed at all.
const (
	ObservedNotSellable = 4 // column index of "not sellable"
	observedColumns     = 5
	listedRows          = 4
)

// ListedGrades are the rows of the accuracy matrix, best first. It is a function rather than
// a variable so that no caller can change it.
func ListedGrades() []grading.Marketplace {
	return []grading.Marketplace{grading.Premium, grading.Excellent, grading.Good, grading.Fair}
}

// Accuracy is the listed-grade × observed-grade matrix of the period's mystery orders.
// Counts[l][o] is the number of orders listed as ListedGrades()[l] and observed as
// ListedGrades()[o], or not sellable when o is ObservedNotSellable.
type Accuracy struct {
	Counts      [listedRows][observedColumns]int
	Orders      int // orders in the matrix
	Matched     int
	Overgraded  int // observed below the listed grade (including not sellable)
	Undergraded int
	// Orders left out of the matrix, counted so that the report can say so.
	UnknownListed int // no (or an unknown) listed grade
	Incomplete    int // inspection incomplete, so no observed grade
	Superseded    int // corrected by a later intake
}

// Action is a corrective action that is not closed.
type Action struct {
	ID         string
	PointCode  string
	PointTitle string
	Severity   checklist.Severity
	Status     audit.ActionStatus
	DueAt      time.Time
	// New is true for an action opened by the approval of this very scorecard.
	New bool
}

// Overdue reports whether the action is past its due date at the given time (the report's
// generation date, never the clock).
func (a Action) Overdue(at time.Time) bool { return at.After(a.DueAt) }

// NewModel resolves in into a report model. It never fails: missing pieces (no history, an
// unresolved evidence id, no mystery orders) become explicit states of the model that the
// report shows.
func NewModel(in Input) Model {
	sc := in.Scorecard
	m := Model{
		Programme:      Programme,
		SellerID:       cmp.Or(in.Seller.ID, sc.SellerID),
		SellerName:     in.Seller.Name,
		ScorecardID:    sc.ID,
		Period:         sc.Period,
		CharterVersion: sc.CharterVersion,
		Status:         sc.Status,
		SupersededBy:   sc.SupersededBy,
	}

	titles := make(map[string]string, len(sc.Result.Points))
	m.Points = make([]Point, 0, len(sc.Result.Points))
	for i, pr := range sc.Result.Points {
		p := Point{
			Code: pr.Code, Title: pr.Title, Area: pr.Area, Severity: pr.Severity,
			Weight: pr.Weight, Status: pr.Status, Metric: pr.Metric, Value: pr.Value,
			Threshold: pr.Threshold, Samples: pr.Samples,
		}
		if in.Market != nil && i < len(in.Market.Points) && in.Market.Points[i] != nil {
			c := *in.Market.Points[i]
			p.Benchmark = &c
		}
		m.Points = append(m.Points, p)
		titles[pr.Code] = pr.Title
		switch pr.Status {
		case checklist.PointPass:
			m.Summary.Passed++
		case checklist.PointFail:
			m.Summary.Failed++
			if pr.Severity == checklist.Critical {
				m.Summary.FailedCritical++
			}
			m.Failed = append(m.Failed, FailedPoint{Point: p, Evidence: resolve(pr.Evidence, in.Evidence)})
		default:
			m.Summary.Insufficient++
		}
	}
	m.Summary.Score = copyScore(sc.Result.Score)
	m.Summary.Tier = sc.Result.Tier

	earlier := earlierScorecards(sc, in.History)
	if n := len(earlier); n > 0 {
		prev := earlier[n-1]
		m.Summary.Previous = &Previous{ScorecardID: prev.ID, Period: prev.Period, Score: *prev.Result.Score}
		if m.Summary.Score != nil {
			c := round1(*m.Summary.Score - *prev.Result.Score)
			m.Summary.Change = &c
		}
	}
	if len(earlier) > 5 {
		earlier = earlier[len(earlier)-5:]
	}
	for _, e := range earlier {
		m.Trend = append(m.Trend, TrendPoint{ScorecardID: e.ID, Period: e.Period, Score: copyScore(e.Result.Score)})
	}
	m.Trend = append(m.Trend, TrendPoint{ScorecardID: sc.ID, Period: sc.Period, Score: copyScore(sc.Result.Score), Current: true})

	m.Accuracy = accuracy(in.Orders)
	m.Lots = deviceLots(m.SellerID, in.Lots)
	m.Actions = openActions(in.Actions, sc.ID, titles)
	return m
}

// resolve turns evidence ids into rows, keeping their order and every id.
func resolve(ids []string, byID map[string]Evidence) []EvidenceRow {
	rows := make([]EvidenceRow, 0, len(ids))
	for _, id := range ids {
		e, ok := byID[id]
		if !ok {
			rows = append(rows, EvidenceRow{Evidence: Evidence{ID: id}})
			continue
		}
		if e.ID == "" {
			e.ID = id
		}
		rows = append(rows, EvidenceRow{Evidence: e, Found: true})
	}
	return rows
}

// earlierScorecards returns the scorecards of history that come before sc and have a score,
// oldest first.
func earlierScorecards(sc audit.Scorecard, history []audit.Scorecard) []audit.Scorecard {
	var out []audit.Scorecard
	for _, h := range history {
		if h.ID != "" && h.ID == sc.ID {
			continue
		}
		if h.SellerID != "" && sc.SellerID != "" && h.SellerID != sc.SellerID {
			continue
		}
		if h.Result.Score == nil || audit.CompareScorecards(h, sc) >= 0 {
			continue
		}
		out = append(out, h)
	}
	slices.SortStableFunc(out, audit.CompareScorecards)
	return out
}

func accuracy(orders []audit.OrderGrade) Accuracy {
	var a Accuracy
	superseded := make(map[string]bool)
	for _, o := range orders {
		if o.Supersedes != "" {
			superseded[o.Supersedes] = true
		}
	}
	for _, o := range orders {
		if superseded[o.ID] {
			a.Superseded++
			continue
		}
		l := gradeIndex(o.ListedGrade)
		if l < 0 {
			a.UnknownListed++
			continue
		}
		if o.Status == grading.Incomplete || o.Status == "" {
			a.Incomplete++
			continue
		}
		obs := ObservedNotSellable
		if o.Status == grading.Sellable {
			if i := gradeIndex(o.Marketplace); i >= 0 {
				obs = i
			}
		}
		a.Counts[l][obs]++
		a.Orders++
		switch {
		case obs == l:
			a.Matched++
		case obs > l:
			a.Overgraded++
		default:
			a.Undergraded++
		}
	}
	return a
}

func gradeIndex(g grading.Marketplace) int {
	return slices.Index(ListedGrades(), g)
}

func openActions(actions []audit.CorrectiveAction, scorecardID string, titles map[string]string) []Action {
	var out []Action
	for _, a := range actions {
		if a.Status == audit.ActionClosed || a.ClosedAt != nil {
			continue
		}
		out = append(out, Action{
			ID:         a.ID,
			PointCode:  a.PointCode,
			PointTitle: titles[a.PointCode],
			Severity:   a.Severity,
			Status:     a.Status,
			DueAt:      a.DueAt,
			New:        scorecardID != "" && a.ScorecardID == scorecardID,
		})
	}
	slices.SortStableFunc(out, func(a, b Action) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), strings.Compare(a.PointCode, b.PointCode), strings.Compare(a.ID, b.ID))
	})
	return out
}

func copyScore(s *float64) *float64 {
	if s == nil {
		return nil
	}
	v := *s
	return &v
}

func round1(v float64) float64 {
	r := math.Round(v*10) / 10
	if r == 0 {
		return 0 // no negative zero: "−0.0" would read as a drop
	}
	return r
}
