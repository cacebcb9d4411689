package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// The HTTP conventions of api.md that hold for every route: HEAD answers like GET without a
// body, bodies over 1 KiB are gzipped for clients that accept it, and what cannot change
// carries a strong ETag that If-None-Match turns into 304.

// gzipMinLength is the smallest body that is compressed: "larger than 1 KiB" (api.md).
const gzipMinLength = 1024 + 1

// compress is echo's gzip middleware, on for clients whose Accept-Encoding accepts gzip. Its
// own test is a substring match ("gzip;q=0" would still compress), so the skipper decides
// first with acceptsGzip; the skipper also says Vary on the responses it skips, which the
// middleware says only on those it handles, because every response depends on the header.
func compress() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		MinLength: gzipMinLength,
		Skipper: func(c echo.Context) bool {
			if acceptsGzip(c.Request()) {
				return false
			}
			c.Response().Header().Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
			return true
		},
	})
}

// acceptsGzip reports whether the request's Accept-Encoding names gzip (or x-gzip) with a
// non-zero quality. It implies the middleware's own substring test, so that gzipped, which
// predicts the middleware's choice, cannot disagree with it.
func acceptsGzip(r *http.Request) bool {
	ae := r.Header.Get(echo.HeaderAcceptEncoding)
	if ae == "" {
		return false
	}
	for _, part := range strings.Split(ae, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" {
			continue
		}
		return !zeroQuality(params)
	}
	return false
}

// zeroQuality reports whether an Accept-Encoding element's parameters say q=0.
func zeroQuality(params string) bool {
	for _, p := range strings.Split(params, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		return err == nil && q == 0
	}
	return false
}

// gzipped reports whether a body of n bytes is sent gzipped to r: what compress will do.
func gzipped(r *http.Request, n int) bool { return n >= gzipMinLength && acceptsGzip(r) }

// headBodies makes HEAD answer exactly what GET would, without the body: the handler runs as
// for GET, and what it writes is counted instead of sent, so the answer says the
// Content-Length that GET would have sent (of the gzipped bytes when compressed, since this
// writer sits under the gzip middleware). The status is held until the handler is done, when
// the length is known. The real server drops HEAD bodies too; this makes it explicit and
// holds for every writer.
func headBodies(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method != http.MethodHead {
			return next(c)
		}
		res := c.Response()
		w := &headWriter{ResponseWriter: res.Writer}
		res.Writer = w
		if err := next(c); err != nil {
			c.Error(err) // here, so that the problem is counted and dropped like any body
		}
		res.Writer = w.ResponseWriter
		if w.code != 0 {
			if w.n > 0 && res.Header().Get(echo.HeaderContentLength) == "" {
				res.Header().Set(echo.HeaderContentLength, strconv.FormatInt(w.n, 10))
			}
			w.ResponseWriter.WriteHeader(w.code)
		}
		return nil
	}
}

// headWriter swallows a HEAD answer's body, counting it, and holds its status line.
type headWriter struct {
	http.ResponseWriter
	code int
	n    int64
}

func (w *headWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *headWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += int64(len(b))
	return len(b), nil
}

// Flush does nothing: a HEAD answer has no body to push, and its status waits for the end.
func (w *headWriter) Flush() {}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *headWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// etagOf is the strong entity tag of a representation: a hash of its bytes, so that any change
// of the bytes (a new field after an upgrade, a charter that stops being the active one, a
// report generated on another day) is a new tag.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// gzipETag is the tag of the gzipped representation of the body whose tag is etag: a strong
// tag names one sequence of bytes, and the gzipped ones are others.
func gzipETag(etag string) string { return strings.TrimSuffix(etag, `"`) + `-gzip"` }

// writeFinal answers a representation that cannot change (an approved scorecard, its report, a
// charter version, the OpenAPI document, a problem page) with its strong ETag, and with 304
// when If-None-Match names that tag. The tag is that of the representation the client gets:
// of the gzipped bytes when they will be gzipped. Headers set before the call (such as
// Cache-Control) are part of the 304 too, as RFC 9110 asks.
func writeFinal(c echo.Context, contentType string, body []byte, etag string) error {
	req := c.Request()
	if gzipped(req, len(body)) {
		etag = gzipETag(etag)
	}
	h := c.Response().Header()
	h.Set("ETag", etag)
	if inm := req.Header.Get("If-None-Match"); inm != "" && noneMatchHit(inm, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set(echo.HeaderContentType, contentType)
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	c.Response().WriteHeader(http.StatusOK)
	_, err := c.Response().Write(body)
	return err
}

// noneMatchHit reports whether an If-None-Match field names etag: "*", or one of its
// comma-separated entity tags by the weak comparison RFC 9110 prescribes for it (a W/ prefix
// is ignored).
func noneMatchHit(field, etag string) bool {
	if strings.TrimSpace(field) == "*" {
		return true
	}
	for field != "" {
		field = strings.TrimLeft(field, " \t,")
		field = strings.TrimPrefix(field, "W/")
		if !strings.HasPrefix(field, `"`) {
			return false // not an entity tag: the field is malformed, so nothing matches
		}
		end := strings.IndexByte(field[1:], '"')
		if end < 0 {
			return false
		}
		if field[:end+2] == etag {
			return true
		}
		field = field[end+2:]
	}
	return false
}
