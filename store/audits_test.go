package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

func auPeriod(t *testing.T, start, end string) audit.Period {
	t.Helper()
	p, errs := audit.ParsePeriod(start, end)
	require.Empty(t, errs)
	return p
}

func auInt(n int) *int { return &n }

// seedQuarter writes the records of seller a (and a little of seller b) around the third
// quarter of 2026, each bench test or mystery order bad in one way (or none), with the period
// edges, incomplete units and corrections covered. The expected facts are auQuarterFacts.
func seedQuarter(e *auditEnv, a, b string) {
	t := e.t
	in := "2026-08-10T10:00:00Z"
	// Bench tests.
	e.bench(a, "bt_a01", "2026-07-01T00:00:00Z", nil) // the first instant of the period counts
	e.bench(a, "bt_a02", in, auRow{"functional": "F2", "status": "not_sellable", "marketplace": nil})
	e.bench(a, "bt_a03", in, auRow{"battery_health": 79.9})
	e.bench(a, "bt_a04", in, auRow{"battery_health": 84.99})
	e.bench(a, "bt_a05", in, auRow{"battery_health": 80.0}) // not below 80, below 85
	e.bench(a, "bt_a06", in, auRow{"battery_health": 85.0}) // neither
	e.bench(a, "bt_a07", in, auRow{"non_genuine_parts": true, "parts_disclosed": false})
	e.bench(a, "bt_a08", in, auRow{"non_genuine_parts": true, "parts_disclosed": true}) // disclosed: fine
	e.bench(a, "bt_a09", in, auRow{"display_like_for_like": false})
	e.bench(a, "bt_a10", in, auRow{"liquid_damage": true})
	e.bench(a, "bt_a11", in, auRow{"activation_lock": true})
	e.bench(a, "bt_a12", in, auRow{"imei_status": "blacklisted"})
	e.bench(a, "bt_a13", in, auRow{"imei_status": "financed"})
	e.bench(a, "bt_a14", in, auRow{"imei_status": "unknown"}) // not blocked
	e.bench(a, "bt_a15", in, auRow{"data_erased": false})
	e.bench(a, "bt_a16", in, auRow{"factory_reset": false})
	e.bench(a, "bt_a17", in, auRow{"os_up_to_date": false})
	e.bench(a, "bt_a18", in, auRow{"markings_intact": false})
	// Incomplete: left out of every unit metric, whatever else is wrong with it.
	e.bench(a, "bt_a19", in, auRow{"status": "incomplete", "functional": nil, "marketplace": nil, "liquid_damage": true, "battery_health": 10.0})
	e.bench(a, "bt_a20", in, auRow{"status": "rejected", "functional": "F1", "marketplace": nil})
	// Corrections: only the last of a chain counts.
	e.bench(a, "bt_a21", in, auRow{"liquid_damage": true})
	e.bench(a, "bt_a22", in, auRow{"supersedes": "bt_a21"})
	e.bench(a, "bt_a23", in, auRow{"liquid_damage": true})
	e.bench(a, "bt_a24", in, auRow{"supersedes": "bt_a23", "data_erased": false})
	e.bench(a, "bt_a25", in, auRow{"supersedes": "bt_a24", "activation_lock": true})
	// Period edges.
	e.bench(a, "bt_a26", "2026-09-30T23:59:59.999999Z", auRow{"markings_intact": false}) // last microsecond: in
	e.bench(a, "bt_a27", "2026-10-01T00:00:00Z", auRow{"liquid_damage": true})           // end: out
	e.bench(a, "bt_a28", "2026-06-30T23:59:59.999999Z", auRow{"liquid_damage": true})    // before: out
	// A correction counts by its own date: in the period although the original is not...
	e.bench(a, "bt_a30", "2026-06-15T09:00:00Z", auRow{"liquid_damage": true})
	e.bench(a, "bt_a31", "2026-07-10T09:00:00Z", auRow{"supersedes": "bt_a30"})
	// ...and out of it although the original is in.
	e.bench(a, "bt_a32", "2026-09-20T09:00:00Z", auRow{"liquid_damage": true})
	e.bench(a, "bt_a33", "2026-10-05T09:00:00Z", auRow{"supersedes": "bt_a32"})

	// Mystery orders.
	e.order(a, "mo_a01", "2026-07-01T00:00:00Z", nil)
	e.order(a, "mo_a02", in, auRow{"functional": "F1", "battery_health": 70.0})
	e.order(a, "mo_a03", in, auRow{"status": "incomplete", "functional": nil, "marketplace": nil, "liquid_damage": true,
		"identity_matches_listing": false}) // an order all the same, not a unit
	e.order(a, "mo_a04", in, auRow{"grade_match": "overgraded"})
	e.order(a, "mo_a05", in, auRow{"grade_match": "undergraded"})
	e.order(a, "mo_a06", in, auRow{"cosmetic": "D"})
	e.order(a, "mo_a07", in, auRow{"cosmetic": "E"})
	e.order(a, "mo_a08", in, auRow{"cosmetic": "C"})
	e.order(a, "mo_a09", in, auRow{"accessories_ok": false, "cable_included": false})
	e.order(a, "mo_a10", in, auRow{"packaging_failure": true, "transit_damage": true})
	e.order(a, "mo_a11", in, auRow{"low_charge": true, "charge_on_arrival_pct": 12.0})
	e.order(a, "mo_a12", in, auProbe(t, in, auBool(true)))
	e.order(a, "mo_a13", in, auProbe(t, in, auBool(false)))
	e.order(a, "mo_a14", in, auProbe(t, in, nil)) // never answered
	e.order(a, "mo_a15", in, auRow{"grade_match": "overgraded"})
	e.order(a, "mo_a16", in, auRow{"supersedes": "mo_a15"})
	e.order(a, "mo_a17", "2026-10-01T00:00:00Z", auRow{"identity_matches_listing": false})
	e.order(a, "mo_a18", "2026-09-30T23:59:59.999999Z", nil)
	e.order(a, "mo_a19", "2026-06-30T23:59:59.999999Z", auRow{"grade_match": "overgraded"})

	// KPI months: those starting inside [2026-07-01, 2026-10-01).
	e.kpi(a, auKPI{id: "km_a06", month: "2026-06", orders: 1000, late: 1000, warranty: 1})
	e.kpi(a, auKPI{"km_a07", "2026-07", 100, 3, 98, 1, 2, 1, 20, 18, 2, 2, 12})
	e.kpi(a, auKPI{"km_a08", "2026-08", 120, 5, 119, 2, 3, 0, 30, 29, 1, 0, 24})
	e.kpi(a, auKPI{"km_a09", "2026-09", 80, 0, 80, 0, 1, 2, 10, 10, 0, 0, 18})
	e.kpi(a, auKPI{id: "km_a10", month: "2026-10", orders: 1000, late: 1000, warranty: 1})

	// Corrective actions due in [start, end); the clock reads 2026-11-02.
	e.scorecardShell(a, "sc_0000a1", "2026-01-01", "2026-04-01")
	e.action(a, "sc_0000a1", "ca_a1", "QC01", "2026-07-01T00:00:00Z", "2026-06-30T12:00:00Z")               // closed early
	e.action(a, "sc_0000a1", "ca_a2", "QC02", "2026-08-15T00:00:00Z", "2026-08-16T00:00:00Z")               // closed late
	e.action(a, "sc_0000a1", "ca_a3", "QC03", "2026-09-01T00:00:00Z", "")                                   // open, past due
	e.action(a, "sc_0000a1", "ca_a4", "QC04", "2026-10-01T00:00:00Z", "")                                   // due at the end: out
	e.action(a, "sc_0000a1", "ca_a5", "QC05", "2026-06-30T23:59:59.999999Z", "")                            // before: out
	e.action(a, "sc_0000a1", "ca_a6", "QC06", "2026-09-30T23:59:59.999999Z", "2026-09-30T23:59:59.999999Z") // closed on the dot
	e.action(a, "sc_0000a1", "ca_a7", "QC07", "2026-09-20T00:00:00Z", "")                                   // open

	// Seller b: a little of everything, to show sellers do not mix.
	e.bench(b, "bt_b01", in, auRow{"liquid_damage": true})
	e.order(b, "mo_b01", in, auRow{"grade_match": "overgraded"})
	e.kpi(b, auKPI{"km_b08", "2026-08", 10, 1, 10, 0, 0, 0, 0, 0, 0, 0, 6})
}

