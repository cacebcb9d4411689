package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/store"
)

// TestExitStatusesAndMessages runs every command into its error paths: a usage error (what the
// command line alone shows to be wrong) exits 2, a run-time failure (a missing file, a refused
// connection, a failed migration, a failed write) exits 1, and each prints exactly one line on
// stderr, naming the command and saying its cause once.
func TestExitStatusesAndMessages(t *testing.T) {
	dir := t.TempDir()
	getenv := testEnv(t)
	notADB := filepath.Join(dir, "notes.db")
	require.NoError(t, os.WriteFile(notADB, []byte("not a database\n"), 0o600))
	// A database whose first migration cannot apply: its table exists already.
	clash := filepath.Join(dir, "clash.db")
	db, err := sql.Open("sqlite3", clash)
	require.NoError(t, err)
	_, err = db.Exec("CREATE TABLE sellers (x)")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	existing := filepath.Join(dir, "existing.bak")
	require.NoError(t, os.WriteFile(existing, []byte("x"), 0o600))
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	missing := filepath.Join(dir, "missing")

	tests := []struct {
		name string
		args []string
		env  []string
		code int
		err  string // the whole of stderr
	}{
		// Usage errors: exit status 2.
		{"unknown command", []string{"frobnicate"}, nil, 2, `refurbqa: unknown command "frobnicate" (see refurbqa help)`},
		{"help on an unknown command", []string{"help", "nosuch"}, nil, 2, `refurbqa help: unknown command "nosuch" (see refurbqa help)`},
		{"unknown flag", []string{"serve", "--bogus"}, nil, 2, "refurbqa serve: flag provided but not defined: -bogus (see refurbqa help serve)"},
		{"flag without its value", []string{"migrate", "--dsn"}, nil, 2, "refurbqa migrate: flag needs an argument: -dsn (see refurbqa help migrate)"},
		{"invalid flag value", []string{"keys", "create", "--role", "admin", "--name", "x", "--expires", "soon"}, nil, 2,
			`refurbqa keys create: invalid value "soon" for flag -expires: parse error (see refurbqa help keys create)`},
		{"extra argument", []string{"migrate", "now"}, nil, 2, `refurbqa migrate: unexpected argument "now" (see refurbqa help migrate)`},
		{"unknown database", []string{"migrate", "--db", "mysql"}, nil, 2, `refurbqa migrate: unknown database "mysql" (want sqlite or postgres) (see refurbqa help migrate)`},
		{"unknown database from the environment", []string{"migrate"}, []string{"REFURBQA_DB", "oracle"}, 2,
			`refurbqa migrate: unknown database "oracle" (want sqlite or postgres) (see refurbqa help migrate)`},
		{"unknown database, command without the database", []string{"restore", "x.db", "--db", "mysql"}, nil, 2,
			`refurbqa restore: unknown database "mysql" (want sqlite or postgres) (see refurbqa help restore)`},
		{"SQLite in memory", []string{"migrate", "--dsn", ":memory:"}, nil, 2,
			"refurbqa migrate: database configuration: sqlite needs a file, not :memory:, so that readers and the writer share it (see refurbqa help migrate)"},
		{"SQLite DSN that does not parse", []string{"migrate", "--dsn", "file:x.db?%zz"}, nil, 2,
			`refurbqa migrate: database configuration: sqlite DSN "file:x.db?%zz": invalid URL escape "%zz" (see refurbqa help migrate)`},
		{"PostgreSQL DSN that does not parse", []string{"migrate", "--db", "postgres", "--dsn", "postgres://x@127.0.0.1:notaport/db"}, nil, 2,
			"refurbqa migrate: database configuration: postgres: cannot parse `postgres://x@127.0.0.1:notaport/db`: invalid port (see refurbqa help migrate)"},
		{"PostgreSQL without a DSN", []string{"migrate", "--db", "postgres", "--dsn", ""}, nil, 2,
			"refurbqa migrate: database configuration: postgres needs a DSN (REFURBQA_DSN) (see refurbqa help migrate)"},
		{"bad log level", []string{"serve", "--log-level", "loud"}, nil, 2, `refurbqa serve: bad log level "loud" (want debug, info, warn or error) (see refurbqa help serve)`},
		{"bad log level, any command", []string{"keys", "list", "--log-level", "loud"}, nil, 2,
			`refurbqa keys list: bad log level "loud" (want debug, info, warn or error) (see refurbqa help keys list)`},
		{"listen address without a port", []string{"serve", "--addr", "localhost"}, nil, 2,
			`refurbqa serve: --addr "localhost": want host:port, such as 127.0.0.1:8080 or :8080 (see refurbqa help serve)`},
		{"listen port out of range", []string{"serve", "--addr", "127.0.0.1:99999"}, nil, 2,
			`refurbqa serve: --addr "127.0.0.1:99999": the port must be a number from 0 to 65535 (see refurbqa help serve)`},
		{"rate limit from the environment that is not a number", []string{"serve"}, []string{"REFURBQA_RATE_LIMIT", "fast"}, 2,
			`refurbqa serve: REFURBQA_RATE_LIMIT="fast" is not a number (see refurbqa help serve)`},
		{"negative rate limit", []string{"serve", "--rate-limit", "-1"}, nil, 2, "refurbqa serve: --rate-limit and --rate-burst must not be negative (see refurbqa help serve)"},
		{"negative public rate limit", []string{"serve", "--public-rate-burst", "-1"}, nil, 2,
			"refurbqa serve: --public-rate-limit and --public-rate-burst must not be negative (see refurbqa help serve)"},
		{"public rate limit from the environment that is not a number", []string{"serve"}, []string{"REFURBQA_PUBLIC_RATE_LIMIT", "slow"}, 2,
			`refurbqa serve: REFURBQA_PUBLIC_RATE_LIMIT="slow" is not a number (see refurbqa help serve)`},
		{"public URL that is not a base URL", []string{"serve", "--public-url", "qa.example.com"}, nil, 2,
			`refurbqa serve: --public-url "qa.example.com": want an http or https base URL such as https://qa.example.com (see refurbqa help serve)`},
		{"public URL from the environment with a query", []string{"serve"}, []string{"REFURBQA_PUBLIC_URL", "https://qa.example.com/?x"}, 2,
			`refurbqa serve: --public-url "https://qa.example.com/?x": want an http or https base URL such as https://qa.example.com (see refurbqa help serve)`},
		{"keys without subcommand", []string{"keys"}, nil, 2, "refurbqa keys: missing subcommand: create, list or revoke (see refurbqa help keys)"},
		{"unknown keys subcommand", []string{"keys", "rotate"}, nil, 2, `refurbqa keys: unknown subcommand "rotate": want create, list or revoke (see refurbqa help keys)`},
		{"key without role", []string{"keys", "create", "--name", "x"}, nil, 2,
			"refurbqa keys create: --role must be admin, manager, technician or seller (see refurbqa help keys create)"},
		{"seller key without seller", []string{"keys", "create", "--role", "seller", "--name", "x"}, nil, 2,
			"refurbqa keys create: --seller is required for the seller role (see refurbqa help keys create)"},
		{"revoke without id", []string{"keys", "revoke"}, nil, 2, "refurbqa keys revoke: want exactly one key id, got 0 arguments (see refurbqa help keys revoke)"},
		{"kpis without subcommand", []string{"kpis"}, nil, 2, "refurbqa kpis: missing subcommand: import (see refurbqa help kpis)"},
		{"kpis import of two files", []string{"kpis", "import", "a.csv", "b.csv"}, nil, 2,
			"refurbqa kpis import: want exactly one CSV file, got 2 arguments (see refurbqa help kpis import)"},
		{"backup without --out", []string{"backup"}, nil, 2, "refurbqa backup: --out is required (see refurbqa help backup)"},
		{"backup of PostgreSQL", []string{"backup", "--db", "postgres", "--out", "x.db"}, nil, 2,
			"refurbqa backup: backup is for SQLite; back up PostgreSQL with pg_dump (see refurbqa help backup)"},
		{"restore without file", []string{"restore"}, nil, 2, "refurbqa restore: want exactly one backup file, got 0 arguments (see refurbqa help restore)"},
		{"demo with no sellers", []string{"demo", "--sellers", "-1"}, nil, 2, "refurbqa demo: --sellers must be from 1 to 100000 (see refurbqa help demo)"},

		// Run-time failures: exit status 1.
		{"SQLite in a missing directory", []string{"migrate", "--dsn", filepath.Join(missing, "b.db")}, nil, 1,
			"refurbqa migrate: open sqlite " + filepath.Join(missing, "b.db") + ": no such file or directory"},
		{"SQLite file that is not a database", []string{"migrate", "--dsn", notADB}, nil, 1,
			"refurbqa migrate: open sqlite " + notADB + ": file is not a database"},
		{"PostgreSQL refusing the connection", []string{"migrate", "--db", "postgres", "--dsn", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2"}, nil, 1,
			"refurbqa migrate: open postgres: failed to connect to `user=nobody database=x`: 127.0.0.1:1 (127.0.0.1): dial error: dial tcp 127.0.0.1:1: connect: connection refused"},
		{"failed migration", []string{"migrate", "--dsn", clash}, nil, 1,
			"refurbqa migrate: apply migrations: partial migration error (type:sql,version:1): table sellers already exists"},
		{"failed migration, serve", []string{"serve", "--dsn", clash}, nil, 1,
			"refurbqa serve: apply migrations: partial migration error (type:sql,version:1): table sellers already exists"},
		{"listen address in use", []string{"serve", "--addr", busy.Addr().String()}, nil, 1,
			"refurbqa serve: listen tcp " + busy.Addr().String() + ": bind: address already in use"},
		{"seller key for a missing seller", []string{"keys", "create", "--role", "seller", "--seller", "sl_nope", "--name", "x"}, nil, 1,
			"refurbqa keys create: seller sl_nope: not found"},
		{"revoke a missing key", []string{"keys", "revoke", "key_nope"}, nil, 1, "refurbqa keys revoke: key key_nope: not found"},
		{"kpis import of a missing file", []string{"kpis", "import", filepath.Join(dir, "missing.csv")}, nil, 1,
			"refurbqa kpis import: open " + filepath.Join(dir, "missing.csv") + ": no such file or directory"},
		{"backup over a file", []string{"backup", "--out", existing}, nil, 1, "refurbqa backup: " + existing + " exists; choose a new file"},
		{"backup into a missing directory", []string{"backup", "--out", filepath.Join(missing, "b.db")}, nil, 1,
			"refurbqa backup: stat " + missing + ": no such file or directory"},
		{"restore of a missing backup", []string{"restore", filepath.Join(dir, "missing.db")}, nil, 1,
			"refurbqa restore: stat " + filepath.Join(dir, "missing.db") + ": no such file or directory"},
		{"reports into a file", []string{"reports", "--out", filepath.Join(existing, "out")}, nil, 1,
			"refurbqa reports: output directory: mkdir " + existing + ": not a directory"},
		{"demo profile into a missing directory", []string{"demo", "--cpuprofile", filepath.Join(missing, "cpu.prof")}, nil, 1,
			"refurbqa demo: open " + filepath.Join(missing, "cpu.prof") + ": no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := getenv
			if tt.env != nil {
				env = testEnv(t, tt.env...)
			}
			// A guard, not a measure: a serve that wrongly starts is stopped, and fails below.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var out, stderr bytes.Buffer
			code := run(ctx, append([]string{"refurbqa"}, tt.args...), env, &out, &stderr)
			assert.Equal(t, tt.code, code, stderr.String())
			assert.Equal(t, tt.err+"\n", stderr.String(), "exactly one line")
			assert.Empty(t, out.String())
		})
	}

	// No command at all: the overview, on stderr.
	code, out, stderr := runCmd(t, getenv)
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out)
	assert.Contains(t, stderr, "Usage: refurbqa <command>")
}

