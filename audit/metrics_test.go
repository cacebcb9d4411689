package audit

import (
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// catalogue returns the metric catalogue of charter.md §2, in order.
func catalogue() []string {
	return []string{
		"units", "functional_fail_rate", "battery_below_80", "battery_at_least_85_rate",
		"undisclosed_parts", "display_mismatch", "liquid_damage", "locked", "imei_blocked",
		"data_not_erased", "software_ok_rate", "markings_altered",
		"mystery_orders", "identity_mismatch", "overgraded_rate", "shipped_damaged",
		"accessories_ok_rate", "packaging_failures", "low_charge_rate",
		"orders", "late_shipment_rate", "valid_tracking_rate", "cancellation_rate",
		"technical_return_rate", "order_defect_rate", "messages", "message_response_rate",
		"warranty_claims", "warranty_remedy_rate", "warranty_months", "capa_due", "capa_overdue",
		"lots", "lots_rejected", "lot_rejection_rate",
	}
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i+1)
	}
	return out
}

func TestFactsMetrics(t *testing.T) {
	require.Len(t, catalogue(), 35)
	f := Facts{
		Units:            40,
		FunctionalFail:   ids("ff", 2),
		BatteryBelow80:   ids("b80_", 1),
		BatteryBelow85:   ids("b85_", 4),
		UndisclosedParts: ids("up", 3),
		DisplayMismatch:  ids("dm", 5),
		LiquidDamage:     ids("ld", 6),
		Locked:           ids("lk", 7),
		IMEIBlocked:      ids("ib", 8),
		DataNotErased:    ids("de", 9),
		SoftwareNotOK:    ids("sw", 10),
		MarkingsAltered:  ids("ma", 11),

		MysteryOrders:     20,
		IdentityMismatch:  ids("im", 1),
		Overgraded:        ids("og", 2),
		ShippedDamaged:    ids("sd", 3),
		AccessoriesNotOK:  ids("ac", 4),
		PackagingFailures: ids("pf", 5),
		LowCharge:         ids("lc", 6),
		Probes:            10,
		ProbesAnswered:    7,
		ProbesLate:        ids("pl", 3),

		KPIMonths:                 ids("km", 3),
		Orders:                    400,
		ShippedLate:               8,
		ValidTracking:             380,
		CancelledBeforeShipment:   6,
		TechnicalReturns30d:       12,
		DefectiveOrders:           2,
		MessagesReceived:          90,
		MessagesAnsweredWithin1BD: 83,
		WarrantyClaims:            8,
		WarrantyRemediedWithin5BD: 6,
		WarrantyMonths:            ptr(12),

		CAPADue:     ids("cd", 4),
		CAPAOverdue: ids("co", 1),

		Lots:         8,
		LotsRejected: ids("lot", 2),
	}
	m := f.Metrics()

	names := make([]string, 0, len(m.Values))
	for name := range m.Values {
		names = append(names, name)
	}
	sort.Strings(names)
	want := catalogue()
	sort.Strings(want)
	assert.Equal(t, want, names, "exactly the catalogue")

	tests := []struct {
		metric   string
		value    float64
		evidence []string
	}{
		{"units", 40, nil},
		{"functional_fail_rate", 2.0 / 40, f.FunctionalFail},
		{"battery_below_80", 1, f.BatteryBelow80},
		{"battery_at_least_85_rate", 36.0 / 40, f.BatteryBelow85},
		{"undisclosed_parts", 3, f.UndisclosedParts},
		{"display_mismatch", 5, f.DisplayMismatch},
		{"liquid_damage", 6, f.LiquidDamage},
		{"locked", 7, f.Locked},
		{"imei_blocked", 8, f.IMEIBlocked},
		{"data_not_erased", 9, f.DataNotErased},
		{"software_ok_rate", 30.0 / 40, f.SoftwareNotOK},
		{"markings_altered", 11, f.MarkingsAltered},
		{"mystery_orders", 20, nil},
		{"identity_mismatch", 1, f.IdentityMismatch},
		{"overgraded_rate", 2.0 / 20, f.Overgraded},
		{"shipped_damaged", 3, f.ShippedDamaged},
		{"accessories_ok_rate", 16.0 / 20, f.AccessoriesNotOK},
		{"packaging_failures", 5, f.PackagingFailures},
		{"low_charge_rate", 6.0 / 20, f.LowCharge},
		{"orders", 400, f.KPIMonths},
		{"late_shipment_rate", 8.0 / 400, f.KPIMonths},
		{"valid_tracking_rate", 380.0 / 400, f.KPIMonths},
		{"cancellation_rate", 6.0 / 400, f.KPIMonths},
		{"technical_return_rate", 12.0 / 400, f.KPIMonths},
		{"order_defect_rate", 2.0 / 400, f.KPIMonths},
		{"messages", 100, f.KPIMonths},
		{"message_response_rate", 90.0 / 100, []string{"km1", "km2", "km3", "pl1", "pl2", "pl3"}},
		{"warranty_claims", 8, f.KPIMonths},
		{"warranty_remedy_rate", 6.0 / 8, f.KPIMonths},
		{"warranty_months", 12, f.KPIMonths},
		{"capa_due", 4, f.CAPADue},
		{"capa_overdue", 1, f.CAPAOverdue},
		{"lots", 8, nil},
		{"lots_rejected", 2, f.LotsRejected},
		{"lot_rejection_rate", 2.0 / 8, f.LotsRejected},
	}
	require.Len(t, tests, 35)
	for _, tt := range tests {
		t.Run(tt.metric, func(t *testing.T) {
			assert.InDelta(t, tt.value, m.Values[tt.metric], 1e-12)
			assert.Equal(t, tt.evidence, m.Evidence[tt.metric])
		})
	}

	t.Run("evidence is a copy", func(t *testing.T) {
		m.Evidence["locked"][0] = "changed"
		assert.Equal(t, "lk1", f.Locked[0])
	})
}

