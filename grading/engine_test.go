package grading_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/grading"
)

// evaluate validates in (a test that grades an invalid inspection proves nothing) and grades it.
func evaluate(t *testing.T, in grading.Inspection) grading.Grade {
	t.Helper()
	ps := protocols(t)
	require.Empty(t, grading.Validate(in, ps), "the test inspection must be valid")
	p, ok := ps.Get(in.Device.Category)
	require.True(t, ok)
	return grading.Evaluate(in, p)
}

func TestEvaluatePristineDeviceIsPremiumWithNoReason(t *testing.T) {
	for _, c := range grading.Categories {
		t.Run(string(c), func(t *testing.T) {
			g := evaluate(t, pristine(t, c))
			assert.Equal(t, grading.Grade{
				Ruleset: grading.Ruleset, Status: grading.Sellable, Functional: grading.F0,
				Cosmetic: grading.CosmeticA, Marketplace: grading.Premium, Reasons: []grading.Reason{},
			}, g)
			assert.NotNil(t, g.Reasons, "an empty list, not null")
		})
	}
}

func TestEvaluateFunctionalGrade(t *testing.T) {
	tests := []struct {
		name     string
		category grading.Category
		mod      func(*grading.Inspection)
		want     grading.Functional
		status   grading.Status
		reasons  []string
	}{
		{"all pass", grading.Smartphone, func(*grading.Inspection) {}, grading.F0, grading.Sellable, []string{}},
		{"power_on fails", grading.Smartphone, func(in *grading.Inspection) {
			in.Functional["power_on"] = grading.Fail
		}, grading.F3, grading.NotSellable, []string{"test_failed.power_on"}},
		{"power_on fails, nothing else tested: F3 wins over incomplete, untested tests not listed", grading.Smartphone, func(in *grading.Inspection) {
			in.Functional = map[string]grading.Outcome{"power_on": grading.Fail, "display": grading.NotTested}
		}, grading.F3, grading.NotSellable, []string{"test_failed.power_on"}},
		{"power_on fails with other failures and a low battery: all listed", grading.Smartphone, func(in *grading.Inspection) {
			in.Functional["power_on"] = grading.Fail
			in.Functional["wifi"] = grading.Fail
			in.Functional["gps"] = grading.Fail
			in.Battery.HealthPct = 50
		}, grading.F3, grading.NotSellable, []string{"test_failed.power_on", "test_failed.wifi", "test_failed.gps", "battery_below_80"}},
		{"power_on not tested", grading.Smartphone, func(in *grading.Inspection) {
			in.Functional["power_on"] = grading.NotTested
		}, "", grading.Incomplete, []string{"test_not_tested.power_on"}},
		{"critical test not tested", grading.Smartphone, func(in *grading.Inspection) {
			in.Functional["wifi"] = grading.NotTested
		}, "", grading.Incomplete, []string{"test_not_tested.wifi"}},
		{"minor test absent counts as not tested", grading.Smartphone, func(in *grading.Inspection) {
			delete(in.Functional, "gps")
		}, "", grading.Incomplete, []string{"test_not_tested.gps"}},
		{"empty submission: every test missing", grading.Laptop, func(in *grading.Inspection) {
			in.Functional = nil
		}, "", grading.Incomplete, []string{
			"test_not_tested.power_on", "test_not_tested.display", "test_not_tested.keyboard",
			"test_not_tested.trackpad", "test_not_tested.loudspeaker", "test_not_tested.microphone",
			"test_not_tested.front_camera", "test_not_tested.wifi", "test_not_tested.bluetooth",
			"test_not_tested.charging_port", "test_not_tested.usb_ports", "test_not_tested.storage_health",
			"test_not_tested.memory", "test_not_tested.keyboard_backlight",
		}},
		{"incomplete wins over a critical failure; both listed", grading.Smartphone, func(in *grading.Inspection) {
			in.Functional["wifi"] = grading.Fail
			in.Functional["nfc"] = grading.NotTested
		}, "", grading.Incomplete, []string{"test_failed.wifi", "test_not_tested.nfc"}},
		{"critical test fails", grading.Smartphone, func(in *grading.Inspection) {
			in.Functional["wifi"] = grading.Fail
		}, grading.F2, grading.NotSellable, []string{"test_failed.wifi"}},
		{"critical and minor tests fail, in protocol order", grading.Smartphone, func(in *grading.Inspection) {
			in.Functional["charging_port"] = grading.Fail
			in.Functional["flash"] = grading.Fail
			in.Functional["display"] = grading.Fail
		}, grading.F2, grading.NotSellable, []string{"test_failed.display", "test_failed.flash", "test_failed.charging_port"}},
		{"minor test fails", grading.Smartphone, func(in *grading.Inspection) {
			in.Functional["gps"] = grading.Fail
		}, grading.F1, grading.NotSellable, []string{"test_failed.gps"}},
		{"battery 79.99", grading.Smartphone, func(in *grading.Inspection) {
			in.Battery.HealthPct = 79.99
		}, grading.F2, grading.NotSellable, []string{"battery_below_80"}},
		{"battery 0", grading.Smartphone, func(in *grading.Inspection) {
			in.Battery.HealthPct = 0
		}, grading.F2, grading.NotSellable, []string{"battery_below_80"}},
		{"battery 80 is not below 80", grading.Smartphone, func(in *grading.Inspection) {
			in.Battery.HealthPct = 80
		}, grading.F0, grading.Sellable, []string{"battery_below_90"}},
		{"battery below 80 and a minor failure: F2", grading.Smartphone, func(in *grading.Inspection) {
			in.Battery.HealthPct = 70
			in.Functional["vibration"] = grading.Fail
		}, grading.F2, grading.NotSellable, []string{"test_failed.vibration", "battery_below_80"}},

		// Tablets: optional tests may be not_applicable, and weigh nothing.
		{"tablet: optional tests not applicable (Wi-Fi model)", grading.Tablet, func(in *grading.Inspection) {
			for _, c := range []string{"flash", "biometrics", "cellular", "sim_reader", "gps", "nfc"} {
				in.Functional[c] = grading.NotApplicable
			}
		}, grading.F0, grading.Sellable, []string{}},
		{"tablet: optional tests absent or not tested", grading.Tablet, func(in *grading.Inspection) {
			delete(in.Functional, "cellular")
			in.Functional["gps"] = grading.NotTested
		}, grading.F0, grading.Sellable, []string{}},
		{"tablet: failed optional test lowers nothing", grading.Tablet, func(in *grading.Inspection) {
			in.Functional["cellular"] = grading.Fail
		}, grading.F0, grading.Sellable, []string{}},
		{"tablet: minor test fails", grading.Tablet, func(in *grading.Inspection) {
			in.Functional["motion_sensors"] = grading.Fail
		}, grading.F1, grading.NotSellable, []string{"test_failed.motion_sensors"}},
		{"tablet: critical test fails", grading.Tablet, func(in *grading.Inspection) {
			in.Functional["rear_camera"] = grading.Fail
		}, grading.F2, grading.NotSellable, []string{"test_failed.rear_camera"}},

		// Laptops.
		{"laptop: touchscreen and biometrics not applicable", grading.Laptop, func(in *grading.Inspection) {
			in.Functional["touchscreen"] = grading.NotApplicable
			in.Functional["biometrics"] = grading.NotApplicable
		}, grading.F0, grading.Sellable, []string{}},
		{"laptop: keyboard is critical", grading.Laptop, func(in *grading.Inspection) {
			in.Functional["keyboard"] = grading.Fail
		}, grading.F2, grading.NotSellable, []string{"test_failed.keyboard"}},
		{"laptop: bluetooth is minor", grading.Laptop, func(in *grading.Inspection) {
			in.Functional["bluetooth"] = grading.Fail
		}, grading.F1, grading.NotSellable, []string{"test_failed.bluetooth"}},
		{"laptop: keyboard_backlight is minor", grading.Laptop, func(in *grading.Inspection) {
			in.Functional["keyboard_backlight"] = grading.Fail
		}, grading.F1, grading.NotSellable, []string{"test_failed.keyboard_backlight"}},
		{"laptop: storage_health not tested", grading.Laptop, func(in *grading.Inspection) {
			in.Functional["storage_health"] = grading.NotTested
		}, "", grading.Incomplete, []string{"test_not_tested.storage_health"}},

		// Smartphones: the same tests are critical or minor.
		{"smartphone: cellular is critical", grading.Smartphone, func(in *grading.Inspection) {
			in.Functional["cellular"] = grading.Fail
		}, grading.F2, grading.NotSellable, []string{"test_failed.cellular"}},
		{"smartphone: flash is minor", grading.Smartphone, func(in *grading.Inspection) {
			in.Functional["flash"] = grading.Fail
		}, grading.F1, grading.NotSellable, []string{"test_failed.flash"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := pristine(t, tt.category)
			tt.mod(&in)
			g := evaluate(t, in)
			assert.Equal(t, tt.want, g.Functional)
			assert.Equal(t, tt.status, g.Status)
			assert.Equal(t, tt.reasons, codes(g))
		})
	}
}

