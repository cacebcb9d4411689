package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/sampling"
)

// newLot creates a lot through the service, as the API does.
func (h *harness) newLot(t *testing.T, n audit.NewLot) audit.Lot {
	t.Helper()
	if n.ReceivedAt.IsZero() {
		n.ReceivedAt = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	}
	l, err := h.svc.CreateLot(context.Background(), system, audit.Input[audit.NewLot]{Value: n})
	require.NoError(t, err)
	return l
}

// deviceLot is a device lot of seller of lot size 2: code letter A, a sample of 2, on which
// one nonconforming unit of any class rejects the lot.
func (h *harness) deviceLot(t *testing.T, sellerID, ref string) audit.Lot {
	return h.newLot(t, audit.NewLot{Kind: audit.LotDevices, LotRef: ref, LotSize: 2, SellerID: sellerID})
}

// partsLot is a parts lot of screens of supplier of lot size 2, planned as deviceLot.
func (h *harness) partsLot(t *testing.T, supplier, ref string) audit.Lot {
	return h.newLot(t, audit.NewLot{Kind: audit.LotParts, LotRef: ref, LotSize: 2, Supplier: supplier, PartType: "screen"})
}

// part adds a part to lot l through the service, with a defect of each of classes.
func (h *harness) part(t *testing.T, l audit.Lot, classes ...sampling.Class) audit.Lot {
	t.Helper()
	ds := []audit.Defect{}
	for _, c := range classes {
		ds = append(ds, audit.Defect{Class: c, Code: "D-" + string(c)})
	}
	after, _, err := h.svc.AddLotSample(context.Background(), system, l.ID, audit.Input[audit.NewLotSample]{
		Value: audit.NewLotSample{Defects: ds}})
	require.NoError(t, err)
	return after
}

// decidedDeviceLot is a device lot of seller rejected on one bench test with liquid damage
// (critical).
func (h *harness) decidedDeviceLot(t *testing.T, tech *client, sellerID, ref string) audit.Lot {
	t.Helper()
	l := h.deviceLot(t, sellerID, ref)
	bt := h.benchTest(t, tech, sellerID, "WET-"+ref, "2026-03-02T10:00", map[string]string{"compliance.liquid_damage": "true"})
	l, _, err := h.svc.AddLotSample(context.Background(), system, l.ID, audit.Input[audit.NewLotSample]{
		Value: audit.NewLotSample{BenchTestID: bt}})
	require.NoError(t, err)
	require.Equal(t, sampling.Rejected, l.Decision)
	return l
}

// listedLots are the lots a list page links to, in its order.
func listedLots(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<th scope="row"><a href="/console/lots/([^"]+)">`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// goodLot is a create-lot form of a device lot of h.Own that the service accepts.
func (h *harness) goodLot() url.Values {
	return url.Values{"kind": {"devices"}, "lot_ref": {"STOCK-1"}, "lot_size": {"800"}, "inspection_level": {"II"},
		"aql.major": {"2.5"}, "aql.minor": {"4.0"}, "seller_id": {h.Own.ID}, "listed_grade": {"good"},
		"supplier": {""}, "part_type": {""}, "received_at": {"2026-03-02T08:30"}}
}

