package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/store"
)

// gunzip decodes a gzipped body.
func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return out
}

// TestHeadAnswersLikeGet: every GET route answers HEAD with the status and headers of GET
// (the Content-Length of the body GET sends, gzipped or not) and no body; HEAD obeys the
// same role rules and conditional requests (api.md, Conventions).
func TestHeadAnswersLikeGet(t *testing.T) {
	h := newHarness(t)
	f := seedAuthz(t, h)
	manager, seller := h.token(audit.RoleManager), h.token(audit.RoleSeller)
	tests := []struct {
		name, path, token string
		headers           []string
	}{
		{"public", "/healthz", "", nil},
		{"OpenAPI document", "/api/v1/openapi.json", "", nil},
		{"OpenAPI document gzipped", "/api/v1/openapi.json", "", []string{"Accept-Encoding", "gzip"}},
		{"list", "/api/v1/sellers", manager, nil},
		{"approved scorecard", "/api/v1/scorecards/" + f.ownApproved, seller, nil},
		{"approved scorecard gzipped", "/api/v1/scorecards/" + f.ownApproved, manager, []string{"Accept-Encoding", "gzip"}},
		{"draft scorecard", "/api/v1/scorecards/" + f.ownDraft, manager, nil},
		{"report", "/api/v1/scorecards/" + f.ownApproved + "/report.pdf", manager, nil},
		{"charter version", "/api/v1/charters/2026.1", manager, nil},
		{"problem page", "/problems/validation", "", nil},
		{"no token", "/api/v1/sellers", "", nil},
		{"role outside the rule", "/api/v1/keys", manager, nil},
		{"another seller's scorecard", "/api/v1/scorecards/" + f.otherApproved, seller, nil},
		{"not found", "/api/v1/sellers/sl_missing", manager, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			get := h.do(http.MethodGet, tt.path, tt.token, nil, tt.headers...)
			head := h.do(http.MethodHead, tt.path, tt.token, nil, tt.headers...)
			require.NotEqual(t, http.StatusMethodNotAllowed, head.Code)
			assert.Equal(t, get.Code, head.Code)
			assert.Empty(t, head.Body)
			assert.Equal(t, len(get.Body), headerInt(t, head.Header, "Content-Length"), "HEAD says the length GET sends")
			for _, k := range []string{"Content-Type", "Content-Encoding", "Etag", "Vary", "Cache-Control", "Content-Disposition", "Www-Authenticate"} {
				assert.Equal(t, get.Header.Values(k), head.Header.Values(k), "header %s", k)
			}
		})
	}
	t.Run("conditional", func(t *testing.T) {
		get := h.do(http.MethodGet, "/api/v1/scorecards/"+f.ownApproved, seller, nil)
		require.NotEmpty(t, get.Header.Get("ETag"))
		head := h.do(http.MethodHead, "/api/v1/scorecards/"+f.ownApproved, seller, nil, "If-None-Match", get.Header.Get("ETag"))
		assert.Equal(t, http.StatusNotModified, head.Code)
	})
}

func headerInt(t *testing.T, hdr http.Header, k string) int {
	t.Helper()
	n, err := strconv.Atoi(hdr.Get(k))
	require.NoError(t, err, "%s: %q", k, hdr.Get(k))
	return n
}

