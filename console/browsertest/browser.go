package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Browser is one headless Chromium of a test. Its pages (NewPage) are the people of a journey:
// each has cookies of its own, so a technician and a manager are signed in side by side. Create
// one Browser per test (BothWays creates one per subtest): its steps are numbered in one folder
// of screenshots named after the test.
type Browser struct {
	ctx        context.Context // the browser's root chromedp context, with no deadline
	javaScript bool
	width      int64
	height     int64
	tools      *tools
	out        *output
}

// Option changes how NewBrowser starts the browser.
type Option func(*Browser)

// WithoutJavaScript switches script execution off in every page of the browser, as for a person
// who browses without JavaScript: every page must still work and every form submit
// (console.md, Principles). Tests still read and check the pages (axe-core runs with scripts
// on for the time of its check, which runs none of the page's own scripts).
func WithoutJavaScript() Option { return func(b *Browser) { b.javaScript = false } }

// WithViewport sets the size in CSS pixels of every page's viewport; the default is a laptop
// screen, 1280×800. The console must work down to a tablet 768 pixels wide.
func WithViewport(width, height int64) Option {
	return func(b *Browser) { b.width, b.height = width, height }
}

// chromiumFlags are the only flags the browser starts with (and an empty --user-data-dir):
// headless, no sandbox (tests run as root in containers), no GPU, and nothing that reaches out
// to the network by itself, since nothing but loopback is reachable.
func chromiumFlags() []string {
	return []string{
		"headless", "no-sandbox", "disable-gpu", "disable-quic", "no-first-run",
		"disable-background-networking", "disable-component-update", "disable-sync",
	}
}

// requireChromium is the path of Debian's chromium ($REFURBQA_CHROMIUM, or /usr/bin/chromium);
// without it the test is skipped (fails in CI).
func requireChromium(t testing.TB) string {
	t.Helper()
	path := os.Getenv("REFURBQA_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		missing(t, "no chromium at %s (apt-get install chromium, or set REFURBQA_CHROMIUM)", path)
	}
	return path
}

// NewBrowser starts a headless Chromium for the test, with JavaScript on unless
// WithoutJavaScript is given, and closes it at the end of the test. Then, once, it validates
// the HTML of every step of the test with html-validate. Without chromium, node or npm it skips
// the test (fails it in CI).
func NewBrowser(t testing.TB, opts ...Option) *Browser {
	t.Helper()
	exe := requireChromium(t)
	tl := requireTools(t)
	b := &Browser{javaScript: true, width: 1280, height: 800, tools: tl}
	for _, o := range opts {
		o(b)
	}
	b.out = newOutput(t)

	alloc := []chromedp.ExecAllocatorOption{chromedp.ExecPath(exe), chromedp.UserDataDir(t.TempDir())}
	for _, f := range chromiumFlags() {
		alloc = append(alloc, chromedp.Flag(f, true))
	}
	logs := &lockedBuffer{}
	alloc = append(alloc, chromedp.CombinedOutput(logs))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), alloc...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("browsertest: start %s: %v\n%s", exe, err, tail(logs.String(), logTail))
	}
	b.ctx = ctx
	t.Cleanup(func() {
		if err := chromedp.Cancel(ctx); err != nil {
			t.Logf("browsertest: close the browser: %v", err)
		}
		cancel()
		cancelAlloc()
		b.out.validate(t, tl)
	})
	return b
}

// JavaScript reports whether the browser's pages run scripts.
func (b *Browser) JavaScript() bool { return b.javaScript }

// BothWays runs journey twice, as subtests "javascript" and "no-javascript", each with a
// browser of its own: every journey must work with JavaScript switched off (console.md,
// Principles). The subtests run one after the other; a journey that needs a fresh server or
// fresh users for each run starts them inside journey.
func BothWays(t *testing.T, journey func(t *testing.T, b *Browser), opts ...Option) {
	t.Helper()
	t.Run("javascript", func(t *testing.T) {
		journey(t, NewBrowser(t, opts...))
	})
	t.Run("no-javascript", func(t *testing.T) {
		journey(t, NewBrowser(t, append(opts[:len(opts):len(opts)], WithoutJavaScript())...))
	})
}
