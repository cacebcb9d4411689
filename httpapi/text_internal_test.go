package httpapi

import (
	"reflect"
	"testing"

	"github.com/refurbqa/refurbqa/httpapi/wire"
	"github.com/refurbqa/refurbqa/httpapi/wire/wiretest"
)

// requestTypes are the JSON request bodies of the API that httpapi decodes itself; wire's
// documents (a bench test, a batch, a mystery order, an inspection) are held to the same check
// in wire's tests. TestEveryEndpointRefusesControlCharacters proves that every route reaches
// the check; this proves that the check reaches every string of every one of these types,
// whatever its shape.
func requestTypes() []any {
	return []any{
		sellerRequest{}, keyRequest{}, kpiRequest{}, charterRequest{}, auditRequest{}, batchAuditRequest{},
		approveRequest{}, planRequest{}, closeRequest{},
	}
}

func TestDecodingRefusesControlCharactersInEveryTextField(t *testing.T) {
	for _, proto := range requestTypes() {
		t.Run(reflect.TypeOf(proto).Name(), func(t *testing.T) {
			wiretest.TextFields(t, proto, wire.Decode)
		})
	}
}
