package httpapi

import (
	"bytes"
	"embed"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// The public verification of certificates (transparency.md §1): GET /verify/{code}, for
// anybody without a key, answers what the certificate of the code shows, as an HTML page or,
// to a client that asks for application/json, as JSON; GET /verify is the form that takes a
// code typed by hand. Both are public pages (handlePublicPage): limited per client address,
// and their errors are pages too for clients that want HTML.

// verifyPath is the path of verification addresses, before the code.
const verifyPath = "/verify/"

//go:embed pages/*.html
var pageFiles embed.FS

// pageCSP is the Content-Security-Policy of the public pages: nothing but the page itself,
// which holds no script, style or image, and its form, which posts to this server.
const pageCSP = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// parsePages parses the templates of the public pages, once, at start-up.
func parsePages() (*template.Template, error) {
	return template.New("pages").ParseFS(pageFiles, "pages/*.html")
}

// gradeName names a device's listing grade, or its status when it has none.
func gradeName(st grading.Status, m grading.Marketplace) string {
	if m != "" {
		return strings.ToUpper(string(m[:1])) + string(m[1:]) + " grade"
	}
	switch st {
	case grading.Rejected:
		return "Rejected"
	case grading.Incomplete:
		return "Not graded"
	}
	return "Not for sale under a marketplace grade"
}

// pageError is what the HTML error page of a public page says about its own "not found".
type pageError struct {
	notFound string // the text of a 404
	form     bool   // whether a 404 offers the form again
}

// handlePublicPage registers a public page: public, limited per client address
// (registerLimited, perAddress), with the headers of pageHeaders, and whose errors are HTML pages for
// clients that do not ask for JSON (errorHandler, writeErrorPage), notFound saying what a 404
// means there.
func (s *Server) handlePublicPage(method, path string, notFound pageError, h echo.HandlerFunc) {
	// The headers hold for the 429 of the limit too: pageHeaders comes first.
	s.registerLimited(method, path, pageHeaders(s.perAddress(h)))
	s.htmlErrors[path] = notFound
}

// pageHeaders sets the headers of every answer of a public page, errors included: it varies
// with Accept (page or JSON); it is public but never indexed, never cached without asking
// again (a correction may supersede it any time), and never sends its address, which holds a
// code, as a referrer.
func pageHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Add(echo.HeaderVary, "Accept")
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Robots-Tag", "noindex")
		return next(c)
	}
}

// wantsJSON reports whether the request's Accept prefers application/json to text/html: JSON
// when it names application/json with a quality above that of text/html (0 when not named).
// A browser, a bare */* and no Accept at all get the page.
func wantsJSON(r *http.Request) bool {
	var qJSON, qHTML float64
	for _, part := range strings.Split(r.Header.Get(echo.HeaderAccept), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil || q < 0 || q > 1 {
				continue
			}
		}
		switch mt {
		case echo.MIMEApplicationJSON:
			qJSON = max(qJSON, q)
		case "text/html":
			qHTML = max(qHTML, q)
		}
	}
	return qJSON > qHTML
}

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
	var buf bytes.Buffer
	if asJSON {
		err = jsonEncode(&buf, s.toVerificationJSON(r, cert))
	} else {
		err = s.pages.ExecuteTemplate(&buf, "verify", newVerifyPage(cert))
	}
	if err != nil {
		return err
	}
	if key != "" {
		s.verifications.put(key, cachedVerification{state: st, body: buf.Bytes()})
	}
	return write(c, http.StatusOK, buf.Bytes())
}

// verifyPage is the data of the verification page, every text made beforehand, so that the
// template only places and escapes them.
type verifyPage struct {
	Title, Code                         string
	Correction                          *correctionLine
	Device, Storage, IdentifierName     string
	Identifier, TestedBy, Date, DateISO string
	Ruleset, Grade, Meaning, Functional string
	Cosmetic, Battery                   string
	Zones                               []zoneLine
	Tests                               []testLines
	Compliance, Parts                   []string
}

type correctionLine struct{ Date, DateISO, Grade, Detail, Meaning string }

type zoneLine struct{ Name, Words string }

type testLines struct {
	Heading string
	Items   []string
}

