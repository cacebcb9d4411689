package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/reports"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// The store is the report builder's source; it imports nothing of reports (make lint).
var _ reports.Source = (*store.Store)(nil)

func orderGradeIDs(os []audit.OrderGrade) []string {
	var ids []string
	for _, o := range os {
		ids = append(ids, o.ID)
	}
	return ids
}

// TestReportEvidenceByID: the evidence of a report is read by id as domain values, of every
// kind, in chunks of bound parameters; ids without a record (or of another kind) are left out.
func TestReportEvidenceByID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb := e.seller("A"), e.seller("B")
		e.bench(a, "bt_1", "2026-08-10T10:00:00Z", auRow{"functional": "F2", "status": "not_sellable", "marketplace": nil, "cosmetic": "C"})
		e.bench(a, "bt_2", "2026-08-11T10:00:00Z", auRow{"status": "incomplete", "functional": nil, "marketplace": nil, "imei": ""})
		e.order(a, "mo_1", "2026-08-12T10:00:00Z", nil)
		e.order(a, "mo_2", "2026-08-13T10:00:00Z", auRow{"delivered_at": nil, "status": "rejected", "functional": "F1", "marketplace": nil})
		e.kpi(a, auKPI{"km_a", "2026-08", 100, 3, 98, 1, 2, 1, 20, 18, 2, 2, 12})
		e.kpi(bb, auKPI{"km_b", "2026-08", 10, 1, 10, 0, 0, 0, 0, 0, 0, 0, 6})
		e.scorecardShell(a, "sc_0000a1", "2026-01-01", "2026-04-01")
		e.action(a, "sc_0000a1", "ca_1", "QC01", "2026-07-01T00:00:00Z", "2026-06-30T12:00:00Z")
		e.action(a, "sc_0000a1", "ca_2", "QC03", "2026-09-01T00:00:00Z", "")

		devices, err := e.st.BenchTestEvidence(ctx, []string{"bt_1", "bt_missing", "mo_1", "bt_2"})
		require.NoError(t, err)
		assert.ElementsMatch(t, []audit.DeviceEvidence{
			{ID: "bt_1", Brand: "Apple", Model: "iPhone 13", IMEI: "356938035643809", Serial: "F2LXK0ABCD",
				At: auAt(t, "2026-08-10T10:00:00Z"), Status: grading.NotSellable, Functional: "F2", Cosmetic: "C"},
			{ID: "bt_2", Brand: "Apple", Model: "iPhone 13", Serial: "F2LXK0ABCD",
				At: auAt(t, "2026-08-11T10:00:00Z"), Status: grading.Incomplete, Cosmetic: "B"},
		}, devices)
		for _, d := range devices {
			assert.Equal(t, time.UTC, d.At.Location())
		}

		// More ids than one query binds: the records of the first and the last chunk come back.
		many := []string{"bt_1"}
		for i := range 1000 {
			many = append(many, fmt.Sprintf("bt_none%04d", i))
		}
		many = append(many, "bt_2")
		devices, err = e.st.BenchTestEvidence(ctx, many)
		require.NoError(t, err)
		var got []string
		for _, d := range devices {
			got = append(got, d.ID)
		}
		assert.ElementsMatch(t, []string{"bt_1", "bt_2"}, got)

		orders, err := e.st.MysteryOrderEvidence(ctx, []string{"mo_1", "mo_2", "bt_1"})
		require.NoError(t, err)
		delivered := auAt(t, "2026-08-15T10:00:00Z")
		assert.ElementsMatch(t, []audit.DeviceEvidence{
			{ID: "mo_1", Brand: "Apple", Model: "iPhone 13", IMEI: "356938035643809", Serial: "F2LXK0ABCD",
				At: auAt(t, "2026-08-12T10:00:00Z"), Status: grading.Sellable, Functional: "F0", Cosmetic: "B",
				Marketplace: grading.Excellent, OrderRef: "MO-0001", DeliveredAt: &delivered},
			{ID: "mo_2", Brand: "Apple", Model: "iPhone 13", IMEI: "356938035643809", Serial: "F2LXK0ABCD",
				At: auAt(t, "2026-08-13T10:00:00Z"), Status: grading.Rejected, Functional: "F1", Cosmetic: "B",
				OrderRef: "MO-0002"},
		}, orders)

		// KPI months and corrective actions of any seller, as their own reads return them.
		months, err := e.st.KPIMonthsByID(ctx, []string{"km_b", "km_a", "km_missing"})
		require.NoError(t, err)
		ofA, _, err := e.st.KPIMonths(ctx, a, store.Page{})
		require.NoError(t, err)
		ofB, _, err := e.st.KPIMonths(ctx, bb, store.Page{})
		require.NoError(t, err)
		assert.ElementsMatch(t, append(ofA, ofB...), months)

		actions, err := e.st.CorrectiveActionsByID(ctx, []string{"ca_2", "ca_1", "ca_missing"})
		require.NoError(t, err)
		var want []audit.CorrectiveAction
		for _, id := range []string{"ca_1", "ca_2"} {
			ca, err := e.st.CorrectiveAction(ctx, id)
			require.NoError(t, err)
			want = append(want, ca)
		}
		assert.ElementsMatch(t, want, actions)

		// No ids, no query.
		reads := e.st.CountReads()
		for _, read := range []func() (int, error){
			func() (int, error) { r, err := e.st.BenchTestEvidence(ctx, nil); return len(r), err },
			func() (int, error) { r, err := e.st.MysteryOrderEvidence(ctx, nil); return len(r), err },
			func() (int, error) { r, err := e.st.KPIMonthsByID(ctx, nil); return len(r), err },
			func() (int, error) { r, err := e.st.CorrectiveActionsByID(ctx, nil); return len(r), err },
		} {
			n, err := read()
			require.NoError(t, err)
			assert.Zero(t, n)
		}
		assert.Zero(t, reads.Load())
	})
}

