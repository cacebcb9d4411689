package wire_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
	"github.com/refurbqa/refurbqa/httpapi/wire/wiretest"
)

// phone is a complete inspection of a smartphone, every member set to a value other than its
// zero, so that a member lost on the way would show.
func phone() grading.Inspection {
	cycles := 312
	return grading.Inspection{
		Device: grading.Device{Category: grading.Smartphone, Brand: "Apple", Model: "iPhone 13",
			IMEI: "356938035643809", Serial: "F2LXK0ABCD", StorageGB: 128},
		Functional: map[string]grading.Outcome{"display": grading.Pass, "wifi": grading.Fail, "nfc": grading.NotTested},
		Battery:    grading.Battery{HealthPct: 87.5, CycleCount: &cycles, Genuine: true},
		Cosmetic: grading.Cosmetic{
			Screen: grading.Zone{LightScratches: 2, DeepScratches: 1, Dents: 0, Chips: 1, Cracks: 0, VisibleFromCM: 30},
			Body:   grading.Zone{LightScratches: 4, DeepScratches: 0, Dents: 1, Chips: 0, Cracks: 0, VisibleFromCM: 20},
		},
		Compliance: grading.Compliance{ActivationLock: false, IMEIStatus: grading.IMEIClean, LiquidDamage: false,
			DataErased: true, FactoryReset: true, OSUpToDate: true, MarkingsIntact: true, DisplayLikeForLike: true},
		Parts: grading.Parts{NonGenuine: []string{"battery"}, Disclosed: true},
	}
}

// benchTest is a bench test document around the inspection insp (JSON text), with the lab id
// ext.
func benchTest(insp, ext string) string {
	return `{"seller_id": "sl_1", "lab": "Lab Lyon", "tested_at": "2026-10-01T09:30:00+02:00",
		"listed_grade": "good", "external_id": "` + ext + `", "inspection": ` + insp + `}`
}

func problems(fs []grading.FieldError) map[string]string {
	out := map[string]string{}
	for _, f := range fs {
		out[f.Field] = f.Message
	}
	return out
}

