package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/refurbqa/refurbqa/console"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/reports"
	"github.com/refurbqa/refurbqa/store"
)

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := flagSet(e, "serve [flags]", "Migrates the database, then serves the HTTP API and the web console (/console/) until SIGINT or SIGTERM, draining in-flight requests.")
	var db dbFlags
	db.register(fs, e)
	addr := fs.String("addr", envOr(e, "REFURBQA_ADDR", "127.0.0.1:8080"), "listen address (env REFURBQA_ADDR)")
	rateLimit := fs.Float64("rate-limit", envFloat(e, fs, "rate-limit", "REFURBQA_RATE_LIMIT", 1000), "requests per second allowed per API key, 0 for no limit (env REFURBQA_RATE_LIMIT)")
	rateBurst := fs.Int("rate-burst", int(envFloat(e, fs, "rate-burst", "REFURBQA_RATE_BURST", 2000)), "token bucket size per API key (env REFURBQA_RATE_BURST)")
	publicRate := fs.Float64("public-rate-limit", envFloat(e, fs, "public-rate-limit", "REFURBQA_PUBLIC_RATE_LIMIT", 10), "requests per second allowed per client address on the public pages (/public/, /verify), 0 for no limit (env REFURBQA_PUBLIC_RATE_LIMIT)")
	publicBurst := fs.Int("public-rate-burst", int(envFloat(e, fs, "public-rate-burst", "REFURBQA_PUBLIC_RATE_BURST", 50)), "token bucket size per client address on the public pages (env REFURBQA_PUBLIC_RATE_BURST)")
	timeout := fs.Duration("request-timeout", 30*time.Second, "time limit of one request, database queries included")
	headerTimeout := fs.Duration("read-header-timeout", 5*time.Second, "time allowed to read a request's headers (slow clients are cut off)")
	idleTimeout := fs.Duration("idle-timeout", 120*time.Second, "how long an idle keep-alive connection stays open")
	secureCookies := fs.Bool("secure-cookies", envBool(e, "REFURBQA_SECURE_COOKIES"), "mark the console's session cookie Secure on every answer, for a server behind a TLS-terminating proxy (requests over TLS get it anyway; env REFURBQA_SECURE_COOKIES=true)")
	publicURL := fs.String("public-url", envOr(e, "REFURBQA_PUBLIC_URL", ""), "base URL the public reaches this server at, such as https://qa.example.com, from which certificates' verification addresses (/verify/CODE) are made (env REFURBQA_PUBLIC_URL; default http:// and the listen address)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *rateLimit < 0 || *rateBurst < 0 {
		return usagef("--rate-limit and --rate-burst must not be negative")
	}
	if *publicRate < 0 || *publicBurst < 0 {
		return usagef("--public-rate-limit and --public-rate-burst must not be negative")
	}
	if _, err := reports.ParsePublicURL(*publicURL); err != nil {
		return usagef("--public-url %q: want an http or https base URL such as https://qa.example.com", *publicURL)
	}
	if *timeout <= 0 || *headerTimeout <= 0 || *idleTimeout <= 0 {
		return usagef("timeouts must be positive")
	}
	if err := checkAddr(*addr); err != nil {
		return err
	}
	log, err := db.logger(e)
	if err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	deps, err := loadDomain(ctx, st)
	if err != nil {
		return err
	}
	svc := deps.service(st)
	builder := reports.NewBuilder(st)
	// Listening first, so that the default public URL names the port actually bound (":0").
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err // the address names itself: "listen tcp 127.0.0.1:8080: bind: address already in use"
	}
	defer ln.Close() // hs.Serve closes it too; this one is for the failures before
	if *publicURL == "" {
		*publicURL = defaultPublicURL(ln.Addr())
	}
	// The console and the API make certificates' verification addresses from the same public
	// URL, so that a certificate is the same file from either.
	con, err := console.New(console.Config{
		Service: svc, Sessions: st.SessionStore(), Reports: builder, Logger: log,
		SecureCookies: *secureCookies, RequestTimeout: *timeout, PublicURL: *publicURL,
	})
	if err != nil {
		return err
	}
	// After the server has drained and before the store closes: stops the console's audit
	// runs still going in the background.
	defer con.Close()
	srv, err := httpapi.New(httpapi.Config{
		Service: svc,
		Reports: builder,
		Ready:   st.Ping, Logger: log,
		RateLimit: *rateLimit, RateBurst: *rateBurst, RequestTimeout: *timeout,
		PublicRateLimit: *publicRate, PublicRateBurst: *publicBurst, PublicURL: *publicURL,
		Collectors: poolCollectors(st),
	})
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           mount(srv, con),
		ReadHeaderTimeout: *headerTimeout,
		ReadTimeout:       *timeout,
		WriteTimeout:      *timeout + 10*time.Second,
		IdleTimeout:       *idleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Fprintf(e.stdout, "refurbqa listening on http://%s\n", ln.Addr())
	log.Info("listening", "addr", ln.Addr().String(), "db", st.Driver())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// defaultPublicURL is the public URL of a server that was given none: http:// and the address
// it listens on, with localhost for an address that is every interface's (":8080"), which
// names no host. A deployment that the public reaches under another name sets --public-url.
func defaultPublicURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// mount serves the console under /console/ (and /console, redirected there) and the API on
// every other path: one origin for both, so the console needs no CORS.
func mount(api, con http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/console/", con)
	mux.Handle("/", api)
	return mux
}

// envBool reads a boolean environment variable: true for "1", "true", "yes" (any case).
func envBool(e *env, name string) bool {
	switch strings.ToLower(strings.TrimSpace(e.getenv(name))) {
	case "1", "true", "yes":
		return true
	}
	return false
}

// poolCollectors export the statistics of the database pools on /metrics, labelled with
// db_name by pool.
func poolCollectors(st *store.Store) []prometheus.Collector {
	var out []prometheus.Collector
	for name, db := range st.Pools() {
		out = append(out, collectors.NewDBStatsCollector(db, name))
	}
	return out
}

// envFloat is the number in the environment variable name, the default of the flag flagName,
// or def when it is unset. A value that is not a number is a usage error unless the flag is
// given, never silently the default.
func envFloat(e *env, fs *flags, flagName, name string, def float64) float64 {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		fs.checks = append(fs.checks, func() error {
			given := false
			fs.Visit(func(f *flag.Flag) { given = given || f.Name == flagName })
			if given {
				return nil
			}
			return usagef("%s=%q is not a number", name, v)
		})
		return def
	}
	return f
}

// checkAddr refuses a listen address that no machine could listen on (exit status 2), so that
// a failure of net.Listen is a run-time one: a port in use, an address not on this machine.
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--addr %q: want host:port, such as 127.0.0.1:8080 or :8080", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return usagef("--addr %q: the port must be a number from 0 to 65535", addr)
	}
	return nil
}
