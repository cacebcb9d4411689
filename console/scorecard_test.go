package console_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/sampling"
)

// pointRows are the codes of the rows of the points table, in order, with their status words.
func pointRows(body string) [][2]string {
	var out [][2]string
	re := regexp.MustCompile(`<th scope="row"><span class="code">(QC\d\d)</span>[^<]*</th>\n<td class="point-[a-z_]+">(?:<strong>)?([A-Za-z ]+)`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, [2]string{m[1], m[2]})
	}
	return out
}

// The scorecard page shows every point with its status in words, value, threshold and
// samples, the failed points first; the evidence of a failed point links to each bench test
// for the roles that may open one.
func TestScorecardPageForManagers(t *testing.T) {
	h := newHarness(t)
	f := newReviewFixture(t, h)
	sc, err := h.svc.Scorecard(context.Background(), system, f.OwnOct)
	require.NoError(t, err)
	res := h.signedIn(audit.RoleManager).get("/console/scorecards/" + f.OwnOct)
	require.Equal(t, http.StatusOK, res.status)
	body := res.body

	rows := pointRows(body)
	require.Len(t, rows, len(sc.Result.Points), "every point of the charter")
	var failed []string
	for _, p := range sc.Result.Points {
		if p.Status == checklist.PointFail {
			failed = append(failed, p.Code)
		}
	}
	require.Equal(t, []string{"QC06", "QC10"}, failed)
	assert.Equal(t, [2]string{"QC06", "Failed"}, rows[0], "failed points first, in charter order")
	assert.Equal(t, [2]string{"QC10", "Failed"}, rows[1])
	assert.Equal(t, "QC01", rows[2][0], "then the others, in charter order")
	for _, r := range rows[2:] {
		assert.Contains(t, []string{"Passed", "Not enough data"}, r[1], r[0])
	}
	// A row: severity and weight, metric, value, threshold, samples.
	assert.Regexp(t, `<tr class="failed"><th scope="row"><span class="code">QC06</span> No liquid damage</th>\n<td class="point-fail"><strong>Failed</strong></td>\n`+
		`<td>critical \(8\)</td><td>liquid damage</td><td class="num">1</td><td class="num">—</td><td>—</td><td>== 0</td><td class="num">3</td>`, body)
	assert.Regexp(t, `QC03</span> Battery health at 85% or more</th>\n<td class="point-insufficient_data">Not enough data</td>`, body)
	assert.Contains(t, body, `<td>battery at least 85 rate</td><td class="num">1 (100.0 %)</td><td class="num">—</td><td>—</td><td>&gt;= 0.95</td>`,
		"a rate also as a percentage; two sellers make no marketplace benchmark")

	// Evidence: the bench test links to its page; the mystery order links to its page once
	// the console has one for the role (a technicians' page), else its id shows as text.
	ev := section(t, body, `id="evidence-QC06"`)
	assert.Contains(t, ev, `QC06</span> No liquid damage: 1 record</h3>`)
	assert.Contains(t, ev, `<li>bench test <a href="/console/bench-tests/`+f.Damaged+`">`+f.Damaged+`</a></li>`)
	ev = section(t, body, `id="evidence-QC10"`)
	if _, ok := h.console.Rules()["GET /console/mystery-orders/{id}"]; ok {
		assert.Contains(t, ev, `<li>mystery order <a href="/console/mystery-orders/`+f.Mismatched+`">`+f.Mismatched+`</a></li>`)
	} else {
		assert.Contains(t, ev, `<li>mystery order <span class="id">`+f.Mismatched+`</span></li>`)
	}
	assert.Contains(t, body, `<a href="#evidence-QC06">1 record</a>`)

	assert.Contains(t, body, `<a href="/console/scorecards/`+f.OwnOct+`/report.pdf" download>Download the PDF report</a>`)
	assert.Contains(t, body, `<a href="/console/sellers/`+h.Own.ID+`">Own Refurb</a>`)
	assert.NotContains(t, body, "/approve\">", "approved: no approval form")
	opened := section(t, body, `id="opened-heading"`)
	assert.Contains(t, opened, `<th scope="row">QC06</th><td>critical</td><td>open</td>`)
	assert.Contains(t, opened, `<th scope="row">QC10</th><td>major</td><td>open</td>`)

	assert.Equal(t, http.StatusNotFound, h.signedIn(audit.RoleManager).get("/console/scorecards/sc_nothing").status)
	assert.Equal(t, http.StatusNotFound, h.signedIn(audit.RoleManager).get("/console/scorecards/"+f.OwnOct+"?point=QC01").status,
		"a point that did not fail has no evidence to show")
}