// An inspection encoded in the API's form decodes to the same domain value, with nothing
// missing: what Go programs (demo data, the load tool) send is what a client sends.
func TestEncodeInspectionDecodesBack(t *testing.T) {
	in := phone()
	raw, err := wire.EncodeInspection(in)
	require.NoError(t, err)
	got, err := wire.DecodeInspection(raw)
	require.NoError(t, err)
	assert.Empty(t, got.Problems)
	assert.Equal(t, in, got.Value)
	// Every member is written, even a false or zero one; functional tests in sorted order.
	assert.Contains(t, string(raw), `"activation_lock":false`)
	assert.Contains(t, string(raw), `"dents":0`)
	assert.Contains(t, string(raw), `"functional":{"display":"pass","nfc":"not_tested","wifi":"fail"}`)

	none := phone()
	none.Parts.NonGenuine = nil
	raw, err = wire.EncodeInspection(none)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"non_genuine":[]`, "no part is an empty list, which a client must send")
	assert.Equal(t, wire.InspectionOf(none), mustDecodeDoc(t, raw))
}

func mustDecodeDoc(t *testing.T, raw []byte) *wire.Inspection {
	t.Helper()
	var d wire.Inspection
	require.NoError(t, json.Unmarshal(raw, &d))
	return &d
}

func TestDecodeInspectionProblems(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		whole   map[string]string // the document refused as a whole
		problem map[string]string
	}{
		{name: "not UTF-8", body: "{\"device\": \"\xff\"}", whole: map[string]string{"body": "must be valid UTF-8"}},
		{name: "empty", body: "", whole: map[string]string{"body": "is required: send a JSON document"}},
		{name: "not an object", body: `[1]`, whole: map[string]string{"body": "must be an object"}},
		{name: "every member missing", body: `{}`, problem: map[string]string{
			"battery": "is required", "compliance": "is required", "cosmetic": "is required", "device": "is required",
			"functional": "is required", "parts": "is required"}},
		{name: "a wrong type is not also missing", body: `{"battery": {"health_pct": "high", "genuine": true}, "device": 7,
			"functional": {}, "cosmetic": {"screen": null, "body": {"chips": 0, "cracks": 0, "deep_scratches": 0, "dents": 0,
			"light_scratches": 0}}, "parts": {"non_genuine": null, "disclosed": false}, "compliance": {"activation_lock": false}}`,
			problem: map[string]string{
				"battery.health_pct": "must be a number", "device": "must be an object",
				"cosmetic.screen": "is required", "cosmetic.body.visible_from_cm": "is required",
				"parts.non_genuine":      "is required",
				"compliance.data_erased": "is required", "compliance.display_like_for_like": "is required",
				"compliance.factory_reset": "is required", "compliance.imei_status": "is required",
				"compliance.liquid_damage": "is required", "compliance.markings_intact": "is required",
				"compliance.os_up_to_date": "is required",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := wire.DecodeInspection([]byte(tt.body))
			if tt.whole != nil {
				assert.Equal(t, tt.whole, wiretest.Fields(t, err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.problem, problems(got.Problems))
		})
	}
}

func TestDecodeBenchTest(t *testing.T) {
	insp, err := wire.EncodeInspection(phone())
	require.NoError(t, err)
	// The inspection is kept as the client wrote it, spaces and order of members included.
	sent := strings.Replace(string(insp), `{"device":`, "{ \"device\" :", 1)
	got, err := wire.DecodeBenchTest([]byte(benchTest(sent, "BT-1")))
	require.NoError(t, err)
	assert.Empty(t, got.Problems)
	assert.Equal(t, audit.BenchTest{SellerID: "sl_1", Lab: "Lab Lyon", TestedAt: time.Date(2026, 10, 1, 7, 30, 0, 0, time.UTC),
		ListedGrade: grading.Good, ExternalID: "BT-1", Inspection: phone(), Submitted: []byte(sent)}, got.Value)

	got, err = wire.DecodeBenchTest([]byte(`{"seller_id": 5, "lab": "L", "tested_at": "yesterday", "listed_grade": "mint",
		"external_id": "", "inspection": null}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"seller_id": "must be a string", "tested_at": "must be an RFC 3339 timestamp",
		"listed_grade": "must be one of premium, excellent, good, fair (or null)",
		"external_id":  "must not be empty: omit it or send null when there is none", "inspection": "is required",
	}, problems(got.Problems))

	for body, want := range map[string]string{`{"lab": `: "body", `"a bench test"`: "body", ``: "body"} {
		_, err := wire.DecodeBenchTest([]byte(body))
		assert.Contains(t, wiretest.Fields(t, err), want, "%q is refused as a whole", body)
	}
}

// A batch decodes into one input per item, each with its own problems at its paths in the item;
// only a batch that cannot be read, or whose items are not a list, is refused as a whole.
func TestDecodeBenchTestBatch(t *testing.T) {
	insp, err := wire.EncodeInspection(phone())
	require.NoError(t, err)
	good := benchTest(string(insp), "A")
	wrongType := strings.Replace(benchTest(string(insp), "B"), `"health_pct":87.5`, `"health_pct":"x"`, 1)
	twoFields := strings.Replace(strings.Replace(benchTest(string(insp), "C"), `"lab": "Lab Lyon"`, `"lab": 7`, 1),
		`"imei":"356938035643809",`, "", 1)
	body := `{"items": [` + good + `, ` + wrongType + `, 42, ` + twoFields + `, null, "x"]}`

	items, err := wire.DecodeBenchTestBatch([]byte(body))
	require.NoError(t, err)
	require.Len(t, items, 6)
	assert.Empty(t, items[0].Problems)
	assert.Equal(t, "A", items[0].Value.ExternalID)
	assert.Equal(t, phone(), items[0].Value.Inspection)
	assert.Equal(t, string(insp), string(items[0].Value.Submitted), "each item keeps its own inspection as sent")
	assert.Equal(t, map[string]string{"inspection.battery.health_pct": "must be a number"}, problems(items[1].Problems),
		"paths relative to the item")
	assert.Equal(t, "B", items[1].Value.ExternalID, "the rest of the item is read")
	assert.Equal(t, []grading.FieldError{{Field: "", Message: "must be an object"}}, items[2].Problems,
		"an item that is not an object is refused as a whole, and nothing else is said of it")
	assert.Equal(t, audit.BenchTest{}, items[2].Value)
	assert.Equal(t, map[string]string{"lab": "must be a string"}, problems(items[3].Problems),
		"an IMEI is the domain's rule, not decoding's")
	assert.Equal(t, map[string]string{"inspection": "is required"}, problems(items[4].Problems), "a null item is empty")
	assert.Equal(t, []grading.FieldError{{Field: "", Message: "must be an object"}}, items[5].Problems)

	for _, tt := range []struct {
		body string
		want map[string]string
	}{
		{``, map[string]string{"body": "is required: send a JSON document"}},
		{`{"items": [`, map[string]string{"body": "malformed JSON at byte 11: unexpected end of JSON input"}},
		{`[` + good + `]`, map[string]string{"body": "must be an object"}},
		{`{"items": {}}`, map[string]string{"items": "must be an array"}},
		{`{"items": "x"}`, map[string]string{"items": "must be an array"}},
	} {
		items, err := wire.DecodeBenchTestBatch([]byte(tt.body))
		assert.Equal(t, tt.want, wiretest.Fields(t, err), "%q", tt.body)
		assert.Nil(t, items)
	}
	// How many items a batch holds is the service's rule: none is not a decoding problem.
	for _, body := range []string{`{}`, `{"items": null}`, `{"items": []}`} {
		items, err := wire.DecodeBenchTestBatch([]byte(body))
		require.NoError(t, err, body)
		assert.Empty(t, items, body)
	}
}

