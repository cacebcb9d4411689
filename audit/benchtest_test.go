package audit

import (
	"strings"
	"testing"

	"github.com/refurbqa/refurbqa/grading"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validBenchTest(t *testing.T) BenchTest {
	return BenchTest{
		SellerID:    "sl_01",
		Lab:         "Lyon lab 2",
		TestedAt:    at(t, "2026-10-02T09:00:00Z"),
		ListedGrade: grading.Excellent,
		ExternalID:  "LAB-2026-000017",
		Inspection:  pristineInspection(),
	}
}

func TestValidateBenchTest(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(bt *BenchTest)
		want   []string
	}{
		{"valid", func(bt *BenchTest) {}, nil},
		{"no listed grade", func(bt *BenchTest) { bt.ListedGrade = "" }, nil},
		{"no external id", func(bt *BenchTest) { bt.ExternalID = "" }, nil},
		{"lab of 64 characters", func(bt *BenchTest) { bt.Lab = strings.Repeat("ł", 64) }, nil},
		{"external id of 128 characters", func(bt *BenchTest) { bt.ExternalID = strings.Repeat("9", 128) }, nil},

		{"no seller", func(bt *BenchTest) { bt.SellerID = "" }, []string{"seller_id"}},
		{"no lab", func(bt *BenchTest) { bt.Lab = "" }, []string{"lab"}},
		{"blank lab", func(bt *BenchTest) { bt.Lab = " \t" }, []string{"lab"}},
		{"lab of 65 characters", func(bt *BenchTest) { bt.Lab = strings.Repeat("x", 65) }, []string{"lab"}},
		{"no tested_at", func(bt *BenchTest) { bt.TestedAt = at(t, "0001-01-01T00:00:00Z") }, []string{"tested_at"}},
		{"unknown listed grade", func(bt *BenchTest) { bt.ListedGrade = "Premium" }, []string{"listed_grade"}},
		{"external id of 129 characters", func(bt *BenchTest) { bt.ExternalID = strings.Repeat("9", 129) }, []string{"external_id"}},
		{"external id with a control character", func(bt *BenchTest) { bt.ExternalID = "A\x00B" }, []string{"external_id"}},
		{"every error, sorted", func(bt *BenchTest) {
			bt.SellerID, bt.Lab, bt.ListedGrade, bt.ExternalID = "", "", "x", strings.Repeat("a", 200)
			bt.TestedAt = at(t, "0001-01-01T00:00:00Z")
		}, []string{"external_id", "lab", "listed_grade", "seller_id", "tested_at"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bt := validBenchTest(t)
			tt.mutate(&bt)
			assert.Equal(t, tt.want, fields(ValidateBenchTest(bt, testProtocols())))
		})
	}

	t.Run("inspection errors are prefixed", func(t *testing.T) {
		bt := validBenchTest(t)
		bt.Inspection.Battery.HealthPct = -5
		inner := grading.Validate(bt.Inspection, testProtocols())
		require.NotEmpty(t, inner)
		errs := ValidateBenchTest(bt, testProtocols())
		require.Len(t, errs, len(inner))
		for _, e := range inner {
			assert.Contains(t, errs, grading.FieldError{Field: "inspection." + e.Field, Message: e.Message})
		}
	})
}

func TestDeriveBenchTest(t *testing.T) {
	tests := []struct {
		name       string
		inspection grading.Inspection
		listed     grading.Marketplace
		want       grading.Match
	}{
		{"no listed grade", pristineInspection(), "", ""},
		{"premium listed premium", pristineInspection(), grading.Premium, grading.MatchEqual},
		{"premium listed excellent", pristineInspection(), grading.Excellent, grading.Undergraded},
		{"cracked listed fair", crackedInspection(), grading.Fair, grading.Overgraded},
		{"cracked without listing", crackedInspection(), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bt := validBenchTest(t)
			bt.Inspection, bt.ListedGrade = tt.inspection, tt.listed
			bt.GradeMatch = "stale"
			DeriveBenchTest(&bt, testProtocol())
			assert.Equal(t, grading.Evaluate(tt.inspection, testProtocol()), bt.Grade)
			assert.Equal(t, tt.want, bt.GradeMatch)
		})
	}
}
