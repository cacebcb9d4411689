package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// benchTestDoc is a valid bench test of a pristine smartphone as a lab tool sends it.
func benchTestDoc(t testing.TB, sellerID, externalID string) doc {
	d := doc{"seller_id": sellerID, "lab": "Lyon lab 2", "tested_at": "2026-10-02T09:00:00+02:00",
		"listed_grade": "excellent", "inspection": inspectionDoc(t, grading.Smartphone)}
	if externalID != "" {
		d["external_id"] = externalID
	}
	return d
}

type benchTestBody struct {
	ID              string          `json:"id"`
	SellerID        string          `json:"seller_id"`
	Lab             string          `json:"lab"`
	TestedAt        string          `json:"tested_at"`
	ListedGrade     *string         `json:"listed_grade"`
	ExternalID      *string         `json:"external_id"`
	TechnicianKeyID string          `json:"technician_key_id"`
	Supersedes      *string         `json:"supersedes"`
	SupersededBy    *string         `json:"superseded_by"`
	Inspection      json.RawMessage `json:"inspection"`
	Grade           gradeBody       `json:"grade"`
	GradeMatch      *string         `json:"grade_match"`
}

func (h *harness) createBenchTest(body any, want int) benchTestBody {
	h.t.Helper()
	res := h.do(http.MethodPost, "/api/v1/bench-tests", h.token(audit.RoleTechnician), body)
	require.Equal(h.t, want, res.Code, "%s", res.Body)
	var bt benchTestBody
	res.JSON(h.t, &bt)
	return bt
}

func TestBenchTestCreate(t *testing.T) {
	h := newHarness(t)
	body := benchTestDoc(t, h.Own.ID, "LAB-2026-000017")
	res := h.do(http.MethodPost, "/api/v1/bench-tests", h.token(audit.RoleTechnician), body)
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	m := res.Map(t)
	for _, k := range []string{"id", "seller_id", "lab", "tested_at", "listed_grade", "external_id", "technician_key_id",
		"inspection", "grade", "grade_match", "supersedes", "superseded_by"} {
		assert.Contains(t, m, k)
	}
	var bt benchTestBody
	res.JSON(t, &bt)
	assert.True(t, strings.HasPrefix(bt.ID, "bt_"), bt.ID)
	assert.Equal(t, h.Own.ID, bt.SellerID)
	assert.Equal(t, "Lyon lab 2", bt.Lab)
	assert.Equal(t, "2026-10-02T07:00:00Z", bt.TestedAt, "in UTC")
	assert.Equal(t, str("excellent"), bt.ListedGrade)
	assert.Equal(t, str("LAB-2026-000017"), bt.ExternalID)
	assert.Equal(t, h.keyIDs[audit.RoleTechnician], bt.TechnicianKeyID)
	assert.Nil(t, bt.Supersedes)
	assert.Nil(t, bt.SupersededBy)
	sent, err := json.Marshal(body["inspection"])
	require.NoError(t, err)
	assert.JSONEq(t, string(sent), string(bt.Inspection))
	assert.Equal(t, "sellable", bt.Grade.Status)
	assert.Equal(t, str("premium"), bt.Grade.Marketplace)
	assert.Equal(t, str("undergraded"), bt.GradeMatch, "listed excellent, observed premium")

	got := h.do(http.MethodGet, "/api/v1/bench-tests/"+bt.ID, h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, got.Code)
	assert.JSONEq(t, string(res.Body), string(got.Body))
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/bench-tests/bt_missing", h.token(audit.RoleAdmin), nil).Code)

	events, _, err := h.st.Events(context.Background(), store.EventFilter{Entity: "bench_test", EntityID: bt.ID}, store.Page{})
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, "create", events[0].Action)
	assert.Equal(t, h.keyIDs[audit.RoleTechnician], events[0].KeyID)
}

