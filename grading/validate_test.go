package grading_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/grading"
)

func TestValidatePristineInspections(t *testing.T) {
	ps := protocols(t)
	for _, c := range grading.Categories {
		assert.Nil(t, grading.Validate(pristine(t, c), ps), string(c))
	}
}

func TestValidateAcceptsBoundaries(t *testing.T) {
	tests := []struct {
		name     string
		category grading.Category
		mod      func(*grading.Inspection)
	}{
		{"battery 0", grading.Smartphone, func(in *grading.Inspection) { in.Battery.HealthPct = 0 }},
		{"battery 100", grading.Smartphone, func(in *grading.Inspection) { in.Battery.HealthPct = 100 }},
		{"no cycle count", grading.Smartphone, func(in *grading.Inspection) { in.Battery.CycleCount = nil }},
		{"cycle count 0", grading.Smartphone, func(in *grading.Inspection) { zero := 0; in.Battery.CycleCount = &zero }},
		{"storage 0 (not recorded)", grading.Smartphone, func(in *grading.Inspection) { in.Device.StorageGB = 0 }},
		{"brand of 100 characters", grading.Smartphone, func(in *grading.Inspection) { in.Device.Brand = strings.Repeat("é", 100) }},
		{"model of 1 character", grading.Smartphone, func(in *grading.Inspection) { in.Device.Model = "X" }},
		{"serial of 64 characters", grading.Laptop, func(in *grading.Inspection) { in.Device.Serial = strings.Repeat("a-Z9", 16) }},
		{"serial of 1 character", grading.Laptop, func(in *grading.Inspection) { in.Device.Serial = "Q" }},
		{"smartphone with IMEI and serial", grading.Smartphone, func(in *grading.Inspection) { in.Device.Serial = "F2LXK0ABCD" }},
		{"laptop with an IMEI (cellular model) and a status", grading.Laptop, func(in *grading.Inspection) {
			in.Device.IMEI = imeiB
			in.Compliance.IMEIStatus = grading.IMEIClean
		}},
		{"tablet with IMEI only", grading.Tablet, func(in *grading.Inspection) {
			in.Device.Serial = ""
			in.Device.IMEI = imeiB
			in.Compliance.IMEIStatus = grading.IMEIFinanced
		}},
		{"serial-only laptop checked against a registry", grading.Laptop, func(in *grading.Inspection) {
			in.Compliance.IMEIStatus = grading.IMEIClean
		}},
		{"counts and distance at their bounds", grading.Smartphone, func(in *grading.Inspection) {
			in.Cosmetic.Body = body(grading.MaxMarkCount, grading.MaxMarkCount, grading.MaxMarkCount, grading.MaxMarkCount, grading.MaxMarkCount, 300)
			in.Cosmetic.Screen = screen(0, 0, 0, 1, 1)
		}},
		{"every part once", grading.Smartphone, func(in *grading.Inspection) {
			in.Parts.NonGenuine = append([]string(nil), grading.PartNames...)
		}},
		{"nil parts list", grading.Smartphone, func(in *grading.Inspection) { in.Parts.NonGenuine = nil }},
		{"no functional results at all (incomplete, not invalid)", grading.Smartphone, func(in *grading.Inspection) { in.Functional = nil }},
		{"optional tests not applicable", grading.Tablet, func(in *grading.Inspection) {
			in.Functional["cellular"] = grading.NotApplicable
			in.Functional["biometrics"] = grading.NotApplicable
		}},
		{"every outcome on an optional test", grading.Laptop, func(in *grading.Inspection) {
			in.Functional["touchscreen"] = grading.Fail
			in.Functional["biometrics"] = grading.NotTested
		}},
	}
	ps := protocols(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := pristine(t, tt.category)
			tt.mod(&in)
			assert.Nil(t, grading.Validate(in, ps))
		})
	}
}