// newVerifyPage writes out what the certificate c shows, for its page.
func newVerifyPage(c audit.Certificate) verifyPage {
	code := audit.FormatVerificationCode(c.Code)
	p := verifyPage{
		Title: "Certificate " + code, Code: code,
		Device:   c.Device.Brand + " " + c.Device.Model + " (" + string(c.Device.Category) + ")",
		TestedBy: c.Lab, Date: longDate(c.TestedAt), DateISO: c.TestedAt.UTC().Format(time.DateOnly),
		Ruleset: c.Ruleset, Grade: gradeName(c.Status, c.Marketplace), Meaning: c.Meaning,
		Functional: string(c.Functional), Cosmetic: string(c.Cosmetic) + " (" + c.CosmeticName + ")",
		Identifier: c.Device.Identifier, IdentifierName: "Serial number",
	}
	if p.TestedBy == "" {
		p.TestedBy = "The marketplace's quality team, on arrival of the device"
	}
	if p.Functional == "" {
		p.Functional = "None (the inspection is incomplete)"
	}
	if c.Device.IdentifierKind == "imei" {
		p.IdentifierName = "IMEI"
	}
	if c.Device.StorageGB > 0 {
		p.Storage = strconv.Itoa(c.Device.StorageGB) + " GB"
	}
	battery := "not a genuine battery"
	if c.BatteryGenuine {
		battery = "genuine battery"
	}
	p.Battery = "Battery health " + strconv.FormatFloat(c.BatteryHealth, 'f', -1, 64) + "% of its design capacity; " + battery + "."
	for _, z := range c.Zones {
		name := "Body (back, frame, casing, lid)"
		if z.Zone == "screen" {
			name = "Screen"
		}
		p.Zones = append(p.Zones, zoneLine{Name: name, Words: z.Words})
	}
	for _, g := range c.Tests {
		t := testLines{Heading: g.Words + " (" + strconv.Itoa(len(g.Tests)) + ")"}
		for _, test := range g.Tests {
			t.Items = append(t.Items, test.Words)
		}
		p.Tests = append(p.Tests, t)
	}
	for _, ch := range c.CompliancePassed {
		p.Compliance = append(p.Compliance, ch.Words)
	}
	for _, part := range c.NonGenuineParts {
		p.Parts = append(p.Parts, audit.PartName(part))
	}
	if k := c.Correction; k != nil {
		detail := "cosmetic grade " + string(k.Cosmetic) + " (" + k.CosmeticName + ")"
		if k.Functional != "" {
			detail += ", functional grade " + string(k.Functional)
		}
		p.Correction = &correctionLine{Date: longDate(k.CorrectedAt), DateISO: k.CorrectedAt.UTC().Format(time.DateOnly),
			Grade: gradeName(k.Status, k.Marketplace), Detail: detail, Meaning: k.Meaning}
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

// verificationJSON is the JSON of a verification: what the certificate shows.
type verificationJSON struct {
	VerificationCode string              `json:"verification_code"`
	VerificationURL  string              `json:"verification_url"`
	Record           string              `json:"record"`
	Device           certDeviceJSON      `json:"device"`
	Grade            certGradeJSON       `json:"grade"`
	Cosmetic         []certZoneJSON      `json:"cosmetic"`
	Battery          certBatteryJSON     `json:"battery"`
	FunctionalTests  []certTestGroupJSON `json:"functional_tests"`
	CompliancePassed []certCheckJSON     `json:"compliance_passed"`
	NonGenuineParts  []certPartJSON      `json:"non_genuine_parts"`
	Lab              *string             `json:"lab"`
	TestedAt         time.Time           `json:"tested_at"`
	Superseded       bool                `json:"superseded"`
	Correction       *certCorrectionJSON `json:"correction"`
}

type certDeviceJSON struct {
	Category       string  `json:"category"`
	Brand          string  `json:"brand"`
	Model          string  `json:"model"`
	StorageGB      *int    `json:"storage_gb"`
	IdentifierKind *string `json:"identifier_kind"`
	Identifier     *string `json:"identifier"`
}

type certGradeJSON struct {
	Ruleset      string  `json:"ruleset"`
	Status       string  `json:"status"`
	Marketplace  *string `json:"marketplace"`
	Meaning      string  `json:"meaning"`
	Functional   *string `json:"functional"`
	Cosmetic     string  `json:"cosmetic"`
	CosmeticName string  `json:"cosmetic_name"`
}

type certZoneJSON struct {
	Zone           string `json:"zone"`
	LightScratches int    `json:"light_scratches"`
	DeepScratches  int    `json:"deep_scratches"`
	Dents          int    `json:"dents"`
	Chips          int    `json:"chips"`
	Cracks         int    `json:"cracks"`
	VisibleFromCM  int    `json:"visible_from_cm"`
	Words          string `json:"words"`
}

type certBatteryJSON struct {
	HealthPct float64 `json:"health_pct"`
	Genuine   bool    `json:"genuine"`
}

type certTestGroupJSON struct {
	Outcome string          `json:"outcome"`
	Words   string          `json:"words"`
	Tests   []certCheckJSON `json:"tests"`
}

type certCheckJSON struct {
	Code  string `json:"code"`
	Words string `json:"words"`
}

type certPartJSON struct {
	Part  string `json:"part"`
	Words string `json:"words"`
}

type certCorrectionJSON struct {
	Status       string    `json:"status"`
	Marketplace  *string   `json:"marketplace"`
	Meaning      string    `json:"meaning"`
	Functional   *string   `json:"functional"`
	Cosmetic     string    `json:"cosmetic"`
	CosmeticName string    `json:"cosmetic_name"`
	CorrectedAt  time.Time `json:"corrected_at"`
}

func checksJSON(cs []audit.Check) []certCheckJSON {
	out := make([]certCheckJSON, len(cs))
	for i, c := range cs {
		out[i] = certCheckJSON{Code: c.Code, Words: c.Words}
	}
	return out
}

// toVerificationJSON presents a certificate.
func (s *Server) toVerificationJSON(r *http.Request, c audit.Certificate) verificationJSON {
	out := verificationJSON{
		VerificationCode: audit.FormatVerificationCode(c.Code), VerificationURL: s.verificationURL(r, c.Code),
		Record: string(c.Kind),
		Device: certDeviceJSON{Category: string(c.Device.Category), Brand: c.Device.Brand, Model: c.Device.Model,
			IdentifierKind: optString(c.Device.IdentifierKind), Identifier: optString(c.Device.Identifier)},
		Grade: certGradeJSON{Ruleset: c.Ruleset, Status: string(c.Status), Marketplace: optString(c.Marketplace),
			Meaning: c.Meaning, Functional: optString(c.Functional), Cosmetic: string(c.Cosmetic), CosmeticName: c.CosmeticName},
		Battery:          certBatteryJSON{HealthPct: c.BatteryHealth, Genuine: c.BatteryGenuine},
		CompliancePassed: checksJSON(c.CompliancePassed),
		NonGenuineParts:  make([]certPartJSON, len(c.NonGenuineParts)),
		Lab:              optString(c.Lab), TestedAt: c.TestedAt, Superseded: c.Correction != nil,
	}
	if c.Device.StorageGB > 0 {
		gb := c.Device.StorageGB
		out.Device.StorageGB = &gb
	}
	for _, z := range c.Zones {
		m := z.Marks
		out.Cosmetic = append(out.Cosmetic, certZoneJSON{Zone: z.Zone, LightScratches: m.LightScratches,
			DeepScratches: m.DeepScratches, Dents: m.Dents, Chips: m.Chips, Cracks: m.Cracks,
			VisibleFromCM: m.VisibleFromCM, Words: z.Words})
	}
	out.FunctionalTests = make([]certTestGroupJSON, len(c.Tests))
	for i, g := range c.Tests {
		out.FunctionalTests[i] = certTestGroupJSON{Outcome: string(g.Outcome), Words: g.Words, Tests: checksJSON(g.Tests)}
	}
	for i, p := range c.NonGenuineParts {
		out.NonGenuineParts[i] = certPartJSON{Part: p, Words: audit.PartName(p)}
	}
	if k := c.Correction; k != nil {
		out.Correction = &certCorrectionJSON{Status: string(k.Status), Marketplace: optString(k.Marketplace),
			Meaning: k.Meaning, Functional: optString(k.Functional), Cosmetic: string(k.Cosmetic),
			CosmeticName: k.CosmeticName, CorrectedAt: k.CorrectedAt}
	}
	return out
}
