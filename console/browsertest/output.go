package browsertest

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// output is the folder of a test's steps, <root>/<test name>/, and the pages saved in it.
type output struct {
	dir string

	mu    sync.Mutex
	steps int
	pages []string            // the HTML files to validate, one per distinct content
	seen  map[[32]byte]string // content hash → the first file with that content
}

// screenshotsRoot is where the folders of the tests' steps go: $REFURBQA_SCREENSHOTS; in CI
// .ci/out/screenshots of the checkout (gitignored; CI keeps it as the run's output); otherwise
// refurbqa-screenshots in the system's temporary directory, which outlives the test so that a
// person can look at the steps afterwards.
func screenshotsRoot() (string, error) {
	if dir := os.Getenv("REFURBQA_SCREENSHOTS"); dir != "" {
		return filepath.Abs(dir)
	}
	if inCI() {
		root, err := process.root()
		if err != nil {
			return "", err
		}
		return filepath.Join(root, ".ci", "out", "screenshots"), nil
	}
	return filepath.Join(os.TempDir(), "refurbqa-screenshots"), nil
}

// newOutput empties the test's folder (so steps of an earlier run never mix with this one's) and
// says once per test process where the folders are; a test that fails names its own folder.
func newOutput(t testing.TB) *output {
	t.Helper()
	root, err := screenshotsRoot()
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	dir := filepath.Join(root, filepath.FromSlash(safeName(t.Name())))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	process.screenshots.Do(func() { t.Logf("browsertest: screenshots and pages of each step in %s", root) })
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("browsertest: the steps of this test are in %s", dir)
		}
	})
	return &output{dir: dir, seen: map[[32]byte]string{}}
}

// next is the base name of the next step's files, such as "03-bench-test-saved".
func (o *output) next(name string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.steps++
	return filepath.Join(o.dir, fmt.Sprintf("%02d-%s", o.steps, safeName(strings.ToLower(strings.ReplaceAll(name, "/", "-")))))
}

// savePage writes a step's HTML to file and keeps it for validation unless a page with the same
// content was kept already.
func (o *output) savePage(file string, html []byte) error {
	if err := os.WriteFile(file, html, 0o644); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	sum := sha256.Sum256(html)
	if _, ok := o.seen[sum]; !ok {
		o.seen[sum] = file
		o.pages = append(o.pages, file)
	}
	return nil
}

// validate runs html-validate once over the pages the test saved.
func (o *output) validate(t testing.TB, tl *tools) {
	t.Helper()
	o.mu.Lock()
	pages := append([]string(nil), o.pages...)
	o.mu.Unlock()
	if len(pages) > 0 {
		validateHTML(t, tl, pages)
	}
}

// safeName keeps letters, digits and . _ - / of a test or step name; anything else becomes
// "-", so the name is a path that every shell and file system takes.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-', r == '/':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-./")
	for strings.Contains(out, "..") {
		out = strings.ReplaceAll(out, "..", ".")
	}
	if out == "" {
		return "step"
	}
	return out
}
