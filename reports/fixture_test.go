package reports

import (
	"bytes"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

// charterPoint is one row of the default charter 2026.1 (charter.md §3).
type charterPoint struct {
	code, title, area string
	severity          checklist.Severity
	metric, threshold string
	minSamples        int
}

func charter2026() []charterPoint {
	return []charterPoint{
		{"QC01", "Fully functional", "device", checklist.Critical, "functional_fail_rate", "== 0", 1},
		{"QC02", "Battery above the 80% floor", "device", checklist.Critical, "battery_below_80", "== 0", 1},
		{"QC03", "Battery health at 85% or more", "device", checklist.Major, "battery_at_least_85_rate", ">= 0.95", 5},
		{"QC04", "Genuine or disclosed parts", "device", checklist.Major, "undisclosed_parts", "== 0", 1},
		{"QC05", "Like-for-like display", "device", checklist.Critical, "display_mismatch", "== 0", 1},
		{"QC06", "No liquid damage", "device", checklist.Critical, "liquid_damage", "== 0", 1},
		{"QC07", "Fully unlocked", "compliance", checklist.Critical, "locked", "== 0", 1},
		{"QC08", "Clean IMEI", "compliance", checklist.Critical, "imei_blocked", "== 0", 1},
		{"QC09", "Certified data erasure", "compliance", checklist.Critical, "data_not_erased", "== 0", 1},
		{"QC10", "Device matches the listing", "compliance", checklist.Major, "identity_mismatch", "== 0", 1},
		{"QC11", "Factory reset, software up to date", "device", checklist.Minor, "software_ok_rate", ">= 0.95", 5},
		{"QC12", "Original markings intact", "device", checklist.Minor, "markings_altered", "== 0", 1},
		{"QC13", "Accurate grading", "grading", checklist.Major, "overgraded_rate", "<= 0.05", 3},
		{"QC14", "No cracked or heavily worn device shipped", "grading", checklist.Critical, "shipped_damaged", "== 0", 1},
		{"QC15", "Accessories as listed", "logistics", checklist.Minor, "accessories_ok_rate", ">= 0.95", 1},
		{"QC16", "Protective packaging", "logistics", checklist.Major, "packaging_failures", "== 0", 1},
		{"QC17", "Delivered charged", "logistics", checklist.Minor, "low_charge_rate", "<= 0.05", 1},
		{"QC18", "Dispatch on time", "logistics", checklist.Major, "late_shipment_rate", "< 0.04", 50},
		{"QC19", "Valid tracking", "logistics", checklist.Minor, "valid_tracking_rate", ">= 0.95", 50},
		{"QC20", "Few cancellations", "logistics", checklist.Major, "cancellation_rate", "< 0.025", 50},
		{"QC21", "Responsive customer service", "service", checklist.Minor, "message_response_rate", ">= 0.90", 10},
		{"QC22", "Low technical return rate", "service", checklist.Major, "technical_return_rate", "<= 0.03", 50},
		{"QC23", "Low order defect rate", "service", checklist.Major, "order_defect_rate", "< 0.01", 50},
		{"QC24", "Warranty honoured", "service", checklist.Major, "warranty_months", ">= 12", 1},
		{"QC25", "Corrective actions on time", "governance", checklist.Major, "capa_overdue", "== 0", 1},
	}
}

func weight(s checklist.Severity) int {
	switch s {
	case checklist.Critical:
		return 8
	case checklist.Major:
		return 4
	}
	return 2
}

// fixture describes a scorecard to build.
type fixture struct {
	sellerName   string
	failed       map[string]int  // failed point code → number of evidence records
	insufficient map[string]bool // points without enough samples
	missing      int             // evidence ids per failed point left out of the evidence map
	history      int             // earlier scorecards
	orders       int             // mystery orders
	actions      int             // open corrective actions
}

// typicalFixture is the typical report of the performance target: 25 points, 40 evidence
// rows, a six-point trend.
func typicalFixture() fixture {
	return fixture{
		sellerName:   "Łódź Serwis Żółć Sp. z o.o.",
		failed:       map[string]int{"QC01": 12, "QC03": 10, "QC13": 8, "QC16": 6, "QC25": 4},
		insufficient: map[string]bool{"QC21": true, "QC24": true},
		history:      5,
		orders:       14,
		actions:      3,
	}
}

func imei(i int) string { return fmt.Sprintf("35%013d", 4_400_000_000+int64(i)*7919) }

func orderRef(i int) string { return fmt.Sprintf("MO-2026-%05d", i) }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// buildInput makes a realistic Input for a fixture. Everything derives from the fixture,
// never the clock, so two calls give the same input.
func buildInput(f fixture) Input {
	const sellerID = "sel_01HZX3K9Q7M2V8R4T6W1Y5B0CD"
	period := audit.Period{Start: day(2026, 7, 1), End: day(2026, 10, 1)}
	ev := make(map[string]Evidence)
	var points []checklist.PointResult
	passedW, failedW, evaluated, failed, failedCritical := 0, 0, 0, 0, 0
	seq := 0
	models := []string{"Apple iPhone 13 128 GB", "Samsung Galaxy S22 256 GB", "Google Pixel 7", "Apple iPad Air (5th generation) Wi-Fi + Cellular 256 GB", "Lenovo ThinkPad T14s Gen 3"}
	for i, c := range charter2026() {
		pr := checklist.PointResult{
			Code: c.code, Title: c.title, Area: c.area, Severity: c.severity, Weight: weight(c.severity),
			Status: checklist.PointPass, Metric: c.metric, Threshold: c.threshold, Samples: 40 + i,
		}
		switch {
		case f.insufficient[c.code]:
			pr.Status, pr.Samples = checklist.PointInsufficientData, 0
		case hasKey(f.failed, c.code):
			pr.Status = checklist.PointFail
			n := f.failed[c.code]
			for j := 0; j < n; j++ {
				seq++
				id := fmt.Sprintf("ev-%s-%03d", c.code, j)
				pr.Evidence = append(pr.Evidence, id)
				if j < f.missing {
					continue
				}
				tested := period.Start.Add(time.Duration(seq%90) * 24 * time.Hour)
				e := Evidence{ID: id, Kind: EvidenceDevice, Model: models[seq%len(models)], Identity: imei(seq),
					Date: tested, Grade: "F1 · B · good"}
				if seq%3 == 0 {
					delivered := tested.Add(72 * time.Hour)
					e.Kind, e.OrderRef, e.Grade = EvidenceOrder, orderRef(seq), "F0 · C · fair"
					if seq%2 == 0 {
						e.DeliveredAt = &delivered
					}
				}
				if seq%7 == 0 {
					e.Note = "Battery health 78%, cycle count 912"
				}
				ev[id] = e
			}
			pr.Value = valueFor(c, n)
		default:
			pr.Value = passValue(c)
		}
		switch pr.Status {
		case checklist.PointPass:
			evaluated++
			passedW += pr.Weight
		case checklist.PointFail:
			evaluated++
			failed++
			failedW += pr.Weight
			if pr.Severity == checklist.Critical {
				failedCritical++
			}
		}
		points = append(points, pr)
	}
	var score *float64
	if passedW+failedW > 0 {
		s := math.Round(1000*float64(passedW)/float64(passedW+failedW)) / 10
		score = &s
	}
	sc := audit.Scorecard{
		ID: "sc_2026Q3_0001", SellerID: sellerID, Period: period, CharterVersion: "2026.1",
		Status: audit.Approved, CreatedAt: day(2026, 10, 3),
		Result: checklist.Result{Points: points, Score: score, Tier: tierFor(evaluated, failedCritical, score),
			EvaluatedPoints: evaluated, FailedPoints: failed, FailedCritical: failedCritical},
		Review: &audit.Review{ApprovedBy: "key_manager", ApprovedAt: day(2026, 10, 4)},
	}

	var history []audit.Scorecard
	for i := 1; i <= f.history; i++ {
		start := period.Start.AddDate(0, -3*i, 0)
		s := 95 - float64(i)*3.5 + float64(i%2)*6
		history = append(history, audit.Scorecard{
			ID: fmt.Sprintf("sc_hist_%02d", i), SellerID: sellerID,
			Period: audit.Period{Start: start, End: start.AddDate(0, 3, 0)}, CharterVersion: "2026.1",
			Status: audit.Approved, CreatedAt: start.AddDate(0, 3, 2),
			Result: checklist.Result{Score: &s, Tier: checklist.TierWatch},
		})
	}

	var orders []audit.OrderGrade
	grades := ListedGrades()
	for i := 0; i < f.orders; i++ {
		listed := grades[i%4]
		o := audit.OrderGrade{ID: fmt.Sprintf("mo-%03d", i), SellerID: sellerID, ListedGrade: listed,
			Status: grading.Sellable, Marketplace: listed}
		switch i % 5 {
		case 1:
			if i%4 < 3 {
				o.Marketplace = grades[i%4+1]
			}
		case 3:
			o.Status, o.Marketplace = grading.NotSellable, ""
		case 4:
			if i%4 > 0 {
				o.Marketplace = grades[i%4-1]
			}
		}
		orders = append(orders, o)
	}

	var actions []audit.CorrectiveAction
	codes := []string{"QC01", "QC13", "QC16", "QC03", "QC25"}
	for i := 0; i < f.actions; i++ {
		code := codes[i%len(codes)]
		status := audit.ActionOpen
		if i%2 == 1 {
			status = audit.ActionPlanSubmitted
		}
		actions = append(actions, audit.CorrectiveAction{ID: fmt.Sprintf("ca-%02d", i), SellerID: sellerID,
			ScorecardID: sc.ID, PointCode: code, Severity: checklist.Major, Status: status,
			DueAt: day(2026, 10, 18).AddDate(0, 0, 16*i), CreatedAt: day(2026, 10, 4)})
	}
	closedAt := day(2026, 9, 1)
	actions = append(actions, audit.CorrectiveAction{ID: "ca-closed", SellerID: sellerID, PointCode: "QC02",
		Severity: checklist.Critical, Status: audit.ActionClosed, DueAt: day(2026, 9, 2), ClosedAt: &closedAt})

	return Input{
		Seller:    audit.Seller{ID: sellerID, Name: f.sellerName, Country: "PL", CreatedAt: day(2025, 1, 10)},
		Scorecard: sc, History: history, Evidence: ev, Orders: orders, Actions: actions,
	}
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func valueFor(c charterPoint, n int) float64 {
	switch c.metric {
	case "functional_fail_rate":
		return float64(n) / 41
	case "battery_at_least_85_rate":
		return 0.82
	case "overgraded_rate":
		return 0.142857
	}
	return float64(n)
}

func passValue(c charterPoint) float64 {
	switch c.threshold {
	case ">= 0.95", ">= 0.90":
		return 0.975
	case ">= 12":
		return 12
	}
	return 0
}

func tierFor(evaluated, failedCritical int, score *float64) checklist.Tier {
	switch {
	case evaluated < 10 || score == nil:
		return checklist.TierInsufficientData
	case failedCritical >= 2 || *score < 50:
		return checklist.TierSuspend
	case failedCritical == 1 || *score < 70:
		return checklist.TierProbation
	case *score < 90:
		return checklist.TierWatch
	}
	return checklist.TierTrusted
}

// generated is the generation date used by every test.
func generated() time.Time { return time.Date(2026, 10, 5, 9, 30, 0, 0, time.UTC) }

// render renders a model with a fresh renderer and fails the test on error.
func render(t testing.TB, m Model) []byte {
	t.Helper()
	r, err := NewRenderer()
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, r.Render(&buf, m, generated()))
	return buf.Bytes()
}
