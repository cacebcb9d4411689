package httpapi_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi"
)

const (
	htmlAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" // a browser's
	jsonAccept = "application/json"
)

// publicGet asks for a public page without a key, with an Accept header ("" for none).
func (h *harness) publicGet(method, path, accept string, headers ...string) *response {
	h.t.Helper()
	if accept != "" {
		headers = append(headers, "Accept", accept)
	}
	return h.do(method, path, "", nil, headers...)
}

// profileJSON is a public profile as answered.
type profileJSON struct {
	SellerID string `json:"seller_id"`
	Name     string `json:"name"`
	Country  string `json:"country"`
	Status   string `json:"status"`
	Latest   *struct {
		PeriodStart    string   `json:"period_start"`
		PeriodEnd      string   `json:"period_end"`
		CharterVersion string   `json:"charter_version"`
		Score          *float64 `json:"score"`
		Tier           string   `json:"tier"`
		Points         []struct {
			Code   string `json:"code"`
			Title  string `json:"title"`
			Status string `json:"status"`
		} `json:"points"`
	} `json:"latest"`
	Trend []struct {
		PeriodStart string   `json:"period_start"`
		PeriodEnd   string   `json:"period_end"`
		Score       *float64 `json:"score"`
		Tier        string   `json:"tier"`
	} `json:"trend"`
}

// profileFixture is a seller with an approved scorecard of the fourth quarter of 2026 that
// failed points with evidence, distinctive KPI figures, and later drafts of March 2027, one
// superseded by the other.
type profileFixture struct {
	seller   string
	name     string
	contact  string
	approved scorecardBody
	titles   map[string]string // point code → title, as the scorecard says
	evidence []string          // every evidence id of the approved scorecard
	kpi      doc               // the figures of each of its three KPI months
	drafts   []string          // the superseded draft and the current one, of March 2027
}

func newProfileFixture(t *testing.T, h *harness) profileFixture {
	t.Helper()
	f := profileFixture{name: `Łódź <Serwis> & "Co"`, contact: "hidden-contact@lodz.example",
		// Figures of at least four digits, which no id or date of an answer holds by chance.
		kpi: doc{"orders": 48171, "shipped_late": 3771, "valid_tracking": 47903, "cancelled_before_shipment": 1613,
			"technical_returns_30d": 2833, "defective_orders": 1297, "messages_received": 9533, "messages_answered_within_1bd": 9119,
			"warranty_claims": 1471, "warranty_remedied_within_5bd": 1447, "warranty_months": 12}}
	manager := h.token(audit.RoleManager)
	res := h.do(http.MethodPost, "/api/v1/sellers", manager, doc{"name": f.name, "country": "PL", "contact_email": f.contact})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	f.seller = res.Map(t)["id"].(string)
	// Ten bench tests, the first two with a battery below 80%: failed points with evidence.
	weak := func(d doc) doc {
		d["inspection"].(doc)["battery"].(doc)["health_pct"] = 75
		return d
	}
	items := make([]doc, 10)
	for i := range items {
		var change func(doc) doc
		if i < 2 {
			change = weak
		}
		items[i] = auditUnit(t, f.seller, i, change)
	}
	h.auditUnits(items...)
	h.auditOrders(f.seller, 3)
	for _, m := range []string{"2026-10", "2026-11", "2026-12"} {
		h.auditKPIs(f.seller, m, func(d doc) {
			for k, v := range f.kpi {
				d[k] = v
			}
		})
	}
	draft := h.auditQ4(f.seller)
	res = h.do(http.MethodPost, "/api/v1/scorecards/"+draft.ID+"/approve", manager, doc{"comment": "seen"})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	res.JSON(t, &f.approved)
	var titled struct {
		Points []struct{ Code, Title string } `json:"points"`
	}
	res.JSON(t, &titled)
	f.titles = map[string]string{}
	for _, p := range titled.Points {
		f.titles[p.Code] = p.Title
	}
	for _, p := range f.approved.Points {
		f.evidence = append(f.evidence, p.Evidence...)
	}
	require.NotEmpty(t, f.evidence, "the fixture has evidence to keep out")
	// Two later audits of March 2027: a draft, superseded by a newer draft.
	for range 2 {
		res = h.do(http.MethodPost, "/api/v1/audits", manager, doc{"seller_id": f.seller, "period_start": "2027-03-01", "period_end": "2027-04-01"})
		require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
		f.drafts = append(f.drafts, res.Map(t)["id"].(string))
	}
	return f
}

