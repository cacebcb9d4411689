package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/reports"
)

// fullIMEI and ownContact are what no certificate and no verification may show: the device's
// whole IMEI (inspectionDoc's) and the seller's contact (the harness's Own seller).
const (
	fullIMEI   = "356938035643809"
	ownContact = "own@example.com"
)

// certificateDoc reads back the certificate the fake renderer was given.
func certificateDoc(t *testing.T, res *response) reports.Certificate {
	t.Helper()
	require.True(t, bytes.HasPrefix(res.Body, []byte(httpapi.FakeCertificateMark)), "drawn by the renderer: %.200s", res.Body)
	var d reports.Certificate
	require.NoError(t, json.Unmarshal(bytes.TrimPrefix(res.Body, []byte(httpapi.FakeCertificateMark)), &d))
	return d
}

// codeOf returns the verification code of a stored bench test.
func codeOf(t *testing.T, h *harness, id string) string {
	t.Helper()
	rec, err := h.st.BenchTest(context.Background(), id)
	require.NoError(t, err)
	require.NotEmpty(t, rec.VerificationCode)
	return rec.VerificationCode
}

// The certificate PDF of a bench test: staff and its own seller get it, drawn by the renderer
// from the domain's certificate with the verification address; another seller gets 404 as for
// a record that does not exist. A record's certificate is issued on the day it was stored, so
// every download gives the same bytes and ETag, which If-None-Match spares, until a correction
// supersedes it.
func TestBenchTestCertificate(t *testing.T) {
	h := newHarnessWith(t, httpapi.Config{Certificates: httpapi.FakeCertificates{}})
	bt := h.createBenchTest(benchTestDoc(t, h.Own.ID, "CERT-1"), http.StatusCreated)
	code := codeOf(t, h, bt.ID)
	dashed := audit.FormatVerificationCode(code)
	path := "/api/v1/bench-tests/" + bt.ID + "/certificate.pdf"

	var first *response
	for _, r := range []audit.Role{audit.RoleTechnician, audit.RoleManager, audit.RoleAdmin, audit.RoleSeller} {
		res := h.do(http.MethodGet, path, h.token(r), nil)
		require.Equal(t, http.StatusOK, res.Code, "%s: %s", r, res.Body)
		assert.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
		assert.Equal(t, `attachment; filename="certificate-`+dashed+`.pdf"`, res.Header.Get("Content-Disposition"))
		assert.Equal(t, "private, no-cache", res.Header.Get("Cache-Control"))
		assert.NotEmpty(t, res.Header.Get("ETag"))
		if first == nil {
			first = res
			continue
		}
		assert.Equal(t, first.Body, res.Body, "%s: the same bytes", r)
		assert.Equal(t, first.Header.Get("ETag"), res.Header.Get("ETag"))
	}
	c := certificateDoc(t, first)
	assert.Equal(t, "http://example.com/verify/"+dashed, c.VerifyURL, "without a public URL, the request's own")
	rec, err := h.st.BenchTest(context.Background(), bt.ID)
	require.NoError(t, err)
	assert.Equal(t, rec.CreatedAt, c.Issued, "issued on the day the record was stored")
	assert.Equal(t, dashed, c.Code)
	assert.Equal(t, bt.ID, c.RecordID)
	assert.Equal(t, reports.SourceBenchTest, c.Source)
	assert.Equal(t, reports.CertificateDevice{Category: "smartphone", CategoryLabel: "Smartphone", Brand: "Apple", Model: "iPhone 13",
		StorageGB: 128, StorageLabel: "128 GB", IdentityKind: "IMEI", Identity: "•••••••••••3809"}, c.Device)
	assert.Equal(t, "Premium", c.GradeLabel)
	assert.Equal(t, "Lyon lab 2", c.Lab)
	assert.Equal(t, time.Date(2026, 10, 2, 7, 0, 0, 0, time.UTC), c.TestedAt)
	assert.Nil(t, c.Correction)
	assert.NotContains(t, string(first.Body), fullIMEI)
	assert.NotContains(t, string(first.Body), ownContact)
	assert.NotContains(t, string(first.Body), h.Own.ID, "nothing of the seller")

	res := h.do(http.MethodGet, path, h.token(audit.RoleManager), nil, "If-None-Match", first.Header.Get("ETag"))
	assert.Equal(t, http.StatusNotModified, res.Code)
	res = h.do(http.MethodHead, path, h.token(audit.RoleSeller), nil)
	assert.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, first.Header.Get("Content-Length"), res.Header.Get("Content-Length"))

	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, path, h.OtherToken, nil).Code, "another seller's device")
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/bench-tests/bt_missing/certificate.pdf", h.token(audit.RoleManager), nil).Code)
	assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodGet, path, "", nil).Code)

	// A correction: the certificate says what stands now, in new bytes, and keeps its code.
	fix := set(benchTestDoc(t, h.Own.ID, "CERT-1"), "inspection.battery.health_pct", 79.5)
	require.Equal(t, http.StatusCreated, h.do(http.MethodPost, "/api/v1/bench-tests/"+bt.ID+"/corrections", h.token(audit.RoleTechnician), fix).Code)
	corrected := h.do(http.MethodGet, path, h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, corrected.Code)
	assert.NotEqual(t, first.Header.Get("ETag"), corrected.Header.Get("ETag"))
	c = certificateDoc(t, corrected)
	assert.Equal(t, dashed, c.Code, "the corrected record keeps its code")
	require.NotNil(t, c.Correction)
	assert.Equal(t, "not_sellable", string(c.Correction.Status))
}

