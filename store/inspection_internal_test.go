package store

import (
	"encoding/json"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/grading"
)

func fullInspection() grading.Inspection {
	cycles := 312
	return grading.Inspection{
		Device: grading.Device{Category: grading.Laptop, Brand: "Lenovo", Model: `ThinkPad "X1" \ Carbon <Gen 9> & ünïcödé`,
			IMEI: "356938035643809", Serial: "PF-2ABC", StorageGB: 512},
		Functional: map[string]grading.Outcome{"power_on": grading.Pass, "keyboard": grading.Fail, "webcam": grading.NotApplicable, "a\tb": "x\x01y"},
		Battery:    grading.Battery{HealthPct: 0.1, CycleCount: &cycles, Genuine: true},
		Cosmetic: grading.Cosmetic{Screen: grading.Zone{LightScratches: 1, DeepScratches: 2, Chips: 3, Cracks: 4, VisibleFromCM: 5},
			Body: grading.Zone{Dents: 6, VisibleFromCM: 500}},
		Compliance: grading.Compliance{ActivationLock: true, IMEIStatus: grading.IMEIFinanced, LiquidDamage: true, DataErased: true,
			FactoryReset: true, OSUpToDate: true, MarkingsIntact: true, DisplayLikeForLike: true},
		Parts: grading.Parts{NonGenuine: []string{"screen", "battery"}, Disclosed: true},
	}
}

// TestStoredInspectionRoundTrips writes inspections with the hand-written encoder and reads
// them back through inspectionDoc, the declared form of the stored document: every value comes
// back as it was, optional members absent or present, nil and empty lists apart.
func TestStoredInspectionRoundTrips(t *testing.T) {
	minimal := grading.Inspection{Functional: map[string]grading.Outcome{}}
	empty := fullInspection()
	empty.Parts.NonGenuine, empty.Battery.CycleCount = []string{}, nil
	empty.Device.IMEI, empty.Device.Serial, empty.Device.StorageGB = "", "", 0
	tiny := fullInspection()
	tiny.Battery.HealthPct = 1e-7
	big := fullInspection()
	big.Battery.HealthPct = 99.99999999999999
	for name, in := range map[string]grading.Inspection{"full": fullInspection(), "minimal": minimal, "empty lists": empty,
		"tiny health": tiny, "big health": big} {
		t.Run(name, func(t *testing.T) {
			doc, err := encodeInspection(in)
			require.NoError(t, err)
			require.True(t, json.Valid([]byte(doc)), doc)
			got, err := decodeInspection(doc)
			require.NoError(t, err)
			assert.Equal(t, in, got)
		})
	}
	// A nil functional map is written as an empty one: a part is never missing.
	doc, err := encodeInspection(grading.Inspection{})
	require.NoError(t, err)
	got, err := decodeInspection(doc)
	require.NoError(t, err)
	assert.Equal(t, map[string]grading.Outcome{}, got.Functional)

	nan := fullInspection()
	nan.Battery.HealthPct = math.NaN()
	_, err = encodeInspection(nan)
	assert.Error(t, err)
}

// perByte replaces each byte of invalid UTF-8 with U+FFFD, as encoding JSON does.
func perByte(s string) string {
	var out []rune
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		out = append(out, r)
		i += n
	}
	return string(out)
}

// FuzzStoredInspectionStrings holds the encoder's strings to JSON: any text is read back as it
// was written (invalid UTF-8 as U+FFFD, which both databases store).
func FuzzStoredInspectionStrings(f *testing.F) {
	for _, s := range []string{"", "plain", `"quoted" \ back`, "ctl\x00\x1f\x7f", "ünï\u2028\u2029", "bad\xff\xfe", "<&>"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, model, code string) {
		in := fullInspection()
		in.Device.Model = model
		in.Functional = map[string]grading.Outcome{code: grading.Outcome(model)}
		doc, err := encodeInspection(in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeInspection(doc)
		if err != nil {
			t.Fatalf("%v: %q", err, doc)
		}
		if got.Device.Model != perByte(model) {
			t.Fatalf("model %q read back as %q", model, got.Device.Model)
		}
		if o, ok := got.Functional[perByte(code)]; !ok || string(o) != perByte(model) || len(got.Functional) != 1 {
			t.Fatalf("functional %q: %q read back as %v", code, model, got.Functional)
		}
	})
}