func auQuarterFacts() audit.Facts {
	return audit.Facts{
		Units:            23 + 15, // 23 bench tests, 16 mystery orders less the incomplete one
		FunctionalFail:   []string{"bt_a02", "bt_a20", "mo_a02"},
		BatteryBelow80:   []string{"bt_a03", "mo_a02"},
		BatteryBelow85:   []string{"bt_a03", "bt_a04", "bt_a05", "mo_a02"},
		UndisclosedParts: []string{"bt_a07"},
		DisplayMismatch:  []string{"bt_a09"},
		LiquidDamage:     []string{"bt_a10"},
		Locked:           []string{"bt_a11", "bt_a25"},
		IMEIBlocked:      []string{"bt_a12", "bt_a13"},
		DataNotErased:    []string{"bt_a15"},
		SoftwareNotOK:    []string{"bt_a16", "bt_a17"},
		MarkingsAltered:  []string{"bt_a18", "bt_a26"},

		MysteryOrders:     16,
		IdentityMismatch:  []string{"mo_a03"},
		Overgraded:        []string{"mo_a04"},
		ShippedDamaged:    []string{"mo_a06", "mo_a07"},
		AccessoriesNotOK:  []string{"mo_a09"},
		PackagingFailures: []string{"mo_a10"},
		LowCharge:         []string{"mo_a11"},
		Probes:            3,
		ProbesAnswered:    1,
		ProbesLate:        []string{"mo_a13", "mo_a14"},

		KPIMonths:                 []string{"km_a07", "km_a08", "km_a09"},
		Orders:                    300,
		ShippedLate:               8,
		ValidTracking:             297,
		CancelledBeforeShipment:   3,
		TechnicalReturns30d:       6,
		DefectiveOrders:           3,
		MessagesReceived:          60,
		MessagesAnsweredWithin1BD: 57,
		WarrantyClaims:            3,
		WarrantyRemediedWithin5BD: 2,
		WarrantyMonths:            auInt(12),

		CAPADue:     []string{"ca_a1", "ca_a2", "ca_a3", "ca_a6", "ca_a7"},
		CAPAOverdue: []string{"ca_a2", "ca_a3", "ca_a7"},
	}
}

func TestFactsCountEveryMetricFromTheRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb, c := e.seller("A"), e.seller("B"), e.seller("C")
		seedQuarter(e, a, bb)
		q3 := auPeriod(t, "2026-07-01", "2026-10-01")

		all, err := e.st.Facts(ctx, q3, nil)
		require.NoError(t, err)
		require.Len(t, all, 3, "every seller has an entry")
		assert.Equal(t, auQuarterFacts(), all[a])
		assert.Equal(t, audit.Facts{
			Units: 2, LiquidDamage: []string{"bt_b01"}, MysteryOrders: 1, Overgraded: []string{"mo_b01"},
			KPIMonths: []string{"km_b08"}, Orders: 10, ShippedLate: 1, ValidTracking: 10, WarrantyMonths: auInt(6),
		}, all[bb])
		assert.Equal(t, audit.Facts{}, all[c], "a seller without records has zero facts")

		// The per-seller path gives the same facts as the batch over every seller.
		for _, id := range []string{a, bb, c} {
			one, err := e.st.Facts(ctx, q3, []string{id})
			require.NoError(t, err)
			assert.Equal(t, map[string]audit.Facts{id: all[id]}, one)
		}
		two, err := e.st.Facts(ctx, q3, []string{c, a, a})
		require.NoError(t, err)
		assert.Equal(t, map[string]audit.Facts{a: all[a], c: all[c]}, two)

		// Overdue is judged at the audit's clock: on 2026-09-10, ca_a7 (due 09-20, open) is not
		// yet overdue; ca_a3 (due 09-01, open) and ca_a2 (closed a day late) are.
		e.clock.set(auAt(t, "2026-09-10T00:00:00Z"))
		early, err := e.st.Facts(ctx, q3, []string{a})
		require.NoError(t, err)
		assert.Equal(t, []string{"ca_a1", "ca_a2", "ca_a3", "ca_a6", "ca_a7"}, early[a].CAPADue)
		assert.Equal(t, []string{"ca_a2", "ca_a3"}, early[a].CAPAOverdue)

		// The metrics that the charter reads follow.
		m := all[a].Metrics()
		assert.Equal(t, 38.0, m.Values["units"])
		assert.InDelta(t, 3.0/38, m.Values["functional_fail_rate"], 1e-12)
		assert.Equal(t, 63.0, m.Values["messages"], "60 KPI messages and 3 probes")
		assert.InDelta(t, 58.0/63, m.Values["message_response_rate"], 1e-12)
	})
}