// The real renderer draws a PDF, the same bytes every time for one record.
func TestCertificatePDF(t *testing.T) {
	h := newHarness(t)
	bt := h.createBenchTest(benchTestDoc(t, h.Own.ID, ""), http.StatusCreated)
	path := "/api/v1/bench-tests/" + bt.ID + "/certificate.pdf"
	first := h.do(http.MethodGet, path, h.token(audit.RoleSeller), nil)
	require.Equal(t, http.StatusOK, first.Code, "%s", first.Body)
	assert.True(t, bytes.HasPrefix(first.Body, []byte("%PDF-")), "a PDF")
	again := h.do(http.MethodGet, path, h.token(audit.RoleManager), nil)
	assert.Equal(t, first.Body, again.Body)
	assert.Equal(t, first.Header.Get("ETag"), again.Header.Get("ETag"))
}

// The verification address is made from the configured public URL, path included.
func TestCertificateVerificationURL(t *testing.T) {
	h := newHarnessWith(t, httpapi.Config{Certificates: httpapi.FakeCertificates{}, PublicURL: "https://qa.example.org/refurb/"})
	bt := h.createBenchTest(benchTestDoc(t, h.Own.ID, ""), http.StatusCreated)
	res := h.do(http.MethodGet, "/api/v1/bench-tests/"+bt.ID+"/certificate.pdf", h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, res.Code)
	want := "https://qa.example.org/refurb/verify/" + audit.FormatVerificationCode(codeOf(t, h, bt.ID))
	assert.Equal(t, want, certificateDoc(t, res).VerifyURL)
	var v map[string]any
	h.do(http.MethodGet, "/verify/"+codeOf(t, h, bt.ID), "", nil, "Accept", "application/json").JSON(t, &v)
	assert.Equal(t, want, v["verification_url"], "the same address in the verification")

	for _, bad := range []string{"qa.example.org", "ftp://qa.example.org", "https://", "https://qa.example.org/?x=1", "https://u@qa.example.org", "https://qa.example.org/#f", "https://qa.example.org/%zz"} {
		_, err := httpapi.New(httpapi.Config{Service: &audit.Service{}, Reports: nil, Ready: nil, PublicURL: bad})
		assert.Error(t, err, bad)
	}
}

// The certificate of a mystery order is the staff's, as every read of mystery orders.
func TestMysteryOrderCertificate(t *testing.T) {
	h := newHarnessWith(t, httpapi.Config{Certificates: httpapi.FakeCertificates{}})
	mo := h.createMO(moDoc(t, h.Own.ID, "MO-CERT"), http.StatusCreated)
	path := "/api/v1/mystery-orders/" + mo.ID + "/certificate.pdf"
	res := h.do(http.MethodGet, path, h.token(audit.RoleTechnician), nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	c := certificateDoc(t, res)
	assert.Equal(t, reports.SourceMysteryOrder, c.Source)
	assert.Equal(t, reports.MysteryOrderLab, c.Lab, "inspected by the quality team")
	rec, err := h.st.MysteryOrder(context.Background(), mo.ID)
	require.NoError(t, err)
	assert.Equal(t, audit.FormatVerificationCode(rec.VerificationCode), c.Code)
	assert.Equal(t, rec.CreatedAt, c.TestedAt)
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodGet, path, h.token(audit.RoleSeller), nil).Code)
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/mystery-orders/mo_missing/certificate.pdf", h.token(audit.RoleManager), nil).Code)
}

