package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// The audit tests write bench tests, mystery orders, KPI months and corrective actions as raw
// rows, so that every flag the aggregation reads is set by hand and nothing depends on the
// intake code of those records.

var auditor = audit.Principal{KeyID: "key_auditor", Role: audit.RoleManager}

// auditClock is a test clock that moves on by one millisecond at every reading, so that ids
// made from it sort in creation order.
type auditClock struct {
	mu  sync.Mutex
	now time.Time
}

func newAuditClock(start string) *auditClock {
	t, err := time.Parse(time.RFC3339, start)
	if err != nil {
		panic(err)
	}
	return &auditClock{now: t.UTC()}
}

func (c *auditClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Millisecond)
	return c.now
}

// set moves the clock to t.
func (c *auditClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC()
}

// auditEnv is a migrated database with its clock and raw connection.
type auditEnv struct {
	t     *testing.T
	st    *store.Store
	db    *gorm.DB
	clock *auditClock
	n     int
}

func newAuditEnv(t *testing.T, b storetest.Backend) *auditEnv {
	clock := newAuditClock("2026-11-02T08:00:00Z")
	st := b.Open(t, store.Config{Now: clock.Now})
	def, err := checklist.DefaultCharter()
	require.NoError(t, err)
	require.NoError(t, st.EnsureDefaultCharter(context.Background(), auditor, def))
	return &auditEnv{t: t, st: st, db: st.AuditsTestDB(), clock: clock}
}

// service returns the domain's services over the store of e: the audits, approvals and
// corrective-action changes that these tests make go through them, as every adapter's do, so
// that the store's transactions are tested under the use cases that drive them.
func (e *auditEnv) service() *audit.Service {
	return audit.NewService(audit.ServiceConfig{Store: e.st})
}

// auditInput is the input of an audit over p against the active charter.
func auditInput(p audit.Period) audit.AuditInput {
	return audit.AuditInput{PeriodStart: p.Start.Format(time.DateOnly), PeriodEnd: p.End.Format(time.DateOnly)}
}

// auditSellers audits ids (every seller when none) over p against the active charter, through
// a service of its own: concurrent calls are then like runs of separate processes, which race
// in the store rather than queue on one service's lock of runs over every seller.
func auditSellers(ctx context.Context, st *store.Store, by audit.Principal, p audit.Period, ids []string) (audit.AuditResult, error) {
	return audit.NewService(audit.ServiceConfig{Store: st}).AuditSellers(ctx, by, ids, auditInput(p), nil)
}

// approveScorecard approves scorecard id through the service, as the API and the demo do.
func approveScorecard(ctx context.Context, st *store.Store, by audit.Principal, id, comment string) (audit.Scorecard, []audit.CorrectiveAction, error) {
	return audit.NewService(audit.ServiceConfig{Store: st}).ApproveScorecard(ctx, by, id, comment)
}

func (e *auditEnv) seller(name string) string {
	e.t.Helper()
	s, err := e.st.CreateSeller(context.Background(), auditor, audit.Seller{Name: name, Country: "FR", ContactEmail: "qa@example.com"})
	require.NoError(e.t, err)
	return s.ID
}

func auAt(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return v.UTC()
}

// auRow is a set of column values.
type auRow map[string]any

func (e *auditEnv) insert(table string, base, change auRow) {
	e.t.Helper()
	r := auRow{}
	for k, v := range base {
		r[k] = v
	}
	for k, v := range change {
		r[k] = v
	}
	require.NoError(e.t, e.db.Table(table).Create(map[string]any(r)).Error, "%s %v", table, r["id"])
}

// unitColumns are the columns of a flawless unit, shared by bench tests and mystery orders.
func auUnitColumns() auRow {
	return auRow{
		"inspection": "{}", "category": "smartphone", "brand": "Apple", "model": "iPhone 13",
		"imei": "356938035643809", "serial": "F2LXK0ABCD", "ruleset": "2026.1",
		"status": "sellable", "functional": "F0", "cosmetic": "B", "marketplace": "excellent", "reasons": "[]",
		"battery_health": 91.5, "battery_genuine": true, "non_genuine_parts": false, "parts_disclosed": true,
		"activation_lock": false, "imei_status": "clean", "liquid_damage": false, "data_erased": true,
		"factory_reset": true, "os_up_to_date": true, "markings_intact": true, "display_like_for_like": true,
	}
}