func TestBenchTestOptionalFieldsAreNull(t *testing.T) {
	h := newHarness(t)
	body := benchTestDoc(t, h.Own.ID, "")
	body["listed_grade"] = nil
	bt := h.createBenchTest(body, http.StatusCreated)
	assert.Nil(t, bt.ListedGrade)
	assert.Nil(t, bt.ExternalID)
	assert.Nil(t, bt.GradeMatch, "no listed grade, no comparison")
	// Without an external id every POST is a new bench test.
	assert.NotEqual(t, bt.ID, h.createBenchTest(body, http.StatusCreated).ID)
}

func TestBenchTestKeepsTheInspectionAsSubmitted(t *testing.T) {
	h := newHarness(t)
	inspection, err := json.MarshalIndent(set(inspectionDoc(t, grading.Smartphone), "device.model", "Galaxy “S23” <5G> & ünïcode"), "", "\t")
	require.NoError(t, err)
	raw := `{"seller_id": "` + h.Own.ID + `", "lab": "L", "tested_at": "2026-10-02T09:00:00Z", "inspection": ` + string(inspection) + `}`
	bt := h.createBenchTest(raw, http.StatusCreated)
	stored, err := h.st.BenchTest(context.Background(), bt.ID)
	require.NoError(t, err)
	assert.Equal(t, string(inspection), string(stored.Submitted), "stored byte for byte")
	assert.JSONEq(t, string(inspection), string(bt.Inspection))
	assert.Equal(t, "Galaxy “S23” <5G> & ünïcode", stored.Inspection.Device.Model)
}

// The inspection answered is the record's, encoded from the domain value: the client's own
// members and formatting are kept in the submitted document only, which the store holds byte
// for byte, also for the valid items of a batch in which another item has a value of the
// wrong type.
func TestBenchTestAnswersTheRecordedInspection(t *testing.T) {
	h := newHarness(t)
	clean, err := json.Marshal(inspectionDoc(t, grading.Smartphone))
	require.NoError(t, err)
	odd := strings.Replace(string(clean), `{"battery"`, `{ "x-lab-note": "<b>é</b>",  "battery"`, 1)
	raw := `{"seller_id": "` + h.Own.ID + `", "lab": "L", "tested_at": "2026-10-02T09:00:00Z", "inspection": ` + odd + `}`
	bt := h.createBenchTest(raw, http.StatusCreated)
	assert.JSONEq(t, string(clean), string(bt.Inspection))
	got := h.do(http.MethodGet, "/api/v1/bench-tests/"+bt.ID, h.token(audit.RoleTechnician), nil)
	require.Equal(t, http.StatusOK, got.Code)
	var read benchTestBody
	got.JSON(t, &read)
	assert.JSONEq(t, string(clean), string(read.Inspection))
	stored, err := h.st.BenchTest(context.Background(), bt.ID)
	require.NoError(t, err)
	assert.Equal(t, odd, string(stored.Submitted))

	batch := `{"items": [` + strings.Replace(raw, `"lab": "L"`, `"lab": "L", "external_id": "ODD-1"`, 1) + `,` +
		strings.Replace(raw, `"lab": "L"`, `"lab": 5`, 1) + `]}`
	res := h.do(http.MethodPost, "/api/v1/bench-tests/batch", h.token(audit.RoleTechnician), batch)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	var out batchResults
	res.JSON(t, &out)
	require.Len(t, out.Results, 2)
	assert.Equal(t, "invalid", out.Results[1].Status)
	require.Equal(t, "created", out.Results[0].Status)
	stored, err = h.st.BenchTest(context.Background(), *out.Results[0].ID)
	require.NoError(t, err)
	assert.Equal(t, odd, string(stored.Submitted), "kept as sent, whatever the other items hold")
}