// A renderer that fails is 500 with a problem, never a truncated PDF.
func TestCertificateRendererFailure(t *testing.T) {
	// A 500 is no answer of the contract: the request goes around the harness's check.
	h := newHarnessWith(t, httpapi.Config{Certificates: httpapi.FakeCertificates{Err: assert.AnError}})
	bt := h.createBenchTest(benchTestDoc(t, h.Own.ID, ""), http.StatusCreated)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/bench-tests/"+bt.ID+"/certificate.pdf", nil)
	req.Header.Set("Authorization", "Bearer "+h.token(audit.RoleManager))
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	assert.NotContains(t, rec.Body.String(), "%PDF")
}

// verification is the JSON of a verification, as a client reads it.
type verification struct {
	VerificationCode string `json:"verification_code"`
	VerificationURL  string `json:"verification_url"`
	Record           string `json:"record"`
	Device           struct {
		Category, Brand, Model string
		StorageGB              *int    `json:"storage_gb"`
		IdentifierKind         *string `json:"identifier_kind"`
		Identifier             *string `json:"identifier"`
	} `json:"device"`
	Grade    grade `json:"grade"`
	Cosmetic []struct {
		Zone, Marks string
	} `json:"cosmetic"`
	Battery struct {
		HealthPct float64 `json:"health_pct"`
		Genuine   bool
		Summary   string
	} `json:"battery"`
	FunctionalTests []struct {
		Outcome, Label string
		Tests          []string
	} `json:"functional_tests"`
	CompliancePassed []string  `json:"compliance_passed"`
	ComplianceFailed []string  `json:"compliance_failed"`
	NonGenuineParts  []string  `json:"non_genuine_parts"`
	PartsDisclosed   bool      `json:"parts_disclosed"`
	Lab              string    `json:"lab"`
	TestedAt         time.Time `json:"tested_at"`
	Issued           string    `json:"issued"`
	Superseded       bool      `json:"superseded"`
	Correction       *grade    `json:"correction"`
}

// grade is a grade of a verification.
type grade struct {
	Status, Cosmetic, Label, Meaning string
	Marketplace, Functional          *string
	FunctionalLabel                  string     `json:"functional_label"`
	CosmeticLabel                    string     `json:"cosmetic_label"`
	CorrectedAt                      *time.Time `json:"corrected_at"`
}