// TestOrderGradesOfThePeriod: the grade-accuracy matrix reads the listed and observed grades of
// the seller's orders placed in [start, end), corrections included.
func TestOrderGradesOfThePeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb := e.seller("A"), e.seller("B")
		e.order(a, "mo_a1", "2026-07-01T00:00:00Z", nil) // the first instant counts
		e.order(a, "mo_a2", "2026-08-10T10:00:00Z", auRow{"listed_grade": "premium", "status": "not_sellable", "marketplace": nil})
		e.order(a, "mo_a3", "2026-08-11T10:00:00Z", auRow{"supersedes": "mo_a2", "listed_grade": "premium", "marketplace": "good"})
		e.order(a, "mo_a4", "2026-09-30T23:59:59.999999Z", auRow{"status": "incomplete", "functional": nil, "marketplace": nil})
		e.order(a, "mo_a5", "2026-10-01T00:00:00Z", nil)        // the end is out
		e.order(a, "mo_a6", "2026-06-30T23:59:59.999999Z", nil) // before: out
		e.order(bb, "mo_b1", "2026-08-10T10:00:00Z", nil)       // another seller's
		got, err := e.st.OrderGrades(ctx, a, auPeriod(t, "2026-07-01", "2026-10-01"))
		require.NoError(t, err)
		assert.Equal(t, []audit.OrderGrade{
			{ID: "mo_a1", SellerID: a, ListedGrade: grading.Excellent, Status: grading.Sellable, Marketplace: grading.Excellent},
			{ID: "mo_a2", SellerID: a, ListedGrade: grading.Premium, Status: grading.NotSellable},
			{ID: "mo_a3", SellerID: a, ListedGrade: grading.Premium, Status: grading.Sellable, Marketplace: grading.Good, Supersedes: "mo_a2"},
			{ID: "mo_a4", SellerID: a, ListedGrade: grading.Excellent, Status: grading.Incomplete},
		}, got)
		none, err := e.st.OrderGrades(ctx, a, auPeriod(t, "2027-01-01", "2027-04-01"))
		require.NoError(t, err)
		assert.Empty(t, none)
	})
}

