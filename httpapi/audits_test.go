package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/store"
)

// The audit scenarios go through the whole API: bench tests, mystery orders and KPI months
// are recorded as clients send them, then POST /api/v1/audits scores the seller over the
// fourth quarter of 2026 against the default charter 2026.1 (charter.md §3). Every expected
// scorecard is worked out by hand in the comments.

const (
	q4Start = "2026-10-01"
	q4End   = "2027-01-01"
)

// scorecardBody is a scorecard as answered.
type scorecardBody struct {
	ID              string   `json:"id"`
	SellerID        string   `json:"seller_id"`
	PeriodStart     string   `json:"period_start"`
	PeriodEnd       string   `json:"period_end"`
	CharterVersion  string   `json:"charter_version"`
	Status          string   `json:"status"`
	Score           *float64 `json:"score"`
	Tier            string   `json:"tier"`
	EvaluatedPoints int      `json:"evaluated_points"`
	FailedPoints    int      `json:"failed_points"`
	FailedCritical  int      `json:"failed_critical"`
	SupersededBy    *string  `json:"superseded_by"`
	Points          []struct {
		Code      string   `json:"code"`
		Severity  string   `json:"severity"`
		Weight    int      `json:"weight"`
		Status    string   `json:"status"`
		Metric    string   `json:"metric"`
		Value     float64  `json:"value"`
		Threshold string   `json:"threshold"`
		Samples   int      `json:"samples"`
		Evidence  []string `json:"evidence"`
	} `json:"points"`
	Review *struct {
		ApprovedBy string    `json:"approved_by"`
		Comment    string    `json:"comment"`
		ApprovedAt time.Time `json:"approved_at"`
	} `json:"review"`
	CreatedAt time.Time `json:"created_at"`
}

// statuses maps point codes to their status.
func (s scorecardBody) statuses() map[string]string {
	out := map[string]string{}
	for _, p := range s.Points {
		out[p.Code] = p.Status
	}
	return out
}

// auditUnit is one bench-tested device of a scenario: a pristine smartphone (battery 95.5%,
// every test passed, cosmetic A: it grades F0 and sellable) changed by change.
func auditUnit(t *testing.T, seller string, i int, change func(doc) doc) doc {
	d := doc{"seller_id": seller, "lab": "Lyon lab 2", "external_id": fmt.Sprintf("U%03d", i),
		"tested_at": fmt.Sprintf("2026-10-%02dT09:00:00Z", 1+i%28), "inspection": inspectionDoc(t, grading.Smartphone)}
	if change != nil {
		d = change(d)
	}
	return d
}

// auditUnits records bench tests through the batch endpoint and returns their ids.
func (h *harness) auditUnits(items ...doc) []string {
	h.t.Helper()
	res := h.do(http.MethodPost, "/api/v1/bench-tests/batch", h.token(audit.RoleTechnician), doc{"items": items})
	require.Equal(h.t, http.StatusOK, res.Code, "%s", res.Body)
	var out struct {
		Results []struct {
			Status string  `json:"status"`
			ID     *string `json:"id"`
		} `json:"results"`
	}
	res.JSON(h.t, &out)
	ids := make([]string, len(out.Results))
	for i, r := range out.Results {
		require.Equal(h.t, "created", r.Status, "item %d: %s", i, res.Body)
		ids[i] = *r.ID
	}
	return ids
}

// auditOrders records n pristine mystery orders (listed excellent, delivered premium, shipped
// the next day with 54% charge, cable and charger, a service probe answered the same
// afternoon), ordered in October 2026.
func (h *harness) auditOrders(seller string, n int) {
	h.t.Helper()
	for i := range n {
		day := 5 + i // Monday 5 October onwards
		d := doc{
			"seller_id": seller, "order_ref": fmt.Sprintf("MO-%s-%d", seller[len(seller)-4:], i),
			"ordered_at":   fmt.Sprintf("2026-10-%02dT09:00:00Z", day),
			"shipped_at":   fmt.Sprintf("2026-10-%02dT15:00:00Z", day),
			"delivered_at": fmt.Sprintf("2026-10-%02dT11:00:00Z", day+2),
			"listed_grade": "excellent", "inspection": inspectionDoc(h.t, grading.Smartphone),
			"logistics": doc{"packaging_adequate": true, "transit_damage": false, "charge_on_arrival_pct": 54,
				"cable_included": true, "charger_as_listed": true},
			"identity_matches_listing": true,
			"service_probe":            doc{"question_sent_at": fmt.Sprintf("2026-10-%02dT10:00:00Z", day), "answered_at": fmt.Sprintf("2026-10-%02dT16:30:00Z", day)},
		}
		res := h.do(http.MethodPost, "/api/v1/mystery-orders", h.token(audit.RoleTechnician), d)
		require.Equal(h.t, http.StatusCreated, res.Code, "%s", res.Body)
	}
}

