package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// makeEnv is the test's environment without what would steer make run (its variables, the
// flags of a make that runs this test), plus extra.
func makeEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "REFURBQA_ADDR", "REFURBQA_DB", "REFURBQA_DSN", "ADDR", "DB", "DSN", "DB_FILE", "BIN", "GO",
			"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

func requireMake(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
}

// TestMakeRunHonoursEnvironment: make run serves where REFURBQA_ADDR, REFURBQA_DB and
// REFURBQA_DSN say, and a make variable given on the command line still wins. make -n prints
// the commands of the target without running them.
func TestMakeRunHonoursEnvironment(t *testing.T) {
	requireMake(t)
	tests := []struct {
		name            string
		env, vars       []string
		db, dsn, listen string
	}{
		{"defaults", nil, nil, "sqlite", "refurbqa.db", "127.0.0.1:8080"},
		{"address from the environment", []string{"REFURBQA_ADDR=127.0.0.1:9000"}, nil, "sqlite", "refurbqa.db", "127.0.0.1:9000"},
		{"database from the environment", []string{"REFURBQA_DB=postgres", "REFURBQA_DSN=postgres://qa@db:5432/qa?sslmode=disable&x=1"}, nil,
			"postgres", "postgres://qa@db:5432/qa?sslmode=disable&x=1", "127.0.0.1:8080"},
		{"SQLite file from the environment", []string{"REFURBQA_DSN=/srv/qa.db"}, nil, "sqlite", "/srv/qa.db", "127.0.0.1:8080"},
		{"make variables win", []string{"REFURBQA_ADDR=127.0.0.1:9000", "REFURBQA_DB=postgres", "REFURBQA_DSN=/srv/qa.db"},
			[]string{"ADDR=127.0.0.1:7000", "DB=sqlite", "DSN=other.db"}, "sqlite", "other.db", "127.0.0.1:7000"},
		{"DB_FILE, the older make variable, wins too", []string{"REFURBQA_DSN=/srv/qa.db"}, []string{"DB_FILE=old.db"}, "sqlite", "old.db", "127.0.0.1:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command("make", append([]string{"-n", "-C", "../..", "run"}, tt.vars...)...)
			cmd.Env = makeEnv(tt.env...)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			lines := strings.Split(string(out), "\n")
			assert.Contains(t, lines, `./scripts/first-run.sh "bin/refurbqa" '`+tt.db+`' '`+tt.dsn+`' '`+tt.listen+`'`,
				"the first-run set-up is done on the same database and address: %s", out)
			assert.Contains(t, lines, "REFURBQA_DB='"+tt.db+"' REFURBQA_DSN='"+tt.dsn+"' REFURBQA_ADDR='"+tt.listen+"' ./bin/refurbqa serve", "%s", out)
		})
	}
}

// TestMakeRun runs make run for real, in a directory of its own with the binary built by the
// test (GO=true makes the build step a no-op): REFURBQA_ADDR decides where it serves, the
// first run loads the demo data and creates the tokens, and the example requests it prints
// use the address it serves on.
func TestMakeRun(t *testing.T) {
	requireMake(t)
	bin := binary(t)
	makefile, err := filepath.Abs("../../Makefile")
	require.NoError(t, err)
	script, err := filepath.Abs("../../scripts/first-run.sh")
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "bin"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "scripts"), 0o755))
	require.NoError(t, os.Symlink(bin, filepath.Join(dir, "bin", "refurbqa")))
	require.NoError(t, os.Symlink(script, filepath.Join(dir, "scripts", "first-run.sh")))

	// A free port, as ":PORT": the printed requests must go to 127.0.0.1, which reaches it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	listen := ":" + strconv.Itoa(port)
	url := "http://127.0.0.1:" + strconv.Itoa(port)

	start := func() (output func() string, stop func()) {
		cmd := exec.Command("make", "-f", makefile, "run", "GO=true")
		cmd.Dir = dir
		cmd.Env = makeEnv("REFURBQA_ADDR="+listen, "REFURBQA_DSN=qa.db", "REFURBQA_LOG_LEVEL=warn")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // make and the server it starts
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		cmd.Stderr = io.Discard
		require.NoError(t, cmd.Start())
		stop = func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			_ = cmd.Wait()
		}
		t.Cleanup(stop)
		var out strings.Builder
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			out.WriteString(lines.Text() + "\n")
			if strings.Contains(lines.Text(), "listening on") {
				go func() { _, _ = io.Copy(io.Discard, stdout) }()
				return out.String, stop
			}
		}
		t.Fatalf("make run did not start the server:\n%s", out.String())
		return nil, nil
	}

	output, stop := start()
	out := output()
	served, printed, _ := strings.Cut(out, "refurbqa listening on")
	assert.Regexp(t, `^ http://\S+:`+strconv.Itoa(port)+"\n$", printed, "serves on the environment's address")
	assert.Contains(t, served, "refurbqa is starting on "+url+" (database qa.db)")
	assert.Contains(t, served, "Loading demo data (first run only)")
	assert.Contains(t, served, "Demo sellers worth a look")
	assert.Contains(t, served, "curl -s "+url+"/healthz")
	for _, u := range regexp.MustCompile(`http://[^\s"/]+`).FindAllString(served, -1) {
		assert.Equal(t, url, u, "every printed request goes to the address served")
	}
	tokens := regexp.MustCompile(`export MANAGER=(\S+)`).FindStringSubmatch(out)
	require.NotNil(t, tokens, out)
	req, err := http.NewRequest(http.MethodGet, url+"/api/v1/sellers?limit=5", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tokens[1])
	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode, "the printed token works on the printed address")
	assert.Contains(t, served, "open "+url+"/console/ and sign in as")
	signIn := regexp.MustCompile(`technician@refurbqa\.example +(\S+)`).FindStringSubmatch(out)
	require.NotNil(t, signIn, out)
	assertConsoleSignIn(t, url, "technician@refurbqa.example", signIn[1])
	assert.FileExists(t, filepath.Join(dir, "qa.db"))
	assert.NoFileExists(t, filepath.Join(dir, "refurbqa.db"), "the environment's database, not the default")
	stop()

	// The second run reuses the database, its demo data and its tokens.
	output, _ = start()
	again := output()
	assert.NotContains(t, again, "Loading demo data")
	assert.Contains(t, again, "export MANAGER="+tokens[1])
	assert.Contains(t, again, "technician@refurbqa.example  "+signIn[1], "and the same console sign-ins")
}

// assertConsoleSignIn signs in to the console at url and opens the home page.
func assertConsoleSignIn(t *testing.T, url, email, password string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	res, err := c.PostForm(url+"/console/signin", neturl.Values{"email": {email}, "password": {password}})
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "signed in and on the home page: %s", body)
	assert.Equal(t, "/console/", res.Request.URL.Path)
	assert.Contains(t, string(body), "Sign out", "the printed sign-in works")
}
