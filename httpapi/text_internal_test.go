package httpapi

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi/wire"
	"github.com/refurbqa/refurbqa/httpapi/wire/wiretest"
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
				paths := wiretest.FillText(req.Interface(), "a"+bad+"b")
				body, err := json.Marshal(req.Interface())
				require.NoError(t, err)
				got := reflect.New(typ)
				typeErr, fatal := wire.Decode(body, got.Interface())
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
			wiretest.FillText(req.Interface(), "Łódź \"Serwis\" \\ é/€")
			body, err := json.Marshal(req.Interface())
			require.NoError(t, err)
			typeErr, fatal := wire.Decode(body, reflect.New(typ).Interface())
			require.NoError(t, fatal)
			assert.NoError(t, typeErr)
		})
	}
}
