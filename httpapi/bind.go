package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
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

// decodeJSON decodes one JSON document from body into v. Malformed JSON, trailing data and
// values of the wrong type are validation errors (422) naming every offending field.
func decodeJSON(body []byte, v any) error {
	typeErr, err := decodeLenient(body, v)
	if err != nil {
		return err
	}
	return typeErr
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return audit.Invalid([]grading.FieldError{{Field: field, Message: "must be " + jsonTypeName(te.Type)}})
	case errors.As(err, &se):
		return audit.Invalid([]grading.FieldError{{Field: "body", Message: fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se)}})
	case errors.Is(err, io.EOF):
		return audit.Invalid([]grading.FieldError{{Field: "body", Message: "is required: send a JSON document"}})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return audit.Invalid([]grading.FieldError{{Field: "body", Message: "malformed JSON: unexpected end of input"}})
	default:
		return audit.Invalid([]grading.FieldError{{Field: "body", Message: "malformed JSON: " + err.Error()}})
	}
}

func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		if t.Name() == "Time" {
			return "an RFC 3339 timestamp"
		}
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		if t.Name() == "Time" {
			return "an RFC 3339 timestamp"
		}
		return "an object"
	}
	return "of another type"
}

// bind reads the JSON body of c into req and validates it with the validator's tags; values of
// the wrong type and fields the validator refuses are reported together.
func bind(c echo.Context, req any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err
	}
	typeErr, err := decodeLenient(body, req)
	if err != nil {
		return err
	}
	return withTypeErrors(typeErr, c.Validate(req))
}

// mergeInvalid joins the field errors of several validation steps into one, so that a client
// learns every invalid field at once. Errors that are not validation errors win.
func mergeInvalid(errs ...error) error {
	var fields []grading.FieldError
	for _, err := range errs {
		if err == nil {
			continue
		}
		var ve *audit.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		fields = append(fields, ve.Errors...)
	}
	if len(fields) == 0 {
		return nil
	}
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].Field < fields[j].Field })
	return audit.Invalid(dedupFields(fields))
}

func dedupFields(in []grading.FieldError) []grading.FieldError {
	out := in[:0]
	for i, f := range in {
		if i > 0 && f == in[i-1] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// prefixFields prefixes the field paths of domain validation errors (e.g. "inspection.").
func prefixFields(prefix string, errs []grading.FieldError) []grading.FieldError {
	out := make([]grading.FieldError, len(errs))
	for i, e := range errs {
		out[i] = grading.FieldError{Field: prefix + e.Field, Message: e.Message}
	}
	return out
}

// decodeBody reads the JSON body of c into req without running the validator, for handlers
// that merge the validator's findings with the domain's.
func decodeBody(c echo.Context, req any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err
	}
	return decodeJSON(body, req)
}
