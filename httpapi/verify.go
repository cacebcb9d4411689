package httpapi

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/reports"
)

// The public verification of certificates (transparency.md §1): GET /verify/{code}, for
// anybody without a key, answers what the certificate of the code shows, as an HTML page or,
// to a client that asks for application/json, as JSON; GET /verify is the form that takes a
// code typed by hand. Both are public pages (handlePublicPage): limited per client address,
// and their errors are pages too for clients that want HTML.

//go:embed pages/*.html
var pageFiles embed.FS

// pageCSP is the Content-Security-Policy of the public pages: nothing but the page itself,
// which holds no script, style or image, and its form, which posts to this server.
const pageCSP = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// parsePages parses the templates of the public pages, once, at start-up.
func parsePages() (*template.Template, error) {
	return template.New("pages").ParseFS(pageFiles, "pages/*.html")
}

// pageError is what the HTML error page of a public page says about its own "not found".
type pageError struct {
	notFound string // the text of a 404
	form     bool   // whether a 404 offers the form again
}

// handlePublicPage registers a public page: public and limited per client address
// (handleLimitedPublic), with the headers of setPageHeaders, and whose errors are HTML pages for
// clients that do not ask for JSON (errorHandler, writeErrorPage), notFound saying what a 404
// means there.
func (s *Server) handlePublicPage(method, path string, notFound pageError, h echo.HandlerFunc) {
	s.handleLimitedPublic(method, path, func(c echo.Context) error {
		setPageHeaders(c.Response().Header())
		return h(c)
	})
	s.htmlErrors[path] = notFound
}

// setPageHeaders sets the headers of every answer of a public page, errors included (the
// error handler sets them too, for the errors met before the handler, such as a 429): it
// varies with Accept (page or JSON); it is public but never indexed, never cached without
// asking again (a correction may supersede it any time), and never sends its address, which
// holds a code, as a referrer.
func setPageHeaders(h http.Header) {
	if !slices.Contains(h.Values(echo.HeaderVary), "Accept") {
		h.Add(echo.HeaderVary, "Accept")
	}
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
}

// wantsJSON reports whether the request prefers application/json to the page (prefersJSON,
// the rule of every public page).
func wantsJSON(r *http.Request) bool { return prefersJSON(r.Header.Get(echo.HeaderAccept)) }

// verifyNotFound is the 404 page of a verification.
var verifyNotFound = pageError{form: true,
	notFound: "No device grade certificate has this verification code. Check it against the certificate: 16 letters and digits, such as 7K3M-Q9XD-2R4T-VW8H, in capitals or not, with or without the dashes."}

// getVerification answers the verification of the code in the path: what its certificate
// shows, whether it has been superseded by a correction and the grade that stands then. An
// unknown code is 404 (the page or a problem document).
//
// The encoded answer is kept (verificationCache) and served again for as long as the service
// says that the code shows the same state, which costs one indexed read without the record's
// contents; a code that does not read as one is left to the service, which answers 404.
func (s *Server) getVerification(c echo.Context) error {
	ctx, r := c.Request().Context(), c.Request()
	code, err := url.PathUnescape(c.Param("code"))
	if err != nil {
		code = c.Param("code")
	}
	asJSON := wantsJSON(r)
	write := writeHTML
	if asJSON {
		write = writeJSONBytes
	}
	canonical, ok := audit.ParseVerificationCode(code)
	key := ""
	if ok {
		key = strconv.FormatBool(asJSON) + " " + s.verificationURL(r, canonical)
		if e, hit := s.verifications.get(key); hit {
			st, err := s.svc.VerificationState(ctx, canonical)
			if err != nil {
				return err
			}
			if st == e.state {
				return write(c, http.StatusOK, e.body)
			}
		}
	}
	cert, st, err := s.svc.VerifyWithState(ctx, code)
	if err != nil {
		return err
	}
	rc := reports.CertificateOfView(cert, s.verificationURL(r, cert.Code))
	var buf bytes.Buffer
	if asJSON {
		err = jsonEncode(&buf, toVerificationJSON(cert, rc))
	} else {
		err = s.pages.ExecuteTemplate(&buf, "verify", newVerifyPage(rc))
	}
	if err != nil {
		return err
	}
	if key != "" {
		s.verifications.put(key, cachedVerification{state: st, body: buf.Bytes()})
	}
	return write(c, http.StatusOK, buf.Bytes())
}

// verifyPage is the data of the verification page: the certificate in its words (the PDF's),
// every text made beforehand, so that the template only places and escapes them.
type verifyPage struct {
	Title, Code, Device, Storage, IdentityKind, Identity, Lab, Date, DateISO, Ruleset string
	GradeLabel, GradeMeaning, FunctionalLabel, CosmeticLabel, Battery                 string
	Zones                                                                             []reports.ZoneCondition
	Tests                                                                             []reports.TestGroup
	CompliancePassed, ComplianceFailed, NonGenuineParts                               []string
	PartsDisclosed                                                                    bool
	Correction                                                                        *correctionLine
}

