package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/refurbqa/refurbqa/store"
)

// Exit statuses of run.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and failed
	exitUsage   = 2 // bad flags, arguments or configuration
)

// usageError marks an error in how refurbqa was called (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every subcommand gets: configuration and output streams.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP API (migrates the database first)", cmdServe},
		{"migrate", "apply pending migrations and exit", cmdMigrate},
		{"keys", "create, list and revoke API keys", cmdKeys},
		{"audit", "score sellers against the charter for a period", cmdAudit},
		{"reports", "write the PDF feedback reports of scorecards to a directory", cmdReports},
		{"backup", "write a consistent online backup of the SQLite database", cmdBackup},
		{"restore", "replace the SQLite database with a backup", cmdRestore},
		{"kpis", "import seller KPI months from a CSV file", cmdKpis},
		{"demo", "load a realistic demo data set", cmdDemo},
		{"openapi", "print the OpenAPI document of the HTTP API", cmdOpenAPI},
	}
}

// run is the whole program: it parses args (args[0] is the program name) and returns the exit
// status. Tests call it directly to start the real program.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	e := &env{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) < 2 {
		printUsage(stderr)
		return exitUsage
	}
	name := args[1]
	if name == "-h" || name == "--help" || name == "help" {
		printUsage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, e, args[2:])
		var ue *usageError
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.As(err, &ue), errors.Is(err, store.ErrConfig):
			fmt.Fprintf(stderr, "refurbqa %s: %s\n", name, oneLine(err))
			return exitUsage
		default:
			fmt.Fprintf(stderr, "refurbqa %s: %s\n", name, oneLine(err))
			return exitFailure
		}
	}
	fmt.Fprintf(stderr, "refurbqa: unknown command %q (see refurbqa --help)\n", name)
	return exitUsage
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "refurbqa — quality audits and device grading for a refurbished-electronics marketplace")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: refurbqa <command> [flags]   (refurbqa <command> --help for its flags)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Environment: REFURBQA_ADDR (default 127.0.0.1:8080), REFURBQA_DB (sqlite|postgres, default sqlite),")
	fmt.Fprintln(w, "REFURBQA_DSN (default refurbqa.db), REFURBQA_LOG_LEVEL (debug|info|warn|error, default info).")
}

// flags is a subcommand's flag set with its help text.
type flags struct {
	*flag.FlagSet
	help func()
}

// flagSet makes a flag set that reports errors as usage errors; --help prints its usage.
func flagSet(e *env, name, synopsis string) *flags {
	fs := flag.NewFlagSet("refurbqa "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flags{FlagSet: fs, help: func() {
		fmt.Fprintf(e.stdout, "Usage: refurbqa %s\n\n%s\n\nFlags:\n", name, synopsis)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}}
}

// parse parses flags; --help prints usage and returns flag.ErrHelp.
func parse(fs *flags, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.help()
			return flag.ErrHelp
		}
		return usagef("%v (see --help)", err)
	}
	return nil
}

// dbFlags are the database settings shared by every command that opens the database.
type dbFlags struct {
	driver, dsn, logLevel string
}

func (d *dbFlags) register(fs *flags, e *env) {
	fs.StringVar(&d.driver, "db", envOr(e, "REFURBQA_DB", "sqlite"), "database: sqlite or postgres (env REFURBQA_DB)")
	fs.StringVar(&d.dsn, "dsn", envOr(e, "REFURBQA_DSN", ""), "SQLite file or PostgreSQL URL (env REFURBQA_DSN; default refurbqa.db for sqlite)")
	fs.StringVar(&d.logLevel, "log-level", envOr(e, "REFURBQA_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env REFURBQA_LOG_LEVEL)")
}

func envOr(e *env, name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

// logger builds the structured logger; logs go to stderr so stdout stays for results.
func (d *dbFlags) logger(e *env) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(d.logLevel)); err != nil {
		return nil, usagef("bad log level %q (want debug, info, warn or error)", d.logLevel)
	}
	return slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level})), nil
}

// open opens and migrates the database.
func (d *dbFlags) open(ctx context.Context) (*store.Store, error) {
	dsn := d.dsn
	switch d.driver {
	case store.SQLite:
		if dsn == "" {
			dsn = "refurbqa.db"
		}
	case store.Postgres:
	default:
		return nil, usagef("unknown database %q (want sqlite or postgres)", d.driver)
	}
	st, err := store.Open(ctx, store.Config{Driver: d.driver, DSN: dsn})
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func noArgs(fs *flags) error {
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (see --help)", fs.Arg(0))
	}
	return nil
}
