package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
)

// Problem is an RFC 9457 problem details document.
type Problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail"`
	Errors []problemField `json:"errors,omitempty"`
	// SupersededBy, an extension member of the 409 answering an approval of a superseded
	// draft, names the scorecard that replaced it, for clients to move on to without parsing
	// the detail.
	SupersededBy string `json:"superseded_by,omitempty"`
}

type problemField struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// statusOf is the one table that turns domain errors into HTTP status codes.
func statusOf(err error) int {
	var he *echo.HTTPError
	var ce *checklist.CompileError
	var be *bodyError
	switch {
	case errors.As(err, &he):
		return he.Code
	case errors.As(err, &be):
		return be.status()
	case errors.Is(err, audit.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, audit.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, audit.ErrInvalid), errors.As(err, &ce):
		return http.StatusUnprocessableEntity
	case errors.Is(err, audit.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, audit.ErrUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, errTooManyRequests):
		return http.StatusTooManyRequests
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	case errors.Is(err, context.Canceled):
		return statusClientClosed
	default:
		return http.StatusInternalServerError
	}
}

// statusClientClosed is the status of a request whose client went away: logged, never seen by
// the client.
const statusClientClosed = 499

var errTooManyRequests = errors.New("too many requests")

// problemFor builds the problem document of err. Its type is the path of the page of its kind
// (/problems/{kind}), which errorHandler makes absolute, or about:blank.
func problemFor(err error) Problem {
	status := statusOf(err)
	p := Problem{Type: aboutBlank, Title: http.StatusText(status), Status: status, Detail: err.Error()}
	if status == statusClientClosed {
		p.Title = "Client Closed Request"
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if m, ok := he.Message.(string); ok {
			p.Detail = m
		} else {
			p.Detail = http.StatusText(he.Code)
		}
	}
	var be *bodyError
	if errors.As(err, &be) {
		p.Detail = be.detail()
	}
	var ve *audit.ValidationError
	var ce *checklist.CompileError
	var se *audit.SupersededError
	kind := problemKindOf(status)
	switch {
	case errors.As(err, &se):
		p.SupersededBy = se.By
	case errors.As(err, &ve):
		kind = "validation"
		p.Detail = "the request has invalid fields"
		for _, f := range ve.Errors {
			p.Errors = append(p.Errors, problemField{Field: f.Field, Message: f.Message})
		}
	case errors.As(err, &ce):
		kind = "charter"
		p.Detail = "the charter does not compile"
		for _, f := range ce.Errors {
			p.Errors = append(p.Errors, problemField{Field: f.Field, Message: f.Message})
		}
	}
	if kind != "" {
		p.Type = problemPath + kind
	}
	if status >= 500 && status != http.StatusServiceUnavailable && status != http.StatusNotImplemented {
		// Internal details stay in the log.
		p.Detail = "an internal error occurred; it has been logged"
	}
	return p
}

// errorHandler writes every error, echo's own included, as problem+json; on a public page
// (handlePublicPage) as an HTML page, unless the client asks for JSON.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := problemFor(err)
	p.Type = absoluteProblemType(c.Request(), p.Type)
	if p.Status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed", "err", err.Error(), "route", c.Path(),
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	switch p.Status {
	case http.StatusTooManyRequests:
		var rl *rateLimited
		if errors.As(err, &rl) {
			c.Response().Header().Set("Retry-After", rl.retryAfter)
		}
	case http.StatusRequestTimeout:
		// The rest of the body may still come: the connection cannot carry another request.
		c.Response().Header().Set(echo.HeaderConnection, "close")
	}
	if pe, ok := s.htmlErrors[c.Path()]; ok {
		setPageHeaders(c.Response().Header())
		if !wantsJSON(c.Request()) {
			s.writeErrorPage(c, pe, p)
			return
		}
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	// Written for HEAD too: headBodies counts it for the Content-Length and drops it.
	_ = jsonEncode(c.Response(), p)
}
