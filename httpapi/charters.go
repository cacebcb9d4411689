package httpapi

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/store"
)

// charterPointJSON is one charter point on the wire (api.md, Charter).
type charterPointJSON struct {
	Code         string `json:"code"`
	Title        string `json:"title"`
	Area         string `json:"area"`
	Severity     string `json:"severity"`
	Weight       int    `json:"weight"`
	Rule         string `json:"rule"`
	Metric       string `json:"metric"`
	SampleMetric string `json:"sample_metric"`
	MinSamples   int    `json:"min_samples"`
}

// charterJSON is a published charter: the document, plus whether it is the one audits use by
// default and when it was published.
type charterJSON struct {
	Version   string             `json:"version"`
	Points    []charterPointJSON `json:"points"`
	Active    bool               `json:"active"`
	CreatedAt time.Time          `json:"created_at"`
}

// charterRequest is a charter to publish: the same shape, plus whether to activate it. Every
// check is Compile's, so that the API and the charter engine cannot disagree on what a valid
// charter is; the fields are therefore plain values, with no validator tags.
type charterRequest struct {
	Version  string             `json:"version"`
	Points   []charterPointJSON `json:"points"`
	Activate bool               `json:"activate"`
}

func toCharterJSON(cv store.CharterVersion) charterJSON {
	out := charterJSON{Version: cv.Charter.Version, Active: cv.Active, CreatedAt: cv.CreatedAt,
		Points: make([]charterPointJSON, len(cv.Charter.Points))}
	for i, p := range cv.Charter.Points {
		out.Points[i] = charterPointJSON{Code: p.Code, Title: p.Title, Area: p.Area, Severity: string(p.Severity),
			Weight: p.Weight, Rule: p.Rule, Metric: p.Metric, SampleMetric: p.SampleMetric, MinSamples: p.MinSamples}
	}
	return out
}

func (r charterRequest) charter() checklist.Charter {
	c := checklist.Charter{Version: r.Version, Points: make([]checklist.Point, len(r.Points))}
	for i, p := range r.Points {
		c.Points[i] = checklist.Point{Code: p.Code, Title: p.Title, Area: p.Area, Severity: checklist.Severity(p.Severity),
			Weight: p.Weight, Rule: p.Rule, Metric: p.Metric, SampleMetric: p.SampleMetric, MinSamples: p.MinSamples}
	}
	return c
}

func (s *Server) getActiveCharter(c echo.Context) error {
	cv, err := s.store.ActiveCharter(c.Request().Context())
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toCharterJSON(cv))
}

// getCharter answers one charter version, which never changes once published, with a strong
// ETag. The tag is a hash of the answer, which also says whether the version is the active
// one: activating another version gives it a new tag.
func (s *Server) getCharter(c echo.Context) error {
	cv, err := s.store.Charter(c.Request().Context(), c.Param("version"))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := jsonEncode(&b, toCharterJSON(cv)); err != nil {
		return err
	}
	return writeFinal(c, echo.MIMEApplicationJSON, b.Bytes(), etagOf(b.Bytes()))
}

// listCharters lists every published version, oldest first. Versions are few (a handful a
// year), so the store reads them all and the page is cut here; the cursor is the position of
// the next item.
func (s *Server) listCharters(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	if err := q.err(); err != nil {
		return err
	}
	all, err := s.store.Charters(c.Request().Context())
	if err != nil {
		return err
	}
	from := 0
	if page.Cursor != "" {
		pos, _ := store.DecodeCursor(page.Cursor)
		n, err := strconv.Atoi(pos)
		if err != nil || n < 0 {
			return audit.Invalid(fieldErr("cursor", "is not a cursor this API made"))
		}
		from = min(n, len(all))
	}
	limit := page.Limit
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	to := min(from+limit, len(all))
	next := ""
	if to < len(all) {
		next = store.EncodeCursor(strconv.Itoa(to))
	}
	return writeJSON(c, http.StatusOK, newList(all[from:to], next, toCharterJSON))
}

// publishCharter compiles a charter and stores it. Compile reports every problem at once as a
// *checklist.CompileError (422, each at its JSON path); a repeated version is 409.
func (s *Server) publishCharter(c echo.Context) error {
	var req charterRequest
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	compiled, err := checklist.Compile(req.charter())
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	// Store the charter as compiled (weights and primary metrics filled in), which is what
	// scores sellers and what readers see.
	if err := s.store.PublishCharter(ctx, mustPrincipal(c), compiled.Charter(), req.Activate); err != nil {
		if errors.Is(err, audit.ErrConflict) {
			return echo.NewHTTPError(http.StatusConflict, "charter version "+req.Version+" is already published; versions never change")
		}
		return err
	}
	cv, err := s.store.Charter(ctx, req.Version)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, toCharterJSON(cv))
}

// metricJSON is one entry of the metric catalogue.
type metricJSON struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
}

// listMetricCatalogue answers the metric catalogue that charter rules are written over (not
// to be confused with /metrics, the Prometheus endpoint).
func (s *Server) listMetricCatalogue(c echo.Context) error {
	cat := checklist.Catalogue()
	out := make([]metricJSON, len(cat))
	for i, m := range cat {
		out[i] = metricJSON{Name: m.Name, Kind: string(m.Kind), Description: m.Description}
	}
	return writeJSON(c, http.StatusOK, out)
}