// An inspection that is not valid UTF-8 as sent cannot be kept as evidence: it is reported,
// together with every other problem of the document.
func TestBenchTestInspectionNotUTF8(t *testing.T) {
	h := newHarness(t)
	b, err := json.Marshal(benchTestDoc(t, h.Own.ID, "U8"))
	require.NoError(t, err)
	bad := strings.Replace(string(b), `"iPhone 13"`, "\"iPhone \xff\"", 1)
	for _, tc := range []struct {
		body   string
		fields []string
	}{
		{bad, []string{"inspection"}},
		{strings.Replace(bad, `"lab":"Lyon lab 2"`, `"lab":7`, 1), []string{"inspection", "lab"}},
		{strings.Replace(bad, `"health_pct":95.5`, `"health_pct":"x"`, 1), []string{"inspection"}},
	} {
		res := h.do(http.MethodPost, "/api/v1/bench-tests", h.token(audit.RoleTechnician), tc.body)
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
		assert.Equal(t, tc.fields, problemFields(t, res))
	}
}

func TestBenchTestIdempotent(t *testing.T) {
	h := newHarness(t)
	first := h.do(http.MethodPost, "/api/v1/bench-tests", h.token(audit.RoleTechnician), benchTestDoc(t, h.Own.ID, "LAB-1"))
	require.Equal(t, http.StatusCreated, first.Code)

	// The same lab record again, even changed and by another key: the stored one, unchanged.
	changed := benchTestDoc(t, h.Own.ID, "LAB-1")
	changed["lab"] = "Another lab"
	set(changed, "inspection.battery.health_pct", 50)
	again := h.do(http.MethodPost, "/api/v1/bench-tests", h.token(audit.RoleAdmin), changed)
	require.Equal(t, http.StatusOK, again.Code, "%s", again.Body)
	assert.JSONEq(t, string(first.Body), string(again.Body))

	// The external id is unique per seller only.
	other := h.createBenchTest(benchTestDoc(t, h.Other.ID, "LAB-1"), http.StatusCreated)
	assert.NotEqual(t, first.Map(t)["id"], other.ID)

	var list struct{ Items []benchTestBody }
	h.do(http.MethodGet, "/api/v1/bench-tests", h.token(audit.RoleTechnician), nil).JSON(t, &list)
	assert.Len(t, list.Items, 2)
}

func TestBenchTestRoles(t *testing.T) {
	h := newHarness(t)
	for i, role := range []audit.Role{audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician} {
		res := h.do(http.MethodPost, "/api/v1/bench-tests", h.token(role), benchTestDoc(t, h.Own.ID, fmt.Sprint("R", i)))
		assert.Equal(t, http.StatusCreated, res.Code, role)
	}
	body := benchTestDoc(t, h.Own.ID, "S")
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodPost, "/api/v1/bench-tests", h.token(audit.RoleSeller), body).Code)
	assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodPost, "/api/v1/bench-tests", "", body).Code)
	batch := doc{"items": []any{body}}
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodPost, "/api/v1/bench-tests/batch", h.token(audit.RoleSeller), batch).Code)
	assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodPost, "/api/v1/bench-tests/batch", "", batch).Code)
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodGet, "/api/v1/bench-tests", h.token(audit.RoleSeller), nil).Code)
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodGet, "/api/v1/bench-tests/bt_x", h.token(audit.RoleSeller), nil).Code)
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodPost, "/api/v1/bench-tests/bt_x/corrections", h.token(audit.RoleSeller), body).Code)
	assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodGet, "/api/v1/bench-tests", "", nil).Code)
}