// helpInvocations are every command and subcommand that has help of its own.
func helpInvocations() [][]string {
	var all [][]string
	for _, c := range commands() {
		all = append(all, []string{c.name})
	}
	return append(all, []string{"keys", "create"}, []string{"keys", "list"}, []string{"keys", "revoke"}, []string{"kpis", "import"},
		[]string{"impact-factors", "publish"}, []string{"impact-factors", "list"},
		[]string{"users", "create"}, []string{"users", "list"}, []string{"users", "disable"}, []string{"users", "reset-password"})
}

// TestHelp: refurbqa help CMD, refurbqa CMD --help and refurbqa CMD -h print the same help on
// stdout and exit 0; refurbqa help alone prints the overview.
func TestHelp(t *testing.T) {
	getenv := testEnv(t)
	for _, cmd := range helpInvocations() {
		name := strings.Join(cmd, " ")
		t.Run(name, func(t *testing.T) {
			code, help, stderr := runCmd(t, getenv, append([]string{"help"}, cmd...)...)
			require.Equal(t, exitOK, code, stderr)
			assert.Empty(t, stderr)
			assert.Contains(t, help, "Usage: refurbqa "+name)
			for _, flag := range []string{"--help", "-h"} {
				code, out, stderr := runCmd(t, getenv, append(append([]string{}, cmd...), flag)...)
				assert.Equal(t, exitOK, code, stderr)
				assert.Equal(t, help, out, "%s %s", name, flag)
			}
		})
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"help", "help"}} {
		code, out, stderr := runCmd(t, getenv, args...)
		assert.Equal(t, exitOK, code, stderr)
		assert.Contains(t, out, "refurbqa help <command>", args)
		for _, c := range commands() {
			assert.Contains(t, out, "  "+c.name+" ", args)
		}
	}
	// A subcommand's own flags come with its help.
	_, out, _ := runCmd(t, getenv, "help", "keys", "create")
	assert.Contains(t, out, "-role")
	_, out, _ = runCmd(t, getenv, "help", "kpis", "import")
	assert.Contains(t, out, "warranty_remedied_within_5bd")
}