// auditKPIs records one KPI month. The good month: 100 orders, 2 late, 99 with tracking, 1
// cancelled, 1 technical return, 0 defective, 20 messages of which 19 answered in time, 2
// warranty claims both remedied, 12 months of warranty.
func (h *harness) auditKPIs(seller, month string, change func(doc)) {
	h.t.Helper()
	d := doc{"orders": 100, "shipped_late": 2, "valid_tracking": 99, "cancelled_before_shipment": 1,
		"technical_returns_30d": 1, "defective_orders": 0, "messages_received": 20, "messages_answered_within_1bd": 19,
		"warranty_claims": 2, "warranty_remedied_within_5bd": 2, "warranty_months": 12}
	if change != nil {
		change(d)
	}
	res := h.do(http.MethodPut, "/api/v1/sellers/"+seller+"/kpis/"+month, h.token(audit.RoleManager), d)
	require.Equal(h.t, http.StatusOK, res.Code, "%s", res.Body)
}

// auditQ4 audits one seller over the fourth quarter of 2026.
func (h *harness) auditQ4(seller string) scorecardBody {
	h.t.Helper()
	res := h.do(http.MethodPost, "/api/v1/audits", h.token(audit.RoleManager),
		doc{"seller_id": seller, "period_start": q4Start, "period_end": q4End})
	require.Equal(h.t, http.StatusCreated, res.Code, "%s", res.Body)
	var sc scorecardBody
	res.JSON(h.t, &sc)
	return sc
}

// service is the domain's services over st, for the tests that set up audits and approvals
// without going through the API.
func service(st *store.Store) *audit.Service { return audit.NewService(audit.ServiceConfig{Store: st}) }

// newSeller registers a seller as a manager.
func (h *harness) newSeller(name string) string {
	h.t.Helper()
	res := h.do(http.MethodPost, "/api/v1/sellers", h.token(audit.RoleManager),
		doc{"name": name, "country": "FR", "contact_email": "qa@example.com"})
	require.Equal(h.t, http.StatusCreated, res.Code, "%s", res.Body)
	return res.Map(h.t)["id"].(string)
}

// healthySeller records the data of a seller that passes everything it is measured on: 5
// pristine bench tests, 3 pristine mystery orders and three good KPI months (Oct, Nov, Dec).
// With change, the k-th bench test is altered.
func (h *harness) healthySeller(seller string, units int, change map[int]func(doc) doc) []string {
	h.t.Helper()
	items := make([]doc, units)
	for i := range items {
		items[i] = auditUnit(h.t, seller, i, change[i])
	}
	ids := h.auditUnits(items...)
	h.auditOrders(seller, 3)
	for _, m := range []string{"2026-10", "2026-11", "2026-12"} {
		h.auditKPIs(seller, m, nil)
	}
	return ids
}

func pointsExcept(status string, except map[string]string) map[string]string {
	out := map[string]string{}
	for i := 1; i <= 25; i++ {
		code := fmt.Sprintf("QC%02d", i)
		out[code] = status
		if s, ok := except[code]; ok {
			out[code] = s
		}
	}
	return out
}

