package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
)

// auditLockKey is the PostgreSQL advisory lock that serializes the writes of audits and
// approvals across every server process sharing the database (the text "rfq-audit" would not
// fit an int64; the number is arbitrary but fixed forever, so that old and new releases
// running side by side during a deployment take the same lock).
const auditLockKey int64 = 0x7266715f61756474 // "rfq_audt"

// sellerChunk bounds the seller ids bound into one IN list, well under every driver's limit
// of parameters per statement.
const sellerChunk = 500

// ruleSQL translates each rule of audit.MetricRules into an SQL condition over a row aliased
// t, keyed by the rule's id: the domain states which record counts under which metric, and the
// store counts with SQL for speed. TestRuleSQLCoversEveryRule fails when a rule has no
// translation here or a translation names no rule, and TestFactsAgreeWithDomainRules holds
// every translation to its rule (same counts and evidence over generated records, on both
// databases). The unit conditions read the columns that bench_tests and mystery_orders share;
// the mystery-order ones read the findings derived at intake. KPI months, corrective actions
// and lots take parameters: the first months starting at or after the period's start and end,
// the period's start and end, and the audit's now.
func ruleSQL() map[audit.RuleID]string {
	return map[audit.RuleID]string{
		audit.RuleUnit: notIncomplete,
		// NULL is not F0: a row stored without a functional grade is never taken for fully
		// functional.
		audit.RuleFunctionalFail:   "(t.functional IS NULL OR t.functional <> 'F0')",
		audit.RuleBatteryBelow80:   "t.battery_health < 80",
		audit.RuleBatteryBelow85:   "t.battery_health < 85",
		audit.RuleUndisclosedParts: "(t.non_genuine_parts AND NOT t.parts_disclosed)",
		audit.RuleDisplayMismatch:  "NOT t.display_like_for_like",
		audit.RuleLiquidDamage:     "t.liquid_damage",
		audit.RuleLocked:           "t.activation_lock",
		audit.RuleIMEIBlocked:      "t.imei_status IN ('blacklisted', 'financed')",
		audit.RuleDataNotErased:    "NOT t.data_erased",
		audit.RuleSoftwareNotOK:    "NOT (t.factory_reset AND t.os_up_to_date)",
		audit.RuleMarkingsAltered:  "NOT t.markings_intact",

		audit.RuleIdentityMismatch: "NOT t.identity_matches_listing",
		audit.RuleOvergraded:       "t.grade_match = 'overgraded'",
		audit.RuleShippedDamaged:   "t.cosmetic IN ('D', 'E')",
		audit.RuleAccessoriesNotOK: "NOT t.accessories_ok",
		audit.RulePackagingFailure: "t.packaging_failure",
		audit.RuleLowCharge:        "t.low_charge",
		audit.RuleProbeSent:        "t.probe_sent_at IS NOT NULL",
		audit.RuleProbeAnswered:    "(t.probe_sent_at IS NOT NULL AND t.probe_answered_in_time)",
		// A probe whose answer was never judged (NULL) was not answered in time.
		audit.RuleProbeLate: "(t.probe_sent_at IS NOT NULL AND (t.probe_answered_in_time IS NULL OR NOT t.probe_answered_in_time))",

		audit.RuleKPIMonth:    "t.month >= ? AND t.month < ?",
		audit.RuleCAPADue:     "t.due_at >= ? AND t.due_at < ?",
		audit.RuleCAPAOverdue: "((t.closed_at IS NULL AND t.due_at < ?) OR t.closed_at > t.due_at)",

		audit.RuleLot:         "t.kind = 'devices' AND t.decision IN ('accepted', 'rejected') AND t.decided_at >= ? AND t.decided_at < ?",
		audit.RuleLotRejected: "t.decision = 'rejected'",
	}
}

// notIncomplete is the SQL of audit.RuleUnit: the units that count at all.
const notIncomplete = "t.status <> 'incomplete'"