// TestGzip: bodies larger than 1 KiB are gzipped for clients that accept gzip, and only for
// them; every answer says Vary: Accept-Encoding. The PDF report and the scorecard cache's
// pre-encoded bytes come out whole.
func TestGzip(t *testing.T) {
	h := newHarness(t)
	f := seedAuthz(t, h)
	manager := h.token(audit.RoleManager)
	for _, path := range []string{"/api/v1/openapi.json", "/api/v1/scorecards/" + f.ownApproved,
		"/api/v1/scorecards/" + f.ownDraft, "/api/v1/scorecards/" + f.ownApproved + "/report.pdf", "/api/v1/charters/2026.1"} {
		t.Run(path, func(t *testing.T) {
			plain := h.do(http.MethodGet, path, manager, nil)
			require.Equal(t, http.StatusOK, plain.Code)
			require.Greater(t, len(plain.Body), 1024)
			assert.Empty(t, plain.Header.Get("Content-Encoding"))
			assert.Equal(t, []string{"Accept-Encoding"}, plain.Header.Values("Vary"))

			// Twice: the second read of an approved scorecard comes from the cache.
			for range 2 {
				zipped := h.do(http.MethodGet, path, manager, nil, "Accept-Encoding", "br;q=1.0, gzip;q=0.8")
				require.Equal(t, http.StatusOK, zipped.Code)
				assert.Equal(t, "gzip", zipped.Header.Get("Content-Encoding"))
				assert.Equal(t, []string{"Accept-Encoding"}, zipped.Header.Values("Vary"))
				assert.Equal(t, plain.Header.Get("Content-Type"), zipped.Header.Get("Content-Type"))
				assert.Less(t, len(zipped.Body), len(plain.Body))
				assert.Equal(t, plain.Body, gunzip(t, zipped.Body), "the same bytes, compressed")
			}

			for _, ae := range []string{"gzip;q=0", "identity", "br", "deflate, x-gzip;q=0"} {
				res := h.do(http.MethodGet, path, manager, nil, "Accept-Encoding", ae)
				assert.Empty(t, res.Header.Get("Content-Encoding"), ae)
				assert.Equal(t, plain.Body, res.Body, ae)
			}
		})
	}
	// Small bodies are not compressed.
	res := h.do(http.MethodGet, "/healthz", "", nil, "Accept-Encoding", "gzip")
	assert.Empty(t, res.Header.Get("Content-Encoding"))
	assert.Equal(t, []string{"Accept-Encoding"}, res.Header.Values("Vary"))
	assert.JSONEq(t, `{"status":"ok"}`, string(res.Body))

	// /metrics is compressed once, by the same middleware (not again by promhttp).
	res = h.do(http.MethodGet, "/metrics", "", nil, "Accept-Encoding", "gzip")
	require.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
	assert.Contains(t, string(gunzip(t, res.Body)), "refurbqa_http_requests_total")
}

