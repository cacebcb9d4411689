package reports

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/reports/pdftest"
	"github.com/refurbqa/refurbqa/sampling"
)

// decidedLot is a device lot of seller planned as lots.md §3 says and decided by package
// sampling on units, one sample each, until the lot is decided, at decided.
func decidedLot(t *testing.T, id, seller, ref string, size int, sev sampling.Severity, listed grading.Marketplace,
	decided time.Time, units ...sampling.Unit) audit.Lot {
	t.Helper()
	plan, err := sampling.NewPlan(size, sampling.LevelII, sampling.DefaultAQLs(), sev)
	require.NoError(t, err)
	l := audit.Lot{ID: id, Kind: audit.LotDevices, SellerID: seller, LotRef: ref, Level: sampling.LevelII,
		AQL: sampling.DefaultAQLs(), ListedGrade: listed, Plan: plan, Decision: sampling.Pending}
	for _, u := range units {
		l.Tally, err = plan.Record(l.Tally, u)
		require.NoError(t, err)
		l.Decision = plan.Decide(l.Tally)
	}
	if l.Decided() {
		l.DecidedAt = &decided
	}
	return l
}

// conforming returns n conforming units, then the units of rest.
func conforming(n int, rest ...sampling.Unit) []sampling.Unit {
	return append(make([]sampling.Unit, n), rest...)
}

var majorUnit = sampling.Unit{Major: true}

// fixtureLots are the device lots of the typical fixture's seller: two decided in the period
// (one accepted, one rejected on its major class under tightened inspection), given out of
// order, and those the report leaves out: a pending lot, another seller's, a parts lot.
func fixtureLots(t *testing.T, seller string) []audit.Lot {
	rejected := decidedLot(t, "lot_02", seller, "STOCK-2026-08", 60, sampling.Tightened, grading.Excellent,
		day(2026, 8, 21).Add(15*time.Hour), conforming(3, majorUnit, sampling.Unit{}, majorUnit)...)
	accepted := decidedLot(t, "lot_01", seller, "STOCK-2026-07", 20, sampling.Normal, "",
		day(2026, 7, 14).Add(10*time.Hour), conforming(5)...)
	pending := decidedLot(t, "lot_03", seller, "STOCK-2026-09", 20, sampling.Normal, "", time.Time{}, conforming(2)...)
	other := decidedLot(t, "lot_04", "sl_other", "OTHER-1", 20, sampling.Normal, "", day(2026, 8, 1), conforming(5)...)
	parts := decidedLot(t, "lot_05", "", "P-1", 20, sampling.Normal, "", day(2026, 8, 1), conforming(5)...)
	parts.Kind, parts.SellerID, parts.Supplier, parts.PartType = audit.LotParts, "", "Screens Ltd", "screen"
	return []audit.Lot{rejected, pending, other, accepted, parts}
}

func TestDeviceLotsModel(t *testing.T) {
	in := buildInput(typicalFixture())
	in.Lots = fixtureLots(t, in.Seller.ID)
	m := NewModel(in)
	require.Len(t, m.Lots, 2, "the decided device lots of the seller only")
	assert.Equal(t, Lot{ID: "lot_01", Ref: "STOCK-2026-07", Size: 20, Severity: sampling.Normal, CodeLetter: "C",
		SampleSize: 5, Inspected: 5, Decision: sampling.Accepted, DecidedAt: day(2026, 7, 14).Add(10 * time.Hour)}, m.Lots[0],
		"in the order decided")
	// Lot size 60 at level II is code letter E; tightened, major AQL 2.5 samples 32, Ac 1, Re 2.
	assert.Equal(t, Lot{ID: "lot_02", Ref: "STOCK-2026-08", Size: 60, ListedGrade: grading.Excellent, Severity: sampling.Tightened,
		CodeLetter: "E", SampleSize: 32, Inspected: 6, Decision: sampling.Rejected, DecidedAt: day(2026, 8, 21).Add(15 * time.Hour),
		RejectedBy: []LotClass{{Class: sampling.Major, Inspected: 6, Nonconforming: 2, Accept: 1}}}, m.Lots[1])
	assert.Empty(t, NewModel(buildInput(typicalFixture())).Lots)
}