// unitCond is one rule with evidence as an SQL condition, with the Facts list that holds its
// evidence. The same condition feeds the grouped count and the evidence query, so the two
// cannot disagree.
type unitCond struct {
	rule audit.RuleID
	cond string
	ids  func(*audit.Facts) *[]string
}

// countCond is one counted rule as an SQL condition, with the Facts count it sets.
type countCond struct {
	rule audit.RuleID
	cond string
	n    func(*audit.Facts) *int
}

// factConds are the unit and mystery-order rules of audit.MetricRules with their SQL, in the
// order of the rules.
type factConds struct {
	units  []unitCond  // the unit metrics, over units that are not incomplete
	orders []unitCond  // the mystery-order metrics with evidence
	counts []countCond // the counted mystery-order metrics (service probes)
	sql    map[audit.RuleID]string
}

// factConditions joins the rules to their SQL. Only the rules' ids and Facts fields are
// needed, which do not depend on the period or the clock.
func factConditions() (factConds, error) {
	rules := audit.MetricRules(audit.Period{}, time.Time{})
	fc := factConds{sql: ruleSQL()}
	for _, id := range rules.IDs() {
		if _, ok := fc.sql[id]; !ok {
			return factConds{}, fmt.Errorf("metric rule %s has no SQL translation", id)
		}
	}
	for _, r := range rules.Units {
		if r.Evidence == nil {
			return factConds{}, fmt.Errorf("unit rule %s: only rules with evidence are translated", r.ID)
		}
		fc.units = append(fc.units, unitCond{r.ID, fc.sql[r.ID], r.Evidence})
	}
	for _, r := range rules.Orders {
		if r.Evidence != nil {
			fc.orders = append(fc.orders, unitCond{r.ID, fc.sql[r.ID], r.Evidence})
		} else {
			fc.counts = append(fc.counts, countCond{r.ID, fc.sql[r.ID], r.Count})
		}
	}
	return fc, nil
}

// Facts aggregates the records of each seller over p into the facts that the charter metrics
// are computed from (charter.md §1–2): what audit.Aggregate computes from a seller's records by
// the rules of audit.MetricRules, with their SQL translations (ruleSQL) for speed, to the same
// counts and evidence. Nil or empty sellerIDs means every seller, and every
// seller asked for has an entry, with zero facts when it has no records. It runs a constant
// number of grouped queries whatever the number of sellers (per chunk of 500 named sellers),
// inside one read-only transaction so that counts and evidence come from the same snapshot.
//
// What is counted:
//   - units: bench tests with tested_at in [start, end) and mystery orders with ordered_at in
//     [start, end), both leaving out rows whose grading status is incomplete;
//   - mystery orders with ordered_at in [start, end);
//   - KPI months whose month starts inside the period: month ≥ the first month starting at or
//     after start, and < the first month starting at or after end;
//   - corrective actions with due_at in [start, end); overdue when not closed by due_at, as
//     seen at the store's clock now;
//   - device lots decided (accepted or rejected) with decided_at in [start, end).
//
// A bench test or mystery order superseded by a correction (another row whose supersedes names
// it) is left out everywhere; the correction counts instead, by its own date. Evidence lists
// are sorted by id; KPI months are listed in month order.
func (s *Store) Facts(ctx context.Context, p audit.Period, sellerIDs []string) (map[string]audit.Facts, error) {
	var out map[string]audit.Facts
	err := s.readTx(ctx, func(db *gorm.DB) error {
		var err error
		out, err = s.facts(db, p, sellerIDs, s.now())
		return err
	})
	if err != nil {
		return nil, translate(err, "audit facts")
	}
	return out, nil
}

// readTx runs fn in a read-only transaction on the read pool: a snapshot on SQLite (WAL) and
// REPEATABLE READ on PostgreSQL.
func (s *Store) readTx(ctx context.Context, fn func(db *gorm.DB) error) error {
	var opts *sql.TxOptions
	if s.driver == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return s.read.WithContext(ctx).Transaction(fn, opts)
}

// factsMap holds the facts being aggregated, by seller id.
type factsMap map[string]*audit.Facts

