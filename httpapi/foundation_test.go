package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/store"
)

func TestKeysOverHTTP(t *testing.T) {
	h := newHarness(t)
	admin := h.token(audit.RoleAdmin)

	res := h.do(http.MethodPost, "/api/v1/keys", admin, map[string]any{"name": "acme portal", "role": "seller", "seller_id": h.Own.ID})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	var key struct {
		ID, Name, Role, Token string
		SellerID              *string `json:"seller_id"`
	}
	res.JSON(t, &key)
	assert.Equal(t, "seller", key.Role)
	require.NotNil(t, key.SellerID)
	assert.Equal(t, h.Own.ID, *key.SellerID)
	assert.NotEmpty(t, key.Token)

	// The new token works at once, and only for its seller.
	assert.Equal(t, 200, h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID, key.Token, nil).Code)
	assert.Equal(t, 404, h.do(http.MethodGet, "/api/v1/sellers/"+h.Other.ID, key.Token, nil).Code)

	// The token is shown only once: the list never carries it.
	list := h.do(http.MethodGet, "/api/v1/keys", admin, nil)
	require.Equal(t, 200, list.Code)
	assert.NotContains(t, string(list.Body), key.Token)

	// Revoked: refused on its very next request.
	assert.Equal(t, http.StatusNoContent, h.do(http.MethodDelete, "/api/v1/keys/"+key.ID, admin, nil).Code)
	assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID, key.Token, nil).Code)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodDelete, "/api/v1/keys/key_missing", admin, nil).Code)

	tests := []struct {
		name   string
		body   any
		fields []string
	}{
		{"seller role without seller", map[string]any{"name": "x", "role": "seller"}, []string{"seller_id"}},
		{"seller id on another role", map[string]any{"name": "x", "role": "manager", "seller_id": h.Own.ID}, []string{"seller_id"}},
		{"unknown role", map[string]any{"name": "x", "role": "root"}, []string{"role"}},
		{"unknown seller", map[string]any{"name": "x", "role": "seller", "seller_id": "sl_missing"}, []string{"seller_id"}},
		{"expired already", map[string]any{"name": "x", "role": "manager", "expires_at": "2001-01-01T00:00:00Z"}, []string{"expires_at"}},
		{"missing everything", map[string]any{}, []string{"name", "role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.do(http.MethodPost, "/api/v1/keys", admin, tt.body)
			require.Equal(t, 422, res.Code, "%s", res.Body)
			assert.Equal(t, tt.fields, problemFields(t, res))
		})
	}
	for _, r := range []audit.Role{audit.RoleManager, audit.RoleTechnician, audit.RoleSeller} {
		assert.Equal(t, 403, h.do(http.MethodPost, "/api/v1/keys", h.token(r), map[string]any{"name": "x", "role": "admin"}).Code, r)
		assert.Equal(t, 403, h.do(http.MethodGet, "/api/v1/keys", h.token(r), nil).Code, r)
	}
}

func TestOperations(t *testing.T) {
	h := newHarness(t)
	assert.Equal(t, 200, h.do(http.MethodGet, "/healthz", "", nil).Code)
	assert.Equal(t, 200, h.do(http.MethodGet, "/readyz", "", nil).Code)
	h.do(http.MethodGet, "/api/v1/sellers", h.token(audit.RoleAdmin), nil)
	m := h.do(http.MethodGet, "/metrics", "", nil)
	require.Equal(t, 200, m.Code)
	body := string(m.Body)
	assert.Contains(t, body, `refurbqa_http_requests_total{method="GET",route="/api/v1/sellers",status="200"} 1`)
	assert.Contains(t, body, "refurbqa_http_request_duration_seconds_bucket")
	// client_golang's pool statistics, one db_name per pool: "write" and "read" on SQLite,
	// "main" on PostgreSQL.
	pools := h.st.Pools()
	if h.st.Driver() == store.SQLite {
		require.Len(t, pools, 2)
	}
	for name := range pools {
		assert.True(t, strings.Contains(body, `go_sql_open_connections{db_name="`+name+`"}`), "pool %s", name)
		assert.True(t, strings.Contains(body, `go_sql_wait_count_total{db_name="`+name+`"}`), "pool %s", name)
	}
	assert.False(t, strings.Contains(body, "refurbqa_db_"), "the pool series are client_golang's")

	doc := h.do(http.MethodGet, "/api/v1/openapi.json", "", nil)
	require.Equal(t, 200, doc.Code)
	assert.Contains(t, doc.Map(t), "paths")

	// The database going away makes /readyz answer 503 while /healthz stays 200.
	require.NoError(t, h.st.Close())
	assert.Equal(t, 503, h.do(http.MethodGet, "/readyz", "", nil).Code)
	assert.Equal(t, 200, h.do(http.MethodGet, "/healthz", "", nil).Code)
}