// TestETags: what cannot change (an approved scorecard, its report, a charter version, the
// OpenAPI document) has a strong ETag of its representation, and If-None-Match naming it is
// 304; drafts have none. The gzipped representation has a tag of its own.
func TestETags(t *testing.T) {
	h := newHarness(t)
	f := seedAuthz(t, h)
	manager, seller := h.token(audit.RoleManager), h.token(audit.RoleSeller)
	final := []struct{ name, path, token string }{
		{"approved scorecard", "/api/v1/scorecards/" + f.ownApproved, seller},
		{"approved scorecard, staff", "/api/v1/scorecards/" + f.ownApproved, manager},
		{"report", "/api/v1/scorecards/" + f.ownApproved + "/report.pdf", seller},
		{"charter version", "/api/v1/charters/2026.1", manager},
		{"OpenAPI document", "/api/v1/openapi.json", ""},
	}
	for _, tt := range final {
		t.Run(tt.name, func(t *testing.T) {
			first := h.do(http.MethodGet, tt.path, tt.token, nil)
			require.Equal(t, http.StatusOK, first.Code)
			tag := first.Header.Get("ETag")
			require.Regexp(t, `^"[A-Za-z0-9_-]+"$`, tag, "a strong entity tag")
			again := h.do(http.MethodGet, tt.path, tt.token, nil)
			assert.Equal(t, tag, again.Header.Get("ETag"), "the same representation, the same tag")
			assert.Equal(t, first.Body, again.Body)

			for _, inm := range []string{tag, "W/" + tag, `"other", ` + tag, "*"} {
				res := h.do(http.MethodGet, tt.path, tt.token, nil, "If-None-Match", inm)
				assert.Equal(t, http.StatusNotModified, res.Code, "If-None-Match: %s", inm)
				assert.Empty(t, res.Body)
				assert.Equal(t, tag, res.Header.Get("ETag"))
				assert.Equal(t, first.Header.Get("Cache-Control"), res.Header.Get("Cache-Control"))
			}
			for _, inm := range []string{`"other"`, strings.TrimSuffix(tag, `"`) + `x"`, "garbage"} {
				res := h.do(http.MethodGet, tt.path, tt.token, nil, "If-None-Match", inm)
				assert.Equal(t, http.StatusOK, res.Code, "If-None-Match: %s", inm)
				assert.Equal(t, first.Body, res.Body)
			}

			zipped := h.do(http.MethodGet, tt.path, tt.token, nil, "Accept-Encoding", "gzip")
			require.Equal(t, "gzip", zipped.Header.Get("Content-Encoding"))
			ztag := zipped.Header.Get("ETag")
			assert.NotEqual(t, tag, ztag, "the gzipped bytes are another representation")
			assert.Regexp(t, `^"[A-Za-z0-9_-]+"$`, ztag)
			res := h.do(http.MethodGet, tt.path, tt.token, nil, "Accept-Encoding", "gzip", "If-None-Match", ztag)
			assert.Equal(t, http.StatusNotModified, res.Code)
			assert.Equal(t, ztag, res.Header.Get("ETag"))
			res = h.do(http.MethodGet, tt.path, tt.token, nil, "Accept-Encoding", "gzip", "If-None-Match", tag)
			assert.Equal(t, http.StatusOK, res.Code, "the identity tag does not name the gzipped representation")
			res = h.do(http.MethodGet, tt.path, tt.token, nil, "If-None-Match", ztag)
			assert.Equal(t, http.StatusOK, res.Code, "nor the other way round")
		})
	}

	t.Run("drafts have no tag", func(t *testing.T) {
		for _, path := range []string{"/api/v1/scorecards/" + f.ownDraft, "/api/v1/scorecards/" + f.ownDraft + "/report.pdf"} {
			res := h.do(http.MethodGet, path, manager, nil)
			require.Equal(t, http.StatusOK, res.Code)
			assert.Empty(t, res.Header.Get("ETag"), path)
			assert.Equal(t, http.StatusOK, h.do(http.MethodGet, path, manager, nil, "If-None-Match", "*").Code, path)
		}
	})
	t.Run("a tag does not open another seller's scorecard", func(t *testing.T) {
		tag := h.do(http.MethodGet, "/api/v1/scorecards/"+f.otherApproved, manager, nil).Header.Get("ETag")
		require.NotEmpty(t, tag)
		res := h.do(http.MethodGet, "/api/v1/scorecards/"+f.otherApproved, seller, nil, "If-None-Match", tag)
		assert.Equal(t, http.StatusNotFound, res.Code)
	})
	t.Run("a charter version's tag follows its representation", func(t *testing.T) {
		before := h.do(http.MethodGet, "/api/v1/charters/2026.1", manager, nil).Header.Get("ETag")
		d := h.charterDraft("2027.1")
		d["activate"] = true
		require.Equal(t, http.StatusCreated, h.do(http.MethodPost, "/api/v1/charters", manager, d).Code)
		after := h.do(http.MethodGet, "/api/v1/charters/2026.1", manager, nil, "If-None-Match", before)
		assert.Equal(t, http.StatusOK, after.Code, "2026.1 is no longer active: another representation")
		assert.NotEqual(t, before, after.Header.Get("ETag"))
		assert.False(t, after.Map(t)["active"].(bool))
	})
}

// TestContentTypes: a JSON endpoint sent a body of another Content-Type, or of none, is 415
// problem+json; parameters such as charset=utf-8 are fine. The KPI import takes text/csv only.
func TestContentTypes(t *testing.T) {
	h := newHarness(t)
	f := seedAuthz(t, h)
	manager := h.token(audit.RoleManager)
	seller := doc{"name": "Typed Refurb", "country": "FR", "contact_email": "typed@example.com"}
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/jsonx", "application/problem+json",
		"application/json; charset=iso-8859-1", "application/json;;", ""} {
		res := h.do(http.MethodPost, "/api/v1/sellers", manager, seller, "Content-Type", ct)
		assert.Equal(t, http.StatusUnsupportedMediaType, res.Code, "Content-Type %q: %s", ct, res.Body)
	}
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON; Charset=UTF-8"} {
		s := doc{"name": "Typed " + ct, "country": "FR", "contact_email": "typed@example.com"}
		res := h.do(http.MethodPost, "/api/v1/sellers", manager, s, "Content-Type", ct)
		assert.Equal(t, http.StatusCreated, res.Code, "Content-Type %q: %s", ct, res.Body)
	}
	// Every JSON endpoint reads its body the same way.
	for _, path := range []string{"/api/v1/keys", "/api/v1/grading/preview", "/api/v1/bench-tests", "/api/v1/bench-tests/batch",
		"/api/v1/mystery-orders", "/api/v1/audits", "/api/v1/audits/batch", "/api/v1/charters", "/api/v1/scorecards/" + f.ownDraft + "/approve"} {
		res := h.do(http.MethodPost, path, h.token(audit.RoleAdmin), doc{}, "Content-Type", "text/plain")
		assert.Equal(t, http.StatusUnsupportedMediaType, res.Code, "%s: %s", path, res.Body)
	}
	res := h.do(http.MethodPut, kpiPath(h.Own.ID, "2026-08"), manager, kpiDoc(), "Content-Type", "text/csv")
	assert.Equal(t, http.StatusUnsupportedMediaType, res.Code)
	// A body that may be left out may be left out without a Content-Type.
	res = h.do(http.MethodPost, "/api/v1/scorecards/"+f.ownDraft+"/approve", manager, nil)
	assert.Equal(t, http.StatusOK, res.Code, "%s", res.Body)

	// The KPI import keeps taking text/csv only (TestKPIImport checks more types).
	csv := kpiHeader + kpiRow(h.Own.ID, "2026-08", 10)
	res = h.do(http.MethodPost, "/api/v1/kpis/import", manager, csv, "Content-Type", "application/json")
	assert.Equal(t, http.StatusUnsupportedMediaType, res.Code)
	res = h.do(http.MethodPost, "/api/v1/kpis/import", manager, csv, "Content-Type", "text/csv; charset=utf-8")
	assert.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
}

