package checklist

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultCharterIsCharter2026_1(t *testing.T) {
	// charter.md §3, column by column.
	want := []struct {
		code, area string
		severity   Severity
		rule       string
		sample     string
		min        int
	}{
		{"QC01", "device", Critical, "functional_fail_rate == 0", "units", 1},
		{"QC02", "device", Critical, "battery_below_80 == 0", "units", 1},
		{"QC03", "device", Major, "battery_at_least_85_rate >= 0.95", "units", 5},
		{"QC04", "device", Major, "undisclosed_parts == 0", "units", 1},
		{"QC05", "device", Critical, "display_mismatch == 0", "units", 1},
		{"QC06", "device", Critical, "liquid_damage == 0", "units", 1},
		{"QC07", "compliance", Critical, "locked == 0", "units", 1},
		{"QC08", "compliance", Critical, "imei_blocked == 0", "units", 1},
		{"QC09", "compliance", Critical, "data_not_erased == 0", "units", 1},
		{"QC10", "compliance", Major, "identity_mismatch == 0", "mystery_orders", 1},
		{"QC11", "device", Minor, "software_ok_rate >= 0.95", "units", 5},
		{"QC12", "device", Minor, "markings_altered == 0", "units", 1},
		{"QC13", "grading", Major, "overgraded_rate <= 0.05", "mystery_orders", 3},
		{"QC14", "grading", Critical, "shipped_damaged == 0", "mystery_orders", 1},
		{"QC15", "logistics", Minor, "accessories_ok_rate >= 0.95", "mystery_orders", 1},
		{"QC16", "logistics", Major, "packaging_failures == 0", "mystery_orders", 1},
		{"QC17", "logistics", Minor, "low_charge_rate <= 0.05", "mystery_orders", 1},
		{"QC18", "logistics", Major, "late_shipment_rate < 0.04", "orders", 50},
		{"QC19", "logistics", Minor, "valid_tracking_rate >= 0.95", "orders", 50},
		{"QC20", "logistics", Major, "cancellation_rate < 0.025", "orders", 50},
		{"QC21", "service", Minor, "message_response_rate >= 0.90", "messages", 10},
		{"QC22", "service", Major, "technical_return_rate <= 0.03", "orders", 50},
		{"QC23", "service", Major, "order_defect_rate < 0.01", "orders", 50},
		{"QC24", "service", Major, "warranty_months >= 12 && warranty_remedy_rate >= 0.95", "warranty_claims", 1},
		{"QC25", "governance", Major, "capa_overdue == 0", "capa_due", 1},
	}

	c, err := DefaultCharter()
	require.NoError(t, err)
	assert.Equal(t, "2026.1", c.Version)
	assert.Equal(t, DefaultCharterVersion, c.Version)
	require.Len(t, c.Points, 25)

	total := 0
	for i, p := range c.Points {
		w := want[i]
		assert.Equal(t, w.code, p.Code)
		assert.Equal(t, w.area, p.Area, p.Code)
		assert.Equal(t, w.severity, p.Severity, p.Code)
		assert.Equal(t, w.severity.Weight(), p.Weight, p.Code)
		assert.Equal(t, w.rule, p.Rule, p.Code)
		assert.Equal(t, strings.Fields(w.rule)[0], p.Metric, p.Code)
		assert.Equal(t, w.sample, p.SampleMetric, p.Code)
		assert.Equal(t, w.min, p.MinSamples, p.Code)
		assert.NotEmpty(t, p.Title, p.Code)
		total += p.Weight
	}
	assert.Equal(t, 120, total)
	assert.Equal(t, "Battery above the 80% floor", c.Points[1].Title)
	assert.Equal(t, "No cracked or heavily worn device shipped", c.Points[13].Title)

	// It publishes as it is: nothing to fill in or correct.
	compiled, err := Compile(c)
	require.NoError(t, err)
	assert.Equal(t, c, compiled.Charter())
}

func TestDefaultCharterReturnsIndependentCopies(t *testing.T) {
	a, err := DefaultCharter()
	require.NoError(t, err)
	a.Points[0].Rule = "changed"
	b, err := DefaultCharter()
	require.NoError(t, err)
	assert.Equal(t, "functional_fail_rate == 0", b.Points[0].Rule)
}

func TestSeverityWeight(t *testing.T) {
	assert.Equal(t, 8, Critical.Weight())
	assert.Equal(t, 4, Major.Weight())
	assert.Equal(t, 2, Minor.Weight())
	assert.Equal(t, 0, Severity("huge").Weight())
	assert.Equal(t, 0, Severity("").Weight())
}

// TestDocumentIsThePublishedForm: a charter and its Document convert both ways without loss,
// and the Document of the default charter is, field for field, the embedded file.
func TestDocumentIsThePublishedForm(t *testing.T) {
	c, err := DefaultCharter()
	require.NoError(t, err)
	assert.Equal(t, c, NewDocument(c).Charter())
	b, err := json.Marshal(NewDocument(c))
	require.NoError(t, err)
	assert.JSONEq(t, string(defaultCharterJSON), string(b))

	empty := NewDocument(Charter{Version: "x"})
	assert.NotNil(t, empty.Points, "no points is an empty list, not null")
	b, err = json.Marshal(empty)
	require.NoError(t, err)
	assert.JSONEq(t, `{"version": "x", "points": []}`, string(b))
}
