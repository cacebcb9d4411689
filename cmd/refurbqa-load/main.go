// Command refurbqa-load drives a running refurbqa server over HTTP with generated payloads and
// reports its throughput and latency: batch ingest of bench tests, grading previews, scorecard
// reads and PDF reports. It only ever talks to a loopback address (127.0.0.0/8, ::1,
// localhost), runs for a bounded time and stops by itself. See docs/performance.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Bounds of the flags: a load run is a benchmark, not a soak test.
const (
	maxDuration    = 10 * time.Minute
	maxConcurrency = 512
	maxBatch       = 1000
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the resolved flags.
type options struct {
	url         *url.URL
	token       string
	scenario    string
	concurrency int
	duration    time.Duration
	warmup      time.Duration
	batch       int
	sellers     []string
	jsonFile    string
	seed        uint64
	maxRequests int
	timeout     time.Duration
	// The console scenarios sign in with email and password and read paths.
	email, password string
	paths           []string
	// The verify scenario reads the codes of --codes and asks for JSON or the page.
	codesFile string
	accept    string
}

var scenarios = []string{"ingest", "preview", "scorecards", "reports", "lot-samples", "console-pages", "console-preview", "public-profiles", "verify"}

// run is the whole program; it returns the exit status: 0 when the run completed without server
// errors, 1 when the server answered 5xx or "database is locked" (or the run could not be set
// up), 2 for bad flags.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("refurbqa-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: refurbqa-load --scenario ingest|preview|scorecards|reports|lot-samples|console-pages|console-preview|public-profiles|verify [flags]")
		fmt.Fprintln(stderr, "\nDrives a running refurbqa server on a loopback address and reports throughput and latency.")
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	rawURL := fs.String("url", "http://127.0.0.1:8080", "base URL of the server (loopback only)")
	token := fs.String("token", getenv("REFURBQA_TOKEN"), "API token (env REFURBQA_TOKEN): technician or better for ingest and preview, manager for scorecards and reports")
	scenario := fs.String("scenario", "", "ingest, preview, scorecards, reports, lot-samples (conforming samples into parts lots it creates), console-pages (GET each --path, signed in), console-preview (the bench-test form's live preview, signed in), public-profiles (every seller's public profile page, without a key; serve with --public-rate-limit 0) or verify (the public verification of the codes in --codes, no token; serve with --public-rate-limit 0)")
	codes := fs.String("codes", "", "verify: a file of verification codes, one a line (such as sqlite3 refurbqa.db 'SELECT verification_code FROM bench_tests LIMIT 5000')")
	accept := fs.String("accept", "json", "verify: ask for json or html")
	email := fs.String("email", getenv("REFURBQA_EMAIL"), "console user of the console scenarios (env REFURBQA_EMAIL); each client signs in with its own session")
	password := fs.String("password", getenv("REFURBQA_PASSWORD"), "that user's password (env REFURBQA_PASSWORD)")
	paths := fs.String("path", "", "console-pages: the page(s) to read, comma-separated, such as /console/work")
	concurrency := fs.Int("concurrency", 8, "concurrent clients (connections)")
	duration := fs.Duration("duration", 30*time.Second, "measured time (at most 10m)")
	warmup := fs.Duration("warmup", 0, "time run before measuring, not counted")
	batch := fs.Int("batch", 500, "bench tests per ingest request (1 to 1000)")
	seller := fs.String("seller", "", "seller id(s) for ingest, comma-separated (default: the sellers the server lists, or a new one)")
	jsonFile := fs.String("json", "", "also write the report as JSON to this file")
	seed := fs.Uint64("seed", 1, "seed of the generated payloads")
	maxRequests := fs.Int("requests", 0, "stop after this many measured requests (0: only the duration bounds the run)")
	timeout := fs.Duration("timeout", 30*time.Second, "time limit of one request")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	o := options{token: *token, scenario: *scenario, concurrency: *concurrency, duration: *duration, warmup: *warmup,
		batch: *batch, jsonFile: *jsonFile, seed: *seed, maxRequests: *maxRequests, timeout: *timeout}
	if *seller != "" {
		o.sellers = strings.Split(*seller, ",")
	}
	o.email, o.password = *email, *password
	o.codesFile, o.accept = *codes, *accept
	if *paths != "" {
		o.paths = strings.Split(*paths, ",")
	}
	var err error
	if o.url, err = loopbackURL(*rawURL); err == nil {
		err = o.check(fs.NArg())
	}
	if err != nil {
		fmt.Fprintf(stderr, "refurbqa-load: %v\n", err)
		return 2
	}
	rep, err := newRunner(o, stderr).run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "refurbqa-load: %v\n", err)
		return 1
	}
	rep.WriteTable(stdout)
	if o.jsonFile != "" {
		f, err := os.Create(o.jsonFile)
		if err == nil {
			err = errors.Join(rep.WriteJSON(f), f.Close())
		}
		if err != nil {
			fmt.Fprintf(stderr, "refurbqa-load: --json: %v\n", err)
			return 1
		}
	}
	if rep.ServerErrors > 0 || rep.DatabaseLocked > 0 {
		return 1
	}
	return 0
}

