package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// harness is a whole API on a fresh database, with a key for every role and two sellers
// (the seller key belongs to Own), whose every exchange is checked against the OpenAPI
// document.
type harness struct {
	t      *testing.T
	srv    *httpapi.Server
	st     *store.Store
	router routers.Router
	tokens map[audit.Role]string
	keyIDs map[audit.Role]string
	Own    audit.Seller
	Other  audit.Seller
	// OtherToken is a seller key of Other.
	OtherToken string
}

var system = audit.Principal{KeyID: "test", Role: audit.RoleAdmin}

func newHarness(t *testing.T) *harness {
	return newHarnessWith(t, httpapi.Config{})
}

func newHarnessWith(t *testing.T, cfg httpapi.Config) *harness {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, store.Config{})
	protocols, err := checklist.LoadProtocols()
	require.NoError(t, err)
	def, err := checklist.DefaultCharter()
	require.NoError(t, err)
	require.NoError(t, st.EnsureDefaultCharter(ctx, system, def))
	cfg.Store = st
	cfg.Protocols = protocols
	if cfg.Programs == nil {
		cfg.Programs = checklist.NewPrograms()
	}
	srv, err := httpapi.New(cfg)
	require.NoError(t, err)

	h := &harness{t: t, srv: srv, st: st, tokens: map[audit.Role]string{}, keyIDs: map[audit.Role]string{}}
	h.router = openAPIRouter(t, srv)
	h.Own, err = st.CreateSeller(ctx, system, audit.Seller{Name: "Own Refurb", Country: "FR", ContactEmail: "own@example.com"})
	require.NoError(t, err)
	h.Other, err = st.CreateSeller(ctx, system, audit.Seller{Name: "Other Refurb", Country: "DE", ContactEmail: "other@example.com"})
	require.NoError(t, err)
	for _, r := range audit.Roles {
		k := audit.Key{Name: string(r), Role: r}
		if r == audit.RoleSeller {
			k.SellerID = h.Own.ID
		}
		key, tok, err := st.CreateKey(ctx, system, k)
		require.NoError(t, err)
		h.tokens[r], h.keyIDs[r] = tok, key.ID
	}
	_, h.OtherToken, err = st.CreateKey(ctx, system, audit.Key{Name: "other", Role: audit.RoleSeller, SellerID: h.Other.ID})
	require.NoError(t, err)
	return h
}

func openAPIRouter(t *testing.T, srv *httpapi.Server) routers.Router {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(rec.Body.Bytes())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()), "the OpenAPI document is invalid")
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return router
}

// token returns the key of a role ("" for none).
func (h *harness) token(r audit.Role) string { return h.tokens[r] }

// response is a recorded answer.
type response struct {
	Code   int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r *response) JSON(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body: %s", r.Body)
}

// Map decodes the body into a generic map.
func (r *response) Map(t *testing.T) map[string]any {
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// do sends one request through the full router. body may be nil, a string or []byte (sent as
// is) or any other value (sent as JSON). Every response is validated against the OpenAPI
// document, and so is every request the server accepted (2xx).
func (h *harness) do(method, path, token string, body any, headers ...string) *response {
	h.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		raw, err = json.Marshal(b)
		require.NoError(h.t, err)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	res := &response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	h.checkContract(req, raw, res)
	return res
}

// checkContract validates the exchange against the OpenAPI document.
func (h *harness) checkContract(req *http.Request, raw []byte, res *response) {
	h.t.Helper()
	if res.Code >= 400 {
		assert.Equal(h.t, "application/problem+json", res.Header.Get("Content-Type"), "errors are problem+json: %s", res.Body)
		var p map[string]any
		if assert.NoError(h.t, json.Unmarshal(res.Body, &p), "problem body: %s", res.Body) {
			for _, k := range []string{"type", "title", "status", "detail"} {
				assert.Contains(h.t, p, k, "problem field %s", k)
			}
			assert.EqualValues(h.t, res.Code, p["status"])
		}
	}
	vreq := req.Clone(context.Background())
	vreq.Body = io.NopCloser(bytes.NewReader(raw))
	route, params, err := h.router.FindRoute(vreq)
	if err != nil {
		if res.Code != http.StatusNotFound && res.Code != http.StatusMethodNotAllowed {
			h.t.Errorf("OpenAPI: %s %s is not documented: %v", req.Method, req.URL.Path, err)
		}
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if res.Code < 300 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			h.t.Errorf("OpenAPI: accepted request %s %s does not match the document: %v", req.Method, req.URL.Path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.Code, Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		msg := err.Error()
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
		h.t.Errorf("OpenAPI: response %d of %s %s does not match the document: %s\nbody: %.500s", res.Code, req.Method, req.URL.Path, strings.TrimSpace(msg), res.Body)
	}
}

// problemFields returns the field names of a validation problem.
func problemFields(t *testing.T, r *response) []string {
	t.Helper()
	var p struct {
		Errors []struct{ Field, Message string } `json:"errors"`
	}
	r.JSON(t, &p)
	out := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		out[i] = e.Field
	}
	return out
}