func TestValidateRejectsEachField(t *testing.T) {
	tests := []struct {
		name     string
		category grading.Category
		mod      func(*grading.Inspection)
		field    string
		message  string
	}{
		// Device.
		{"unknown category", grading.Smartphone, func(in *grading.Inspection) { in.Device.Category = "watch" },
			"device.category", "must be one of smartphone, tablet, laptop"},
		{"empty category", grading.Laptop, func(in *grading.Inspection) { in.Device.Category = "" },
			"device.category", "must be one of smartphone, tablet, laptop"},
		{"empty brand", grading.Smartphone, func(in *grading.Inspection) { in.Device.Brand = "" },
			"device.brand", "must be 1 to 100 characters"},
		{"blank brand", grading.Smartphone, func(in *grading.Inspection) { in.Device.Brand = "  \t" },
			"device.brand", "must be 1 to 100 characters"},
		{"brand of 101 characters", grading.Smartphone, func(in *grading.Inspection) { in.Device.Brand = strings.Repeat("b", 101) },
			"device.brand", "must be 1 to 100 characters"},
		{"empty model", grading.Smartphone, func(in *grading.Inspection) { in.Device.Model = "" },
			"device.model", "must be 1 to 100 characters"},
		{"model of 101 characters", grading.Smartphone, func(in *grading.Inspection) { in.Device.Model = strings.Repeat("m", 101) },
			"device.model", "must be 1 to 100 characters"},
		{"IMEI with a wrong check digit", grading.Smartphone, func(in *grading.Inspection) { in.Device.IMEI = "356938035643808" },
			"device.imei", "must be 15 digits with a valid check digit"},
		{"IMEI of 14 digits", grading.Smartphone, func(in *grading.Inspection) { in.Device.IMEI = "35693803564380" },
			"device.imei", "must be 15 digits with a valid check digit"},
		{"IMEI with letters", grading.Tablet, func(in *grading.Inspection) {
			in.Device.IMEI = "35693803564380A"
			in.Compliance.IMEIStatus = grading.IMEIClean
		},
			"device.imei", "must be 15 digits with a valid check digit"},
		{"smartphone without IMEI", grading.Smartphone, func(in *grading.Inspection) {
			in.Device.IMEI = ""
			in.Device.Serial = "F2LXK0ABCD"
		}, "device.imei", "is required for a smartphone"},
		{"serial of 65 characters", grading.Laptop, func(in *grading.Inspection) { in.Device.Serial = strings.Repeat("s", 65) },
			"device.serial", "must be 1 to 64 letters, digits or '-'"},
		{"serial with a space", grading.Laptop, func(in *grading.Inspection) { in.Device.Serial = "C02 XK0" },
			"device.serial", "must be 1 to 64 letters, digits or '-'"},
		{"serial with an underscore", grading.Smartphone, func(in *grading.Inspection) { in.Device.Serial = "C02_XK0" },
			"device.serial", "must be 1 to 64 letters, digits or '-'"},
		{"serial with a non-ASCII letter", grading.Laptop, func(in *grading.Inspection) { in.Device.Serial = "C02É" },
			"device.serial", "must be 1 to 64 letters, digits or '-'"},
		{"neither IMEI nor serial", grading.Laptop, func(in *grading.Inspection) { in.Device.Serial = "" },
			"device.serial", "is required when the device has no IMEI"},
		{"negative storage", grading.Smartphone, func(in *grading.Inspection) { in.Device.StorageGB = -1 },
			"device.storage_gb", "must be 0 or more"},

		// Functional.
		{"unknown outcome", grading.Smartphone, func(in *grading.Inspection) { in.Functional["nfc"] = "ok" },
			"functional.nfc", "must be one of pass, fail, not_tested, not_applicable"},
		{"empty outcome", grading.Smartphone, func(in *grading.Inspection) { in.Functional["wifi"] = "" },
			"functional.wifi", "must be one of pass, fail, not_tested, not_applicable"},
		{"test not in the smartphone protocol", grading.Smartphone, func(in *grading.Inspection) { in.Functional["keyboard"] = grading.Pass },
			"functional.keyboard", "is not in the smartphone protocol"},
		{"test not in the tablet protocol", grading.Tablet, func(in *grading.Inspection) { in.Functional["earpiece"] = grading.Pass },
			"functional.earpiece", "is not in the tablet protocol"},
		{"test not in the laptop protocol", grading.Laptop, func(in *grading.Inspection) { in.Functional["cellular"] = grading.NotApplicable },
			"functional.cellular", "is not in the laptop protocol"},
		{"unknown test code", grading.Laptop, func(in *grading.Inspection) { in.Functional["teleport"] = grading.Pass },
			"functional.teleport", "is not in the laptop protocol"},
		{"not_applicable on a critical test", grading.Smartphone, func(in *grading.Inspection) { in.Functional["cellular"] = grading.NotApplicable },
			"functional.cellular", "may be not_applicable only for an optional test, and this test is critical"},
		{"not_applicable on a minor test", grading.Smartphone, func(in *grading.Inspection) { in.Functional["nfc"] = grading.NotApplicable },
			"functional.nfc", "may be not_applicable only for an optional test, and this test is minor"},
		{"not_applicable on power_on", grading.Laptop, func(in *grading.Inspection) { in.Functional["power_on"] = grading.NotApplicable },
			"functional.power_on", "may be not_applicable only for an optional test, and this test is critical"},

		// Battery.
		{"battery below 0", grading.Smartphone, func(in *grading.Inspection) { in.Battery.HealthPct = -0.01 },
			"battery.health_pct", "must be between 0 and 100"},
		{"battery above 100", grading.Smartphone, func(in *grading.Inspection) { in.Battery.HealthPct = 100.01 },
			"battery.health_pct", "must be between 0 and 100"},
		{"battery NaN", grading.Smartphone, func(in *grading.Inspection) { in.Battery.HealthPct = math.NaN() },
			"battery.health_pct", "must be between 0 and 100"},
		{"battery +Inf", grading.Smartphone, func(in *grading.Inspection) { in.Battery.HealthPct = math.Inf(1) },
			"battery.health_pct", "must be between 0 and 100"},
		{"battery -Inf", grading.Smartphone, func(in *grading.Inspection) { in.Battery.HealthPct = math.Inf(-1) },
			"battery.health_pct", "must be between 0 and 100"},
		{"negative cycle count", grading.Smartphone, func(in *grading.Inspection) { n := -1; in.Battery.CycleCount = &n },
			"battery.cycle_count", "must be 0 or more"},

		// Cosmetic counts.
		{"negative screen light scratches", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Screen.LightScratches = -1 },
			"cosmetic.screen.light_scratches", "must be between 0 and 10000"},
		{"too many screen deep scratches", grading.Smartphone, func(in *grading.Inspection) {
			in.Cosmetic.Screen = screen(0, 10001, 0, 0, 10)
		}, "cosmetic.screen.deep_scratches", "must be between 0 and 10000"},
		{"negative screen chips", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Screen.Chips = -2 },
			"cosmetic.screen.chips", "must be between 0 and 10000"},
		{"negative screen cracks", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Screen.Cracks = -1 },
			"cosmetic.screen.cracks", "must be between 0 and 10000"},
		{"dents on the screen", grading.Smartphone, func(in *grading.Inspection) {
			in.Cosmetic.Screen = grading.Zone{Dents: 1, VisibleFromCM: 10}
		}, "cosmetic.screen.dents", "must be 0: dents are logged on the body only"},
		{"negative dents on the screen", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Screen.Dents = -1 },
			"cosmetic.screen.dents", "must be 0: dents are logged on the body only"},
		{"negative body light scratches", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Body.LightScratches = -1 },
			"cosmetic.body.light_scratches", "must be between 0 and 10000"},
		{"negative body deep scratches", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Body.DeepScratches = -1 },
			"cosmetic.body.deep_scratches", "must be between 0 and 10000"},
		{"negative body dents", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Body.Dents = -1 },
			"cosmetic.body.dents", "must be between 0 and 10000"},
		{"too many body dents", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Body = body(0, 0, 10001, 0, 0, 10) },
			"cosmetic.body.dents", "must be between 0 and 10000"},
		{"negative body chips", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Body.Chips = -1 },
			"cosmetic.body.chips", "must be between 0 and 10000"},
		{"negative body cracks", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Body.Cracks = -1 },
			"cosmetic.body.cracks", "must be between 0 and 10000"},

		// Cosmetic visibility distance.
		{"negative screen distance", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Screen.VisibleFromCM = -1 },
			"cosmetic.screen.visible_from_cm", "must be between 0 and 300"},
		{"body distance above 300", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Body = body(1, 0, 0, 0, 0, 301) },
			"cosmetic.body.visible_from_cm", "must be between 0 and 300"},
		{"screen distance without a mark", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Screen.VisibleFromCM = 10 },
			"cosmetic.screen.visible_from_cm", "must be 0 when the zone has no mark"},
		{"body distance without a mark", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Body.VisibleFromCM = 1 },
			"cosmetic.body.visible_from_cm", "must be 0 when the zone has no mark"},
		{"screen mark without a distance", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Screen.Cracks = 1 },
			"cosmetic.screen.visible_from_cm", "must be greater than 0 when the zone has a mark"},
		{"body mark without a distance", grading.Smartphone, func(in *grading.Inspection) { in.Cosmetic.Body.LightScratches = 3 },
			"cosmetic.body.visible_from_cm", "must be greater than 0 when the zone has a mark"},

		// Compliance.
		{"unknown IMEI status", grading.Smartphone, func(in *grading.Inspection) { in.Compliance.IMEIStatus = "stolen" },
			"compliance.imei_status", "must be one of clean, blacklisted, financed, unknown, not_applicable"},
		{"empty IMEI status", grading.Laptop, func(in *grading.Inspection) { in.Compliance.IMEIStatus = "" },
			"compliance.imei_status", "must be one of clean, blacklisted, financed, unknown, not_applicable"},
		{"IMEI status not applicable with an IMEI", grading.Smartphone, func(in *grading.Inspection) {
			in.Compliance.IMEIStatus = grading.IMEINotApplicable
		}, "compliance.imei_status", "may be not_applicable only for a device with no IMEI"},
		{"tablet with an IMEI, status not applicable", grading.Tablet, func(in *grading.Inspection) { in.Device.IMEI = imeiB },
			"compliance.imei_status", "may be not_applicable only for a device with no IMEI"},

		// Parts.
		{"unknown part", grading.Smartphone, func(in *grading.Inspection) { in.Parts.NonGenuine = []string{"screen", "speaker"} },
			"parts.non_genuine[1]", "must be one of screen, battery, back_glass, camera, charging_port, housing, other"},
		{"empty part name", grading.Smartphone, func(in *grading.Inspection) { in.Parts.NonGenuine = []string{""} },
			"parts.non_genuine[0]", "must be one of screen, battery, back_glass, camera, charging_port, housing, other"},
		{"part with the wrong case", grading.Smartphone, func(in *grading.Inspection) { in.Parts.NonGenuine = []string{"Screen"} },
			"parts.non_genuine[0]", "must be one of screen, battery, back_glass, camera, charging_port, housing, other"},
		{"repeated part", grading.Smartphone, func(in *grading.Inspection) { in.Parts.NonGenuine = []string{"battery", "camera", "battery"} },
			"parts.non_genuine[2]", `repeats "battery"`},
	}
	ps := protocols(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := pristine(t, tt.category)
			tt.mod(&in)
			assert.Equal(t, []grading.FieldError{{Field: tt.field, Message: tt.message}}, grading.Validate(in, ps))
		})
	}
}