// secrets are the texts a public profile must never carry: the contact, every evidence id,
// the KPI figures (each month's and the quarter's sums), and each point's value and threshold
// in the forms a page or a document would write them.
func (f profileFixture) secrets() []string {
	out := []string{f.contact, "hidden-contact"}
	out = append(out, f.evidence...)
	out = append(out, f.drafts...)
	for _, v := range f.kpi {
		if n := v.(int); n >= 1000 {
			out = append(out, strconv.Itoa(n), strconv.Itoa(3*n))
		}
	}
	for _, p := range f.approved.Points {
		// Rates, written whole, to three decimals and as a percentage; counts of at least
		// four digits (smaller ones are in every page, in dates and scores).
		if p.Value != math.Trunc(p.Value) {
			out = append(out, strconv.FormatFloat(p.Value, 'f', -1, 64), strconv.FormatFloat(p.Value, 'f', 3, 64),
				strconv.FormatFloat(100*p.Value, 'f', 1, 64)+"%")
		} else if p.Value >= 1000 {
			out = append(out, strconv.FormatFloat(p.Value, 'f', -1, 64))
		}
		out = append(out, p.Threshold)
	}
	return out
}

func TestPublicProfile(t *testing.T) {
	h := newHarness(t)
	f := newProfileFixture(t, h)
	path := "/public/sellers/" + f.seller
	require.NotNil(t, f.approved.Score)
	score := strconv.FormatFloat(*f.approved.Score, 'f', 1, 64)

	t.Run("JSON", func(t *testing.T) {
		res := h.publicGet(http.MethodGet, path, jsonAccept)
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
		assert.Contains(t, res.Header.Values("Vary"), "Accept")
		assert.Equal(t, "public, no-cache", res.Header.Get("Cache-Control"))

		// Exactly the fields of the spec, at every level.
		var raw map[string]any
		res.JSON(t, &raw)
		assert.ElementsMatch(t, []string{"seller_id", "name", "country", "status", "latest", "trend"}, keys(raw))
		latest := raw["latest"].(map[string]any)
		assert.ElementsMatch(t, []string{"period_start", "period_end", "charter_version", "score", "tier", "points"}, keys(latest))
		for _, p := range latest["points"].([]any) {
			assert.ElementsMatch(t, []string{"code", "title", "status"}, keys(p.(map[string]any)))
		}
		for _, m := range raw["trend"].([]any) {
			assert.ElementsMatch(t, []string{"period_start", "period_end", "score", "tier"}, keys(m.(map[string]any)))
		}

		var p profileJSON
		res.JSON(t, &p)
		assert.Equal(t, f.seller, p.SellerID)
		assert.Equal(t, f.name, p.Name)
		assert.Equal(t, "PL", p.Country)
		assert.Equal(t, "rated", p.Status)
		require.NotNil(t, p.Latest)
		assert.Equal(t, q4Start, p.Latest.PeriodStart)
		assert.Equal(t, q4End, p.Latest.PeriodEnd)
		assert.Equal(t, "2026.1", p.Latest.CharterVersion)
		assert.Equal(t, f.approved.Score, p.Latest.Score)
		assert.Equal(t, f.approved.Tier, p.Latest.Tier)
		require.Len(t, p.Latest.Points, len(f.approved.Points), "every charter point")
		statuses := map[string]int{}
		for i, pt := range p.Latest.Points {
			assert.Equal(t, f.approved.Points[i].Code, pt.Code, "charter order")
			assert.Equal(t, f.approved.Points[i].Status, pt.Status, pt.Code)
			assert.Equal(t, f.titles[pt.Code], pt.Title, pt.Code)
			assert.NotEmpty(t, pt.Title)
			statuses[pt.Status]++
		}
		assert.Positive(t, statuses["fail"], "the fixture fails points")
		assert.Positive(t, statuses["pass"])
		require.Len(t, p.Trend, 1, "the drafts of March are no part of the trend")
		assert.Equal(t, q4Start, p.Trend[0].PeriodStart)
		assert.Equal(t, f.approved.Score, p.Trend[0].Score)
		for _, s := range f.secrets() {
			assert.NotContains(t, string(res.Body), s, "the JSON gives nothing of the scorecard but its statuses")
		}
		assert.NotContains(t, string(res.Body), "2027-03", "no draft shows, superseded or not")
	})

	t.Run("page", func(t *testing.T) {
		res := h.publicGet(http.MethodGet, path, htmlAccept)
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
		assert.Equal(t, "default-src 'none'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
			res.Header.Get("Content-Security-Policy"))
		assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
		assert.Contains(t, res.Header.Values("Vary"), "Accept")
		assert.Equal(t, "public, no-cache", res.Header.Get("Cache-Control"))
		body := string(res.Body)
		assert.Contains(t, body, "<h1>Łódź &lt;Serwis&gt; &amp; &#34;Co&#34;</h1>", "the name, escaped")
		assert.NotContains(t, body, "<Serwis>")
		assert.Contains(t, body, "Country: PL.")
		assert.Contains(t, body, "<dt>Period</dt><dd>2026-10-01 to 2026-12-31</dd>")
		assert.Contains(t, body, "<dt>Score</dt><dd>"+score+" out of 100</dd>")
		assert.Contains(t, body, "<dt>Tier</dt><dd>"+strings.ReplaceAll(f.approved.Tier, "_", " "))
		for _, p := range f.approved.Points {
			status := strings.ReplaceAll(p.Status, "_", " ")
			assert.Contains(t, body, "<tr><th scope=\"row\">"+p.Code+"</th><td>"+htmlText(f.titles[p.Code])+"</td><td>"+status+"</td></tr>", p.Code)
		}
		assert.Contains(t, body, `<img src="/public/sellers/`+f.seller+`/badge.svg"`)
		for _, s := range f.secrets() {
			assert.NotContains(t, body, htmlText(s), "the page gives nothing of the scorecard but its statuses")
		}
		assert.NotContains(t, body, "2027-03", "no draft shows, superseded or not")
		// Strict CSP: nothing inline to allow.
		for _, bad := range []string{"<script", "<style", "style=", "javascript:", "<form", "<iframe"} {
			assert.NotContains(t, strings.ToLower(body), bad)
		}
		assert.NotRegexp(t, `(?i)\son[a-z]+=`, body, "no event handler attribute")
		assertWellFormed(t, res.Body)

		// Without an Accept header, and with */*, the page too.
		for _, accept := range []string{"", "*/*"} {
			res := h.publicGet(http.MethodGet, path, accept)
			require.Equal(t, http.StatusOK, res.Code)
			assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"), "Accept %q", accept)
		}
	})

	t.Run("badge", func(t *testing.T) {
		res := h.publicGet(http.MethodGet, path+"/badge.svg", "")
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		assert.Equal(t, "image/svg+xml; charset=utf-8", res.Header.Get("Content-Type"))
		assert.Equal(t, "public, max-age=300", res.Header.Get("Cache-Control"))
		assert.Equal(t, "cross-origin", res.Header.Get("Cross-Origin-Resource-Policy"), "shown on the seller's own shop pages")
		assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
		assert.Equal(t, "default-src 'none'", res.Header.Get("Content-Security-Policy"))
		body := string(res.Body)
		tier := strings.ReplaceAll(f.approved.Tier, "_", " ")
		assert.Contains(t, body, ">"+tier+" "+score+"</text>", "the tier and the score")
		assert.Contains(t, body, "<title>Quality of Łódź &lt;Serwis&gt; &amp; &#34;Co&#34; on the refurbqa marketplace: tier "+tier+", score "+score+" out of 100</title>")
		assert.NotContains(t, body, "<Serwis>", "the name, escaped")
		for _, bad := range []string{"<script", "<style", "style=", "onload", "href"} {
			assert.NotContains(t, body, bad)
		}
		for _, s := range f.secrets() {
			assert.NotContains(t, body, s)
		}
		root := assertWellFormed(t, res.Body)
		assert.Equal(t, xml.Name{Space: "http://www.w3.org/2000/svg", Local: "svg"}, root)
	})

	t.Run("revalidation", func(t *testing.T) {
		for _, tc := range []struct{ path, accept string }{{path, jsonAccept}, {path, htmlAccept}, {path + "/badge.svg", ""}} {
			res := h.publicGet(http.MethodGet, tc.path, tc.accept)
			require.Equal(t, http.StatusOK, res.Code)
			tag := res.Header.Get("ETag")
			require.NotEmpty(t, tag)
			again := h.publicGet(http.MethodGet, tc.path, tc.accept, "If-None-Match", tag)
			assert.Equal(t, http.StatusNotModified, again.Code, tc.path)
			assert.Empty(t, again.Body)
			head := h.publicGet(http.MethodHead, tc.path, tc.accept)
			assert.Equal(t, http.StatusOK, head.Code)
			assert.Equal(t, res.Header.Get("Content-Type"), head.Header.Get("Content-Type"))
			assert.Equal(t, strconv.Itoa(len(res.Body)), head.Header.Get("Content-Length"))
		}
		json1 := h.publicGet(http.MethodGet, path, jsonAccept).Header.Get("ETag")
		page1 := h.publicGet(http.MethodGet, path, htmlAccept).Header.Get("ETag")
		assert.NotEqual(t, json1, page1, "each representation has its own tag")
	})
}

