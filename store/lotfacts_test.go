package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/reports"
	"github.com/refurbqa/refurbqa/sampling"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// lotAuditEnv is the lot and audit use cases over a real store whose clock stays where a test
// sets it, so that a lot is decided at exactly the instant chosen.
type lotAuditEnv struct {
	t     *testing.T
	st    *store.Store
	svc   *audit.Service
	clock *stillClock
	n     int
}

func newLotAuditEnv(t *testing.T, b storetest.Backend) *lotAuditEnv {
	clock := &stillClock{}
	clock.set(auAt(t, "2026-06-01T08:00:00Z"))
	st := b.Open(t, store.Config{Now: clock.Now})
	def, err := checklist.DefaultCharter()
	require.NoError(t, err)
	require.NoError(t, st.EnsureDefaultCharter(context.Background(), auditor, def))
	return &lotAuditEnv{t: t, st: st, svc: audit.NewService(audit.ServiceConfig{Store: st}), clock: clock}
}

// benchTest stores a bench test of seller graded conforming, or critical (rejected) when bad.
func (e *lotAuditEnv) benchTest(seller string, bad bool) string {
	e.t.Helper()
	e.n++
	in, _ := loadInspection(e.t, 92)
	bt := audit.BenchTest{SellerID: seller, Lab: "lab-1", TestedAt: e.clock.Now().Add(-time.Hour), Inspection: in,
		Submitted: []byte("{}"), Grade: grading.Grade{Ruleset: "2026.1", Status: grading.Sellable, Functional: grading.F0,
			Cosmetic: grading.CosmeticB, Marketplace: grading.Good}}
	if bad {
		bt.Grade.Status, bt.Grade.Marketplace = grading.Rejected, ""
	}
	rec, _, err := e.st.CreateBenchTest(context.Background(), auditor, bt)
	require.NoError(e.t, err)
	return rec.ID
}

// deviceLot creates a lot of two devices of seller an hour before decided and decides it then:
// accepted on two conforming devices, rejected on a first critical one. A zero decided leaves
// the lot pending after one conforming device.
func (e *lotAuditEnv) deviceLot(seller, ref string, d sampling.Decision, decided string) audit.Lot {
	e.t.Helper()
	ctx := context.Background()
	at := auAt(e.t, "2026-12-15T00:00:00Z")
	if decided != "" {
		at = auAt(e.t, decided)
	}
	e.clock.set(at.Add(-time.Hour))
	l, err := e.svc.CreateLot(ctx, auditor, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotDevices,
		LotRef: ref, LotSize: 2, SellerID: seller, ListedGrade: grading.Good, ReceivedAt: at.Add(-48 * time.Hour)}})
	require.NoError(e.t, err)
	sample := func(bad bool) {
		l, _, err = e.svc.AddLotSample(ctx, auditor, l.ID, audit.Input[audit.NewLotSample]{
			Value: audit.NewLotSample{BenchTestID: e.benchTest(seller, bad)}})
		require.NoError(e.t, err)
	}
	switch d {
	case sampling.Accepted:
		sample(false)
		e.clock.set(at)
		sample(false)
	case sampling.Rejected:
		e.clock.set(at)
		sample(true)
	default:
		sample(false)
	}
	require.Equal(e.t, d, l.Decision, ref)
	return l
}

// lotCharter is the default charter with two points on the seller's device lots, as a later
// charter version may add them (lots.md §7).
func lotCharter(t *testing.T) checklist.Charter {
	c, err := checklist.DefaultCharter()
	require.NoError(t, err)
	c.Version = "2027.1"
	c.Points = append(c.Points,
		checklist.Point{Code: "QC26", Title: "Device lots accepted on inspection", Area: "grading", Severity: checklist.Major,
			Rule: "lot_rejection_rate <= 0.25", SampleMetric: "lots", MinSamples: 4},
		checklist.Point{Code: "QC27", Title: "No rejected device lot", Area: "grading", Severity: checklist.Minor,
			Rule: "lots_rejected == 0", SampleMetric: "lots", MinSamples: 1},
	)
	return c
}

func pointOf(t *testing.T, sc audit.Scorecard, code string) checklist.PointResult {
	t.Helper()
	for _, p := range sc.Result.Points {
		if p.Code == code {
			return p
		}
	}
	t.Fatalf("scorecard %s has no point %s", sc.ID, code)
	return checklist.PointResult{}
}

