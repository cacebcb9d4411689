package audit

import (
	"math"
	"strings"
	"testing"

	"github.com/refurbqa/refurbqa/grading"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validMysteryOrder(t *testing.T) MysteryOrder {
	return MysteryOrder{
		SellerID:    "sl_01",
		OrderRef:    "MO-2026-0142",
		OrderedAt:   at(t, "2026-10-02T09:00:00Z"),
		ShippedAt:   tp(t, "2026-10-03T15:00:00Z"),
		DeliveredAt: tp(t, "2026-10-06T11:00:00Z"),
		ListedGrade: grading.Premium,
		Inspection:  pristineInspection(),
		Logistics: Logistics{
			PackagingAdequate: true, ChargeOnArrivalPct: 54, CableIncluded: true, ChargerAsListed: true,
		},
		IdentityMatchesListing: true,
		ServiceProbe: &ServiceProbe{
			QuestionSentAt: at(t, "2026-10-02T10:00:00Z"),
			AnsweredAt:     tp(t, "2026-10-02T16:30:00Z"),
		},
	}
}

func TestValidateMysteryOrder(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(mo *MysteryOrder)
		want   []string
	}{
		{"valid", func(mo *MysteryOrder) {}, nil},
		{"never shipped", func(mo *MysteryOrder) { mo.ShippedAt, mo.DeliveredAt = nil, nil }, nil},
		{"shipped, never delivered", func(mo *MysteryOrder) { mo.DeliveredAt = nil }, nil},
		{"all at the same instant", func(mo *MysteryOrder) {
			mo.ShippedAt, mo.DeliveredAt = &mo.OrderedAt, &mo.OrderedAt
		}, nil},
		{"no probe", func(mo *MysteryOrder) { mo.ServiceProbe = nil }, nil},
		{"probe never answered", func(mo *MysteryOrder) { mo.ServiceProbe.AnsweredAt = nil }, nil},
		{"probe answered when sent", func(mo *MysteryOrder) { mo.ServiceProbe.AnsweredAt = &mo.ServiceProbe.QuestionSentAt }, nil},
		{"pre-sale probe", func(mo *MysteryOrder) {
			mo.ServiceProbe = &ServiceProbe{QuestionSentAt: at(t, "2026-10-01T10:00:00Z")}
		}, nil},
		{"charge 0", func(mo *MysteryOrder) { mo.Logistics.ChargeOnArrivalPct = 0 }, nil},
		{"charge 100", func(mo *MysteryOrder) { mo.Logistics.ChargeOnArrivalPct = 100 }, nil},
		{"order_ref of 64 characters", func(mo *MysteryOrder) { mo.OrderRef = strings.Repeat("é", 64) }, nil},
		{"listed fair", func(mo *MysteryOrder) { mo.ListedGrade = grading.Fair }, nil},

		{"no seller", func(mo *MysteryOrder) { mo.SellerID = "" }, []string{"seller_id"}},
		{"no order_ref", func(mo *MysteryOrder) { mo.OrderRef = "" }, []string{"order_ref"}},
		{"blank order_ref", func(mo *MysteryOrder) { mo.OrderRef = "  " }, []string{"order_ref"}},
		{"order_ref of 65 characters", func(mo *MysteryOrder) { mo.OrderRef = strings.Repeat("x", 65) }, []string{"order_ref"}},
		{"order_ref with a newline", func(mo *MysteryOrder) { mo.OrderRef = "MO\n1" }, []string{"order_ref"}},
		{"order_ref not UTF-8", func(mo *MysteryOrder) { mo.OrderRef = "MO\xff" }, []string{"order_ref"}},
		{"no ordered_at", func(mo *MysteryOrder) {
			mo.OrderedAt = at(t, "0001-01-01T00:00:00Z")
			mo.ServiceProbe = nil
		}, []string{"ordered_at"}},
		{"shipped before ordered", func(mo *MysteryOrder) { mo.ShippedAt = tp(t, "2026-10-02T08:59:59Z") }, []string{"shipped_at"}},
		{"delivered before shipped", func(mo *MysteryOrder) { mo.DeliveredAt = tp(t, "2026-10-03T14:59:59Z") }, []string{"delivered_at"}},
		{"delivered without shipped", func(mo *MysteryOrder) { mo.ShippedAt = nil }, []string{"shipped_at"}},
		{"no listed grade", func(mo *MysteryOrder) { mo.ListedGrade = "" }, []string{"listed_grade"}},
		{"unknown listed grade", func(mo *MysteryOrder) { mo.ListedGrade = "mint" }, []string{"listed_grade"}},
		{"negative charge", func(mo *MysteryOrder) { mo.Logistics.ChargeOnArrivalPct = -0.1 }, []string{"logistics.charge_on_arrival_pct"}},
		{"charge above 100", func(mo *MysteryOrder) { mo.Logistics.ChargeOnArrivalPct = 100.1 }, []string{"logistics.charge_on_arrival_pct"}},
		{"charge NaN", func(mo *MysteryOrder) { mo.Logistics.ChargeOnArrivalPct = math.NaN() }, []string{"logistics.charge_on_arrival_pct"}},
		{"charge infinite", func(mo *MysteryOrder) { mo.Logistics.ChargeOnArrivalPct = math.Inf(1) }, []string{"logistics.charge_on_arrival_pct"}},
		{"probe answered before sent", func(mo *MysteryOrder) {
			mo.ServiceProbe.AnsweredAt = tp(t, "2026-10-02T09:59:59Z")
		}, []string{"service_probe.answered_at"}},
		{"probe never sent", func(mo *MysteryOrder) {
			mo.ServiceProbe.QuestionSentAt = at(t, "0001-01-01T00:00:00Z")
		}, []string{"service_probe.question_sent_at"}},
		{"every error at once, sorted", func(mo *MysteryOrder) {
			mo.SellerID, mo.OrderRef, mo.ListedGrade = "", "", "bad"
			mo.ShippedAt = tp(t, "2026-10-01T00:00:00Z")
			mo.DeliveredAt = tp(t, "2026-09-30T00:00:00Z")
			mo.Logistics.ChargeOnArrivalPct = 101
			mo.ServiceProbe.AnsweredAt = tp(t, "2026-10-01T00:00:00Z")
		}, []string{
			"delivered_at", "listed_grade", "logistics.charge_on_arrival_pct", "order_ref",
			"seller_id", "service_probe.answered_at", "shipped_at",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mo := validMysteryOrder(t)
			tt.mutate(&mo)
			errs := ValidateMysteryOrder(mo, testProtocols())
			assert.Equal(t, tt.want, fields(errs), "errors: %v", errs)
			for _, e := range errs {
				assert.NotEmpty(t, e.Message, e.Field)
			}
		})
	}
}