// TestPublicProfileOnlyApproved follows one seller from its first draft to a newer approval:
// the public profile shows approved scorecards only, the latest of them as the rating, and the
// trend of the last six.
func TestPublicProfileOnlyApproved(t *testing.T) {
	h := newHarness(t)
	manager := h.token(audit.RoleManager)
	seller := h.newSeller("Monthly")
	path := "/public/sellers/" + seller
	read := func() profileJSON {
		t.Helper()
		res := h.publicGet(http.MethodGet, path, jsonAccept)
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		var p profileJSON
		res.JSON(t, &p)
		return p
	}
	month := func(i int) (string, string) {
		s := time.Date(2026, time.Month(1+i), 1, 0, 0, 0, 0, time.UTC)
		return s.Format(time.DateOnly), s.AddDate(0, 1, 0).Format(time.DateOnly)
	}
	auditMonth := func(i int) string {
		start, end := month(i)
		res := h.do(http.MethodPost, "/api/v1/audits", manager, doc{"seller_id": seller, "period_start": start, "period_end": end})
		require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
		return res.Map(t)["id"].(string)
	}
	approve := func(id string) {
		res := h.do(http.MethodPost, "/api/v1/scorecards/"+id+"/approve", manager, doc{})
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	}

	// A draft, then a draft that supersedes it: still not yet rated.
	auditMonth(0)
	first := auditMonth(0)
	p := read()
	assert.Equal(t, "not_yet_rated", p.Status)
	assert.Nil(t, p.Latest)
	assert.Empty(t, p.Trend)

	approve(first)
	p = read()
	require.Equal(t, "rated", p.Status)
	assert.Equal(t, "2026-01-01", p.Latest.PeriodStart)

	// Eight months approved in all, a ninth only drafted (twice): the last six approved make
	// the trend, oldest first, and the latest approved one is the rating.
	for i := 1; i < 8; i++ {
		approve(auditMonth(i))
	}
	auditMonth(8)
	auditMonth(8)
	p = read()
	require.NotNil(t, p.Latest)
	assert.Equal(t, "2026-08-01", p.Latest.PeriodStart)
	assert.Equal(t, "2026-09-01", p.Latest.PeriodEnd)
	var periods []string
	for _, m := range p.Trend {
		periods = append(periods, m.PeriodStart+"/"+m.PeriodEnd)
	}
	var want []string
	for i := 2; i < 8; i++ {
		s, e := month(i)
		want = append(want, s+"/"+e)
	}
	assert.Equal(t, want, periods)

	// An approved re-audit of an older month is not the latest: the period decides.
	approve(auditMonth(3))
	assert.Equal(t, "2026-08-01", read().Latest.PeriodStart)

	res := h.publicGet(http.MethodGet, path, htmlAccept)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, string(res.Body), "<dt>Period</dt><dd>2026-08</dd>")
	assert.NotContains(t, string(res.Body), "2026-09</th>", "the draft month is not in the trend")
	assert.Equal(t, 6, strings.Count(string(res.Body), `<tr><th scope="row">2026-0`), "six rows of trend")
}