// bench inserts a flawless bench test, changed by change; id and tested_at are required.
func (e *auditEnv) bench(seller, id, testedAt string, change auRow) {
	e.t.Helper()
	base := auUnitColumns()
	base["id"], base["seller_id"], base["lab"] = id, seller, "lab-1"
	base["tested_at"] = auAt(e.t, testedAt)
	base["technician_key_id"] = "key_tech"
	base["created_at"] = auAt(e.t, testedAt)
	e.insert("bench_tests", base, change)
}

// order inserts a flawless mystery order without a service probe, changed by change.
func (e *auditEnv) order(seller, id, orderedAt string, change auRow) {
	e.t.Helper()
	e.n++
	base := auUnitColumns()
	o := auAt(e.t, orderedAt)
	base["id"], base["seller_id"], base["order_ref"] = id, seller, fmt.Sprintf("MO-%04d", e.n)
	base["ordered_at"], base["shipped_at"], base["delivered_at"] = o, o.Add(5*time.Hour), o.Add(72*time.Hour)
	base["listed_grade"], base["grade_match"] = "excellent", "match"
	base["technician_key_id"] = "key_tech"
	base["packaging_adequate"], base["transit_damage"], base["charge_on_arrival_pct"] = true, false, 60.0
	base["cable_included"], base["charger_as_listed"], base["identity_matches_listing"] = true, true, true
	base["shipped_within_1bd"], base["packaging_failure"], base["low_charge"], base["accessories_ok"] = true, false, false, true
	base["created_at"] = o
	e.insert("mystery_orders", base, change)
}

// probe returns the columns of a service probe sent at sent, answered in time or not (nil:
// never answered).
func auProbe(t testing.TB, sent string, inTime *bool) auRow {
	r := auRow{"probe_sent_at": auAt(t, sent), "probe_answered_in_time": inTime}
	if inTime != nil {
		r["probe_answered_at"] = auAt(t, sent).Add(time.Hour)
	}
	return r
}

func auBool(b bool) *bool { return &b }

// kpi is one KPI month; its figures are the fields after seller and month in KPIMonth order.
type auKPI struct {
	id, month                                                          string
	orders, late, tracking, cancelled, returns, defective, msgs, msgs1 int
	claims, remedied, warranty                                         int
}

func (e *auditEnv) kpi(seller string, k auKPI) {
	e.t.Helper()
	e.insert("kpi_months", auRow{
		"id": k.id, "seller_id": seller, "month": k.month, "orders": k.orders, "shipped_late": k.late,
		"valid_tracking": k.tracking, "cancelled_before_shipment": k.cancelled, "technical_returns_30d": k.returns,
		"defective_orders": k.defective, "messages_received": k.msgs, "messages_answered_within_1bd": k.msgs1,
		"warranty_claims": k.claims, "warranty_remedied_within_5bd": k.remedied, "warranty_months": k.warranty,
		"updated_at": e.clock.Now(),
	}, nil)
}

// scorecardShell inserts a bare approved scorecard over [start, end) for corrective actions
// to point at (actions only ever come from approved scorecards).
func (e *auditEnv) scorecardShell(seller, id, start, end string) {
	e.t.Helper()
	e.insert("scorecards", auRow{
		"id": id, "seller_id": seller, "period_start": start, "period_end": end,
		"charter_version": "2026.1", "score": nil, "tier": "insufficient_data", "evaluated_points": 0,
		"failed_points": 0, "failed_critical": 0, "points": "[]", "created_at": e.clock.Now(),
	}, nil)
	e.insert("scorecard_reviews", auRow{"scorecard_id": id, "approved_by": "key_m", "comment": "", "approved_at": e.clock.Now()}, nil)
}

// action inserts a corrective action due at due, closed at closed when not empty.
func (e *auditEnv) action(seller, scorecard, id, code, due, closed string) {
	e.t.Helper()
	r := auRow{
		"id": id, "seller_id": seller, "scorecard_id": scorecard, "point_code": code, "severity": "major",
		"status": "open", "due_at": auAt(e.t, due), "created_at": auAt(e.t, due).AddDate(0, 0, -30),
	}
	if closed != "" {
		r["status"], r["closed_at"], r["closing_note"], r["closed_by"] = "closed", auAt(e.t, closed), "verified", "key_m"
	}
	e.insert("corrective_actions", r, nil)
}
