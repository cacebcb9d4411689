package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
)

type auditRequest struct {
	SellerID       string `json:"seller_id"`
	PeriodStart    string `json:"period_start"`
	PeriodEnd      string `json:"period_end"`
	CharterVersion string `json:"charter_version"`
}

type batchAuditRequest struct {
	PeriodStart    string `json:"period_start"`
	PeriodEnd      string `json:"period_end"`
	CharterVersion string `json:"charter_version"`
}

// batchAuditJSON is the answer of a batch audit: the new draft of every seller.
type batchAuditJSON struct {
	Count        int      `json:"count"`
	ScorecardIDs []string `json:"scorecard_ids"`
}

type pointJSON struct {
	Code      string   `json:"code"`
	Title     string   `json:"title"`
	Area      string   `json:"area"`
	Severity  string   `json:"severity"`
	Weight    int      `json:"weight"`
	Status    string   `json:"status"`
	Metric    string   `json:"metric"`
	Value     float64  `json:"value"`
	Threshold string   `json:"threshold"`
	Samples   int      `json:"samples"`
	Evidence  []string `json:"evidence"`
	// Benchmark is where the point stands in the marketplace benchmark of the period: on an
	// approved scorecard, where the benchmark is published; null otherwise.
	Benchmark *scorecardBenchmarkJSON `json:"benchmark"`
}

type reviewJSON struct {
	ApprovedBy string    `json:"approved_by"`
	Comment    string    `json:"comment"`
	ApprovedAt time.Time `json:"approved_at"`
}

// scorecardJSON is a scorecard exactly as api.md shows it.
type scorecardJSON struct {
	ID              string      `json:"id"`
	SellerID        string      `json:"seller_id"`
	PeriodStart     string      `json:"period_start"`
	PeriodEnd       string      `json:"period_end"`
	CharterVersion  string      `json:"charter_version"`
	Status          string      `json:"status"`
	Score           *float64    `json:"score"`
	Tier            string      `json:"tier"`
	EvaluatedPoints int         `json:"evaluated_points"`
	FailedPoints    int         `json:"failed_points"`
	FailedCritical  int         `json:"failed_critical"`
	Points          []pointJSON `json:"points"`
	Review          *reviewJSON `json:"review"`
	// SupersededBy names the draft that replaced a superseded one; null otherwise.
	SupersededBy *string   `json:"superseded_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// toScorecardJSON is sc as the API shows it, each point beside the benchmark of its period as
// cmp compares them (nil for a draft or a superseded scorecard, which carry none).
func toScorecardJSON(sc audit.Scorecard, cmp *audit.MarketComparison) scorecardJSON {
	out := scorecardJSON{
		ID: sc.ID, SellerID: sc.SellerID,
		PeriodStart: sc.Period.Start.UTC().Format(time.DateOnly), PeriodEnd: sc.Period.End.UTC().Format(time.DateOnly),
		CharterVersion: sc.CharterVersion, Status: string(sc.Status), Score: sc.Result.Score, Tier: string(sc.Result.Tier),
		EvaluatedPoints: sc.Result.EvaluatedPoints, FailedPoints: sc.Result.FailedPoints, FailedCritical: sc.Result.FailedCritical,
		Points: make([]pointJSON, len(sc.Result.Points)), CreatedAt: sc.CreatedAt,
	}
	for i, p := range sc.Result.Points {
		ev := p.Evidence
		if ev == nil {
			ev = []string{}
		}
		out.Points[i] = pointJSON{Code: p.Code, Title: p.Title, Area: p.Area, Severity: string(p.Severity), Weight: p.Weight,
			Status: string(p.Status), Metric: p.Metric, Value: p.Value, Threshold: p.Threshold, Samples: p.Samples, Evidence: ev}
		if cmp != nil && i < len(cmp.Points) {
			out.Points[i].Benchmark = toScorecardBenchmarkJSON(cmp.Points[i])
		}
	}
	if r := sc.Review; r != nil {
		out.Review = &reviewJSON{ApprovedBy: r.ApprovedBy, Comment: r.Comment, ApprovedAt: r.ApprovedAt}
	}
	out.SupersededBy = optString(sc.SupersededBy)
	return out
}

// auditInput is the period and charter of an audit request, for the service to check.
func auditInput(start, end, version string) audit.AuditInput {
	return audit.AuditInput{PeriodStart: start, PeriodEnd: end, CharterVersion: version}
}

// createAudit audits one seller (audit.Service.AuditSeller checks every field at once).
func (s *Server) createAudit(c echo.Context) error {
	var req auditRequest
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	sc, err := s.svc.AuditSeller(c.Request().Context(), mustPrincipal(c), req.SellerID,
		auditInput(req.PeriodStart, req.PeriodEnd, req.CharterVersion), nil)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, toScorecardJSON(sc, nil))
}

// createAuditBatch scores every seller. The service runs one such audit at a time in this
// process (the store serializes processes on PostgreSQL); the request timeout still bounds it.
func (s *Server) createAuditBatch(c echo.Context) error {
	var req batchAuditRequest
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	res, err := s.svc.AuditSellers(c.Request().Context(), mustPrincipal(c), nil,
		auditInput(req.PeriodStart, req.PeriodEnd, req.CharterVersion), nil)
	if err != nil {
		return err
	}
	out := batchAuditJSON{Count: len(res.Scorecards), ScorecardIDs: make([]string, len(res.Scorecards))}
	for i, sc := range res.Scorecards {
		out.ScorecardIDs[i] = sc.ID
	}
	return writeJSON(c, http.StatusOK, out)
}

// getScorecard serves one scorecard, and approved ones from a cache of their encoded answers
// (scorecard_cache.go): an approved scorecard never changes but for the benchmark of its
// period beside its points, so it has a strong ETag, a new one when another approval moved the
// benchmark on; a draft has none.
func (s *Server) getScorecard(c echo.Context) error {
	body, etag, err := s.scorecardBody(c.Request().Context(), mustPrincipal(c), c.Param("id"))
	if err != nil {
		return err
	}
	if etag == "" {
		return writeJSONBytes(c, http.StatusOK, body)
	}
	return writeFinal(c, echo.MIMEApplicationJSON, body, etag)
}

// listSellerScorecards lists a seller's scorecards newest first, as the caller may see them
// (audit.Service.SellerScorecards): ?status= is draft, approved or superseded.
func (s *Server) listSellerScorecards(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	status := q.oneOf("status", string(audit.Draft), string(audit.Approved), string(audit.Superseded))
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.svc.SellerScorecards(c.Request().Context(), mustPrincipal(c), c.Param("id"), audit.ScorecardStatus(status), page)
	if err != nil {
		return err
	}
	return s.scorecardsJSON(c, items, next)
}

// approveRequest is a review; its optional comment is prose.
type approveRequest struct {
	Comment string `json:"comment" text:"multiline"`
}

// approveScorecard approves a draft scorecard; the body, {comment?}, may be left out.
func (s *Server) approveScorecard(c echo.Context) error {
	var req approveRequest
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := decodeJSON(body, &req); err != nil {
			return err
		}
	}
	sc, _, err := s.svc.ApproveScorecard(c.Request().Context(), mustPrincipal(c), c.Param("id"), req.Comment)
	if err != nil {
		return err
	}
	cmps, err := s.svc.CompareScorecards(c.Request().Context(), sc)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toScorecardJSON(sc, cmps[0]))
}