func TestPublicProfileNotYetRated(t *testing.T) {
	h := newHarness(t)
	// Other has neither a scorecard nor a draft; Own has a draft only.
	res := h.do(http.MethodPost, "/api/v1/audits", h.token(audit.RoleManager), doc{"seller_id": h.Own.ID, "period_start": q4Start, "period_end": q4End})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	for _, seller := range []audit.Seller{h.Other, h.Own} {
		path := "/public/sellers/" + seller.ID
		res := h.publicGet(http.MethodGet, path, jsonAccept)
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		assert.JSONEq(t, fmt.Sprintf(`{"seller_id": %q, "name": %q, "country": %q, "status": "not_yet_rated", "latest": null, "trend": []}`,
			seller.ID, seller.Name, seller.Country), string(res.Body))

		res = h.publicGet(http.MethodGet, path, htmlAccept)
		require.Equal(t, http.StatusOK, res.Code)
		assert.Contains(t, string(res.Body), "<strong>Not yet rated.</strong>")
		assert.NotContains(t, string(res.Body), "<img", "no badge to show")
		assert.NotContains(t, string(res.Body), seller.ContactEmail)
		assertWellFormed(t, res.Body)

		res = h.publicGet(http.MethodGet, path+"/badge.svg", "")
		require.Equal(t, http.StatusOK, res.Code)
		assert.Contains(t, string(res.Body), ">not yet rated</text>")
		assert.Contains(t, string(res.Body), "<title>Quality of "+seller.Name+" on the refurbqa marketplace: not yet rated</title>")
		assertWellFormed(t, res.Body)
	}
}

