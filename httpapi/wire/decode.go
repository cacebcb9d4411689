package wire

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// Decode decodes one JSON document of the API into v (a pointer), in one pass, for every
// request type of every adapter. A value of the wrong type is not fatal: every such value in
// the whole document is found and reported in typeErr (a *audit.ValidationError naming each
// field by its dotted path), and the rest of the document is still decoded into v, so that the
// validator can report the remaining invalid fields in the same answer. A string holding a
// control character is reported the same way (see TextTag). Malformed JSON, an empty body and
// trailing data are fatal: fatal is then a *audit.ValidationError on the field "body".
func Decode(body []byte, v any) (typeErr, fatal error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, jsonError(io.EOF)
	}
	// Unmarshal checks the whole document (trailing data included) before decoding it.
	err := json.Unmarshal(body, v)
	if err == nil {
		return audit.Invalid(textErrors(body, v)), nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, jsonError(err)
	}
	var tree any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&tree) != nil {
		return nil, jsonError(err)
	}
	var errs []grading.FieldError
	tree = checkJSONTypes(tree, reflect.TypeOf(v).Elem(), "", &errs)
	if len(errs) == 0 || errs[0].Field == "body" {
		// Nothing found, or the document itself is not an object: nothing else to keep.
		return nil, jsonError(err)
	}
	// Decode again without the offending values, so that everything else is kept.
	clean, merr := json.Marshal(tree)
	if merr != nil {
		return nil, jsonError(err)
	}
	reflect.ValueOf(v).Elem().SetZero()
	if err := json.Unmarshal(clean, v); err != nil {
		return nil, jsonError(err)
	}
	errs = append(errs, textErrors(body, v)...)
	slices.SortStableFunc(errs, func(a, b grading.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return audit.Invalid(errs), nil
}

// TextTag is the struct tag of a request field that holds a multi-line free text (a plan, a
// note, a comment): `text:"multiline"` lets it hold line breaks and tabs. Every other string of
// a request is single-line: Decode refuses control characters in it.
const TextTag = "text"

// textErrors reports every string of v, a request just decoded from body, that audit.TextProblem
// refuses (a control character, on every database alike), at its dotted JSON path, sorted.
// Being part of decoding, it covers every text field of every request, nested ones and map
// keys included, with no tag to forget; json.RawMessage values are left to the decoding that
// reads them in turn (an inspection, a batch item). The walk is skipped for the usual body,
// which cannot hold a control character in any string (mayHoldControls).
func textErrors(body []byte, v any) []grading.FieldError {
	if !mayHoldControls(body) {
		return nil
	}
	var errs []grading.FieldError
	walkText(reflect.ValueOf(v), "", false, &errs)
	slices.SortStableFunc(errs, func(a, b grading.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return errs
}

// mayHoldControls reports whether a JSON document may hold a control character in a string:
// C0 characters only as escapes (JSON refuses them raw), DEL and the C1 characters raw or
// escaped. Without a backslash, a DEL byte or a UTF-8 C1 sequence (0xC2 0x80–0x9F) it holds
// none, which a few byte scans tell.
func mayHoldControls(body []byte) bool {
	if bytes.IndexByte(body, '\\') >= 0 || bytes.IndexByte(body, 0x7f) >= 0 {
		return true
	}
	for rest := body; ; {
		i := bytes.IndexByte(rest, 0xc2)
		if i < 0 || i+1 >= len(rest) {
			return false
		}
		if c := rest[i+1]; c >= 0x80 && c <= 0x9f {
			return true
		}
		rest = rest[i+1:]
	}
}

func walkText(v reflect.Value, path string, multiline bool, errs *[]grading.FieldError) {
	field := path
	if field == "" {
		field = "body"
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkText(v.Elem(), path, multiline, errs)
		}
	case reflect.String:
		if msg := audit.TextProblem(v.String(), multiline); msg != "" {
			*errs = append(*errs, grading.FieldError{Field: field, Message: msg})
		}
	case reflect.Slice, reflect.Array:
		if v.Type() == rawMessageType || v.Type().Elem().Kind() == reflect.Uint8 {
			return // raw JSON, decoded (and checked) on its own; or bytes, which JSON sends as base64
		}
		for i := range v.Len() {
			walkText(v.Index(i), path+"["+strconv.Itoa(i)+"]", multiline, errs)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key()
			if k.Kind() == reflect.String {
				if msg := audit.TextProblem(k.String(), false); msg != "" {
					*errs = append(*errs, grading.FieldError{Field: field, Message: "keys " + msg})
					continue
				}
				walkText(iter.Value(), join(path, k.String()), multiline, errs)
			}
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case tag == "-":
				continue
			case f.Anonymous && tag == "":
				walkText(v.Field(i), path, false, errs) // embedded: its fields are this object's
				continue
			case tag == "":
				tag = f.Name
			}
			walkText(v.Field(i), join(path, tag), f.Tag.Get(TextTag) == "multiline", errs)
		}
	}
}

// WithTypeErrors merges the wrong-type findings of decoding with the other validation errors,
// leaving out what the other steps say about a field already reported as of the wrong type
// (it was dropped, so "is required" would be misleading).
func WithTypeErrors(typeErr, err error) error {
	var tv *audit.ValidationError
	if typeErr == nil || !errors.As(typeErr, &tv) {
		return err
	}
	bad := make(map[string]bool, len(tv.Errors))
	for _, f := range tv.Errors {
		bad[f.Field] = true
	}
	fields := slices.Clone(tv.Errors)
	if err != nil {
		var ve *audit.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		for _, f := range ve.Errors {
			if !bad[f.Field] && !coveredBy(bad, f.Field) {
				fields = append(fields, f)
			}
		}
	}
	return MergeInvalid(audit.Invalid(fields))
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkJSONTypes walks a generic JSON value (decoded with UseNumber) alongside the Go type it is
// meant for, appends an error for every value of the wrong type, and returns the value with
// those values removed (object members dropped, array elements nulled). Unknown object members
// are left alone: encoding/json ignores them.
func checkJSONTypes(v any, t reflect.Type, path string, errs *[]grading.FieldError) any {
	if v == nil {
		return nil // null leaves the zero value; required fields are the validator's business
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	field := path
	if field == "" {
		field = "body"
	}
	bad := func(want string) any {
		*errs = append(*errs, grading.FieldError{Field: field, Message: "must be " + want})
		return nil
	}
	switch {
	case t == rawMessageType:
		return v
	case t == timeType:
		s, ok := v.(string)
		if !ok {
			return bad("an RFC 3339 timestamp")
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return bad("an RFC 3339 timestamp")
		}
		return v
	case reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler):
		return v // a type that decodes itself; encoding/json reports its errors
	}
	switch t.Kind() {
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return bad("a boolean")
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			return bad("a string")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			return bad("an integer")
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || reflect.Zero(t).OverflowInt(i) {
			return bad("an integer")
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(json.Number)
		if !ok {
			return bad("a non-negative integer")
		}
		u, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil || reflect.Zero(t).OverflowUint(u) {
			return bad("a non-negative integer")
		}
	case reflect.Float32, reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			return bad("a number")
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsInf(f, 0) {
			return bad("a number")
		}
	case reflect.Slice, reflect.Array:
		arr, ok := v.([]any)
		if !ok {
			return bad("an array")
		}
		for i, el := range arr {
			arr[i] = checkJSONTypes(el, t.Elem(), path+"["+strconv.Itoa(i)+"]", errs)
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return bad("an object")
		}
		for k, el := range obj {
			if checked := checkJSONTypes(el, t.Elem(), join(path, k), errs); checked == nil && el != nil {
				delete(obj, k)
			}
		}
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return bad("an object")
		}
		for k, el := range obj {
			f, ok := jsonField(t, k)
			if !ok {
				continue
			}
			if checked := checkJSONTypes(el, f.Type, join(path, k), errs); checked == nil && el != nil {
				delete(obj, k)
			}
		}
	case reflect.Interface:
	}
	return v
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// jsonField finds the struct field that encoding/json decodes the member name into: an exact
// tag or name match first, then a case-insensitive one, looking into embedded structs.
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	var fold *reflect.StructField
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		key := tag
		if key == "" {
			key = f.Name
		}
		if key == name {
			return f, true
		}
		if fold == nil && strings.EqualFold(key, name) {
			ff := f
			fold = &ff
		}
	}
	if fold != nil {
		return *fold, true
	}
	return reflect.StructField{}, false
}

// jsonError is the validation error of a document that cannot be decoded at all, on the
// field "body" (or, for a value of the wrong type at the top, the field encoding/json names).
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

// MergeInvalid joins the field errors of several validation steps into one, sorted by field
// without repeats, so that a client learns every invalid field at once. Errors that are not
// validation errors win.
func MergeInvalid(errs ...error) error {
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

// coveredBy reports whether field lies under a field already reported missing
// (e.g. "inspection.device.imei" under a missing "inspection.device").
func coveredBy(missing map[string]bool, field string) bool {
	for i := len(field) - 1; i > 0; i-- {
		if field[i] == '.' && missing[field[:i]] {
			return true
		}
	}
	return false
}
