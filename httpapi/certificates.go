package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/reports"
)

// getBenchTestCertificate answers the PDF certificate of a bench test: staff any, a seller its
// own devices' (404 otherwise, as for the bench test).
func (s *Server) getBenchTestCertificate(c echo.Context) error {
	cert, err := s.svc.BenchTestCertificate(c.Request().Context(), mustPrincipal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return s.writeCertificate(c, cert)
}

// getMysteryOrderCertificate answers the PDF certificate of a mystery order (staff, as every
// read of mystery orders).
func (s *Server) getMysteryOrderCertificate(c echo.Context) error {
	cert, err := s.svc.MysteryOrderCertificate(c.Request().Context(), mustPrincipal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return s.writeCertificate(c, cert)
}

// writeCertificate draws a certificate into memory (reports.DrawCertificate, as the console
// does), so that a failure is a clean problem and never a truncated file. A certificate is
// issued on the day its record was stored, so every download of it is byte-identical and
// carries a strong ETag (a hash of the bytes), which If-None-Match spares sending again.
// Private: the client's own cache may keep it, asking again before using it.
func (s *Server) writeCertificate(c echo.Context, cert audit.Certificate) error {
	pdf, err := reports.DrawCertificate(s.certs, cert, s.verificationURL(c.Request(), cert.Code))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+reports.CertificateFileName(cert.Code)+`"`)
	h.Set("Cache-Control", "private, no-cache")
	return writeFinal(c, "application/pdf", pdf, etagOf(pdf))
}

// verificationURL is the address of a certificate's verification, by the one rule of
// reports.VerificationURL: the public URL (Config.PublicURL), else the request's own origin.
func (s *Server) verificationURL(r *http.Request, code string) string {
	return reports.VerificationURL(s.publicURL, reports.Origin(r.Host, r.TLS != nil), code)
}
