package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/reports/pdftest"
)

// certLinks is what the answer of a stored bench test or mystery order says of its
// certificate.
type certLinks struct {
	ID               string  `json:"id"`
	SellerID         string  `json:"seller_id"`
	VerificationCode *string `json:"verification_code"`
	VerificationURL  *string `json:"verification_url"`
	CertificateURL   string  `json:"certificate_url"`
}

// linksList is a page of bench tests or mystery orders, as their certificates are answered.
type linksList struct {
	Items      []certLinks `json:"items"`
	NextCursor string      `json:"next_cursor"`
}

// links decodes the certificate fields of an answer, which must have succeeded with want.
func links(t *testing.T, res *response, want int) certLinks {
	t.Helper()
	require.Equal(t, want, res.Code, "%s", res.Body)
	var l certLinks
	res.JSON(t, &l)
	return l
}

// assertCertifies checks that l names the certificate of the record stored with code: the
// code with its dashes, its verification address as made for the request's host (base, then
// /verify/), the path of the PDF under kind ("bench-tests"), and that the verification of that
// address answers 200 for that very code and address.
func assertCertifies(t *testing.T, h *harness, l certLinks, kind, code, base string) {
	t.Helper()
	dashed := audit.FormatVerificationCode(code)
	if assert.NotNil(t, l.VerificationCode, "%s has a code", l.ID) && assert.NotNil(t, l.VerificationURL) {
		assert.Equal(t, dashed, *l.VerificationCode)
		assert.Equal(t, base+"/verify/"+dashed, *l.VerificationURL)
		var v verification
		res := h.do(http.MethodGet, "/verify/"+*l.VerificationCode, "", nil, "Accept", "application/json")
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		res.JSON(t, &v)
		assert.Equal(t, *l.VerificationCode, v.VerificationCode, "the verification's code")
		assert.Equal(t, *l.VerificationURL, v.VerificationURL, "the verification's own address")
	}
	assert.Equal(t, "/api/v1/"+kind+"/"+l.ID+"/certificate.pdf", l.CertificateURL)
}

