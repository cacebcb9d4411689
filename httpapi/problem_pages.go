package httpapi

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/reports"
)

// Every problem type other than about:blank is the absolute URI of a page this server serves,
// which explains that kind of error to a person (api.md, Conventions).
const (
	aboutBlank  = "about:blank"
	problemPath = "/problems/"
)

// problemKind is one kind of problem the error table produces, and what its page says.
type problemKind struct {
	Slug   string
	Status int
	Title  string
	Text   string // what happened
	Action string // what to do about it
}

// problemKinds lists every kind of problem statusOf and problemFor can produce, each with its
// page. A status outside this list is about:blank.
func problemKinds() []problemKind {
	return []problemKind{
		{"bad-request", http.StatusBadRequest, "Bad request",
			"The request could not be read: its query string or body is malformed, or the body ended before the length it announced.",
			"Fix the request; sending it again unchanged gives the same answer."},
		{"unauthorized", http.StatusUnauthorized, "Authentication required",
			"The request carries no bearer token, or its token is unknown, revoked or expired.",
			"Send Authorization: Bearer followed by the token of a valid API key (created with refurbqa keys create, or by an admin with POST /api/v1/keys)."},
		{"forbidden", http.StatusForbidden, "Forbidden",
			"The API key is valid, but its role (admin, manager, technician or seller) may not call this route.",
			"Use a key of a role that the route allows; the role table of the API documentation lists them."},
		{"not-found", http.StatusNotFound, "Not found",
			"There is no such route, or no record with this id that the caller may see. A seller gets this answer for records of other sellers and for its own drafts, exactly as for records that do not exist.",
			"Check the path and the id."},
		{"method-not-allowed", http.StatusMethodNotAllowed, "Method not allowed",
			"The route exists, but not with this method. Every GET route also answers HEAD.",
			"Use one of the methods the API documentation gives for this route."},
		{"request-timeout", http.StatusRequestTimeout, "Request timeout",
			"The request body did not arrive within the server's read timeout. The server closes the connection.",
			"Send the body again, faster or in smaller pieces (smaller batches)."},
		{"conflict", http.StatusConflict, "Conflict",
			"The request conflicts with what is stored: the record exists already (a charter version, for example), or its state does not allow this (a scorecard approved already).",
			"Read the record again and decide; sending the request again unchanged gives the same answer."},
		{"body-too-large", http.StatusRequestEntityTooLarge, "Request body too large",
			"The request body is larger than 10 MiB.",
			"Split it into smaller requests: a batch holds at most 1000 items."},
		{"unsupported-media-type", http.StatusUnsupportedMediaType, "Unsupported media type",
			"The body's Content-Type is not what the endpoint reads: JSON endpoints take application/json (parameters such as charset=utf-8 are fine), the KPI import takes text/csv.",
			"Send the body with the right Content-Type header."},
		{"validation", http.StatusUnprocessableEntity, "Invalid request",
			"One or more fields of the request are invalid. The errors array of the problem names every one of them, by its dotted JSON path (such as cosmetic.screen.cracks) or query parameter (such as cursor), with a message.",
			"Fix every field listed and send the request again."},
		{"charter", http.StatusUnprocessableEntity, "Charter does not compile",
			"The charter sent to be published does not compile. The errors array of the problem names every faulty field of its points (such as points[3].rule) with the reason.",
			"Fix every point listed and publish again; nothing was stored."},
		{"rate-limited", http.StatusTooManyRequests, "Too many requests",
			"This API key sent more requests than its rate limit allows; on the public pages, which need no key, this client address did.",
			"Wait the number of seconds given in the Retry-After header, then send again."},
		{"client-closed", statusClientClosed, "Client closed request",
			"The client closed the connection before the answer was ready. The server records this status in its log and metrics; no client receives it.",
			"Nothing: the request may or may not have taken effect, so read the records before sending it again."},
		{"internal", http.StatusInternalServerError, "Internal error",
			"The server failed to answer. The details are in the server's log, under the request's X-Request-ID.",
			"Give the X-Request-ID header of the answer to the operators of the server."},
		{"unavailable", http.StatusServiceUnavailable, "Service unavailable",
			"The server could not answer in time, or its database does not answer.",
			"Send the request again later, waiting longer between tries."},
	}
}

// problemKindOf is the kind of a problem by its status alone ("" for about:blank); validation
// and charter errors, both 422, are told apart by problemFor.
func problemKindOf(status int) string {
	for _, k := range problemKinds() {
		if k.Status == status {
			return k.Slug
		}
	}
	return ""
}

// absoluteProblemType makes a problem type path absolute with the origin the request reached
// (reports.Origin, the rule of verification addresses too: its scheme and Host header, the
// host only when it is a plain host name or address, https only when this server terminated
// TLS). Without that origin, and for about:blank, the type is about:blank.
func absoluteProblemType(r *http.Request, typ string) string {
	origin := reports.Origin(r.Host, r.TLS != nil)
	if !strings.HasPrefix(typ, problemPath) || origin == "" {
		return aboutBlank
	}
	return origin + typ
}

// problemPageHTML is the page of one kind of problem: small, plain, and well-formed enough to
// be read as XML too. Its fields are fixed text; nothing of a request goes into it.
const problemPageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{{.Title}} ({{.Status}}) · refurbqa API</title>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p>HTTP status {{.Status}}. {{.Text}}</p>
<p>{{.Action}}</p>
<p>Every error of the refurbqa API is an RFC 9457 problem document (<code>application/problem+json</code>)
whose <code>type</code> is the address of a page like this one; its <code>detail</code> says what went
wrong with the request at hand.</p>
</main>
</body>
</html>
`

// problemPage is a rendered page and its entity tag.
type problemPage struct {
	body []byte
	etag string
}

// renderProblemPages renders the page of every kind once, at start-up.
func renderProblemPages() (map[string]problemPage, error) {
	tmpl, err := template.New("problem").Parse(problemPageHTML)
	if err != nil {
		return nil, err
	}
	pages := map[string]problemPage{}
	for _, k := range problemKinds() {
		var b bytes.Buffer
		if err := tmpl.Execute(&b, k); err != nil {
			return nil, err
		}
		pages[k.Slug] = problemPage{body: b.Bytes(), etag: etagOf(b.Bytes())}
	}
	return pages, nil
}

// getProblemPage serves the page of one kind of problem, to anyone. The pages change only
// with the server's version, so they may be cached for a day.
func (s *Server) getProblemPage(c echo.Context) error {
	page, ok := s.problemPages[c.Param("kind")]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "no problem page of this name")
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	return writeFinal(c, "text/html; charset=utf-8", page.body, page.etag)
}
