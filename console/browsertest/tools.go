package browsertest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// tools are the npm packages of js/package.json, pinned to exact versions by
// js/package-lock.json: axe-core, injected into each page, and html-validate, run by node over
// the pages a test saved.
type tools struct {
	dir  string // js/, with node_modules installed
	node string // the node executable
	axe  string // the source of axe.min.js
}

// errNoNPM says that node or npm is missing, which skips the browser tests outside CI.
var errNoNPM = errors.New("node and npm are not installed (apt-get install nodejs npm)")

// requireTools returns the npm tools, installing them on first use; without node and npm it
// skips the test (fails it in CI).
func requireTools(t testing.TB) *tools {
	t.Helper()
	tl, err := process.tools()
	if errors.Is(err, errNoNPM) {
		missing(t, "%v", err)
	}
	if err != nil {
		t.Fatalf("browsertest: the npm tools of console/browsertest/js: %v", err)
	}
	return tl
}

// installTools runs npm ci in dir unless node_modules already holds what package-lock.json
// pins. A stamp file in node_modules keeps the hash of the lock file the last npm ci installed;
// a lock on a file in dir keeps two test processes (go test runs packages in parallel) from
// installing at once.
func installTools(dir string) (*tools, error) {
	node, errNode := exec.LookPath("node")
	npm, errNPM := exec.LookPath("npm")
	if errNode != nil || errNPM != nil {
		return nil, errNoNPM
	}
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(lock)
	want := []byte(hex.EncodeToString(sum[:]) + "\n")
	stamp := filepath.Join(dir, "node_modules", ".refurbqa-lock.sha256")

	unlock, err := lockFile(filepath.Join(dir, ".npm-ci.lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	if got, err := os.ReadFile(stamp); err != nil || !bytes.Equal(got, want) {
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("npm ci in %s: %w\n%s", dir, err, out)
		}
		if err := os.WriteFile(stamp, want, 0o644); err != nil {
			return nil, err
		}
	}
	axe, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		return nil, err
	}
	return &tools{dir: dir, node: node, axe: string(axe)}, nil
}

// lockFile takes an exclusive lock on the file at path, creating it, and returns the function
// that releases it.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