func TestEvaluateCosmeticGrade(t *testing.T) {
	tests := []struct {
		name         string
		screen, body grading.Zone
		want         grading.CosmeticGrade
		market       grading.Marketplace
		reasons      []string
	}{
		{"no mark", grading.Zone{}, grading.Zone{}, grading.CosmeticA, grading.Premium, []string{}},
		{"body light scratches seen from 15 cm", grading.Zone{}, body(2, 0, 0, 0, 0, 15), grading.CosmeticB, grading.Excellent,
			[]string{"cosmetic.body.light_scratches"}},
		{"body visible from 19 cm: excellent", grading.Zone{}, body(1, 0, 0, 0, 0, 19), grading.CosmeticB, grading.Excellent,
			[]string{"cosmetic.body.light_scratches"}},
		{"body visible from 20 cm: good", grading.Zone{}, body(1, 0, 0, 0, 0, 20), grading.CosmeticB, grading.Good,
			[]string{"cosmetic.body.light_scratches", "cosmetic.body.visible_from_cm"}},
		{"body visible from 49 cm: still B", grading.Zone{}, body(1, 0, 0, 0, 0, 49), grading.CosmeticB, grading.Good,
			[]string{"cosmetic.body.light_scratches", "cosmetic.body.visible_from_cm"}},
		{"body visible from 50 cm: C", grading.Zone{}, body(1, 0, 0, 0, 0, 50), grading.CosmeticC, grading.Fair,
			[]string{"cosmetic.body.visible_from_cm"}},
		{"body visible from 300 cm: C", grading.Zone{}, body(1, 0, 0, 0, 0, 300), grading.CosmeticC, grading.Fair,
			[]string{"cosmetic.body.visible_from_cm"}},
		{"screen light scratch: C", screen(1, 0, 0, 0, 5), grading.Zone{}, grading.CosmeticC, grading.Fair,
			[]string{"cosmetic.screen.light_scratches"}},
		{"body deep scratch: C", grading.Zone{}, body(0, 1, 0, 0, 0, 10), grading.CosmeticC, grading.Fair,
			[]string{"cosmetic.body.deep_scratches"}},
		{"body chip: C", grading.Zone{}, body(0, 0, 0, 1, 0, 10), grading.CosmeticC, grading.Fair,
			[]string{"cosmetic.body.chips"}},
		{"body 1 dent: C", grading.Zone{}, body(0, 0, 1, 0, 0, 10), grading.CosmeticC, grading.Fair,
			[]string{"cosmetic.body.dents"}},
		{"body 3 dents: C", grading.Zone{}, body(0, 0, 3, 0, 0, 10), grading.CosmeticC, grading.Fair,
			[]string{"cosmetic.body.dents"}},
		{"body 4 dents: D", grading.Zone{}, body(0, 0, 4, 0, 0, 10), grading.CosmeticD, "",
			[]string{"cosmetic.body.dents"}},
		{"every C defect at once", screen(3, 0, 0, 0, 30), body(5, 2, 3, 1, 0, 80), grading.CosmeticC, grading.Fair,
			[]string{"cosmetic.screen.light_scratches", "cosmetic.body.deep_scratches", "cosmetic.body.dents",
				"cosmetic.body.chips", "cosmetic.body.visible_from_cm"}},
		{"screen deep scratch: D", screen(0, 1, 0, 0, 30), grading.Zone{}, grading.CosmeticD, "",
			[]string{"cosmetic.screen.deep_scratches"}},
		{"screen chip: D", screen(0, 0, 1, 0, 30), grading.Zone{}, grading.CosmeticD, "",
			[]string{"cosmetic.screen.chips"}},
		{"every D defect at once, only what broke C listed", screen(4, 2, 1, 0, 60), body(2, 2, 9, 2, 0, 90), grading.CosmeticD, "",
			[]string{"cosmetic.screen.deep_scratches", "cosmetic.screen.chips", "cosmetic.body.dents"}},
		{"screen crack: E", screen(0, 0, 0, 1, 100), grading.Zone{}, grading.CosmeticE, "",
			[]string{"cosmetic.screen.cracks"}},
		{"body crack: E", grading.Zone{}, body(0, 0, 0, 0, 1, 100), grading.CosmeticE, "",
			[]string{"cosmetic.body.cracks"}},
		{"cracks and everything else: only cracks listed", screen(2, 2, 2, 3, 200), body(2, 2, 9, 2, 1, 200), grading.CosmeticE, "",
			[]string{"cosmetic.screen.cracks", "cosmetic.body.cracks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := pristine(t, grading.Smartphone)
			in.Cosmetic = grading.Cosmetic{Screen: tt.screen, Body: tt.body}
			g := evaluate(t, in)
			assert.Equal(t, tt.want, g.Cosmetic)
			assert.Equal(t, tt.market, g.Marketplace)
			assert.Equal(t, grading.F0, g.Functional)
			if tt.want == grading.CosmeticD || tt.want == grading.CosmeticE {
				assert.Equal(t, grading.NotSellable, g.Status)
			} else {
				assert.Equal(t, grading.Sellable, g.Status)
			}
			assert.Equal(t, tt.reasons, codes(g))
		})
	}
}

