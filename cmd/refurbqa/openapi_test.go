package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/httpapi"
)

// TestOpenAPICommand prints the document client generators and the Redocly lint read: the
// one the server serves, without opening any database (the DSN here names a directory that
// does not exist).
func TestOpenAPICommand(t *testing.T) {
	getenv := testEnv(t, "REFURBQA_DSN", filepath.Join(t.TempDir(), "missing", "no.db"))
	code, out, stderr := runCmd(t, getenv, "openapi")
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stderr)
	want, err := httpapi.OpenAPIDocument()
	require.NoError(t, err)
	assert.JSONEq(t, string(want), out)
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]struct {
			Get struct {
				OperationID string `json:"operationId"`
			} `json:"get"`
		} `json:"paths"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, "3.1.0", doc.OpenAPI)
	assert.Equal(t, "listSellers", doc.Paths["/api/v1/sellers"].Get.OperationID)

	code, _, stderr = runCmd(t, getenv, "openapi", "extra")
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "refurbqa openapi: unexpected argument \"extra\" (see refurbqa help openapi)\n", stderr)

	code, out, _ = runCmd(t, getenv, "openapi", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "Usage: refurbqa openapi")
}
