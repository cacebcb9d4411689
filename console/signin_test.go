package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/console"
)

func TestSignInAndOut(t *testing.T) {
	h := newHarness(t)
	c := h.client()

	res := c.get("/console/bench-tests/new?seller_id=" + h.Own.ID)
	require.Equal(t, http.StatusSeeOther, res.status, "a signed-out person is sent to sign in")
	assert.Equal(t, "/console/signin?next="+url.QueryEscape("/console/bench-tests/new?seller_id="+h.Own.ID), res.header.Get("Location"))

	form := c.get("/console/signin")
	require.Equal(t, http.StatusOK, form.status)
	assert.Contains(t, form.body, `name="email"`)
	assert.Contains(t, form.body, `name="password"`)

	res = c.post("/console/signin", url.Values{"email": {h.users[audit.RoleTechnician].Email}, "password": {password},
		"next": {"/console/bench-tests/new?seller_id=" + h.Own.ID}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	assert.Equal(t, "/console/bench-tests/new?seller_id="+h.Own.ID, res.header.Get("Location"), "back to the page asked for")
	first := c.cookie()
	require.NotEmpty(t, first)

	home := c.get("/console/")
	require.Equal(t, http.StatusOK, home.status)
	assert.Contains(t, home.body, "The technician")

	// Signing in again gives a new session id; the old one is worthless.
	require.Equal(t, http.StatusSeeOther, c.signIn(h.users[audit.RoleTechnician].Email, password).status)
	second := c.cookie()
	assert.NotEqual(t, first, second, "a new session id at sign-in")
	stale := h.client()
	stale.setCookie(first)
	assert.Equal(t, http.StatusSeeOther, stale.get("/console/").status, "the session id before sign-in no longer signs anyone in")

	// Sign-out ends the session on the server: the old cookie, replayed, signs nobody in.
	replay := h.client()
	replay.setCookie(second)
	require.Equal(t, http.StatusOK, replay.get("/console/").status)
	res = c.post("/console/signout", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.status)
	assert.Equal(t, "/console/signin", res.header.Get("Location"))
	res = replay.get("/console/")
	assert.Equal(t, http.StatusSeeOther, res.status, "sign-out ends the session on the server")
}

func (c *client) setCookie(value string) {
	u, _ := url.Parse(c.h.srv.URL + "/console/")
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: console.CookieName, Value: value, Path: "/console"}})
}

func TestSignInRefusalsTellNothing(t *testing.T) {
	h := newHarness(t)
	c := h.client()
	wrong := c.signIn(h.users[audit.RoleTechnician].Email, "not the password at all")
	unknown := c.signIn("nobody@refurbqa.test", password)
	require.Equal(t, http.StatusUnauthorized, wrong.status)
	require.Equal(t, http.StatusUnauthorized, unknown.status)
	assert.Contains(t, wrong.body, "The email or the password is wrong.")
	assert.Equal(t, strings.ReplaceAll(wrong.body, h.users[audit.RoleTechnician].Email, "E"),
		strings.ReplaceAll(unknown.body, "nobody@refurbqa.test", "E"), "an unknown email reads exactly as a wrong password")
	assert.Contains(t, wrong.body, `value="`+h.users[audit.RoleTechnician].Email+`"`, "the email typed is kept")
	assert.NotContains(t, wrong.body, "not the password at all", "the password is never shown back")

	_, err := h.svc.DisableUser(context.Background(), system, h.users[audit.RoleManager].ID)
	require.NoError(t, err)
	disabled := c.signIn(h.users[audit.RoleManager].Email, password)
	assert.Equal(t, http.StatusUnauthorized, disabled.status, "a disabled user cannot sign in")
}

func TestDisablingEndsSessions(t *testing.T) {
	h := newHarness(t)
	c := h.signedIn(audit.RoleTechnician)
	require.Equal(t, http.StatusOK, c.get("/console/").status)
	_, err := h.svc.DisableUser(context.Background(), system, h.users[audit.RoleTechnician].ID)
	require.NoError(t, err)
	res := c.get("/console/")
	assert.Equal(t, http.StatusSeeOther, res.status, "the very next request of a disabled user is signed out")
	assert.Equal(t, "/console/signin?next=%2Fconsole%2F", res.header.Get("Location"))
}