func TestValidateReturnsEveryErrorTogether(t *testing.T) {
	n := -3
	in := grading.Inspection{
		Device: grading.Device{Category: grading.Smartphone, Brand: "", Model: strings.Repeat("m", 101),
			IMEI: "123", Serial: "bad serial", StorageGB: -64},
		Functional: map[string]grading.Outcome{
			"power_on": grading.Pass, "keyboard": grading.Pass, "nfc": grading.NotApplicable,
			"wifi": "works", "gps": grading.Fail,
		},
		Battery: grading.Battery{HealthPct: math.NaN(), CycleCount: &n},
		Cosmetic: grading.Cosmetic{
			Screen: grading.Zone{LightScratches: -1, DeepScratches: 1, Dents: 2, Chips: 20000, Cracks: 0, VisibleFromCM: 400},
			Body:   grading.Zone{LightScratches: 1},
		},
		Compliance: grading.Compliance{IMEIStatus: "maybe"},
		Parts:      grading.Parts{NonGenuine: []string{"screen", "x", "y", "screen", "a", "b", "c", "d", "e", "f", "g", "h"}},
	}
	errs := grading.Validate(in, protocols(t))
	assert.Equal(t, []string{
		"battery.cycle_count",
		"battery.health_pct",
		"compliance.imei_status",
		"cosmetic.body.visible_from_cm",
		"cosmetic.screen.chips",
		"cosmetic.screen.dents",
		"cosmetic.screen.light_scratches",
		"cosmetic.screen.visible_from_cm",
		"device.brand",
		"device.imei",
		"device.model",
		"device.serial",
		"device.storage_gb",
		"functional.keyboard",
		"functional.nfc",
		"functional.wifi",
		"parts.non_genuine[1]",
		"parts.non_genuine[2]",
		"parts.non_genuine[3]",
		"parts.non_genuine[4]",
		"parts.non_genuine[5]",
		"parts.non_genuine[6]",
		"parts.non_genuine[7]",
		"parts.non_genuine[8]",
		"parts.non_genuine[9]",
		"parts.non_genuine[10]",
		"parts.non_genuine[11]",
	}, fields(errs))
	for _, e := range errs {
		assert.NotEmpty(t, e.Message, e.Field)
	}
}

