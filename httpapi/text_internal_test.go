package httpapi

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

// requestTypes are the JSON request bodies of the API, and the documents decoded from their
// raw parts (the inspection, a batch item). TestEveryEndpointRefusesControlCharacters proves
// that every route reaches the check; this proves that the check reaches every string of
// every one of these types, whatever its shape.
func requestTypes() []any {
	return []any{
		sellerRequest{}, keyRequest{}, benchTestRequest{}, batchRequest{}, inspectionDoc{},
		mysteryOrderRequest{}, kpiRequest{}, charterRequest{}, auditRequest{}, batchAuditRequest{},
		approveRequest{}, planRequest{}, closeRequest{},
	}
}

// fillText sets every string reachable from v to value (allocating pointers and giving slices
// two elements and maps one key) and returns the JSON path of each, with whether the field is
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
		if v.Type() == rawMessageType {
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
			fillText(v.Field(i), join(path, name), f.Tag.Get(textTag) == "multiline", value, out)
		}
	}
}

func fieldsOf(t *testing.T, err error) map[string]string {
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

func TestDecodingRefusesControlCharactersInEveryTextField(t *testing.T) {
	for _, proto := range requestTypes() {
		typ := reflect.TypeOf(proto)
		t.Run(typ.Name(), func(t *testing.T) {
			for _, bad := range []string{"\x00", "\x01", "\x1b", "\x1f", "\x7f", "\u0085", "\n", "\r", "\t"} {
				req := reflect.New(typ)
				paths := map[string]bool{}
				fillText(req.Elem(), "", false, "a"+bad+"b", paths)
				body, err := json.Marshal(req.Interface())
				require.NoError(t, err)
				got := reflect.New(typ)
				typeErr, fatal := decodeLenient(body, got.Interface())
				require.NoError(t, fatal)
				reported := fieldsOf(t, typeErr)
				want := map[string]string{}
				for path, multiline := range paths {
					switch {
					case !multiline:
						want[path] = "must not contain control characters"
					case bad != "\n" && bad != "\r" && bad != "\t":
						want[path] = "must not contain control characters other than line breaks and tabs"
					}
				}
				assert.Equal(t, want, reported, "%q in every text of %s", bad, body)
				// Nothing else was lost: the rest of the document decoded as sent.
				assert.Equal(t, req.Interface(), got.Interface())
			}
			// Clean text passes, escapes and all.
			req := reflect.New(typ)
			fillText(req.Elem(), "", false, "Łódź \"Serwis\" \\ é/€", map[string]bool{})
			body, err := json.Marshal(req.Interface())
			require.NoError(t, err)
			typeErr, fatal := decodeLenient(body, reflect.New(typ).Interface())
			require.NoError(t, fatal)
			assert.NoError(t, typeErr)
		})
	}
}

// Every shape a request may take is walked: nested and embedded structs, pointers, slices,
// maps (their keys too), and fields decoded alongside a value of the wrong type.
func TestTextCheckShapes(t *testing.T) {
	type inner struct {
		Name string `json:"name"`
	}
	type Embedded struct {
		Ref string `json:"ref"`
	}
	type shapes struct {
		Embedded
		Plain   string            `json:"plain"`
		Ptr     *string           `json:"ptr"`
		List    []string          `json:"list"`
		Nested  *inner            `json:"nested"`
		Items   []inner           `json:"items"`
		Map     map[string]string `json:"map"`
		Note    string            `json:"note" text:"multiline"`
		Notes   []string          `json:"notes" text:"multiline"`
		Count   int               `json:"count"`
		Raw     json.RawMessage   `json:"raw"`
		NoTag   string
		Ignored string `json:"-"`
	}
	body := `{"ref": "r\u0000", "plain": "p\u0001", "ptr": "q\u001f", "list": ["ok", "l\n"], "nested": {"name": "n\u0000"},
		"items": [{"name": "fine"}, {"name": "i\t"}], "map": {"ok": "v\u0002", "k\u0000": "fine"}, "note": "line\nline\u0000",
		"notes": ["a\r\nb", "c\u0007"], "count": "wrong type", "raw": {"x": "\u0000"}, "NoTag": "t\u0000", "Ignored": "x"}`
	var v shapes
	typeErr, fatal := decodeLenient([]byte(body), &v)
	require.NoError(t, fatal)
	single, multi := "must not contain control characters", "must not contain control characters other than line breaks and tabs"
	assert.Equal(t, map[string]string{
		"ref": single, "plain": single, "ptr": single, "list[1]": single, "nested.name": single, "items[1].name": single,
		"map.ok": single, "map": "keys " + single, "note": multi, "notes[1]": multi, "count": "must be an integer", "NoTag": single,
	}, fieldsOf(t, typeErr))
	assert.Equal(t, "line\nline\x00", v.Note, "the rest of the document is decoded")

	// A body without any escape holds no control character in a string.
	typeErr, fatal = decodeLenient([]byte(`{"plain": "ünïcödé", "note": "one line"}`), &v)
	require.NoError(t, fatal)
	assert.NoError(t, typeErr)
	// A raw control character in a string is malformed JSON, refused by the decoder itself.
	_, fatal = decodeLenient([]byte("{\"plain\": \"a\x00b\"}"), &v)
	assert.Error(t, fatal)
}