// TestCharterWithLotMetrics publishes a charter version whose points use the lot metrics and
// audits sellers with device lots decided around the period's edges: a lot counts when it was
// decided inside [period_start, period_end), accepted or rejected; a pending lot, another
// seller's lot and a parts lot never count; a failed point lists the rejected lots.
func TestCharterWithLotMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newLotAuditEnv(t, b)
		a, other := e.newSeller("Lots A"), e.newSeller("Lots B")

		in1 := e.deviceLot(a, "A-1", sampling.Accepted, "2026-07-01T00:00:00Z")          // the first instant: in
		e.deviceLot(a, "A-2", sampling.Rejected, "2026-06-30T23:59:59.999999Z")          // before: out
		in3 := e.deviceLot(a, "A-3", sampling.Rejected, "2026-09-30T23:59:59.999999Z")   // the last microsecond: in
		next := e.deviceLot(a, "A-4", sampling.Accepted, "2026-10-01T00:00:00Z")         // the end: out
		in5 := e.deviceLot(a, "A-5", sampling.Rejected, "2026-08-03T10:00:00Z")          // in
		e.deviceLot(a, "A-6", sampling.Pending, "")                                      // pending: never
		in7 := e.deviceLot(a, "A-7", sampling.Accepted, "2026-08-20T15:30:00Z")          // in
		otherLot := e.deviceLot(other, "B-1", sampling.Rejected, "2026-08-10T09:00:00Z") // another seller's
		e.clock.set(auAt(t, "2026-08-11T09:00:00Z"))
		parts, err := e.svc.CreateLot(ctx, auditor, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotParts,
			LotRef: "P-1", LotSize: 2, Supplier: "Screens Ltd", PartType: "screen", ReceivedAt: auAt(t, "2026-08-10T09:00:00Z")}})
		require.NoError(t, err)
		parts, _, err = e.svc.AddLotSample(ctx, auditor, parts.ID, audit.Input[audit.NewLotSample]{
			Value: audit.NewLotSample{Defects: []audit.Defect{{Class: sampling.Critical, Code: "cracked"}}}})
		require.NoError(t, err)
		require.Equal(t, sampling.Rejected, parts.Decision)

		e.clock.set(auAt(t, "2026-11-02T08:00:00Z"))
		_, err = e.svc.PublishCharter(ctx, auditor, lotCharter(t), false)
		require.NoError(t, err)
		quarter := auditInput(auPeriod(t, "2026-07-01", "2026-10-01"))
		quarter.CharterVersion = "2027.1"
		sc, err := e.svc.AuditSeller(ctx, auditor, a, quarter, nil)
		require.NoError(t, err)
		assert.Equal(t, "2027.1", sc.CharterVersion)
		rejected := slices.Sorted(slices.Values([]string{in3.ID, in5.ID}))

		qc26 := pointOf(t, sc, "QC26")
		assert.Equal(t, checklist.PointFail, qc26.Status)
		assert.Equal(t, "lot_rejection_rate", qc26.Metric)
		assert.Equal(t, 0.5, qc26.Value, "two rejected of the four lots decided in the period")
		assert.Equal(t, 4, qc26.Samples)
		assert.Equal(t, "<= 0.25", qc26.Threshold)
		assert.Equal(t, rejected, qc26.Evidence, "the rejected lots, in id order")
		// The seller's report lists the quarter's lots and shows the rejected ones as the
		// evidence of the failed points.
		in, err := reports.NewBuilder(e.st).Input(ctx, auditor, sc.ID)
		require.NoError(t, err)
		var listed []string
		for _, l := range in.Lots {
			listed = append(listed, l.LotRef)
		}
		assert.Equal(t, []string{"A-1", "A-5", "A-7", "A-3"}, listed)
		for _, id := range rejected {
			assert.Equal(t, reports.EvidenceLot, in.Evidence[id].Kind, id)
		}
		assert.Equal(t, "A-3", in.Evidence[in3.ID].Model)

		qc27 := pointOf(t, sc, "QC27")
		assert.Equal(t, checklist.PointFail, qc27.Status)
		assert.Equal(t, 2.0, qc27.Value)
		assert.Equal(t, rejected, qc27.Evidence)
		assert.NotContains(t, qc26.Evidence, in1.ID, "an accepted lot is no evidence")
		assert.NotContains(t, qc26.Evidence, in7.ID)

		facts, err := e.st.Facts(ctx, auPeriod(t, "2026-07-01", "2026-10-01"), nil)
		require.NoError(t, err)
		assert.Equal(t, 4, facts[a].Lots)
		assert.Equal(t, rejected, facts[a].LotsRejected)
		assert.Equal(t, 1, facts[other].Lots, "each seller its own lots; the parts lot is nobody's")
		assert.Equal(t, []string{otherLot.ID}, facts[other].LotsRejected)

		// The next month has one accepted lot: too few for the rate, none rejected.
		october := auditInput(auPeriod(t, "2026-10-01", "2026-11-01"))
		october.CharterVersion = "2027.1"
		sc, err = e.svc.AuditSeller(ctx, auditor, a, october, nil)
		require.NoError(t, err)
		assert.Equal(t, checklist.PointInsufficientData, pointOf(t, sc, "QC26").Status)
		assert.Equal(t, 1, pointOf(t, sc, "QC26").Samples)
		assert.Equal(t, checklist.PointPass, pointOf(t, sc, "QC27").Status)
		assert.Empty(t, pointOf(t, sc, "QC27").Evidence)

		// The charter of 2026.1 has no lot point: the same quarter scores as before.
		quarter.CharterVersion = "2026.1"
		sc, err = e.svc.AuditSeller(ctx, auditor, a, quarter, nil)
		require.NoError(t, err)
		assert.Len(t, sc.Result.Points, 25)

		// The report's list: the lots decided in the period, in the order they were decided.
		lots, err := e.st.DecidedDeviceLots(ctx, a, auPeriod(t, "2026-07-01", "2026-10-01"))
		require.NoError(t, err)
		var refs []string
		for _, l := range lots {
			refs = append(refs, l.LotRef)
		}
		assert.Equal(t, []string{"A-1", "A-5", "A-7", "A-3"}, refs)
		assert.Equal(t, in3, lots[3], "the lot as stored")
		lots, err = e.st.DecidedDeviceLots(ctx, a, auPeriod(t, "2026-10-01", "2026-11-01"))
		require.NoError(t, err)
		require.Len(t, lots, 1)
		assert.Equal(t, next.ID, lots[0].ID)
		lots, err = e.st.DecidedDeviceLots(ctx, "sl_nobody", auPeriod(t, "2026-07-01", "2026-10-01"))
		require.NoError(t, err)
		assert.Empty(t, lots)
	})
}

func (e *lotAuditEnv) newSeller(name string) string {
	e.t.Helper()
	s, err := e.st.CreateSeller(context.Background(), auditor, audit.Seller{Name: name, Country: "FR", ContactEmail: "qa@example.com"})
	require.NoError(e.t, err)
	return s.ID
}