func allConsolePaths(paths []string) bool {
	for _, p := range paths {
		if !strings.HasPrefix(p, "/console/") {
			return false
		}
	}
	return true
}

func (o *options) check(nargs int) error {
	switch {
	case nargs > 0:
		return errors.New("unexpected arguments (see --help)")
	case !contains(scenarios, o.scenario):
		return fmt.Errorf("--scenario must be one of %s", strings.Join(scenarios, ", "))
	case consoleScenario(o.scenario) && (o.email == "" || o.password == ""):
		return errors.New("the console scenarios sign in: pass --email and --password (or REFURBQA_EMAIL, REFURBQA_PASSWORD)")
	case o.scenario == "console-pages" && len(o.paths) == 0:
		return errors.New("console-pages needs --path")
	case o.scenario == "console-pages" && !allConsolePaths(o.paths):
		return errors.New("--path: every page is a path under /console/")
	case o.scenario == "verify" && o.codesFile == "":
		return errors.New("verify needs --codes, a file of verification codes")
	case o.scenario == "verify" && o.accept != "json" && o.accept != "html":
		return errors.New("--accept must be json or html")
	case !consoleScenario(o.scenario) && o.scenario != "verify" && o.token == "":
		return errors.New("no token: pass --token or set REFURBQA_TOKEN")
	case o.concurrency < 1 || o.concurrency > maxConcurrency:
		return fmt.Errorf("--concurrency must be from 1 to %d", maxConcurrency)
	case o.duration <= 0 || o.duration > maxDuration:
		return fmt.Errorf("--duration must be positive and at most %s", maxDuration)
	case o.warmup < 0 || o.warmup > maxDuration:
		return fmt.Errorf("--warmup must be from 0 to %s", maxDuration)
	case o.batch < 1 || o.batch > maxBatch:
		return fmt.Errorf("--batch must be from 1 to %d", maxBatch)
	case o.maxRequests < 0:
		return errors.New("--requests must not be negative")
	case o.timeout <= 0:
		return errors.New("--timeout must be positive")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// loopbackURL parses the server URL and refuses any host that is not a loopback address: the
// load tool is for this machine's own server, never for anybody else's.
func loopbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("--url: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("--url %q: want http:// or https://", raw)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("--url %q: no host", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("--url %q: want a plain base URL such as http://127.0.0.1:8080", raw)
	}
	if strings.EqualFold(host, "localhost") {
		// Trust the name only if it resolves to loopback addresses alone.
		addrs, err := net.LookupIP(host)
		if err != nil || len(addrs) == 0 {
			return nil, fmt.Errorf("--url: cannot resolve localhost: %v", err)
		}
		for _, a := range addrs {
			if !a.IsLoopback() {
				return nil, fmt.Errorf("--url: localhost resolves to %s, which is not a loopback address", a)
			}
		}
	} else if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("--url %q: refusing a host that is not a loopback address (127.0.0.0/8, ::1 or localhost)", raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}