// A seller reads its own approved scorecards, without the approval form, the evidence ids as
// text (it has no bench-test pages), and downloads their PDF; its drafts and anything of
// another seller are "not found", pages and reports alike.
func TestScorecardPageForSellers(t *testing.T) {
	h := newHarness(t)
	f := newReviewFixture(t, h)
	c := h.signedIn(audit.RoleSeller)
	res := c.get("/console/scorecards/" + f.OwnOct)
	require.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, res.body, `<li>bench test <span class="id">`+f.Damaged+`</span></li>`)
	assert.NotContains(t, res.body, "/console/bench-tests/")
	assert.NotContains(t, res.body, "/console/mystery-orders/")
	assert.NotContains(t, res.body, "/approve")
	assert.NotContains(t, res.body, `href="/console/sellers/`, "no link to the managers' seller page")
	assert.Contains(t, res.body, "Own Refurb ("+h.Own.ID+")")

	pdf := c.get("/console/scorecards/" + f.OwnOct + "/report.pdf")
	require.Equal(t, http.StatusOK, pdf.status)
	assert.Equal(t, "application/pdf", pdf.header.Get("Content-Type"))
	assert.True(t, strings.HasPrefix(pdf.body, "%PDF-"), "a PDF document")
	assert.Regexp(t, `^attachment; filename=".+\.pdf"$`, pdf.header.Get("Content-Disposition"))
	head := c.do(http.MethodHead, "/console/scorecards/"+f.OwnOct+"/report.pdf", nil)
	assert.Equal(t, http.StatusOK, head.status)
	assert.Empty(t, head.body)

	for _, id := range []string{f.OwnNov, f.OwnNovOld, f.OtherOct, f.OtherNov, "sc_nothing"} {
		res := c.get("/console/scorecards/" + id)
		assert.Equal(t, http.StatusNotFound, res.status, id)
		assert.Contains(t, res.body, "<h1>Not found</h1>", id)
		assert.NotContains(t, res.body, "Other Refurb", id)
		assert.Equal(t, http.StatusNotFound, c.get("/console/scorecards/"+id+"/report.pdf").status, id)
	}
}

// A seller's home lists its approved scorecards, each linking to its page and its PDF, and
// draws their trend; drafts are never on it.
func TestSellerHome(t *testing.T) {
	h := newHarness(t)
	f := newReviewFixture(t, h)
	res := h.signedIn(audit.RoleSeller).get("/console/")
	require.Equal(t, http.StatusOK, res.status)
	body := res.body
	assert.Contains(t, body, `role="img" aria-labelledby="trend-title trend-desc"`)
	assert.Contains(t, body, `<title id="trend-title">Score trend of Own Refurb</title>`)
	for _, id := range []string{f.OwnSep, f.OwnOct} {
		assert.Contains(t, body, `<th scope="row"><a href="/console/scorecards/`+id+`">`, id)
		assert.Contains(t, body, `<a href="/console/scorecards/`+id+`/report.pdf">PDF`, id)
	}
	for _, id := range []string{f.OwnNov, f.OwnNovOld, f.OtherOct} {
		assert.NotContains(t, body, id)
	}

	// A seller with nothing approved yet is told so, and no chart is drawn.
	h2 := newHarness(t)
	res = h2.signedIn(audit.RoleSeller).get("/console/")
	assert.Contains(t, res.body, "No scorecard of yours has been approved yet.")
	assert.NotContains(t, res.body, "<svg")
}