func TestProfileVisibilitySetting(t *testing.T) {
	h := newHarness(t)
	f := seedAuthz(t, h) // Own has an approved scorecard
	_ = f
	manager, admin := h.token(audit.RoleManager), h.token(audit.RoleAdmin)
	setting := "/api/v1/sellers/" + h.Own.ID + "/profile"
	public := []string{"/public/sellers/" + h.Own.ID, "/public/sellers/" + h.Own.ID + "/badge.svg"}
	visible := func(want int) {
		t.Helper()
		for _, path := range public {
			for _, accept := range []string{jsonAccept, htmlAccept} {
				for _, method := range []string{http.MethodGet, http.MethodHead} {
					res := h.publicGet(method, path, accept)
					assert.Equal(t, want, res.Code, "%s %s (%s)", method, path, accept)
				}
			}
		}
	}

	res := h.do(http.MethodGet, setting, manager, nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	assert.JSONEq(t, `{"seller_id": "`+h.Own.ID+`", "public": true}`, string(res.Body), "public by default")
	visible(http.StatusOK)

	res = h.do(http.MethodPut, setting, manager, doc{"public": false})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	assert.JSONEq(t, `{"seller_id": "`+h.Own.ID+`", "public": false}`, string(res.Body))
	visible(http.StatusNotFound)
	hidden := h.publicGet(http.MethodGet, public[0], jsonAccept)
	unknown := h.publicGet(http.MethodGet, "/public/sellers/sl_doesnotexist", jsonAccept)
	assert.Equal(t, http.StatusNotFound, unknown.Code)
	assert.Equal(t, "no-store", hidden.Header.Get("Cache-Control"))
	var ph, pu map[string]any
	require.NoError(t, json.Unmarshal(hidden.Body, &ph))
	require.NoError(t, json.Unmarshal(unknown.Body, &pu))
	assert.Equal(t, pu["title"], ph["title"], "a hidden profile looks like no profile at all")
	assert.Equal(t, pu["type"], ph["type"])
	assert.Equal(t, strings.ReplaceAll(pu["detail"].(string), "sl_doesnotexist", h.Own.ID), ph["detail"])
	res = h.do(http.MethodGet, setting, admin, nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, false, res.Map(t)["public"])
	// The seller's other records do not change: a manager still reads its scorecards.
	res = h.do(http.MethodGet, "/api/v1/scorecards/"+f.ownApproved, manager, nil)
	assert.Equal(t, http.StatusOK, res.Code)

	res = h.do(http.MethodPut, setting, admin, doc{"public": true})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	visible(http.StatusOK)

	// The body is validated: public is a required boolean.
	for _, body := range []any{doc{}, doc{"public": nil}, doc{"public": "false"}, doc{"public": 0}, doc{"visible": false}} {
		res := h.do(http.MethodPut, setting, manager, body)
		assert.Equal(t, http.StatusUnprocessableEntity, res.Code, "%v: %s", body, res.Body)
		assert.Equal(t, []string{"public"}, problemFields(t, res), "%v", body)
	}
	res = h.do(http.MethodPut, setting, manager, "{")
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	res = h.do(http.MethodPut, setting, manager, `{"public": false}`, "Content-Type", "text/plain")
	assert.Equal(t, http.StatusUnsupportedMediaType, res.Code)
	visible(http.StatusOK)

	// Unknown sellers, and other roles.
	res = h.do(http.MethodPut, "/api/v1/sellers/sl_doesnotexist/profile", manager, doc{"public": false})
	assert.Equal(t, http.StatusNotFound, res.Code)
	res = h.do(http.MethodGet, "/api/v1/sellers/sl_doesnotexist/profile", manager, nil)
	assert.Equal(t, http.StatusNotFound, res.Code)
	for _, role := range []audit.Role{audit.RoleTechnician, audit.RoleSeller} {
		res := h.do(http.MethodPut, setting, h.token(role), doc{"public": false})
		assert.Equal(t, http.StatusForbidden, res.Code, "%s may not hide a profile, not even its own", role)
	}
	res = h.do(http.MethodPut, setting, "", doc{"public": false})
	assert.Equal(t, http.StatusUnauthorized, res.Code)
	visible(http.StatusOK)

	events := h.eventsOf("seller_profile", h.Own.ID)
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Role+" "+e.Action)
	}
	assert.Equal(t, []string{"manager hide", "admin show"}, actions, "each write, in the trail; refused ones not")
}