func TestValidateMysteryOrderInspection(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(in *grading.Inspection)
	}{
		{"battery out of range", func(in *grading.Inspection) { in.Battery.HealthPct = 150 }},
		{"unknown category", func(in *grading.Inspection) { in.Device.Category = "toaster" }},
		{"negative cracks", func(in *grading.Inspection) { in.Cosmetic.Screen.Cracks = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mo := validMysteryOrder(t)
			tt.mutate(&mo.Inspection)
			inner := grading.Validate(mo.Inspection, testProtocols())
			require.NotEmpty(t, inner, "grading.Validate should refuse this inspection")

			errs := ValidateMysteryOrder(mo, testProtocols())
			require.Len(t, errs, len(inner))
			for _, e := range inner {
				assert.Contains(t, errs, grading.FieldError{Field: "inspection." + e.Field, Message: e.Message})
			}
		})
	}

	t.Run("with other errors, still sorted", func(t *testing.T) {
		mo := validMysteryOrder(t)
		mo.Inspection.Battery.HealthPct = 150
		mo.SellerID = ""
		mo.Logistics.ChargeOnArrivalPct = -1
		errs := ValidateMysteryOrder(mo, testProtocols())
		got := fields(errs)
		assert.IsNonDecreasing(t, got)
		assert.Contains(t, got, "seller_id")
		assert.Contains(t, got, "logistics.charge_on_arrival_pct")
		assert.Condition(t, func() bool {
			for _, f := range got {
				if strings.HasPrefix(f, "inspection.") {
					return true
				}
			}
			return false
		}, "an inspection error: %v", got)
	})
}