func TestBenchTestValidation(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name   string
		body   any
		fields []string
	}{
		{"unknown seller", benchTestDoc(t, "sl_missing", "X"), []string{"seller_id"}},
		{"lab of 65 characters", set(benchTestDoc(t, h.Own.ID, "X"), "lab", strings.Repeat("ł", 65)), []string{"lab"}},
		{"empty lab", set(benchTestDoc(t, h.Own.ID, "X"), "lab", ""), []string{"lab"}},
		{"not a timestamp", set(benchTestDoc(t, h.Own.ID, "X"), "tested_at", "2026-10-02"), []string{"tested_at"}},
		{"unknown listed grade", set(benchTestDoc(t, h.Own.ID, "X"), "listed_grade", "mint"), []string{"listed_grade"}},
		{"empty external id", set(benchTestDoc(t, h.Own.ID, "X"), "external_id", ""), []string{"external_id"}},
		{"no inspection", set(benchTestDoc(t, h.Own.ID, "X"), "inspection", nil), []string{"inspection"}},
		{"an inspection of the wrong type", set(benchTestDoc(t, h.Own.ID, "X"), "inspection", "ok"), []string{"inspection"}},
		{"a wrong type in the envelope", set(benchTestDoc(t, h.Own.ID, "X"), "lab", 7), []string{"lab"}},
		{"a wrong type in the inspection", set(benchTestDoc(t, h.Own.ID, "X"), "inspection.battery.health_pct", "91"), []string{"inspection.battery.health_pct"}},
		{"every invalid field in one answer", func() doc {
			d := benchTestDoc(t, "", "X")
			delete(d, "lab")
			d["tested_at"] = "yesterday"
			d["listed_grade"] = "Premium"
			set(d, "inspection.device.imei", nil)
			set(d, "inspection.cosmetic.screen.cracks", -1)
			set(d, "inspection.functional.display", "not_applicable")
			return d
		}(), []string{"inspection.cosmetic.screen.cracks", "inspection.device.imei", "inspection.functional.display",
			"lab", "listed_grade", "seller_id", "tested_at"}},
		{"empty object", doc{}, []string{"inspection", "lab", "seller_id", "tested_at"}},
		{"malformed JSON", `{"seller_id": `, []string{"body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.do(http.MethodPost, "/api/v1/bench-tests", h.token(audit.RoleTechnician), tt.body)
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
			assert.Equal(t, tt.fields, problemFields(t, res))
		})
	}
	var list struct{ Items []benchTestBody }
	h.do(http.MethodGet, "/api/v1/bench-tests", h.token(audit.RoleTechnician), nil).JSON(t, &list)
	assert.Empty(t, list.Items, "nothing stored")
}

