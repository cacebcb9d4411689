package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2/memstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/console"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/reports"
	"github.com/refurbqa/refurbqa/reports/pdftest"
)

// withPublicURL configures the console's public URL.
func withPublicURL(u string) harnessOption {
	return func(cfg *console.Config) { cfg.PublicURL = u }
}

// certifiedKind is one kind of record with a certificate, as the tests of certificates use it.
type certifiedKind struct {
	name  string
	path  string // the console's pages of the kind
	other string // the console's pages of the other kind
	api   string // the API's records of the kind
	form  func(h *harness, t *testing.T) url.Values
	code  func(h *harness, t *testing.T, id string) string // the stored verification code
}

var certifiedKinds = []certifiedKind{
	{"bench test", "/console/bench-tests", "/console/mystery-orders", "/api/v1/bench-tests/", (*harness).goodPhone,
		func(h *harness, t *testing.T, id string) string {
			rec, err := h.st.BenchTest(context.Background(), id)
			require.NoError(t, err)
			return rec.VerificationCode
		}},
	{"mystery order", "/console/mystery-orders", "/console/bench-tests", "/api/v1/mystery-orders/", (*harness).goodOrder,
		func(h *harness, t *testing.T, id string) string {
			rec, err := h.st.MysteryOrder(context.Background(), id)
			require.NoError(t, err)
			return rec.VerificationCode
		}},
}

// api is the HTTP API over the harness's services and store, with publicURL, and a
// technician's token for it.
func (h *harness) api(t *testing.T, publicURL string) (http.Handler, string) {
	t.Helper()
	srv, err := httpapi.New(httpapi.Config{Service: h.svc, Reports: reports.NewBuilder(h.st), Ready: h.st.Ping, PublicURL: publicURL})
	require.NoError(t, err)
	_, token, err := h.svc.CreateKey(context.Background(), system, audit.Key{Name: "certificates", Role: audit.RoleTechnician})
	require.NoError(t, err)
	return srv, token
}

// apiGet is the API's answer to GET path with token, the request naming host as the console's
// requests do (the two are served on one origin).
func apiGet(api http.Handler, token, host, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Host = host
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	return rec
}

// Every record's page shows its verification code as the certificate prints it, with plain
// links to the certificate's PDF and to its public verification; the PDF is the API's very
// file for the record (the same bytes, with the verification address of the public URL or,
// without one, of the request's origin), named after the code, for the roles of the record's
// page. An unknown id, or the id of a record of the other kind, is not found.
func TestRecordCertificate(t *testing.T) {
	for _, k := range certifiedKinds {
		for _, public := range []string{"", "https://qa.example.org/refurb/"} {
			t.Run(k.name+" "+public, func(t *testing.T) {
				h := newHarness(t, withPublicURL(public))
				api, token := h.api(t, public)
				tech := h.signedIn(audit.RoleTechnician)
				res := tech.post(k.path, k.form(h, t))
				require.Equal(t, http.StatusSeeOther, res.status, res.body)
				page := res.header.Get("Location")
				id := strings.TrimPrefix(page, k.path+"/")
				code := k.code(h, t, id)
				require.Len(t, code, audit.VerificationCodeLen)
				dashed := audit.FormatVerificationCode(code)
				require.Regexp(t, `^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$`, dashed)
				origin, err := url.Parse(h.srv.URL)
				require.NoError(t, err)
				verify := h.srv.URL + "/verify/" + dashed
				if public != "" {
					verify = strings.TrimSuffix(public, "/") + "/verify/" + dashed
				}

				body := tech.get(page).body
				assert.Contains(t, body, `<h2 id="certificate-heading">Grade certificate</h2>`)
				assert.Contains(t, body, `<dt>Verification code</dt><dd><code class="code verification-code">`+dashed+`</code></dd>`)
				assert.Contains(t, body, `<a href="`+page+`/certificate.pdf">Download the certificate (PDF)</a>`)
				assert.Contains(t, body, `<a href="`+verify+`">Public verification page</a>`)
				assert.NotContains(t, body, "The certificate to give a buyer", "not corrected")

				var first *response
				for _, role := range []audit.Role{audit.RoleTechnician, audit.RoleManager, audit.RoleAdmin} {
					res := h.signedIn(role).get(page + "/certificate.pdf")
					require.Equal(t, http.StatusOK, res.status, "%s: %s", role, res.body)
					assert.Equal(t, "application/pdf", res.header.Get("Content-Type"), role)
					assert.Equal(t, `attachment; filename="certificate-`+dashed+`.pdf"`, res.header.Get("Content-Disposition"), role)
					assert.Equal(t, strconv.Itoa(len(res.body)), res.header.Get("Content-Length"), role)
					require.True(t, strings.HasPrefix(res.body, "%PDF-"), "%s: a PDF", role)
					if first == nil {
						first = res
						continue
					}
					assert.Equal(t, first.body, res.body, "%s: the same bytes", role)
				}
				fromAPI := apiGet(api, token, origin.Host, k.api+id+"/certificate.pdf")
				require.Equal(t, http.StatusOK, fromAPI.Code, fromAPI.Body.String())
				assert.Equal(t, fromAPI.Body.String(), first.body, "the API's very file")
				assert.Equal(t, fromAPI.Header().Get("Content-Disposition"), first.header.Get("Content-Disposition"))
				text := pdftest.Text(t, []byte(first.body))
				assert.Contains(t, text, dashed, "the code printed on the certificate")

				head := tech.do(http.MethodHead, page+"/certificate.pdf", nil)
				assert.Equal(t, http.StatusOK, head.status)
				assert.Equal(t, first.header.Get("Content-Length"), head.header.Get("Content-Length"))
				assert.Empty(t, head.body)

				// The roles of the record's page only, and records that exist.
				assert.Equal(t, http.StatusForbidden, h.signedIn(audit.RoleSeller).get(page+"/certificate.pdf").status, "a seller")
				res = h.client().get(page + "/certificate.pdf")
				assert.Equal(t, http.StatusSeeOther, res.status, "signed out")
				assert.Equal(t, "/console/signin?next="+url.QueryEscape(page+"/certificate.pdf"), res.header.Get("Location"))
				for _, missing := range []string{k.path + "/" + id + "x/certificate.pdf", k.other + "/" + id + "/certificate.pdf"} {
					res := tech.get(missing)
					assert.Equal(t, http.StatusNotFound, res.status, missing)
					assert.Contains(t, res.body, "<h1>Not found</h1>", missing)
				}
			})
		}
	}
}