// TestHelpTextsStayInTheRepository: help may point to the README or to another command's help,
// never to a file that is not in the repository (the product spec lives outside it).
func TestHelpTextsStayInTheRepository(t *testing.T) {
	getenv := testEnv(t)
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	_, overview, _ := runCmd(t, getenv, "help")
	texts := map[string]string{"overview": overview}
	for _, cmd := range helpInvocations() {
		_, out, _ := runCmd(t, getenv, append(append([]string{}, cmd...), "--help")...)
		texts[strings.Join(cmd, " ")] = out
	}
	files := regexp.MustCompile(`[\w./-]+\.(md|json|yaml|csv)\b`)
	for name, text := range texts {
		for _, outside := range []string{"../", "spec/", "shared/", "/work/"} {
			assert.NotContains(t, text, outside, name)
		}
		for _, f := range files.FindAllString(text, -1) {
			if strings.HasPrefix(f, "/api/") {
				continue // an address the server answers, not a file
			}
			assert.FileExists(t, filepath.Join(root, f), "%s refers to %s", name, f)
		}
	}
}

// TestFlagsAfterArguments: flags work before and after a command's arguments, the same way in
// every command.
func TestFlagsAfterArguments(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.db")
	// The environment points elsewhere: only --dsn after the file reaches target.db.
	getenv := testEnv(t, "REFURBQA_DSN", filepath.Join(dir, "elsewhere.db"))
	seller, open := kpiTestDB(t, testEnv(t, "REFURBQA_DSN", target))
	file := writeFile(t, kpiTestHeader+kpiTestRow(seller, "2026-09", 120))

	code, out, stderr := runCmd(t, getenv, "kpis", "import", file, "--dsn", target)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "imported 1 months\n", out)
	months, _, err := open().KPIMonths(context.Background(), seller, store.Page{})
	require.NoError(t, err)
	assert.Len(t, months, 1)

	code, _, stderr = runCmd(t, getenv, "keys", "create", "--role", "admin", "--name", "ops", "--dsn", target)
	require.Equal(t, exitOK, code, stderr)
	code, out, stderr = runCmd(t, getenv, "keys", "list", "--dsn", target)
	require.Equal(t, exitOK, code, stderr)
	id := regexp.MustCompile(`key_[0-9a-z]{30}`).FindString(out)
	require.NotEmpty(t, id)
	code, _, stderr = runCmd(t, getenv, "keys", "revoke", id, "--dsn", target)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "key "+id+" revoked\n", stderr)

	backup := filepath.Join(dir, "target.bak")
	code, _, stderr = runCmd(t, getenv, "backup", "--out", backup, "--dsn", target)
	require.Equal(t, exitOK, code, stderr)
	restored := filepath.Join(dir, "restored.db")
	code, _, stderr = runCmd(t, getenv, "restore", backup, "--dsn", restored)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "restored "+restored+" from "+backup+"\n", stderr)
	code, _, stderr = runCmd(t, getenv, "restore", backup, "--dsn", restored, "--force")
	assert.Equal(t, exitOK, code, "a boolean flag after the argument: %s", stderr)
	assert.NoFileExists(t, filepath.Join(dir, "elsewhere.db"), "no command used the environment's database")
}

