package httpapi

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// listResponse is the shape of every list: {"items": [...], "next_cursor": "..."}.
type listResponse[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func newList[D, T any](items []D, next string, conv func(D) T) listResponse[T] {
	out := make([]T, len(items))
	for i, it := range items {
		out[i] = conv(it)
	}
	return listResponse[T]{Items: out, NextCursor: next}
}

// query reads and checks query parameters, collecting every error so that one answer names
// every bad parameter.
type query struct {
	c    echo.Context
	errs []grading.FieldError
}

func newQuery(c echo.Context) *query {
	q := &query{c: c}
	q.checkEncoding()
	return q
}

// checkEncoding reports every query parameter that cannot be decoded: a broken
// percent-encoding, or a ';' (no longer a separator). url.Values silently drops such a
// parameter, which would make ?cursor=%zz the first page and ?status=%zz no filter at all.
// It walks the query as url.ParseQuery does.
func (q *query) checkEncoding() {
	raw := q.c.Request().URL.RawQuery
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(key)
		if err != nil || strings.Contains(key, ";") || !utf8.ValidString(name) {
			q.fail("query", "has a parameter name that cannot be decoded")
			continue
		}
		if _, err := url.QueryUnescape(value); err != nil || strings.Contains(value, ";") {
			q.fail(name, "cannot be decoded: broken percent-encoding or a ';'")
		}
	}
}

func (q *query) fail(field, msg string) {
	q.errs = append(q.errs, grading.FieldError{Field: field, Message: msg})
}

// page reads limit and cursor. Limits above the cap are lowered to it.
func (q *query) page() audit.Page {
	p := audit.Page{Cursor: q.c.QueryParam("cursor")}
	if v := q.c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			q.fail("limit", "must be an integer from 1 to 500")
		} else {
			p.Limit = min(n, audit.MaxLimit)
		}
	}
	if _, err := audit.DecodeCursor(p.Cursor); err != nil {
		q.fail("cursor", "is not a cursor this API made")
	}
	return p
}

// str reads a string parameter of at most max bytes.
func (q *query) str(name string, max int) string {
	v := q.c.QueryParam(name)
	if len(v) > max {
		q.fail(name, "is too long")
		return ""
	}
	return v
}

// time reads an RFC 3339 instant, or a YYYY-MM-DD date meaning its midnight UTC.
func (q *query) time(name string) time.Time {
	v := q.c.QueryParam(name)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t
	}
	q.fail(name, "must be an RFC 3339 timestamp or a YYYY-MM-DD date")
	return time.Time{}
}

// oneOf reads an enumerated parameter.
func (q *query) oneOf(name string, allowed ...string) string {
	v := q.c.QueryParam(name)
	if v == "" {
		return ""
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	q.fail(name, "must be one of the documented values")
	return ""
}

func (q *query) err() error { return audit.Invalid(q.errs) }

// period reads the from and to parameters of a list, a range [from, to) that must not run
// backwards; either may be absent.
func (q *query) period() (from, to time.Time) {
	from, to = q.time("from"), q.time("to")
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		q.fail("to", "must not be before from")
	}
	return from, to
}