func TestCreateLotForm(t *testing.T) {
	h := newHarness(t)
	tech := h.signedIn(audit.RoleTechnician)

	res := tech.get("/console/lots")
	require.Equal(t, http.StatusOK, res.status, res.body)
	form := section(t, res.body, `id="new-heading"`)
	for _, want := range []string{`<form method="post" action="/console/lots"`, `name="kind" value="devices"`, `name="kind" value="parts"`,
		`<label for="f-lot_ref">`, `<label for="f-lot_size">`, `<label for="f-received_at">`, `<label for="f-inspection_level">`,
		`<label for="f-aql-major">`, `<label for="f-aql-minor">`, `<label for="f-seller_id">`, `<label for="f-listed_grade">`,
		`<label for="f-supplier">`, `<label for="f-part_type">`,
		`<option value="II" selected>II</option>`, `<option value="2.5" selected>2.5</option>`, `<option value="4.0" selected>4.0</option>`,
		`<option value="back_glass">Back glass</option>`, `<option value="` + h.Own.ID + `">Own Refurb`} {
		assertHas(t, form, want)
	}
	assert.Regexp(t, `name="received_at" type="datetime-local" value="\d{4}-\d\d-\d\dT\d\d:\d\d"`, form, "received now by default")

	t.Run("created", func(t *testing.T) {
		res := tech.post("/console/lots", h.goodLot())
		require.Equal(t, http.StatusSeeOther, res.status, res.body)
		loc := res.header.Get("Location")
		require.True(t, strings.HasPrefix(loc, "/console/lots/lot_"), loc)
		l, err := h.svc.Lot(context.Background(), system, strings.TrimPrefix(loc, "/console/lots/"))
		require.NoError(t, err)
		assert.Equal(t, "STOCK-1", l.LotRef)
		assert.Equal(t, 800, l.Plan.LotSize)
		assert.Equal(t, "good", string(l.ListedGrade))
		assert.Equal(t, time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC), l.ReceivedAt)
		page := tech.get(loc)
		require.Equal(t, http.StatusOK, page.status)
		assertHas(t, page.body, "The lot was created")
		assertHas(t, page.body, "<h1>Lot STOCK-1</h1>")
		// 800 at level II: code letter J, n 80 on normal inspection.
		assertHas(t, page.body, "code letter J, sample size 80")
		assert.Equal(t, 80, strings.Count(section(t, page.body, `<ul class="positions">`), "<li>"), "every sample position")
	})

	for _, tc := range []struct {
		name   string
		change map[string]string
		status int
		errors map[string]string // field id → message
	}{
		{"everything missing", map[string]string{"kind": "", "lot_ref": "", "lot_size": "", "received_at": ""}, http.StatusUnprocessableEntity,
			map[string]string{"f-kind": "must be devices or parts", "f-lot_ref": "is required", "f-lot_size": "is required", "f-received_at": "is required"}},
		{"unreadable", map[string]string{"lot_size": "eight hundred", "aql.major": "three", "received_at": "yesterday"}, http.StatusUnprocessableEntity,
			map[string]string{"f-lot_size": "must be a whole number", "f-aql-major": "must be a number", "f-received_at": "must be a date and time"}},
		{"out of the tables", map[string]string{"lot_size": "1", "aql.minor": "3", "inspection_level": "IV"}, http.StatusUnprocessableEntity,
			map[string]string{"f-lot_size": "must be an integer from 2 to 1000000", "f-aql-minor": "must be one of 0.65",
				"f-inspection_level": "must be I, II or III"}},
		{"parts fields on a device lot", map[string]string{"supplier": "Acme", "part_type": "screen"}, http.StatusUnprocessableEntity,
			map[string]string{"f-supplier": "is for parts lots only", "f-part_type": "is for parts lots only"}},
		{"device fields on a parts lot", map[string]string{"kind": "parts", "supplier": "Acme", "part_type": "screen"}, http.StatusUnprocessableEntity,
			map[string]string{"f-seller_id": "is for device lots only", "f-listed_grade": "is for device lots only"}},
		{"unknown seller", map[string]string{"seller_id": "sl_nobody"}, http.StatusUnprocessableEntity,
			map[string]string{"f-seller_id": "no seller has this id"}},
		{"a lot_ref the stream has", map[string]string{}, http.StatusConflict,
			map[string]string{"f-lot_ref": "this stream has a lot with this reference already"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := h.goodLot()
			for k, val := range tc.change {
				v.Set(k, val)
			}
			res := tech.post("/console/lots", v)
			require.Equal(t, tc.status, res.status, res.body)
			form := section(t, res.body, `id="new-heading"`)
			assertHas(t, form, "Please correct")
			for id, msg := range tc.errors {
				assert.Regexp(t, `<p class="field-error" id="`+regexp.QuoteMeta(id)+`-error">[^<]*`+regexp.QuoteMeta(msg), form, id)
			}
			for k, val := range tc.change {
				if val != "" && !strings.HasPrefix(k, "aql.") && k != "inspection_level" && k != "kind" && k != "part_type" && k != "seller_id" {
					assertHas(t, form, `value="`+val+`"`, "the typed %s is kept", k)
				}
			}
		})
	}
}