// correctionLine is the grade that stands after a correction, for the page.
type correctionLine struct {
	Date, DateISO, GradeLabel, GradeMeaning, FunctionalLabel, CosmeticLabel string
}

func newVerifyPage(c reports.Certificate) verifyPage {
	d := c.Device
	p := verifyPage{Title: "Certificate " + c.Code, Code: c.Code,
		Device: d.Brand + " " + d.Model + " (" + d.CategoryLabel + ")", Storage: d.StorageLabel,
		IdentityKind: d.IdentityKind, Identity: d.Identity, Lab: c.Lab,
		Date: longDate(c.TestedAt), DateISO: c.TestedAt.UTC().Format(time.DateOnly), Ruleset: c.Ruleset,
		GradeLabel: c.GradeLabel, GradeMeaning: c.GradeMeaning, FunctionalLabel: c.FunctionalLabel,
		CosmeticLabel: c.CosmeticLabel, Battery: c.Battery.Summary, Zones: c.Zones, Tests: c.Tests,
		CompliancePassed: c.CompliancePassed, ComplianceFailed: c.ComplianceFailed,
		NonGenuineParts: c.NonGenuineParts, PartsDisclosed: c.PartsDisclosed}
	if k := c.Correction; k != nil {
		p.Correction = &correctionLine{Date: longDate(k.CorrectedAt), DateISO: k.CorrectedAt.UTC().Format(time.DateOnly),
			GradeLabel: k.GradeLabel, GradeMeaning: k.GradeMeaning, FunctionalLabel: k.FunctionalLabel, CosmeticLabel: k.CosmeticLabel}
	}
	return p
}

// longDate writes a day as people read it: 2 October 2026.
func longDate(t time.Time) string { return t.UTC().Format("2 January 2006") }

// maxTypedCode is the longest code the form takes: a code with every separator a person might
// type is far shorter.
const maxTypedCode = 64

// getVerifyForm answers the form that takes a code typed by hand; with the code it was sent
// (?code=), a redirect to that code's verification, canonical when it reads as a code.
func (s *Server) getVerifyForm(c echo.Context) error {
	if typed, ok := c.QueryParams()["code"]; ok {
		raw := strings.TrimSpace(strings.Join(typed, ""))
		if len(raw) > maxTypedCode || !utf8.ValidString(raw) || strings.ContainsFunc(raw, unicode.IsControl) {
			return audit.Invalid([]grading.FieldError{{Field: "code", Message: "must be at most 64 characters of one line"}})
		}
		if code, ok := audit.ParseVerificationCode(raw); ok {
			raw = audit.FormatVerificationCode(code)
		}
		// Relative, so that it holds behind a proxy that serves this server under a path.
		return c.Redirect(http.StatusSeeOther, "verify/"+url.PathEscape(raw))
	}
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, "verify-form", nil); err != nil {
		return err
	}
	return writeHTML(c, http.StatusOK, buf.Bytes())
}

// writeHTML answers an HTML page.
func writeHTML(c echo.Context, status int, body []byte) error {
	c.Response().Header().Set(echo.HeaderContentType, "text/html; charset=utf-8")
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(body)
	return err
}

// errorPage is the data of the error page of a public page.
type errorPage struct {
	Title, Text string
	Form        bool
}

// writeErrorPage answers the error p of a public page as an HTML page with p's status: what
// the page's 404 means, the wait of a 429 (whose Retry-After errorHandler set), and for
// anything else that the check could not be done.
func (s *Server) writeErrorPage(c echo.Context, pe pageError, p Problem) {
	page := errorPage{Title: http.StatusText(p.Status), Text: "The page could not be answered. Try again in a moment."}
	switch {
	case p.Status == http.StatusNotFound:
		page = errorPage{Title: "Certificate not found", Text: pe.notFound, Form: pe.form}
	case p.Status == http.StatusUnprocessableEntity:
		page.Title = "Invalid request"
		page.Text = "The request has invalid fields:"
		for _, f := range p.Errors {
			page.Text += " " + f.Field + " " + f.Message + "."
		}
	case p.Status == http.StatusTooManyRequests:
		wait := c.Response().Header().Get("Retry-After")
		page.Title = "Too many requests"
		page.Text = "This address has sent too many requests in a short time. Wait " + wait + " seconds, then try again."
	case p.Status == statusClientClosed:
		page.Title = "Client Closed Request"
	}
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, "verify-error", page); err != nil {
		s.log.Error("error page", "err", err.Error())
		c.Response().WriteHeader(p.Status)
		return
	}
	_ = writeHTML(c, p.Status, buf.Bytes())
}