// TestParse: the one flag parser of every command takes flags anywhere among the arguments.
func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		db    string
		force bool
		n     int
		rest  []string
		err   string
	}{
		{"flags first", []string{"--db", "postgres", "a.csv"}, "postgres", false, 0, []string{"a.csv"}, ""},
		{"flags last", []string{"a.csv", "--db", "postgres"}, "postgres", false, 0, []string{"a.csv"}, ""},
		{"flags between", []string{"a", "-db=postgres", "b", "--force", "c"}, "postgres", true, 0, []string{"a", "b", "c"}, ""},
		{"a boolean flag takes no value", []string{"--force", "a"}, "sqlite", true, 0, []string{"a"}, ""},
		{"a negative value", []string{"a", "--n", "-1"}, "sqlite", false, -1, []string{"a"}, ""},
		{"-- ends the flags", []string{"a", "--", "--db", "x"}, "sqlite", false, 0, []string{"a", "--db", "x"}, ""},
		{"- is an argument", []string{"-", "--db", "postgres"}, "postgres", false, 0, []string{"-"}, ""},
		{"missing value at the end", []string{"a", "--db"}, "", false, 0, nil, "flag needs an argument: -db"},
		{"unknown flag after an argument", []string{"a", "--nope"}, "", false, 0, nil, "flag provided but not defined: -nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout bytes.Buffer
			fs := flagSet(&env{stdout: &stdout}, "test", "")
			db := fs.String("db", "sqlite", "")
			force := fs.Bool("force", false, "")
			n := fs.Int("n", 0, "")
			err := parse(fs, tt.args)
			if tt.err != "" {
				var ue *usageError
				require.True(t, errors.As(err, &ue), "%v", err)
				assert.Equal(t, tt.err, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.db, *db)
			assert.Equal(t, tt.force, *force)
			assert.Equal(t, tt.n, *n)
			assert.Equal(t, tt.rest, fs.Args())
		})
	}
	var stdout bytes.Buffer
	fs := flagSet(&env{stdout: &stdout}, "test FILE", "Tests.")
	assert.ErrorIs(t, parse(fs, []string{"file", "--help"}), flag.ErrHelp)
	assert.Contains(t, stdout.String(), "Usage: refurbqa test FILE")
}

