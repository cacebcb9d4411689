package audit

import (
	"testing"
	"time"

	"github.com/refurbqa/refurbqa/grading"
)

// testProtocol is a small smartphone protocol: enough for grading to run, small enough that a
// test inspection lists every test.
func testProtocol() grading.Protocol {
	return grading.Protocol{Category: grading.Smartphone, Tests: []grading.Test{
		{Code: "power_on", Severity: grading.Critical},
		{Code: "display", Severity: grading.Critical},
		{Code: "flash", Severity: grading.Minor},
	}}
}

func testProtocols() grading.Protocols {
	return grading.Protocols{grading.Smartphone: testProtocol()}
}

// pristineInspection is a fully functional, unmarked, compliant smartphone: sellable, premium.
func pristineInspection() grading.Inspection {
	cycles := 120
	return grading.Inspection{
		Device: grading.Device{
			Category: grading.Smartphone, Brand: "Apple", Model: "iPhone 13",
			IMEI: "356938035643809", Serial: "F2LXK0ABCD", StorageGB: 128,
		},
		Functional: map[string]grading.Outcome{"power_on": grading.Pass, "display": grading.Pass, "flash": grading.Pass},
		Battery:    grading.Battery{HealthPct: 95, CycleCount: &cycles, Genuine: true},
		Compliance: grading.Compliance{
			IMEIStatus: grading.IMEIClean, DataErased: true, FactoryReset: true, OSUpToDate: true,
			MarkingsIntact: true, DisplayLikeForLike: true,
		},
		Parts: grading.Parts{NonGenuine: []string{}, Disclosed: true},
	}
}

// crackedInspection has a cracked screen: cosmetic E, not sellable, no marketplace grade.
func crackedInspection() grading.Inspection {
	in := pristineInspection()
	in.Cosmetic.Screen = grading.Zone{Cracks: 1, VisibleFromCM: 100}
	return in
}

// fields lists the fields of errs, in order.
func fields(errs []grading.FieldError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func tp(t *testing.T, s string) *time.Time {
	t.Helper()
	v := at(t, s)
	return &v
}