func (s *Store) facts(db *gorm.DB, p audit.Period, sellerIDs []string, now time.Time) (map[string]audit.Facts, error) {
	acc := factsMap{}
	if len(sellerIDs) == 0 {
		var ids []string
		if err := db.Model(&sellerRow{}).Order("id").Pluck("id", &ids).Error; err != nil {
			return nil, err
		}
		for _, id := range ids {
			acc[id] = &audit.Facts{}
		}
		if err := s.factsChunk(db, p, nil, now, acc); err != nil {
			return nil, err
		}
	} else {
		ids := slices.Clone(sellerIDs)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		for _, id := range ids {
			acc[id] = &audit.Facts{}
		}
		for chunk := range slices.Chunk(ids, sellerChunk) {
			if err := s.factsChunk(db, p, chunk, now, acc); err != nil {
				return nil, err
			}
		}
	}
	fc, err := factConditions()
	if err != nil {
		return nil, err
	}
	lists := slices.Concat(fc.units, fc.orders)
	out := make(map[string]audit.Facts, len(acc))
	for id, f := range acc {
		// Units come from two tables; every list is sorted by id whatever the query order.
		for _, c := range lists {
			slices.Sort(*c.ids(f))
		}
		out[id] = *f
	}
	return out, nil
}

// sellerFilter returns the condition and arguments that restrict alias t to the sellers of
// chunk (none when chunk is nil: every seller).
func sellerFilter(chunk []string) (string, []any) {
	if chunk == nil {
		return "", nil
	}
	return " AND t.seller_id IN ?", []any{chunk}
}

func (s *Store) factsChunk(db *gorm.DB, p audit.Period, chunk []string, now time.Time, out factsMap) error {
	start, end := p.Start.UTC(), p.End.UTC()
	sellerCond, sellerArgs := sellerFilter(chunk)
	args := func(first ...any) []any { return append(first, sellerArgs...) }

	// Bench tests: units only.
	benchWhere := "t.tested_at >= ? AND t.tested_at < ? AND " + notIncomplete +
		" AND NOT EXISTS (SELECT 1 FROM bench_tests c WHERE c.supersedes = t.id)" + sellerCond
	if err := s.unitFacts(db, "bench_tests", benchWhere, args(start, end), false, out); err != nil {
		return err
	}
	// Mystery orders: units (not incomplete) and order metrics (all).
	orderWhere := "t.ordered_at >= ? AND t.ordered_at < ?" +
		" AND NOT EXISTS (SELECT 1 FROM mystery_orders c WHERE c.supersedes = t.id)" + sellerCond
	if err := s.unitFacts(db, "mystery_orders", orderWhere, args(start, end), true, out); err != nil {
		return err
	}
	if err := s.kpiFacts(db, p, sellerCond, sellerArgs, out); err != nil {
		return err
	}
	if err := s.actionFacts(db, start, end, now, sellerCond, sellerArgs, out); err != nil {
		return err
	}
	return s.lotFacts(db, start, end, sellerCond, sellerArgs, out)
}

