package console_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// goodPhone is a bench-test form of a smartphone that passes everything: sellable, A,
// premium.
func (h *harness) goodPhone(t *testing.T) url.Values {
	t.Helper()
	p, err := h.svc.Protocol(grading.Smartphone)
	require.NoError(t, err)
	v := url.Values{
		"seller_id": {h.Own.ID}, "device.category": {"smartphone"}, "device.brand": {"Apple"}, "device.model": {"iPhone 13"},
		"device.imei": {"490154203237518"}, "device.storage_gb": {"128"},
		"battery.health_pct": {"92.5"}, "battery.genuine": {"true"},
		"compliance.activation_lock": {"false"}, "compliance.imei_status": {"clean"}, "compliance.liquid_damage": {"false"},
		"compliance.data_erased": {"true"}, "compliance.factory_reset": {"true"}, "compliance.os_up_to_date": {"true"},
		"compliance.markings_intact": {"true"}, "compliance.display_like_for_like": {"true"},
		"parts.disclosed": {"true"}, "lab": {"Lyon bench 2"}, "tested_at": {"2026-11-30T09:15"}, "listed_grade": {"premium"},
		"external_id": {"LY-1001"}, "action": {"save"},
	}
	for _, z := range []string{"screen", "body"} {
		for _, n := range []string{"light_scratches", "deep_scratches", "dents", "chips", "cracks", "visible_from_cm"} {
			v.Set("cosmetic."+z+"."+n, "0")
		}
	}
	for _, tt := range p.Tests {
		v.Set("functional."+tt.Code, "pass")
	}
	return v
}

func TestBenchTestFormFollowsProtocol(t *testing.T) {
	h := newHarness(t)
	c := h.signedIn(audit.RoleTechnician)
	for _, cat := range grading.Categories {
		res := c.get("/console/bench-tests/new?seller_id=" + h.Own.ID + "&category=" + string(cat))
		require.Equal(t, http.StatusOK, res.status, res.body)
		p, err := h.svc.Protocol(cat)
		require.NoError(t, err)
		for _, tt := range p.Tests {
			name := `name="functional.` + tt.Code + `"`
			assert.Equal(t, map[bool]int{true: 4, false: 3}[tt.Severity == grading.Optional], strings.Count(res.body, name),
				"%s %s: pass, fail, not tested, and not applicable only where the protocol allows it", cat, tt.Code)
			assert.Contains(t, res.body, `severity-`+string(tt.Severity)+`">`+string(tt.Severity)+`<`)
		}
		assert.Equal(t, len(p.Tests)*3+countOptional(p), strings.Count(res.body, `name="functional.`), "no test outside the protocol")
		assert.Contains(t, res.body, `name="tested_at" type="datetime-local" value="`, "tested at defaults to now")
		if cat == grading.Smartphone {
			_ = os.WriteFile(os.Getenv("CONSOLE_DUMP"), []byte(res.body), 0o600)
		}
	}
}

func countOptional(p grading.Protocol) int {
	n := 0
	for _, t := range p.Tests {
		if t.Severity == grading.Optional {
			n++
		}
	}
	return n
}