type batchResults struct {
	Results []struct {
		Index  int     `json:"index"`
		Status string  `json:"status"`
		ID     *string `json:"id"`
		Errors []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"results"`
}

func TestBenchTestBatch(t *testing.T) {
	h := newHarness(t)
	stored := h.createBenchTest(benchTestDoc(t, h.Own.ID, "OLD"), http.StatusCreated)

	items := []any{
		benchTestDoc(t, h.Own.ID, "A"),                                                       // 0 created
		benchTestDoc(t, h.Own.ID, "OLD"),                                                     // 1 duplicate of the stored one
		set(benchTestDoc(t, h.Own.ID, "B"), "inspection.battery.health_pct", "x"),            // 2 invalid: wrong type
		benchTestDoc(t, h.Own.ID, "A"),                                                       // 3 duplicate of item 0
		benchTestDoc(t, "sl_missing", "C"),                                                   // 4 invalid: unknown seller
		set(set(benchTestDoc(t, h.Other.ID, "D"), "lab", ""), "inspection.device.imei", nil), // 5 invalid: two fields
		benchTestDoc(t, h.Other.ID, ""),                                                      // 6 created, no external id
		json.RawMessage(`42`),                                                                // 7 invalid: not an object
	}
	res := h.do(http.MethodPost, "/api/v1/bench-tests/batch", h.token(audit.RoleTechnician), doc{"items": items})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	var out batchResults
	res.JSON(t, &out)
	require.Len(t, out.Results, len(items))
	want := []string{"created", "duplicate", "invalid", "duplicate", "invalid", "invalid", "created", "invalid"}
	for i, r := range out.Results {
		assert.Equal(t, i, r.Index)
		assert.Equal(t, want[i], r.Status, "item %d", i)
		if r.Status == "invalid" {
			assert.Nil(t, r.ID, "item %d", i)
			assert.NotEmpty(t, r.Errors, "item %d", i)
		} else {
			require.NotNil(t, r.ID, "item %d", i)
			assert.Empty(t, r.Errors, "item %d", i)
		}
	}
	fields := func(i int) []string {
		var f []string
		for _, e := range out.Results[i].Errors {
			f = append(f, e.Field)
		}
		return f
	}
	assert.Equal(t, stored.ID, *out.Results[1].ID, "the id of the stored one")
	assert.Equal(t, *out.Results[0].ID, *out.Results[3].ID, "the id of the first occurrence")
	assert.Equal(t, []string{"inspection.battery.health_pct"}, fields(2), "paths relative to the item")
	assert.Equal(t, []string{"seller_id"}, fields(4))
	assert.Equal(t, []string{"inspection.device.imei", "lab"}, fields(5))
	assert.Equal(t, []string{"item"}, fields(7))

	for _, i := range []int{0, 6} {
		got := h.do(http.MethodGet, "/api/v1/bench-tests/"+*out.Results[i].ID, h.token(audit.RoleTechnician), nil)
		require.Equal(t, http.StatusOK, got.Code)
		var bt benchTestBody
		got.JSON(t, &bt)
		assert.Equal(t, items[i].(doc)["seller_id"], bt.SellerID)
		assert.Equal(t, h.keyIDs[audit.RoleTechnician], bt.TechnicianKeyID)
		assert.Equal(t, "premium", *bt.Grade.Marketplace)
	}
	events, _, err := h.st.Events(context.Background(), store.EventFilter{Entity: "bench_test"}, store.Page{})
	require.NoError(t, err)
	assert.Len(t, events, 3, "one event per created bench test")

	// The whole batch again: nothing new.
	res = h.do(http.MethodPost, "/api/v1/bench-tests/batch", h.token(audit.RoleTechnician), doc{"items": items[:2]})
	require.Equal(t, http.StatusOK, res.Code)
	res.JSON(t, &out)
	assert.Equal(t, "duplicate", out.Results[0].Status)
	assert.Equal(t, "duplicate", out.Results[1].Status)
}

func TestBenchTestBatchSize(t *testing.T) {
	h := newHarness(t)
	item := benchTestDoc(t, h.Own.ID, "")
	items := func(n int) doc {
		out := make([]any, n)
		for i := range out {
			out[i] = item
		}
		return doc{"items": out}
	}
	for _, tc := range []struct {
		name string
		body any
	}{
		{"no items", items(0)},
		{"1001 items", items(1001)},
		{"null items", doc{"items": nil}},
		{"no items field", doc{}},
	} {
		res := h.do(http.MethodPost, "/api/v1/bench-tests/batch", h.token(audit.RoleTechnician), tc.body)
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, tc.name)
		assert.Equal(t, []string{"items"}, problemFields(t, res), tc.name)
	}
	res := h.do(http.MethodPost, "/api/v1/bench-tests/batch", h.token(audit.RoleTechnician), `{"items": {}}`)
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"items"}, problemFields(t, res), "wrong type")

	res = h.do(http.MethodPost, "/api/v1/bench-tests/batch", h.token(audit.RoleTechnician), items(1000))
	require.Equal(t, http.StatusOK, res.Code, "%.300s", res.Body)
	var out batchResults
	res.JSON(t, &out)
	require.Len(t, out.Results, 1000)
	for _, r := range out.Results {
		assert.Equal(t, "created", r.Status)
	}
}

func TestBenchTestListFilters(t *testing.T) {
	h := newHarness(t)
	var items []any
	for i := range 12 {
		seller := h.Own.ID
		if i%3 == 0 {
			seller = h.Other.ID
		}
		d := benchTestDoc(t, seller, fmt.Sprint("E", i))
		d["tested_at"] = fmt.Sprintf("2026-10-%02dT12:00:00Z", i+1) // 1 to 12 October
		items = append(items, d)
	}
	res := h.do(http.MethodPost, "/api/v1/bench-tests/batch", h.token(audit.RoleTechnician), doc{"items": items})
	require.Equal(t, http.StatusOK, res.Code)

	walk := func(query string) []benchTestBody {
		var all []benchTestBody
		seen := map[string]bool{}
		cursor := ""
		for {
			var page struct {
				Items      []benchTestBody `json:"items"`
				NextCursor string          `json:"next_cursor"`
			}
			res := h.do(http.MethodGet, "/api/v1/bench-tests?limit=3&"+query+"&cursor="+cursor, h.token(audit.RoleManager), nil)
			require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
			res.JSON(t, &page)
			assert.LessOrEqual(t, len(page.Items), 3)
			for _, it := range page.Items {
				assert.False(t, seen[it.ID], "seen twice: %s", it.ID)
				seen[it.ID] = true
			}
			all = append(all, page.Items...)
			if page.NextCursor == "" {
				return all
			}
			cursor = page.NextCursor
		}
	}
	assert.Len(t, walk(""), 12)
	assert.Len(t, walk("seller_id="+h.Own.ID), 8)
	// [3 Oct, 6 Oct): the 3rd, 4th and 5th; dates mean midnight UTC.
	got := walk("from=2026-10-03&to=2026-10-06")
	require.Len(t, got, 3)
	assert.Equal(t, "2026-10-03T12:00:00Z", got[0].TestedAt, "submission order")
	assert.Len(t, walk("seller_id="+h.Other.ID+"&from=2026-10-03&to=2026-10-06"), 1) // the 4th
	assert.Len(t, walk("from="+url.QueryEscape("2026-10-12T12:00:00Z")), 1, "from is inclusive")
	assert.Len(t, walk("to="+url.QueryEscape("2026-10-01T12:00:00Z")), 0, "to is exclusive")
	assert.Len(t, walk("to="+url.QueryEscape("2026-10-01T14:00:00+02:00")), 0, "offsets are honoured")
	assert.Len(t, walk("seller_id=sl_missing"), 0)

	for bad, field := range map[string]string{"from=yesterday": "from", "to=2026-13-01": "to", "limit=0": "limit",
		"from=2026-10-05&to=2026-10-04": "to", "cursor=%25": "cursor"} {
		res := h.do(http.MethodGet, "/api/v1/bench-tests?"+bad, h.token(audit.RoleManager), nil)
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, bad)
		assert.Equal(t, []string{field}, problemFields(t, res), bad)
	}
}

func TestBenchTestCorrections(t *testing.T) {
	h := newHarness(t)
	orig := h.createBenchTest(benchTestDoc(t, h.Own.ID, "LAB-9"), http.StatusCreated)
	path := "/api/v1/bench-tests/" + orig.ID + "/corrections"

	fix := benchTestDoc(t, h.Own.ID, "LAB-9") // a correction may reuse the external id
	set(fix, "inspection.battery.health_pct", 79.5)
	res := h.do(http.MethodPost, path, h.token(audit.RoleTechnician), benchTestDoc(t, h.Other.ID, "LAB-9"))
	require.Equal(t, http.StatusUnprocessableEntity, res.Code, "another seller")
	assert.Equal(t, []string{"seller_id"}, problemFields(t, res))
	res = h.do(http.MethodPost, path, h.token(audit.RoleTechnician), set(benchTestDoc(t, h.Own.ID, ""), "lab", ""))
	require.Equal(t, http.StatusUnprocessableEntity, res.Code, "validated like a bench test")
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodPost, "/api/v1/bench-tests/bt_missing/corrections", h.token(audit.RoleTechnician), fix).Code)

	res = h.do(http.MethodPost, path, h.token(audit.RoleManager), fix)
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	var corr benchTestBody
	res.JSON(t, &corr)
	assert.Equal(t, &orig.ID, corr.Supersedes)
	assert.Nil(t, corr.SupersededBy)
	assert.Equal(t, "not_sellable", corr.Grade.Status)
	assert.Equal(t, h.keyIDs[audit.RoleManager], corr.TechnicianKeyID)

	// Both stay visible; the old one names its correction and is otherwise unchanged.
	var before benchTestBody
	h.do(http.MethodGet, "/api/v1/bench-tests/"+orig.ID, h.token(audit.RoleTechnician), nil).JSON(t, &before)
	assert.Equal(t, &corr.ID, before.SupersededBy)
	before.SupersededBy = nil
	assert.Equal(t, orig, before)

	assert.Equal(t, http.StatusConflict, h.do(http.MethodPost, path, h.token(audit.RoleTechnician), fix).Code, "correct the correction instead")
	assert.Equal(t, http.StatusCreated, h.do(http.MethodPost, "/api/v1/bench-tests/"+corr.ID+"/corrections", h.token(audit.RoleTechnician), fix).Code)

	// The lab's id still answers the original, which now points at its correction.
	again := h.createBenchTest(benchTestDoc(t, h.Own.ID, "LAB-9"), http.StatusOK)
	assert.Equal(t, orig.ID, again.ID)
	assert.Equal(t, &corr.ID, again.SupersededBy)

	var list struct{ Items []benchTestBody }
	h.do(http.MethodGet, "/api/v1/bench-tests?seller_id="+h.Own.ID, h.token(audit.RoleTechnician), nil).JSON(t, &list)
	assert.Len(t, list.Items, 3)
}

// TestBenchTestOddIDs checks that ids and filters no record can hold (a NUL, invalid UTF-8,
// which PostgreSQL text refuses) answer like any unknown id, never 5xx.
func TestBenchTestOddIDs(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"/api/v1/bench-tests/bt%00x", "/api/v1/bench-tests/bt%ffx"} {
		assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, p, h.token(audit.RoleAdmin), nil).Code, p)
		assert.Equal(t, http.StatusNotFound, h.do(http.MethodPost, p+"/corrections", h.token(audit.RoleAdmin), benchTestDoc(t, h.Own.ID, "")).Code, p)
	}
	for _, p := range []string{"/api/v1/bench-tests?seller_id=%00", "/api/v1/bench-tests?seller_id=%ff&from=2026-01-01"} {
		res := h.do(http.MethodGet, p, h.token(audit.RoleAdmin), nil)
		require.Equal(t, http.StatusOK, res.Code, p)
		assert.Empty(t, res.Map(t)["items"], p)
	}
	res := h.do(http.MethodPost, "/api/v1/bench-tests", h.token(audit.RoleAdmin), benchTestDoc(t, "sl_\u0000", "X\u0000"))
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"external_id", "seller_id"}, problemFields(t, res))
}

// ingestVariants renders inspections of every category with realistic wear, faults and
// compliance findings, as JSON ready to be spliced into bench tests.
func ingestVariants(tb testing.TB) [][]byte {
	var out [][]byte
	for i := range 60 {
		cat := grading.Categories[i%3]
		d := inspectionDoc(tb, cat)
		set(d, "device.brand", []string{"Apple", "Samsung", "Lenovo", "Dell", "Google"}[i%5])
		set(d, "device.model", fmt.Sprintf("Model %d Pro Max", i))
		set(d, "battery.health_pct", 70+float64(i%30)+0.5)
		set(d, "battery.cycle_count", 50*i)
		body := doc{"light_scratches": i % 4, "deep_scratches": i % 3 / 2, "dents": i % 5 / 4, "chips": 0, "cracks": 0, "visible_from_cm": 0}
		if i%4 != 0 || i%3 == 2 || i%5 == 4 {
			body["visible_from_cm"] = 10 + i%60
		}
		set(d, "cosmetic.body", body)
		if i%11 == 0 {
			set(d, "cosmetic.screen", doc{"light_scratches": 0, "deep_scratches": 0, "dents": 0, "chips": 0, "cracks": 1, "visible_from_cm": 200})
		}
		if i%7 == 0 {
			set(d, "functional.power_on", "pass")
			set(d, "functional.microphone", "fail")
		}
		if i%13 == 0 {
			set(d, "parts.non_genuine", []string{"screen", "battery"})
			set(d, "parts.disclosed", i%2 == 0)
		}
		if i%17 == 0 {
			set(d, "compliance.activation_lock", true)
		}
		b, err := json.Marshal(d)
		require.NoError(tb, err)
		out = append(out, b)
	}
	return out
}

// BenchmarkBatchIngest measures the intake of mass testing through the whole HTTP stack
// (routing, authentication, decoding, validation, grading, one SQLite transaction per batch):
// 8 concurrent clients each POST batches of 500 realistic bench tests with fresh external ids,
// to a server on a SQLite file. It reports devices stored per second (items/s).
func BenchmarkBatchIngest(b *testing.B) {
	const batchSize, clients = 500, 8
	ctx := context.Background()
	st := storetest.OpenSQLite(b, store.Config{})
	protocols, err := checklist.LoadProtocols()
	require.NoError(b, err)
	cfg, err := httpapi.StoreConfig(httpapi.Config{Service: audit.NewService(audit.ServiceConfig{Store: st, Protocols: protocols})}, st)
	require.NoError(b, err)
	srv, err := httpapi.New(cfg)
	require.NoError(b, err)
	sellers := make([]string, 20)
	for i := range sellers {
		s, err := st.CreateSeller(ctx, system, audit.Seller{Name: fmt.Sprint("Seller ", i), Country: "FR", ContactEmail: "s@example.com"})
		require.NoError(b, err)
		sellers[i] = s.ID
	}
	_, token, err := st.CreateKey(ctx, system, audit.Key{Name: "lab", Role: audit.RoleTechnician})
	require.NoError(b, err)
	variants := ingestVariants(b)
	grades := []string{`"premium"`, `"excellent"`, `"good"`, `"fair"`, `null`}

	start := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	var seq atomic.Int64
	body := func() []byte {
		n := seq.Add(1)
		var buf bytes.Buffer
		buf.Grow(batchSize * (len(variants[0]) + 200))
		buf.WriteString(`{"items":[`)
		for i := range batchSize {
			if i > 0 {
				buf.WriteByte(',')
			}
			k := int(n)*batchSize + i
			// A lab submits what it tested lately: tested_at moves forward with the batches.
			testedAt := start.Add(time.Duration(k) * time.Second).Format(time.RFC3339)
			fmt.Fprintf(&buf, `{"seller_id":%q,"lab":"Lyon lab %d","tested_at":%q,"listed_grade":%s,"external_id":"LAB-%d-%d","inspection":`,
				sellers[k%len(sellers)], k%4, testedAt, grades[k%len(grades)], n, i)
			buf.Write(variants[k%len(variants)])
			buf.WriteByte('}')
		}
		buf.WriteString(`]}`)
		return buf.Bytes()
	}

	b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			raw := body()
			req := httptest.NewRequest(http.MethodPost, "/api/v1/bench-tests/batch", bytes.NewReader(raw))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"invalid"`)) {
				i := bytes.Index(rec.Body.Bytes(), []byte(`"invalid"`))
				b.Errorf("batch answered %d: %.300s", rec.Code, rec.Body.Bytes()[max(0, i-100):])
				return
			}
		}
	})
	b.ReportMetric(float64(seq.Load()*batchSize)/b.Elapsed().Seconds(), "items/s")
}
