package grading_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

// Valid IMEIs (Luhn check digit correct).
const (
	imeiA = "356938035643809"
	imeiB = "490154203237518"
)

// protocols loads the real embedded protocols: the engine is tested against the data it runs
// with in production.
func protocols(tb testing.TB) grading.Protocols {
	tb.Helper()
	ps, err := checklist.LoadProtocols()
	require.NoError(tb, err)
	return ps
}

func protocol(tb testing.TB, c grading.Category) grading.Protocol {
	tb.Helper()
	p, ok := protocols(tb).Get(c)
	require.True(tb, ok)
	return p
}

// pristine returns a valid inspection of a like-new, fully functional device of category c,
// which grades premium with no reason: every test passes, battery 95 % genuine, no mark, clean.
// Smartphones carry an IMEI; tablets and laptops a serial only.
func pristine(tb testing.TB, c grading.Category) grading.Inspection {
	tb.Helper()
	cycles := 120
	in := grading.Inspection{
		Device:     grading.Device{Category: c, Brand: "Acme", Model: "One", StorageGB: 128},
		Functional: map[string]grading.Outcome{},
		Battery:    grading.Battery{HealthPct: 95, CycleCount: &cycles, Genuine: true},
		Compliance: grading.Compliance{
			IMEIStatus: grading.IMEIClean, DataErased: true, FactoryReset: true,
			OSUpToDate: true, MarkingsIntact: true, DisplayLikeForLike: true,
		},
		Parts: grading.Parts{NonGenuine: []string{}, Disclosed: true},
	}
	if c == grading.Smartphone {
		in.Device.IMEI = imeiA
	} else {
		in.Device.Serial = "C02XK0AB-CD12"
		in.Compliance.IMEIStatus = grading.IMEINotApplicable
	}
	for _, t := range protocol(tb, c).Tests {
		in.Functional[t.Code] = grading.Pass
	}
	return in
}

// codes lists the reason codes of g, in order.
func codes(g grading.Grade) []string {
	out := []string{}
	for _, r := range g.Reasons {
		out = append(out, r.Code)
	}
	return out
}

// fields lists the fields of errs, in order.
func fields(errs []grading.FieldError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

// body builds a body zone from its counts and visibility distance.
func body(light, deep, dents, chips, cracks, visible int) grading.Zone {
	return grading.Zone{LightScratches: light, DeepScratches: deep, Dents: dents, Chips: chips, Cracks: cracks, VisibleFromCM: visible}
}

// screen builds a screen zone; the screen has no dents.
func screen(light, deep, chips, cracks, visible int) grading.Zone {
	return grading.Zone{LightScratches: light, DeepScratches: deep, Chips: chips, Cracks: cracks, VisibleFromCM: visible}
}
