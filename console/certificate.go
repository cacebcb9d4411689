package console

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/reports"
)

// Device grade certificates (transparency.md §1) on the record pages: each bench test and
// mystery order shows its verification code, links its public verification, and serves its
// PDF, the API's very file (the same service call, drawn by reports.DrawCertificate with the
// same verification address), so that a certificate downloaded here or over the API is the
// same bytes.

// certificateView is what a record page shows of the record's certificate.
type certificateView struct {
	// Code is the verification code as the certificate prints it ("7K3M-Q9XD-2R4T-VW8H").
	Code string
	// VerifyURL is the address of its public verification, the one printed on the certificate.
	VerifyURL string
	// PDF is the console's address of the certificate's file.
	PDF string
}

// certificate is what the page of the record id of kind shows of its certificate, whose code
// is code. A record that an older release stored may have no code yet: certify, the service's
// certificate of the record, then gives it one, as its first download would.
func (c *Console) certificate(r *http.Request, kind recordKind, id, code string, certify func() (audit.Certificate, error)) (certificateView, error) {
	if code == "" {
		cert, err := certify()
		if err != nil {
			return certificateView{}, err
		}
		code = cert.Code
	}
	return certificateView{Code: audit.FormatVerificationCode(code), VerifyURL: c.verificationURL(r, code),
		PDF: kind.Path + "/" + url.PathEscape(id) + "/certificate.pdf"}, nil
}

// benchTestCertificate is GET /console/bench-tests/{id}/certificate.pdf: the certificate of a
// bench test (audit.Service.BenchTestCertificate, as the API's).
func (c *Console) benchTestCertificate(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	cert, err := c.svc.BenchTestCertificate(r.Context(), s.principal(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.writeCertificate(w, r, cert)
}

// mysteryOrderCertificate is GET /console/mystery-orders/{id}/certificate.pdf: the certificate
// of a mystery order (audit.Service.MysteryOrderCertificate, as the API's).
func (c *Console) mysteryOrderCertificate(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	cert, err := c.svc.MysteryOrderCertificate(r.Context(), s.principal(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.writeCertificate(w, r, cert)
}

// writeCertificate sends a certificate's PDF, drawn whole into memory first so that a failure
// is a problem page and never half a file. Its name is the API's.
func (c *Console) writeCertificate(w http.ResponseWriter, r *http.Request, cert audit.Certificate) error {
	pdf, err := reports.DrawCertificate(c.renderer, cert, c.verificationURL(r, cert.Code))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="`+reports.CertificateFileName(cert.Code)+`"`)
	h.Set("Content-Length", strconv.Itoa(len(pdf)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(pdf)
	}
	return nil
}

// verificationURL is the address of a certificate's verification, by the API's rule
// (reports.VerificationURL): the public URL (Config.PublicURL), else the request's own origin,
// which is the API's too, both being served on one origin.
func (c *Console) verificationURL(r *http.Request, code string) string {
	return reports.VerificationURL(c.publicURL, reports.Origin(r.Host, r.TLS != nil), code)
}
