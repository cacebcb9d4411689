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

// getReport answers the PDF feedback report of a scorecard. A seller gets only its own
// approved scorecards (anything else is 404). The PDF is rendered into memory first, so a
// failure is a clean problem document and never a truncated file. The generation date is the
// day of the request, so every download of one day is byte-identical.
func (s *Server) getReport(c echo.Context) error {
	ctx := c.Request().Context()
	p := mustPrincipal(c)
	id := c.Param("id")
	sc, err := s.store.Scorecard(ctx, id)
	if err != nil {
		return err
	}
	if err := ownApproved(p, sc.SellerID, sc.Status, id); err != nil {
		return err
	}
	in, err := s.store.ReportInput(ctx, sc, p.Role == audit.RoleSeller)
	if err != nil {
		return err
	}
	generated := s.now().UTC().Truncate(24 * time.Hour)
	var buf bytes.Buffer
	if err := s.renderer.Render(&buf, reports.NewModel(in), generated); err != nil {
		return fmt.Errorf("report of scorecard %s: %w", id, err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/pdf")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+reports.FileName(in.Seller, sc.Period)+`"`)
	h.Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	_, err = buf.WriteTo(c.Response())
	return err
}
