package browsertest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/console/browsertest"
)

// TestProblemPage opens the public page of the not-found problem type (api.md, Conventions) on
// the real binary, with and without JavaScript, as a person who follows the type of a problem
// document does: it loads, says what happened and what to do, passes axe-core (each step) and
// html-validate (at the end of the test).
func TestProblemPage(t *testing.T) {
	browsertest.BothWays(t, func(t *testing.T, b *browsertest.Browser) {
		srv := browsertest.StartServer(t)
		p := b.NewPage(t)
		require.Equal(t, 200, p.Navigate(srv.URL+"/problems/not-found"))
		p.Step("problem not-found")

		assert.Equal(t, srv.URL+"/problems/not-found", p.URL())
		assert.Equal(t, "Not found (404) · refurbqa API", p.Title())
		assert.Equal(t, "Not found", p.Text("h1"))
		assert.Contains(t, p.BodyText(), "HTTP status 404.")
		assert.Contains(t, p.BodyText(), "Check the path and the id.")
		lang, ok := p.Attr("html", "lang")
		assert.True(t, ok)
		assert.Equal(t, "en", lang)

		assert.Equal(t, 404, p.Navigate(srv.URL+"/problems/no-such-kind"), "a kind that does not exist has no page")
	})
}

// TestStepFiles: each step leaves a full-page PNG and the HTML the server sent, numbered in the
// test's folder under $REFURBQA_SCREENSHOTS.
func TestStepFiles(t *testing.T) {
	root := t.TempDir()
	t.Setenv("REFURBQA_SCREENSHOTS", root)
	srv := browsertest.StartServer(t)
	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)
	p.Navigate(srv.URL + "/problems/conflict")
	p.Step("Conflict page")
	p.Navigate(srv.URL + "/problems/validation")
	p.Step("validation/page")

	dir := filepath.Join(root, "TestStepFiles")
	png, err := os.ReadFile(filepath.Join(dir, "01-conflict-page.png"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(png), "\x89PNG\r\n\x1a\n"), "a PNG file")
	html, err := os.ReadFile(filepath.Join(dir, "01-conflict-page.html"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(html), "<!DOCTYPE html>"), "the HTML the server sent, from its first byte: %.40s", html)
	assert.Contains(t, string(html), "<h1>Conflict</h1>")
	html, err = os.ReadFile(filepath.Join(dir, "02-validation-page.html"))
	require.NoError(t, err)
	assert.Contains(t, string(html), "<h1>Invalid request</h1>")
	_, err = os.Stat(filepath.Join(dir, "02-validation-page.png"))
	assert.NoError(t, err)
}