func TestEchoErrorsAreProblems(t *testing.T) {
	h := newHarness(t)
	admin := h.token(audit.RoleAdmin)
	assert.Equal(t, 404, h.do(http.MethodGet, "/api/v1/nothing-here", admin, nil).Code)
	assert.Equal(t, 405, h.do(http.MethodPatch, "/api/v1/sellers", admin, nil).Code)

	big := `{"name":"` + strings.Repeat("a", httpapi.MaxBodyBytes) + `","country":"FR","contact_email":"a@b.fr"}`
	res := h.do(http.MethodPost, "/api/v1/sellers", admin, big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.Code)

	// Just under the limit is read (and then refused for its content, not its size).
	under := `{"name":"` + strings.Repeat("a", httpapi.MaxBodyBytes-100) + `","country":"FR","contact_email":"a@b.fr"}`
	assert.Equal(t, 422, h.do(http.MethodPost, "/api/v1/sellers", admin, under).Code)

	for _, hdr := range []string{"Basic abc", "Bearer", "Bearer  ", "rfq_token"} {
		r := h.do(http.MethodGet, "/api/v1/sellers", "", nil, "Authorization", hdr)
		assert.Equal(t, 401, r.Code, hdr)
	}
}

func TestRateLimitPerKey(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	h := newHarnessWith(t, httpapi.Config{RateLimit: 1, RateBurst: 3, Now: func() time.Time { return now }})
	tok := h.token(audit.RoleManager)
	for i := range 3 {
		require.Equal(t, 200, h.do(http.MethodGet, "/api/v1/sellers", tok, nil).Code, "request %d", i)
	}
	res := h.do(http.MethodGet, "/api/v1/sellers", tok, nil)
	require.Equal(t, http.StatusTooManyRequests, res.Code)
	assert.Equal(t, "1", res.Header.Get("Retry-After"))
	// Buckets are per key: another key is not affected.
	assert.Equal(t, 200, h.do(http.MethodGet, "/api/v1/sellers", h.token(audit.RoleAdmin), nil).Code)
	now = now.Add(time.Second)
	assert.Equal(t, 200, h.do(http.MethodGet, "/api/v1/sellers", tok, nil).Code, "a token comes back each second")
}

func TestForwardedHeadersAreNotTrusted(t *testing.T) {
	h := newHarness(t)
	e := h.srv.Echo()
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.RemoteAddr = "192.0.2.10:5555"
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	req.Header.Set("X-Real-IP", "203.0.113.8")
	c := e.NewContext(req, httptest.NewRecorder())
	assert.Equal(t, "192.0.2.10", c.RealIP())
}

func TestEveryRouteHasARule(t *testing.T) {
	h := newHarness(t)
	rules := h.srv.Rules()
	for _, r := range h.srv.Echo().Routes() {
		if strings.HasSuffix(r.Name, "glob..func1") || r.Method == "echo_route_not_found" {
			continue
		}
		_, ok := rules[r.Method+" "+r.Path]
		assert.True(t, ok, "route %s %s has no authorization rule", r.Method, r.Path)
	}
}

// TestRequestTimeoutReachesTheDatabase: a request's time limit is passed to its database
// queries through the context, so an expired request stops querying and answers 503.
func TestRequestTimeoutReachesTheDatabase(t *testing.T) {
	h := newHarnessWith(t, httpapi.Config{RequestTimeout: time.Nanosecond})
	res := h.do(http.MethodGet, "/api/v1/sellers", h.token(audit.RoleAdmin), nil)
	assert.Equal(t, http.StatusServiceUnavailable, res.Code, "%s", res.Body)
}