// A failed point with more evidence than the page shows lists the first 50 records and links
// to the point's own view, which lists them all, 500 at a time.
func TestEvidencePages(t *testing.T) {
	h := newHarness(t)
	tech := h.signedIn(audit.RoleTechnician)
	var damaged []string
	for i := range 52 {
		damaged = append(damaged, h.benchTest(t, tech, h.Own.ID, fmt.Sprintf("EV-%d", i), "2026-10-10T10:00",
			map[string]string{"compliance.liquid_damage": "true"}))
	}
	id := h.audit(t, h.Own.ID, "2026-10-01", "2026-11-01")
	c := h.signedIn(audit.RoleManager)
	res := c.get("/console/scorecards/" + id)
	require.Equal(t, http.StatusOK, res.status)
	ev := section(t, res.body, `id="evidence-QC06"`)
	assert.Contains(t, ev, "52 records</h3>")
	assert.Contains(t, ev, "<p>Records 1 to 50 of 52.</p>")
	assert.Equal(t, 50, strings.Count(ev, `<li>bench test <a href="/console/bench-tests/`))
	assert.Contains(t, ev, `<a href="/console/scorecards/`+id+`?point=QC06#evidence-QC06">All 52 records of QC06</a>`)

	res = c.get("/console/scorecards/" + id + "?point=QC06")
	require.Equal(t, http.StatusOK, res.status)
	ev = section(t, res.body, `id="evidence-QC06"`)
	assert.Equal(t, 52, strings.Count(ev, `<li>bench test <a href="/console/bench-tests/`))
	for _, d := range damaged {
		assert.Contains(t, ev, d)
	}
	assert.NotContains(t, ev, "<p>Records", "everything is shown")
	assert.Contains(t, ev, `<a href="/console/scorecards/`+id+`#evidence-QC06">Back to the whole scorecard</a>`)
	res = c.get("/console/scorecards/" + id + "?point=QC06&from=50")
	ev = section(t, res.body, `id="evidence-QC06"`)
	assert.Contains(t, ev, "<p>Records 51 to 52 of 52.</p>")
	assert.Contains(t, ev, `<ol class="evidence-list" start="51">`)
	assert.Contains(t, ev, `<a href="/console/scorecards/`+id+`?point=QC06#evidence-QC06">Earlier records</a>`)
}

// TestEvidenceOfLots: a charter version with a point on the seller's device lots (lots.md §7)
// fails it on a rejected lot, and the scorecard page names the lot as the evidence, linking to
// its page for the roles the console has one for.
func TestEvidenceOfLots(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	bt := audit.BenchTest{SellerID: h.Own.ID, Lab: "lab-1", TestedAt: time.Now().UTC().Add(-time.Hour), Submitted: []byte("{}"),
		Inspection: grading.Inspection{Device: grading.Device{Category: grading.Smartphone, Brand: "Apple", Model: "iPhone 13",
			IMEI: "490154203237518"}},
		Grade: grading.Grade{Ruleset: "2026.1", Status: grading.Rejected, Functional: grading.F3, Cosmetic: grading.CosmeticC}}
	rec, _, err := h.st.CreateBenchTest(ctx, system, bt)
	require.NoError(t, err)
	lot, err := h.svc.CreateLot(ctx, system, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotDevices,
		LotRef: "STOCK-1", LotSize: 40, SellerID: h.Own.ID, ReceivedAt: time.Now().UTC().Add(-48 * time.Hour)}})
	require.NoError(t, err)
	lot, _, err = h.svc.AddLotSample(ctx, system, lot.ID, audit.Input[audit.NewLotSample]{Value: audit.NewLotSample{BenchTestID: rec.ID}})
	require.NoError(t, err)
	require.Equal(t, sampling.Rejected, lot.Decision)

	c, err := checklist.DefaultCharter()
	require.NoError(t, err)
	c.Version = "2027.1"
	c.Points = append(c.Points, checklist.Point{Code: "QC26", Title: "No rejected device lot", Area: "grading",
		Severity: checklist.Major, Rule: "lots_rejected == 0", SampleMetric: "lots", MinSamples: 1})
	_, err = h.svc.PublishCharter(ctx, system, c, false)
	require.NoError(t, err)
	day := lot.DecidedAt.Truncate(24 * time.Hour)
	sc, err := h.svc.AuditSeller(ctx, system, h.Own.ID, audit.AuditInput{PeriodStart: day.Format(time.DateOnly),
		PeriodEnd: day.AddDate(0, 0, 1).Format(time.DateOnly), CharterVersion: "2027.1"}, nil)
	require.NoError(t, err)

	res := h.signedIn(audit.RoleManager).get("/console/scorecards/" + sc.ID)
	require.Equal(t, http.StatusOK, res.status)
	ev := section(t, res.body, `id="evidence-QC26"`)
	assert.Contains(t, ev, `QC26</span> No rejected device lot: 1 record</h3>`)
	if _, ok := h.console.Rules()["GET /console/lots/{id}"]; ok {
		assert.Contains(t, ev, `<li>lot <a href="/console/lots/`+lot.ID+`">`+lot.ID+`</a></li>`)
	} else {
		assert.Contains(t, ev, `<li>lot <span class="id">`+lot.ID+`</span></li>`)
	}
}