func TestFactsKPIMonthsStartingInsideThePeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a := e.seller("A")
		for _, m := range []string{"2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"} {
			e.kpi(a, auKPI{id: "km_" + m[:4] + m[5:], month: m, orders: 1, warranty: 12})
		}
		tests := []struct {
			start, end string
			want       []string
		}{
			{"2026-07-01", "2026-10-01", []string{"km_202607", "km_202608", "km_202609"}}, // starts at start: in; at end: out
			{"2026-07-15", "2026-10-15", []string{"km_202608", "km_202609", "km_202610"}}, // mid-month start: July out; October starts inside
			{"2026-07-01", "2026-07-31", []string{"km_202607"}},                           // July starts inside
			{"2026-07-02", "2026-07-31", nil},                                             // no month starts inside
			{"2026-06-30", "2026-07-01", nil},                                             // July starts at the end
			{"2026-05-31", "2026-06-02", []string{"km_202606"}},                           // June 1 is inside
			{"2026-06-01", "2026-12-01", []string{"km_202606", "km_202607", "km_202608", "km_202609", "km_202610", "km_202611"}},
		}
		for _, tt := range tests {
			f, err := e.st.Facts(ctx, auPeriod(t, tt.start, tt.end), nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, f[a].KPIMonths, "%s to %s", tt.start, tt.end)
			assert.Equal(t, len(tt.want), f[a].Orders, "%s to %s", tt.start, tt.end)
			if tt.want == nil {
				assert.Nil(t, f[a].WarrantyMonths)
			} else {
				assert.Equal(t, auInt(12), f[a].WarrantyMonths)
			}
		}
	})
}

func TestFactsMissingSellersAndEmptyDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		f, err := e.st.Facts(ctx, auPeriod(t, "2026-07-01", "2026-10-01"), nil)
		require.NoError(t, err)
		assert.Empty(t, f)

		// Facts does not judge ids; audit.Service.AuditSellers does.
		f, err = e.st.Facts(ctx, auPeriod(t, "2026-07-01", "2026-10-01"), []string{"sl_unknown"})
		require.NoError(t, err)
		assert.Equal(t, map[string]audit.Facts{"sl_unknown": {}}, f)
	})
}

func TestFactsManySellersBatchEqualsSingle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		var ids []string
		for i := range 7 {
			id := e.seller("S")
			ids = append(ids, id)
			for j := range i + 2 {
				change := auRow{}
				switch (i + j) % 4 {
				case 0:
					change["battery_health"] = 75.0
				case 1:
					change["liquid_damage"] = true
				case 2:
					change["status"], change["functional"] = "incomplete", nil
				}
				e.bench(id, e.st.NewID("bt"), "2026-08-0"+string(rune('1'+j%9))+"T10:00:00Z", change)
				if j%2 == 0 {
					e.order(id, e.st.NewID("mo"), "2026-08-11T10:00:00Z", auRow{"low_charge": j%4 == 0})
				}
			}
		}
		p := auPeriod(t, "2026-08-01", "2026-09-01")
		all, err := e.st.Facts(ctx, p, nil)
		require.NoError(t, err)
		some, err := e.st.Facts(ctx, p, ids[2:5])
		require.NoError(t, err)
		for _, id := range ids[2:5] {
			assert.Equal(t, all[id], some[id])
		}
		for _, id := range ids {
			one, err := e.st.Facts(ctx, p, []string{id})
			require.NoError(t, err)
			assert.Equal(t, all[id], one[id])
			assert.NotZero(t, one[id].Units+one[id].MysteryOrders)
		}
	})
}