// verificationJSON is the JSON of a verification: what the certificate shows, in its words,
// with the grades' values beside them.
type verificationJSON struct {
	VerificationCode string              `json:"verification_code"`
	VerificationURL  string              `json:"verification_url"`
	Record           string              `json:"record"`
	Device           certDeviceJSON      `json:"device"`
	Grade            certGradeJSON       `json:"grade"`
	Cosmetic         []certZoneJSON      `json:"cosmetic"`
	Battery          certBatteryJSON     `json:"battery"`
	FunctionalTests  []certTestGroupJSON `json:"functional_tests"`
	CompliancePassed []string            `json:"compliance_passed"`
	ComplianceFailed []string            `json:"compliance_failed"`
	NonGenuineParts  []string            `json:"non_genuine_parts"`
	PartsDisclosed   bool                `json:"parts_disclosed"`
	Lab              string              `json:"lab"`
	TestedAt         time.Time           `json:"tested_at"`
	Ruleset          string              `json:"ruleset"`
	Issued           string              `json:"issued"`
	Superseded       bool                `json:"superseded"`
	Correction       *certGradeJSON      `json:"correction"`
}

type certDeviceJSON struct {
	Category       string  `json:"category"`
	Brand          string  `json:"brand"`
	Model          string  `json:"model"`
	StorageGB      *int    `json:"storage_gb"`
	IdentifierKind *string `json:"identifier_kind"`
	Identifier     *string `json:"identifier"`
}

// certGradeJSON is a grade of a certificate: its own, or the one that stands after a
// correction (then with corrected_at).
type certGradeJSON struct {
	Status          string     `json:"status"`
	Marketplace     *string    `json:"marketplace"`
	Functional      *string    `json:"functional"`
	Cosmetic        string     `json:"cosmetic"`
	Label           string     `json:"label"`
	Meaning         string     `json:"meaning"`
	FunctionalLabel string     `json:"functional_label"`
	CosmeticLabel   string     `json:"cosmetic_label"`
	CorrectedAt     *time.Time `json:"corrected_at,omitempty"`
}

type certZoneJSON struct {
	Zone  string `json:"zone"`
	Marks string `json:"marks"`
}

type certBatteryJSON struct {
	HealthPct  float64 `json:"health_pct"`
	Genuine    bool    `json:"genuine"`
	CycleCount *int    `json:"cycle_count"`
	Summary    string  `json:"summary"`
}

type certTestGroupJSON struct {
	Outcome string   `json:"outcome"`
	Label   string   `json:"label"`
	Tests   []string `json:"tests"`
}

// orEmpty is a list for JSON: [] rather than null.
func orEmpty(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// toVerificationJSON presents the certificate rc, the words of the domain's certificate v.
func toVerificationJSON(v audit.Certificate, rc reports.Certificate) verificationJSON {
	out := verificationJSON{
		VerificationCode: rc.Code, VerificationURL: rc.VerifyURL, Record: string(v.Kind),
		Device: certDeviceJSON{Category: string(rc.Device.Category), Brand: rc.Device.Brand, Model: rc.Device.Model,
			IdentifierKind: optString(v.Device.IdentifierKind), Identifier: optString(v.Device.Identifier)},
		Grade: certGradeJSON{Status: string(rc.Status), Marketplace: optString(rc.Marketplace),
			Functional: optString(rc.Functional), Cosmetic: string(rc.Cosmetic), Label: rc.GradeLabel,
			Meaning: rc.GradeMeaning, FunctionalLabel: rc.FunctionalLabel, CosmeticLabel: rc.CosmeticLabel},
		Cosmetic: []certZoneJSON{{Zone: "screen", Marks: rc.Zones[0].Marks}, {Zone: "body", Marks: rc.Zones[1].Marks}},
		Battery: certBatteryJSON{HealthPct: rc.Battery.HealthPct, Genuine: rc.Battery.Genuine,
			CycleCount: rc.Battery.CycleCount, Summary: rc.Battery.Summary},
		FunctionalTests:  make([]certTestGroupJSON, len(rc.Tests)),
		CompliancePassed: orEmpty(rc.CompliancePassed), ComplianceFailed: orEmpty(rc.ComplianceFailed),
		NonGenuineParts: orEmpty(rc.NonGenuineParts), PartsDisclosed: rc.PartsDisclosed,
		Lab: rc.Lab, TestedAt: rc.TestedAt, Ruleset: rc.Ruleset, Issued: rc.Issued.Format(time.DateOnly),
		Superseded: rc.Correction != nil,
	}
	if rc.Device.StorageGB > 0 {
		gb := rc.Device.StorageGB
		out.Device.StorageGB = &gb
	}
	for i, g := range rc.Tests {
		out.FunctionalTests[i] = certTestGroupJSON{Outcome: string(g.Outcome), Label: g.Label, Tests: g.Tests}
	}
	if k := rc.Correction; k != nil {
		at := k.CorrectedAt
		out.Correction = &certGradeJSON{Status: string(k.Status), Marketplace: optString(k.Marketplace),
			Functional: optString(k.Functional), Cosmetic: string(k.Cosmetic), Label: k.GradeLabel,
			Meaning: k.GradeMeaning, FunctionalLabel: k.FunctionalLabel, CosmeticLabel: k.CosmeticLabel, CorrectedAt: &at}
	}
	return out
}
