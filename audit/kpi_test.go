package audit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validKPIMonth() KPIMonth {
	return KPIMonth{
		SellerID: "sl_01", Month: "2026-10",
		Orders: 120, ShippedLate: 3, ValidTracking: 118, CancelledBeforeShipment: 2,
		TechnicalReturns30d: 2, DefectiveOrders: 1,
		MessagesReceived: 40, MessagesAnsweredWithin1BD: 38,
		WarrantyClaims: 4, WarrantyRemediedWithin5BD: 4, WarrantyMonths: 12,
	}
}

func TestKPIFields(t *testing.T) {
	assert.Equal(t, []string{
		"orders", "shipped_late", "valid_tracking", "cancelled_before_shipment",
		"technical_returns_30d", "defective_orders", "messages_received",
		"messages_answered_within_1bd", "warranty_claims", "warranty_remedied_within_5bd",
		"warranty_months",
	}, KPIFields)

	// The internal table follows KPIFields and each entry points at its own struct field.
	table := kpiFieldTable()
	require.Len(t, table, len(KPIFields))
	seen := map[*int]bool{}
	for i, f := range table {
		assert.Equal(t, KPIFields[i], f.name)
		var k KPIMonth
		p := f.ptr(&k)
		assert.False(t, seen[p], "%s shares a struct field", f.name)
		seen[p] = true
	}
}

func TestParseMonth(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339, empty when invalid
	}{
		{"2026-10", "2026-10-01T00:00:00Z"},
		{"2000-01", "2000-01-01T00:00:00Z"},
		{"2100-12", "2100-12-01T00:00:00Z"},
		{"1999-12", ""},
		{"2101-01", ""},
		{"2026-00", ""},
		{"2026-13", ""},
		{"2026-1", ""},
		{"2026-010", ""},
		{"26-10", ""},
		{"2026/10", ""},
		{"2026-1a", ""},
		{"+026-10", ""},
		{"２０２６-10", ""},
		{"2026-10-01", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseMonth(tt.in)
			if tt.want == "" {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.want, got.Format(time.RFC3339))
		})
	}
}

func TestValidateKPIMonth(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(k *KPIMonth)
		want   []string
	}{
		{"valid", func(k *KPIMonth) {}, nil},
		{"all zero", func(k *KPIMonth) { *k = KPIMonth{Month: "2026-10"} }, nil},
		{"parts equal to wholes", func(k *KPIMonth) {
			k.ShippedLate, k.ValidTracking, k.CancelledBeforeShipment = k.Orders, k.Orders, k.Orders
			k.TechnicalReturns30d, k.DefectiveOrders = k.Orders, k.Orders
			k.MessagesAnsweredWithin1BD = k.MessagesReceived
			k.WarrantyRemediedWithin5BD = k.WarrantyClaims
		}, nil},
		{"largest counts", func(k *KPIMonth) {
			k.Orders, k.MessagesReceived, k.WarrantyClaims = MaxKPICount, MaxKPICount, MaxKPICount
		}, nil},
		{"warranty 0 months", func(k *KPIMonth) { k.WarrantyMonths = 0 }, nil},
		{"warranty 120 months", func(k *KPIMonth) { k.WarrantyMonths = 120 }, nil},

		{"bad month", func(k *KPIMonth) { k.Month = "2026-13" }, []string{"month"}},
		{"no month", func(k *KPIMonth) { k.Month = "" }, []string{"month"}},
		{"negative orders", func(k *KPIMonth) { *k = KPIMonth{Month: "2026-10", Orders: -1} }, []string{"orders"}},
		{"orders above the bound", func(k *KPIMonth) { k.Orders = MaxKPICount + 1 }, []string{"orders"}},
		{"negative messages", func(k *KPIMonth) { k.MessagesReceived, k.MessagesAnsweredWithin1BD = -1, 0 }, []string{"messages_received"}},
		{"negative claims", func(k *KPIMonth) { k.WarrantyClaims, k.WarrantyRemediedWithin5BD = -2, 0 }, []string{"warranty_claims"}},
		{"warranty 121 months", func(k *KPIMonth) { k.WarrantyMonths = 121 }, []string{"warranty_months"}},
		{"negative warranty", func(k *KPIMonth) { k.WarrantyMonths = -1 }, []string{"warranty_months"}},
		{"shipped late above orders", func(k *KPIMonth) { k.ShippedLate = k.Orders + 1 }, []string{"shipped_late"}},
		{"valid tracking above orders", func(k *KPIMonth) { k.ValidTracking = k.Orders + 1 }, []string{"valid_tracking"}},
		{"cancellations above orders", func(k *KPIMonth) { k.CancelledBeforeShipment = k.Orders + 1 }, []string{"cancelled_before_shipment"}},
		{"returns above orders", func(k *KPIMonth) { k.TechnicalReturns30d = k.Orders + 1 }, []string{"technical_returns_30d"}},
		{"defects above orders", func(k *KPIMonth) { k.DefectiveOrders = k.Orders + 1 }, []string{"defective_orders"}},
		{"answers above messages", func(k *KPIMonth) { k.MessagesAnsweredWithin1BD = k.MessagesReceived + 1 }, []string{"messages_answered_within_1bd"}},
		{"remedies above claims", func(k *KPIMonth) { k.WarrantyRemediedWithin5BD = k.WarrantyClaims + 1 }, []string{"warranty_remedied_within_5bd"}},
		{"negative part is one error, not two", func(k *KPIMonth) { k.ShippedLate = -1 }, []string{"shipped_late"}},
		{"part of a negative whole is not compared", func(k *KPIMonth) { k.Orders = -1 }, []string{"orders"}},
		{"everything wrong, sorted", func(k *KPIMonth) {
			k.Month = "2026-1"
			k.Orders = 1
			k.ShippedLate, k.ValidTracking, k.CancelledBeforeShipment = 2, 2, 2
			k.TechnicalReturns30d, k.DefectiveOrders = 2, 2
			k.MessagesReceived, k.MessagesAnsweredWithin1BD = 0, 1
			k.WarrantyClaims, k.WarrantyRemediedWithin5BD = 0, 1
			k.WarrantyMonths = 500
		}, []string{
			"cancelled_before_shipment", "defective_orders", "messages_answered_within_1bd", "month",
			"shipped_late", "technical_returns_30d", "valid_tracking", "warranty_months",
			"warranty_remedied_within_5bd",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := validKPIMonth()
			tt.mutate(&k)
			errs := ValidateKPIMonth(k)
			assert.Equal(t, tt.want, fields(errs), "errors: %v", errs)
		})
	}

	t.Run("the seller id is not this function's business", func(t *testing.T) {
		k := validKPIMonth()
		k.SellerID = ""
		assert.Empty(t, ValidateKPIMonth(k))
	})
}
