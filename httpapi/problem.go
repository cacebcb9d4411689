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
	switch {
	case errors.As(err, &he):
		return he.Code
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
		return 499 // the client went away; logged, never seen by the client
	default:
		return http.StatusInternalServerError
	}
}

var errTooManyRequests = errors.New("too many requests")

// problemFor builds the problem document of err.
func problemFor(err error) Problem {
	status := statusOf(err)
	p := Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: err.Error()}
	if status == 499 {
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
	var ve *audit.ValidationError
	var ce *checklist.CompileError
	var se *audit.SupersededError
	switch {
	case errors.As(err, &se):
		p.SupersededBy = se.By
	case errors.As(err, &ve):
		p.Type = "/problems/validation"
		p.Detail = "the request has invalid fields"
		for _, f := range ve.Errors {
			p.Errors = append(p.Errors, problemField{Field: f.Field, Message: f.Message})
		}
	case errors.As(err, &ce):
		p.Type = "/problems/charter"
		p.Detail = "the charter does not compile"
		for _, f := range ce.Errors {
			p.Errors = append(p.Errors, problemField{Field: f.Field, Message: f.Message})
		}
	}
	if status >= 500 && status != http.StatusServiceUnavailable {
		// Internal details stay in the log.
		p.Detail = "an internal error occurred; it has been logged"
	}
	return p
}

// errorHandler writes every error, echo's own included, as problem+json.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := problemFor(err)
	if p.Status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed", "err", err.Error(), "route", c.Path(),
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	if p.Status == http.StatusTooManyRequests {
		var rl *rateLimited
		if errors.As(err, &rl) {
			c.Response().Header().Set("Retry-After", rl.retryAfter)
		}
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	if c.Request().Method == http.MethodHead {
		return
	}
	_ = jsonEncode(c.Response(), p)
}