func TestAuditScenariosWorkedOutByHand(t *testing.T) {
	h := newHarness(t)

	t.Run("exemplary seller is trusted with 100.0", func(t *testing.T) {
		seller := h.newSeller("Exemplary")
		h.healthySeller(seller, 5, nil)
		sc := h.auditQ4(seller)
		// Units: 5 bench tests + 3 mystery orders = 8, all F0, battery 95.5, compliant: QC01–QC12
		// pass (QC03 and QC11 need 5 units: 8). Mystery orders: 3, none overgraded (premium
		// delivered for excellent listed), accessories, packaging, charge 54%: QC13–QC17 pass.
		// KPIs: 300 orders; late 6/300 = 2% < 4%; tracking 297/300 = 99%; cancelled 3/300 = 1%
		// < 2.5%; returns 3/300 = 1% ≤ 3%; defective 0 < 1%; messages 60 + 3 probes = 63,
		// answered 57 + 3 = 60, 95.2% ≥ 90%; warranty 6 claims, 6 remedied, 12 months:
		// QC18–QC24 pass. No corrective action due: QC25 insufficient_data.
		// Evaluated 24 points, weight 116, all passed: score 100.0, tier trusted.
		assert.Equal(t, pointsExcept("pass", map[string]string{"QC25": "insufficient_data"}), sc.statuses())
		require.NotNil(t, sc.Score)
		assert.Equal(t, 100.0, *sc.Score)
		assert.Equal(t, "trusted", sc.Tier)
		assert.Equal(t, 24, sc.EvaluatedPoints)
		assert.Equal(t, 0, sc.FailedPoints)
		assert.Equal(t, "draft", sc.Status)
		assert.Nil(t, sc.Review)
		assert.Equal(t, "2026.1", sc.CharterVersion)
		assert.Equal(t, q4Start, sc.PeriodStart)
		assert.Equal(t, q4End, sc.PeriodEnd)
		for _, p := range sc.Points {
			assert.NotNil(t, p.Evidence, p.Code)
			assert.Empty(t, p.Evidence, p.Code)
		}
		assert.Equal(t, 8, sc.Points[0].Samples, "QC01 samples: units")
		assert.Equal(t, "== 0", sc.Points[0].Threshold)
		assert.Equal(t, 63, sc.Points[20].Samples, "QC21 samples: messages")
		assert.InDelta(t, 60.0/63, sc.Points[20].Value, 1e-9)
	})

	t.Run("battery below 80 and liquid damage suspend the seller", func(t *testing.T) {
		seller := h.newSeller("Careless")
		// 20 bench tests: #0 has a 75% battery, which also makes it F2 (grading.md §4), #1
		// liquid damage (rejected, yet a unit: only incomplete units are left out).
		ids := h.healthySeller(seller, 20, map[int]func(doc) doc{
			0: func(d doc) doc { return set(d, "inspection.battery.health_pct", 75) },
			1: func(d doc) doc { return set(d, "inspection.compliance.liquid_damage", true) },
		})
		sc := h.auditQ4(seller)
		// Units 20 + 3 = 23. QC01 functional_fail_rate 1/23 > 0: fail (critical 8). QC02
		// battery_below_80 = 1: fail (critical 8). QC03 battery ≥ 85: 22/23 = 95.7% ≥ 95%:
		// pass. QC06 liquid_damage = 1: fail (critical 8). Everything else as the exemplary
		// seller. Evaluated 24 points, weight 116, failed 24: score 100 × 92 / 116 = 79.31 →
		// 79.3; three critical failures: suspend.
		assert.Equal(t, pointsExcept("pass", map[string]string{"QC01": "fail", "QC02": "fail", "QC06": "fail", "QC25": "insufficient_data"}), sc.statuses())
		require.NotNil(t, sc.Score)
		assert.Equal(t, 79.3, *sc.Score)
		assert.Equal(t, "suspend", sc.Tier)
		assert.Equal(t, 3, sc.FailedPoints)
		assert.Equal(t, 3, sc.FailedCritical)
		assert.Equal(t, []string{ids[0]}, sc.Points[0].Evidence, "QC01: the F2 unit")
		assert.Equal(t, []string{ids[0]}, sc.Points[1].Evidence, "QC02: the weak battery")
		assert.Equal(t, []string{ids[1]}, sc.Points[5].Evidence, "QC06: the wet one")
		assert.InDelta(t, 1.0/23, sc.Points[0].Value, 1e-9)
		assert.Equal(t, 1.0, sc.Points[1].Value)
	})

	t.Run("one critical failure is probation", func(t *testing.T) {
		seller := h.newSeller("Forgetful")
		ids := h.healthySeller(seller, 5, map[int]func(doc) doc{
			2: func(d doc) doc { return set(d, "inspection.compliance.data_erased", false) },
		})
		sc := h.auditQ4(seller)
		// QC09 data_not_erased = 1: fail (critical 8); the unit is rejected but F0, so nothing
		// else fails. Score 100 × 108 / 116 = 93.10 → 93.1, but one critical failure: probation.
		assert.Equal(t, pointsExcept("pass", map[string]string{"QC09": "fail", "QC25": "insufficient_data"}), sc.statuses())
		assert.Equal(t, 93.1, *sc.Score)
		assert.Equal(t, "probation", sc.Tier)
		assert.Equal(t, []string{ids[2]}, sc.Points[8].Evidence)
	})

	t.Run("three major failures are watch", func(t *testing.T) {
		seller := h.newSeller("Slow")
		h.auditUnits(auditUnit(t, seller, 0, nil), auditUnit(t, seller, 1, nil), auditUnit(t, seller, 2, nil),
			auditUnit(t, seller, 3, nil), auditUnit(t, seller, 4, nil))
		h.auditOrders(seller, 3)
		// One month only: 100 orders, 5 late (5% ≥ 4%: QC18 fails), 3 cancelled (3% ≥ 2.5%:
		// QC20 fails), 1 defective (1% is not < 1%: QC23 fails); returns 1% passes.
		h.auditKPIs(seller, "2026-11", func(d doc) { d["shipped_late"], d["cancelled_before_shipment"], d["defective_orders"] = 5, 3, 1 })
		sc := h.auditQ4(seller)
		// Messages 20 + 3 = 23 ≥ 10, answered 22: 95.7%. Warranty 2 of 2, 12 months. Three
		// majors failed (12 of 116): score 100 × 104 / 116 = 89.66 → 89.7 < 90: watch.
		assert.Equal(t, pointsExcept("pass", map[string]string{"QC18": "fail", "QC20": "fail", "QC23": "fail", "QC25": "insufficient_data"}), sc.statuses())
		assert.Equal(t, 89.7, *sc.Score)
		assert.Equal(t, "watch", sc.Tier)
		assert.Equal(t, 0, sc.FailedCritical)
		assert.Equal(t, 0.05, sc.Points[17].Value)
		assert.Equal(t, "< 0.04", sc.Points[17].Threshold)
		assert.Len(t, sc.Points[17].Evidence, 1, "the KPI month behind the rate")
	})

	t.Run("little data is insufficient_data, with a score", func(t *testing.T) {
		seller := h.newSeller("Newcomer")
		h.auditUnits(auditUnit(t, seller, 0, nil), auditUnit(t, seller, 1, nil))
		sc := h.auditQ4(seller)
		// 2 units: QC01, QC02, QC04–QC09 and QC12 are evaluated (9 points, all pass); QC03 and
		// QC11 need 5 units, the rest mystery orders, KPIs or corrective actions. Score
		// 100.0, but 9 < 10 evaluated points: insufficient_data.
		want := pointsExcept("insufficient_data", map[string]string{})
		for _, c := range []string{"QC01", "QC02", "QC04", "QC05", "QC06", "QC07", "QC08", "QC09", "QC12"} {
			want[c] = "pass"
		}
		assert.Equal(t, want, sc.statuses())
		require.NotNil(t, sc.Score)
		assert.Equal(t, 100.0, *sc.Score)
		assert.Equal(t, 9, sc.EvaluatedPoints)
		assert.Equal(t, "insufficient_data", sc.Tier)
	})

	t.Run("no data at all has a null score", func(t *testing.T) {
		seller := h.newSeller("Silent")
		sc := h.auditQ4(seller)
		assert.Equal(t, pointsExcept("insufficient_data", nil), sc.statuses())
		assert.Nil(t, sc.Score)
		assert.Equal(t, 0, sc.EvaluatedPoints)
		assert.Equal(t, "insufficient_data", sc.Tier)
		res := h.do(http.MethodGet, "/api/v1/scorecards/"+sc.ID, h.token(audit.RoleManager), nil)
		require.Equal(t, http.StatusOK, res.Code)
		assert.Nil(t, res.Map(t)["score"], "null on the wire")
	})
}