func TestValidateIsDeterministic(t *testing.T) {
	in := pristine(t, grading.Tablet)
	for _, c := range []string{"a", "b", "c", "d", "e", "earpiece", "keyboard", "vibration"} {
		in.Functional[c] = grading.Pass
	}
	ps := protocols(t)
	first := grading.Validate(in, ps)
	require.Len(t, first, 8)
	for i := 0; i < 50; i++ {
		assert.Equal(t, first, grading.Validate(in, ps))
	}
}

func TestValidateWithoutAProtocol(t *testing.T) {
	ps := protocols(t)
	t.Run("unknown category: codes not checked, outcomes still are", func(t *testing.T) {
		in := pristine(t, grading.Smartphone)
		in.Device.Category = "watch"
		in.Functional["crown"] = "spins"
		in.Functional["strap"] = grading.NotApplicable
		assert.Equal(t, []string{"device.category", "functional.crown"}, fields(grading.Validate(in, ps)))
	})
	t.Run("valid category missing from the protocols", func(t *testing.T) {
		in := pristine(t, grading.Laptop)
		only := grading.Protocols{grading.Smartphone: ps[grading.Smartphone]}
		assert.Equal(t, []grading.FieldError{{Field: "device.category", Message: "has no functional test protocol"}},
			grading.Validate(in, only))
	})
	t.Run("nil protocols", func(t *testing.T) {
		in := pristine(t, grading.Laptop)
		assert.Equal(t, []string{"device.category"}, fields(grading.Validate(in, nil)))
	})
}

