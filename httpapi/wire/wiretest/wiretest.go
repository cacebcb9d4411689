// Package wiretest holds the checks that the tests of every package whose request types
// wire.Decode reads (wire's own documents, httpapi's requests) run on each of those types, so
// that the text check is held to every string of every request type the same way.
//
// The checks take the decoder as a function: wiretest cannot import wire, whose own tests use
// it.
package wiretest

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

// Decoder is wire.Decode: a value of the wrong type or a control character in typeErr, an
// unreadable document in fatal.
type Decoder func(body []byte, v any) (typeErr, fatal error)

// TextFields checks that decode refuses a control character in every string of the request
// type of proto, nested ones and map keys included, with the message of a single-line or a
// multi-line field (`text:"multiline"`, wire.TextTag), and loses nothing else of the document;
// and that clean text passes, escapes and all.
func TextFields(t *testing.T, proto any, decode Decoder) {
	t.Helper()
	typ := reflect.TypeOf(proto)
	for _, bad := range []string{"\x00", "\x01", "\x1b", "\x1f", "\x7f", "\u0085", "\n", "\r", "\t"} {
		req := reflect.New(typ)
		paths := map[string]bool{}
		fillText(req.Elem(), "", false, "a"+bad+"b", paths)
		body, err := json.Marshal(req.Interface())
		require.NoError(t, err)
		got := reflect.New(typ)
		typeErr, fatal := decode(body, got.Interface())
		require.NoError(t, fatal)
		want := map[string]string{}
		for path, multiline := range paths {
			switch {
			case !multiline:
				want[path] = "must not contain control characters"
			case bad != "\n" && bad != "\r" && bad != "\t":
				want[path] = "must not contain control characters other than line breaks and tabs"
			}
		}
		assert.Equal(t, want, Fields(t, typeErr), "%q in every text of %s", bad, body)
		// Nothing else was lost: the rest of the document decoded as sent.
		assert.Equal(t, req.Interface(), got.Interface())
	}
	req := reflect.New(typ)
	fillText(req.Elem(), "", false, "Łódź \"Serwis\" \\ é/€", map[string]bool{})
	body, err := json.Marshal(req.Interface())
	require.NoError(t, err)
	typeErr, fatal := decode(body, reflect.New(typ).Interface())
	require.NoError(t, fatal)
	assert.NoError(t, typeErr)
}

// Fields returns the field errors of a validation error as field → message (empty for nil);
// any other error fails the test.
func Fields(t testing.TB, err error) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err == nil {
		return out
	}
	var ve *audit.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	for _, f := range ve.Errors {
		out[f.Field] = f.Message
	}
	return out
}

// fillText sets every string reachable from v to value (allocating pointers and giving slices
// two elements and maps one key) and records the JSON path of each, with whether the field is
// multi-line. json.RawMessage values are raw JSON decoded on their own and are set to {}.

func fillText(v reflect.Value, path string, multiline bool, value string, out map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillText(v.Elem(), path, multiline, value, out)
	case reflect.String:
		v.SetString(value)
		out[path] = multiline
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			v.Set(reflect.ValueOf(json.RawMessage(`{}`)))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillText(v.Index(i), path+"["+strconv.Itoa(i)+"]", multiline, value, out)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		el := reflect.New(v.Type().Elem()).Elem()
		fillText(el, join(path, "k"), multiline, value, out)
		v.SetMapIndex(reflect.ValueOf("k"), el)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				fillText(v.Field(i), path, false, value, out) // embedded: its fields are this object's
				continue
			}
			if name == "" {
				name = f.Name
			}
			fillText(v.Field(i), join(path, name), f.Tag.Get("text") == "multiline", value, out)
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
