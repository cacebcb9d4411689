package console

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/reports"
)

// The marketplace's environmental impact on the overview (transparency.md §4): the estimate of
// the last full calendar month, each seller's estimate summed. The last full month rather than
// the current one, because a month's KPI figures, the orders of the estimate, are imported
// after the month ends: the current month would show no orders for most of it.
//
// Reading a month of the whole marketplace takes a tenth of a second or more on the scale data
// set (every inspected unit of the month is counted, docs/performance.md), more than the
// overview may take; and a month that is over changes seldom. So the overview reuses the
// estimate for impactTTL and says when it was made; the API's GET /api/v1/impact always reads
// afresh.

// impactTTL is how long the overview reuses the marketplace's estimate before it reads it again.
const impactTTL = 5 * time.Minute

// impactCache is the overview's last estimate. When it is stale, one request reads it again
// while the others still show the stale one; a new month is read at once.
type impactCache struct {
	mu         sync.Mutex
	period     audit.Period
	panel      *impactPanel
	refreshing bool
}

// get returns the panel of p, from the cache when it is of p and younger than impactTTL at now
// (or being read again by another request), else from read.
func (ic *impactCache) get(p audit.Period, now time.Time, read func() (*impactPanel, error)) (*impactPanel, error) {
	ic.mu.Lock()
	same := ic.panel != nil && ic.period.Start.Equal(p.Start) && ic.period.End.Equal(p.End)
	if same && (now.Sub(ic.panel.At) < impactTTL || ic.refreshing) {
		panel := ic.panel
		ic.mu.Unlock()
		return panel, nil
	}
	if same {
		ic.refreshing = true
	}
	ic.mu.Unlock()

	panel, err := read()
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if same {
		ic.refreshing = false
	}
	if err != nil {
		return nil, err
	}
	if ic.panel == nil || !panel.At.Before(ic.panel.At) {
		ic.period, ic.panel = p, panel
	}
	return panel, nil
}

// impactPanel is the estimate as the overview shows it, every figure in words.
type impactPanel struct {
	Month            string // "2026-10"
	Period           audit.Period
	At               time.Time // when the estimate was read
	Refresh          string    // how often the overview reads it again, in words
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
// marketplaceImpact reads the marketplace's estimate of the last full month, or reuses the one
// read less than impactTTL ago.
func (c *Console) marketplaceImpact(r *http.Request, s *signedIn) (*impactPanel, error) {
	now := c.now().UTC()
	p := lastFullMonth(now)
	return c.impact.get(p, now, func() (*impactPanel, error) {
		e, err := c.svc.Impact(r.Context(), s.principal(), audit.ImpactQuery{
			PeriodStart: p.Start.Format(time.DateOnly), PeriodEnd: p.End.Format(time.DateOnly)})
		if err != nil {
			return nil, err
		}
		return newImpactPanel(e, now), nil
	})
}

func newImpactPanel(e audit.ImpactEstimate, at time.Time) *impactPanel {
	out := &impactPanel{Month: e.Period.Start.Format("2006-01"), Period: e.Period, At: at,
		Refresh: strconv.Itoa(int(impactTTL/time.Minute)) + " minutes", Orders: e.Orders, Units: e.Units,
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