func TestEvaluateStatus(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*grading.Inspection)
		status  grading.Status
		reasons []string
	}{
		{"activation lock", func(in *grading.Inspection) { in.Compliance.ActivationLock = true },
			grading.Rejected, []string{"activation_lock"}},
		{"liquid damage", func(in *grading.Inspection) { in.Compliance.LiquidDamage = true },
			grading.Rejected, []string{"liquid_damage"}},
		{"IMEI blacklisted", func(in *grading.Inspection) { in.Compliance.IMEIStatus = grading.IMEIBlacklisted },
			grading.Rejected, []string{"imei_blacklisted"}},
		{"IMEI financed", func(in *grading.Inspection) { in.Compliance.IMEIStatus = grading.IMEIFinanced },
			grading.Rejected, []string{"imei_financed"}},
		{"data not erased", func(in *grading.Inspection) { in.Compliance.DataErased = false },
			grading.Rejected, []string{"data_not_erased"}},
		{"every blocking finding, in §5 order", func(in *grading.Inspection) {
			in.Compliance.ActivationLock = true
			in.Compliance.LiquidDamage = true
			in.Compliance.IMEIStatus = grading.IMEIFinanced
			in.Compliance.DataErased = false
		}, grading.Rejected, []string{"activation_lock", "liquid_damage", "imei_financed", "data_not_erased"}},
		{"rejected wins over incomplete; grades still computed", func(in *grading.Inspection) {
			in.Compliance.LiquidDamage = true
			in.Functional["wifi"] = grading.NotTested
			in.Cosmetic.Screen = screen(0, 0, 0, 1, 50)
		}, grading.Rejected, []string{"liquid_damage", "test_not_tested.wifi", "cosmetic.screen.cracks"}},
		{"rejected wins over non-functional", func(in *grading.Inspection) {
			in.Compliance.ActivationLock = true
			in.Functional["power_on"] = grading.Fail
		}, grading.Rejected, []string{"activation_lock", "test_failed.power_on"}},
		{"IMEI unknown", func(in *grading.Inspection) { in.Compliance.IMEIStatus = grading.IMEIUnknown },
			grading.Incomplete, []string{"imei_unknown"}},
		{"incomplete functional", func(in *grading.Inspection) { in.Functional["nfc"] = grading.NotTested },
			grading.Incomplete, []string{"test_not_tested.nfc"}},
		{"incomplete wins over not sellable", func(in *grading.Inspection) {
			in.Compliance.IMEIStatus = grading.IMEIUnknown
			in.Functional["wifi"] = grading.Fail
			in.Cosmetic.Body = body(0, 0, 0, 0, 2, 40)
		}, grading.Incomplete, []string{"imei_unknown", "test_failed.wifi", "cosmetic.body.cracks"}},
		{"F1 is not sellable", func(in *grading.Inspection) { in.Functional["nfc"] = grading.Fail },
			grading.NotSellable, []string{"test_failed.nfc"}},
		{"F3 is not sellable", func(in *grading.Inspection) { in.Functional["power_on"] = grading.Fail },
			grading.NotSellable, []string{"test_failed.power_on"}},
		{"cosmetic D is not sellable", func(in *grading.Inspection) { in.Cosmetic.Screen = screen(0, 1, 0, 0, 40) },
			grading.NotSellable, []string{"cosmetic.screen.deep_scratches"}},
		{"cosmetic E is not sellable", func(in *grading.Inspection) { in.Cosmetic.Body = body(0, 0, 0, 0, 1, 40) },
			grading.NotSellable, []string{"cosmetic.body.cracks"}},
		{"clean device is sellable", func(*grading.Inspection) {}, grading.Sellable, []string{}},
		{"non-blocking compliance findings change nothing", func(in *grading.Inspection) {
			in.Compliance.FactoryReset = false
			in.Compliance.OSUpToDate = false
			in.Compliance.MarkingsIntact = false
			in.Compliance.DisplayLikeForLike = false
			in.Parts.Disclosed = false
		}, grading.Sellable, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := pristine(t, grading.Smartphone)
			tt.mod(&in)
			g := evaluate(t, in)
			assert.Equal(t, tt.status, g.Status)
			assert.Equal(t, tt.reasons, codes(g))
			if tt.status == grading.Sellable {
				assert.NotEmpty(t, g.Marketplace)
			} else {
				assert.Empty(t, g.Marketplace, "a marketplace grade only when sellable")
			}
			assert.NotEmpty(t, g.Cosmetic, "the cosmetic grade is computed for every status")
		})
	}
}