func TestSessionCookie(t *testing.T) {
	h := newHarness(t)
	c := h.client()
	res := c.signIn(h.users[audit.RoleTechnician].Email, password)
	ck := sessionCookie(t, res.header)
	assert.True(t, ck.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, ck.SameSite)
	assert.Equal(t, "/console", ck.Path)
	assert.False(t, ck.Secure, "plain HTTP without the operator's say-so")
	assert.InDelta(t, console.Lifetime.Seconds(), float64(ck.MaxAge), 2, "the cookie lasts the absolute timeout; the server ends idle sessions")

	secure := newHarness(t, func(cfg *console.Config) { cfg.SecureCookies = true })
	res = secure.client().signIn(secure.users[audit.RoleTechnician].Email, password)
	assert.True(t, sessionCookie(t, res.header).Secure, "the operator says so")

	tls := httptest.NewTLSServer(h.console)
	defer tls.Close()
	cl := tls.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r, err := cl.PostForm(tls.URL+"/console/signin", url.Values{"email": {h.users[audit.RoleTechnician].Email}, "password": {password}})
	require.NoError(t, err)
	r.Body.Close()
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	assert.True(t, sessionCookie(t, r.Header).Secure, "a request over TLS")
}

func sessionCookie(t *testing.T, h http.Header) *http.Cookie {
	t.Helper()
	for _, ck := range (&http.Response{Header: h}).Cookies() {
		if ck.Name == console.CookieName {
			return ck
		}
	}
	require.FailNow(t, "no session cookie", "%v", h)
	return nil
}

func TestSafeNext(t *testing.T) {
	h := newHarness(t)
	for next, want := range map[string]string{
		"/console/bench-tests/new": "/console/bench-tests/new",
		"//evil.example/console/":  "/console/",
		"https://evil.example/":    "/console/",
		"/console//evil.example":   "/console/",
		"/console/\\evil.example":  "/console/",
		"/api/v1/keys":             "/console/",
		"":                         "/console/",
	} {
		c := h.client()
		res := c.post("/console/signin", url.Values{"email": {h.users[audit.RoleTechnician].Email}, "password": {password}, "next": {next}})
		require.Equal(t, http.StatusSeeOther, res.status)
		assert.Equal(t, want, res.header.Get("Location"), "next=%q", next)
	}
}

func TestSessionTimeouts(t *testing.T) {
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	h := newHarness(t, func(cfg *console.Config) { cfg.Now = func() time.Time { return at } })

	idle := h.signedIn(audit.RoleTechnician)
	at = at.Add(console.IdleTimeout - time.Minute)
	require.Equal(t, http.StatusOK, idle.get("/console/").status, "7h59m idle: still signed in")
	at = at.Add(console.IdleTimeout - time.Minute)
	require.Equal(t, http.StatusOK, idle.get("/console/").status, "each request pushes the idle timeout back")
	at = at.Add(console.IdleTimeout)
	assert.Equal(t, http.StatusSeeOther, idle.get("/console/").status, "8 hours without a request end the session")
	at = at.Add(-console.IdleTimeout) // the same cookie, back in time, is gone for good
	assert.Equal(t, http.StatusSeeOther, idle.get("/console/").status, "an ended session is deleted on the server")

	busy := h.signedIn(audit.RoleTechnician)
	for range console.Lifetime / (4 * time.Hour) {
		require.Equal(t, http.StatusOK, busy.get("/console/").status)
		at = at.Add(4 * time.Hour)
	}
	assert.Equal(t, http.StatusSeeOther, busy.get("/console/").status, "however busy, a session ends 7 days after sign-in")
}

// countingStore counts the session writes.
type countingStore struct {
	scs.Store
	commits int
}

func (s *countingStore) Commit(token string, b []byte, expiry time.Time) error {
	s.commits++
	return s.Store.Commit(token, b, expiry)
}

func TestSessionWritesAreRare(t *testing.T) {
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	counting := &countingStore{Store: memstore.New()}
	h := newHarness(t, func(cfg *console.Config) {
		cfg.Now = func() time.Time { return at }
		cfg.Sessions = counting
	})
	c := h.signedIn(audit.RoleTechnician)
	after := counting.commits
	for range 10 {
		require.Equal(t, http.StatusOK, c.get("/console/").status)
		at = at.Add(5 * time.Second)
	}
	assert.Equal(t, after, counting.commits, "pages read within a minute write no session")
	at = at.Add(time.Minute)
	require.Equal(t, http.StatusOK, c.get("/console/").status)
	assert.Equal(t, after+1, counting.commits, "a minute later, one write keeps the idle timeout")
}
