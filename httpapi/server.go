// Package httpapi is the echo adapter of refurbqa: the routes of the HTTP contract (api.md),
// request types and their validation, authentication and per-route role rules, the one table
// that maps domain errors to status codes, and the operational endpoints.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/reports"
)

// MaxBodyBytes is the largest request body accepted (10 MiB); larger ones are refused with
// 413 by the body-limit middleware, configured as "10MiB" (echo reads "10M" as 10^7 bytes).
const MaxBodyBytes = 10 << 20

// Config holds every dependency and setting of the HTTP API. The API reaches the data only
// through the domain's services; cmd builds them over the store.
type Config struct {
	// Service is the domain's use cases (required).
	Service *audit.Service
	// Reports builds the input of PDF reports (required).
	Reports *reports.Builder
	// Ready reports whether the database answers, for GET /readyz (required).
	Ready func(context.Context) error
	// Renderer draws PDF reports; New makes one when nil.
	Renderer *reports.Renderer
	Logger   *slog.Logger
	// Now is the clock (default: wall clock, UTC).
	Now func() time.Time
	// RateLimit is the sustained requests per second allowed per API key (0: unlimited) and
	// RateBurst the bucket size.
	RateLimit float64
	RateBurst int
	// PublicRateLimit is the sustained requests per second allowed per client address on the
	// public pages, which need no key (0: unlimited), and PublicRateBurst the bucket size
	// (public_limit.go).
	PublicRateLimit float64
	PublicRateBurst int
	// RequestTimeout bounds each request, database queries included (default 30s).
	RequestTimeout time.Duration
	// Collectors are more metrics for /metrics: cmd passes the statistics of the database
	// connection pools, which httpapi cannot see.
	Collectors []prometheus.Collector
	// Certificates draws the PDF certificates of bench tests and mystery orders (default: the
	// Renderer).
	Certificates reports.CertificateWriter
	// PublicURL is the base URL the public reaches this server at (such as
	// https://qa.example.com), from which the verification address of every certificate is
	// made (reports.VerificationURL). Empty: the scheme and Host of each request, as problem
	// types.
	PublicURL string
}

// Server is the HTTP API. It implements http.Handler.
type Server struct {
	svc      *audit.Service
	ready    func(context.Context) error
	renderer *reports.Renderer
	reports  *reports.Builder
	log      *slog.Logger
	now      func() time.Time
	timeout  time.Duration

	echo    *echo.Echo
	rules   map[string][]audit.Role // "METHOD path" → roles allowed; every route has one
	metrics *metrics
	limiter *limiter
	openapi []byte
	cards   *scorecardCache // encoded answers of approved scorecards, by benchmark version
	// positions holds the encoded sample positions of lots, which never change.
	positions *positionsCache

	oaETag       string                 // strong entity tag of openapi
	problemPages map[string]problemPage // the pages behind problem types, by kind

	certs     reports.CertificateWriter
	publicURL *url.URL // nil: each request's own
	pages     *template.Template
	// htmlErrors are the public pages whose errors are pages for clients that want HTML,
	// by route path.
	htmlErrors    map[string]pageError
	verifications *verificationCache // encoded verifications, with the state they show
	// publicLimiter limits the public pages per client address; addressLimited names their
	// routes ("METHOD path"). profilePage is the page of a seller's public quality profile.
	publicLimiter  *addressLimiter
	addressLimited map[string]bool
	profilePage    *template.Template
}

// New builds the API with every route registered.
func New(cfg Config) (*Server, error) {
	s := &Server{
		svc: cfg.Service, reports: cfg.Reports, ready: cfg.Ready, renderer: cfg.Renderer,
		log: cfg.Logger, now: cfg.Now, timeout: cfg.RequestTimeout,
		rules: map[string][]audit.Role{}, cards: &scorecardCache{}, positions: &positionsCache{}, addressLimited: map[string]bool{},
		certs: cfg.Certificates, htmlErrors: map[string]pageError{}, verifications: &verificationCache{},
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = func() time.Time { return time.Now().UTC() }
	}
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	if s.renderer == nil {
		r, err := reports.NewRenderer()
		if err != nil {
			return nil, err
		}
		s.renderer = r
	}
	if s.certs == nil {
		s.certs = s.renderer
	}
	if s.svc == nil || s.reports == nil || s.ready == nil {
		return nil, errors.New("httpapi: Config needs Service, Reports and Ready")
	}
	doc, err := openAPIDocument()
	if err != nil {
		return nil, err
	}
	s.openapi, s.oaETag = doc, etagOf(doc)
	if s.problemPages, err = renderProblemPages(); err != nil {
		return nil, err
	}
	s.limiter = newLimiter(cfg.RateLimit, cfg.RateBurst, s.now)
	s.publicLimiter = newAddressLimiter(cfg.PublicRateLimit, cfg.PublicRateBurst, s.now)
	if s.profilePage, err = template.New("profile").Funcs(profileFuncs()).Parse(profilePageHTML); err != nil {
		return nil, err
	}
	if s.publicURL, err = reports.ParsePublicURL(cfg.PublicURL); err != nil {
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if s.metrics, err = newMetrics(cfg.Collectors); err != nil {
		return nil, err
	}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Validator = newValidator()
	e.HTTPErrorHandler = s.errorHandler
	// Never trust X-Forwarded-For or X-Real-IP unless a deployment configures a proxy.
	e.IPExtractor = echo.ExtractIPDirect()
	e.Use(newRequestIDs().middleware)
	// HEAD bodies are counted under the gzip writer, and both sit above observe so that error
	// answers, which observe writes, pass through them too.
	e.Use(headBodies)
	e.Use(compress())
	e.Use(s.recoverer)
	e.Use(s.observe)
	e.Use(bodyErrors)
	e.Use(middleware.BodyLimit("10MiB"))
	e.Use(s.withTimeout)
	s.echo = e
	s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Echo exposes the router, for tests that walk its route list.
func (s *Server) Echo() *echo.Echo { return s.echo }

// Rules returns the role rule of every route ("METHOD path" → roles).
func (s *Server) Rules() map[string][]audit.Role {
	out := make(map[string][]audit.Role, len(s.rules))
	for k, v := range s.rules {
		out[k] = append([]audit.Role(nil), v...)
	}
	return out
}

// Registry is the Prometheus registry behind /metrics.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.registry }

func (s *Server) recoverer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic", "panic", r, "route", c.Path())
				err = echo.NewHTTPError(http.StatusInternalServerError, "internal error")
			}
		}()
		return next(c)
	}
}

func (s *Server) withTimeout(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.timeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// observe logs every request and records its metrics.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		status := c.Response().Status
		elapsed := time.Since(start)
		s.metrics.observe(methodLabel(c.Request().Method), route, status, elapsed)
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		keyID := ""
		if p, ok := principalOf(c); ok {
			keyID = p.KeyID
		}
		s.log.LogAttrs(c.Request().Context(), level, "request",
			slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
			slog.String("method", c.Request().Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Float64("latency_ms", float64(elapsed.Nanoseconds())/1e6),
			slog.String("key_id", keyID),
		)
		return nil
	}
}

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeJSON answers with a JSON body.
func writeJSON(c echo.Context, status int, v any) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	c.Response().WriteHeader(status)
	return jsonEncode(c.Response(), v)
}