func TestAuditValidation(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name   string
		body   any
		fields []string
	}{
		{"empty object", doc{}, []string{"period_end", "period_start", "seller_id"}},
		{"unknown seller", doc{"seller_id": "sl_nobody", "period_start": q4Start, "period_end": q4End}, []string{"seller_id"}},
		{"unknown charter", doc{"seller_id": h.Own.ID, "period_start": q4Start, "period_end": q4End, "charter_version": "1999.1"}, []string{"charter_version"}},
		{"end before start", doc{"seller_id": h.Own.ID, "period_start": q4End, "period_end": q4Start}, []string{"period_end"}},
		{"end equals start", doc{"seller_id": h.Own.ID, "period_start": q4Start, "period_end": q4Start}, []string{"period_end"}},
		{"more than 366 days", doc{"seller_id": h.Own.ID, "period_start": "2026-01-01", "period_end": "2027-01-03"}, []string{"period_end"}},
		{"not dates", doc{"seller_id": h.Own.ID, "period_start": "2026-13-01", "period_end": "tomorrow"}, []string{"period_end", "period_start"}},
		{"every field wrong", doc{"seller_id": "sl_nobody", "period_start": "x", "period_end": q4End, "charter_version": "nope"}, []string{"charter_version", "period_start", "seller_id"}},
		{"wrong type", `{"seller_id": 5}`, []string{"seller_id"}},
		{"malformed", `{"seller_id": `, []string{"body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.do(http.MethodPost, "/api/v1/audits", h.token(audit.RoleManager), tt.body)
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
			assert.Equal(t, tt.fields, problemFields(t, res))
		})
	}
	// A period of exactly 366 days is fine.
	res := h.do(http.MethodPost, "/api/v1/audits", h.token(audit.RoleManager),
		doc{"seller_id": h.Own.ID, "period_start": "2028-01-01", "period_end": "2029-01-01"})
	assert.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)

	for role, want := range map[audit.Role]int{audit.RoleAdmin: 201, audit.RoleManager: 201, audit.RoleTechnician: 403, audit.RoleSeller: 403} {
		res := h.do(http.MethodPost, "/api/v1/audits", h.token(role), doc{"seller_id": h.Other.ID, "period_start": q4Start, "period_end": q4End})
		assert.Equal(t, want, res.Code, role)
		res = h.do(http.MethodPost, "/api/v1/audits/batch", h.token(role), doc{"period_start": q4Start, "period_end": q4End})
		assert.Equal(t, map[int]int{201: 200, 403: 403}[want], res.Code, role)
	}
}

