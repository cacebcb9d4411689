package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/store"
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

func toScorecardJSON(sc audit.Scorecard) scorecardJSON {
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
	}
	if r := sc.Review; r != nil {
		out.Review = &reviewJSON{ApprovedBy: r.ApprovedBy, Comment: r.Comment, ApprovedAt: r.ApprovedAt}
	}
	out.SupersededBy = optString(sc.SupersededBy)
	return out
}

// auditCharter resolves the charter an audit runs against: the named version, or the active
// one. An unknown version is a validation error of charter_version. The compiled programs come
// from the server's cache, so a batch compiles each version once per process.
func (s *Server) auditCharter(ctx context.Context, version string) (*checklist.Compiled, []grading.FieldError, error) {
	var cv store.CharterVersion
	var err error
	if version == "" {
		cv, err = s.store.ActiveCharter(ctx)
	} else {
		cv, err = s.store.Charter(ctx, version)
		if errors.Is(err, audit.ErrNotFound) {
			return nil, fieldErr("charter_version", "no published charter has this version"), nil
		}
	}
	if err != nil {
		return nil, nil, err
	}
	compiled, err := s.programs.Get(cv.Charter)
	if err != nil {
		// A stored charter compiled when it was published; failing now is a server fault.
		return nil, nil, fmt.Errorf("charter %s no longer compiles: %v", cv.Charter.Version, err)
	}
	return compiled, nil, nil
}

// auditInput checks the period and resolves the charter, reporting every bad field at once.
func (s *Server) auditInput(ctx context.Context, errs []grading.FieldError, start, end, version string) (audit.Period, *checklist.Compiled, error) {
	p, perrs := audit.ParsePeriod(start, end)
	errs = append(errs, perrs...)
	if len(version) > 64 {
		errs = append(errs, fieldErr("charter_version", "must have at most 64 characters")...)
		version = ""
	}
	compiled, cerrs, err := s.auditCharter(ctx, version)
	if err != nil {
		return p, nil, err
	}
	if err := mergeInvalid(audit.Invalid(append(errs, cerrs...))); err != nil {
		return p, nil, err
	}
	return p, compiled, nil
}

func (s *Server) createAudit(c echo.Context) error {
	var req auditRequest
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	var errs []grading.FieldError
	ctx := c.Request().Context()
	switch {
	case strings.TrimSpace(req.SellerID) == "":
		errs = fieldErr("seller_id", "is required")
	case len(req.SellerID) > 64:
		errs = fieldErr("seller_id", "must have at most 64 characters")
	default:
		if _, err := s.store.Seller(ctx, req.SellerID); err != nil {
			if !errors.Is(err, audit.ErrNotFound) {
				return err
			}
			errs = fieldErr("seller_id", "no seller has this id")
		}
	}
	p, compiled, err := s.auditInput(ctx, errs, req.PeriodStart, req.PeriodEnd, req.CharterVersion)
	if err != nil {
		return err
	}
	res, err := s.store.AuditSellers(ctx, mustPrincipal(c), p, compiled, []string{req.SellerID})
	if err != nil {
		return sellerRefError(err, "seller_id")
	}
	return writeJSON(c, http.StatusCreated, toScorecardJSON(res.Scorecards[0]))
}

// createAuditBatch scores every seller. One batch runs at a time in this process (the store
// serializes processes on PostgreSQL); the request timeout still bounds it.
func (s *Server) createAuditBatch(c echo.Context) error {
	var req batchAuditRequest
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, compiled, err := s.auditInput(ctx, nil, req.PeriodStart, req.PeriodEnd, req.CharterVersion)
	if err != nil {
		return err
	}
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	res, err := s.store.AuditSellers(ctx, mustPrincipal(c), p, compiled, nil)
	if err != nil {
		return err
	}
	out := batchAuditJSON{Count: len(res.Scorecards), ScorecardIDs: make([]string, len(res.Scorecards))}
	for i, sc := range res.Scorecards {
		out.ScorecardIDs[i] = sc.ID
	}
	return writeJSON(c, http.StatusOK, out)
}

// getScorecard serves the stored points JSON as is, and approved scorecards from a cache
// (scorecard_cache.go): decoding and encoding the evidence was most of the cost of a read.
// An approved scorecard never changes, so it has a strong ETag; a draft has none.
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

// listSellerScorecards lists a seller's scorecards newest first; a seller sees its own
// approved ones only (and 404 for another seller). Staff see the current ones, drafts and
// approved, and may filter by status: draft, approved, or superseded, the only way to list
// the drafts that re-audits replaced.
func (s *Server) listSellerScorecards(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	status := q.oneOf("status", string(audit.Draft), string(audit.Approved), string(audit.Superseded))
	if err := q.err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := mustPrincipal(c)
	id := c.Param("id")
	if err := ownSeller(p, id, "seller "+id); err != nil {
		return err
	}
	if _, err := s.store.Seller(ctx, id); err != nil {
		return err
	}
	f := store.ScorecardFilter{SellerID: id, Status: audit.ScorecardStatus(status)}
	if p.Role == audit.RoleSeller {
		if f.Status != "" && f.Status != audit.Approved {
			// Drafts and superseded drafts are never a seller's to see.
			return writeJSON(c, http.StatusOK, listResponse[scorecardJSON]{Items: []scorecardJSON{}})
		}
		f.Status = audit.Approved
	}
	items, next, err := s.store.Scorecards(ctx, f, page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, toScorecardJSON))
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
	sc, _, err := s.store.ApproveScorecard(c.Request().Context(), mustPrincipal(c), c.Param("id"), req.Comment)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toScorecardJSON(sc))
}