func TestFactsMetricsZeroDenominators(t *testing.T) {
	// Nothing at all: every metric is 0 and there is no evidence.
	m := Facts{}.Metrics()
	require.Len(t, m.Values, 35)
	for _, name := range catalogue() {
		v, ok := m.Values[name]
		assert.True(t, ok, name)
		assert.Zero(t, v, name)
	}
	assert.Empty(t, m.Evidence)

	// Denominators of 0 with numerators or evidence present still give 0, never NaN or Inf.
	f := Facts{
		ShippedLate: 3, ValidTracking: 2, CancelledBeforeShipment: 1, TechnicalReturns30d: 1,
		DefectiveOrders: 1, WarrantyRemediedWithin5BD: 1, MessagesAnsweredWithin1BD: 1,
		KPIMonths: []string{"km1"}, WarrantyMonths: ptr(24), LotsRejected: []string{"lot1"},
	}
	m = f.Metrics()
	for _, name := range []string{
		"functional_fail_rate", "battery_at_least_85_rate", "software_ok_rate", "overgraded_rate",
		"accessories_ok_rate", "low_charge_rate", "late_shipment_rate", "valid_tracking_rate",
		"cancellation_rate", "technical_return_rate", "order_defect_rate", "message_response_rate",
		"warranty_remedy_rate", "lot_rejection_rate",
	} {
		assert.Zero(t, m.Values[name], name)
	}
	assert.Equal(t, 24.0, m.Values["warranty_months"])
	assert.Equal(t, []string{"km1"}, m.Evidence["late_shipment_rate"])

	t.Run("messages from probes alone", func(t *testing.T) {
		m := Facts{Probes: 4, ProbesAnswered: 3, ProbesLate: []string{"mo1"}}.Metrics()
		assert.Equal(t, 4.0, m.Values["messages"])
		assert.Equal(t, 0.75, m.Values["message_response_rate"])
		assert.Equal(t, []string{"mo1"}, m.Evidence["message_response_rate"])
		assert.Nil(t, m.Evidence["messages"])
	})

	t.Run("perfect units", func(t *testing.T) {
		m := Facts{Units: 5, MysteryOrders: 2}.Metrics()
		assert.Equal(t, 1.0, m.Values["battery_at_least_85_rate"])
		assert.Equal(t, 1.0, m.Values["software_ok_rate"])
		assert.Equal(t, 1.0, m.Values["accessories_ok_rate"])
		assert.Equal(t, 0.0, m.Values["functional_fail_rate"])
	})
}