// unitFacts runs the grouped count and the evidence query over one table of units. With
// orders, the table is mystery_orders: every row is a mystery order, its unit conditions apply
// to rows that are not incomplete only, and the order conditions are counted too.
func (s *Store) unitFacts(db *gorm.DB, table, where string, args []any, orders bool, out factsMap) error {
	fc, err := factConditions()
	if err != nil {
		return err
	}
	// Every evidence-bearing condition, in a fixed order: units first, then orders.
	var conds []unitCond
	for _, c := range fc.units {
		if orders {
			c.cond = "(" + fc.sql[audit.RuleUnit] + " AND " + c.cond + ")"
		}
		conds = append(conds, c)
	}
	// The leading counts: every row (units of bench_tests, whose where leaves out the
	// incomplete ones; mystery orders of mystery_orders), then for orders the units and the
	// counted order conditions.
	var counts []countCond
	if orders {
		conds = append(conds, fc.orders...)
		counts = append(counts, countCond{audit.RuleUnit, fc.sql[audit.RuleUnit], func(f *audit.Facts) *int { return &f.Units }})
		counts = append(counts, fc.counts...)
	}

	// 1. One grouped pass: how many rows, units and flagged rows each seller has.
	var sel strings.Builder
	sel.WriteString("SELECT t.seller_id, COUNT(*)")
	for _, c := range counts {
		sel.WriteString(", SUM(CASE WHEN " + c.cond + " THEN 1 ELSE 0 END)")
	}
	for _, c := range conds {
		sel.WriteString(", SUM(CASE WHEN " + c.cond + " THEN 1 ELSE 0 END)")
	}
	sel.WriteString(" FROM " + table + " t WHERE " + where + " GROUP BY t.seller_id")
	leading := 1 + len(counts)
	perSeller := map[string][]int64{}
	err = scanRows(db.Raw(sel.String(), args...), func(rows *sql.Rows) error {
		var seller string
		vals := make([]int64, leading+len(conds))
		dest := []any{&seller}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		f, ok := out[seller]
		if !ok {
			return nil // a seller created after the list was read
		}
		if orders {
			f.MysteryOrders = int(vals[0])
		} else {
			f.Units += int(vals[0])
		}
		for i, c := range counts {
			*c.n(f) += int(vals[1+i])
		}
		vals = vals[leading:]
		perSeller[seller] = vals
		for i, c := range conds {
			*c.ids(f) = slices.Grow(*c.ids(f), int(vals[i]))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	if len(perSeller) == 0 {
		return nil
	}

	// 2. The evidence: the id of each flagged row with its flags as one bit mask (bit i for
	// conds[i]), so that the many rows of a large audit cross the driver as three columns.
	var ev strings.Builder
	ev.WriteString("SELECT t.id, t.seller_id, ")
	anyOf := make([]string, len(conds))
	for i, c := range conds {
		if i > 0 {
			ev.WriteString(" + ")
		}
		fmt.Fprintf(&ev, "(CASE WHEN %s THEN %d ELSE 0 END)", c.cond, int64(1)<<i)
		anyOf[i] = c.cond
	}
	ev.WriteString(" FROM " + table + " t WHERE " + where + " AND (" + strings.Join(anyOf, " OR ") + ")")
	got := map[string][]int64{}
	var id string
	var seller sql.RawBytes
	var mask int64
	err = scanRows(db.Raw(ev.String(), args...), func(rows *sql.Rows) error {
		if err := rows.Scan(&id, &seller, &mask); err != nil {
			return err
		}
		f, ok := out[string(seller)]
		if !ok || perSeller[string(seller)] == nil {
			return nil
		}
		n := got[string(seller)]
		if n == nil {
			n = make([]int64, len(conds))
			got[string(seller)] = n
		}
		for i, c := range conds {
			if mask&(1<<i) != 0 {
				*c.ids(f) = append(*c.ids(f), id)
				n[i]++
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s evidence: %w", table, err)
	}
	// Both queries read one snapshot with the same conditions; a difference is a bug.
	for seller, want := range perSeller {
		have := got[seller]
		for i := range want {
			var h int64
			if have != nil {
				h = have[i]
			}
			if h != want[i] {
				return fmt.Errorf("%s: seller %s: %d rows counted but %d in evidence for %s", table, seller, want[i], h, conds[i].rule)
			}
		}
	}
	return nil
}

// kpiFacts sums the KPI months that start inside p (audit.RuleKPIMonth) and lists their ids in
// month order.
func (s *Store) kpiFacts(db *gorm.DB, p audit.Period, sellerCond string, sellerArgs []any, out factsMap) error {
	from, to := ceilMonth(p.Start), ceilMonth(p.End)
	if from >= to {
		return nil
	}
	where := ruleSQL()[audit.RuleKPIMonth] + sellerCond
	args := append([]any{from, to}, sellerArgs...)
	q := "SELECT t.seller_id, SUM(t.orders), SUM(t.shipped_late), SUM(t.valid_tracking), SUM(t.cancelled_before_shipment)," +
		" SUM(t.technical_returns_30d), SUM(t.defective_orders), SUM(t.messages_received), SUM(t.messages_answered_within_1bd)," +
		" SUM(t.warranty_claims), SUM(t.warranty_remedied_within_5bd), MIN(t.warranty_months), COUNT(*)" +
		" FROM kpi_months t WHERE " + where + " GROUP BY t.seller_id"
	months := map[string]int{}
	err := scanRows(db.Raw(q, args...), func(rows *sql.Rows) error {
		var seller string
		var v [12]int64
		if err := rows.Scan(&seller, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11]); err != nil {
			return err
		}
		f, ok := out[seller]
		if !ok {
			return nil
		}
		f.Orders, f.ShippedLate, f.ValidTracking, f.CancelledBeforeShipment = int(v[0]), int(v[1]), int(v[2]), int(v[3])
		f.TechnicalReturns30d, f.DefectiveOrders = int(v[4]), int(v[5])
		f.MessagesReceived, f.MessagesAnsweredWithin1BD = int(v[6]), int(v[7])
		f.WarrantyClaims, f.WarrantyRemediedWithin5BD = int(v[8]), int(v[9])
		w := int(v[10])
		f.WarrantyMonths = &w
		f.KPIMonths = make([]string, 0, v[11])
		months[seller] = int(v[11])
		return nil
	})
	if err != nil {
		return fmt.Errorf("kpi months: %w", err)
	}
	if len(months) == 0 {
		return nil
	}
	err = scanRows(db.Raw("SELECT t.id, t.seller_id FROM kpi_months t WHERE "+where+" ORDER BY t.seller_id, t.month", args...), func(rows *sql.Rows) error {
		var id, seller string
		if err := rows.Scan(&id, &seller); err != nil {
			return err
		}
		if f, ok := out[seller]; ok && f.KPIMonths != nil {
			f.KPIMonths = append(f.KPIMonths, id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("kpi months evidence: %w", err)
	}
	for seller, n := range months {
		if len(out[seller].KPIMonths) != n {
			return fmt.Errorf("kpi months: seller %s: %d months counted but %d listed", seller, n, len(out[seller].KPIMonths))
		}
	}
	return nil
}

// actionFacts lists the corrective actions due in [start, end) with whether each is overdue:
// not closed by its due date, as seen at now (audit.RuleCAPADue and audit.RuleCAPAOverdue).
// The rows are few (a handful per seller and period), so one query gives counts and evidence.
func (s *Store) actionFacts(db *gorm.DB, start, end, now time.Time, sellerCond string, sellerArgs []any, out factsMap) error {
	conds := ruleSQL()
	q := "SELECT t.id, t.seller_id," +
		" CASE WHEN " + conds[audit.RuleCAPAOverdue] + " THEN 1 ELSE 0 END" +
		" FROM corrective_actions t WHERE " + conds[audit.RuleCAPADue] + sellerCond + " ORDER BY t.id"
	args := append([]any{now.UTC(), start, end}, sellerArgs...)
	err := scanRows(db.Raw(q, args...), func(rows *sql.Rows) error {
		var id, seller string
		var overdue int64
		if err := rows.Scan(&id, &seller, &overdue); err != nil {
			return err
		}
		f, ok := out[seller]
		if !ok {
			return nil
		}
		f.CAPADue = append(f.CAPADue, id)
		if overdue != 0 {
			f.CAPAOverdue = append(f.CAPAOverdue, id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("corrective actions: %w", err)
	}
	return nil
}

// ceilMonth returns, as YYYY-MM, the first month that starts at or after t.
func ceilMonth(t time.Time) string {
	t = t.UTC()
	m := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	if m.Before(t) {
		m = m.AddDate(0, 1, 0)
	}
	return m.Format("2006-01")
}

// scanRows runs q and calls fn for each row.
func scanRows(q *gorm.DB, fn func(*sql.Rows) error) error {
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