// TestProgress: progress redraws one line with \r on a terminal only; anywhere else each step
// is a line of its own.
func TestProgress(t *testing.T) {
	var log bytes.Buffer
	c := newCounter(&log, false, "reports: %d/%d done", 3)
	for range 3 {
		c.add()
	}
	c.finish()
	assert.Equal(t, "reports: 1/3 done\nreports: 2/3 done\nreports: 3/3 done\n", log.String())

	var tty bytes.Buffer
	c = newCounter(&tty, true, "reports: %d/%d done", 3)
	for range 3 {
		c.add()
	}
	c.finish()
	assert.Equal(t, "\rreports: 1/3 done\rreports: 2/3 done\rreports: 3/3 done\n", tty.String())

	// About 20 steps, and always the last.
	log.Reset()
	c = newCounter(&log, false, "%d/%d", 101)
	for range 101 {
		c.add()
	}
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	assert.Len(t, lines, 21)
	assert.Equal(t, "5/101", lines[0])
	assert.Equal(t, "101/101", lines[20])

	// Where the command writes decides: a buffer, a file and a pipe are not terminals.
	assert.False(t, isTerminal(&log))
	f, err := os.Create(filepath.Join(t.TempDir(), "progress.log"))
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f))
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.False(t, isTerminal(w))
}
