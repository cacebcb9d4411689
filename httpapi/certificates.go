package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/reports"
)

// CertificateWriter draws the one-page PDF certificate of a device (transparency.md §1), as
// *reports.Renderer does, the default. The same certificate must give the same bytes, which
// its ETag relies on.
type CertificateWriter interface {
	WriteCertificate(w io.Writer, c reports.Certificate) error
}

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

// writeCertificate draws a certificate into memory, so that a failure is a clean problem and
// never a truncated file. A certificate is issued on the day its record was stored, so every
// download of it is byte-identical and carries a strong ETag (a hash of the bytes), which
// If-None-Match spares sending again. Private: the client's own cache may keep it, asking
// again before using it.
func (s *Server) writeCertificate(c echo.Context, cert audit.Certificate) error {
	rc := reports.CertificateOfView(cert, s.verificationURL(c.Request(), cert.Code))
	var buf bytes.Buffer
	if err := s.certs.WriteCertificate(&buf, rc); err != nil {
		return fmt.Errorf("certificate %s: %w", rc.Code, err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="certificate-`+rc.Code+`.pdf"`)
	h.Set("Cache-Control", "private, no-cache")
	return writeFinal(c, "application/pdf", buf.Bytes(), etagOf(buf.Bytes()))
}

// ParsePublicURL reads a public URL as Config.PublicURL takes it: empty (nil), or an absolute
// http or https URL with a host and nothing after its path, which loses any final slash.
func ParsePublicURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "") {
		err = errors.New("want an http or https base URL such as https://qa.example.com")
	}
	if err != nil {
		return nil, fmt.Errorf("httpapi: public URL %q: %w", raw, err)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// verificationURL is the one place that makes the address of a certificate's verification:
// the public URL (Config.PublicURL), then /verify/ and the code with its dashes. Without a
// public URL it is the request's own scheme and Host, when the Host is a plain host name or
// address (absoluteProblemType's rule); otherwise the path alone.
func (s *Server) verificationURL(r *http.Request, code string) string {
	path := verifyPath + audit.FormatVerificationCode(code)
	if s.publicURL != nil {
		u := *s.publicURL
		u.Path += path
		return u.String()
	}
	if !plainHost(r.Host) {
		return path
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}
