package wire

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/httpapi/wire/wiretest"
)

// documentTypes are the documents wire decodes: the bench test, the batch and the mystery
// order, and the inspection on its own (a grade preview). TestEveryEndpointRefusesControlCharacters
// (httpapi) proves that every route reaches the check; this proves that the check reaches every
// string of every one of these types, whatever its shape.
func documentTypes() []any {
	return []any{benchTestRequest{}, batchRequest{}, Inspection{}, mysteryOrderRequest{}}
}

func TestDecodingRefusesControlCharactersInEveryTextField(t *testing.T) {
	for _, proto := range documentTypes() {
		t.Run(reflect.TypeOf(proto).Name(), func(t *testing.T) {
			wiretest.TextFields(t, proto, Decode)
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
	typeErr, fatal := Decode([]byte(body), &v)
	require.NoError(t, fatal)
	single, multi := "must not contain control characters", "must not contain control characters other than line breaks and tabs"
	assert.Equal(t, map[string]string{
		"ref": single, "plain": single, "ptr": single, "list[1]": single, "nested.name": single, "items[1].name": single,
		"map.ok": single, "map": "keys " + single, "note": multi, "notes[1]": multi, "count": "must be an integer", "NoTag": single,
	}, wiretest.Fields(t, typeErr))
	assert.Equal(t, "line\nline\x00", v.Note, "the rest of the document is decoded")

	// A body without any escape holds no control character in a string.
	typeErr, fatal = Decode([]byte(`{"plain": "ünïcödé", "note": "one line"}`), &v)
	require.NoError(t, fatal)
	assert.NoError(t, typeErr)
	// A raw control character in a string is malformed JSON, refused by the decoder itself.
	_, fatal = Decode([]byte("{\"plain\": \"a\x00b\"}"), &v)
	assert.Error(t, fatal)
}