func TestDecodeMysteryOrder(t *testing.T) {
	insp, err := wire.EncodeInspection(phone())
	require.NoError(t, err)
	body := `{"seller_id": "sl_1", "order_ref": "MO-1", "ordered_at": "2026-10-01T10:00:00.1234567+02:00",
		"shipped_at": "2026-10-02T08:00:00Z", "delivered_at": null, "listed_grade": "excellent", "inspection": ` + string(insp) + `,
		"logistics": {"packaging_adequate": true, "transit_damage": false, "charge_on_arrival_pct": 64, "cable_included": true,
		"charger_as_listed": false}, "identity_matches_listing": true,
		"service_probe": {"question_sent_at": "2026-10-03T09:00:00Z", "answered_at": "2026-10-03T15:00:00Z"}}`
	got, err := wire.DecodeMysteryOrder([]byte(body))
	require.NoError(t, err)
	assert.Empty(t, got.Problems)
	shipped := time.Date(2026, 10, 2, 8, 0, 0, 0, time.UTC)
	answered := time.Date(2026, 10, 3, 15, 0, 0, 0, time.UTC)
	assert.Equal(t, audit.MysteryOrder{SellerID: "sl_1", OrderRef: "MO-1",
		OrderedAt: time.Date(2026, 10, 1, 8, 0, 0, 123456000, time.UTC), ShippedAt: &shipped,
		ListedGrade: grading.Excellent, Inspection: phone(), Submitted: insp,
		Logistics:              audit.Logistics{PackagingAdequate: true, ChargeOnArrivalPct: 64, CableIncluded: true},
		IdentityMatchesListing: true,
		ServiceProbe:           &audit.ServiceProbe{QuestionSentAt: time.Date(2026, 10, 3, 9, 0, 0, 0, time.UTC), AnsweredAt: &answered},
	}, got.Value, "instants in UTC to the microsecond")

	got, err = wire.DecodeMysteryOrder([]byte(`{"ordered_at": "1 Oct", "shipped_at": "", "logistics": {"transit_damage": "no"},
		"service_probe": {"question_sent_at": "soon"}, "inspection": {}}`))
	require.NoError(t, err)
	p := problems(got.Problems)
	assert.Equal(t, "must be an RFC 3339 timestamp", p["ordered_at"])
	assert.Equal(t, "must be an RFC 3339 timestamp or null", p["shipped_at"])
	assert.Equal(t, "must be an RFC 3339 timestamp", p["service_probe.question_sent_at"])
	assert.Equal(t, "must be a boolean", p["logistics.transit_damage"], "of the wrong type, and not also missing")
	assert.Equal(t, "is required", p["logistics.packaging_adequate"])
	assert.Equal(t, "is required", p["identity_matches_listing"])
	assert.Equal(t, "is required", p["inspection.device"], "the inspection's members at their paths in the order")
	assert.NotContains(t, p, "delivered_at", "an absent optional time is no problem")

	_, err = wire.DecodeMysteryOrder([]byte(`"an order"`))
	assert.Equal(t, map[string]string{"body": "must be an object"}, wiretest.Fields(t, err))
}