func TestLotListFiltersAndOrder(t *testing.T) {
	h := newHarness(t)
	tech := h.signedIn(audit.RoleTechnician)
	own := h.deviceLot(t, h.Own.ID, "OWN-1")
	other := h.decidedDeviceLot(t, tech, h.Other.ID, "OTHER-1")
	parts := h.part(t, h.partsLot(t, "Acme Screens", "ACME-1"))
	manager := h.signedIn(audit.RoleManager)
	month := time.Now().UTC().Format("2006-01")

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{parts.ID, other.ID, own.ID}},
		{"?kind=parts", []string{parts.ID}},
		{"?seller_id=" + h.Other.ID, []string{other.ID}},
		{"?supplier=Acme+Screens", []string{parts.ID}},
		{"?decision=pending", []string{parts.ID, own.ID}},
		{"?decision=rejected&decided=" + month, []string{other.ID}},
		{"?decided=2020-01", nil},
	} {
		res := manager.get("/console/lots" + tc.query)
		require.Equal(t, http.StatusOK, res.status, res.body)
		assert.Equal(t, tc.want, listedLots(res.body), "newest first: %s", tc.query)
	}
	res := manager.get("/console/lots")
	row := regexp.MustCompile(`(?s)<tr>\s*<th scope="row"><a href="/console/lots/` + other.ID + `">.*?</tr>`).FindString(res.body)
	for _, cell := range []string{`<td>devices</td>`, `<a href="/console/sellers/` + h.Other.ID + `">Other Refurb</a>`,
		`<td class="num">2</td>`, `code A, normal`, `<td class="num">1 of 2</td>`, `decision-rejected">rejected<`} {
		assertHas(t, row, cell)
	}
	row = regexp.MustCompile(`(?s)<tr>\s*<th scope="row"><a href="/console/lots/` + parts.ID + `">.*?</tr>`).FindString(res.body)
	assertHas(t, row, "Acme Screens, screen")
	assertHas(t, res.body, `<label for="f-filter-kind">Kind</label>`, "the filter's ids are its own beside the create form's")

	res = manager.get("/console/lots?kind=boxes&decision=maybe&decided=March")
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	for id, msg := range map[string]string{"f-filter-kind": "must be devices or parts", "f-filter-decision": "must be pending, accepted or rejected",
		"f-filter-decided": "must be a month such as 2026-03"} {
		assert.Regexp(t, `id="`+id+`-error">`+regexp.QuoteMeta(msg), res.body, id)
	}
	assertHas(t, res.body, `value="March"`, "the typed month is kept")
}

// A seller sees its own decided device lots, read only; its pending lots, another seller's
// and every parts lot are not found, as in the API.
func TestSellerSeesItsOwnDecidedDeviceLotsOnly(t *testing.T) {
	h := newHarness(t)
	tech := h.signedIn(audit.RoleTechnician)
	decided := h.decidedDeviceLot(t, tech, h.Own.ID, "OWN-1")
	pending := h.deviceLot(t, h.Own.ID, "OWN-2")
	other := h.decidedDeviceLot(t, tech, h.Other.ID, "OTHER-1")
	parts := h.part(t, h.partsLot(t, "Acme", "ACME-1"), sampling.Critical)
	seller := h.signedIn(audit.RoleSeller)

	for _, q := range []string{"", "?kind=parts", "?seller_id=" + h.Other.ID, "?supplier=Acme", "?decision=rejected"} {
		res := seller.get("/console/lots" + q)
		require.Equal(t, http.StatusOK, res.status, q)
		assert.Equal(t, []string{decided.ID}, listedLots(res.body), "its own decided device lots whatever it asks: %q", q)
		assertHasNot(t, res.body, `method="post" action="/console/lots"`, "no create form")
		assertHasNot(t, res.body, `name="seller_id"`, "no seller filter")
		assertHasNot(t, res.body, `<option value="pending"`, "no pending lot to filter on")
		assertHasNot(t, res.body, `href="/console/sellers/`, "no managers' pages")
	}
	res := seller.get("/console/lots?decision=pending")
	require.Equal(t, http.StatusOK, res.status)
	assert.Empty(t, listedLots(res.body), "a seller has no pending lot to see")
	res = seller.get("/console/lots/" + decided.ID)
	require.Equal(t, http.StatusOK, res.status, res.body)
	assertHas(t, res.body, "<h1>Lot OWN-1</h1>")
	assertHasNot(t, res.body, `/samples"`, "no sample form")
	assertHasNot(t, res.body, `id="stream-heading"`, "streams are the staff's")
	assertHasNot(t, res.body, `href="/console/bench-tests/`, "no link to the technicians' pages")
	for _, l := range []audit.Lot{pending, other, parts} {
		res := seller.get("/console/lots/" + l.ID)
		assert.Equal(t, http.StatusNotFound, res.status, l.LotRef)
		assertHas(t, res.body, "<h1>Not found</h1>")
	}
	res = seller.post("/console/lots/"+pending.ID+"/samples", url.Values{"bench_test_id": {"bt_x"}})
	assert.Equal(t, http.StatusForbidden, res.status)
}

