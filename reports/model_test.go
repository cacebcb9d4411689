package reports

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

func score(v float64) *float64 { return &v }

// quarter returns the scorecard of quarter q of 2026 (q may be ≤ 0 for earlier years).
func quarter(id string, q int, s *float64) audit.Scorecard {
	start := day(2026, 1, 1).AddDate(0, 3*(q-1), 0)
	return audit.Scorecard{ID: id, SellerID: "sel", Period: audit.Period{Start: start, End: start.AddDate(0, 3, 0)},
		CreatedAt: start.AddDate(0, 3, 2), Result: checklist.Result{Score: s}}
}

func TestNewModelPreviousAndTrend(t *testing.T) {
	current := quarter("now", 3, score(82.5))
	tests := []struct {
		name       string
		current    audit.Scorecard
		history    []audit.Scorecard
		previous   string // id; "" for none
		change     *float64
		trendIDs   []string
		trendFirst string
	}{
		{name: "first scorecard", current: current, trendIDs: []string{"now"}},
		{name: "latest earlier with a score, whatever the input order", current: current,
			history:  []audit.Scorecard{quarter("q1", 1, score(70)), quarter("q2", 2, score(80)), quarter("q0", 0, score(60))},
			previous: "q2", change: score(2.5), trendIDs: []string{"q0", "q1", "q2", "now"}},
		{name: "later, same and other-seller scorecards are ignored", current: current,
			history: []audit.Scorecard{quarter("q4", 4, score(99)), quarter("now", 3, score(1)),
				func() audit.Scorecard { s := quarter("other", 2, score(10)); s.SellerID = "someone else"; return s }()},
			trendIDs: []string{"now"}},
		{name: "an earlier scorecard without a score is skipped", current: current,
			history:  []audit.Scorecard{quarter("q1", 1, score(90)), quarter("q2", 2, nil)},
			previous: "q1", change: score(-7.5), trendIDs: []string{"q1", "now"}},
		{name: "no score now: previous kept, no change", current: quarter("now", 3, nil),
			history:  []audit.Scorecard{quarter("q2", 2, score(80))},
			previous: "q2", trendIDs: []string{"q2", "now"}},
		{name: "no change is zero, not minus zero", current: current,
			history:  []audit.Scorecard{quarter("q2", 2, score(82.5))},
			previous: "q2", change: score(0), trendIDs: []string{"q2", "now"}},
		{name: "trend keeps the last six", current: current,
			history: []audit.Scorecard{quarter("a", -4, score(50)), quarter("b", -3, score(55)), quarter("c", -2, score(60)),
				quarter("d", -1, score(65)), quarter("e", 0, score(70)), quarter("f", 1, score(75)), quarter("g", 2, score(80))},
			previous: "g", change: score(2.5), trendIDs: []string{"c", "d", "e", "f", "g", "now"}},
		{name: "a re-audit of the same period created earlier counts as previous", current: current,
			history: []audit.Scorecard{func() audit.Scorecard {
				s := quarter("redo", 3, score(80))
				s.CreatedAt = current.CreatedAt.Add(-time.Hour)
				return s
			}()},
			previous: "redo", change: score(2.5), trendIDs: []string{"redo", "now"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewModel(Input{Scorecard: tt.current, History: tt.history})
			if tt.previous == "" {
				assert.Nil(t, m.Summary.Previous)
			} else {
				require.NotNil(t, m.Summary.Previous)
				assert.Equal(t, tt.previous, m.Summary.Previous.ScorecardID)
			}
			if tt.change == nil {
				assert.Nil(t, m.Summary.Change)
			} else {
				require.NotNil(t, m.Summary.Change)
				assert.InDelta(t, *tt.change, *m.Summary.Change, 1e-9)
				assert.Equal(t, formatChange(*tt.change), formatChange(*m.Summary.Change))
			}
			var ids []string
			for _, p := range m.Trend {
				ids = append(ids, p.ScorecardID)
			}
			assert.Equal(t, tt.trendIDs, ids)
			assert.True(t, m.Trend[len(m.Trend)-1].Current)
		})
	}
}

func TestNewModelPointsAndEvidence(t *testing.T) {
	in := buildInput(fixture{sellerName: "x", failed: map[string]int{"QC01": 3, "QC02": 2, "QC18": 0}, missing: 1,
		insufficient: map[string]bool{"QC24": true}})
	m := NewModel(in)

	assert.Len(t, m.Points, 25)
	assert.Equal(t, Summary{Score: m.Summary.Score, Tier: in.Scorecard.Result.Tier,
		Passed: 21, Failed: 3, Insufficient: 1, FailedCritical: 2}, m.Summary)
	require.Len(t, m.Failed, 3)
	assert.Equal(t, "QC01", m.Failed[0].Point.Code)
	assert.Equal(t, "functional_fail_rate == 0", m.Failed[0].Point.Expectation())

	// Every id appears, in order; the unresolved one with its id only.
	rows := m.Failed[0].Evidence
	require.Len(t, rows, 3)
	assert.Equal(t, EvidenceRow{Evidence: Evidence{ID: "ev-QC01-000"}}, rows[0])
	assert.True(t, rows[1].Found)
	assert.Equal(t, "ev-QC01-001", rows[1].ID)
	assert.Equal(t, in.Evidence["ev-QC01-001"].Identity, rows[1].Identity, "the model keeps identities unmasked")
	assert.Empty(t, m.Failed[2].Evidence, "a failed KPI point may have no evidence")
}

