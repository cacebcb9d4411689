// Package browsertest drives the console as people use it: a real headless Chromium (Debian's
// chromium package, through chromedp) against the real refurbqa binary on a loopback port and a
// fresh database (console.md, "Tested as people use it"). Every step of a journey is kept as a
// full-page screenshot and the HTML the server sent, checked with axe-core (no serious or
// critical WCAG 2.x A/AA violation) and, at the end of the test, with html-validate.
//
// It is for tests only: it imports testing and fails the test it is given. make lint checks
// that no package but a test imports it.
//
// A journey:
//
//	srv := browsertest.StartServer(t)
//	srv.Run(t, "a-password-of-a-technician\n", "users", "create", "--email", "tech@example.com",
//		"--name", "Tess", "--role", "technician", "--password-stdin")
//	browsertest.BothWays(t, func(t *testing.T, b *browsertest.Browser) {
//		p := b.NewPage(t)
//		p.Navigate(srv.URL + "/console/signin")
//		p.Step("sign-in form")
//		p.Fill("email", "tech@example.com")
//		p.Fill("password", "a-password-of-a-technician")
//		p.Submit("Sign in")
//		p.WaitText("Bench tests")
//		p.Step("home")
//	})
//
// What it needs, and what happens without it: chromium (/usr/bin/chromium or
// $REFURBQA_CHROMIUM) and node with npm (the pinned axe-core and html-validate of js/, installed
// with npm ci on first use). When one is missing the test is skipped with one line saying how to
// install it, except when CI=true, where it fails: CI must run the browser tests.
package browsertest

import (
	"os"
	"testing"
)

// inCI reports whether the tests run in CI (CI=true, as .ci/run and most CI services set it),
// where a missing tool fails the test instead of skipping it.
func inCI() bool { return os.Getenv("CI") == "true" }

// missing skips the test because a tool is missing, with one line saying what and how to get
// it; in CI it fails the test instead.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if inCI() {
		t.Fatalf("CI=true, so the browser tests must run, but "+format, args...)
	}
	t.Skipf("browser tests skipped: "+format, args...)
}