func TestEvaluateRejectedDeviceKeepsItsGrades(t *testing.T) {
	in := pristine(t, grading.Smartphone)
	in.Compliance.ActivationLock = true
	in.Functional["gps"] = grading.Fail
	in.Cosmetic.Body = body(1, 0, 0, 0, 0, 10)
	g := evaluate(t, in)
	assert.Equal(t, grading.Rejected, g.Status)
	assert.Equal(t, grading.F1, g.Functional)
	assert.Equal(t, grading.CosmeticB, g.Cosmetic)
	assert.Empty(t, g.Marketplace)
}

func TestEvaluateMarketplaceGrade(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*grading.Inspection)
		want    grading.Marketplace
		reasons []string
	}{
		{"pristine", func(*grading.Inspection) {}, grading.Premium, []string{}},
		{"battery 90 is premium", func(in *grading.Inspection) { in.Battery.HealthPct = 90 }, grading.Premium, []string{}},
		{"battery 100 is premium", func(in *grading.Inspection) { in.Battery.HealthPct = 100 }, grading.Premium, []string{}},
		{"battery 89.99 is excellent", func(in *grading.Inspection) { in.Battery.HealthPct = 89.99 },
			grading.Excellent, []string{"battery_below_90"}},
		{"battery 80 is excellent", func(in *grading.Inspection) { in.Battery.HealthPct = 80 },
			grading.Excellent, []string{"battery_below_90"}},
		{"battery not genuine", func(in *grading.Inspection) { in.Battery.Genuine = false },
			grading.Excellent, []string{"battery_not_genuine"}},
		{"non-genuine parts", func(in *grading.Inspection) { in.Parts.NonGenuine = []string{"screen", "camera"} },
			grading.Excellent, []string{"parts_non_genuine"}},
		{"every premium blocker", func(in *grading.Inspection) {
			in.Battery = grading.Battery{HealthPct: 85, Genuine: false}
			in.Parts.NonGenuine = []string{"battery"}
		}, grading.Excellent, []string{"battery_below_90", "battery_not_genuine", "parts_non_genuine"}},
		{"B with a weak battery: cosmetic already keeps premium away", func(in *grading.Inspection) {
			in.Battery.HealthPct = 85
			in.Battery.Genuine = false
			in.Cosmetic.Body = body(3, 0, 0, 0, 0, 10)
		}, grading.Excellent, []string{"cosmetic.body.light_scratches"}},
		{"B seen from 20 cm is good", func(in *grading.Inspection) { in.Cosmetic.Body = body(3, 0, 0, 0, 0, 20) },
			grading.Good, []string{"cosmetic.body.light_scratches", "cosmetic.body.visible_from_cm"}},
		{"C is fair", func(in *grading.Inspection) { in.Cosmetic.Body = body(0, 0, 2, 0, 0, 10) },
			grading.Fair, []string{"cosmetic.body.dents"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := pristine(t, grading.Smartphone)
			tt.mod(&in)
			g := evaluate(t, in)
			assert.Equal(t, grading.Sellable, g.Status)
			assert.Equal(t, tt.want, g.Marketplace)
			assert.Equal(t, tt.reasons, codes(g))
		})
	}
}