func TestDeviceLotSamples(t *testing.T) {
	h := newHarness(t)
	tech := h.signedIn(audit.RoleTechnician)
	l := h.newLot(t, audit.NewLot{Kind: audit.LotDevices, LotRef: "OWN-1", LotSize: 2, SellerID: h.Own.ID, ListedGrade: "premium"})
	good := h.benchTest(t, tech, h.Own.ID, "GOOD-1", "2026-03-02T09:00", nil)
	cracked := h.benchTest(t, tech, h.Own.ID, "CRACK-1", "2026-03-02T09:30", map[string]string{"cosmetic.screen.cracks": "1", "cosmetic.screen.visible_from_cm": "30"})
	incomplete := h.benchTest(t, tech, h.Own.ID, "UNKNOWN-1", "2026-03-02T09:40", map[string]string{"compliance.imei_status": "unknown"})
	others := h.benchTest(t, tech, h.Other.ID, "OTHER-1", "2026-03-02T09:50", nil)
	path := "/console/lots/" + l.ID

	res := tech.get(path)
	require.Equal(t, http.StatusOK, res.status, res.body)
	assertHas(t, res.body, "Add sample 1 of 2")
	assertHas(t, res.body, "<li>1</li><li>2</li>", "a lot of 2 is inspected whole")
	assertHas(t, res.body, `<label for="f-bench_test_id">Bench test id</label>`)
	list := section(t, res.body, `<datalist id="bench-candidates">`)
	assertHas(t, list, `<option value="`+good+`">Apple iPhone 13, tested 2026-03-02 09:00 UTC: conforming</option>`)
	assertHas(t, list, `<option value="`+cracked+`">`)
	assertHasNot(t, list, incomplete, "an incomplete bench test cannot be judged")
	assertHasNot(t, list, others, "only the lot's seller's")
	row := regexp.MustCompile(`(?s)<tr><th scope="row"><span class="id">` + cracked + `</span>.*?</tr>`).FindString(res.body)
	assertHas(t, row, `<span class="nonconforming">critical</span>`, "a cracked screen: cosmetic E")
	assertHas(t, res.body, `<a href="/console/bench-tests/new?seller_id=`+h.Own.ID+`">`)

	for _, tc := range []struct {
		id, msg string
	}{
		{"", "is required"},
		{others, "must be a bench test of the lot&#39;s seller"},
		{incomplete, "is incomplete and cannot be judged"},
		{"bt_nosuchtest", "no bench test has this id"},
	} {
		res := tech.post(path+"/samples", url.Values{"bench_test_id": {tc.id}})
		require.Equal(t, http.StatusUnprocessableEntity, res.status, tc.id)
		assert.Regexp(t, `id="f-bench_test_id-error">`+regexp.QuoteMeta(tc.msg), res.body, tc.id)
		if tc.id != "" {
			assertHas(t, res.body, `name="bench_test_id" type="text" value="`+tc.id+`"`, "the typed id is kept")
		}
	}

	res = tech.post(path+"/samples", url.Values{"bench_test_id": {good}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	assert.Equal(t, path, res.header.Get("Location"))
	res = tech.get(path)
	assertHas(t, res.body, "Sample 1 was added.")
	assertHas(t, res.body, "Add sample 2 of 2")
	assertHasNot(t, section(t, res.body, `<datalist id="bench-candidates">`), good, "a sampled bench test is suggested no more")
	samples := section(t, res.body, `id="samples-heading"`)
	assertHas(t, samples, `<a href="/console/bench-tests/`+good+`">`+good+`</a>`)
	assertHas(t, samples, "<td>conforming</td>")

	res = tech.post(path+"/samples", url.Values{"bench_test_id": {good}})
	require.Equal(t, http.StatusConflict, res.status, res.body)
	assert.Regexp(t, `id="f-bench_test_id-error">is a sample of a lot already`, res.body)

	res = tech.post(path+"/samples", url.Values{"bench_test_id": {cracked}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	res = tech.get(path)
	assertHas(t, res.body, "Sample 2 was added. The lot is decided: rejected.")
	assertHas(t, res.body, `Decision: <span class="decision decision-rejected">rejected</span>`)
	assertHasNot(t, res.body, `action="`+path+`/samples"`, "a decided lot takes no sample")
	classes := section(t, res.body, `id="classes-heading"`)
	assert.Regexp(t, `<th scope="row">critical</th><td class="num">2</td><td class="num">0</td><td class="num">1</td><td class="num">2</td><td class="num">1</td><td><span class="decision decision-rejected">rejected`, classes)
	assert.Regexp(t, `<th scope="row">minor</th><td class="num">2</td><td class="num">0</td><td class="num">1</td><td class="num">2</td><td class="num">0</td><td><span class="decision decision-accepted">accepted`, classes)
	// The stream: the seller's, on normal inspection, with the lot decided.
	stream := section(t, res.body, `id="stream-heading"`)
	assertHas(t, stream, `<strong class="stream-normal">normal</strong>`)
	assertHas(t, stream, "<dt>Lots rejected</dt><dd>1</dd>")

	res = tech.post(path+"/samples", url.Values{"bench_test_id": {good}})
	assert.Equal(t, http.StatusConflict, res.status, "a decided lot is closed")
	assertHas(t, res.body, "takes no more samples")
}

func TestPartsLotSamples(t *testing.T) {
	h := newHarness(t)
	tech := h.signedIn(audit.RoleTechnician)
	l := h.partsLot(t, "Acme", "ACME-1")
	path := "/console/lots/" + l.ID

	res := tech.get(path)
	require.Equal(t, http.StatusOK, res.status, res.body)
	for i := range 3 {
		for _, f := range []string{"class", "code", "note"} {
			assertHas(t, res.body, `<label for="f-defects-`+string(rune('0'+i))+`-`+f+`" class="visually-hidden">`)
		}
	}
	assertHasNot(t, res.body, `name="defects.3.class"`, "three rows to start with")

	// A defect in the second row without its class: the error is beside that row's class.
	v := url.Values{"serial": {"SN-1"}, "defect_rows": {"3"}, "defects.1.code": {"SCRATCH"}, "defects.1.note": {"left edge"}, "action": {"save"}}
	res = tech.post(path+"/samples", v)
	require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
	assert.Regexp(t, `id="f-defects-1-class-error">must be critical, major or minor`, res.body)
	assertHas(t, res.body, `name="defects.1.code" type="text" value="SCRATCH"`)
	assertHas(t, res.body, `name="serial" type="text" value="SN-1"`)

	v.Set("action", "more")
	res = tech.post(path+"/samples", v)
	require.Equal(t, http.StatusOK, res.status, "more rows store nothing")
	assertHas(t, res.body, `name="defects.5.note"`)
	assertHasNot(t, res.body, `name="defects.6.note"`)
	assertHas(t, res.body, `name="defect_rows" value="6"`)
	assertHas(t, res.body, `name="defects.1.note" type="text" value="left edge"`, "the typed values are kept")
	got, err := h.svc.Lot(context.Background(), system, l.ID)
	require.NoError(t, err)
	assert.Equal(t, 0, got.Tally.Received)

	res = tech.post(path+"/samples", url.Values{"serial": {"SN-1"}, "defect_rows": {"3"}, "action": {"save"}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	v = url.Values{"defect_rows": {"6"}, "defects.4.class": {"major"}, "defects.4.code": {"SCRATCH"}, "defects.5.class": {"minor"},
		"defects.5.code": {"SMUDGE"}, "defects.5.note": {"cleans off"}}
	res = tech.post(path+"/samples", v)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	res = tech.get(path)
	assertHas(t, res.body, "The lot is decided: rejected.")
	samples := section(t, res.body, `id="samples-heading"`)
	assert.Regexp(t, `(?s)<th scope="row" class="num">1</th>\s*<td>SN-1</td>\s*<td>none</td>\s*<td>conforming</td>`, samples)
	assert.Regexp(t, `(?s)<th scope="row" class="num">2</th>\s*<td><span class="muted">none</span></td>\s*<td><ul class="defect-list"><li>major: <span class="code">SCRATCH</span></li><li>minor: <span class="code">SMUDGE</span>, cleans off</li></ul></td>\s*<td><span class="nonconforming">major</span>, <span class="nonconforming">minor</span></td>`, samples)
}

// A stream discontinued after five rejections on tightened inspection takes no new lot until a
// manager resumes it from one of its lots; a technician may not.
func TestDiscontinuedStreamIsResumedByAManager(t *testing.T) {
	h := newHarness(t)
	var last audit.Lot
	for i := range 7 { // 2 rejections on normal: tightened; 5 on tightened: discontinued
		last = h.part(t, h.partsLot(t, "Acme", "ACME-"+string(rune('1'+i))), sampling.Critical)
	}
	path := "/console/lots/" + last.ID
	tech, manager := h.signedIn(audit.RoleTechnician), h.signedIn(audit.RoleManager)

	v := url.Values{"kind": {"parts"}, "lot_ref": {"ACME-8"}, "lot_size": {"2"}, "supplier": {"Acme"}, "part_type": {"screen"},
		"received_at": {"2026-03-03T08:00"}}
	res := tech.post("/console/lots", v)
	require.Equal(t, http.StatusConflict, res.status, res.body)
	assertHas(t, section(t, res.body, `id="new-heading"`), "This stream is discontinued")
	assertHas(t, res.body, `value="ACME-8"`)

	res = tech.get(path)
	require.Equal(t, http.StatusOK, res.status)
	assertHas(t, res.body, `<strong class="stream-discontinued">discontinued</strong>`)
	assertHasNot(t, res.body, "/stream/resume", "a technician is offered no resume form")
	res = tech.post(path+"/stream/resume", url.Values{"note": {"fixed"}})
	assert.Equal(t, http.StatusForbidden, res.status)

	res = manager.get(path)
	assertHas(t, res.body, `<form method="post" action="`+path+`/stream/resume"`)
	res = manager.post(path+"/stream/resume", url.Values{"note": {"  "}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	assert.Regexp(t, `id="f-note-error">is required`, res.body)
	res = manager.post(path+"/stream/resume", url.Values{"note": {"The supplier replaced its lamination line."}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	res = manager.get(path)
	assertHas(t, res.body, "The stream was resumed on tightened inspection")
	assertHas(t, res.body, `<strong class="stream-tightened">tightened</strong>`)
	assertHas(t, res.body, "The supplier replaced its lamination line.")
	assertHasNot(t, res.body, "/stream/resume\"", "resumed: no form any more")

	res = tech.post("/console/lots", v)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	res = tech.get(res.header.Get("Location"))
	assertHas(t, res.body, "level II, tightened inspection")
	res = manager.post(path+"/stream/resume", url.Values{"note": {"again"}})
	assert.Equal(t, http.StatusConflict, res.status, "a stream that is not discontinued")
}

// The managers' overview counts the lots rejected this month; the seller page lists the
// seller's lots.
func TestOverviewAndSellerPageShowLots(t *testing.T) {
	h := newHarness(t)
	tech := h.signedIn(audit.RoleTechnician)
	rejected := h.decidedDeviceLot(t, tech, h.Own.ID, "OWN-1")
	h.part(t, h.partsLot(t, "Acme", "ACME-1"), sampling.Major)
	h.part(t, h.part(t, h.partsLot(t, "Acme", "ACME-2")))
	pending := h.deviceLot(t, h.Own.ID, "OWN-2")
	h.deviceLot(t, h.Other.ID, "OTHER-1")
	manager := h.signedIn(audit.RoleManager)
	month := time.Now().UTC().Format("2006-01")

	res := manager.get("/console/")
	lots := section(t, res.body, `id="lots-heading"`)
	assertHas(t, lots, "<dt>Rejected this month ("+month+")</dt>")
	assertHas(t, lots, `<a href="/console/lots?decided=`+month+`&amp;decision=rejected">2<`)
	res = manager.get("/console/lots?decided=" + month + "&decision=rejected")
	assert.Len(t, listedLots(res.body), 2, "the link lists what the overview counts")

	res = manager.get("/console/sellers/" + h.Own.ID)
	require.Equal(t, http.StatusOK, res.status, res.body)
	lots = section(t, res.body, `id="lots-heading"`)
	assert.Equal(t, []string{pending.ID, rejected.ID}, listedLots(res.body), "its device lots, newest first")
	assertHas(t, lots, `<td>devices</td>`)
	assertHas(t, res.body, `<a href="/console/lots?kind=devices&amp;seller_id=`+h.Own.ID+`">Every lot of this seller</a>`)
}