func TestEnumValid(t *testing.T) {
	for _, c := range grading.Categories {
		assert.True(t, c.Valid())
	}
	assert.False(t, grading.Category("").Valid())
	assert.False(t, grading.Category("Smartphone").Valid())

	for _, o := range []grading.Outcome{grading.Pass, grading.Fail, grading.NotTested, grading.NotApplicable} {
		assert.True(t, o.Valid())
	}
	assert.False(t, grading.Outcome("").Valid())
	assert.False(t, grading.Outcome("skipped").Valid())

	for _, s := range []grading.IMEIStatus{grading.IMEIClean, grading.IMEIBlacklisted, grading.IMEIFinanced, grading.IMEIUnknown, grading.IMEINotApplicable} {
		assert.True(t, s.Valid())
	}
	assert.False(t, grading.IMEIStatus("").Valid())
	assert.False(t, grading.IMEIStatus("stolen").Valid())

	for _, m := range []grading.Marketplace{grading.Premium, grading.Excellent, grading.Good, grading.Fair} {
		assert.True(t, m.Valid())
	}
	assert.False(t, grading.Marketplace("").Valid())
	assert.False(t, grading.Marketplace("mint").Valid())

	for _, s := range []grading.Severity{grading.Critical, grading.Minor, grading.Optional} {
		assert.True(t, s.Valid())
	}
	assert.False(t, grading.Severity("major").Valid())
}

func TestProtocolsGetAndLookup(t *testing.T) {
	ps := protocols(t)
	p, ok := ps.Get(grading.Smartphone)
	require.True(t, ok)
	test, ok := p.Lookup("nfc")
	assert.True(t, ok)
	assert.Equal(t, grading.Test{Code: "nfc", Severity: grading.Minor}, test)
	_, ok = p.Lookup("keyboard")
	assert.False(t, ok)
	_, ok = ps.Get("watch")
	assert.False(t, ok)
	_, ok = grading.Protocols(nil).Get(grading.Laptop)
	assert.False(t, ok)
}