// auPoints maps point codes to their status.
func auPoints(r checklist.Result) map[string]checklist.PointStatus {
	out := map[string]checklist.PointStatus{}
	for _, p := range r.Points {
		out[p.Code] = p.Status
	}
	return out
}

func auCompiled(t *testing.T) *checklist.Compiled {
	def, err := checklist.DefaultCharter()
	require.NoError(t, err)
	c, err := checklist.Compile(def)
	require.NoError(t, err)
	return c
}

// assertSuperseded checks that old, as it was returned when written, is kept unchanged but
// for its status, superseded by next.
func assertSuperseded(t *testing.T, st *store.Store, old audit.Scorecard, next string) {
	t.Helper()
	got, err := st.Scorecard(context.Background(), old.ID)
	require.NoError(t, err, "superseded draft %s is kept", old.ID)
	want := old
	want.Status, want.SupersededBy = audit.Superseded, next
	assert.Equal(t, want, got, "draft %s is kept unchanged, superseded by %s", old.ID, next)
}

func TestAuditSellersStoresDraftsAndSupersedesThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb, c := e.seller("A"), e.seller("B"), e.seller("C")
		seedQuarter(e, a, bb)
		q3 := auPeriod(t, "2026-07-01", "2026-10-01")
		compiled := auCompiled(t)

		var phases []audit.AuditPhase
		res, err := e.service().AuditSellers(ctx, auditor, nil, auditInput(q3), func(p audit.AuditProgress) { phases = append(phases, p.Phase) })
		require.NoError(t, err)
		assert.Equal(t, []audit.AuditPhase{audit.PhaseFacts, audit.PhaseEvaluating, audit.PhaseSaving}, phases)
		require.Len(t, res.Scorecards, 3)
		bySeller := map[string]audit.Scorecard{}
		for _, sc := range res.Scorecards {
			bySeller[sc.SellerID] = sc
			assert.Equal(t, audit.Draft, sc.Status)
			assert.Equal(t, "2026.1", sc.CharterVersion)
			assert.Equal(t, q3, sc.Period)
			stored, err := e.st.Scorecard(ctx, sc.ID)
			require.NoError(t, err)
			assert.Equal(t, sc, stored, "the stored scorecard reads back exactly")
		}
		facts, err := e.st.Facts(ctx, q3, []string{a})
		require.NoError(t, err)
		assert.Equal(t, compiled.Evaluate(facts[a].Metrics()), bySeller[a].Result)
		st := auPoints(bySeller[a].Result)
		assert.Equal(t, checklist.PointFail, st["QC01"])
		assert.Equal(t, checklist.PointFail, st["QC25"], "capa_overdue is 3")
		assert.Equal(t, []string{"bt_a02", "bt_a20", "mo_a02"}, bySeller[a].Result.Points[0].Evidence)
		assert.Equal(t, checklist.TierInsufficientData, bySeller[c].Result.Tier)
		assert.Nil(t, bySeller[c].Result.Score)

		// Re-auditing supersedes the draft: a new id, the old draft kept as it was.
		again, err := auditSellers(ctx, e.st, auditor, q3, []string{a})
		require.NoError(t, err)
		require.Len(t, again.Scorecards, 1)
		assert.NotEqual(t, bySeller[a].ID, again.Scorecards[0].ID)
		assert.Empty(t, again.Scorecards[0].SupersededBy)
		assertSuperseded(t, e.st, bySeller[a], again.Scorecards[0].ID)
		list, _, err := e.st.Scorecards(ctx, store.ScorecardFilter{SellerID: a}, store.Page{})
		require.NoError(t, err)
		require.Len(t, list, 2, "the new draft and the older approved scorecard of seedQuarter, not the superseded draft")
		assert.Equal(t, again.Scorecards[0].ID, list[0].ID)
		superseded, _, err := e.st.Scorecards(ctx, store.ScorecardFilter{SellerID: a, Status: audit.Superseded}, store.Page{})
		require.NoError(t, err)
		require.Len(t, superseded, 1)
		assert.Equal(t, bySeller[a].ID, superseded[0].ID)
		ev, _, err := e.st.Events(ctx, store.EventFilter{Entity: "scorecard", EntityID: bySeller[a].ID}, store.Page{})
		require.NoError(t, err)
		var actions []string
		for _, x := range ev {
			actions = append(actions, x.Action)
		}
		assert.Equal(t, []string{"create", "supersede"}, actions)

		// Unknown sellers are refused before anything is written.
		_, err = auditSellers(ctx, e.st, auditor, q3, []string{a, "sl_nobody"})
		assert.ErrorIs(t, err, audit.ErrNotFound)

		// Another period or charter version is another scorecard.
		other, err := auditSellers(ctx, e.st, auditor, auPeriod(t, "2026-07-01", "2026-08-01"), []string{a})
		require.NoError(t, err)
		list, _, err = e.st.Scorecards(ctx, store.ScorecardFilter{SellerID: a}, store.Page{})
		require.NoError(t, err)
		require.Len(t, list, 3)
		assert.Equal(t, other.Scorecards[0].ID, list[0].ID, "newest first")
	})
}

