package httpapi

import (
	"net/http"
	"net/url"

	"github.com/refurbqa/refurbqa/audit"
)

// certificateLinksJSON is what the answer of a stored bench test or mystery order says of its
// certificate (transparency.md §1), so that a listing can print "verify this device at …"
// without downloading the PDF: the verification code as the certificate prints it, the public
// address of its verification (verificationURL, the one place that makes it, so the same as
// the certificate's QR code and the verification's own), and the API path of the PDF. The
// code and address are null only for a record that an older release stored after every record
// was given a code, until the store gives it one (at the next migration, or when its
// certificate is first asked for). The answers that carry them are read only by those who may
// read the record itself: the route table and the domain's visibility decide, as for every
// other field.
type certificateLinksJSON struct {
	VerificationCode *string `json:"verification_code"`
	VerificationURL  *string `json:"verification_url"`
	CertificateURL   string  `json:"certificate_url"`
}

// certificateLinks presents the certificate of the record whose API path is recordPath
// ("/api/v1/bench-tests/" and its id) and whose verification code is code (canonical, or
// empty when it has none yet), for request r.
func (s *Server) certificateLinks(r *http.Request, recordPath, code string) certificateLinksJSON {
	out := certificateLinksJSON{CertificateURL: recordPath + "/certificate.pdf"}
	if code != "" {
		dashed, verify := audit.FormatVerificationCode(code), s.verificationURL(r, code)
		out.VerificationCode, out.VerificationURL = &dashed, &verify
	}
	return out
}

// API paths of the records that have certificates, before their id.
const (
	benchTestsPath    = "/api/v1/bench-tests/"
	mysteryOrdersPath = "/api/v1/mystery-orders/"
)

// recordPath is the API path of the record id under base (benchTestsPath, mysteryOrdersPath).
// Ids are the store's own, which never need escaping; one that did would still make a path
// that names it.
func recordPath(base, id string) string { return base + url.PathEscape(id) }
