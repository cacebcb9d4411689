package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// TestCorrectionChain corrects a bench test and a mystery order as a technician does: from the
// record's page to its form, filled with every stored value, changed at one field and saved; the
// correction says what it corrects, the corrected record names its correction and offers no
// correction of its own, and correcting it again is refused with the correction to correct.
func TestCorrectionChain(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p, err := h.svc.Protocol(grading.Smartphone)
	require.NoError(t, err)
	// Values beyond the defaults: a failed and an optional test, parts, a cycle count, seconds.
	rich := func(v url.Values) url.Values {
		v.Set("functional."+p.Tests[1].Code, "fail")
		for _, tt := range p.Tests {
			if tt.Severity == grading.Optional {
				v.Set("functional."+tt.Code, "not_applicable")
				break
			}
		}
		v["parts.non_genuine"] = []string{"battery", "screen"}
		v.Set("battery.cycle_count", "312")
		v.Set("device.serial", "F2LXK0ABCD")
		return v
	}
	tests := []struct {
		kind, path string
		form       url.Values
		timeField  string
	}{
		{"bench test", "/console/bench-tests", rich(h.goodPhone(t)), "tested_at"},
		{"mystery order", "/console/mystery-orders", rich(h.goodOrder(t)), "ordered_at"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			c := h.signedIn(audit.RoleTechnician)
			tt.form.Set(tt.timeField, "2026-11-30T08:59:30")
			res := c.post(tt.path, tt.form)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			first := res.header.Get("Location")
			firstID := strings.TrimPrefix(first, tt.path+"/")

			page := c.get(first)
			require.Equal(t, http.StatusOK, page.status)
			assert.Contains(t, page.body, `<a href="`+first+`/correct">Correct this record</a>`)

			form := c.get(first + "/correct")
			require.Equal(t, http.StatusOK, form.status, form.body)
			assert.Contains(t, form.body, "<h1>Correct "+tt.kind+" "+firstID+"</h1>")
			action := first + "/corrections"
			got := formValues(t, form.body, action)
			assert.Equal(t, filled(tt.form), got, "the form holds every value of the stored record")

			// The technician fixes one value and saves.
			got.Set("cosmetic.screen.cracks", "1")
			got.Set("cosmetic.screen.visible_from_cm", "40")
			got.Set("action", "save")
			res = c.post(action, got)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			second := res.header.Get("Location")
			require.Regexp(t, "^"+regexp.QuoteMeta(tt.path)+`/[a-z]+_[0-9a-z]+$`, second)
			secondID := strings.TrimPrefix(second, tt.path+"/")
			require.NotEqual(t, firstID, secondID)

			fixed := c.get(second)
			require.Equal(t, http.StatusOK, fixed.status)
			assert.Contains(t, fixed.body, `is a correction of <a href="`+first+`">`+tt.kind+" "+firstID+`</a>`)
			assert.Contains(t, fixed.body, `<dt>Cosmetic</dt><dd>E</dd>`, "graded again")
			assert.Contains(t, fixed.body, `<a href="`+second+`/correct">Correct this record</a>`)

			old := c.get(first)
			assert.Contains(t, old.body, `was corrected: see <a href="`+second+`">`)
			assert.NotContains(t, old.body, "/correct\">Correct this record", "a corrected record offers no correction")

			// Correcting the corrected record again answers 409 with its correction, the form
			// and the save alike, and stores nothing.
			for _, r := range []*response{c.get(first + "/correct"), c.post(action, got)} {
				assert.Equal(t, http.StatusConflict, r.status)
				assert.Contains(t, r.body, tt.kind+" "+firstID+" was already corrected by "+secondID+"; correct that one instead")
			}

			// The chain goes on from the correction.
			next := formValues(t, c.get(second+"/correct").body, second+"/corrections")
			assert.Equal(t, "1", next.Get("cosmetic.screen.cracks"), "the correction's own values")
			next.Set("battery.health_pct", "81")
			next.Set("action", "save")
			res = c.post(second+"/corrections", next)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			third := res.header.Get("Location")

			work, _, err := h.svc.RecentWork(ctx, h.users[audit.RoleTechnician].Principal(), audit.Page{})
			require.NoError(t, err)
			var chain []string
			for _, w := range work {
				if w.Kind == map[string]audit.WorkKind{"bench test": audit.WorkBenchTest, "mystery order": audit.WorkMysteryOrder}[tt.kind] {
					chain = append(chain, w.ID)
				}
			}
			assert.Equal(t, []string{strings.TrimPrefix(third, tt.path+"/"), secondID, firstID}, chain)
		})
	}
}

func TestCorrectionRefusals(t *testing.T) {
	h := newHarness(t)
	c := h.signedIn(audit.RoleTechnician)
	res := c.post("/console/mystery-orders", h.goodOrder(t))
	require.Equal(t, http.StatusSeeOther, res.status)
	order := res.header.Get("Location")

	// A refused correction comes back as its form, values kept, errors beside their fields.
	v := formValues(t, c.get(order+"/correct").body, order+"/corrections")
	v.Set("logistics.charge_on_arrival_pct", "lots")
	v.Set("action", "save")
	res = c.post(order+"/corrections", v)
	require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
	msg, ok := fieldError(res.body, "logistics.charge_on_arrival_pct")
	assert.True(t, ok)
	assert.Equal(t, "must be a number", msg)
	assert.Equal(t, filled(v), formValues(t, res.body, order+"/corrections"))
	v.Set("logistics.charge_on_arrival_pct", "50")
	v.Set("order_ref", "MO-OTHER") // read-only on the page, but sent all the same
	res = c.post(order+"/corrections", v)
	require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
	msg, ok = fieldError(res.body, "order_ref")
	assert.True(t, ok, "a correction is of the same order")
	assert.Contains(t, msg, "must be the order_ref of the corrected mystery order")

	// A preview of a correction stores nothing.
	v = formValues(t, c.get(order+"/correct").body, order+"/corrections")
	v.Set("action", "preview")
	res = c.post(order+"/corrections", v)
	require.Equal(t, http.StatusOK, res.status)
	rec, err := h.svc.MysteryOrder(context.Background(), system, strings.TrimPrefix(order, "/console/mystery-orders/"))
	require.NoError(t, err)
	assert.Empty(t, rec.SupersededBy)

	// Nothing to correct.
	for _, path := range []string{"/console/bench-tests/bt_nothing/corrections", "/console/mystery-orders/mo_nothing/corrections"} {
		res = c.post(path, url.Values{"action": {"save"}})
		assert.Equal(t, http.StatusNotFound, res.status, path)
	}
}
