package console_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/console"
	"github.com/refurbqa/refurbqa/reports"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

var system = audit.Principal{KeyID: "system", Role: audit.RoleAdmin}

// password is every test user's password.
const password = "correct horse battery staple"

// harness is the console over a real, migrated database, served on a loopback listener so
// that cookies, redirects and the browser's cross-origin headers behave as in production.
type harness struct {
	t        *testing.T
	st       *store.Store
	svc      *audit.Service
	console  *console.Console
	srv      *httptest.Server
	sessions scs.Store
	Own      audit.Seller
	Other    audit.Seller
	users    map[audit.Role]audit.User // the seller user belongs to Own
}

type harnessOption func(*console.Config)

func newHarness(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	return newHarnessOver(t, nil, opts...)
}

// newHarnessOver is newHarness with the services over wrap(store) instead of the store itself
// (wrap nil: the store), for tests that hold a use case at a step of its work.
func newHarnessOver(t *testing.T, wrap func(*store.Store) audit.Store, opts ...harnessOption) *harness {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, store.Config{})
	protocols, err := checklist.LoadProtocols()
	require.NoError(t, err)
	def, err := checklist.DefaultCharter()
	require.NoError(t, err)
	require.NoError(t, st.EnsureDefaultCharter(ctx, system, def))
	var port audit.Store = st
	if wrap != nil {
		port = wrap(st)
	}
	svc := audit.NewService(audit.ServiceConfig{Store: port, Protocols: protocols, PasswordCost: bcrypt.MinCost})
	h := &harness{t: t, st: st, svc: svc, sessions: memstore.New(), users: map[audit.Role]audit.User{}}
	cfg := console.Config{Service: svc, Sessions: h.sessions, Reports: reports.NewBuilder(st), Logger: slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	for _, o := range opts {
		o(&cfg)
	}
	h.console, err = console.New(cfg)
	require.NoError(t, err)
	t.Cleanup(h.console.Close) // after the server, before the store: its audit runs end first
	h.srv = httptest.NewServer(h.console)
	t.Cleanup(h.srv.Close)

	h.Own, err = st.CreateSeller(ctx, system, audit.Seller{Name: "Own Refurb", Country: "FR", ContactEmail: "own@example.com"})
	require.NoError(t, err)
	h.Other, err = st.CreateSeller(ctx, system, audit.Seller{Name: "Other Refurb", Country: "DE", ContactEmail: "other@example.com"})
	require.NoError(t, err)
	for _, r := range audit.Roles {
		in := audit.NewUser{Email: string(r) + "@refurbqa.test", Name: "The " + string(r), Role: r, Password: password}
		if r == audit.RoleSeller {
			in.SellerID = h.Own.ID
		}
		u, _, err := svc.CreateUser(ctx, system, in)
		require.NoError(t, err)
		h.users[r] = u
	}
	return h
}

// client is a browser of its own: a cookie jar, and redirects not followed, so that tests see
// every 303.
type client struct {
	h    *harness
	http *http.Client
}

func (h *harness) client() *client {
	jar, err := cookiejar.New(nil)
	require.NoError(h.t, err)
	return &client{h: h, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signedIn is a client signed in as the user of role.
func (h *harness) signedIn(role audit.Role) *client {
	c := h.client()
	res := c.signIn(h.users[role].Email, password)
	require.Equal(h.t, http.StatusSeeOther, res.status, res.body)
	return c
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(method, path string, form url.Values, headers ...string) *response {
	c.h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.h.srv.URL+path, body)
	require.NoError(c.h.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	// A browser marks a request from one of the site's own pages as same-origin.
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.http.Do(req)
	require.NoError(c.h.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(c.h.t, err)
	return &response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (c *client) get(path string) *response { return c.do(http.MethodGet, path, nil) }

func (c *client) post(path string, form url.Values, headers ...string) *response {
	return c.do(http.MethodPost, path, form, headers...)
}

func (c *client) signIn(email, pw string) *response {
	return c.post("/console/signin", url.Values{"email": {email}, "password": {pw}})
}

// cookie is the session cookie the client holds ("" when none).
func (c *client) cookie() string {
	u, _ := url.Parse(c.h.srv.URL + "/console/")
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == console.CookieName {
			return ck.Value
		}
	}
	return ""
}

// testLog writes the console's warnings and errors into the test's output.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// multipartPost posts fields as a multipart form, as a form with a file field sends it, with
// content as the file named name when name is not empty.
func (c *client) multipartPost(path string, fields url.Values, name string, content []byte) *response {
	c.h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vals := range fields {
		for _, v := range vals {
			require.NoError(c.h.t, mw.WriteField(k, v))
		}
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		require.NoError(c.h.t, err)
		_, err = fw.Write(content)
		require.NoError(c.h.t, err)
	}
	require.NoError(c.h.t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, c.h.srv.URL+path, &buf)
	require.NoError(c.h.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.http.Do(req)
	require.NoError(c.h.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(c.h.t, err)
	return &response{status: res.StatusCode, header: res.Header, body: string(b)}
}
