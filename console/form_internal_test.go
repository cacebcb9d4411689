package console

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// The form values of a stored record read back into the record itself: a correction that
// changes nothing records what was stored.

func storedInspection() grading.Inspection {
	cycles := 312
	return grading.Inspection{
		Device: grading.Device{Category: grading.Smartphone, Brand: "Apple", Model: "iPhone 13", IMEI: "490154203237518",
			Serial: "F2LXK0ABCD", StorageGB: 128},
		Functional: map[string]grading.Outcome{"power_on": grading.Pass, "display": grading.Fail, "nfc": grading.NotApplicable,
			"gps": grading.NotTested},
		Battery: grading.Battery{HealthPct: 91.55, CycleCount: &cycles, Genuine: true},
		Cosmetic: grading.Cosmetic{Screen: grading.Zone{LightScratches: 2, VisibleFromCM: 15},
			Body: grading.Zone{Dents: 1, Chips: 3, Cracks: 1, DeepScratches: 4, VisibleFromCM: 120}},
		Compliance: grading.Compliance{ActivationLock: true, IMEIStatus: grading.IMEIFinanced, LiquidDamage: true,
			DataErased: true, FactoryReset: false, OSUpToDate: true, MarkingsIntact: false, DisplayLikeForLike: true},
		Parts: grading.Parts{NonGenuine: []string{"battery", "screen"}, Disclosed: false},
	}
}

func TestBenchTestValuesReadBack(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 15, 7, 250_000_000, time.UTC)
	bare := storedInspection()
	bare.Device.StorageGB, bare.Device.Serial, bare.Battery.CycleCount = 0, "", nil
	bare.Parts.NonGenuine = []string{}
	for _, bt := range []audit.BenchTest{
		{SellerID: "sl_1", Lab: "Lyon bench 2", TestedAt: at, ListedGrade: grading.Good, ExternalID: "LY-1", Inspection: storedInspection()},
		{SellerID: "sl_1", Lab: "Lyon", TestedAt: at.Truncate(time.Minute), Inspection: bare},
	} {
		in := benchTestInput(benchTestValues(bt))
		assert.Empty(t, in.Problems)
		assertEvidence(t, bt.Inspection, in.Value.Submitted)
		in.Value.Submitted = nil
		assert.Equal(t, bt, in.Value)
	}
}

func TestMysteryOrderValuesReadBack(t *testing.T) {
	ordered := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	shipped, delivered, answered := ordered.Add(6*time.Hour+30*time.Second), ordered.Add(74*time.Hour), ordered.Add(7*time.Hour)
	full := audit.MysteryOrder{SellerID: "sl_1", OrderRef: "MO-1", OrderedAt: ordered, ShippedAt: &shipped, DeliveredAt: &delivered,
		ListedGrade: grading.Excellent, Inspection: storedInspection(),
		Logistics:              audit.Logistics{PackagingAdequate: true, TransitDamage: true, ChargeOnArrivalPct: 29.9, CableIncluded: false, ChargerAsListed: true},
		IdentityMatchesListing: false,
		ServiceProbe:           &audit.ServiceProbe{QuestionSentAt: ordered.Add(time.Hour), AnsweredAt: &answered}}
	unanswered := full
	unanswered.ServiceProbe = &audit.ServiceProbe{QuestionSentAt: ordered.Add(-time.Hour)}
	never := full
	never.ShippedAt, never.DeliveredAt, never.ServiceProbe = nil, nil, nil
	never.Logistics.ChargeOnArrivalPct = 0
	for name, mo := range map[string]audit.MysteryOrder{"full": full, "unanswered probe": unanswered, "never shipped, no probe": never} {
		in := mysteryOrderInput(mysteryOrderValues(mo))
		assert.Empty(t, in.Problems, name)
		assertEvidence(t, mo.Inspection, in.Value.Submitted)
		in.Value.Submitted = nil
		assert.Equal(t, mo, in.Value, name)
	}
}

// assertEvidence checks that the evidence kept of a form is the API's document of its
// inspection.
func assertEvidence(t *testing.T, want grading.Inspection, doc []byte) {
	t.Helper()
	got, err := wire.DecodeInspection(doc)
	require.NoError(t, err)
	assert.Empty(t, got.Problems)
	assert.Equal(t, want, got.Value, "the evidence decodes to the inspection recorded")
}

func TestFormTime(t *testing.T) {
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 3, 1, 14, 30, 0, 0, time.UTC), "2026-03-01T14:30"},
		{time.Date(2026, 3, 1, 14, 30, 5, 0, time.UTC), "2026-03-01T14:30:05"},
		{time.Date(2026, 3, 1, 14, 30, 5, 120_000_000, time.UTC), "2026-03-01T14:30:05.12"},
		// A browser's field holds milliseconds at most: finer instants of the API are cut there.
		{time.Date(2026, 3, 1, 14, 30, 5, 123_456_000, time.UTC), "2026-03-01T14:30:05.123"},
		{time.Date(2026, 3, 1, 16, 30, 0, 0, time.FixedZone("CET", 3600)), "2026-03-01T15:30"},
	} {
		got := formTime(tt.at)
		assert.Equal(t, tt.want, got)
		r := &reader{}
		r.v = map[string][]string{"t": {got}}
		back, ok := r.timestamp("t", true)
		require.True(t, ok)
		assert.Equal(t, tt.at.Truncate(time.Millisecond).UTC(), back)
	}
}