func TestAuditBatchAndReaudit(t *testing.T) {
	h := newHarness(t)
	third := h.newSeller("Third")
	res := h.do(http.MethodPost, "/api/v1/audits/batch", h.token(audit.RoleManager), doc{"period_start": q4Start, "period_end": q4End})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	var batch struct {
		Count        int      `json:"count"`
		ScorecardIDs []string `json:"scorecard_ids"`
	}
	res.JSON(t, &batch)
	assert.Equal(t, 3, batch.Count, "Own, Other and Third")
	assert.Len(t, batch.ScorecardIDs, 3)
	assert.NotContains(t, res.Map(t), "kept_approved")

	// Approve Own's scorecard, then run the batch again: a new draft for every seller, the
	// drafts superseded, the approved scorecard untouched.
	var own scorecardBody
	for _, id := range batch.ScorecardIDs {
		var sc scorecardBody
		h.do(http.MethodGet, "/api/v1/scorecards/"+id, h.token(audit.RoleManager), nil).JSON(t, &sc)
		if sc.SellerID == h.Own.ID {
			own = sc
		}
	}
	require.NotEmpty(t, own.ID)
	res = h.do(http.MethodPost, "/api/v1/scorecards/"+own.ID+"/approve", h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	approvedBody := h.do(http.MethodGet, "/api/v1/scorecards/"+own.ID, h.token(audit.RoleManager), nil).Body

	res = h.do(http.MethodPost, "/api/v1/audits/batch", h.token(audit.RoleAdmin), doc{"period_start": q4Start, "period_end": q4End, "charter_version": "2026.1"})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	var again struct {
		Count        int      `json:"count"`
		ScorecardIDs []string `json:"scorecard_ids"`
	}
	res.JSON(t, &again)
	assert.Equal(t, 3, again.Count, "every seller, the approved one's included")
	assert.Len(t, again.ScorecardIDs, 3)
	assert.NotContains(t, again.ScorecardIDs, own.ID)
	for i, id := range batch.ScorecardIDs {
		res := h.do(http.MethodGet, "/api/v1/scorecards/"+id, h.token(audit.RoleManager), nil)
		require.Equal(t, http.StatusOK, res.Code, "%s: nothing is deleted", id)
		var sc scorecardBody
		res.JSON(t, &sc)
		if id == own.ID {
			assert.Equal(t, "approved", sc.Status)
			assert.Nil(t, sc.SupersededBy)
			continue
		}
		// Both batches list in seller id order.
		assert.Equal(t, "superseded", sc.Status, id)
		if assert.NotNil(t, sc.SupersededBy, id) {
			assert.Equal(t, again.ScorecardIDs[i], *sc.SupersededBy)
		}
	}
	for _, id := range again.ScorecardIDs {
		res := h.do(http.MethodGet, "/api/v1/scorecards/"+id, h.token(audit.RoleManager), nil)
		require.Equal(t, http.StatusOK, res.Code, id)
		assert.Equal(t, "draft", res.Map(t)["status"])
	}
	assert.JSONEq(t, string(approvedBody), string(h.do(http.MethodGet, "/api/v1/scorecards/"+own.ID, h.token(audit.RoleManager), nil).Body))

	// Re-auditing one seller is always 201 with a new draft: Third's draft is superseded; Own
	// gets a draft beside its approved scorecard, which stays as it was.
	sc := h.auditQ4(third)
	var list struct {
		Items []scorecardBody `json:"items"`
	}
	h.do(http.MethodGet, "/api/v1/sellers/"+third+"/scorecards", h.token(audit.RoleManager), nil).JSON(t, &list)
	require.Len(t, list.Items, 1)
	assert.Equal(t, sc.ID, list.Items[0].ID)
	time.Sleep(2 * time.Millisecond) // ids sort by the millisecond of creation
	fresh := h.auditQ4(h.Own.ID)
	assert.Equal(t, "draft", fresh.Status)
	assert.NotEqual(t, own.ID, fresh.ID)
	list.Items = nil
	h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards", h.token(audit.RoleManager), nil).JSON(t, &list)
	require.Len(t, list.Items, 2, "the batch's draft of Own was superseded, and is not listed")
	assert.Equal(t, []string{fresh.ID, own.ID}, []string{list.Items[0].ID, list.Items[1].ID})
	assert.JSONEq(t, string(approvedBody), string(h.do(http.MethodGet, "/api/v1/scorecards/"+own.ID, h.token(audit.RoleManager), nil).Body))

	// The trail has every step.
	var events struct {
		Items []struct {
			Action   string `json:"action"`
			EntityID string `json:"entity_id"`
			KeyID    string `json:"key_id"`
		} `json:"items"`
	}
	res = h.do(http.MethodGet, "/api/v1/events?entity=scorecard&entity_id="+own.ID, h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	res.JSON(t, &events)
	var actions []string
	for _, e := range events.Items {
		actions = append(actions, e.Action)
	}
	// Order-insensitive: event ids of one millisecond do not sort by creation.
	assert.ElementsMatch(t, []string{"create", "approve"}, actions)
}

// A re-audit after approval, with data recorded since, answers 201 with a new draft that has
// the new figures; the approved scorecard reads exactly as before and both are listed, newest
// first. The seller still sees only its approved scorecard.
func TestReauditAfterApproval(t *testing.T) {
	h := newHarness(t)
	h.healthySeller(h.Own.ID, 5, nil)
	first := h.auditQ4(h.Own.ID)
	assert.Equal(t, "pass", first.statuses()["QC06"])
	res := h.do(http.MethodPost, "/api/v1/scorecards/"+first.ID+"/approve", h.token(audit.RoleManager), doc{"comment": "fine"})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	before := h.do(http.MethodGet, "/api/v1/scorecards/"+first.ID, h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, before.Code)

	// A unit with liquid damage arrives for the same quarter (QC06, critical).
	wet := h.auditUnits(auditUnit(t, h.Own.ID, 10, func(d doc) doc { return set(d, "inspection.compliance.liquid_damage", true) }))
	time.Sleep(2 * time.Millisecond) // ids sort by the millisecond of creation
	res = h.do(http.MethodPost, "/api/v1/audits", h.token(audit.RoleManager), doc{"seller_id": h.Own.ID, "period_start": q4Start, "period_end": q4End})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	var fresh scorecardBody
	res.JSON(t, &fresh)
	assert.NotEqual(t, first.ID, fresh.ID)
	assert.Equal(t, "draft", fresh.Status)
	assert.Nil(t, fresh.Review)
	assert.Equal(t, "fail", fresh.statuses()["QC06"], "the new figures")
	for _, p := range fresh.Points {
		if p.Code == "QC06" {
			assert.Equal(t, wet, p.Evidence)
		}
	}
	assert.Equal(t, first.FailedCritical+1, fresh.FailedCritical)

	after := h.do(http.MethodGet, "/api/v1/scorecards/"+first.ID, h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, after.Code)
	assert.JSONEq(t, string(before.Body), string(after.Body), "the approved scorecard never changes")

	var list struct {
		Items []scorecardBody `json:"items"`
	}
	h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards", h.token(audit.RoleManager), nil).JSON(t, &list)
	require.Len(t, list.Items, 2)
	assert.Equal(t, []string{fresh.ID, first.ID}, []string{list.Items[0].ID, list.Items[1].ID}, "newest first")
	assert.Equal(t, []string{"draft", "approved"}, []string{list.Items[0].Status, list.Items[1].Status})
	list.Items = nil
	h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards", h.token(audit.RoleSeller), nil).JSON(t, &list)
	require.Len(t, list.Items, 1)
	assert.Equal(t, first.ID, list.Items[0].ID)

	// Auditing the same period twice more leaves one draft, the last, and a chain of
	// superseded ones; the approved scorecard is never superseded.
	second := h.auditQ4(h.Own.ID)
	third := h.auditQ4(h.Own.ID)
	for id, next := range map[string]string{fresh.ID: second.ID, second.ID: third.ID} {
		res := h.do(http.MethodGet, "/api/v1/scorecards/"+id, h.token(audit.RoleManager), nil)
		require.Equal(t, http.StatusOK, res.Code, id)
		var sc scorecardBody
		res.JSON(t, &sc)
		assert.Equal(t, "superseded", sc.Status)
		require.NotNil(t, sc.SupersededBy)
		assert.Equal(t, next, *sc.SupersededBy)
	}
	assert.JSONEq(t, string(before.Body), string(h.do(http.MethodGet, "/api/v1/scorecards/"+first.ID, h.token(audit.RoleManager), nil).Body))
	list.Items = nil
	h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards?status=draft", h.token(audit.RoleManager), nil).JSON(t, &list)
	require.Len(t, list.Items, 1)
	assert.Equal(t, third.ID, list.Items[0].ID)
	assert.Equal(t, fresh.Points, third.Points, "nothing changed since")
}

func TestScorecardVisibility(t *testing.T) {
	h := newHarness(t)
	own := h.auditQ4(h.Own.ID)
	other := h.auditQ4(h.Other.ID)
	get := func(id, token string) int {
		return h.do(http.MethodGet, "/api/v1/scorecards/"+id, token, nil).Code
	}
	list := func(seller, token string) (int, []string) {
		res := h.do(http.MethodGet, "/api/v1/sellers/"+seller+"/scorecards", token, nil)
		var out struct {
			Items []scorecardBody `json:"items"`
		}
		if res.Code == http.StatusOK {
			res.JSON(t, &out)
		}
		ids := []string{}
		for _, it := range out.Items {
			ids = append(ids, it.ID)
		}
		return res.Code, ids
	}
	seller := h.token(audit.RoleSeller)

	// Drafts: staff see them, the seller does not (404, as if absent); technicians may not read
	// scorecards at all.
	assert.Equal(t, http.StatusOK, get(own.ID, h.token(audit.RoleManager)))
	assert.Equal(t, http.StatusOK, get(own.ID, h.token(audit.RoleAdmin)))
	assert.Equal(t, http.StatusForbidden, get(own.ID, h.token(audit.RoleTechnician)))
	assert.Equal(t, http.StatusNotFound, get(own.ID, seller))
	code, ids := list(h.Own.ID, seller)
	assert.Equal(t, http.StatusOK, code)
	assert.Empty(t, ids)
	code, ids = list(h.Own.ID, h.token(audit.RoleManager))
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{own.ID}, ids)

	// Approved: the seller sees its own, never another seller's.
	for _, id := range []string{own.ID, other.ID} {
		res := h.do(http.MethodPost, "/api/v1/scorecards/"+id+"/approve", h.token(audit.RoleManager), doc{"comment": "ok"})
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	}
	assert.Equal(t, http.StatusOK, get(own.ID, seller))
	assert.Equal(t, http.StatusNotFound, get(other.ID, seller))
	assert.Equal(t, http.StatusOK, get(other.ID, h.OtherToken))
	assert.Equal(t, http.StatusNotFound, get("sc_missing", seller))
	code, ids = list(h.Own.ID, seller)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{own.ID}, ids)
	code, _ = list(h.Other.ID, seller)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = list("sl_missing", h.token(audit.RoleManager))
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = list(h.Own.ID, h.token(audit.RoleTechnician))
	assert.Equal(t, http.StatusForbidden, code)

	// Status filter for staff; a seller asking for drafts gets none.
	draft := h.do(http.MethodPost, "/api/v1/audits", h.token(audit.RoleManager), doc{"seller_id": h.Own.ID, "period_start": "2027-01-01", "period_end": "2027-04-01"})
	require.Equal(t, http.StatusCreated, draft.Code)
	res := h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards?status=draft", h.token(audit.RoleManager), nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Len(t, res.Map(t)["items"], 1)
	res = h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards?status=draft", seller, nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Empty(t, res.Map(t)["items"])
	res = h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards?status=pending", seller, nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
}

