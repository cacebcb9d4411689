package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/reports"
)

// getReport answers the PDF feedback report of a scorecard, as the report builder lets the
// caller see it (a seller gets only its own approved scorecards; anything else is 404). The
// PDF is rendered into memory first, so a failure is a clean problem document and never a
// truncated file. The generation date is the day of the request, so every download of one
// day is byte-identical: the report of an approved scorecard has a strong ETag (a hash of the
// bytes, so a new one each day), and If-None-Match spares sending it again. A draft's report
// has none. Private: it may be kept by the client's own cache, which asks again before using
// it.
func (s *Server) getReport(c echo.Context) error {
	ctx := c.Request().Context()
	p := mustPrincipal(c)
	id := c.Param("id")
	in, err := s.reports.Input(ctx, p, id)
	if err != nil {
		return err
	}
	sc := in.Scorecard
	generated := s.now().UTC().Truncate(24 * time.Hour)
	var buf bytes.Buffer
	if err := s.renderer.Render(&buf, reports.NewModel(in), generated); err != nil {
		return fmt.Errorf("report of scorecard %s: %w", id, err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+reports.FileName(in.Seller, sc.Period)+`"`)
	if sc.Status != audit.Approved {
		h.Set("Cache-Control", "private, no-store")
		h.Set(echo.HeaderContentType, "application/pdf")
		h.Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
		c.Response().WriteHeader(http.StatusOK)
		_, err = buf.WriteTo(c.Response())
		return err
	}
	h.Set("Cache-Control", "private, no-cache")
	return writeFinal(c, "application/pdf", buf.Bytes(), etagOf(buf.Bytes()))
}
