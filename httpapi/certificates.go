package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
)

// CertificateWriter draws the one-page PDF certificate of a device (transparency.md §1) from
// what the domain says it shows. The same document must give the same bytes: the certificate
// of one record on one day is byte-identical however often it is drawn, which its ETag relies
// on.
type CertificateWriter interface {
	WriteCertificate(w io.Writer, doc CertificateDocument) error
}

// CertificateDocument is everything a certificate PDF is drawn from.
type CertificateDocument struct {
	// Certificate is what the certificate shows (audit.Service.BenchTestCertificate).
	Certificate audit.Certificate
	// VerificationURL is the address anybody can check the certificate at, for its QR code:
	// the server's public URL, then /verify/ and the code with its dashes.
	VerificationURL string
	// Generated is the day the certificate is drawn (midnight UTC).
	Generated time.Time
}

// errNoCertificates answers the certificate routes of a server built without a
// CertificateWriter.
var errNoCertificates = echo.NewHTTPError(http.StatusNotImplemented, "this server has no certificate renderer")

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
// never a truncated file, dated the day of the request: every download of one day is
// byte-identical and carries a strong ETag (a hash of the bytes, new each day and whenever the
// record is corrected), which If-None-Match spares sending again. Private: the client's own
// cache may keep it, asking again before using it.
func (s *Server) writeCertificate(c echo.Context, cert audit.Certificate) error {
	if s.certs == nil {
		return errNoCertificates
	}
	doc := CertificateDocument{Certificate: cert, VerificationURL: s.verificationURL(c.Request(), cert.Code),
		Generated: s.now().UTC().Truncate(24 * time.Hour)}
	var buf bytes.Buffer
	if err := s.certs.WriteCertificate(&buf, doc); err != nil {
		return fmt.Errorf("certificate %s: %w", audit.FormatVerificationCode(cert.Code), err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="certificate-`+audit.FormatVerificationCode(cert.Code)+`.pdf"`)
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