func TestAccuracy(t *testing.T) {
	order := func(id string, listed grading.Marketplace, status grading.Status, observed grading.Marketplace) audit.OrderGrade {
		return audit.OrderGrade{ID: id, ListedGrade: listed, Status: status, Marketplace: observed}
	}
	orders := []audit.OrderGrade{
		order("a", grading.Premium, grading.Sellable, grading.Premium),
		order("b", grading.Excellent, grading.Sellable, grading.Good),
		order("c", grading.Good, grading.Sellable, grading.Premium),
		order("d", grading.Fair, grading.NotSellable, ""),
		order("e", grading.Good, grading.Rejected, ""),
		order("f", grading.Good, grading.Incomplete, ""),
		order("g", "", grading.Sellable, grading.Good),
		order("h", grading.Excellent, grading.Sellable, grading.Fair), // corrected by i
		func() audit.OrderGrade {
			o := order("i", grading.Excellent, grading.Sellable, grading.Excellent)
			o.Supersedes = "h"
			return o
		}(),
	}
	a := NewModel(Input{Orders: orders}).Accuracy
	var want [4][5]int
	want[0][0] = 1                   // premium as listed
	want[1][2] = 1                   // excellent → good
	want[1][1] = 1                   // the correction of h
	want[2][0] = 1                   // good → premium
	want[3][ObservedNotSellable] = 1 // fair → not sellable
	want[2][ObservedNotSellable] = 1 // good → rejected
	assert.Equal(t, want, a.Counts)
	assert.Equal(t, Accuracy{Counts: want, Orders: 6, Matched: 2, Overgraded: 3, Undergraded: 1,
		UnknownListed: 1, Incomplete: 1, Superseded: 1}, a)
}

func TestOpenActions(t *testing.T) {
	closed := day(2026, 9, 1)
	in := Input{
		Scorecard: audit.Scorecard{ID: "sc", Result: checklist.Result{Points: []checklist.PointResult{
			{Code: "QC01", Title: "Fully functional"}, {Code: "QC16", Title: "Protective packaging"}}}},
		Actions: []audit.CorrectiveAction{
			{ID: "3", PointCode: "QC16", Status: audit.ActionPlanSubmitted, DueAt: day(2026, 11, 1), ScorecardID: "old"},
			{ID: "1", PointCode: "QC01", Status: audit.ActionOpen, DueAt: day(2026, 10, 20), ScorecardID: "sc"},
			{ID: "2", PointCode: "QC02", Status: audit.ActionClosed, DueAt: day(2026, 9, 2), ClosedAt: &closed},
			{ID: "4", PointCode: "QC03", Status: audit.ActionOpen, DueAt: day(2026, 10, 20), ClosedAt: &closed},
		},
	}
	got := NewModel(in).Actions
	require.Len(t, got, 2)
	assert.Equal(t, Action{ID: "1", PointCode: "QC01", PointTitle: "Fully functional", Status: audit.ActionOpen,
		DueAt: day(2026, 10, 20), New: true}, got[0])
	assert.Equal(t, "3", got[1].ID)
	assert.False(t, got[1].New)
	assert.True(t, got[0].Overdue(day(2026, 10, 21)))
	assert.False(t, got[0].Overdue(day(2026, 10, 20)))
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"mask IMEI", maskIdentity("356938035643809"), "•••••••••••3809"},
		{"mask long serial caps the bullets", maskIdentity("C02ZK1ABCDEFGHIJKLMNOPQRSTUVWXYZ-1234"), "•••••••••••1234"},
		{"mask short serial", maskIdentity("AB12"), "AB12"},
		{"mask nothing", maskIdentity(" "), "—"},
		{"period shows its inclusive last day", formatPeriod(audit.Period{Start: day(2026, 7, 1), End: day(2026, 10, 1)}), "2026-07-01 – 2026-09-30"},
		{"period without end", formatPeriod(audit.Period{Start: day(2026, 7, 1)}), "2026-07-01"},
		{"rise", formatChange(1.5), "+1.5"},
		{"drop", formatChange(-3), "−3.0"},
		{"flat", formatChange(0), "0.0"},
		{"no score", formatScore(nil), "—"},
		{"score", formatScore(score(87.5)), "87.5"},
		{"rate target", formatTarget(Point{Metric: "overgraded_rate", Threshold: "<= 0.05"}), "≤ 5%"},
		{"rate target decimals", formatTarget(Point{Metric: "cancellation_rate", Threshold: "< 0.025"}), "< 2.5%"},
		{"count target", formatTarget(Point{Metric: "locked", Threshold: "== 0"}), "= 0"},
		{"compound target as stated", formatTarget(Point{Metric: "warranty_months", Threshold: ">= 12 && warranty_remedy_rate >= 0.95"}), ">= 12 && warranty_remedy_rate >= 0.95"},
		{"target words", targetWords(Point{Metric: "software_ok_rate", Threshold: ">= 0.95"}), "at least 95%"},
		{"rate value", formatValue(Point{Metric: "functional_fail_rate", Value: 1.0 / 12, Status: checklist.PointFail, Samples: 12}), "8.3%"},
		{"count value", formatValue(Point{Metric: "locked", Value: 3, Status: checklist.PointFail, Samples: 12}), "3"},
		{"no samples", formatValue(Point{Metric: "locked", Status: checklist.PointInsufficientData}), "—"},
		{"quarter label", periodLabel(audit.Period{Start: day(2026, 7, 1), End: day(2026, 10, 1)}), "2026 Q3"},
		{"month label", periodLabel(audit.Period{Start: day(2026, 7, 1), End: day(2026, 8, 1)}), "2026-07"},
		{"other label", periodLabel(audit.Period{Start: day(2026, 7, 15), End: day(2026, 8, 15)}), "2026-07-15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, tt.got) })
	}
}
