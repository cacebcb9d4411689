// Package pdftest reads the PDFs refurbqa writes, for tests: their text with pdftotext and their
// structure with qpdf --check. Without a tool a test is skipped, except on CI (CI=true), where
// .ci/run installs every tool and a missing one must not silently turn the PDF checks off. It
// is for tests only, as console/browsertest is.
package pdftest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// Tool finds the command name, from the Debian package pkg, or skips the test (fails on CI).
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required on CI (install %s): %v", name, pkg, err)
		}
		t.Skipf("%s not installed (apt-get install %s); skipping", name, pkg)
	}
	return path
}

// Write writes pdf to a file of the test's own and returns its path.
func Write(t testing.TB, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "document.pdf")
	require.NoError(t, os.WriteFile(path, pdf, 0o600))
	return path
}

// Text is the text of pdf as pdftotext -layout extracts it, in UTF-8.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	bin := Tool(t, "pdftotext", "poppler-utils")
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", Write(t, pdf), "-").CombinedOutput()
	require.NoError(t, err, string(out))
	return string(out)
}

// Check runs qpdf --check on pdf and fails the test on any error or warning it reports.
func Check(t testing.TB, pdf []byte) {
	t.Helper()
	bin := Tool(t, "qpdf", "qpdf")
	out, err := exec.Command(bin, "--check", Write(t, pdf)).CombinedOutput()
	require.NoError(t, err, "qpdf --check: %s", out)
}