func TestSaveBenchTest(t *testing.T) {
	h := newHarness(t)
	c := h.signedIn(audit.RoleTechnician)
	res := c.post("/console/bench-tests", h.goodPhone(t))
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	loc := res.header.Get("Location")
	require.Regexp(t, `^/console/bench-tests/bt_[0-9a-z]+$`, loc)
	id := strings.TrimPrefix(loc, "/console/bench-tests/")

	rec, err := h.svc.BenchTest(context.Background(), system, id)
	require.NoError(t, err)
	assert.Equal(t, grading.Sellable, rec.Grade.Status)
	assert.Equal(t, grading.Premium, rec.Grade.Marketplace)
	assert.Equal(t, "LY-1001", rec.ExternalID)
	assert.Equal(t, h.users[audit.RoleTechnician].ID, rec.TechnicianKeyID, "recorded as the signed-in user")

	page := c.get(loc)
	require.Equal(t, http.StatusOK, page.status)
	assert.Contains(t, page.body, "sellable")
	assert.Contains(t, page.body, "premium")

	events, _, err := h.svc.Events(context.Background(), audit.EventFilter{EntityID: id}, audit.Page{})
	require.NoError(t, err)
	require.NotEmpty(t, events)
	assert.Equal(t, h.users[audit.RoleTechnician].ID, events[0].KeyID, "the event trail names the user")

	// The same lab id again shows the stored bench test instead of storing a second one.
	again := c.post("/console/bench-tests", h.goodPhone(t))
	require.Equal(t, http.StatusSeeOther, again.status)
	assert.Equal(t, loc+"?duplicate=1", again.header.Get("Location"))
	dup := c.get(again.header.Get("Location"))
	assert.Contains(t, dup.body, "already recorded")
	list, _, err := h.svc.BenchTests(context.Background(), system, audit.BenchTestFilter{SellerID: h.Own.ID}, audit.Page{})
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

func TestBenchTestFieldErrors(t *testing.T) {
	h := newHarness(t)
	c := h.signedIn(audit.RoleTechnician)
	v := h.goodPhone(t)
	v.Set("battery.health_pct", "ninety")
	v.Set("cosmetic.screen.cracks", "1") // visible_from_cm stays 0: refused by the rules
	v.Set("device.imei", "490154203237519")
	v.Del("compliance.data_erased")
	res := c.post("/console/bench-tests", v)
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	for field, msg := range map[string]string{
		"battery.health_pct":              "must be a number",
		"compliance.data_erased":          "choose yes or no",
		"cosmetic.screen.visible_from_cm": "",
		"device.imei":                     "",
	} {
		id := "f-" + strings.ReplaceAll(field, ".", "-")
		m := regexp.MustCompile(`<p class="field-error" id="` + id + `-error">([^<]+)</p>`).FindStringSubmatch(res.body)
		if assert.NotNil(t, m, "an error beside %s", field) && msg != "" {
			assert.Equal(t, msg, m[1])
		}
	}
	assert.Contains(t, res.body, `id="f-battery-health_pct" name="battery.health_pct" type="number" value="ninety"`, "the typed value is kept")
	assert.Contains(t, res.body, `aria-describedby="f-battery-health_pct-error"`)
	list, _, err := h.svc.BenchTests(context.Background(), system, audit.BenchTestFilter{}, audit.Page{})
	require.NoError(t, err)
	assert.Empty(t, list, "nothing stored")
}

func TestPreviewAndAllPass(t *testing.T) {
	h := newHarness(t)
	c := h.signedIn(audit.RoleTechnician)
	v := h.goodPhone(t)
	v.Set("action", "preview")
	v.Set("cosmetic.screen.cracks", "1")
	v.Set("cosmetic.screen.visible_from_cm", "30")
	res := c.post("/console/bench-tests", v)
	require.Equal(t, http.StatusOK, res.status, res.body)
	assert.Regexp(t, `<dt>Cosmetic</dt><dd>E</dd>`, res.body, "a crack makes it cosmetic E")
	assert.Contains(t, res.body, `value="30"`)

	frag := c.post("/console/bench-tests/preview", v)
	require.Equal(t, http.StatusOK, frag.status)
	assert.True(t, strings.HasPrefix(strings.TrimSpace(frag.body), `<div id="grade"`), frag.body)
	assert.Contains(t, frag.body, `<dt>Cosmetic</dt><dd>E</dd>`)

	p, _ := h.svc.Protocol(grading.Smartphone)
	for _, tt := range p.Tests {
		v.Del("functional." + tt.Code)
	}
	v.Set("action", "all_pass")
	res = c.post("/console/bench-tests", v)
	require.Equal(t, http.StatusOK, res.status)
	for _, tt := range p.Tests {
		assert.Contains(t, res.body, `name="functional.`+tt.Code+`" value="pass" checked`)
	}
	list, _, err := h.svc.BenchTests(context.Background(), system, audit.BenchTestFilter{}, audit.Page{})
	require.NoError(t, err)
	assert.Empty(t, list, "a preview stores nothing")
}