func TestEvaluateReasonMessages(t *testing.T) {
	in := pristine(t, grading.Smartphone)
	in.Functional["wifi"] = grading.Fail
	in.Functional["gps"] = grading.NotTested
	in.Battery.HealthPct = 79.99
	in.Cosmetic.Screen = screen(0, 0, 0, 1, 100)
	in.Cosmetic.Body = body(0, 0, 0, 0, 2, 100)
	in.Compliance.IMEIStatus = grading.IMEIUnknown
	g := evaluate(t, in)
	assert.Equal(t, []grading.Reason{
		{Code: "imei_unknown", Message: "the IMEI status is unknown: check it again before any sale"},
		{Code: "test_failed.wifi", Message: "critical test wifi failed"},
		{Code: "test_not_tested.gps", Message: "minor test gps was not tested"},
		{Code: "battery_below_80", Message: "battery health 79.99% is below 80%"},
		{Code: "cosmetic.screen.cracks", Message: "1 crack on the screen"},
		{Code: "cosmetic.body.cracks", Message: "2 cracks on the body"},
	}, g.Reasons)

	for _, r := range evaluate(t, func() grading.Inspection {
		in := pristine(t, grading.Smartphone)
		in.Battery = grading.Battery{HealthPct: 85.5, Genuine: false}
		in.Parts.NonGenuine = []string{"screen", "back_glass"}
		return in
	}()).Reasons {
		assert.NotEmpty(t, r.Message)
	}
}