// TestReportBuilderOverTheStore: the report builder over a real store. A seller gets the
// report of its own approved scorecard only, and its history holds approved scorecards only;
// staff get any scorecard's, a superseded draft's included, with drafts in the history. Every
// evidence id of the failed points resolves.
func TestReportBuilderOverTheStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb := e.seller("A"), e.seller("B")
		seedQuarter(e, a, bb) // with an approved scorecard sc_0000a1 of Q1
		audit1 := func(start, end string) audit.Scorecard {
			res, err := auditSellers(ctx, e.st, auditor, auPeriod(t, start, end), []string{a})
			require.NoError(t, err)
			return res.Scorecards[0]
		}
		july := audit1("2026-07-01", "2026-08-01") // stays a draft
		replaced := audit1("2026-07-01", "2026-10-01")
		current := audit1("2026-07-01", "2026-10-01")
		approved, _, err := approveScorecard(ctx, e.st, auditor, current.ID, "ok")
		require.NoError(t, err)

		builder := reports.NewBuilder(e.st)
		historyIDs := func(in reports.Input) []string {
			var ids []string
			for _, h := range in.History {
				ids = append(ids, h.ID)
			}
			return ids
		}
		seller := audit.Principal{KeyID: "key_s", Role: audit.RoleSeller, SellerID: a}
		in, err := builder.Input(ctx, seller, approved.ID)
		require.NoError(t, err)
		assert.Equal(t, approved, in.Scorecard)
		assert.Equal(t, a, in.Seller.ID)
		assert.Equal(t, "A", in.Seller.Name)
		assert.ElementsMatch(t, []string{"sc_0000a1"}, historyIDs(in), "a seller's history: approved scorecards only")
		for _, id := range []string{july.ID, replaced.ID, "sc_missing"} {
			_, err := builder.Input(ctx, seller, id)
			assert.ErrorIs(t, err, audit.ErrNotFound, id)
		}
		_, err = builder.Input(ctx, audit.Principal{KeyID: "key_b", Role: audit.RoleSeller, SellerID: bb}, approved.ID)
		assert.ErrorIs(t, err, audit.ErrNotFound, "another seller's report")

		manager := auditor
		staff, err := builder.Input(ctx, manager, approved.ID)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"sc_0000a1", july.ID}, historyIDs(staff), "staff see drafts, never superseded ones")
		old, err := builder.Input(ctx, manager, replaced.ID)
		require.NoError(t, err)
		assert.Equal(t, audit.Superseded, old.Scorecard.Status)
		assert.Equal(t, approved.ID, reports.NewModel(old).SupersededBy, "the banner names the replacement")

		// The evidence, orders and actions of the report.
		m := reports.NewModel(in)
		require.NotEmpty(t, m.Failed)
		kinds := map[string]bool{}
		for _, f := range m.Failed {
			for _, row := range f.Evidence {
				assert.True(t, row.Found, "%s: evidence %s resolves", f.Point.Code, row.ID)
				kinds[row.Kind] = true
			}
		}
		assert.Equal(t, map[string]bool{reports.EvidenceDevice: true, reports.EvidenceOrder: true,
			reports.EvidenceKPI: true, reports.EvidenceAction: true}, kinds, "every kind of evidence")
		assert.Equal(t, reports.Evidence{ID: "bt_a02", Kind: reports.EvidenceDevice, Model: "Apple iPhone 13",
			Identity: "356938035643809", Date: auAt(t, "2026-08-10T10:00:00Z"), Grade: "F2 · B · not sellable"},
			in.Evidence["bt_a02"])
		assert.Equal(t, "Month 2026-07", in.Evidence["km_a07"].Model)
		assert.Equal(t, "Corrective action QC03", in.Evidence["ca_a3"].Model)
		assert.Equal(t, []string{"mo_a01", "mo_a02", "mo_a03", "mo_a04", "mo_a05", "mo_a06", "mo_a07", "mo_a08",
			"mo_a09", "mo_a10", "mo_a11", "mo_a12", "mo_a13", "mo_a14", "mo_a15", "mo_a16", "mo_a18"}, orderGradeIDs(in.Orders))
		actions, _, err := e.st.CorrectiveActions(ctx, store.ActionFilter{SellerID: a}, store.Page{Limit: store.MaxLimit})
		require.NoError(t, err)
		assert.ElementsMatch(t, actions, in.Actions, "every action of the seller, none of another's")
	})
}

// TestReportInputQueriesDoNotGrowWithEvidence: a report reads a handful of queries whatever
// the size of its evidence (every kind of record is read in one query per 500 ids, never one
// per record).
func TestReportInputQueriesDoNotGrowWithEvidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb := e.seller("A"), e.seller("B")
		seedQuarter(e, a, bb)
		q3 := auPeriod(t, "2026-07-01", "2026-10-01")
		builder := reports.NewBuilder(e.st)
		res, err := auditSellers(ctx, e.st, auditor, q3, []string{a})
		require.NoError(t, err)
		reads := e.st.CountReads()
		in, err := builder.InputOf(ctx, auditor, res.Scorecards[0])
		require.NoError(t, err)
		few := reads.Load()
		t.Logf("%d queries for %d evidence records", few, len(in.Evidence))
		// Scorecard history, seller, the four kinds of evidence, order grades, device lots and
		// actions: one query each at most.
		assert.LessOrEqual(t, few, int64(9), "a handful of queries")

		for i := range 400 {
			e.bench(a, fmt.Sprintf("bt_x%03d", i), "2026-08-20T10:00:00Z", auRow{"liquid_damage": true})
		}
		res, err = auditSellers(ctx, e.st, auditor, q3, []string{a})
		require.NoError(t, err)
		reads.Store(0)
		more, err := builder.InputOf(ctx, auditor, res.Scorecards[0])
		require.NoError(t, err)
		assert.Equal(t, few, reads.Load(), "as many queries for %d evidence records as for %d", len(more.Evidence), len(in.Evidence))
		for i := range 400 {
			assert.Contains(t, more.Evidence, fmt.Sprintf("bt_x%03d", i))
		}
	})
}

// BenchmarkReportInput builds the input of the report of a scorecard with hundreds of evidence
// records (a year of 2,000 bench tests and 200 mystery orders).
func BenchmarkReportInput(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			ctx := context.Background()
			st := backend.Open(b, store.Config{})
			seedAuditScale(b, st, 1, 2000, 200)
			def, err := checklist.DefaultCharter()
			require.NoError(b, err)
			require.NoError(b, st.EnsureDefaultCharter(ctx, auditor, def))
			res, err := audit.NewService(audit.ServiceConfig{Store: st}).AuditSellers(ctx, auditor, nil,
				audit.AuditInput{PeriodStart: "2026-01-01", PeriodEnd: "2027-01-01"}, nil)
			require.NoError(b, err)
			sc := res.Scorecards[0]
			n := 0
			for _, pt := range sc.Result.Points {
				if pt.Status == checklist.PointFail {
					n += len(pt.Evidence)
				}
			}
			builder := reports.NewBuilder(st)
			b.ResetTimer()
			for b.Loop() {
				_, err := builder.InputOf(ctx, auditor, sc)
				require.NoError(b, err)
			}
			b.ReportMetric(float64(n), "evidence")
		})
	}
}
