package reports

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/reports/pdftest"
)

func TestFormatQuantity(t *testing.T) {
	tests := []struct {
		v        float64
		decimals int
		want     string
	}{
		{0, 0, "0"},
		{7731, 0, "7,731"},
		{7.7e6, 0, "7,700,000"},
		{17.83, 1, "17.8"},
		{243.6, 2, "243.60"},
		{999.96, 1, "1,000.0"},
		{123456789.5, 1, "123,456,789.5"},
		{-1234.5, 1, "\u22121,234.5"},
		{-0.01, 1, "0.0"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, FormatQuantity(tc.v, tc.decimals), "%v", tc.v)
	}
	assert.Equal(t, "150", formatDevices(150))
	assert.Equal(t, "3.3", formatDevices(10.0/3))
}

// impactInput is the typical report with the estimate of in over its period.
func impactInput(t *testing.T, in audit.ImpactInput, f audit.ImpactFactors) Input {
	t.Helper()
	input := buildInput(typicalFixture())
	input.Impact = audit.EstimateImpact(input.Scorecard.Period, input.Scorecard.SellerID, in, f)
	return input
}

// TestRenderImpact: the report's impact section, read back from the PDF with pdftotext: the
// totals and each category's share, estimated devices and figures (or "not estimated"), how the
// estimate is made and the source of each factor; without inspected units, that nothing is
// estimated. It comes after the corrective actions.
func TestRenderImpact(t *testing.T) {
	def := fakeFactors()
	laptops := def
	laptops.Version = "2027.1"
	laptops.Factors = append(laptops.Factors, audit.ImpactFactor{Category: grading.Laptop, Source: "A laptop study, 2026.",
		PerDevice: audit.ImpactFigures{CO2eKg: 300, EwasteKg: 2, RawMaterialsKg: 1000, WaterL: 190000}})
	tests := []struct {
		name    string
		in      audit.ImpactInput
		factors audit.ImpactFactors
		want    []string
		not     []string
	}{
		{"phones and tablets", audit.ImpactInput{Orders: 400, Units: map[grading.Category]int{grading.Smartphone: 3, grading.Tablet: 1}}, def,
			[]string{
				"impact factors version 2026.1",
				"CO2E AVOIDED E-WASTE AVOIDED RAW MATERIALS SAVED WATER SAVED 23,193 kg 53.5 kg 73,080 kg 23,100,000 L",
				"Smartphone 75.0% 300 23,193.0 53.5 73,080.0 23,100,000 3 devices inspected",
				"Tablet 25.0% 100 not estimated not estimated not estimated not estimated 1 device inspected",
				"Total 100% 400 23,193.0 53.5 73,080.0 23,100,000",
				"Estimated devices of a category = 400 orders in the period × its share of the 4 devices inspected",
				"their 100 estimated devices are left out of the totals",
				"Factors per smartphone: 77.31 kg CO2e, 178.3 g e-waste, 243.60 kg raw materials, 77,000 L water.",
				"Source: The marketplace's published figures per refurbished smartphone",
			}, nil},
		{"laptops once published", audit.ImpactInput{Orders: 10, Units: map[grading.Category]int{grading.Laptop: 1}}, laptops,
			[]string{"impact factors version 2027.1", "WATER SAVED 3,000 kg 20.0 kg 10,000 kg 1,900,000 L", "Laptop 100.0% 10 3,000.0 20.0 10,000.0 1,900,000 1 device inspected",
				"Factors per laptop: 300.00 kg CO2e, 2,000.0 g e-waste", "Source: A laptop study, 2026."},
			[]string{"not estimated", "left out of the totals"}},
		{"only tablets", audit.ImpactInput{Orders: 10, Units: map[grading.Category]int{grading.Tablet: 2}}, def,
			[]string{"WATER SAVED not estimated not estimated not estimated not estimated", "Tablet 100.0% 10 not estimated",
				"Total 100% 10 not estimated"}, nil},
		{"no inspected unit", audit.ImpactInput{Orders: 120}, def,
			[]string{"No device of yours was inspected in this period: the category mix is unknown, so no impact is estimated (120 orders in the period)."},
			[]string{"CO2E AVOIDED", "Factors per"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pdf := render(t, NewModel(impactInput(t, tc.in, tc.factors)))
			text := squash(pdftest.Text(t, pdf))
			i := strings.Index(text, "Environmental impact (estimate)")
			require.GreaterOrEqual(t, i, 0)
			assert.Greater(t, i, strings.LastIndex(text, "Corrective actions"), "after the corrective actions")
			section := text[i:]
			for _, w := range tc.want {
				assert.Contains(t, section, w)
			}
			for _, w := range tc.not {
				assert.NotContains(t, section, w)
			}
			assertPages(t, pdftest.Text(t, pdf))
		})
	}
}