func TestApprovalIsFinalAndOpensCorrectiveActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb := e.seller("A"), e.seller("B")
		seedQuarter(e, a, bb)
		q3 := auPeriod(t, "2026-07-01", "2026-10-01")
		res, err := auditSellers(ctx, e.st, auditor, q3, nil)
		require.NoError(t, err)
		var draftA, draftB audit.Scorecard
		for _, sc := range res.Scorecards {
			switch sc.SellerID {
			case a:
				draftA = sc
			case bb:
				draftB = sc
			}
		}

		approved, actions, err := approveScorecard(ctx, e.st, auditor, draftA.ID, "looked at every device")
		require.NoError(t, err)
		assert.Equal(t, audit.Approved, approved.Status)
		require.NotNil(t, approved.Review)
		assert.Equal(t, auditor.KeyID, approved.Review.ApprovedBy)
		assert.Equal(t, "looked at every device", approved.Review.Comment)
		assert.Equal(t, draftA.Result, approved.Result, "approval changes nothing of the result")
		stored, err := e.st.Scorecard(ctx, draftA.ID)
		require.NoError(t, err)
		assert.Equal(t, approved, stored)

		// One action per failed critical (14 days) or major (30 days) point, none for minor.
		approvedAt := approved.Review.ApprovedAt
		want := map[string]time.Time{}
		for _, p := range draftA.Result.Points {
			if p.Status != checklist.PointFail {
				continue
			}
			switch p.Severity {
			case checklist.Critical:
				want[p.Code] = approvedAt.AddDate(0, 0, 14)
			case checklist.Major:
				want[p.Code] = approvedAt.AddDate(0, 0, 30)
			}
		}
		require.NotEmpty(t, want)
		got := map[string]time.Time{}
		for _, x := range actions {
			got[x.PointCode] = x.DueAt
			assert.Equal(t, audit.ActionOpen, x.Status)
			assert.Equal(t, a, x.SellerID)
			assert.Equal(t, draftA.ID, x.ScorecardID)
		}
		assert.Equal(t, want, got)
		listed, _, err := e.st.CorrectiveActions(ctx, store.ActionFilter{ScorecardID: draftA.ID}, store.Page{})
		require.NoError(t, err)
		assert.Equal(t, actions, listed)

		// Approving again is 409. Re-auditing the seller, alone or among others, adds a new
		// draft beside the approved scorecard, which stays exactly as it was; the second run
		// supersedes the drafts of the first.
		_, _, err = approveScorecard(ctx, e.st, auditor, draftA.ID, "")
		assert.ErrorIs(t, err, audit.ErrConflict)
		one, err := auditSellers(ctx, e.st, auditor, q3, []string{a})
		require.NoError(t, err)
		require.Len(t, one.Scorecards, 1)
		assert.Equal(t, audit.Draft, one.Scorecards[0].Status)
		assert.NotEqual(t, draftA.ID, one.Scorecards[0].ID)
		two, err := auditSellers(ctx, e.st, auditor, q3, []string{bb, a})
		require.NoError(t, err)
		require.Len(t, two.Scorecards, 2)
		next := map[string]string{}
		for _, sc := range two.Scorecards {
			next[sc.SellerID] = sc.ID
		}
		assertSuperseded(t, e.st, draftB, next[bb])
		assertSuperseded(t, e.st, one.Scorecards[0], next[a])
		stored, err = e.st.Scorecard(ctx, draftA.ID)
		require.NoError(t, err)
		assert.Equal(t, approved, stored)

		// A run over every seller writes a draft for every seller, superseding the drafts and
		// leaving the approved scorecard alone.
		all, err := auditSellers(ctx, e.st, auditor, q3, nil)
		require.NoError(t, err)
		require.Len(t, all.Scorecards, 2)
		assert.ElementsMatch(t, []string{a, bb}, []string{all.Scorecards[0].SellerID, all.Scorecards[1].SellerID})
		for i, sc := range two.Scorecards {
			assertSuperseded(t, e.st, sc, all.Scorecards[i].ID)
		}
		stored, err = e.st.Scorecard(ctx, draftA.ID)
		require.NoError(t, err)
		assert.Equal(t, approved, stored)

		// Filters of the reports command.
		approvedOnly, _, err := e.st.Scorecards(ctx, store.ScorecardFilter{Status: audit.Approved}, store.Page{})
		require.NoError(t, err)
		require.Len(t, approvedOnly, 2, "with the first-quarter scorecard of seedQuarter")
		assert.Equal(t, draftA.ID, approvedOnly[0].ID)
		drafts, _, err := e.st.Scorecards(ctx, store.ScorecardFilter{Status: audit.Draft}, store.Page{})
		require.NoError(t, err)
		require.Len(t, drafts, 2)
		assert.Equal(t, []string{all.Scorecards[1].ID, all.Scorecards[0].ID}, []string{drafts[0].ID, drafts[1].ID})
		for _, tt := range []struct {
			from, to string
			n        int
		}{
			{"2026-07-01", "2026-10-01", 3}, {"2026-07-01", "2026-09-30", 0}, {"2026-07-02", "", 0}, {"", "2026-10-01", 4},
		} {
			f := store.ScorecardFilter{}
			if tt.from != "" {
				f.From = auAt(t, tt.from+"T00:00:00Z")
			}
			if tt.to != "" {
				f.To = auAt(t, tt.to+"T00:00:00Z")
			}
			got, _, err := e.st.Scorecards(ctx, f, store.Page{})
			require.NoError(t, err)
			assert.Len(t, got, tt.n, "%s to %s", tt.from, tt.to)
		}
		superseded, _, err := e.st.Scorecards(ctx, store.ScorecardFilter{Status: audit.Superseded}, store.Page{})
		require.NoError(t, err)
		assert.Len(t, superseded, 4, "every draft of the three re-audits")
		for _, sc := range superseded {
			assert.Equal(t, audit.Superseded, sc.Status)
			assert.NotEmpty(t, sc.SupersededBy)
		}
		_, _, err = e.st.Scorecards(ctx, store.ScorecardFilter{Status: "pending"}, store.Page{})
		assert.ErrorIs(t, err, audit.ErrInvalid)

		// A superseded draft is never approved: the refusal names its successor, and nothing
		// is written.
		_, _, err = approveScorecard(ctx, e.st, auditor, draftB.ID, "")
		require.ErrorIs(t, err, audit.ErrConflict)
		var se *audit.SupersededError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, next[bb], se.By)
		assertSuperseded(t, e.st, draftB, next[bb])
		none, _, err := e.st.CorrectiveActions(ctx, store.ActionFilter{ScorecardID: draftB.ID}, store.Page{})
		require.NoError(t, err)
		assert.Empty(t, none)

		// Other roles are refused by the domain rule.
		_, _, err = approveScorecard(ctx, e.st, audit.Principal{KeyID: "k", Role: audit.RoleTechnician}, all.Scorecards[0].ID, "")
		assert.ErrorIs(t, err, audit.ErrForbidden)
		_, _, err = approveScorecard(ctx, e.st, auditor, "sc_missing", "")
		assert.ErrorIs(t, err, audit.ErrNotFound)

		ev, _, err := e.st.Events(ctx, store.EventFilter{Entity: "scorecard", EntityID: draftA.ID}, store.Page{})
		require.NoError(t, err)
		require.Len(t, ev, 2)
		assert.Equal(t, "approve", ev[1].Action)
	})
}

func TestScorecardsPaginateNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a := e.seller("A")
		var want []string
		for m := 1; m <= 7; m++ {
			start := time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
			res, err := auditSellers(ctx, e.st, auditor, audit.Period{Start: start, End: start.AddDate(0, 1, 0)}, []string{a})
			require.NoError(t, err)
			want = append([]string{res.Scorecards[0].ID}, want...)
		}
		var got []string
		page := store.Page{Limit: 3}
		for {
			items, next, err := e.st.Scorecards(ctx, store.ScorecardFilter{SellerID: a}, page)
			require.NoError(t, err)
			for _, it := range items {
				got = append(got, it.ID)
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		assert.Equal(t, want, got)
	})
}

// Concurrent runs over the same period (several API instances, or a batch racing a single
// audit) serialize: each one succeeds, superseding the drafts of the previous one, and every
// seller ends with exactly one current draft at the end of one chain of superseded drafts,
// one per run that audited it.
func TestConcurrentAuditsNeverDuplicate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		var sellers []string
		for range 5 {
			sellers = append(sellers, e.seller("S"))
		}
		q3 := auPeriod(t, "2026-07-01", "2026-10-01")
		errs := make(chan error, 8)
		runs := map[string]int{} // seller → runs that audited it
		for i := range 8 {
			var ids []string
			if i%2 == 1 {
				ids = sellers[i%5 : i%5+1]
				runs[ids[0]]++
			} else {
				for _, id := range sellers {
					runs[id]++
				}
			}
			go func() {
				_, err := auditSellers(ctx, e.st, auditor, q3, ids)
				errs <- err
			}()
		}
		for range 8 {
			assert.NoError(t, <-errs)
		}
		all, _, err := e.st.Scorecards(ctx, store.ScorecardFilter{}, store.Page{Limit: store.MaxLimit})
		require.NoError(t, err)
		perSeller := map[string]int{}
		for _, sc := range all {
			perSeller[sc.SellerID]++
			assert.Equal(t, audit.Draft, sc.Status)
		}
		assert.Len(t, perSeller, 5)
		for id, n := range perSeller {
			assert.Equal(t, 1, n, id)
		}
		for _, id := range sellers {
			assertChain(t, e.st, id, runs[id])
		}
	})
}

