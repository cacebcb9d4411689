package browsertest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/console/browsertest"
)

// firstID is the id of the first item the API lists at path, with a technician's key.
func firstID(t *testing.T, base, token, path string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&list))
	require.NotEmpty(t, list.Items, path)
	return list.Items[0].ID
}

// apiPost posts body to the API at path with token and returns the id of what it created.
func apiPost(t *testing.T, base, token, path string, body map[string]any) string {
	t.Helper()
	doc, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(doc))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var out struct {
		ID  string `json:"id"`
		Lot struct {
			ID string `json:"id"`
		} `json:"lot"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	require.Equal(t, http.StatusCreated, res.StatusCode, path)
	if out.ID == "" {
		return out.Lot.ID
	}
	return out.ID
}

// lotPages visits the lot pages: the list with its create form refused, a parts lot whose
// sample is refused and then rejects it, a device lot sampled with one of its seller's bench
// tests, and a stream discontinued by seven rejected lots, which the admin resumes.
func lotPages(t *testing.T, p *browsertest.Page, base, token, seller string) {
	t.Helper()
	received := time.Now().UTC().Format(time.RFC3339)
	partsLot := func(ref string) string {
		return apiPost(t, base, token, "/api/v1/lots", map[string]any{"kind": "parts", "lot_ref": ref, "lot_size": 20,
			"supplier": "Tour Screens", "part_type": "screen", "received_at": received})
	}
	require.Equal(t, 200, p.Navigate(base+"/console/lots"))
	p.Step("lots")
	require.Equal(t, 422, p.Submit("Create the lot"))
	p.Step("lot refused")
	assert.Contains(t, p.BodyText(), "Please correct")

	lot := partsLot("TOUR-1")
	require.Equal(t, 200, p.Navigate(base+"/console/lots/"+lot))
	p.Step("parts lot")
	assert.Contains(t, p.BodyText(), "code letter C, sample size 5")
	p.Fill("serial", "SN-TOUR-1")
	p.Fill("defects.0.class", "major")
	require.Equal(t, 422, p.Submit("Add the sample"))
	p.Step("sample refused")
	p.Fill("defects.0.code", "SCRATCH")
	require.Equal(t, 200, p.Submit("Add the sample"))
	p.Step("parts lot rejected")
	assert.Contains(t, p.BodyText(), "The lot is decided: rejected.")

	device := apiPost(t, base, token, "/api/v1/lots", map[string]any{"kind": "devices", "lot_ref": "TOUR-D1", "lot_size": 200,
		"seller_id": seller, "listed_grade": "good", "received_at": received})
	require.Equal(t, 200, p.Navigate(base+"/console/lots/"+device))
	p.Step("device lot")
	require.Positive(t, p.Count("table.candidates tbody tr"), "the seller's bench tests are offered")
	p.Fill("bench_test_id", p.Text("table.candidates tbody tr:first-child .id"))
	require.Equal(t, 200, p.Submit("Add the sample"))
	p.Step("device sample added")
	assert.Contains(t, p.BodyText(), "Sample 1 was added.")

	for i := 2; i <= 7; i++ { // with TOUR-1: 2 rejections on normal, then 5 on tightened
		id := partsLot(fmt.Sprintf("TOUR-%d", i))
		apiPost(t, base, token, "/api/v1/lots/"+id+"/samples", map[string]any{"defects": []map[string]string{{"class": "critical", "code": "CRACK"}}})
		lot = id
	}
	require.Equal(t, 200, p.Navigate(base+"/console/lots/"+lot))
	p.Step("stream discontinued")
	assert.Contains(t, p.BodyText(), "discontinued")
	p.Fill("note", "The supplier replaced its lamination line.")
	require.Equal(t, 200, p.Submit("Resume on tightened inspection"))
	p.Step("stream resumed")
	assert.Contains(t, p.BodyText(), "The stream was resumed on tightened inspection")

	require.Equal(t, 200, p.Navigate(base+"/console/lots?kind=parts&decision=rejected"))
	p.Step("lots filtered")
	require.Equal(t, 200, p.Navigate(base+"/console/sellers/"+seller+"#lots"))
	p.Step("seller with lots")
	assert.Contains(t, p.BodyText(), "TOUR-D1")
}

// TestEveryPage visits the pages and states the journeys do not (the charter and its versions,
// KPIs, API keys with a new token, corrections, a mystery order, the records' certificates,
// forms refused with their errors, the lot pages, the problem pages, a refused sign-in), so
// that axe-core and html-validate see every page of the console.
func TestEveryPage(t *testing.T) {
	srv, seller := reviewServer(t)
	srv.Run(t, techPassword+"\n", "users", "create", "--email", "admin@journey.example", "--name", "Journey admin",
		"--role", "admin", "--password-stdin")
	token := strings.TrimSpace(srv.Run(t, "", "keys", "create", "--role", "technician", "--name", "tour"))
	bt := firstID(t, srv.URL, token, "/api/v1/bench-tests?limit=1")
	mo := firstID(t, srv.URL, token, "/api/v1/mystery-orders?limit=1")

	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)
	require.Equal(t, 200, p.Navigate(srv.URL+"/console/signin"))
	p.Fill("email", "admin@journey.example")
	p.Fill("password", "not the password")
	require.Equal(t, 401, p.Submit("Sign in"))
	p.Step("sign-in refused")
	assert.Contains(t, p.BodyText(), "The email or the password is wrong.")
	p.Fill("password", techPassword)
	require.Equal(t, 200, p.Submit("Sign in"))

	for _, page := range []struct{ name, path, text string }{
		{"charter", "/console/charter", "2026.1"},
		{"charter version", "/console/charters/2026.1", "2026.1"},
		{"kpis", "/console/kpis", "KPI"},
		{"audits", "/console/audits", "Run the audit"},
		{"corrective actions", "/console/corrective-actions", "Corrective actions"},
		{"bench test", "/console/bench-tests/" + bt, "Grade"},
		{"bench test correction", "/console/bench-tests/" + bt + "/correct", "Functional tests"},
		{"mystery order", "/console/mystery-orders/" + mo, "Grade"},
		{"mystery order correction", "/console/mystery-orders/" + mo + "/correct", "Functional tests"},
		{"laptop form", "/console/bench-tests/new?seller_id=" + seller + "&category=laptop", "laptop protocol"},
		{"tablet mystery order form", "/console/mystery-orders/new?seller_id=" + seller + "&category=tablet", "tablet protocol"},
		{"api keys", "/console/admin/keys", "API keys"},
		{"sellers searched", "/console/sellers?q=a&sort=-tier", "Sellers"},
	} {
		require.Equal(t, 200, p.Navigate(srv.URL+page.path), page.name)
		assert.Contains(t, p.BodyText(), page.text, page.name)
		p.Step(page.name)
	}

	// The grade certificates of the records: the link, reached with the keyboard, downloads the
	// PDF named after the verification code the page shows.
	for _, rec := range []string{"/console/bench-tests/" + bt, "/console/mystery-orders/" + mo} {
		require.Equal(t, 200, p.Navigate(srv.URL+rec), rec)
		code := p.Text("code.verification-code")
		require.Regexp(t, `^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$`, code, rec)
		href, ok := p.Attr(`a[href$="/verify/`+code+`"]`, "href")
		require.True(t, ok, "%s links its public verification", rec)
		assert.Equal(t, srv.URL+"/verify/"+code, href, rec)
		p.Focus(`a[href="` + rec + `/certificate.pdf"]`)
		assert.Equal(t, "Download the certificate (PDF)", p.Focused().Text, rec)
		dl := p.Download(func() { p.Press(browsertest.Enter) })
		assert.Equal(t, "certificate-"+code+".pdf", dl.Name, rec)
		assert.True(t, strings.HasPrefix(string(dl.Data), "%PDF-"), "%s: a PDF", rec)
	}

	require.Equal(t, 200, p.Navigate(srv.URL+"/console/bench-tests/new?seller_id="+seller+"&category=smartphone"))
	require.Equal(t, 422, p.Submit("Save"))
	p.Step("bench test refused")
	assert.Contains(t, p.BodyText(), "Please correct")
	require.Equal(t, 200, p.Navigate(srv.URL+"/console/mystery-orders/new?seller_id="+seller+"&category=smartphone"))
	require.Equal(t, 422, p.Submit("Save"))
	p.Step("mystery order refused")

	require.Equal(t, 200, p.Navigate(srv.URL+"/console/admin/keys"))
	p.Fill("name", "tour key")
	p.Fill("role", "manager")
	require.Equal(t, 201, p.Submit("Create the key"))
	p.Step("key created")
	assert.NotEmpty(t, p.Text("code.token"))

	require.Equal(t, 200, p.Navigate(srv.URL+"/console/charter"))
	p.Fill("document", `{"version": "broken"}`)
	require.Equal(t, 422, p.Submit("Publish"))
	p.Step("charter refused")

	lotPages(t, p, srv.URL, token, seller)

	require.Equal(t, 404, p.Navigate(srv.URL+"/console/bench-tests/bt_nosuchrecord"))
	p.Step("not found")
	s := b.NewPage(t)
	signIn(t, s, srv.URL, "seller@journey.example")
	require.Equal(t, 403, s.Navigate(srv.URL+"/console/kpis"))
	s.Step("another role's area")
	assert.Contains(t, s.BodyText(), "Your role may not use this page.")
}