// TestBuilderLots: the report reads the seller's lots decided in the period once, and the
// rejected lots behind a failed point of the lot metrics are its evidence rows.
func TestBuilderLots(t *testing.T) {
	src := twoSellers()
	src.lots = fixtureLots(t, "sl_a")
	src.scorecards = append(src.scorecards, card("sc_l", "sl_a", 3, audit.Approved, 9,
		failed("QC26", "lot_02", "lot_missing"), checklist.PointResult{Code: "QC27", Status: checklist.PointPass, Evidence: []string{"lot_01"}}))
	in, err := NewBuilder(src).Input(context.Background(), sellerA, "sc_l")
	require.NoError(t, err)
	var ids []string
	for _, l := range in.Lots {
		ids = append(ids, l.ID)
	}
	assert.Equal(t, []string{"lot_02", "lot_01"}, ids, "decided in the period: no pending lot, nobody else's")
	assert.Equal(t, 1, strings.Count(strings.Join(src.calls, " "), "DecidedDeviceLots"))
	assert.Equal(t, map[string]Evidence{"lot_02": {ID: "lot_02", Kind: EvidenceLot, Model: "STOCK-2026-08",
		Date: day(2026, 8, 21).Add(15 * time.Hour), Grade: "rejected",
		Note: "60 devices · tightened inspection · code E, 32 sampled · rejected on major: 2 nonconforming of 6 inspected, 1 allowed"}}, in.Evidence,
		"an accepted lot of a passed point is not read; an unknown lot stays an id")
	rows := NewModel(in).Failed[0].Evidence
	require.Len(t, rows, 2)
	assert.True(t, rows[0].Found)
	assert.False(t, rows[1].Found)
}

func TestRenderLots(t *testing.T) {
	in := buildInput(typicalFixture())
	in.Lots = fixtureLots(t, in.Seller.ID)
	in.Scorecard.Result.Points = append(in.Scorecard.Result.Points, checklist.PointResult{Code: "QC26",
		Title: "No rejected device lot", Area: "grading", Severity: checklist.Major, Weight: 4, Status: checklist.PointFail,
		Metric: "lots_rejected", Value: 1, Threshold: "== 0", Samples: 2, Evidence: []string{"lot_02"}})
	in.Evidence["lot_02"] = lotEvidence(in.Lots[0])
	pdf := render(t, NewModel(in))
	pdftest.Check(t, pdf)
	text := pdftest.Text(t, pdf)
	flat := squash(text)

	// The section comes after grade accuracy and before the corrective actions.
	i := strings.Index(flat, "Grade accuracy")
	j := strings.Index(flat, "Device lots inspected by sampling")
	k := strings.LastIndex(flat, "Corrective actions")
	require.True(t, i >= 0 && j > i && k > j, "sections in order: %d %d %d", i, j, k)
	lots := flat[j:k]
	for _, want := range []string{
		"Lot Devices Listed as Inspection Code · sample Decision Decided",
		"STOCK-2026-07 20 — normal C · 5 samples Accepted 2026-07-14",
		"STOCK-2026-08 60 excellent tightened E · 32 samples Rejected 2026-08-21",
		"5 devices inspected",
		"on major: 2 nonconforming of 6 inspected, 1 allowed",
		"2 lots decided: 1 accepted, 1 rejected.",
	} {
		assert.Contains(t, lots, want)
	}
	for _, left := range []string{"STOCK-2026-09", "OTHER-1", "P-1"} {
		assert.NotContains(t, flat, left, "pending, other sellers' and parts lots are not the seller's report")
	}
	// The rejected lot is the evidence of the failed lot point.
	ev := flat[strings.Index(flat, "QC26 No rejected device lot"):]
	assert.Contains(t, ev, "1 Lot STOCK-2026-08")
	assert.Contains(t, ev, "60 devices · tightened inspection · code E, 32 sampled")
	assert.Contains(t, ev, "2026-08-21")
	assert.Contains(t, ev, "rejected")
	assertPages(t, text)

	// A seller without lots in the period is told so.
	flat = squash(pdftest.Text(t, render(t, NewModel(buildInput(typicalFixture())))))
	assert.Contains(t, flat, "Device lots inspected by sampling")
	assert.Contains(t, flat, "No device lot of the seller was decided in this period.")
}