func TestPublicProfileUnknownAndOddIDs(t *testing.T) {
	h := newHarness(t)
	for _, id := range []string{"sl_doesnotexist", "%00", "x%0Ay", strings.Repeat("a", 300), "%C3%28"} {
		for _, suffix := range []string{"", "/badge.svg"} {
			res := h.publicGet(http.MethodGet, "/public/sellers/"+id+suffix, jsonAccept)
			assert.Equal(t, http.StatusNotFound, res.Code, "%s%s: %s", id, suffix, res.Body)
		}
	}
}

func TestPublicContentNegotiation(t *testing.T) {
	h := newHarness(t)
	path := "/public/sellers/" + h.Own.ID
	for _, tc := range []struct {
		accept string
		json   bool
	}{
		{"", false},
		{"*/*", false},
		{htmlAccept, false},
		{"application/json", true},
		{"application/json; charset=utf-8", true},
		{"application/json, text/plain, */*", true},
		{"application/*", true},
		{"application/json;q=0.5, text/html", false},
		{"text/html;q=0.1, application/json;q=0.2", true},
		{"application/json, text/html", false},
		{"application/json;q=0", false},
		{"image/png", false},
		{"application/json;q=abc", false},
	} {
		res := h.publicGet(http.MethodGet, path, tc.accept)
		require.Equal(t, http.StatusOK, res.Code, tc.accept)
		want := "text/html; charset=utf-8"
		if tc.json {
			want = "application/json"
		}
		assert.Equal(t, want, res.Header.Get("Content-Type"), "Accept: %s", tc.accept)
	}
}

