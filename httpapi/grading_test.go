package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

// doc is a JSON object under construction.
type doc = map[string]any

// inspectionDoc returns a pristine inspection of the category as a client sends it: every
// protocol test passed, no mark, compliant, genuine parts. It grades sellable and premium.
func inspectionDoc(t testing.TB, category grading.Category) doc {
	t.Helper()
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	fn := doc{}
	for _, tc := range ps[category].Tests {
		fn[tc.Code] = "pass"
	}
	zone := func() doc {
		return doc{"light_scratches": 0, "deep_scratches": 0, "dents": 0, "chips": 0, "cracks": 0, "visible_from_cm": 0}
	}
	device := doc{"category": string(category), "brand": "Apple", "model": "iPhone 13", "serial": "F2LXK0ABCD", "storage_gb": 128}
	status := "not_applicable"
	if category == grading.Smartphone {
		device["imei"], status = "356938035643809", "clean"
	}
	return doc{
		"device":     device,
		"functional": fn,
		"battery":    doc{"health_pct": 95.5, "cycle_count": 120, "genuine": true},
		"cosmetic":   doc{"screen": zone(), "body": zone()},
		"compliance": doc{"activation_lock": false, "imei_status": status, "liquid_damage": false, "data_erased": true,
			"factory_reset": true, "os_up_to_date": true, "markings_intact": true, "display_like_for_like": true},
		"parts": doc{"non_genuine": []string{}, "disclosed": true},
	}
}

// set changes the value at a dotted path ("battery.health_pct"); a nil value deletes it.
func set(d doc, path string, v any) doc {
	keys := strings.Split(path, ".")
	m := d
	for _, k := range keys[:len(keys)-1] {
		m = m[k].(doc)
	}
	if v == nil {
		delete(m, keys[len(keys)-1])
	} else {
		m[keys[len(keys)-1]] = v
	}
	return d
}