// An approved scorecard's page shows each point's value beside the marketplace median of the
// period and the share of the other sellers it beats, once five sellers' approved scorecards
// of the period evaluated the point; a draft's page shows neither.
func TestScorecardPageShowsTheMarketplace(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	sellers := []string{h.Own.ID, h.Other.ID}
	for _, name := range []string{"Third", "Fourth", "Fifth"} {
		s, err := h.svc.CreateSeller(ctx, system, audit.Seller{Name: name + " Refurb", Country: "FR", ContactEmail: "qa@example.com"})
		require.NoError(t, err)
		sellers = append(sellers, s.ID)
	}
	// 100 orders each, Own 2 late, the others 0, 1, 3 and 4: late shipment rates 0 to 4 %.
	late := []int{2, 0, 1, 3, 4}
	cards := make([]string, len(sellers))
	for i, s := range sellers {
		_, err := h.svc.PutKPIMonth(ctx, system, audit.KPIMonth{SellerID: s, Month: "2026-10", Orders: 100, ShippedLate: late[i],
			ValidTracking: 99, MessagesReceived: 20, MessagesAnsweredWithin1BD: 19, WarrantyMonths: 12})
		require.NoError(t, err)
		cards[i] = h.audit(t, s, "2026-10-01", "2026-11-01")
	}
	row := func(body, code string) string {
		t.Helper()
		i := strings.Index(body, `<span class="code">`+code+`</span>`)
		require.GreaterOrEqual(t, i, 0, code)
		end := strings.Index(body[i:], "</tr>")
		return body[i : i+end]
	}

	manager := h.signedIn(audit.RoleManager)
	draft := manager.get("/console/scorecards/" + cards[0])
	require.Equal(t, http.StatusOK, draft.status)
	assert.NotContains(t, draft.body, "Marketplace median", "a draft has no benchmark")

	for i := 1; i < 5; i++ {
		h.approve(t, cards[i])
	}
	h.approve(t, cards[0])
	for _, c := range []*client{manager, h.signedIn(audit.RoleSeller)} {
		res := c.get("/console/scorecards/" + cards[0])
		require.Equal(t, http.StatusOK, res.status)
		assert.Contains(t, res.body, `<th scope="col" class="num">Marketplace median</th><th scope="col">Standing</th>`)
		assert.Contains(t, res.body, "where at least 5 sellers' approved scorecards of the period evaluated the point")
		assert.Contains(t, row(res.body, "QC18"), `<td class="num">0.02 (2.0 %)</td><td class="num">0.02 (2.0 %), 5 sellers</td><td>better than 50 % of the other sellers</td>`,
			"2 % beats 3 and 4 %, two of the four others")
		assert.Contains(t, row(res.body, "QC19"), `<td class="num">0.99 (99.0 %), 5 sellers</td><td>better than 0 % of the other sellers</td>`,
			"a tie with every other seller beats none")
		assert.Contains(t, row(res.body, "QC01"), `<td class="num">—</td><td>—</td>`, "no unit: no benchmark")
	}
	// Another period, where one seller is approved: the columns, and no figure in them.
	other := h.audit(t, h.Own.ID, "2026-11-01", "2026-12-01")
	h.approve(t, other)
	res := manager.get("/console/scorecards/" + other)
	require.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, res.body, "Marketplace median")
	assert.NotContains(t, res.body, "sellers</td>", "one seller in the period: no median anywhere")
}
