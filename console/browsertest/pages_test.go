package browsertest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

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

// TestEveryPage visits the pages and states the journeys do not (the charter and its versions,
// KPIs, API keys with a new token, corrections, a mystery order, forms refused with their
// errors, the problem pages, a refused sign-in), so that axe-core and html-validate see every
// page of the console.
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

	require.Equal(t, 404, p.Navigate(srv.URL+"/console/bench-tests/bt_nosuchrecord"))
	p.Step("not found")
	s := b.NewPage(t)
	signIn(t, s, srv.URL, "seller@journey.example")
	require.Equal(t, 403, s.Navigate(srv.URL+"/console/kpis"))
	s.Step("another role's area")
	assert.Contains(t, s.BodyText(), "Your role may not use this page.")
}
