package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/prometheus/client_golang/prometheus/collectors"
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
	pages      map[string]bool // problem types whose page was fetched
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
	for name, db := range st.Pools() {
		cfg.Collectors = append(cfg.Collectors, collectors.NewDBStatsCollector(db, name))
	}
	if cfg.Service == nil {
		cfg.Service = audit.NewService(audit.ServiceConfig{Store: st, Protocols: protocols, Now: cfg.Now})
	}
	cfg, err = httpapi.StoreConfig(cfg, st)
	require.NoError(t, err)
	srv, err := httpapi.New(cfg)
	require.NoError(t, err)

	h := &harness{t: t, srv: srv, st: st, tokens: map[audit.Role]string{}, keyIDs: map[audit.Role]string{}, pages: map[string]bool{}}
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
	return h.send(req, raw)
}

// send sends a request made by the test (from a client address of its choice, say) through
// the full router, and validates the exchange as do does; raw is its body.
func (h *harness) send(req *http.Request, raw []byte) *response {
	h.t.Helper()
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	res := &response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	h.checkContract(req, raw, res)
	return res
}

// checkContract validates the exchange against the OpenAPI document. A gzipped body is
// checked as it decodes. A HEAD exchange is checked as the GET operation it mirrors: its
// status and headers as GET's, its Content-Type one that GET documents for that status, and
// no body at all. A 304 must be documented for its operation, carry an ETag and no body. A
// problem type other than about:blank must be an absolute URI of this server that serves a
// page.
func (h *harness) checkContract(req *http.Request, raw []byte, res *response) {
	h.t.Helper()
	body := res.Body
	if res.Header.Get("Content-Encoding") == "gzip" && len(body) > 0 {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if !assert.NoError(h.t, err, "gzipped body") {
			return
		}
		body, err = io.ReadAll(zr)
		if !assert.NoError(h.t, err, "gzipped body") {
			return
		}
	}
	head := req.Method == http.MethodHead
	if head {
		assert.Empty(h.t, res.Body, "HEAD %s answers no body", req.URL.Path)
	}
	if res.Code == http.StatusNotModified {
		assert.Empty(h.t, res.Body, "304 has no body")
		assert.NotEmpty(h.t, res.Header.Get("ETag"), "304 carries the ETag")
	}
	// The public pages answer their errors as pages to clients that want HTML: the document
	// says so for each such status, which the validation below holds them to.
	htmlError := res.Code >= 400 && res.Header.Get("Content-Type") == "text/html; charset=utf-8" &&
		strings.HasPrefix(req.URL.Path, "/verify")
	if res.Code >= 400 && !htmlError {
		assert.Equal(h.t, "application/problem+json", res.Header.Get("Content-Type"), "errors are problem+json: %s", body)
		if !head {
			var p map[string]any
			if assert.NoError(h.t, json.Unmarshal(body, &p), "problem body: %s", body) {
				for _, k := range []string{"type", "title", "status", "detail"} {
					assert.Contains(h.t, p, k, "problem field %s", k)
				}
				assert.EqualValues(h.t, res.Code, p["status"])
				h.checkProblemType(req, p["type"])
			}
		}
	}
	vreq := req.Clone(context.Background())
	vreq.Body = io.NopCloser(bytes.NewReader(raw))
	if head {
		vreq.Method = http.MethodGet
	}
	route, params, err := h.router.FindRoute(vreq)
	if err != nil {
		if res.Code != http.StatusNotFound && res.Code != http.StatusMethodNotAllowed {
			h.t.Errorf("OpenAPI: %s %s is not documented: %v", req.Method, req.URL.Path, err)
		}
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if res.Code < 400 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			h.t.Errorf("OpenAPI: accepted request %s %s does not match the document: %v", req.Method, req.URL.Path, err)
		}
	}
	if res.Code == http.StatusNotModified || head {
		// openapi3filter validates neither: check the status, and for HEAD the content type.
		rr := route.Operation.Responses.Status(res.Code)
		if rr == nil && res.Code != http.StatusNotModified {
			rr = route.Operation.Responses.Default()
		}
		if rr == nil || rr.Value == nil {
			h.t.Errorf("OpenAPI: status %d of %s %s is not documented", res.Code, req.Method, req.URL.Path)
			return
		}
		if ct := res.Header.Get("Content-Type"); head && len(rr.Value.Content) > 0 && rr.Value.Content.Get(ct) == nil {
			h.t.Errorf("OpenAPI: HEAD %s answers Content-Type %q, which GET does not document for %d", req.URL.Path, ct, res.Code)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.Code, Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: head}}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		msg := err.Error()
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
		h.t.Errorf("OpenAPI: response %d of %s %s does not match the document: %s\nbody: %.500s", res.Code, req.Method, req.URL.Path, strings.TrimSpace(msg), body)
	}
}

// checkProblemType checks that a problem type is about:blank or an absolute URI on the
// request's own host of a page the server serves (api.md, Conventions). Each type is fetched
// once per harness.
func (h *harness) checkProblemType(req *http.Request, typ any) {
	h.t.Helper()
	s, _ := typ.(string)
	if s == "about:blank" || h.pages[s] {
		return
	}
	u, err := url.Parse(s)
	if !assert.NoError(h.t, err, "problem type %q", s) {
		return
	}
	if !assert.True(h.t, u.IsAbs() && u.Scheme == "http" && u.Host == req.Host && strings.HasPrefix(u.Path, "/problems/"),
		"problem type %q is an absolute URI of this server's /problems/ pages", s) {
		return
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u.Path, nil))
	if assert.Equal(h.t, http.StatusOK, rec.Code, "problem type %q is a page the server serves", s) {
		assert.Equal(h.t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
		h.pages[s] = true
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