func TestEvaluateIsDeterministic(t *testing.T) {
	in := pristine(t, grading.Smartphone)
	for _, c := range []string{"wifi", "gps", "nfc", "display", "flash"} {
		in.Functional[c] = grading.Fail
	}
	in.Cosmetic.Body = body(2, 1, 1, 1, 0, 60)
	first := evaluate(t, in)
	for i := 0; i < 50; i++ {
		assert.Equal(t, first, evaluate(t, in))
	}
}

func TestEvaluateIgnoresResultsOutsideTheProtocol(t *testing.T) {
	// Evaluate assumes a valid inspection, but must not be thrown by one that is not.
	in := pristine(t, grading.Tablet)
	in.Functional["earpiece"] = grading.Fail
	g := grading.Evaluate(in, protocol(t, grading.Tablet))
	assert.Equal(t, grading.F0, g.Functional)
	assert.Equal(t, grading.Premium, g.Marketplace)
}

func TestEvaluateRecordsTheRuleset(t *testing.T) {
	g := evaluate(t, pristine(t, grading.Laptop))
	assert.Equal(t, "2026.1", g.Ruleset)
}

func TestEvaluateBatteryMessageNeverRoundsUpToTheThreshold(t *testing.T) {
	tests := []struct {
		health float64
		want   string
	}{
		{79.99, "battery health 79.99% is below 80%"},
		{79.999999, "battery health 79.99% is below 80%"},
		{79.97999999999999, "battery health 79.97% is below 80%"},
		{79.9, "battery health 79.9% is below 80%"},
		{79.001, "battery health 79% is below 80%"},
		{0, "battery health 0% is below 80%"},
	}
	for _, tt := range tests {
		in := pristine(t, grading.Smartphone)
		in.Battery.HealthPct = tt.health
		g := evaluate(t, in)
		if assert.Len(t, g.Reasons, 1) {
			assert.Equal(t, grading.Reason{Code: "battery_below_80", Message: tt.want}, g.Reasons[0])
		}
	}
}
