package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/refurbqa/refurbqa/store"
)

// Exit statuses of run.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and failed: a missing file, a refused connection, a failed write
	exitUsage   = 2 // the command line itself is wrong: what a look at it alone can tell
)

// usageError marks an error in how refurbqa was called (exit status 2): an unknown command or
// flag, a missing or extra argument, a flag or environment value that cannot be right whatever
// the state of the files, database and network. Anything found by looking at them — a missing
// file, a refused connection, an unknown seller id — is a run-time failure (exit status 1).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every subcommand gets: configuration, input and output streams.
type env struct {
	getenv func(string) string
	// stdin is standard input, which only commands that say so read (--password-stdin).
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// name is the command being run ("keys create"), which error messages start with; commands
	// with subcommands add the subcommand's name.
	name string
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP API (migrates the database first)", cmdServe},
		{"migrate", "apply pending migrations and exit", cmdMigrate},
		{"keys", "create, list and revoke API keys", cmdKeys},
		{"users", "create, list and disable user accounts, reset passwords", cmdUsers},
		{"audit", "score sellers against the charter for a period", cmdAudit},
		{"reports", "write the PDF feedback reports of scorecards to a directory", cmdReports},
		{"backup", "write a consistent online backup of the SQLite database", cmdBackup},
		{"restore", "replace the SQLite database with a backup", cmdRestore},
		{"kpis", "import seller KPI months from a CSV file", cmdKpis},
		{"impact-factors", "publish and list the versions of the environmental impact factors", cmdImpactFactors},
		{"demo", "load a realistic demo data set", cmdDemo},
		{"openapi", "print the OpenAPI document of the HTTP API", cmdOpenAPI},
	}
}

// run is runIO with an empty standard input: the program as tests start it, for every command
// but those that read standard input (--password-stdin).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return runIO(ctx, args, getenv, strings.NewReader(""), stdout, stderr)
}

// runIO is the whole program: it parses args (args[0] is the program name) and returns the exit
// status. Tests call it (or run) directly to start the real program. Every error ends the
// program with one line on stderr: "refurbqa COMMAND: what went wrong".
func runIO(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		printUsage(stderr)
		return exitUsage
	}
	name, rest := args[1], args[2:]
	switch name {
	case "-h", "-help", "--help":
		printUsage(stdout)
		return exitOK
	case "help":
		// refurbqa help CMD [SUB] is refurbqa CMD [SUB] --help.
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") || rest[0] == "help" {
			printUsage(stdout)
			return exitOK
		}
		if findCommand(rest[0]) == nil {
			fmt.Fprintf(stderr, "refurbqa help: unknown command %q (see refurbqa help)\n", rest[0])
			return exitUsage
		}
		name, rest = rest[0], append(rest[1:len(rest):len(rest)], "--help")
	}
	c := findCommand(name)
	if c == nil {
		fmt.Fprintf(stderr, "refurbqa: unknown command %q (see refurbqa help)\n", name)
		return exitUsage
	}
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, name: c.name}
	err := c.run(ctx, e, rest)
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue), errors.Is(err, store.ErrConfig):
		fmt.Fprintf(stderr, "refurbqa %s: %s (see refurbqa help %s)\n", e.name, oneLine(err), e.name)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "refurbqa %s: %s\n", e.name, oneLine(err))
		return exitFailure
	}
}

func findCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return &c
		}
	}
	return nil
}

// oneLine puts an error on one line. Errors that span lines (errors.Join, a PostgreSQL driver
// listing every address it tried) often repeat one cause: each distinct line is kept once.
func oneLine(err error) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" || seen[line] {
			continue
		}
		seen[line] = true
		if b.Len() > 0 {
			if s := b.String(); strings.HasSuffix(s, ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(line)
	}
	return b.String()
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "refurbqa — quality audits and device grading for a refurbished-electronics marketplace")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: refurbqa <command> [arguments] [flags]   (flags before or after the arguments)")
	fmt.Fprintln(w, "       refurbqa help <command>   (or refurbqa <command> --help) for a command's flags")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Environment: REFURBQA_ADDR (default 127.0.0.1:8080), REFURBQA_DB (sqlite|postgres, default sqlite),")
	fmt.Fprintln(w, "REFURBQA_DSN (default refurbqa.db), REFURBQA_LOG_LEVEL (debug|info|warn|error, default info).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Exit status: 0 done, 1 the command failed (missing file, database unreachable, failed write),")
	fmt.Fprintln(w, "2 the command line is wrong (unknown command or flag, missing argument, invalid value).")
}

// flags is a subcommand's flag set with its help text.
type flags struct {
	*flag.FlagSet
	help func()
	// checks run after a successful parse: values the flag package cannot judge alone (a log
	// level, an environment fallback that is not a number).
	checks []func() error
}