// browser is the Accept header of a browser.
const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// GET /verify/{code}, without a key: the certificate's contents as a page, or as JSON to a
// client that asks for it, from any form of the code; never the seller's contact nor the full
// IMEI; a superseded record says so, with the grade that stands; an unknown code is 404, a
// page or a problem document per Accept.
func TestVerification(t *testing.T) {
	h := newHarness(t)
	d := benchTestDoc(t, h.Own.ID, "VERIFY-1")
	set(d, "inspection.cosmetic.body", doc{"light_scratches": 2, "deep_scratches": 0, "dents": 0, "chips": 0, "cracks": 0, "visible_from_cm": 15})
	set(d, "inspection.parts.non_genuine", []string{"battery"})
	set(d, "inspection.functional.nfc", "fail")
	bt := h.createBenchTest(d, http.StatusCreated)
	code := codeOf(t, h, bt.ID)
	dashed := audit.FormatVerificationCode(code)

	var v verification
	for _, form := range []string{dashed, code, strings.ToLower(dashed), strings.ToLower(code)} {
		res := h.do(http.MethodGet, "/verify/"+form, "", nil, "Accept", "application/json")
		require.Equal(t, http.StatusOK, res.Code, "%s: %s", form, res.Body)
		assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
		assert.Contains(t, res.Header.Values("Vary"), "Accept")
		assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"))
		assert.Equal(t, "noindex", res.Header.Get("X-Robots-Tag"))
		assert.NotContains(t, string(res.Body), fullIMEI)
		assert.NotContains(t, string(res.Body), ownContact)
		assert.NotContains(t, string(res.Body), h.Own.Name, "nothing of the seller")
		res.JSON(t, &v)
	}
	assert.Equal(t, dashed, v.VerificationCode)
	assert.Equal(t, "http://example.com/verify/"+dashed, v.VerificationURL)
	assert.Equal(t, "bench_test", v.Record)
	assert.Equal(t, "iPhone 13", v.Device.Model)
	assert.Equal(t, "imei", *v.Device.IdentifierKind)
	assert.Equal(t, "•••••••••••3809", *v.Device.Identifier)
	assert.Equal(t, 128, *v.Device.StorageGB)
	assert.Equal(t, "not_sellable", v.Grade.Status, "nfc, a minor test, failed: F1")
	assert.Nil(t, v.Grade.Marketplace)
	assert.Equal(t, "F1", *v.Grade.Functional)
	assert.Equal(t, "Not for sale", v.Grade.Label)
	assert.Equal(t, "B · Light wear", v.Grade.CosmeticLabel)
	require.Len(t, v.Cosmetic, 2)
	assert.Equal(t, "body", v.Cosmetic[1].Zone)
	assert.Equal(t, "2 light scratches · visible from 15 cm", v.Cosmetic[1].Marks)
	assert.Equal(t, 95.5, v.Battery.HealthPct)
	assert.Contains(t, v.Battery.Summary, "genuine battery")
	require.Len(t, v.FunctionalTests, 2)
	assert.Equal(t, "fail", v.FunctionalTests[1].Outcome)
	assert.Equal(t, []string{"NFC"}, v.FunctionalTests[1].Tests)
	assert.Len(t, v.CompliancePassed, 8)
	assert.Equal(t, []string{}, v.ComplianceFailed)
	assert.Equal(t, []string{"Battery"}, v.NonGenuineParts)
	assert.Equal(t, "Lyon lab 2", v.Lab)
	assert.False(t, v.Superseded)
	assert.Nil(t, v.Correction)

	page := h.do(http.MethodGet, "/verify/"+dashed, "", nil, "Accept", browser)
	require.Equal(t, http.StatusOK, page.Code)
	assert.Equal(t, "text/html; charset=utf-8", page.Header.Get("Content-Type"))
	assert.Equal(t, "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'", page.Header.Get("Content-Security-Policy"))
	html := string(page.Body)
	for _, want := range []string{"<h1>Device grade certificate " + dashed + "</h1>", "•••••••••••3809",
		"Apple iPhone 13 (Smartphone)", "Lyon lab 2", "Ruleset 2026.1", "2 October 2026", "B · Light wear", "95.5%", "NFC",
		"Battery", "Disclosed in the listing.", "has not been corrected since"} {
		assert.Contains(t, html, want)
	}
	assert.NotContains(t, html, fullIMEI)
	assert.NotContains(t, html, ownContact)
	assert.NotContains(t, html, "<script")
	assert.NotContains(t, html, "style=")
	for _, accept := range []string{"", "*/*", "application/json, text/html", "application/json;q=0.5, text/html", "application/json;q=0"} {
		res := h.do(http.MethodGet, "/verify/"+code, "", nil, "Accept", accept)
		assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"), "Accept %q gets the page", accept)
	}
	res := h.do(http.MethodGet, "/verify/"+code, "", nil, "Accept", "text/html;q=0.5, application/json")
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"), "JSON preferred")
	res = h.do(http.MethodHead, "/verify/"+code, "", nil)
	assert.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, page.Header.Get("Content-Length"), res.Header.Get("Content-Length"))
	res = h.do(http.MethodGet, "/verify/"+code, "", nil, "Accept-Encoding", "gzip")
	assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"), "a page over 1 KiB is gzipped")
	assert.Empty(t, res.Header.Get("Content-Length"), "of the gzipped bytes, unknown before they are written")

	// A correction: the old code says it has been superseded, with the grade that stands.
	fix := set(benchTestDoc(t, h.Own.ID, "VERIFY-1"), "inspection.cosmetic.screen",
		doc{"light_scratches": 0, "deep_scratches": 0, "dents": 0, "chips": 0, "cracks": 1, "visible_from_cm": 100})
	require.Equal(t, http.StatusCreated, h.do(http.MethodPost, "/api/v1/bench-tests/"+bt.ID+"/corrections", h.token(audit.RoleTechnician), fix).Code)
	h.do(http.MethodGet, "/verify/"+code, "", nil, "Accept", "application/json").JSON(t, &v)
	assert.True(t, v.Superseded)
	require.NotNil(t, v.Correction)
	assert.Equal(t, "not_sellable", v.Correction.Status)
	assert.Equal(t, "E", v.Correction.Cosmetic)
	assert.Equal(t, "E · Cracked", v.Correction.CosmeticLabel)
	require.NotNil(t, v.Correction.CorrectedAt)
	assert.Equal(t, "F1", *v.Grade.Functional, "the certificate's own grade, as it was")
	html = string(h.do(http.MethodGet, "/verify/"+code, "", nil, "Accept", browser).Body)
	assert.Contains(t, html, "Superseded by a correction")
	assert.Contains(t, html, "cosmetic E · Cracked")

	// Unknown codes, and what cannot be a code.
	for _, unknown := range []string{"ZZZZ-ZZZZ-ZZZZ-ZZZZ", "nope", "bt_" + bt.ID, strings.Repeat("A", 200), "%00", "%FF"} {
		res := h.do(http.MethodGet, "/verify/"+unknown, "", nil, "Accept", "application/json")
		assert.Equal(t, http.StatusNotFound, res.Code, unknown)
		assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"), unknown)
		res = h.do(http.MethodGet, "/verify/"+unknown, "", nil, "Accept", browser)
		assert.Equal(t, http.StatusNotFound, res.Code, unknown)
		assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"), unknown)
		assert.Contains(t, string(res.Body), "No device grade certificate has this verification code")
		assert.Contains(t, res.Header.Values("Vary"), "Accept")
	}
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodHead, "/verify/ZZZZZZZZZZZZZZZZ", "", nil).Code)
}