// TestProblemTypes: every problem type is an absolute URI built from the request's Host, of a
// short, public, well-formed HTML page the server serves; a Host that is not a plain host name
// never reaches an answer.
func TestProblemTypes(t *testing.T) {
	h := newHarness(t)
	manager := h.token(audit.RoleManager)
	problem := func(r *response) httpapi.Problem {
		var p httpapi.Problem
		r.JSON(t, &p)
		return p
	}
	res := h.do(http.MethodGet, "/api/v1/sellers/sl_missing", manager, nil)
	assert.Equal(t, "http://example.com/problems/not-found", problem(res).Type, "httptest's Host is example.com")
	res = h.do(http.MethodPost, "/api/v1/sellers", manager, doc{})
	assert.Equal(t, "http://example.com/problems/validation", problem(res).Type)

	for _, host := range []string{"api.example.org:8443", "127.0.0.1:8080", "[::1]:8080", "localhost"} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/sellers", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		var p httpapi.Problem
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
		assert.Equal(t, "http://"+host+"/problems/unauthorized", p.Type)
	}
	for _, host := range []string{`evil.example"><script>alert(1)</script>`, "a b", "x.example:80:80", "x.example:http", "", "[::1", "user@x.example"} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/sellers", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		var p httpapi.Problem
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
		assert.Equal(t, "about:blank", p.Type, "Host %q", host)
	}

	// Every kind the OpenAPI document names has its page: small, public, valid HTML.
	var spec struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string
				Schema struct{ Enum []string }
			}
		}
	}
	require.NoError(t, json.Unmarshal(h.do(http.MethodGet, "/api/v1/openapi.json", "", nil).Body, &spec))
	params := spec.Paths["/problems/{kind}"]["get"].Parameters
	require.NotEmpty(t, params, "GET /problems/{kind} is documented")
	kinds := params[0].Schema.Enum
	require.Contains(t, kinds, "validation")
	require.Contains(t, kinds, "request-timeout")
	require.Contains(t, kinds, "unsupported-media-type")
	for _, kind := range kinds {
		page := h.do(http.MethodGet, "/problems/"+kind, "", nil)
		require.Equal(t, http.StatusOK, page.Code, kind)
		assert.Equal(t, "text/html; charset=utf-8", page.Header.Get("Content-Type"))
		assert.Equal(t, "nosniff", page.Header.Get("X-Content-Type-Options"))
		assert.Less(t, len(page.Body), 4096, "a short page")
		assert.True(t, bytes.HasPrefix(page.Body, []byte("<!DOCTYPE html>\n<html lang=\"en\">")), kind)
		assert.Contains(t, string(page.Body), "<title>")
		dec := xml.NewDecoder(bytes.NewReader(page.Body))
		for {
			_, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, "%s is well-formed", kind)
		}
	}
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/problems/no-such-kind", "", nil).Code)
}

