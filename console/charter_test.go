package console_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
)

// charterDoc is the default charter as a document to publish, as version, with edit applied
// to its points.
func charterDoc(t *testing.T, version string, edit func(points []checklist.DocumentPoint)) string {
	t.Helper()
	def, err := checklist.DefaultCharter()
	require.NoError(t, err)
	doc := checklist.NewDocument(def)
	doc.Version = version
	if edit != nil {
		edit(doc.Points)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(doc))
	return b.String()
}

func TestCharterPages(t *testing.T) {
	h := newHarness(t)
	for _, role := range audit.Roles {
		c := h.signedIn(role)
		res := c.get("/console/charter")
		require.Equal(t, http.StatusOK, res.status, role)
		assertHas(t, res.body, "<h1>Charter 2026.1</h1>", role)
		row := regexp.MustCompile(`(?s)<tr>\s*<th scope="row">QC18</th>.*?</tr>`).FindString(res.body)
		for _, cell := range []string{"<td>Dispatch on time</td>", "<td>logistics</td>", `severity-major">major<`, "<td>4</td>",
			"<td><code>late_shipment_rate &lt; 0.04</code></td>", "<td><code>late_shipment_rate &lt; 0.04</code></td>",
			"<td><code>orders &gt;= 50</code></td>"} {
			assertHas(t, row, cell, role)
		}
		assertHas(t, res.body, `<th scope="row"><a href="/console/charters/2026.1">2026.1</a></th>`, role)
		assertHas(t, res.body, "<code>warranty_remedy_rate</code>", "the metric catalogue")
		assertHas(t, res.body, `<a href="/console/charter" aria-current="page">Charter</a>`, "in every role's navigation")
		publish := strings.Contains(res.body, `action="/console/charters"`)
		assert.Equal(t, role == audit.RoleAdmin || role == audit.RoleManager, publish, "%s: the publishing form is the managers'", role)

		res = c.get("/console/charters/2026.1")
		require.Equal(t, http.StatusOK, res.status, role)
		assertHas(t, res.body, "<strong>The active charter</strong>")
		assertHas(t, res.body, "<td><code>warranty_months &gt;= 12 &amp;&amp; warranty_remedy_rate &gt;= 0.95</code></td>")
		assert.Equal(t, http.StatusNotFound, c.get("/console/charters/1999.9").status, role)
	}
	// A version starts the form of the next.
	res := h.signedIn(audit.RoleManager).get("/console/charter?from=2026.1")
	require.Equal(t, http.StatusOK, res.status)
	doc := regexp.MustCompile(`(?s)<textarea id="f-document"[^>]*>(.*?)</textarea>`).FindStringSubmatch(res.body)
	require.NotNil(t, doc)
	var got checklist.Document
	require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(doc[1])), &got))
	def, err := checklist.DefaultCharter()
	require.NoError(t, err)
	assert.Equal(t, checklist.NewDocument(def), got)
}

func TestPublishCharter(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c := h.signedIn(audit.RoleManager)

	// A rule naming an unknown metric: shown at its point, line and column, marked in the
	// rule; the document is kept as typed.
	const rule = "undisclosed_parts == 0 && foo > 1"
	doc := charterDoc(t, "2027.1", func(p []checklist.DocumentPoint) { p[3].Rule = rule })
	res := c.multipartPost("/console/charters", url.Values{"document": {doc}, "activate": {"true"}}, "", nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
	col := strings.Index(rule, "foo") + 1
	assertHas(t, res.body, `<div class="field-error charter-problems" id="f-document-error" role="alert">`)
	assertHas(t, res.body, `aria-invalid="true" aria-describedby="f-document-error"`)
	assertHas(t, res.body, "Point <strong>QC04</strong>, rule, line 1, column 27: unknown name foo")
	assert.Equal(t, 27, col)
	assertHas(t, res.body, "<code>undisclosed_parts == 0 &amp;&amp; <mark>f</mark>oo &gt; 1\n"+strings.Repeat(" ", col-1)+"^</code>")
	assertHas(t, res.body, html.EscapeString(rule)+`&#34;`, "the document kept")
	assertHas(t, res.body, `name="activate" value="true" checked`, "the box kept")
	_, err := h.svc.Charter(ctx, "2027.1")
	assert.ErrorIs(t, err, audit.ErrNotFound, "not published")

	// A syntax error, and problems of other members, each at its point; a rule is one line
	// (the API's decoder refuses control characters in it), refused at its point.
	doc = charterDoc(t, "2027.1", func(p []checklist.DocumentPoint) {
		p[0].Rule = "functional_fail_rate === 0"
		p[1].Code = "QC01"
		p[2].Severity = "grave"
	})
	res = c.multipartPost("/console/charters", url.Values{"document": {doc}}, "", nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	assertHas(t, res.body, "Point <strong>QC01</strong>, rule, line 1, column 24: unexpected token")
	assertHas(t, res.body, "<code>functional_fail_rate ==<mark>=</mark> 0\n"+strings.Repeat(" ", 23)+"^</code>")
	assertHas(t, res.body, "Point <strong>QC01</strong>, code: duplicate code QC01, first used at points[0]")
	assertHas(t, res.body, "Point <strong>QC03</strong>, severity: must be one of critical, major, minor, got &#34;grave&#34;")
	assertHas(t, res.body, "The charter was not published: 3 problems.")
	doc = charterDoc(t, "2027.1", func(p []checklist.DocumentPoint) { p[0].Rule = "units >= 1 &&\n functional_fail_rate == 0" })
	res = c.multipartPost("/console/charters", url.Values{"document": {doc}}, "", nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	assertHas(t, res.body, "Point <strong>QC01</strong>, rule: must not contain control characters")

	// A document that is no JSON, or a version already published.
	res = c.multipartPost("/console/charters", url.Values{"document": {`{"version": "2027.1", "points": [`}}, "", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.status)
	assertHas(t, res.body, "malformed JSON")
	res = c.multipartPost("/console/charters", url.Values{"document": {charterDoc(t, "2026.1", nil)}}, "", nil)
	assert.Equal(t, http.StatusConflict, res.status)
	assertHas(t, res.body, "charter version 2026.1 is already published; versions never change")

	// Published from its file, made active.
	res = c.multipartPost("/console/charters", url.Values{"document": {""}, "activate": {"true"}}, "2027.1.json", []byte(charterDoc(t, "2027.1", nil)))
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	assert.Equal(t, "/console/charters/2027.1", res.header.Get("Location"))
	res = c.get("/console/charters/2027.1")
	assertHas(t, res.body, `<p class="notice" role="status">Charter version 2027.1 was published and is now the active charter.</p>`)
	active, err := h.svc.ActiveCharter(ctx)
	require.NoError(t, err)
	assert.Equal(t, "2027.1", active.Charter.Version)
	res = c.get("/console/charter")
	assertHas(t, res.body, "<h1>Charter 2027.1</h1>")
	assertHas(t, res.body, `<a href="/console/charters/2026.1">2026.1</a></th><td>`)

	// Typed in the form, not made active.
	res = c.multipartPost("/console/charters", url.Values{"document": {charterDoc(t, "2027.2", nil)}}, "", nil)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	assertHas(t, c.get("/console/charters/2027.2").body, "Charter version 2027.2 was published.")
	active, err = h.svc.ActiveCharter(ctx)
	require.NoError(t, err)
	assert.Equal(t, "2027.1", active.Charter.Version)

	assert.Equal(t, http.StatusForbidden, h.signedIn(audit.RoleSeller).multipartPost("/console/charters",
		url.Values{"document": {charterDoc(t, "2027.3", nil)}}, "", nil).status)
}