func TestScorecardsNewestFirstAndPaged(t *testing.T) {
	h := newHarness(t)
	var want []string
	for m := 1; m <= 5; m++ {
		// Ids sort by the millisecond of creation (then at random): keep the audits apart.
		time.Sleep(2 * time.Millisecond)
		start := time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		res := h.do(http.MethodPost, "/api/v1/audits", h.token(audit.RoleManager), doc{"seller_id": h.Own.ID,
			"period_start": start.Format(time.DateOnly), "period_end": start.AddDate(0, 1, 0).Format(time.DateOnly)})
		require.Equal(t, http.StatusCreated, res.Code)
		want = append([]string{res.Map(t)["id"].(string)}, want...)
	}
	var got []string
	cursor := ""
	for {
		res := h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards?limit=2&cursor="+cursor, h.token(audit.RoleManager), nil)
		require.Equal(t, http.StatusOK, res.Code)
		var page struct {
			Items      []scorecardBody `json:"items"`
			NextCursor string          `json:"next_cursor"`
		}
		res.JSON(t, &page)
		for _, it := range page.Items {
			got = append(got, it.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	assert.Equal(t, want, got)
}

// A re-audit keeps the draft it replaces, superseded (api.md, Audits and scorecards): staff
// read it by id and list it with ?status=superseded only, approving it is 409 naming its
// successor, its report is still the managers' to read, and sellers never see it.
func TestSupersededDrafts(t *testing.T) {
	h := newHarness(t)
	manager, seller := h.token(audit.RoleManager), h.token(audit.RoleSeller)
	h.healthySeller(h.Own.ID, 3, nil)
	first := h.do(http.MethodPost, "/api/v1/audits", manager, doc{"seller_id": h.Own.ID, "period_start": q4Start, "period_end": q4End})
	require.Equal(t, http.StatusCreated, first.Code, "%s", first.Body)
	var d1 scorecardBody
	first.JSON(t, &d1)
	assert.Nil(t, d1.SupersededBy)
	assert.Contains(t, first.Map(t), "superseded_by", "the field is always there, null unless superseded")
	d2 := h.auditQ4(h.Own.ID)
	assert.Nil(t, d2.SupersededBy)

	// The older draft is kept, unchanged but for its status and successor.
	res := h.do(http.MethodGet, "/api/v1/scorecards/"+d1.ID, manager, nil)
	require.Equal(t, http.StatusOK, res.Code)
	got, want := res.Map(t), first.Map(t)
	assert.Equal(t, "superseded", got["status"])
	assert.Equal(t, d2.ID, got["superseded_by"])
	want["status"], want["superseded_by"] = "superseded", d2.ID
	assert.Equal(t, want, got)
	assert.Nil(t, h.do(http.MethodGet, "/api/v1/scorecards/"+d2.ID, manager, nil).Map(t)["superseded_by"])
	// The read by id answers what the list does.
	var listed struct {
		Items []json.RawMessage `json:"items"`
	}
	h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards?status=superseded", manager, nil).JSON(t, &listed)
	require.Len(t, listed.Items, 1)
	assert.JSONEq(t, string(listed.Items[0]), string(res.Body))

	// Lists: the current scorecards by default; each status selects exactly its own.
	ids := func(query, token string) []string {
		t.Helper()
		res := h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards"+query, token, nil)
		require.Equal(t, http.StatusOK, res.Code, "%s: %s", query, res.Body)
		var list struct {
			Items []scorecardBody `json:"items"`
		}
		res.JSON(t, &list)
		out := []string{}
		for _, it := range list.Items {
			out = append(out, it.ID)
		}
		return out
	}
	assert.Equal(t, []string{d2.ID}, ids("", manager))
	assert.Equal(t, []string{d2.ID}, ids("?status=draft", manager))
	assert.Equal(t, []string{d1.ID}, ids("?status=superseded", manager))
	assert.Empty(t, ids("?status=approved", manager))
	res = h.do(http.MethodGet, "/api/v1/sellers/"+h.Own.ID+"/scorecards?status=replaced", manager, nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, []string{"status"}, problemFields(t, res))

	// Approving the superseded draft is 409 naming the one that replaced it; nothing changes.
	res = h.do(http.MethodPost, "/api/v1/scorecards/"+d1.ID+"/approve", manager, doc{"comment": "too late"})
	require.Equal(t, http.StatusConflict, res.Code, "%s", res.Body)
	problem := res.Map(t)
	assert.Contains(t, problem["detail"], d2.ID)
	assert.Equal(t, d2.ID, problem["superseded_by"])
	assert.Equal(t, got, h.do(http.MethodGet, "/api/v1/scorecards/"+d1.ID, manager, nil).Map(t))
	res = h.do(http.MethodGet, "/api/v1/corrective-actions?seller_id="+h.Own.ID, manager, nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Empty(t, res.Map(t)["items"])

	// Its report is a manager's to read (it says it was superseded); the seller sees nothing
	// of it, nor of the current draft.
	res = h.do(http.MethodGet, "/api/v1/scorecards/"+d1.ID+"/report.pdf", manager, nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	assert.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	for _, id := range []string{d1.ID, d2.ID} {
		assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/scorecards/"+id, seller, nil).Code, id)
		assert.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/api/v1/scorecards/"+id+"/report.pdf", seller, nil).Code, id)
	}
	for _, q := range []string{"", "?status=superseded", "?status=draft", "?status=approved"} {
		assert.Empty(t, ids(q, seller), q)
	}

	// The current draft is approved; a re-audit then supersedes nothing approved: the
	// approved scorecard reads as before (from the cache too), and the new draft has no
	// predecessor in the list of superseded drafts.
	res = h.do(http.MethodPost, "/api/v1/scorecards/"+d2.ID+"/approve", manager, nil)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	approved := h.do(http.MethodGet, "/api/v1/scorecards/"+d2.ID, manager, nil).Body
	assert.Equal(t, []string{d2.ID}, ids("", seller))
	d3 := h.auditQ4(h.Own.ID)
	assert.JSONEq(t, string(approved), string(h.do(http.MethodGet, "/api/v1/scorecards/"+d2.ID, manager, nil).Body))
	assert.JSONEq(t, string(approved), string(h.do(http.MethodGet, "/api/v1/scorecards/"+d2.ID, seller, nil).Body))
	assert.ElementsMatch(t, []string{d3.ID, d2.ID}, ids("", manager))
	assert.Equal(t, []string{d1.ID}, ids("?status=superseded", manager))

	// The trail: the first draft was created, then superseded.
	res = h.do(http.MethodGet, "/api/v1/events?entity=scorecard&entity_id="+d1.ID, manager, nil)
	require.Equal(t, http.StatusOK, res.Code)
	var events struct {
		Items []struct {
			Action string `json:"action"`
		} `json:"items"`
	}
	res.JSON(t, &events)
	var actions []string
	for _, e := range events.Items {
		actions = append(actions, e.Action)
	}
	assert.ElementsMatch(t, []string{"create", "supersede"}, actions)
}
