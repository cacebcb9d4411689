package console_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

// kpiCSV is a KPI file of api.md: its header, then one line per row, each row's cells by
// column (a column left out of a row is 0, orders 100 and messages_received 10).
func kpiCSV(rows ...map[string]string) []byte {
	columns := append([]string{"seller_id", "month"}, audit.KPIFields...)
	var b strings.Builder
	b.WriteString(strings.Join(columns, ",") + "\n")
	for _, row := range rows {
		cells := make([]string, len(columns))
		for i, c := range columns {
			v, ok := row[c]
			switch {
			case ok:
			case c == "orders":
				v = "100"
			case c == "messages_received":
				v = "10"
			default:
				v = "0"
			}
			cells[i] = v
		}
		b.WriteString(strings.Join(cells, ",") + "\n")
	}
	return []byte(b.String())
}

// badLines are the rows of the bad-lines table: line, column and problem.
func badLines(body string) [][3]string {
	var out [][3]string
	re := regexp.MustCompile(`<tr><th scope="row">([^<]+)</th><td>(?:<code>)?([^<]+)(?:</code>)?</td><td>([^<]+)</td></tr>`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, [3]string{m[1], m[2], m[3]})
	}
	return out
}

func TestKPIImportAllOrNothing(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c := h.signedIn(audit.RoleManager)
	res := c.get("/console/kpis")
	require.Equal(t, http.StatusOK, res.status)
	assertHas(t, res.body, `enctype="multipart/form-data"`)
	assertHas(t, res.body, "seller_id,month,orders,")

	months := func(sellerID string) int {
		t.Helper()
		list, _, err := h.svc.KPIMonths(ctx, system, sellerID, audit.Page{})
		require.NoError(t, err)
		return len(list)
	}

	// One bad line among good ones: nothing imported, the bad line listed at its column.
	file := kpiCSV(
		map[string]string{"seller_id": h.Own.ID, "month": "2026-10"},
		map[string]string{"seller_id": h.Own.ID, "month": "2026-11", "shipped_late": "101"},
		map[string]string{"seller_id": h.Other.ID, "month": "2026-11"},
	)
	res = c.upload("/console/kpis", "november.csv", file)
	require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
	assert.Equal(t, [][3]string{{"3", "shipped_late", "must not exceed orders (100)"}}, badLines(res.body))
	assertHas(t, res.body, `<p class="field-error" id="f-file-error">has 1 bad line, listed below: nothing was imported</p>`)
	assertHas(t, res.body, "<h2 id=\"problems-heading\">Bad lines of november.csv</h2>")
	assert.Zero(t, months(h.Own.ID), "nothing imported")
	assert.Zero(t, months(h.Other.ID), "nothing imported")

	// Every bad line, each at its line and column; a malformed line as a whole.
	file = append(kpiCSV(
		map[string]string{"seller_id": h.Own.ID, "month": "2026-13"},
		map[string]string{"seller_id": "sl_nosuchseller", "month": "2026-11"},
		map[string]string{"seller_id": h.Other.ID, "month": "2026-11", "orders": "many"},
		map[string]string{"seller_id": h.Own.ID, "month": "2026-11"},
	), []byte(h.Other.ID+",2026-10,1\n")...)
	res = c.upload("/console/kpis", "bad.csv", file)
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	lines := badLines(res.body)
	require.Len(t, lines, 4, res.body)
	assert.Equal(t, [3]string{"2", "month"}, [3]string{lines[0][0], lines[0][1]})
	assert.Equal(t, [3]string{"3", "seller_id", "no seller has this id"}, lines[1])
	assert.Equal(t, [3]string{"4", "orders"}, [3]string{lines[2][0], lines[2][1]})
	assert.Equal(t, [3]string{"6", "whole line", fmt.Sprintf("has 3 fields, want %d", len(audit.KPIFields)+2)}, lines[3])
	assertHas(t, res.body, "has 4 bad lines, listed below: nothing was imported")
	assert.Zero(t, months(h.Own.ID))

	// A file with more bad lines than a page lists says how many more there are.
	many := make([]map[string]string, 1002)
	for i := range many {
		many[i] = map[string]string{"seller_id": h.Own.ID, "month": "2026-11", "orders": "-1"}
	}
	res = c.upload("/console/kpis", "many.csv", kpiCSV(many...))
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	assert.Len(t, badLines(res.body), 1000)
	assertHas(t, res.body, "has 1002 bad lines, listed below")
	assertHas(t, res.body, "And 2 more bad lines, not listed here")

	// A header that misses a column is line 1's problem.
	res = c.upload("/console/kpis", "short.csv", []byte("seller_id,month,orders\n"+h.Own.ID+",2026-11,3\n"))
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	assert.Contains(t, badLines(res.body), [3]string{"1", "warranty_months", "missing column"})

	// No file at all.
	res = c.post("/console/kpis", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.status)
	assertHas(t, res.body, `<p class="field-error" id="f-file-error">choose the month&#39;s KPI file (CSV)</p>`)

	// All valid: every row imported, and the form says how many.
	file = kpiCSV(
		map[string]string{"seller_id": h.Own.ID, "month": "2026-10"},
		map[string]string{"seller_id": h.Own.ID, "month": "2026-11", "shipped_late": "4"},
		map[string]string{"seller_id": h.Other.ID, "month": "2026-11"},
	)
	res = c.upload("/console/kpis", "november.csv", file)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	assert.Equal(t, "/console/kpis", res.header.Get("Location"))
	res = c.get("/console/kpis")
	assertHas(t, res.body, `<p class="notice" role="status">november.csv: 3 months imported.</p>`)
	assert.Equal(t, 2, months(h.Own.ID))
	assert.Equal(t, 1, months(h.Other.ID))
	assertHasNot(t, c.get("/console/kpis").body, "months imported", "said once")

	res = c.upload("/console/kpis", "empty.csv", kpiCSV())
	require.Equal(t, http.StatusSeeOther, res.status)
	assertHas(t, c.get("/console/kpis").body, "empty.csv holds no rows: nothing was imported.")
}