// A corrected record keeps its certificate, which still shows the grade it was given: its page
// says that the correction's certificate is the one to give a buyer and links the correction,
// whose page shows a code of its own and no such notice.
func TestCertificateOfACorrectedRecord(t *testing.T) {
	h := newHarness(t)
	for _, k := range certifiedKinds {
		t.Run(k.name, func(t *testing.T) {
			tech := h.signedIn(audit.RoleTechnician)
			form := k.form(h, t)
			res := tech.post(k.path, form)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			old := res.header.Get("Location")
			form.Set("cosmetic.screen.cracks", "1")
			form.Set("cosmetic.screen.visible_from_cm", "40")
			res = tech.post(old+"/corrections", form)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			fixed := res.header.Get("Location")
			fixedID := strings.TrimPrefix(fixed, k.path+"/")
			oldCode := audit.FormatVerificationCode(k.code(h, t, strings.TrimPrefix(old, k.path+"/")))
			fixedCode := audit.FormatVerificationCode(k.code(h, t, fixedID))
			require.NotEqual(t, oldCode, fixedCode, "a correction has a code of its own")

			body := tech.get(old).body
			assert.Contains(t, body, "The certificate to give a buyer is that of the correction, <a href=\""+fixed+"\">"+k.name+" "+fixedID+"</a>.")
			assert.Contains(t, body, `<code class="code verification-code">`+oldCode+`</code>`, "its own code still")
			assert.Contains(t, body, `<a href="`+old+`/certificate.pdf">`)
			assert.Equal(t, http.StatusOK, tech.get(old+"/certificate.pdf").status, "its certificate stays")

			body = tech.get(fixed).body
			assert.Contains(t, body, `<code class="code verification-code">`+fixedCode+`</code>`)
			assert.Contains(t, body, `<a href="`+fixed+`/certificate.pdf">Download the certificate (PDF)</a>`)
			assert.NotContains(t, body, "The certificate to give a buyer")
		})
	}
}

// A record stored by an older release without a verification code is given one by the
// service the first time its page is shown, which its certificate then prints.
func TestCertificateOfARecordWithoutCode(t *testing.T) {
	h := newHarness(t)
	tech := h.signedIn(audit.RoleTechnician)
	for _, k := range certifiedKinds {
		t.Run(k.name, func(t *testing.T) {
			res := tech.post(k.path, k.form(h, t))
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			page := res.header.Get("Location")
			id := strings.TrimPrefix(page, k.path+"/")
			table := map[string]string{"bench test": "bench_tests", "mystery order": "mystery_orders"}[k.name]
			pools := h.st.Pools()
			db := pools["write"]
			if db == nil {
				db = pools["main"]
			}
			_, err := db.Exec("UPDATE " + table + " SET verification_code = NULL WHERE id = '" + id + "'")
			require.NoError(t, err)
			require.Empty(t, k.code(h, t, id))

			body := tech.get(page).body
			code := k.code(h, t, id)
			require.Len(t, code, audit.VerificationCodeLen, "given one")
			dashed := audit.FormatVerificationCode(code)
			assert.Contains(t, body, `<code class="code verification-code">`+dashed+`</code>`)
			pdf := tech.get(page + "/certificate.pdf")
			require.Equal(t, http.StatusOK, pdf.status)
			assert.Equal(t, `attachment; filename="certificate-`+dashed+`.pdf"`, pdf.header.Get("Content-Disposition"))
			assert.Contains(t, pdftest.Text(t, []byte(pdf.body)), dashed)
		})
	}
}

// The console refuses a public URL the API would refuse.
func TestConsolePublicURL(t *testing.T) {
	for _, bad := range []string{"qa.example.org", "ftp://qa.example.org", "https://qa.example.org/?x=1"} {
		_, err := console.New(console.Config{Service: &audit.Service{}, Sessions: memstore.New(),
			Reports: &reports.Builder{}, PublicURL: bad})
		assert.Error(t, err, bad)
	}
}