// A mystery order is verified like a bench test; it has no lab.
func TestVerificationOfAMysteryOrder(t *testing.T) {
	h := newHarness(t)
	mo := h.createMO(moDoc(t, h.Own.ID, "MO-V"), http.StatusCreated)
	rec, err := h.st.MysteryOrder(context.Background(), mo.ID)
	require.NoError(t, err)
	var v verification
	res := h.do(http.MethodGet, "/verify/"+rec.VerificationCode, "", nil, "Accept", "application/json")
	require.Equal(t, http.StatusOK, res.Code)
	res.JSON(t, &v)
	assert.Equal(t, "mystery_order", v.Record)
	assert.Equal(t, reports.MysteryOrderLab, v.Lab)
	assert.NotContains(t, string(res.Body), fullIMEI)
	html := string(h.do(http.MethodGet, "/verify/"+rec.VerificationCode, "", nil).Body)
	assert.Contains(t, html, "Tested by</dt><dd>"+reports.MysteryOrderLab)
	assert.NotContains(t, html, fullIMEI)
}

// GET /verify is the form; with ?code= it redirects to the code's verification, canonical
// when it reads as a code; a code no one could type is 422.
func TestVerifyForm(t *testing.T) {
	h := newHarness(t)
	res := h.do(http.MethodGet, "/verify", "", nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, string(res.Body), `<form method="get" action="verify">`)
	assert.Contains(t, string(res.Body), `<label for="code">`)
	for typed, want := range map[string]string{
		"7k3mq9xd2r4tvw8h":        "verify/7K3M-Q9XD-2R4T-VW8H",
		"  7K3M Q9XD 2R4T VW8H  ": "verify/7K3M-Q9XD-2R4T-VW8H",
		"not a code":              "verify/not%20a%20code",
		"":                        "verify/",
	} {
		req := httptest.NewRequest(http.MethodGet, "/verify?code="+strings.ReplaceAll(typed, " ", "+"), nil)
		res := h.send(req, nil)
		assert.Equal(t, http.StatusSeeOther, res.Code, typed)
		assert.Equal(t, want, res.Header.Get("Location"), typed)
	}
	res = h.do(http.MethodGet, "/verify?code="+strings.Repeat("A", 65), "", nil, "Accept", "application/json")
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"code"}, problemFields(t, res))
	res = h.do(http.MethodGet, "/verify?code=%07", "", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Contains(t, string(res.Body), "code must be at most 64 characters of one line")
}

// from is a request from a client address.
func from(addr, path, accept string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = addr
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return req
}

