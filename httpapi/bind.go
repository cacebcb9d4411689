package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// requestValidator adapts validator v10 to echo and reports fields by their dotted JSON paths.
type requestValidator struct {
	v *validator.Validate
}

func newValidator() *requestValidator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return &requestValidator{v: v}
}

// Validate implements echo.Validator.
func (rv *requestValidator) Validate(i any) error {
	err := rv.v.Struct(i)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return fmt.Errorf("%v: %w", err, audit.ErrInvalid)
	}
	return audit.Invalid(fieldErrors(verrs))
}

func fieldErrors(verrs validator.ValidationErrors) []grading.FieldError {
	out := make([]grading.FieldError, 0, len(verrs))
	for _, fe := range verrs {
		ns := fe.Namespace()
		if i := strings.IndexByte(ns, '.'); i >= 0 {
			ns = ns[i+1:] // drop the Go type name of the root
		}
		out = append(out, grading.FieldError{Field: ns, Message: tagMessage(fe)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func tagMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "email":
		return "must be an email address"
	case "iso3166_1_alpha2":
		return "must be an ISO 3166-1 alpha-2 country code"
	case "min":
		if fe.Kind() == reflect.String {
			return "must have at least " + fe.Param() + " characters"
		}
		if fe.Kind() == reflect.Slice {
			return "must have at least " + fe.Param() + " items"
		}
		return "must be at least " + fe.Param()
	case "max":
		if fe.Kind() == reflect.String {
			return "must have at most " + fe.Param() + " characters"
		}
		if fe.Kind() == reflect.Slice {
			return "must have at most " + fe.Param() + " items"
		}
		return "must be at most " + fe.Param()
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "gte":
		return "must be at least " + fe.Param()
	case "lte":
		return "must be at most " + fe.Param()
	}
	return "is invalid (" + fe.Tag() + ")"
}

// decodeJSON decodes one JSON document from body into v like wire.Decode, for requests that
// have nothing to check beyond their JSON types: malformed JSON, trailing data and values of
// the wrong type are validation errors (422) naming every offending field.
func decodeJSON(body []byte, v any) error {
	typeErr, err := wire.Decode(body, v)
	if err != nil {
		return err
	}
	return typeErr
}

// readJSONBody is the one way a JSON endpoint reads its body. A body whose Content-Type is
// not application/json (parameters allowed; a charset, if any, utf-8) is 415; so is a body
// sent without a Content-Type. An empty body without one is read as empty, for endpoints
// whose body is optional and for "body is required" errors.
func readJSONBody(c echo.Context) ([]byte, error) {
	r := c.Request()
	ct := r.Header.Get(echo.HeaderContentType)
	if ct != "" && !isJSONMediaType(ct) {
		return nil, echo.NewHTTPError(http.StatusUnsupportedMediaType,
			fmt.Sprintf("this endpoint reads application/json, not %q", ct))
	}
	body, err := readAll(r)
	if err != nil {
		return nil, err
	}
	if ct == "" && len(body) > 0 {
		return nil, echo.NewHTTPError(http.StatusUnsupportedMediaType,
			"this endpoint reads application/json: send the body with Content-Type: application/json")
	}
	return body, nil
}

// readAll reads a request body in one allocation when its length is announced: a batch is up
// to 10 MiB, which io.ReadAll would copy over and over while growing its buffer.
func readAll(r *http.Request) ([]byte, error) {
	if n := r.ContentLength; n > 0 && n <= MaxBodyBytes {
		buf := bytes.NewBuffer(make([]byte, 0, n+1))
		_, err := buf.ReadFrom(r.Body)
		return buf.Bytes(), err
	}
	return io.ReadAll(r.Body)
}

func isJSONMediaType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != echo.MIMEApplicationJSON {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// bodyErrors gives the errors of reading a request body a status of their own, whichever
// handler or decoder meets them: a body that does not arrive within the server's read
// timeout is 408, one that breaks off otherwise is 400; neither is a server fault. It wraps
// the body under the size limit, whose 413 passes through untouched.
func bodyErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if r := c.Request(); r.Body != nil && r.Body != http.NoBody {
			r.Body = &bodyReader{ReadCloser: r.Body}
		}
		return next(c)
	}
}

type bodyReader struct{ io.ReadCloser }

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = &bodyError{err: err}
	}
	return n, err
}

// bodyError is a failure to read the request body from the client.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "reading the request body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

func (e *bodyError) status() int {
	if errors.Is(e.err, os.ErrDeadlineExceeded) {
		return http.StatusRequestTimeout
	}
	return http.StatusBadRequest
}

func (e *bodyError) detail() string {
	if e.status() == http.StatusRequestTimeout {
		return "the request body did not arrive within the server's read timeout"
	}
	return "the request body could not be read: it ended before its announced length or the connection failed"
}
