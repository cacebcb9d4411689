package httpapi_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi"
)

// openAPIOperation is one operation of the document, as client generators read it.
type openAPIOperation struct {
	OperationID string                     `json:"operationId"`
	Tags        []string                   `json:"tags"`
	Summary     string                     `json:"summary"`
	Description string                     `json:"description"`
	Security    *[]map[string][]string     `json:"security"`
	Parameters  []map[string]any           `json:"parameters"`
	RequestBody *struct{ Content any }     `json:"requestBody"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

var camelCase = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

// TestOpenAPIOperations holds the OpenAPI document to what client generators need (api.md,
// issue 11): every operation has a unique camelCase operationId, a defined tag, a summary and
// a description, and lists the error statuses it can answer instead of a lone default. The
// statuses are checked against the router itself: every route is documented and every
// documented operation is a route; 401, 429 and 503 on every authenticated route and on none of
// the public ones, but for 429 on the public pages, which are rate-limited per client address; 403 exactly where the route's role rule leaves a role out; 404 with path
// parameters; 408, 413, 415 and 422 with a request body; 422 with query parameters. Every error
// response is one of the shared problem+json responses.
func TestOpenAPIOperations(t *testing.T) {
	h := newHarness(t)
	raw, err := httpapi.OpenAPIDocument()
	require.NoError(t, err)
	var doc struct {
		Tags       []struct{ Name, Description string }  `json:"tags"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Responses  map[string]json.RawMessage     `json:"responses"`
			Parameters map[string]struct{ In string } `json:"parameters"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))

	tags := map[string]bool{}
	for _, tag := range doc.Tags {
		assert.NotEmpty(t, tag.Description, "tag %s has no description", tag.Name)
		tags[tag.Name] = true
	}
	problemResponses := map[string]bool{}
	for name, r := range doc.Components.Responses {
		var resp struct{ Content map[string]any }
		require.NoError(t, json.Unmarshal(r, &resp))
		if name == "NotModified" {
			continue // a 304 has no body
		}
		if assert.Contains(t, resp.Content, "application/problem+json", "response %s", name) {
			problemResponses["#/components/responses/"+name] = true
		}
	}

	// The router's routes, as OpenAPI operations ("get /api/v1/sellers/{id}").
	routes := map[string][]audit.Role{}
	public := map[string]bool{}
	// The public routes rate-limited per client address (the public pages) answer 429 too.
	limited := map[string]bool{}
	for _, key := range h.srv.LimitedByAddress() {
		method, path, _ := strings.Cut(key, " ")
		limited[strings.ToLower(method)+" "+openAPIPath(path)] = true
	}
	for key, roles := range h.srv.Rules() {
		method, path, _ := strings.Cut(key, " ")
		if method == http.MethodHead {
			// Every GET route answers HEAD the same way without a body (api.md); HEAD is
			// documented by its GET operation, which the harness checks HEAD exchanges against.
			_, hasGet := h.srv.Rules()[http.MethodGet+" "+path]
			require.True(t, hasGet, "%s has no GET route", key)
			continue
		}
		op := strings.ToLower(method) + " " + openAPIPath(path)
		routes[op] = roles
		public[op] = roles == nil
	}

	ids := map[string]string{}
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method, rawOp := range item {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			key := method + " " + path
			documented[key] = true
			var op openAPIOperation
			require.NoError(t, json.Unmarshal(rawOp, &op), key)

			if assert.Regexp(t, camelCase, op.OperationID, "%s: operationId", key) {
				if other, dup := ids[op.OperationID]; dup {
					t.Errorf("%s: operationId %s is also the one of %s", key, op.OperationID, other)
				}
				ids[op.OperationID] = key
			}
			if assert.Len(t, op.Tags, 1, "%s: one tag", key) {
				assert.True(t, tags[op.Tags[0]], "%s: tag %q is not defined in the base fragment", key, op.Tags[0])
			}
			assert.NotEmpty(t, strings.TrimSpace(op.Summary), "%s: summary", key)
			assert.NotEmpty(t, strings.TrimSpace(op.Description), "%s: description", key)
			_, hasDefault := op.Responses["default"]
			assert.False(t, hasDefault, "%s: list the error statuses instead of a default response", key)

			codes := map[string]bool{}
			success := false
			for code, r := range op.Responses {
				codes[code] = true
				if code[0] == '2' || code[0] == '3' {
					success = true
					continue
				}
				var ref struct {
					Ref string `json:"$ref"`
				}
				require.NoError(t, json.Unmarshal(r, &ref))
				assert.True(t, problemResponses[ref.Ref], "%s: %s must be a shared problem response, not %s", key, code, r)
			}
			assert.True(t, success, "%s: no success response", key)

			roles, routed := routes[key]
			if !assert.True(t, routed, "%s is documented but is not a route", key) {
				continue
			}
			expect := func(code string, want bool, why string) {
				t.Helper()
				if want {
					assert.True(t, codes[code], "%s must document %s: %s", key, code, why)
				} else {
					assert.False(t, codes[code], "%s documents %s, which it cannot answer: %s", key, code, why)
				}
			}
			if public[key] {
				assert.NotNil(t, op.Security, "%s: a public route says security: []", key)
				if op.Security != nil {
					assert.Empty(t, *op.Security, "%s: a public route needs no token", key)
				}
			} else {
				assert.Nil(t, op.Security, "%s: an authenticated route uses the document's bearer security", key)
			}
			expect("401", !public[key], "authenticated routes refuse a missing or bad token")
			expect("429", !public[key] || limited[key], "authenticated routes are rate-limited per key, the public pages per client address")
			if limited[key] {
				assert.True(t, public[key], "%s: only public routes are limited per address", key)
			}
			everyRole := !public[key] && !slices.ContainsFunc(audit.Roles, func(r audit.Role) bool { return !slices.Contains(roles, r) })
			expect("403", !public[key] && !everyRole, "403 exactly when the role rule leaves a role out")
			if strings.Contains(path, "{") {
				expect("404", true, "a path parameter may name nothing")
			}
			query := slices.ContainsFunc(op.Parameters, func(p map[string]any) bool {
				if ref, ok := p["$ref"].(string); ok {
					return doc.Components.Parameters[strings.TrimPrefix(ref, "#/components/parameters/")].In == "query"
				}
				return p["in"] == "query"
			})
			body := op.RequestBody != nil
			for _, code := range []string{"408", "413", "415"} {
				expect(code, body, "request bodies may be slow, too large or of another media type")
			}
			expect("422", body || query, "request bodies and query parameters are validated")
		}
	}
	var undocumented []string
	for key := range routes {
		if !documented[key] {
			undocumented = append(undocumented, key)
		}
	}
	sort.Strings(undocumented)
	assert.Empty(t, undocumented, "routes missing from the OpenAPI document")
	assert.Len(t, documented, len(routes), "every route was checked")
}

// openAPIPath turns an echo route path (/api/v1/sellers/:id) into an OpenAPI one
// (/api/v1/sellers/{id}).
func openAPIPath(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = "{" + p[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// TestOpenAPIDocumentIsServed checks that the document the command line prints
// (httpapi.OpenAPIDocument) is the one the server serves.
func TestOpenAPIDocumentIsServed(t *testing.T) {
	h := newHarness(t)
	res := h.do(http.MethodGet, "/api/v1/openapi.json", "", nil)
	require.Equal(t, http.StatusOK, res.Code)
	doc, err := httpapi.OpenAPIDocument()
	require.NoError(t, err)
	assert.JSONEq(t, string(doc), string(res.Body))
}