// The public pages are limited per client address, found codes and unknown ones alike: over
// the burst, 429 with Retry-After, a page or a problem per Accept, until the bucket refills; an
// IPv6 client is one /64; other addresses, and the API's keys, are not affected.
func TestVerificationRateLimit(t *testing.T) {
	now := time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)
	h := newHarnessWith(t, httpapi.Config{PublicRateLimit: 0.5, PublicRateBurst: 3, Now: func() time.Time { return now }})
	bt := h.createBenchTest(benchTestDoc(t, h.Own.ID, ""), http.StatusCreated)
	good := "/verify/" + codeOf(t, h, bt.ID)

	for i, p := range []string{good, "/verify/ZZZZZZZZZZZZZZZZ", "/verify"} {
		assert.Less(t, h.send(from("192.0.2.7:1111", p, ""), nil).Code, 429, "request %d", i)
	}
	res := h.send(from("192.0.2.7:2222", good, "application/json"), nil)
	require.Equal(t, http.StatusTooManyRequests, res.Code, "the fourth within the burst of three")
	assert.Equal(t, "2", res.Header.Get("Retry-After"), "one token every two seconds")
	assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	res = h.send(from("192.0.2.7:2222", good, browser), nil)
	require.Equal(t, http.StatusTooManyRequests, res.Code)
	assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Contains(t, string(res.Body), "Wait 2 seconds")
	assert.Equal(t, "2", res.Header.Get("Retry-After"))
	assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"), "the headers of the page hold for its 429")

	assert.Equal(t, http.StatusOK, h.send(from("192.0.2.8:1111", good, ""), nil).Code, "another address")
	assert.Equal(t, http.StatusOK, h.do(http.MethodGet, "/api/v1/bench-tests/"+bt.ID, h.token(audit.RoleTechnician), nil).Code,
		"the API's keys have their own limit")
	assert.Equal(t, http.StatusOK, h.send(from("192.0.2.7:3333", "/healthz", ""), nil).Code, "operations are not limited")

	for range 3 {
		require.Equal(t, http.StatusOK, h.send(from("[2001:db8:1:2::a]:1", good, ""), nil).Code)
	}
	assert.Equal(t, http.StatusTooManyRequests, h.send(from("[2001:db8:1:2:ffff::1]:1", good, ""), nil).Code, "the same /64")
	assert.Equal(t, http.StatusOK, h.send(from("[2001:db8:1:3::a]:1", good, ""), nil).Code, "another /64")

	now = now.Add(2 * time.Second)
	assert.Equal(t, http.StatusOK, h.send(from("192.0.2.7:1111", good, ""), nil).Code, "a token back")
	assert.Equal(t, http.StatusTooManyRequests, h.send(from("192.0.2.7:1111", good, ""), nil).Code, "and only one")
}

// The kept answers of verifications are what a fresh one would be, and a correction stored
// behind this server's back (by another instance: here, straight into the store) shows at the
// next request, page and JSON alike.
func TestVerificationCacheFollowsTheDatabase(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	bt := h.createBenchTest(benchTestDoc(t, h.Own.ID, "CACHE-1"), http.StatusCreated)
	code := codeOf(t, h, bt.ID)
	for _, accept := range []string{"application/json", browser} {
		first := h.do(http.MethodGet, "/verify/"+code, "", nil, "Accept", accept)
		require.Equal(t, http.StatusOK, first.Code)
		second := h.do(http.MethodGet, "/verify/"+strings.ToLower(code), "", nil, "Accept", accept)
		assert.Equal(t, first.Body, second.Body, "%s: kept, and the same", accept)
		assert.Equal(t, first.Header.Get("Content-Type"), second.Header.Get("Content-Type"))
	}

	rec, err := h.st.BenchTest(ctx, bt.ID)
	require.NoError(t, err)
	fix := rec.BenchTest
	fix.VerificationCode, fix.Inspection.Cosmetic.Screen = "", grading.Zone{Cracks: 1, VisibleFromCM: 100}
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	audit.DeriveBenchTest(&fix, ps[grading.Smartphone])
	_, err = h.st.CorrectBenchTest(ctx, system, bt.ID, fix)
	require.NoError(t, err)
	var v verification
	h.do(http.MethodGet, "/verify/"+code, "", nil, "Accept", "application/json").JSON(t, &v)
	assert.True(t, v.Superseded, "seen at once")
	require.NotNil(t, v.Correction)
	assert.Equal(t, "E", v.Correction.Cosmetic)
	assert.Contains(t, string(h.do(http.MethodGet, "/verify/"+code, "", nil, "Accept", browser).Body), "Superseded by a correction")
}