// assertChain checks that the scorecards of one seller (of one period and charter version)
// are one current draft and n-1 superseded drafts forming a single chain that ends at it: each
// superseded draft names a later one, no two name the same one, and following the names from
// the one no draft names leads through every draft to the current one.
func assertChain(t *testing.T, st *store.Store, sellerID string, n int) {
	t.Helper()
	ctx := context.Background()
	drafts, _, err := st.Scorecards(ctx, store.ScorecardFilter{SellerID: sellerID, Status: audit.Draft}, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	require.Len(t, drafts, 1, "one current draft of %s", sellerID)
	old, _, err := st.Scorecards(ctx, store.ScorecardFilter{SellerID: sellerID, Status: audit.Superseded}, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	require.Len(t, old, n-1, "a superseded draft for every run but the last of %s", sellerID)
	next := map[string]string{}
	named := map[string]bool{}
	for _, sc := range old {
		require.Equal(t, audit.Superseded, sc.Status)
		require.False(t, named[sc.SupersededBy], "%s is named by two drafts", sc.SupersededBy)
		named[sc.SupersededBy] = true
		next[sc.ID] = sc.SupersededBy
	}
	var first []string
	for _, sc := range old {
		if !named[sc.ID] {
			first = append(first, sc.ID)
		}
	}
	if n == 1 {
		return
	}
	require.Len(t, first, 1, "one chain")
	seen := 0
	for id := first[0]; id != drafts[0].ID; id = next[id] {
		require.Contains(t, next, id, "the chain of %s breaks at %s", sellerID, id)
		seen++
	}
	assert.Equal(t, n-1, seen, "the chain of %s holds every superseded draft", sellerID)
}
