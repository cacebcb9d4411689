package httpapi

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// CompareRequired decodes doc as an inspection and returns what the written-out required check
// and the validator tags report on it, for the external tests.
func CompareRequired(t *testing.T, srv *Server, doc map[string]any) (fast, slow error) {
	raw, err := json.Marshal(doc)
	require.NoError(t, err)
	var d inspectionDoc
	require.NoError(t, json.Unmarshal(raw, &d))
	return inspectionRequired(&d), srv.echo.Validator.Validate(&d)
}
