package console_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

// workRows are the records a page of recent work links to, in its order.
func workRows(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<th scope="row"><a href="([^"]+)">`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// nextPage is the address of the "next page" link of a page of recent work ("" when none).
func nextPage(body string) string {
	m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func TestRecentWork(t *testing.T) {
	h := newHarness(t)
	tech, manager := h.signedIn(audit.RoleTechnician), h.signedIn(audit.RoleManager)
	var mine []string // the technician's records, oldest first
	for i := range 56 {
		var res *response
		if i%3 == 2 {
			v := h.goodOrder(t)
			v.Set("order_ref", fmt.Sprintf("MO-%03d", i))
			res = tech.post("/console/mystery-orders", v)
		} else {
			v := h.goodPhone(t)
			v.Set("external_id", fmt.Sprintf("LY-%03d", i))
			if i%5 == 0 {
				v.Set("cosmetic.body.dents", "1")
				v.Set("cosmetic.body.visible_from_cm", "40")
			}
			res = tech.post("/console/bench-tests", v)
		}
		require.Equal(t, http.StatusSeeOther, res.status, res.body)
		mine = append(mine, res.header.Get("Location"))
		if i == 20 || i == 40 {
			v := h.goodPhone(t)
			v.Set("external_id", fmt.Sprintf("MGR-%03d", i))
			res = manager.post("/console/bench-tests", v) // the manager's own work
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
		}
	}
	slices.Reverse(mine)

	first := tech.get("/console/work")
	require.Equal(t, http.StatusOK, first.status)
	assert.Equal(t, mine[:50], workRows(first.body), "the technician's own records, newest first, a page of 50")
	next := nextPage(first.body)
	require.NotEmpty(t, next, "a next page")
	assert.NotContains(t, first.body, `>Newest records</a>`, "the first page")
	second := tech.get(next)
	require.Equal(t, http.StatusOK, second.status)
	assert.Equal(t, mine[50:], workRows(second.body), "then the rest, oldest last")
	assert.Empty(t, nextPage(second.body), "the last page")
	assert.Contains(t, second.body, `<a href="/console/work">Newest records</a>`)

	// A row says what the record is and how it was graded.
	row := regexp.MustCompile(`(?s)<tr>\s*<th scope="row"><a href="` + regexp.QuoteMeta(mine[len(mine)-1]) + `">.*?</tr>`).FindString(second.body)
	require.NotEmpty(t, row)
	for _, cell := range []string{"Bench test bt_", "<td>Own Refurb</td>", "<td>Smartphone: Apple iPhone 13</td>", "<td>LY-000</td>",
		`<td class="status-sellable">sellable</td>`, "<td>F0</td>", "<td>C</td>", "<td>fair</td>", "<td>none</td>"} {
		assert.Contains(t, row, cell, "the oldest record: a dented bench test")
	}

	theirs := manager.get("/console/work")
	require.Equal(t, http.StatusOK, theirs.status)
	assert.Len(t, workRows(theirs.body), 2, "the manager's own two, none of the technician's")
	for _, r := range workRows(theirs.body) {
		assert.NotContains(t, mine, r)
	}

	// Home shows the last ten under the first step, with the way to the rest.
	home := tech.get("/console/")
	require.Equal(t, http.StatusOK, home.status)
	assert.Equal(t, mine[:10], workRows(home.body))
	assert.Contains(t, home.body, `<a href="/console/work">All your recent work</a>`)
	assert.Contains(t, home.body, `action="/console/bench-tests/new"`, "the first step of a bench test")

	// A correction shows on both records of the chain.
	v := formValues(t, tech.get(mine[1]+"/correct").body, mine[1]+"/corrections")
	v.Set("action", "save")
	res := tech.post(mine[1]+"/corrections", v)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	fixed := res.header.Get("Location")
	page := tech.get("/console/work").body
	assert.Equal(t, fixed, workRows(page)[0], "the correction is the newest work")
	assert.Regexp(t, `corrects <a href="`+regexp.QuoteMeta(mine[1])+`">`, page)
	assert.Regexp(t, `corrected by <a href="`+regexp.QuoteMeta(fixed)+`">`, page)

	bad := tech.get("/console/work?cursor=not-a-cursor")
	assert.Equal(t, http.StatusUnprocessableEntity, bad.status)
	empty := h.signedIn(audit.RoleAdmin).get("/console/work")
	require.Equal(t, http.StatusOK, empty.status)
	assert.Contains(t, empty.body, "You have not recorded anything yet.")
}