// Every answer of a bench test carries its certificate's verification code, as the
// certificate prints it, its verification address and the path of its PDF: the creation, its
// idempotent replay, the read by id, lists (batches included) and corrections. The code is the
// one stored with the record, the one the PDF prints and the one /verify answers for; a
// correction has its own, and the record it corrects keeps its own.
func TestBenchTestAnswersCarryTheCertificate(t *testing.T) {
	h := newHarness(t)
	tech, manager := h.token(audit.RoleTechnician), h.token(audit.RoleManager)
	const base = "http://example.com" // httptest's Host, without a public URL

	created := links(t, h.do(http.MethodPost, "/api/v1/bench-tests", tech, benchTestDoc(t, h.Own.ID, "LINK-1")), http.StatusCreated)
	code := codeOf(t, h, created.ID)
	assertCertifies(t, h, created, "bench-tests", code, base)

	replay := links(t, h.do(http.MethodPost, "/api/v1/bench-tests", tech, benchTestDoc(t, h.Own.ID, "LINK-1")), http.StatusOK)
	assert.Equal(t, created, replay, "the replay answers the stored record's code, not a new one")
	assert.Equal(t, created, links(t, h.do(http.MethodGet, "/api/v1/bench-tests/"+created.ID, manager, nil), http.StatusOK))

	// The PDF the answer points at prints this code.
	pdf := h.do(http.MethodGet, created.CertificateURL, manager, nil)
	require.Equal(t, http.StatusOK, pdf.Code, "%s", pdf.Body)
	assert.Contains(t, pdftest.Text(t, pdf.Body), *created.VerificationCode, "the certificate prints the code")

	// Records of a batch are read back with the codes the ingest gave them, each its own.
	res := h.do(http.MethodPost, "/api/v1/bench-tests/batch", tech, doc{"items": []any{
		benchTestDoc(t, h.Own.ID, "LINK-B1"), benchTestDoc(t, h.Own.ID, "LINK-B2"), benchTestDoc(t, h.Other.ID, "LINK-B3")}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)

	// A correction has a code of its own; the record it corrects keeps its own, which now
	// verifies as superseded.
	fix := set(benchTestDoc(t, h.Own.ID, "LINK-1"), "inspection.battery.health_pct", 79.5)
	corr := links(t, h.do(http.MethodPost, "/api/v1/bench-tests/"+created.ID+"/corrections", tech, fix), http.StatusCreated)
	assertCertifies(t, h, corr, "bench-tests", codeOf(t, h, corr.ID), base)
	assert.NotEqual(t, *created.VerificationCode, *corr.VerificationCode)
	assert.Equal(t, created, links(t, h.do(http.MethodGet, "/api/v1/bench-tests/"+created.ID, manager, nil), http.StatusOK),
		"the corrected record keeps its code")
	var v verification
	h.do(http.MethodGet, "/verify/"+*created.VerificationCode, "", nil, "Accept", "application/json").JSON(t, &v)
	assert.True(t, v.Superseded)

	// Every item of every page carries its own record's code, across pages.
	seen := map[string]bool{}
	var all []certLinks
	cursor := ""
	for {
		var page linksList
		h.do(http.MethodGet, "/api/v1/bench-tests?limit=2&cursor="+cursor, manager, nil).JSON(t, &page)
		all = append(all, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	require.Len(t, all, 5, "the first, three of the batch, the correction")
	for _, it := range all {
		assertCertifies(t, h, it, "bench-tests", codeOf(t, h, it.ID), base)
		assert.False(t, seen[*it.VerificationCode], "code %s answered twice", *it.VerificationCode)
		seen[*it.VerificationCode] = true
	}
	var own linksList
	h.do(http.MethodGet, "/api/v1/bench-tests?seller_id="+h.Own.ID, manager, nil).JSON(t, &own)
	assert.Len(t, own.Items, 4)
	for _, it := range own.Items {
		assert.Equal(t, h.Own.ID, it.SellerID, "the filter keeps one seller's codes")
	}
}

// Every answer of a mystery order carries its certificate as a bench test's does.
func TestMysteryOrderAnswersCarryTheCertificate(t *testing.T) {
	h := newHarness(t)
	tech := h.token(audit.RoleTechnician)
	const base = "http://example.com"
	moCode := func(id string) string {
		rec, err := h.st.MysteryOrder(context.Background(), id)
		require.NoError(t, err)
		require.NotEmpty(t, rec.VerificationCode)
		return rec.VerificationCode
	}

	created := links(t, h.do(http.MethodPost, "/api/v1/mystery-orders", tech, moDoc(t, h.Own.ID, "MO-LINK")), http.StatusCreated)
	assertCertifies(t, h, created, "mystery-orders", moCode(created.ID), base)
	assert.Equal(t, created, links(t, h.do(http.MethodGet, "/api/v1/mystery-orders/"+created.ID, h.token(audit.RoleAdmin), nil), http.StatusOK))
	var v verification
	h.do(http.MethodGet, "/verify/"+*created.VerificationCode, "", nil, "Accept", "application/json").JSON(t, &v)
	assert.Equal(t, "mystery_order", v.Record)

	pdf := h.do(http.MethodGet, created.CertificateURL, tech, nil)
	require.Equal(t, http.StatusOK, pdf.Code, "%s", pdf.Body)
	assert.Contains(t, pdftest.Text(t, pdf.Body), *created.VerificationCode)

	fix := set(moDoc(t, h.Own.ID, "MO-LINK"), "logistics.charge_on_arrival_pct", 12)
	corr := links(t, h.do(http.MethodPost, "/api/v1/mystery-orders/"+created.ID+"/corrections", tech, fix), http.StatusCreated)
	assertCertifies(t, h, corr, "mystery-orders", moCode(corr.ID), base)
	assert.NotEqual(t, *created.VerificationCode, *corr.VerificationCode)

	var list linksList
	h.do(http.MethodGet, "/api/v1/mystery-orders?seller_id="+h.Own.ID, h.token(audit.RoleManager), nil).JSON(t, &list)
	require.Len(t, list.Items, 2)
	for _, it := range list.Items {
		assertCertifies(t, h, it, "mystery-orders", moCode(it.ID), base)
	}
	assert.Equal(t, created, list.Items[0])
}

// The verification addresses follow the public URL (--public-url), path included, as the
// certificate's and the verification's own do, whatever Host the request names.
func TestRecordAnswersFollowThePublicURL(t *testing.T) {
	h := newHarnessWith(t, httpapi.Config{Certificates: httpapi.FakeCertificates{}, PublicURL: "https://qa.example.org/refurb/"})
	const base = "https://qa.example.org/refurb"
	bt := links(t, h.do(http.MethodPost, "/api/v1/bench-tests", h.token(audit.RoleTechnician), benchTestDoc(t, h.Own.ID, "")), http.StatusCreated)
	assertCertifies(t, h, bt, "bench-tests", codeOf(t, h, bt.ID), base)
	cert := h.do(http.MethodGet, bt.CertificateURL, h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, cert.Code)
	assert.Equal(t, *bt.VerificationURL, certificateDoc(t, cert).VerifyURL, "the certificate's QR code holds the same address")
	assert.Equal(t, audit.FormatVerificationCode(codeOf(t, h, bt.ID)), certificateDoc(t, cert).Code)

	req := from("192.0.2.1:1234", "/api/v1/bench-tests/"+bt.ID, "application/json")
	req.Host = "internal.example.net:8080"
	req.Header.Set("Authorization", "Bearer "+h.token(audit.RoleManager))
	assert.Equal(t, bt, links(t, h.send(req, nil), http.StatusOK), "the public URL, not the request's host")

	mo := links(t, h.do(http.MethodPost, "/api/v1/mystery-orders", h.token(audit.RoleTechnician), moDoc(t, h.Own.ID, "MO-PUB")), http.StatusCreated)
	require.NotNil(t, mo.VerificationURL)
	assert.True(t, strings.HasPrefix(*mo.VerificationURL, base+"/verify/"), *mo.VerificationURL)
}

// A record that an older release stored without a code answers null for the code and its
// address until its certificate is first asked for, which gives it the code every answer
// carries from then on.
func TestRecordWithoutACodeYet(t *testing.T) {
	h := newHarness(t)
	bt := links(t, h.do(http.MethodPost, "/api/v1/bench-tests", h.token(audit.RoleTechnician), benchTestDoc(t, h.Own.ID, "")), http.StatusCreated)
	pools := h.st.Pools()
	db, ok := pools["write"]
	if !ok {
		db = pools["main"]
	}
	_, err := db.Exec("UPDATE bench_tests SET verification_code = NULL WHERE id = $1", bt.ID)
	require.NoError(t, err)
	res := h.do(http.MethodGet, "/api/v1/bench-tests/"+bt.ID, h.token(audit.RoleManager), nil)
	none := links(t, res, http.StatusOK)
	m := res.Map(t)
	assert.Contains(t, m, "verification_code")
	assert.Nil(t, m["verification_code"])
	assert.Nil(t, none.VerificationURL)
	assert.Equal(t, bt.CertificateURL, none.CertificateURL)

	require.Equal(t, http.StatusOK, h.do(http.MethodGet, none.CertificateURL, h.token(audit.RoleManager), nil).Code)
	again := links(t, h.do(http.MethodGet, "/api/v1/bench-tests/"+bt.ID, h.token(audit.RoleManager), nil), http.StatusOK)
	assertCertifies(t, h, again, "bench-tests", codeOf(t, h, bt.ID), "http://example.com")
	assert.NotEqual(t, *bt.VerificationCode, *again.VerificationCode, "a new code, given once")
}

// No seller learns a code it may not read: a seller key reads no bench test or mystery order
// as JSON (403, as before), so it reads codes only on the certificates of its own devices,
// another seller's being 404 without a code; the domain's lists, which would serve a seller,
// hold its own records alone.
func TestSellersGetNoOtherSellersCode(t *testing.T) {
	h := newHarness(t)
	tech := h.token(audit.RoleTechnician)
	own := links(t, h.do(http.MethodPost, "/api/v1/bench-tests", tech, benchTestDoc(t, h.Own.ID, "OWN-1")), http.StatusCreated)
	other := links(t, h.do(http.MethodPost, "/api/v1/bench-tests", tech, benchTestDoc(t, h.Other.ID, "OTHER-1")), http.StatusCreated)
	mo := links(t, h.do(http.MethodPost, "/api/v1/mystery-orders", tech, moDoc(t, h.Other.ID, "MO-OTHER")), http.StatusCreated)
	otherCodes := []string{*other.VerificationCode, codeOf(t, h, other.ID), *mo.VerificationCode}

	for _, token := range []string{h.token(audit.RoleSeller), h.OtherToken} {
		for _, path := range []string{"/api/v1/bench-tests", "/api/v1/bench-tests?seller_id=" + h.Other.ID,
			"/api/v1/bench-tests/" + other.ID, "/api/v1/bench-tests/" + own.ID,
			"/api/v1/mystery-orders", "/api/v1/mystery-orders/" + mo.ID, mo.CertificateURL} {
			res := h.do(http.MethodGet, path, token, nil)
			assert.Equal(t, http.StatusForbidden, res.Code, "%s", path)
			assert.NotContains(t, string(res.Body), "verification")
		}
	}
	res := h.do(http.MethodGet, other.CertificateURL, h.token(audit.RoleSeller), nil)
	assert.Equal(t, http.StatusNotFound, res.Code, "another seller's certificate")
	for _, c := range otherCodes {
		assert.NotContains(t, string(res.Body), c)
	}
	res = h.do(http.MethodGet, own.CertificateURL, h.token(audit.RoleSeller), nil)
	require.Equal(t, http.StatusOK, res.Code, "its own device's certificate")
	text := pdftest.Text(t, res.Body)
	assert.Contains(t, text, *own.VerificationCode)
	for _, c := range append(otherCodes, audit.FormatVerificationCode(codeOf(t, h, other.ID))) {
		assert.NotContains(t, text, c)
	}

	protocols, err := checklist.LoadProtocols()
	require.NoError(t, err)
	svc := audit.NewService(audit.ServiceConfig{Store: h.st, Protocols: protocols})
	seller := audit.Principal{KeyID: h.keyIDs[audit.RoleSeller], Role: audit.RoleSeller, SellerID: h.Own.ID}
	list, _, err := svc.BenchTests(context.Background(), seller, audit.BenchTestFilter{}, audit.Page{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, codeOf(t, h, own.ID), list[0].VerificationCode)
	_, _, err = svc.BenchTests(context.Background(), seller, audit.BenchTestFilter{SellerID: h.Other.ID}, audit.Page{})
	assert.ErrorIs(t, err, audit.ErrNotFound)
	_, err = svc.BenchTest(context.Background(), seller, other.ID)
	assert.ErrorIs(t, err, audit.ErrNotFound)
}