// flagSet makes a flag set that reports errors as usage errors; --help prints its usage.
func flagSet(e *env, name, synopsis string) *flags {
	fs := flag.NewFlagSet("refurbqa "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flags{FlagSet: fs, help: func() {
		fmt.Fprintf(e.stdout, "Usage: refurbqa %s\n\n%s\n\nFlags (before or after the arguments):\n", name, synopsis)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}}
}

// parse parses flags wherever they are among the arguments — refurbqa kpis import FILE --db
// postgres as well as refurbqa kpis import --db postgres FILE —, which the flag package alone
// does not (it stops at the first argument that is not a flag). "--" ends the flags; "-" is an
// argument. --help prints the usage and returns flag.ErrHelp.
func parse(fs *flags, args []string) error {
	var named, positional []string
	missingValue := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		named = append(named, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) {
			if i+1 == len(args) {
				missingValue = true // the flag package names the flag
				break
			}
			i++
			named = append(named, args[i])
		}
	}
	if !missingValue {
		named = append(append(named, "--"), positional...)
	}
	if err := fs.Parse(named); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.help()
			return flag.ErrHelp
		}
		return usagef("%v", err)
	}
	for _, check := range fs.checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// dbFlags are the database settings shared by every command that opens the database.
type dbFlags struct {
	driver, dsn, logLevel string
}

// register adds the database flags, and the checks of their values, to fs: every command that
// takes them refuses an unknown database or log level before it does anything.
func (d *dbFlags) register(fs *flags, e *env) {
	fs.StringVar(&d.driver, "db", envOr(e, "REFURBQA_DB", "sqlite"), "database: sqlite or postgres (env REFURBQA_DB)")
	fs.StringVar(&d.dsn, "dsn", envOr(e, "REFURBQA_DSN", ""), "SQLite file or PostgreSQL URL (env REFURBQA_DSN; default refurbqa.db for sqlite)")
	fs.StringVar(&d.logLevel, "log-level", envOr(e, "REFURBQA_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env REFURBQA_LOG_LEVEL)")
	fs.checks = append(fs.checks, func() error {
		if d.driver != store.SQLite && d.driver != store.Postgres {
			return usagef("unknown database %q (want sqlite or postgres)", d.driver)
		}
		_, err := d.level()
		return err
	})
}

func envOr(e *env, name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

func (d *dbFlags) level() (slog.Level, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(d.logLevel)); err != nil {
		return level, usagef("bad log level %q (want debug, info, warn or error)", d.logLevel)
	}
	return level, nil
}

// logger builds the structured logger; logs go to stderr so stdout stays for results.
func (d *dbFlags) logger(e *env) (*slog.Logger, error) {
	level, err := d.level()
	if err != nil {
		return nil, err
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
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// isTerminal tells whether w is a terminal (a character device), where progress may redraw
// one line with \r; in a file, a pipe or a test's buffer each step gets a line of its own.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// counter reports the progress of a long command that counts done items out of a total: on a
// terminal one line redrawn in place, elsewhere one line per step, so that logs never hold
// carriage returns. It is safe for concurrent use by the workers that do the items.
type counter struct {
	mu     sync.Mutex
	w      io.Writer
	tty    bool
	format string // with %d for the items done and %d for the total
	total  int
	every  int
	done   int
}

// newCounter reports at most about 20 steps, and always the last one.
func newCounter(w io.Writer, tty bool, format string, total int) *counter {
	return &counter{w: w, tty: tty, format: format, total: total, every: max(1, total/20)}
}

// add counts one item done.
func (c *counter) add() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done++
	if c.done%c.every != 0 && c.done != c.total {
		return
	}
	if c.tty {
		fmt.Fprintf(c.w, "\r"+c.format, c.done, c.total)
		return
	}
	fmt.Fprintf(c.w, c.format+"\n", c.done, c.total)
}

// finish ends the redrawn line on a terminal.
func (c *counter) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tty && c.done > 0 {
		fmt.Fprintln(c.w)
	}
}

// count is the number of items done so far.
func (c *counter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done
}

// verb is one subcommand of a command with several (keys create, users list, …).
type verb struct {
	name string
	run  func(context.Context, *env, []string) error
}

// runVerb runs the verb args[0] names with the rest of args. help (or -h, --help) prints the
// command's synopsis and about, which says what the command is for.
func runVerb(ctx context.Context, e *env, args []string, synopsis, about string, verbs ...verb) error {
	names := make([]string, len(verbs))
	for i, v := range verbs {
		names[i] = v.name
	}
	want := names[len(names)-1]
	if len(names) > 1 {
		want = strings.Join(names[:len(names)-1], ", ") + " or " + want
	}
	if len(args) == 0 {
		return usagef("missing subcommand: %s", want)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(e.stdout, "Usage: refurbqa %s\n\n%s", synopsis, about)
		return nil
	}
	for _, v := range verbs {
		if v.name == args[0] {
			e.name += " " + v.name
			return v.run(ctx, e, args[1:])
		}
	}
	return usagef("unknown subcommand %q: want %s", args[0], want)
}