func TestDeriveMysteryOrder(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(mo *MysteryOrder)
		check  func(t *testing.T, mo MysteryOrder)
	}{
		{"pristine as listed", func(mo *MysteryOrder) {}, func(t *testing.T, mo MysteryOrder) {
			assert.Equal(t, grading.Sellable, mo.Grade.Status)
			assert.Equal(t, grading.Premium, mo.Grade.Marketplace)
			assert.Equal(t, grading.MatchEqual, mo.GradeMatch)
			assert.True(t, mo.ShippedWithinOneBusinessDay)
			assert.False(t, mo.PackagingFailure)
			assert.False(t, mo.LowCharge)
			assert.True(t, mo.AccessoriesOK)
			require.NotNil(t, mo.ProbeAnsweredInTime)
			assert.True(t, *mo.ProbeAnsweredInTime)
		}},
		{"cracked listed premium is overgraded", func(mo *MysteryOrder) { mo.Inspection = crackedInspection() },
			func(t *testing.T, mo MysteryOrder) {
				assert.Equal(t, grading.CosmeticE, mo.Grade.Cosmetic)
				assert.Empty(t, mo.Grade.Marketplace)
				assert.Equal(t, grading.Overgraded, mo.GradeMatch)
			}},
		{"premium listed fair is undergraded", func(mo *MysteryOrder) { mo.ListedGrade = grading.Fair },
			func(t *testing.T, mo MysteryOrder) { assert.Equal(t, grading.Undergraded, mo.GradeMatch) }},
		{"no listed grade, no comparison", func(mo *MysteryOrder) { mo.ListedGrade = "" },
			func(t *testing.T, mo MysteryOrder) { assert.Empty(t, mo.GradeMatch) }},
		{"never shipped", func(mo *MysteryOrder) { mo.ShippedAt, mo.DeliveredAt = nil, nil },
			func(t *testing.T, mo MysteryOrder) { assert.False(t, mo.ShippedWithinOneBusinessDay) }},
		{"friday order shipped monday at the same time", func(mo *MysteryOrder) {
			mo.OrderedAt = at(t, "2026-10-02T16:00:00Z")
			mo.ShippedAt = tp(t, "2026-10-05T16:00:00Z")
		}, func(t *testing.T, mo MysteryOrder) { assert.True(t, mo.ShippedWithinOneBusinessDay) }},
		{"friday order shipped a second late", func(mo *MysteryOrder) {
			mo.OrderedAt = at(t, "2026-10-02T16:00:00Z")
			mo.ShippedAt = tp(t, "2026-10-05T16:00:01Z")
		}, func(t *testing.T, mo MysteryOrder) { assert.False(t, mo.ShippedWithinOneBusinessDay) }},
		{"inadequate packaging", func(mo *MysteryOrder) { mo.Logistics.PackagingAdequate = false },
			func(t *testing.T, mo MysteryOrder) { assert.True(t, mo.PackagingFailure) }},
		{"transit damage", func(mo *MysteryOrder) { mo.Logistics.TransitDamage = true },
			func(t *testing.T, mo MysteryOrder) { assert.True(t, mo.PackagingFailure) }},
		{"charge just below 30", func(mo *MysteryOrder) { mo.Logistics.ChargeOnArrivalPct = 29.9 },
			func(t *testing.T, mo MysteryOrder) { assert.True(t, mo.LowCharge) }},
		{"charge exactly 30", func(mo *MysteryOrder) { mo.Logistics.ChargeOnArrivalPct = 30 },
			func(t *testing.T, mo MysteryOrder) { assert.False(t, mo.LowCharge) }},
		{"no cable", func(mo *MysteryOrder) { mo.Logistics.CableIncluded = false },
			func(t *testing.T, mo MysteryOrder) { assert.False(t, mo.AccessoriesOK) }},
		{"charger not as listed", func(mo *MysteryOrder) { mo.Logistics.ChargerAsListed = false },
			func(t *testing.T, mo MysteryOrder) { assert.False(t, mo.AccessoriesOK) }},
		{"no probe", func(mo *MysteryOrder) { mo.ServiceProbe = nil },
			func(t *testing.T, mo MysteryOrder) { assert.Nil(t, mo.ProbeAnsweredInTime) }},
		{"probe never answered", func(mo *MysteryOrder) { mo.ServiceProbe.AnsweredAt = nil },
			func(t *testing.T, mo MysteryOrder) {
				require.NotNil(t, mo.ProbeAnsweredInTime)
				assert.False(t, *mo.ProbeAnsweredInTime)
			}},
		{"probe answered late", func(mo *MysteryOrder) { mo.ServiceProbe.AnsweredAt = tp(t, "2026-10-05T10:00:01Z") },
			func(t *testing.T, mo MysteryOrder) {
				require.NotNil(t, mo.ProbeAnsweredInTime)
				assert.False(t, *mo.ProbeAnsweredInTime)
			}},
		{"probe answered at the deadline", func(mo *MysteryOrder) { mo.ServiceProbe.AnsweredAt = tp(t, "2026-10-05T10:00:00Z") },
			func(t *testing.T, mo MysteryOrder) {
				require.NotNil(t, mo.ProbeAnsweredInTime)
				assert.True(t, *mo.ProbeAnsweredInTime)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mo := validMysteryOrder(t)
			tt.mutate(&mo)
			DeriveMysteryOrder(&mo, testProtocol())
			assert.Equal(t, grading.Evaluate(mo.Inspection, testProtocol()), mo.Grade)
			tt.check(t, mo)
		})
	}

	t.Run("derivation replaces earlier values", func(t *testing.T) {
		mo := validMysteryOrder(t)
		mo.GradeMatch = grading.Overgraded
		mo.ProbeAnsweredInTime = ptr(true)
		mo.ServiceProbe = nil
		mo.ListedGrade = ""
		DeriveMysteryOrder(&mo, testProtocol())
		assert.Empty(t, mo.GradeMatch)
		assert.Nil(t, mo.ProbeAnsweredInTime)
	})
}