// fromAddr sends a GET as a client at addr (host:port), checked against the document as
// every exchange of the harness is.
func (h *harness) fromAddr(addr, path string) *response {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = addr
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	res := &response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	h.checkContract(req, nil, res)
	return res
}

func TestPublicPagesAreRateLimitedPerAddress(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	h := newHarnessWith(t, httpapi.Config{PublicRateLimit: 1, PublicRateBurst: 3, Now: clock})
	page, badge := "/public/sellers/"+h.Own.ID, "/public/sellers/"+h.Own.ID+"/badge.svg"

	// One bucket per address for every public page: three at once, then 429.
	for i, path := range []string{page, badge, page} {
		res := h.fromAddr("192.0.2.10:4000", path)
		require.Equal(t, http.StatusOK, res.Code, "request %d", i)
	}
	res := h.fromAddr("192.0.2.10:4001", badge)
	require.Equal(t, http.StatusTooManyRequests, res.Code, "another port of the same address is the same client")
	assert.Equal(t, "1", res.Header.Get("Retry-After"))
	var p map[string]any
	require.NoError(t, json.Unmarshal(res.Body, &p))
	assert.Equal(t, "http://example.com/problems/rate-limited", p["type"])

	// Other addresses have their own buckets; an IPv6 client is counted by its /64.
	assert.Equal(t, http.StatusOK, h.fromAddr("192.0.2.11:4000", page).Code)
	assert.Equal(t, http.StatusOK, h.fromAddr("[::ffff:192.0.2.12]:4000", page).Code)
	for i := range 3 {
		assert.Equal(t, http.StatusOK, h.fromAddr(fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1), page).Code)
	}
	assert.Equal(t, http.StatusTooManyRequests, h.fromAddr("[2001:db8:1:2:ffff::9]:443", page).Code, "same /64")
	assert.Equal(t, http.StatusOK, h.fromAddr("[2001:db8:1:3::1]:443", page).Code, "another /64")

	// The API's routes are not counted per address.
	for range 5 {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/charter", nil)
		req.RemoteAddr = "192.0.2.10:4000"
		req.Header.Set("Authorization", "Bearer "+h.token(audit.RoleSeller))
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusOK, rec.Code)
	}

	// A second later, one more token.
	now = now.Add(time.Second)
	assert.Equal(t, http.StatusOK, h.fromAddr("192.0.2.10:4000", page).Code)
	assert.Equal(t, http.StatusTooManyRequests, h.fromAddr("192.0.2.10:4000", page).Code)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// htmlText is s as html/template writes it in the text of a page.
func htmlText(s string) string {
	var b bytes.Buffer
	if err := template.Must(template.New("").Parse("{{.}}")).Execute(&b, s); err != nil {
		panic(err)
	}
	return b.String()
}

// assertWellFormed parses body as XML (the page is written to be well-formed as the problem
// pages are, the badge must be), and returns the name of its root element.
func assertWellFormed(t *testing.T, body []byte) xml.Name {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(body, []byte("<!DOCTYPE html>"))))
	dec.Strict = true
	dec.Entity = xml.HTMLEntity
	var root xml.Name
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return root
		}
		if !assert.NoError(t, err, "well-formed: %s", body) {
			return root
		}
		if se, ok := tok.(xml.StartElement); ok && root.Local == "" {
			root = se.Name
		}
	}
}