// TestMethodLabel: the metrics' method label is one of the standard methods or "other", so a
// made-up method cannot add series.
func TestMethodLabel(t *testing.T) {
	h := newHarness(t)
	for _, m := range []string{"FROBNICATE", "get", "PROPFIND"} {
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, httptest.NewRequest(m, "/api/v1/sellers", nil))
		assert.Less(t, rec.Code, 500)
	}
	h.do(http.MethodHead, "/healthz", "", nil)
	body := string(h.do(http.MethodGet, "/metrics", "", nil).Body)
	for _, want := range []string{`refurbqa_http_requests_total{method="other",`,
		`refurbqa_http_requests_total{method="HEAD",route="/healthz",status="200"} 1`} {
		assert.True(t, strings.Contains(body, want), "/metrics has %s", want)
	}
	for _, m := range []string{"FROBNICATE", "get", "PROPFIND"} {
		assert.False(t, strings.Contains(body, `method="`+m+`"`), "/metrics has no series of method %s", m)
	}
}

// TestRequestIDs: a client's X-Request-ID is kept only when it is at most 64 characters of
// [A-Za-z0-9._-]; anything else is replaced by a generated id. The request log names the
// latency with its unit.
func TestRequestIDs(t *testing.T) {
	var logs bytes.Buffer
	h := newHarnessWith(t, httpapi.Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	ok64 := strings.Repeat("a", 60) + "._-Z"
	for _, id := range []string{"abc", "req-1.2_3", ok64} {
		res := h.do(http.MethodGet, "/healthz", "", nil, "X-Request-ID", id)
		assert.Equal(t, id, res.Header.Get("X-Request-Id"))
	}
	for _, id := range []string{ok64 + "b", "has space", "semi;colon", "ünïcode", "a/b", `"quoted"`, "<b>"} {
		res := h.do(http.MethodGet, "/healthz", "", nil, "X-Request-ID", id)
		got := res.Header.Get("X-Request-Id")
		assert.NotEqual(t, id, got)
		assert.Regexp(t, `^req_[0-9a-z]+_[0-9a-z]+$`, got, "replaced by a generated id")
	}
	assert.Regexp(t, `^req_`, h.do(http.MethodGet, "/healthz", "", nil).Header.Get("X-Request-Id"))

	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		require.NoError(t, json.Unmarshal([]byte(l), &line))
		if line["msg"] == "request" && line["request_id"] == "req-1.2_3" {
			break
		}
	}
	require.Equal(t, "req-1.2_3", line["request_id"])
	assert.NotContains(t, line, "latency")
	ms, ok := line["latency_ms"].(float64)
	assert.True(t, ok, "latency_ms is a number: %v", line)
	assert.GreaterOrEqual(t, ms, 0.0)
}

// TestUndecodableQuery: a cursor (or any list parameter) whose percent-encoding is broken is
// 422 naming it, never silently the first page or no filter; a cursor no list made is 422
// naming cursor on every list, the KPI months included.
func TestUndecodableQuery(t *testing.T) {
	h := newHarness(t)
	manager := h.token(audit.RoleManager)
	for _, q := range []string{"cursor=%zz", "cursor=%", "cursor=abc%2", "cursor=a;b", "limit=1&cursor=%E0%A4%A"} {
		res := h.do(http.MethodGet, "/api/v1/sellers?"+q, manager, nil)
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s: %s", q, res.Body)
		assert.Equal(t, []string{"cursor"}, problemFields(t, res), q)
	}
	res := h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards?status=%zz", manager, nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"status"}, problemFields(t, res))
	res = h.do(http.MethodGet, "/api/v1/sellers?%zz=1", manager, nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"query"}, problemFields(t, res))

	// Well-formed base64, but not a cursor of this list.
	for _, path := range []string{"/api/v1/sellers/" + h.Own.ID + "/kpis", "/api/v1/sellers", "/api/v1/charters"} {
		res := h.do(http.MethodGet, path+"?cursor="+store.EncodeCursor("notamonth"), manager, nil)
		if path == "/api/v1/sellers" {
			assert.Equal(t, http.StatusOK, res.Code, "an id-shaped cursor positions an id list")
			continue
		}
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s: %s", path, res.Body)
		assert.Equal(t, []string{"cursor"}, problemFields(t, res), path)
	}
	res = h.do(http.MethodGet, "/api/v1/sellers?cursor=!!", manager, nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"cursor"}, problemFields(t, res))
}
