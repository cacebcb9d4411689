package httpapi

import (
	"bytes"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
)

// charterJSON is a published charter: the document (checklist.Document, the published form of
// a charter, in which the default charter ships too), plus whether it is the one audits use by
// default and when it was published.
type charterJSON struct {
	checklist.Document
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// charterRequest is a charter to publish: the same document, plus whether to activate it.
// Every check is Compile's, so that the API and the charter engine cannot disagree on what a
// valid charter is; the request therefore carries no validator tags.
type charterRequest struct {
	checklist.Document
	Activate bool `json:"activate"`
}

func toCharterJSON(cv audit.CharterVersion) charterJSON {
	return charterJSON{Document: checklist.NewDocument(cv.Charter), Active: cv.Active, CreatedAt: cv.CreatedAt}
}

func (s *Server) getActiveCharter(c echo.Context) error {
	cv, err := s.svc.ActiveCharter(c.Request().Context())
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toCharterJSON(cv))
}

// getCharter answers one charter version, which never changes once published, with a strong
// ETag. The tag is a hash of the answer, which also says whether the version is the active
// one: activating another version gives it a new tag.
func (s *Server) getCharter(c echo.Context) error {
	cv, err := s.svc.Charter(c.Request().Context(), c.Param("version"))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := jsonEncode(&b, toCharterJSON(cv)); err != nil {
		return err
	}
	return writeFinal(c, echo.MIMEApplicationJSON, b.Bytes(), etagOf(b.Bytes()))
}

// listCharters lists every published version, oldest first.
func (s *Server) listCharters(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.svc.Charters(c.Request().Context(), page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, toCharterJSON))
}

// publishCharter publishes a charter. Compile reports every problem at once as a
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
	cv, err := s.svc.PublishCharter(c.Request().Context(), mustPrincipal(c), req.Charter(), req.Activate)
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
	cat := s.svc.MetricCatalogue()
	out := make([]metricJSON, len(cat))
	for i, m := range cat {
		out[i] = metricJSON{Name: m.Name, Kind: string(m.Kind), Description: m.Description}
	}
	return writeJSON(c, http.StatusOK, out)
}
