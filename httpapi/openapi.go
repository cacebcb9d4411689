package httpapi

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"

	"github.com/labstack/echo/v4"
)

// The OpenAPI document is written by hand, one fragment per area of the API (base.json holds
// the info, security schemes and shared schemas), and merged into one document at start-up.
//
//go:embed openapi/*.json
var openapiFiles embed.FS

// OpenAPIDocument returns the merged OpenAPI document the server serves at
// /api/v1/openapi.json, so that tools (the Redocly lint, client generators) can have it without
// starting a server.
func OpenAPIDocument() ([]byte, error) { return openAPIDocument() }

// openAPIDocument merges the fragments into one OpenAPI 3.1 document. Each fragment may hold
// "paths" and "components"; a path or component defined twice is an error.
func openAPIDocument() ([]byte, error) {
	names, err := fs.Glob(openapiFiles, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	doc := map[string]any{}
	for _, name := range names {
		b, err := openapiFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var frag map[string]any
		if err := json.Unmarshal(b, &frag); err != nil {
			return nil, fmt.Errorf("openapi %s: %w", name, err)
		}
		if err := mergeInto(doc, frag, name, 0); err != nil {
			return nil, err
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// mergeInto merges src into dst: objects are merged key by key down to the level of single
// paths and components (depth 2, e.g. components.schemas.Seller), and the top-level tags of
// every fragment are listed together, so that a fragment defines the tags of its area; anything
// deeper that is defined twice, and a tag named twice, is a conflict.
func mergeInto(dst, src map[string]any, file string, depth int) error {
	for k, v := range src {
		old, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		if depth == 0 && k == "tags" {
			tags, err := mergeTags(old, v, file)
			if err != nil {
				return err
			}
			dst[k] = tags
			continue
		}
		om, ok1 := old.(map[string]any)
		nm, ok2 := v.(map[string]any)
		if !ok1 || !ok2 || depth >= 2 || (depth == 1 && k != "schemas" && k != "parameters" && k != "responses" && k != "headers" && k != "securitySchemes") {
			if depth == 0 && (k == "openapi" || k == "info") {
				continue
			}
			return fmt.Errorf("openapi %s: %q is defined twice", file, k)
		}
		if err := mergeInto(om, nm, file, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// mergeTags lists the tags of two fragments, old first, refusing a name defined twice.
func mergeTags(old, add any, file string) ([]any, error) {
	a, ok1 := old.([]any)
	b, ok2 := add.([]any)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("openapi %s: tags must be a list", file)
	}
	names := map[any]bool{}
	for _, t := range a {
		if m, ok := t.(map[string]any); ok {
			names[m["name"]] = true
		}
	}
	out := append([]any{}, a...)
	for _, t := range b {
		m, ok := t.(map[string]any)
		if !ok || names[m["name"]] {
			return nil, fmt.Errorf("openapi %s: tag %v is defined twice", file, t)
		}
		names[m["name"]] = true
		out = append(out, t)
	}
	return out, nil
}

// handleOpenAPI serves the document, which changes only with the server's version.
func (s *Server) handleOpenAPI(c echo.Context) error {
	return writeFinal(c, echo.MIMEApplicationJSON, s.openapi, s.oaETag)
}
