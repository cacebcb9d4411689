// Package console is the html/template adapter of refurbqa for people: the web console under
// /console/ where lab technicians log their bench work, quality managers see where every
// seller stands, review and approve scorecards, and sellers read their approved results and
// download their reports (shared/spec/console.md); admins' pages come later. It signs people
// in with server-side sessions (alexedwards/scs over the database's own session table),
// renders every page on the server from embedded templates, and calls the domain's services
// for everything else (and the report builder for PDFs), so roles, seller scoping, validation
// and the event trail are exactly the API's. It never imports the store: cmd hands it the
// services, the report builder and a session store.
package console

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/reports"
)

// Session lifetimes of console.md, "People and sign-in".
const (
	// IdleTimeout ends a session that saw no request for the length of a lab shift.
	IdleTimeout = 8 * time.Hour
	// Lifetime ends every session a week after sign-in, however busy.
	Lifetime = 7 * 24 * time.Hour
	// CookieName is the name of the session cookie.
	CookieName = "refurbqa_session"
)

// Config holds every dependency and setting of the console.
type Config struct {
	// Service is the domain's use cases (required).
	Service *audit.Service
	// Sessions keeps the sessions server-side (required): the database's table, so that
	// several instances share them.
	Sessions scs.Store
	// Reports builds the input of a scorecard's PDF feedback report (required), the same
	// builder as the API's, so that a report shows the same to the same person either way.
	Reports *reports.Builder
	// Renderer draws PDF reports; New makes one when nil.
	Renderer *reports.Renderer
	Logger   *slog.Logger
	// Now is the clock (default: wall clock, UTC).
	Now func() time.Time
	// SecureCookies marks the session cookie Secure on every answer, for a deployment behind
	// a TLS-terminating proxy; requests that arrive over TLS get it regardless.
	SecureCookies bool
	// RequestTimeout bounds each request, database queries included (default 30s).
	RequestTimeout time.Duration
	// PublicURL is the base URL the public reaches the server at (such as
	// https://qa.example.com), from which the verification address printed on certificates is
	// made: the API's (httpapi.Config.PublicURL), so that a certificate is the same file here
	// and there. Empty: the scheme and Host of each request, as the API's.
	PublicURL string
}

// Console is the web console. It implements http.Handler for every path under /console/.
type Console struct {
	svc      *audit.Service
	reports  *reports.Builder
	renderer *reports.Renderer
	log      *slog.Logger
	now      func() time.Time
	timeout  time.Duration
	// publicURL is the base of verification addresses; nil: each request's own origin.
	publicURL *url.URL

	// plain and secure are two managers of the same sessions that differ only in the Secure
	// flag of the cookie they write: a request over TLS, or every request when the operator
	// says so, gets the secure one.
	plain, secure *scs.SessionManager
	forceSecure   bool

	pages  *pages
	assets *assets
	// programs compiles each charter version once, for the thresholds its pages show.
	programs *checklist.Programs
	// runs are the audit runs started here, going on in the background (audits.go).
	runs *auditRuns
	// impact keeps the overview's marketplace estimate for a few minutes (impact.go).
	impact   impactCache
	throttle *throttle
	mux      *http.ServeMux
	rules    map[string]rule // "METHOD pattern" → who may use it; every route has one
	handler  http.Handler
}

// New builds the console with every route registered.
func New(cfg Config) (*Console, error) {
	if cfg.Service == nil || cfg.Sessions == nil || cfg.Reports == nil {
		return nil, errors.New("console: Config needs Service, Sessions and Reports")
	}
	c := &Console{
		svc: cfg.Service, reports: cfg.Reports, renderer: cfg.Renderer,
		log: cfg.Logger, now: cfg.Now, timeout: cfg.RequestTimeout,
		forceSecure: cfg.SecureCookies, mux: http.NewServeMux(), rules: map[string]rule{},
		programs: checklist.NewPrograms(), runs: newAuditRuns(),
	}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.now == nil {
		c.now = func() time.Time { return time.Now().UTC() }
	}
	if c.timeout <= 0 {
		c.timeout = 30 * time.Second
	}
	if c.renderer == nil {
		r, err := reports.NewRenderer()
		if err != nil {
			return nil, err
		}
		c.renderer = r
	}
	var err error
	if c.publicURL, err = reports.ParsePublicURL(cfg.PublicURL); err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	c.plain, c.secure = newSessions(cfg.Sessions, false), newSessions(cfg.Sessions, true)
	c.throttle = newThrottle(c.now)
	if c.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if c.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	c.routes()
	c.handler = c.middleware(c.mux)
	return c, nil
}

// newSessions is a session manager with the cookie and lifetime of console.md. The idle
// timeout is the console's own (Console.session), so that a request writes its session only
// when something changed.
func newSessions(store scs.Store, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = store
	sm.Lifetime = Lifetime
	sm.Cookie.Name = CookieName
	sm.Cookie.Path = "/console"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Persist = true
	return sm
}

// Close stops the audit runs still going in the background (cancelling their context, so
// that they save nothing) and waits for them to end, and refuses new ones. Call it when the
// server stops, after it has stopped serving requests and before the store is closed.
func (c *Console) Close() { c.runs.close() }

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.handler.ServeHTTP(w, r) }

// Rules returns who may use every route ("METHOD pattern" → its rule), for the
// authorization matrix.
func (c *Console) Rules() map[string]Rule {
	out := make(map[string]Rule, len(c.rules))
	for k, v := range c.rules {
		out[k] = Rule{Public: v.public, Roles: append([]audit.Role(nil), v.roles...)}
	}
	return out
}

// Rule says who may use a route: anyone (Public), or a signed-in person of one of Roles.
type Rule struct {
	Public bool
	Roles  []audit.Role
}
