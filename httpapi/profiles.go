package httpapi

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// Public seller quality profiles (transparency.md §2): a page for buyers, the same as JSON for
// machines, and a badge for the seller's own shop pages, served to anyone without a key and
// rate-limited per client address (public_limit.go); and the managers' setting that hides a
// profile. What a profile shows is decided by the domain (audit.PublicProfile): the types it
// returns hold nothing of a scorecard's evidence, figures or the seller's contact, so neither
// representation here can show them.

// Freshness of the public representations: a profile changes when a scorecard of its seller is
// approved or a manager hides it. The page and its JSON may be stored but are revalidated on
// every use with their entity tag (a hash of the bytes, as for what cannot change: a new
// approval is new bytes), so that a profile a manager hid is gone at once, from browsers'
// caches too. The badge, embedded in the seller's shop pages and loaded with each of them,
// may be used for five minutes without asking (shared caches included), then revalidated: a
// hidden profile's badge may still show for that long.
const (
	profileCacheControl = "public, no-cache"
	badgeCacheControl   = "public, max-age=300"
	// profileCSP lets the page show its own badge and nothing else: no script, no style, no
	// form, no frame.
	profileCSP = "default-src 'none'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

// publicProfileJSON is a public profile as JSON: status says "rated" or "not_yet_rated",
// latest is null before the first approved scorecard, trend is oldest first.
type publicProfileJSON struct {
	SellerID string            `json:"seller_id"`
	Name     string            `json:"name"`
	Country  string            `json:"country"`
	Status   string            `json:"status"`
	Latest   *publicRatingJSON `json:"latest"`
	Trend    []publicMarkJSON  `json:"trend"`
}

type publicRatingJSON struct {
	PeriodStart    string            `json:"period_start"`
	PeriodEnd      string            `json:"period_end"`
	CharterVersion string            `json:"charter_version"`
	Score          *float64          `json:"score"`
	Tier           string            `json:"tier"`
	Points         []publicPointJSON `json:"points"`
}

type publicPointJSON struct {
	Code   string `json:"code"`
	Title  string `json:"title"`
	Status string `json:"status"`
}

type publicMarkJSON struct {
	PeriodStart string   `json:"period_start"`
	PeriodEnd   string   `json:"period_end"`
	Score       *float64 `json:"score"`
	Tier        string   `json:"tier"`
}

// The values of publicProfileJSON.Status.
const (
	profileRated       = "rated"
	profileNotYetRated = "not_yet_rated"
)

func toPublicProfileJSON(p audit.PublicProfile) publicProfileJSON {
	out := publicProfileJSON{SellerID: p.SellerID, Name: p.Name, Country: p.Country, Status: profileNotYetRated,
		Trend: make([]publicMarkJSON, len(p.Trend))}
	if r := p.Rating; r != nil {
		out.Status = profileRated
		out.Latest = &publicRatingJSON{PeriodStart: r.Period.Start.Format(time.DateOnly), PeriodEnd: r.Period.End.Format(time.DateOnly),
			CharterVersion: r.CharterVersion, Score: r.Score, Tier: string(r.Tier), Points: make([]publicPointJSON, len(r.Points))}
		for i, pt := range r.Points {
			out.Latest.Points[i] = publicPointJSON{Code: pt.Code, Title: pt.Title, Status: string(pt.Status)}
		}
	}
	for i, m := range p.Trend {
		out.Trend[i] = publicMarkJSON{PeriodStart: m.Period.Start.Format(time.DateOnly), PeriodEnd: m.Period.End.Format(time.DateOnly),
			Score: m.Score, Tier: string(m.Tier)}
	}
	return out
}

// getPublicProfile is GET /public/sellers/{id}: the seller's public quality profile, as HTML
// or, for a client that prefers application/json, as JSON. A hidden profile and an unknown
// seller are 404 alike.
func (s *Server) getPublicProfile(c echo.Context) error {
	h := c.Response().Header()
	h.Add(echo.HeaderVary, "Accept")
	p, err := s.svc.PublicProfile(c.Request().Context(), c.Param("id"))
	if err != nil {
		h.Set("Cache-Control", "no-store")
		return err
	}
	var buf bytes.Buffer
	contentType := "text/html; charset=utf-8"
	if prefersJSON(c.Request().Header.Get("Accept")) {
		contentType = echo.MIMEApplicationJSON
		if err := jsonEncode(&buf, toPublicProfileJSON(p)); err != nil {
			return err
		}
	} else {
		if err := s.profilePage.Execute(&buf, newProfileView(p)); err != nil {
			return fmt.Errorf("public profile page of seller %s: %w", p.SellerID, err)
		}
		h.Set("Content-Security-Policy", profileCSP)
	}
	h.Set("Cache-Control", profileCacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	return writeFinal(c, contentType, buf.Bytes(), etagOf(buf.Bytes()))
}

// getProfileBadge is GET /public/sellers/{id}/badge.svg: the seller's tier and score as a small
// SVG image, for its own shop pages (other sites, hence Cross-Origin-Resource-Policy), or
// "not yet rated". A hidden profile and an unknown seller are 404 alike.
func (s *Server) getProfileBadge(c echo.Context) error {
	h := c.Response().Header()
	p, err := s.svc.PublicProfile(c.Request().Context(), c.Param("id"))
	if err != nil {
		h.Set("Cache-Control", "no-store")
		return err
	}
	body := newBadge(p).svg()
	h.Set("Cache-Control", badgeCacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	return writeFinal(c, "image/svg+xml; charset=utf-8", body, etagOf(body))
}

// prefersJSON reports whether an Accept field prefers application/json to text/html: a higher
// quality, or the same one given by name where HTML is reached by a wildcard only (as a script
// sending "application/json, */*" says). Without a preference the answer is the page.
func prefersJSON(accept string) bool {
	jsonQ, jsonExact := acceptQuality(accept, "application", "json")
	htmlQ, htmlExact := acceptQuality(accept, "text", "html")
	return jsonQ > 0 && (jsonQ > htmlQ || jsonQ == htmlQ && jsonExact && !htmlExact)
}

// acceptQuality is the quality an Accept field gives the media type typ/sub, from its most
// specific matching range (RFC 9110 §12.5.1), and whether that range names the type exactly.
func acceptQuality(accept, typ, sub string) (float64, bool) {
	q, rank := 0.0, -1
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		t, st, _ := strings.Cut(mt, "/")
		r := -1
		switch {
		case t == typ && st == sub:
			r = 2
		case t == typ && st == "*":
			r = 1
		case t == "*" && st == "*":
			r = 0
		}
		if r <= rank {
			continue
		}
		v := 1.0
		if s, ok := params["q"]; ok {
			if v, err = strconv.ParseFloat(s, 64); err != nil || v < 0 || v > 1 {
				continue
			}
		}
		q, rank = v, r
	}
	return q, rank == 2
}

// profileView is what the page of a public profile shows.
type profileView struct {
	audit.PublicProfile
	Badge badge
	// BadgeURL is the address of the seller's badge on this server.
	BadgeURL string
}

func newProfileView(p audit.PublicProfile) profileView {
	return profileView{PublicProfile: p, Badge: newBadge(p), BadgeURL: "/public/sellers/" + url.PathEscape(p.SellerID) + "/badge.svg"}
}

// profileFuncs are the functions of the page's template.
func profileFuncs() template.FuncMap {
	return template.FuncMap{
		"score":       scoreWords,
		"tier":        tierWords,
		"tierMeaning": tierMeaning,
		"status": func(s checklist.PointStatus) string {
			return strings.ReplaceAll(string(s), "_", " ")
		},
		"period": periodWords,
	}
}

// scoreWords is a score to one decimal, or "not scored".
func scoreWords(s *float64) string {
	if s == nil {
		return "not scored"
	}
	return strconv.FormatFloat(*s, 'f', 1, 64)
}

// tierWords is a tier in words ("insufficient data").
func tierWords(t checklist.Tier) string { return strings.ReplaceAll(string(t), "_", " ") }

// tierMeaning says what a tier means to a buyer (charter.md §4).
func tierMeaning(t checklist.Tier) string {
	switch t {
	case checklist.TierTrusted:
		return "a score of 90 or more, and no critical point failed"
	case checklist.TierWatch:
		return "a score from 70 to below 90, and no critical point failed"
	case checklist.TierProbation:
		return "one critical point failed, or a score below 70"
	case checklist.TierSuspend:
		return "two or more critical points failed, or a score below 50"
	case checklist.TierInsufficientData:
		return "fewer than 10 points of the charter could be judged"
	}
	return ""
}

// periodWords is a period as people read it: a month ("2026-09"), or its first and last days
// (the end of a period is exclusive).
func periodWords(p audit.Period) string {
	if p.Start.Day() == 1 && p.End.Equal(p.Start.AddDate(0, 1, 0)) {
		return p.Start.Format("2006-01")
	}
	return p.Start.Format(time.DateOnly) + " to " + p.End.AddDate(0, 0, -1).Format(time.DateOnly)
}

// profilePageHTML is the page of a public profile: small and plain, like the problem pages,
// with nothing but the server's own badge to load (profileCSP).
const profilePageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{{.Name}}: quality profile · refurbqa</title>
</head>
<body>
<main>
<h1>{{.Name}}</h1>
<p>The quality profile of a refurbisher selling on the marketplace, from its audits against the marketplace's quality charter. Country: {{.Country}}.</p>
{{- with .Rating}}
<p><img src="{{$.BadgeURL}}" width="{{$.Badge.Width}}" height="{{$.Badge.Height}}" alt="{{$.Badge.Label}}"/></p>
<h2>Latest approved scorecard</h2>
<dl>
<dt>Period</dt><dd>{{period .Period}}</dd>
<dt>Score</dt><dd>{{score .Score}}{{if .Score}} out of 100{{end}}</dd>
<dt>Tier</dt><dd>{{tier .Tier}}{{with tierMeaning .Tier}}: {{.}}{{end}}</dd>
<dt>Charter version</dt><dd>{{.CharterVersion}}</dd>
</dl>
<h2>Charter points</h2>
<table>
<caption>Each point of the charter: passed, failed, or not judged for lack of data in the period.</caption>
<thead><tr><th scope="col">Point</th><th scope="col">What it asks</th><th scope="col">Status</th></tr></thead>
<tbody>
{{- range .Points}}
<tr><th scope="row">{{.Code}}</th><td>{{.Title}}</td><td>{{status .Status}}</td></tr>
{{- end}}
</tbody>
</table>
<h2>Score trend</h2>
<table>
<caption>The last approved scorecards, oldest first.</caption>
<thead><tr><th scope="col">Period</th><th scope="col">Score</th><th scope="col">Tier</th></tr></thead>
<tbody>
{{- range $.Trend}}
<tr><th scope="row">{{period .Period}}</th><td>{{score .Score}}</td><td>{{tier .Tier}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p><strong>Not yet rated.</strong> No scorecard of this seller has been approved yet.</p>
{{- end}}
<h2>About these ratings</h2>
<p>The marketplace's quality team audits every seller against its quality charter, from devices bought anonymously and tested in its lab and from the seller's operations. A scorecard is shown here only once a quality manager has approved it.</p>
</main>
</body>
</html>
`

// badge is the SVG badge of a profile: a dark label and a coloured value, each colour with
// white text at a contrast of at least 6:1, the tier written out so that colour is never the
// only carrier of meaning.
type badge struct {
	Value  string // "trusted 92.5", "insufficient data", "not yet rated"
	Label  string // the text alternative: the seller, its tier and its score in words
	Colour string
	Width  int
	Height int
}

// Badge geometry: text of 11 px, about 7 px a character, in boxes with 6 px of padding on
// each side.
const (
	badgeHeight    = 20
	badgeCharWidth = 7
	badgePadding   = 6
	badgeLabel     = "quality"
)

func newBadge(p audit.PublicProfile) badge {
	b := badge{Value: "not yet rated", Colour: "#57606a", Height: badgeHeight,
		Label: "Quality of " + p.Name + " on the refurbqa marketplace: not yet rated"}
	if r := p.Rating; r != nil {
		b.Value = tierWords(r.Tier)
		b.Label = "Quality of " + p.Name + " on the refurbqa marketplace: tier " + tierWords(r.Tier)
		if r.Score != nil {
			b.Value += " " + scoreWords(r.Score)
			b.Label += ", score " + scoreWords(r.Score) + " out of 100"
		}
		switch r.Tier {
		case checklist.TierTrusted:
			b.Colour = "#116329"
		case checklist.TierWatch:
			b.Colour = "#7d4e00"
		case checklist.TierProbation:
			b.Colour = "#953800"
		case checklist.TierSuspend:
			b.Colour = "#a40e26"
		}
	}
	b.Width = boxWidth(badgeLabel) + boxWidth(b.Value)
	return b
}

func boxWidth(text string) int { return utf8.RuneCountInString(text)*badgeCharWidth + 2*badgePadding }

// svg draws the badge. Every text is escaped for XML, though only the label carries text of a
// seller's (its name).
func (b badge) svg() []byte {
	lw, vw := boxWidth(badgeLabel), boxWidth(b.Value)
	label, value := html.EscapeString(b.Label), html.EscapeString(b.Value)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`+"\n",
		b.Width, b.Height, b.Width, b.Height, label)
	fmt.Fprintf(&buf, "<title>%s</title>\n", label)
	fmt.Fprintf(&buf, `<rect width="%d" height="%d" fill="#24292f"/>`+"\n", lw, b.Height)
	fmt.Fprintf(&buf, `<rect x="%d" width="%d" height="%d" fill="%s"/>`+"\n", lw, vw, b.Height, b.Colour)
	fmt.Fprintf(&buf, `<g fill="#ffffff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">`+"\n")
	fmt.Fprintf(&buf, `<text x="%d" y="14">%s</text>`+"\n", lw/2, badgeLabel)
	fmt.Fprintf(&buf, `<text x="%d" y="14">%s</text>`+"\n", lw+vw/2, value)
	buf.WriteString("</g>\n</svg>\n")
	return buf.Bytes()
}

// profileSettingJSON is whether a seller's public profile is shown.
type profileSettingJSON struct {
	SellerID string `json:"seller_id"`
	Public   bool   `json:"public"`
}

// profileSettingRequest shows or hides a seller's public profile.
type profileSettingRequest struct {
	Public *bool `json:"public" validate:"required"`
}

// getProfileSetting is GET /api/v1/sellers/{id}/profile (managers, admins).
func (s *Server) getProfileSetting(c echo.Context) error {
	set, err := s.svc.ProfileSetting(c.Request().Context(), mustPrincipal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, profileSettingJSON{SellerID: set.SellerID, Public: set.Public})
}

// putProfileSetting is PUT /api/v1/sellers/{id}/profile (managers, admins): {public} shows or
// hides the seller's public profile, and the answer is the setting as stored.
func (s *Server) putProfileSetting(c echo.Context) error {
	var req profileSettingRequest
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	typeErr, err := wire.Decode(body, &req)
	if err != nil {
		return err
	}
	if err := wire.WithTypeErrors(typeErr, c.Validate(&req)); err != nil {
		return err
	}
	set, err := s.svc.SetProfileVisibility(c.Request().Context(), mustPrincipal(c), c.Param("id"), *req.Public)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, profileSettingJSON{SellerID: set.SellerID, Public: set.Public})
}