type gradeBody struct {
	Ruleset     string  `json:"ruleset"`
	Status      string  `json:"status"`
	Functional  *string `json:"functional"`
	Cosmetic    string  `json:"cosmetic"`
	Marketplace *string `json:"marketplace"`
	Reasons     []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"reasons"`
}

func (g gradeBody) codes() []string {
	out := []string{}
	for _, r := range g.Reasons {
		out = append(out, r.Code)
	}
	return out
}

func str(s string) *string { return &s }

func TestProtocols(t *testing.T) {
	h := newHarness(t)
	var all []struct {
		Category string `json:"category"`
		Tests    []struct {
			Code     string `json:"code"`
			Severity string `json:"severity"`
		} `json:"tests"`
	}
	// Lab tools build their forms from them: staff read them; sellers are refused (api.md
	// grants sellers their own records only).
	for _, r := range []audit.Role{audit.RoleAdmin, audit.RoleManager, audit.RoleTechnician} {
		res := h.do(http.MethodGet, "/api/v1/protocols", h.token(r), nil)
		require.Equal(t, http.StatusOK, res.Code, r)
		res.JSON(t, &all)
	}
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodGet, "/api/v1/protocols", h.token(audit.RoleSeller), nil).Code)
	require.Len(t, all, 3)
	assert.Equal(t, []string{"smartphone", "tablet", "laptop"}, []string{all[0].Category, all[1].Category, all[2].Category})
	assert.Len(t, all[0].Tests, 21, "grading.md §1: 21 smartphone tests")
	assert.Equal(t, "power_on", all[0].Tests[0].Code)
	assert.Equal(t, "critical", all[0].Tests[0].Severity)

	res := h.do(http.MethodGet, "/api/v1/protocols/laptop", h.token(audit.RoleTechnician), nil)
	require.Equal(t, http.StatusOK, res.Code)
	m := res.Map(t)
	assert.Equal(t, "laptop", m["category"])
	sev := map[string]string{}
	for _, tc := range m["tests"].([]any) {
		tc := tc.(map[string]any)
		sev[tc["code"].(string)] = tc["severity"].(string)
	}
	assert.Equal(t, "optional", sev["touchscreen"])
	assert.Equal(t, "minor", sev["keyboard_backlight"])
	assert.NotContains(t, sev, "earpiece")

	assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/protocols/smartwatch", h.token(audit.RoleTechnician), nil).Code)
	assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodGet, "/api/v1/protocols", "", nil).Code)
}

func TestPreviewGrades(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name        string
		body        doc
		status      string
		functional  *string
		cosmetic    string
		marketplace *string
		reasons     []string
	}{
		{"pristine smartphone", inspectionDoc(t, grading.Smartphone), "sellable", str("F0"), "A", str("premium"), []string{}},
		{"pristine laptop without IMEI", inspectionDoc(t, grading.Laptop), "sellable", str("F0"), "A", str("premium"), []string{}},
		{"empty IMEI, null cycle count", set(set(inspectionDoc(t, grading.Tablet), "device.imei", ""), "battery.cycle_count", json.RawMessage("null")),
			"sellable", str("F0"), "A", str("premium"), []string{}},
		{"battery at 80 is functional", set(inspectionDoc(t, grading.Smartphone), "battery.health_pct", 80),
			"sellable", str("F0"), "A", str("excellent"), []string{"battery_below_90"}},
		{"battery at 79.99 is a major fault", set(inspectionDoc(t, grading.Smartphone), "battery.health_pct", 79.99),
			"not_sellable", str("F2"), "A", nil, []string{"battery_below_80"}},
		{"a screen crack is never sellable", set(inspectionDoc(t, grading.Smartphone), "cosmetic.screen",
			doc{"light_scratches": 0, "deep_scratches": 0, "dents": 0, "chips": 0, "cracks": 1, "visible_from_cm": 150}),
			"not_sellable", str("F0"), "E", nil, []string{"cosmetic.screen.cracks"}},
		{"a body crack is never sellable", set(inspectionDoc(t, grading.Tablet), "cosmetic.body",
			doc{"light_scratches": 0, "deep_scratches": 0, "dents": 0, "chips": 0, "cracks": 1, "visible_from_cm": 5}),
			"not_sellable", str("F0"), "E", nil, []string{"cosmetic.body.cracks"}},
		{"a missing critical test leaves it incomplete", set(inspectionDoc(t, grading.Smartphone), "functional.display", nil),
			"incomplete", nil, "A", nil, []string{"test_not_tested.display"}},
		{"not_applicable on an optional test", set(inspectionDoc(t, grading.Tablet), "functional.cellular", "not_applicable"),
			"sellable", str("F0"), "A", str("premium"), []string{}},
		{"activation lock rejects but keeps the grades", set(inspectionDoc(t, grading.Smartphone), "compliance.activation_lock", true),
			"rejected", str("F0"), "A", nil, []string{"activation_lock"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.do(http.MethodPost, "/api/v1/grading/preview", h.token(audit.RoleTechnician), tt.body)
			require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
			var g gradeBody
			res.JSON(t, &g)
			assert.Equal(t, grading.Ruleset, g.Ruleset)
			assert.Equal(t, tt.status, g.Status)
			assert.Equal(t, tt.functional, g.Functional)
			assert.Equal(t, tt.cosmetic, g.Cosmetic)
			assert.Equal(t, tt.marketplace, g.Marketplace)
			assert.Equal(t, tt.reasons, g.codes())
			assert.Equal(t, tt.marketplace != nil, tt.status == "sellable", "a marketplace grade exactly when sellable")
			m := res.Map(t)
			assert.Contains(t, m, "functional", "null, not absent")
			assert.Contains(t, m, "marketplace", "null, not absent")
		})
	}

	// Nothing is stored.
	res := h.do(http.MethodGet, "/api/v1/bench-tests", h.token(audit.RoleAdmin), nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Empty(t, res.Map(t)["items"])
}

func TestPreviewValidation(t *testing.T) {
	h := newHarness(t)
	zone := func(cracks, visible any) doc {
		return doc{"light_scratches": 0, "deep_scratches": 0, "dents": 0, "chips": 0, "cracks": cracks, "visible_from_cm": visible}
	}
	tests := []struct {
		name   string
		body   any
		fields []string
	}{
		{"not_applicable on a critical test", set(inspectionDoc(t, grading.Smartphone), "functional.display", "not_applicable"), []string{"functional.display"}},
		{"a test outside the protocol", set(inspectionDoc(t, grading.Smartphone), "functional.keyboard", "pass"), []string{"functional.keyboard"}},
		{"an unknown outcome", set(inspectionDoc(t, grading.Smartphone), "functional.wifi", "ok"), []string{"functional.wifi"}},
		{"a smartphone without IMEI", set(inspectionDoc(t, grading.Smartphone), "device.imei", nil), []string{"device.imei"}},
		{"a bad check digit", set(inspectionDoc(t, grading.Smartphone), "device.imei", "356938035643808"), []string{"device.imei"}},
		{"battery above 100", set(inspectionDoc(t, grading.Smartphone), "battery.health_pct", 100.01), []string{"battery.health_pct"}},
		{"a crack seen from nowhere", set(inspectionDoc(t, grading.Smartphone), "cosmetic.screen", zone(1, 0)), []string{"cosmetic.screen.visible_from_cm"}},
		{"wrong JSON type names the field", set(inspectionDoc(t, grading.Smartphone), "cosmetic.screen", zone("1", 20)), []string{"cosmetic.screen.cracks"}},
		{"a fractional count", set(inspectionDoc(t, grading.Smartphone), "cosmetic.body", zone(1.5, 20)), []string{"cosmetic.body.cracks"}},
		{"a missing count leaves the distance unjudged", set(inspectionDoc(t, grading.Smartphone), "cosmetic.screen", doc{"light_scratches": 2, "visible_from_cm": 0}),
			[]string{"cosmetic.screen.chips", "cosmetic.screen.cracks", "cosmetic.screen.deep_scratches", "cosmetic.screen.dents"}},
		{"a distance out of range is reported all the same", set(inspectionDoc(t, grading.Smartphone), "cosmetic.screen", zone("1", 301)),
			[]string{"cosmetic.screen.cracks", "cosmetic.screen.visible_from_cm"}},
		{"a section of the wrong type", set(inspectionDoc(t, grading.Smartphone), "battery", "full"), []string{"battery"}},
		{"a control character in the model", set(inspectionDoc(t, grading.Smartphone), "device.model", "iPhone\x0013"), []string{"device.model"}},
		{"every invalid field in one answer", func() doc {
			d := inspectionDoc(t, grading.Smartphone)
			set(d, "device.imei", "123")
			set(d, "device.category", "smartphone")
			set(d, "battery.health_pct", -1)
			set(d, "cosmetic.screen", zone(-1, 0))
			set(d, "cosmetic.body", zone(0, 20))
			set(d, "compliance.imei_status", "stolen")
			set(d, "compliance.data_erased", nil)
			set(d, "parts.non_genuine", []string{"screen", "screen", "antenna"})
			set(d, "functional.keyboard", "pass")
			return d
		}(), []string{"battery.health_pct", "compliance.data_erased", "compliance.imei_status", "cosmetic.body.visible_from_cm",
			"cosmetic.screen.cracks", "device.imei", "functional.keyboard", "parts.non_genuine[1]", "parts.non_genuine[2]"}},
		{"a type error and other errors together", set(set(inspectionDoc(t, grading.Smartphone), "battery.health_pct", "high"), "device.imei", nil),
			[]string{"battery.health_pct", "device.imei"}},
		{"every section missing", doc{}, []string{"battery", "compliance", "cosmetic", "device", "functional", "parts"}},
		{"a null document", "null", []string{"battery", "compliance", "cosmetic", "device", "functional", "parts"}},
		{"not an object", "[1, 2]", []string{"body"}},
		{"malformed JSON", `{"device": `, []string{"body"}},
		{"trailing data", `{} {}`, []string{"body"}},
		{"empty body", "", []string{"body"}},
		{"invalid UTF-8", "{\"device\": {\"brand\": \"\xff\"}}", []string{"body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.do(http.MethodPost, "/api/v1/grading/preview", h.token(audit.RoleTechnician), tt.body)
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
			assert.Equal(t, tt.fields, problemFields(t, res))
		})
	}

	t.Run("the message of a wrong type says what is expected", func(t *testing.T) {
		res := h.do(http.MethodPost, "/api/v1/grading/preview", h.token(audit.RoleTechnician),
			set(inspectionDoc(t, grading.Smartphone), "cosmetic.screen", zone("1", 20)))
		assert.Contains(t, string(res.Body), `"message":"must be an integer"`)
	})
}

func TestPreviewRoles(t *testing.T) {
	h := newHarness(t)
	body := inspectionDoc(t, grading.Smartphone)
	for role, want := range map[audit.Role]int{audit.RoleAdmin: 200, audit.RoleManager: 200, audit.RoleTechnician: 200, audit.RoleSeller: 403} {
		assert.Equal(t, want, h.do(http.MethodPost, "/api/v1/grading/preview", h.token(role), body).Code, role)
	}
	assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodPost, "/api/v1/grading/preview", "", body).Code)
}
