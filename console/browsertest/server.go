package browsertest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is the real refurbqa program on a fresh SQLite database of its own: the binary built
// from the checkout (once per test process), its subcommands run as an operator runs them, and
// refurbqa serve on a loopback port once Start is called.
type Server struct {
	// URL is where the server listens, such as http://127.0.0.1:41234, without a trailing
	// slash; empty until Start.
	URL string
	// DSN is the SQLite file, in the test's temporary directory.
	DSN string

	bin string
}

// serveStartTimeout bounds how long refurbqa serve may take to say where it listens; it only
// stops a test that would otherwise hang.
const serveStartTimeout = time.Minute

// logTail is how much of a log a failing test quotes: the end, where the failure is.
const logTail = 16 << 10

// NewServer builds refurbqa (once per test process), makes a fresh SQLite database in
// t.TempDir() and runs refurbqa migrate on it. Commands may then fill it (Run) before or after
// Start serves it.
func NewServer(t testing.TB) *Server {
	t.Helper()
	bin, err := process.binary()
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	s := &Server{DSN: filepath.Join(t.TempDir(), "refurbqa.db"), bin: bin}
	s.Run(t, "", "migrate")
	return s
}

// StartServer is NewServer and Start: a migrated, empty database served on a loopback port.
func StartServer(t testing.TB) *Server {
	t.Helper()
	s := NewServer(t)
	s.Start(t)
	return s
}

// env is the environment of every refurbqa command of the server: the test's own without the
// REFURBQA_ variables that would point the command elsewhere, and the server's database.
func (s *Server) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REFURBQA_") {
			env = append(env, kv)
		}
	}
	return append(env, "REFURBQA_DB=sqlite", "REFURBQA_DSN="+s.DSN, "REFURBQA_LOG_LEVEL=warn")
}

// Run runs refurbqa with args on the server's database, stdin as its standard input
// ("password\n" for users create --password-stdin, "" for none), and returns its standard
// output. A command that fails fails the test, with what it wrote on standard error.
func (s *Server) Run(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(s.bin, args...)
	cmd.Env = s.env()
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("refurbqa %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.String()
}

// Start runs refurbqa serve --addr 127.0.0.1:0 (and args, such as "--rate-limit", "0") on the
// server's database, waits until it says where it listens and sets URL. At the end of the test
// it stops the server with SIGTERM, as an operator does, and a server that then fails to stop
// cleanly fails the test. When the test fails, what the server logged is in the test's log.
func (s *Server) Start(t testing.TB, args ...string) {
	t.Helper()
	if s.URL != "" {
		t.Fatalf("browsertest: the server is serving already, on %s", s.URL)
	}
	cmd := exec.Command(s.bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = s.env()
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("refurbqa serve: %v", err)
	}
	listening := regexp.MustCompile(`^refurbqa listening on (http://\S+)$`)
	exited := make(chan error, 1)
	urls := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if m := listening.FindStringSubmatch(lines.Text()); m != nil {
				urls <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	select {
	case s.URL = <-urls:
	case err := <-exited:
		t.Fatalf("refurbqa serve exited before it listened: %v\n%s", err, tail(logs.String(), logTail))
	case <-time.After(serveStartTimeout):
		_ = cmd.Process.Kill()
		t.Fatalf("refurbqa serve did not say where it listens within %v\n%s", serveStartTimeout, tail(logs.String(), logTail))
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("refurbqa serve logged:\n%s", tail(logs.String(), logTail))
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("refurbqa serve did not stop cleanly on SIGTERM: %v\n%s", err, tail(logs.String(), logTail))
			}
		case <-time.After(serveStartTimeout):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("refurbqa serve did not stop within %v of SIGTERM, and was killed\n%s", serveStartTimeout, tail(logs.String(), logTail))
		}
	})
}

// lockedBuffer is a buffer that a process writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// tail is the end of s, at most n bytes, for logs quoted in a test's output.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("[… %d bytes]\n%s", len(s)-n, s[len(s)-n:])
}
