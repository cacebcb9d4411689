package checklist

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// charterMetricNames is the metric column of charter.md §2, in order, then the lot metrics of
// lots.md §7.
var charterMetricNames = []string{
	"units", "functional_fail_rate", "battery_below_80", "battery_at_least_85_rate",
	"undisclosed_parts", "display_mismatch", "liquid_damage", "locked", "imei_blocked",
	"data_not_erased", "software_ok_rate", "markings_altered", "mystery_orders",
	"identity_mismatch", "overgraded_rate", "shipped_damaged", "accessories_ok_rate",
	"packaging_failures", "low_charge_rate", "orders", "late_shipment_rate",
	"valid_tracking_rate", "cancellation_rate", "technical_return_rate", "order_defect_rate",
	"messages", "message_response_rate", "warranty_claims", "warranty_remedy_rate",
	"warranty_months", "capa_due", "capa_overdue",
	"lots", "lots_rejected", "lot_rejection_rate",
}

func TestCatalogueHasEveryMetricOfTheCharterInOrder(t *testing.T) {
	cat := Catalogue()
	require.Len(t, cat, 35)
	names := make([]string, len(cat))
	for i, m := range cat {
		names[i] = m.Name
	}
	assert.Equal(t, charterMetricNames, names)

	for _, m := range cat {
		want := Count
		switch {
		case strings.HasSuffix(m.Name, "_rate"):
			want = Rate
		case m.Name == "warranty_months":
			want = Number
		}
		assert.Equal(t, want, m.Kind, m.Name)
		assert.NotEmpty(t, m.Description, m.Name)
	}
}

func TestCatalogueDescriptionsAreTheCharterText(t *testing.T) {
	want := map[string]string{
		"units":                    "inspected units (not incomplete)",
		"battery_at_least_85_rate": "share of units with battery health ≥ 85",
		"late_shipment_rate":       "shipped late ÷ orders",
		"low_charge_rate":          "share of mystery orders delivered with less than 30% charge",
		"warranty_months":          "the shortest warranty, in months, offered in the KPI months",
		"capa_overdue":             "corrective actions due in the period and not closed by their due date",
		"lots":                     "the seller's device lots decided in the period",
	}
	for _, m := range Catalogue() {
		if d, ok := want[m.Name]; ok {
			assert.Equal(t, d, m.Description, m.Name)
		}
	}
}

func TestCatalogueReturnsAFreshSlice(t *testing.T) {
	a := Catalogue()
	a[0].Name = "changed"
	assert.Equal(t, "units", Catalogue()[0].Name)
}

func TestRuleEnvMatchesTheCatalogue(t *testing.T) {
	typ := reflect.TypeFor[ruleEnv]()
	cat := Catalogue()
	require.Equal(t, len(cat), typ.NumField())
	for i, m := range cat {
		f := typ.Field(i)
		assert.Equal(t, m.Name, f.Tag.Get("expr"), "field %s", f.Name)
		assert.Equal(t, reflect.Float64, f.Type.Kind(), "field %s", f.Name)
	}
	// Methods would become names a rule could call.
	assert.Zero(t, typ.NumMethod())
	assert.Zero(t, reflect.PointerTo(typ).NumMethod())
}

func TestFillEnvLoadsEveryMetricIntoItsField(t *testing.T) {
	values := map[string]float64{"not_a_metric": 99}
	for i, m := range Catalogue() {
		values[m.Name] = float64(i + 1)
	}
	var e ruleEnv
	fillEnv(&e, values)
	v := reflect.ValueOf(e)
	for i, m := range Catalogue() {
		assert.Equal(t, float64(i+1), v.Field(i).Float(), m.Name)
	}

	fillEnv(&e, nil) // missing metrics read as 0, and nothing of the last seller stays behind
	assert.Equal(t, ruleEnv{}, e)
}
