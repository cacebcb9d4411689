package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi"
)

// benchmarkBody is GET /api/v1/benchmarks as answered.
type benchmarkBody struct {
	Period struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"period"`
	Points []struct {
		Code    string   `json:"code"`
		Metric  string   `json:"metric"`
		Sellers *int     `json:"sellers"`
		P25     *float64 `json:"p25"`
		Median  *float64 `json:"median"`
		P75     *float64 `json:"p75"`
	} `json:"points"`
}

// pointStanding is the benchmark of one point of a scorecard as answered.
type pointStanding struct {
	Sellers    int      `json:"sellers"`
	Median     float64  `json:"median"`
	BetterThan *float64 `json:"better_than"`
}

// standingsBody is a scorecard's points with their benchmark.
type standingsBody struct {
	Status string `json:"status"`
	Points []struct {
		Code      string         `json:"code"`
		Status    string         `json:"status"`
		Value     float64        `json:"value"`
		Benchmark *pointStanding `json:"benchmark"`
	} `json:"points"`
}

func (s standingsBody) point(t *testing.T, code string) (float64, *pointStanding) {
	t.Helper()
	for _, p := range s.Points {
		if p.Code == code {
			return p.Value, p.Benchmark
		}
	}
	require.Failf(t, "no such point", "%s", code)
	return 0, nil
}

func (h *harness) benchmark(token string) benchmarkBody {
	h.t.Helper()
	res := h.do(http.MethodGet, "/api/v1/benchmarks?period_start="+q4Start+"&period_end="+q4End, token, nil)
	require.Equal(h.t, http.StatusOK, res.Code, "%s", res.Body)
	var b benchmarkBody
	res.JSON(h.t, &b)
	return b
}

func ptrTo[T any](v T) *T { return &v }

// The marketplace benchmark of a period through the whole API, on SQLite and PostgreSQL: six
// sellers with KPI months only, whose late-shipment rates are 0 to 5 %, audited over Q4 and
// approved one by one, the fourth and fifth on another server sharing the database (another
// instance behind the load balancer). Until five sellers are approved, the benchmark and the
// scorecards show no figure; the fifth approval publishes both, and the approved scorecard
// that the first server had cached follows at once, with a new entity tag.
func TestBenchmarksFollowApprovals(t *testing.T) {
	h := newHarness(t)
	sellers := []string{h.Own.ID, h.Other.ID, h.newSeller("Third"), h.newSeller("Fourth"), h.newSeller("Fifth"), h.newSeller("Sixth")}
	// Own 2 %, Other 0 %, then 1, 3, 4 and 5 % of 100 orders shipped late.
	late := []int{2, 0, 1, 3, 4, 5}
	for i, s := range sellers {
		h.auditKPIs(s, "2026-10", func(d doc) { d["shipped_late"] = late[i] })
	}
	res := h.do(http.MethodPost, "/api/v1/audits/batch", h.token(audit.RoleManager), doc{"period_start": q4Start, "period_end": q4End})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	var batch struct {
		IDs []string `json:"scorecard_ids"`
	}
	res.JSON(t, &batch)
	require.Len(t, batch.IDs, 6)
	card := map[string]string{} // seller → draft
	for _, id := range batch.IDs {
		sc := h.do(http.MethodGet, "/api/v1/scorecards/"+id, h.token(audit.RoleManager), nil)
		require.Equal(t, http.StatusOK, sc.Code)
		card[sc.Map(t)["seller_id"].(string)] = id
	}

	for _, r := range audit.Roles {
		b := h.benchmark(h.token(r))
		assert.Equal(t, q4Start, b.Period.Start)
		assert.Equal(t, q4End, b.Period.End)
		assert.Empty(t, b.Points, "%s: nothing approved yet", r)
	}

	// Another instance: its own service and server over the same database.
	other, err := httpapi.StoreConfig(httpapi.Config{Service: audit.NewService(audit.ServiceConfig{Store: h.st})}, h.st)
	require.NoError(t, err)
	srv2, err := httpapi.New(other)
	require.NoError(t, err)
	approve := func(seller string, elsewhere bool) standingsBody {
		t.Helper()
		var res *response
		if elsewhere {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/scorecards/"+card[seller]+"/approve", nil)
			req.Header.Set("Authorization", "Bearer "+h.token(audit.RoleManager))
			rec := httptest.NewRecorder()
			srv2.ServeHTTP(rec, req)
			res = &response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
		} else {
			res = h.do(http.MethodPost, "/api/v1/scorecards/"+card[seller]+"/approve", h.token(audit.RoleManager), nil)
		}
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		var sc standingsBody
		res.JSON(t, &sc)
		return sc
	}
	getOwn := func(headers ...string) *response {
		t.Helper()
		return h.do(http.MethodGet, "/api/v1/scorecards/"+card[h.Own.ID], h.token(audit.RoleSeller), nil, headers...)
	}

	first := approve(h.Own.ID, false)
	assert.Equal(t, "approved", first.Status)
	for _, p := range first.Points {
		assert.Nil(t, p.Benchmark, "%s: one seller, no benchmark", p.Code)
	}
	before := getOwn()
	require.Equal(t, http.StatusOK, before.Code)
	etag := before.Header.Get("ETag")
	require.NotEmpty(t, etag)
	assert.Equal(t, http.StatusNotModified, getOwn("If-None-Match", etag).Code, "cached and unchanged")

	approve(h.Other.ID, false)
	approve(sellers[2], false)
	approve(sellers[3], true)
	for _, r := range audit.Roles {
		res := h.do(http.MethodGet, "/api/v1/benchmarks?period_start="+q4Start+"&period_end="+q4End, h.token(r), nil)
		require.Equal(t, http.StatusOK, res.Code)
		body := string(res.Body)
		assert.Contains(t, body, `{"code":"QC18","metric":"late_shipment_rate","sellers":null,"p25":null,"median":null,"p75":null}`,
			"four sellers: no figure at all")
		b := h.benchmark(h.token(r))
		require.NotEmpty(t, b.Points)
		for _, p := range b.Points {
			assert.Nil(t, p.Sellers, p.Code)
			assert.Nil(t, p.P25, p.Code)
			assert.Nil(t, p.Median, p.Code)
			assert.Nil(t, p.P75, p.Code)
		}
	}
	var four standingsBody
	res = getOwn()
	require.Equal(t, http.StatusOK, res.Code)
	res.JSON(t, &four)
	for _, p := range four.Points {
		assert.Nil(t, p.Benchmark, "%s: four sellers, no benchmark", p.Code)
	}

	// The fifth seller is approved on the other instance.
	fifth := approve(sellers[4], true)
	v, b := fifth.point(t, "QC18")
	assert.Equal(t, 0.04, v)
	assert.Equal(t, &pointStanding{Sellers: 5, Median: 0.02, BetterThan: ptrTo(0.0)}, b, "the worst of five")

	bench := h.benchmark(h.token(audit.RoleSeller))
	points := map[string]int{}
	var codes []string
	for i, p := range bench.Points {
		points[p.Code] = i
		codes = append(codes, p.Code)
	}
	// KPI months only: the logistics and service points, QC18–QC24; no unit, order or action.
	assert.Equal(t, []string{"QC18", "QC19", "QC20", "QC21", "QC22", "QC23", "QC24"}, codes, "evaluated points, in code order")
	qc18 := bench.Points[points["QC18"]]
	assert.Equal(t, "late_shipment_rate", qc18.Metric)
	assert.Equal(t, ptrTo(5), qc18.Sellers)
	assert.Equal(t, ptrTo(0.01), qc18.P25, "0, 1, 2, 3, 4 %: the 2nd")
	assert.Equal(t, ptrTo(0.02), qc18.Median, "the 3rd")
	assert.Equal(t, ptrTo(0.03), qc18.P75, "the 4th")
	qc24 := bench.Points[points["QC24"]]
	assert.Equal(t, "warranty_months", qc24.Metric)
	assert.Equal(t, ptrTo(12.0), qc24.Median)

	// The first server had Own's approved scorecard cached at version 1: it answers the new
	// benchmark, with a new entity tag, and the old tag no longer matches.
	res = getOwn("If-None-Match", etag)
	require.Equal(t, http.StatusOK, res.Code, "the old entity tag is stale")
	var own standingsBody
	res.JSON(t, &own)
	v, b = own.point(t, "QC18")
	assert.Equal(t, 0.02, v)
	assert.Equal(t, &pointStanding{Sellers: 5, Median: 0.02, BetterThan: ptrTo(0.5)}, b, "2 % beats 3 and 4 %, two of the four others")
	v, b = own.point(t, "QC19")
	assert.Equal(t, 0.99, v)
	assert.Equal(t, &pointStanding{Sellers: 5, Median: 0.99, BetterThan: ptrTo(0.0)}, b, "a tie with every other is better than none")
	_, b = own.point(t, "QC01")
	assert.Nil(t, b, "no unit: no benchmark of QC01")
	fresh := res.Header.Get("ETag")
	assert.NotEqual(t, etag, fresh)
	assert.Equal(t, http.StatusNotModified, getOwn("If-None-Match", fresh).Code)
	manager := h.do(http.MethodGet, "/api/v1/scorecards/"+card[h.Own.ID], h.token(audit.RoleManager), nil)
	assert.JSONEq(t, string(res.Body), string(manager.Body), "one answer for every role")

	// The list carries the same comparison.
	res = h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards", h.token(audit.RoleSeller), nil)
	require.Equal(t, http.StatusOK, res.Code)
	var list struct {
		Items []standingsBody `json:"items"`
	}
	res.JSON(t, &list)
	require.Len(t, list.Items, 1)
	assert.Equal(t, own, list.Items[0])

	// A draft carries none.
	res = h.do(http.MethodGet, "/api/v1/scorecards/"+card[sellers[5]], h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, res.Code)
	var draft standingsBody
	res.JSON(t, &draft)
	assert.Equal(t, "draft", draft.Status)
	for _, p := range draft.Points {
		assert.Nil(t, p.Benchmark, "%s: a draft has no benchmark", p.Code)
	}

	// The sixth approval interpolates: the median of six is between the 3rd and the 4th.
	sixth := approve(sellers[5], false)
	_, b = sixth.point(t, "QC18")
	assert.Equal(t, &pointStanding{Sellers: 6, Median: 0.02 + 0.5*(0.03-0.02), BetterThan: ptrTo(0.0)}, b)
	res = getOwn()
	res.JSON(t, &own)
	_, b = own.point(t, "QC18")
	assert.Equal(t, &pointStanding{Sellers: 6, Median: 0.02 + 0.5*(0.03-0.02), BetterThan: ptrTo(0.6)}, b, "2 % beats 3, 4 and 5 %: three of five")
}

// The period of a benchmark is checked as an audit's: every bad parameter is a 422 naming it.
func TestBenchmarksQuery(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		query  string
		fields []string
	}{
		{"", []string{"period_end", "period_start"}},
		{"period_start=2026-10-01", []string{"period_end"}},
		{"period_start=2026-10-01&period_end=2026-13-01", []string{"period_end"}},
		{"period_start=01%2F10%2F2026&period_end=2027-01-01", []string{"period_start"}},
		{"period_start=2026-10-01&period_end=2026-10-01", []string{"period_end"}},
		{"period_start=2026-10-01&period_end=2026-09-01", []string{"period_end"}},
		{"period_start=2026-01-01&period_end=2027-01-03", []string{"period_end"}},
		{"period_start=1999-12-01&period_end=2000-01-01", []string{"period_start"}},
		{"period_start=%zz&period_end=2027-01-01", []string{"period_start"}},
		{"period_start=" + strings.Repeat("2", 100) + "&period_end=2027-01-01", []string{"period_start"}},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			res := h.do(http.MethodGet, "/api/v1/benchmarks?"+c.query, h.token(audit.RoleSeller), nil)
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
			assert.Equal(t, c.fields, problemFields(t, res))
		})
	}
	res := h.do(http.MethodGet, "/api/v1/benchmarks?period_start=2026-01-01&period_end=2027-01-01", h.token(audit.RoleTechnician), nil)
	assert.Equal(t, http.StatusOK, res.Code, "a whole year, 365 days, is a period")
	head := h.do(http.MethodHead, "/api/v1/benchmarks?period_start=2026-01-01&period_end=2027-01-01", h.token(audit.RoleSeller), nil)
	assert.Equal(t, http.StatusOK, head.Code)
	assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodGet, "/api/v1/benchmarks?period_start=2026-01-01&period_end=2027-01-01", "", nil).Code)
}
