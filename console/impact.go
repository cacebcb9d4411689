package console

import (
	"net/http"
	"strconv"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/reports"
)

// The marketplace's environmental impact on the overview (transparency.md §4): the estimate of
// the last full calendar month, each seller's estimate summed. The last full month rather than
// the current one, because a month's KPI figures, the orders of the estimate, are imported
// after the month ends: the current month would show no orders for most of it.

// impactPanel is the estimate as the overview shows it, every figure in words.
type impactPanel struct {
	Month            string // "2026-10"
	Period           audit.Period
	Orders           int
	Units            int
	OrdersWithoutMix int
	// The counts as printed, thousands separated.
	OrdersText, UnitsText, OrdersWithoutMixText string
	FactorsVersion                              string
	Totals                                      []impactFigure // empty when the mix is unknown
	Rows                                        []impactRow
	NotEstimated                                string // estimated devices of the categories without factors; "" when none
}

// impactFigure is one total: what it is, and its value or "not estimated".
type impactFigure struct {
	Label, Value string
}

// impactRow is one category.
type impactRow struct {
	Category string
	Units    int
	Share    string
	Devices  string
	Figures  []string // CO2e kg, e-waste kg, raw materials kg, water L, or "not estimated"
}

// notEstimatedText is what a figure without a factor reads.
const notEstimatedText = "not estimated"

// lastFullMonth is the calendar month before the one of now.
func lastFullMonth(now time.Time) audit.Period {
	now = now.UTC()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return audit.Period{Start: first.AddDate(0, -1, 0), End: first}
}

// marketplaceImpact reads the marketplace's estimate of the last full month.
func (c *Console) marketplaceImpact(r *http.Request, s *signedIn) (*impactPanel, error) {
	p := lastFullMonth(c.now())
	e, err := c.svc.Impact(r.Context(), s.principal(), audit.ImpactQuery{
		PeriodStart: p.Start.Format(time.DateOnly), PeriodEnd: p.End.Format(time.DateOnly)})
	if err != nil {
		return nil, err
	}
	return newImpactPanel(e), nil
}

func newImpactPanel(e audit.ImpactEstimate) *impactPanel {
	out := &impactPanel{Month: e.Period.Start.Format("2006-01"), Period: e.Period, Orders: e.Orders, Units: e.Units,
		OrdersWithoutMix: e.OrdersWithoutMix, FactorsVersion: e.Factors.Version,
		OrdersText: reports.FormatQuantity(float64(e.Orders), 0), UnitsText: reports.FormatQuantity(float64(e.Units), 0),
		OrdersWithoutMixText: reports.FormatQuantity(float64(e.OrdersWithoutMix), 0)}
	if len(e.Categories) > 0 {
		t := impactTexts(e.Totals)
		out.Totals = []impactFigure{{"CO2e avoided (kg)", t[0]}, {"E-waste avoided (kg)", t[1]},
			{"Raw materials saved (kg)", t[2]}, {"Water saved (litres)", t[3]}}
	}
	for _, c := range e.Categories {
		out.Rows = append(out.Rows, impactRow{Category: string(c.Category), Units: c.Units,
			Share: strconv.FormatFloat(c.Share*100, 'f', 1, 64) + "%", Devices: reports.FormatQuantity(c.Devices, 1),
			Figures: impactTexts(c.Impact)})
	}
	if e.NotEstimatedDevices > 0 {
		out.NotEstimated = reports.FormatQuantity(e.NotEstimatedDevices, 1)
	}
	return out
}

// impactTexts are the four figures of an impact in words, or "not estimated".
func impactTexts(f *audit.ImpactFigures) []string {
	if f == nil {
		return []string{notEstimatedText, notEstimatedText, notEstimatedText, notEstimatedText}
	}
	return []string{reports.FormatQuantity(f.CO2eKg, 1), reports.FormatQuantity(f.EwasteKg, 1),
		reports.FormatQuantity(f.RawMaterialsKg, 1), reports.FormatQuantity(f.WaterL, 0)}
}
