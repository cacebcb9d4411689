package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
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
// the mystery-order ones read the findings derived at intake. KPI months and corrective
// actions take parameters: the first months starting at or after the period's start and end,
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
//     seen at the store's clock now.
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
	return s.actionFacts(db, start, end, now, sellerCond, sellerArgs, out)
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

// Scorecards.

type scorecardRow struct {
	ID              string    `gorm:"column:id;primaryKey"`
	SellerID        string    `gorm:"column:seller_id"`
	PeriodStart     string    `gorm:"column:period_start"`
	PeriodEnd       string    `gorm:"column:period_end"`
	CharterVersion  string    `gorm:"column:charter_version"`
	Score           *float64  `gorm:"column:score"`
	Tier            string    `gorm:"column:tier"`
	EvaluatedPoints int       `gorm:"column:evaluated_points"`
	FailedPoints    int       `gorm:"column:failed_points"`
	FailedCritical  int       `gorm:"column:failed_critical"`
	Points          string    `gorm:"column:points"`
	CreatedAt       time.Time `gorm:"column:created_at"`
}

func (scorecardRow) TableName() string { return "scorecards" }

type reviewRow struct {
	ScorecardID string    `gorm:"column:scorecard_id;primaryKey"`
	ApprovedBy  string    `gorm:"column:approved_by"`
	Comment     string    `gorm:"column:comment"`
	ApprovedAt  time.Time `gorm:"column:approved_at"`
}

func (reviewRow) TableName() string { return "scorecard_reviews" }

// supersessionRow records that a re-audit replaced a draft: the draft stays as it was, and
// this row names its successor. Its primary key lets a draft be superseded once only, and the
// unique successor lets a draft replace one draft only, so the drafts of a slot form a chain.
type supersessionRow struct {
	ScorecardID  string    `gorm:"column:scorecard_id;primaryKey"`
	SupersededBy string    `gorm:"column:superseded_by"`
	SupersededAt time.Time `gorm:"column:superseded_at"`
}

func (supersessionRow) TableName() string { return "scorecard_supersessions" }

// scorecardReadRow is a scorecard with its review, if any, joined. Its fields are those of
// scorecardRow, flat, because page.apply reads the ID field of the rows it pages.
type scorecardReadRow struct {
	ID              string     `gorm:"column:id"`
	SellerID        string     `gorm:"column:seller_id"`
	PeriodStart     string     `gorm:"column:period_start"`
	PeriodEnd       string     `gorm:"column:period_end"`
	CharterVersion  string     `gorm:"column:charter_version"`
	Score           *float64   `gorm:"column:score"`
	Tier            string     `gorm:"column:tier"`
	EvaluatedPoints int        `gorm:"column:evaluated_points"`
	FailedPoints    int        `gorm:"column:failed_points"`
	FailedCritical  int        `gorm:"column:failed_critical"`
	Points          string     `gorm:"column:points"`
	CreatedAt       time.Time  `gorm:"column:created_at"`
	ApprovedBy      *string    `gorm:"column:approved_by"`
	Comment         *string    `gorm:"column:comment"`
	ApprovedAt      *time.Time `gorm:"column:approved_at"`
	SupersededBy    *string    `gorm:"column:superseded_by"`
}

// pointDoc is how one point result is kept in scorecards.points.
type pointDoc struct {
	Code      string   `json:"code"`
	Title     string   `json:"title"`
	Area      string   `json:"area"`
	Severity  string   `json:"severity"`
	Weight    int      `json:"weight"`
	Status    string   `json:"status"`
	Metric    string   `json:"metric"`
	Value     float64  `json:"value"`
	Threshold string   `json:"threshold"`
	Samples   int      `json:"samples"`
	Evidence  []string `json:"evidence"`
}

func newScorecardRow(sc audit.Scorecard) (scorecardRow, error) {
	docs := make([]pointDoc, len(sc.Result.Points))
	for i, p := range sc.Result.Points {
		ev := p.Evidence
		if ev == nil {
			ev = []string{}
		}
		docs[i] = pointDoc{Code: p.Code, Title: p.Title, Area: p.Area, Severity: string(p.Severity), Weight: p.Weight,
			Status: string(p.Status), Metric: p.Metric, Value: p.Value, Threshold: p.Threshold, Samples: p.Samples, Evidence: ev}
	}
	b, err := json.Marshal(docs)
	if err != nil {
		return scorecardRow{}, fmt.Errorf("scorecard %s: points: %w", sc.ID, err)
	}
	return scorecardRow{
		ID: sc.ID, SellerID: sc.SellerID,
		PeriodStart: sc.Period.Start.UTC().Format(time.DateOnly), PeriodEnd: sc.Period.End.UTC().Format(time.DateOnly),
		CharterVersion: sc.CharterVersion, Score: sc.Result.Score, Tier: string(sc.Result.Tier),
		EvaluatedPoints: sc.Result.EvaluatedPoints, FailedPoints: sc.Result.FailedPoints, FailedCritical: sc.Result.FailedCritical,
		Points: string(b), CreatedAt: sc.CreatedAt.UTC(),
	}, nil
}

func (r scorecardReadRow) domain() (audit.Scorecard, error) {
	var docs []pointDoc
	if err := json.Unmarshal([]byte(r.Points), &docs); err != nil {
		return audit.Scorecard{}, fmt.Errorf("scorecard %s: stored points: %w", r.ID, err)
	}
	start, err1 := time.Parse(time.DateOnly, r.PeriodStart)
	end, err2 := time.Parse(time.DateOnly, r.PeriodEnd)
	if err := errors.Join(err1, err2); err != nil {
		return audit.Scorecard{}, fmt.Errorf("scorecard %s: stored period: %w", r.ID, err)
	}
	res := checklist.Result{Points: make([]checklist.PointResult, len(docs)), Score: r.Score, Tier: checklist.Tier(r.Tier),
		EvaluatedPoints: r.EvaluatedPoints, FailedPoints: r.FailedPoints, FailedCritical: r.FailedCritical}
	for i, d := range docs {
		ev := d.Evidence
		if ev == nil {
			ev = []string{}
		}
		res.Points[i] = checklist.PointResult{Code: d.Code, Title: d.Title, Area: d.Area, Severity: checklist.Severity(d.Severity),
			Weight: d.Weight, Status: checklist.PointStatus(d.Status), Metric: d.Metric, Value: d.Value,
			Threshold: d.Threshold, Samples: d.Samples, Evidence: ev}
	}
	sc := audit.Scorecard{ID: r.ID, SellerID: r.SellerID, Period: audit.Period{Start: start, End: end},
		CharterVersion: r.CharterVersion, Status: audit.Draft, Result: res, CreatedAt: r.CreatedAt.UTC()}
	if r.ApprovedAt != nil {
		sc.Status = audit.Approved
		sc.Review = &audit.Review{ApprovedAt: r.ApprovedAt.UTC()}
		if r.ApprovedBy != nil {
			sc.Review.ApprovedBy = *r.ApprovedBy
		}
		if r.Comment != nil {
			sc.Review.Comment = *r.Comment
		}
	}
	if r.SupersededBy != nil && sc.Review == nil {
		// Never both: approval refuses a superseded draft, and a re-audit supersedes only
		// the draft in the slot, which approval empties.
		sc.Status, sc.SupersededBy = audit.Superseded, *r.SupersededBy
	}
	return sc, nil
}

// scorecardQuery selects scorecards with their review and their successor, if any, joined.
func scorecardQuery(db *gorm.DB) *gorm.DB {
	return db.Table("scorecards").
		Select("scorecards.*, r.approved_by, r.comment, r.approved_at, x.superseded_by").
		Joins("LEFT JOIN scorecard_reviews r ON r.scorecard_id = scorecards.id").
		Joins("LEFT JOIN scorecard_supersessions x ON x.scorecard_id = scorecards.id")
}

// AuditPhase and AuditResult are the domain's.
type (
	AuditPhase  = audit.AuditPhase
	AuditResult = audit.AuditResult
)

// The phases of AuditSellers, in order.
const (
	PhaseFacts      = audit.PhaseFacts
	PhaseEvaluating = audit.PhaseEvaluating
	PhaseSaving     = audit.PhaseSaving
)

// AuditSellers audits sellers over p against compiled: it computes their facts, evaluates the
// charter and stores one draft scorecard per seller. It is AuditSellersProgress without
// progress reports.
func (s *Store) AuditSellers(ctx context.Context, by audit.Principal, p audit.Period, compiled *checklist.Compiled, sellerIDs []string) (AuditResult, error) {
	return s.AuditSellersProgress(ctx, by, p, compiled, sellerIDs, nil)
}

// AuditSellersProgress audits the named sellers, or every seller when sellerIDs is empty, over
// p against compiled, calling progress (when not nil) at the start of each phase with the
// number of sellers.
//
// Every seller audited gets a new draft scorecard. A seller has at most one current draft per
// period and charter version: re-auditing supersedes it. The older draft is kept, unchanged
// (nothing is deleted, and scorecard rows are never updated), with status superseded and the
// id of the new draft as its successor. Approved scorecards are final and stay as they are,
// beside the new draft: a re-audit after approval, with data that arrived since, is a new draft
// to review, not a change to what was approved. An unknown seller id is audit.ErrNotFound.
//
// The one current draft is kept by the database: scorecard_drafts holds one row, the draft
// slot, per seller, period and charter version, naming the current draft. A run moves each
// slot to its new draft and records the older one in scorecard_supersessions; approval empties
// the slot.
//
// Facts are read before the write transaction, so that the single SQLite writer is not held
// during the aggregation; every scorecard of the run is then written in one transaction, so a
// failure leaves none of them. On PostgreSQL that transaction first takes an advisory lock, so
// that runs (and approvals) of several server processes serialize instead of racing; the
// primary keys of the slots and of the supersessions are the second guarantee against
// duplicate drafts (a run that lost a race would fail with audit.ErrConflict rather than add a
// second current draft or fork the chain).
func (s *Store) AuditSellersProgress(ctx context.Context, by audit.Principal, p audit.Period, compiled *checklist.Compiled, sellerIDs []string, progress func(phase AuditPhase, sellers int)) (AuditResult, error) {
	if progress == nil {
		progress = func(AuditPhase, int) {}
	}
	explicit := len(sellerIDs) > 0
	if explicit {
		if err := s.sellersExist(ctx, sellerIDs); err != nil {
			return AuditResult{}, err
		}
	}
	progress(PhaseFacts, len(sellerIDs))
	now := s.now()
	facts, err := s.Facts(ctx, p, sellerIDs)
	if err != nil {
		return AuditResult{}, err
	}
	ids := make([]string, 0, len(facts))
	for id := range facts {
		ids = append(ids, id)
	}
	slices.Sort(ids)

	progress(PhaseEvaluating, len(ids))
	charter := compiled.Charter()
	cards := make([]audit.Scorecard, len(ids))
	for i, id := range ids {
		cards[i] = audit.NewScorecard(s.newID("sc"), id, p, charter.Version, compiled.Evaluate(facts[id].Metrics()), now)
	}

	progress(PhaseSaving, len(cards))
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.lockAudits(tx); err != nil {
			return err
		}
		current, err := currentDrafts(tx, p, charter.Version, ids, explicit)
		if err != nil {
			return err
		}
		if len(cards) == 0 {
			return nil
		}
		replaced := make([]string, 0, len(current))
		for _, d := range current {
			replaced = append(replaced, d.ScorecardID)
		}
		// The slots of the older drafts are emptied, to be filled with the new drafts below.
		for chunk := range slices.Chunk(replaced, sellerChunk) {
			if err := tx.Where("scorecard_id IN ?", chunk).Delete(&draftSlotRow{}).Error; err != nil {
				return err
			}
		}
		rows := make([]scorecardRow, len(cards))
		slots := make([]draftSlotRow, len(cards))
		created := make([]string, len(cards))
		for i, sc := range cards {
			row, err := newScorecardRow(sc)
			if err != nil {
				return err
			}
			rows[i] = row
			slots[i] = draftSlotRow{SellerID: row.SellerID, PeriodStart: row.PeriodStart, PeriodEnd: row.PeriodEnd,
				CharterVersion: row.CharterVersion, ScorecardID: row.ID}
			created[i] = sc.ID
		}
		if err := tx.CreateInBatches(rows, 100).Error; err != nil {
			return err
		}
		if err := tx.CreateInBatches(slots, 500).Error; err != nil {
			return err
		}
		if err := s.record(tx, by, "create", "scorecard", created...); err != nil {
			return err
		}
		if len(current) == 0 {
			return nil
		}
		// Each older draft is superseded by the new draft of its seller (cards and current
		// are both in seller order, and every seller of current was audited).
		successor := make(map[string]string, len(cards))
		for _, sc := range cards {
			successor[sc.SellerID] = sc.ID
		}
		sups := make([]supersessionRow, len(current))
		for i, d := range current {
			sups[i] = supersessionRow{ScorecardID: d.ScorecardID, SupersededBy: successor[d.SellerID], SupersededAt: now}
		}
		if err := tx.CreateInBatches(sups, 500).Error; err != nil {
			return err
		}
		return s.record(tx, by, "supersede", "scorecard", replaced...)
	})
	if err != nil {
		return AuditResult{}, translate(err, "audit")
	}
	return AuditResult{Scorecards: cards}, nil
}

// lockAudits takes the transaction-scoped advisory lock of audits on PostgreSQL. SQLite needs
// none: its single writer connection and immediate transactions serialize writers already.
func (s *Store) lockAudits(tx *gorm.DB) error {
	if s.driver != Postgres {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", auditLockKey).Error
}

// sellersExist reports audit.ErrNotFound naming the first unknown seller of ids.
func (s *Store) sellersExist(ctx context.Context, ids []string) error {
	found := map[string]bool{}
	for chunk := range slices.Chunk(ids, sellerChunk) {
		var got []string
		if err := s.read.WithContext(ctx).Model(&sellerRow{}).Where("id IN ?", chunk).Pluck("id", &got).Error; err != nil {
			return translate(err, "sellers")
		}
		for _, id := range got {
			found[id] = true
		}
	}
	for _, id := range ids {
		if !found[id] {
			return translate(gorm.ErrRecordNotFound, "seller "+id)
		}
	}
	return nil
}

// draftSlotRow is the draft slot of one seller, period and charter version: the one draft
// scorecard it may have. Its primary key is what keeps a second draft out.
type draftSlotRow struct {
	SellerID       string `gorm:"column:seller_id;primaryKey"`
	PeriodStart    string `gorm:"column:period_start;primaryKey"`
	PeriodEnd      string `gorm:"column:period_end;primaryKey"`
	CharterVersion string `gorm:"column:charter_version;primaryKey"`
	ScorecardID    string `gorm:"column:scorecard_id"`
}

func (draftSlotRow) TableName() string { return "scorecard_drafts" }

// currentDrafts lists, in seller order, the draft slots of one period and charter version of
// the sellers in ids. When ids are every seller (not explicit), it reads every slot of the
// period at once and leaves out sellers that are not in ids (created after the run read its
// list): their draft is not this run's to supersede.
func currentDrafts(tx *gorm.DB, p audit.Period, version string, ids []string, explicit bool) ([]draftSlotRow, error) {
	q := "SELECT d.scorecard_id, d.seller_id FROM scorecard_drafts d" +
		" WHERE d.period_start = ? AND d.period_end = ? AND d.charter_version = ?"
	base := []any{p.Start.UTC().Format(time.DateOnly), p.End.UTC().Format(time.DateOnly), version}
	audited := make(map[string]bool, len(ids))
	for _, id := range ids {
		audited[id] = true
	}
	var out []draftSlotRow
	run := func(q string, args []any) error {
		return scanRows(tx.Raw(q+" ORDER BY d.seller_id", args...), func(rows *sql.Rows) error {
			var id, seller string
			if err := rows.Scan(&id, &seller); err != nil {
				return err
			}
			if audited[seller] {
				out = append(out, draftSlotRow{SellerID: seller, ScorecardID: id})
			}
			return nil
		})
	}
	if !explicit {
		return out, run(q, base)
	}
	for chunk := range slices.Chunk(ids, sellerChunk) {
		if err := run(q+" AND d.seller_id IN ?", append(slices.Clone(base), chunk)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Scorecard returns one scorecard with its review.
func (s *Store) Scorecard(ctx context.Context, id string) (audit.Scorecard, error) {
	return s.scorecard(s.read.WithContext(ctx), id)
}

func (s *Store) scorecard(db *gorm.DB, id string) (audit.Scorecard, error) {
	var row scorecardReadRow
	if err := scorecardQuery(db).Where("scorecards.id = ?", id).Take(&row).Error; err != nil {
		return audit.Scorecard{}, translate(err, "scorecard "+id)
	}
	return row.domain()
}

// ScorecardFilter is audit.ScorecardFilter.
type ScorecardFilter = audit.ScorecardFilter

// Scorecards lists scorecards newest first.
func (s *Store) Scorecards(ctx context.Context, f ScorecardFilter, p Page) ([]audit.Scorecard, string, error) {
	q := scorecardQuery(s.read.WithContext(ctx))
	if f.SellerID != "" {
		q = q.Where("scorecards.seller_id = ?", f.SellerID)
	}
	switch f.Status {
	case "":
		q = q.Where("x.scorecard_id IS NULL")
	case audit.Approved:
		q = q.Where("r.scorecard_id IS NOT NULL")
	case audit.Draft:
		q = q.Where("r.scorecard_id IS NULL AND x.scorecard_id IS NULL")
	case audit.Superseded:
		q = q.Where("x.scorecard_id IS NOT NULL")
	default:
		return nil, "", fmt.Errorf("scorecard status %q: %w", f.Status, audit.ErrInvalid)
	}
	if !f.From.IsZero() {
		q = q.Where("scorecards.period_start >= ?", f.From.UTC().Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		q = q.Where("scorecards.period_end <= ?", f.To.UTC().Format(time.DateOnly))
	}
	var rows []scorecardReadRow
	next, err := applyPage(p, q, &rows, true)
	if err != nil {
		return nil, "", translate(err, "scorecards")
	}
	out := make([]audit.Scorecard, len(rows))
	for i, r := range rows {
		if out[i], err = r.domain(); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// ApproveScorecard records the review of a draft scorecard and opens its corrective actions
// (audit.Approve decides which, and when they are due), all in one transaction. The scorecard
// row itself is never touched: approval is the insert of its review, and the delete of its
// draft slot. Approving twice is audit.ErrConflict, whether the second attempt comes later or
// races the first; approving a superseded draft is an *audit.SupersededError naming its
// successor. The audit lock (and SQLite's single writer) orders approvals and audits, so a
// draft is never both approved and superseded.
func (s *Store) ApproveScorecard(ctx context.Context, by audit.Principal, id, comment string) (audit.Scorecard, []audit.CorrectiveAction, error) {
	var sc audit.Scorecard
	var actions []audit.CorrectiveAction
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.lockAudits(tx); err != nil {
			return err
		}
		cur, err := s.scorecard(tx, id)
		if err != nil {
			return err
		}
		sc, actions, err = audit.Approve(cur, by, comment, s.now(), func() string { return s.newID("ca") })
		if err != nil {
			return err
		}
		rv := reviewRow{ScorecardID: sc.ID, ApprovedBy: sc.Review.ApprovedBy, Comment: sc.Review.Comment, ApprovedAt: sc.Review.ApprovedAt}
		if err := tx.Create(&rv).Error; err != nil {
			return translate(err, "review of scorecard "+id) // a duplicate is ErrConflict
		}
		// The scorecard leaves its draft slot: the next audit of its period adds a new draft
		// beside it instead of replacing it.
		if err := tx.Where("scorecard_id = ?", sc.ID).Delete(&draftSlotRow{}).Error; err != nil {
			return err
		}
		if err := s.record(tx, by, "approve", "scorecard", sc.ID); err != nil {
			return err
		}
		if len(actions) == 0 {
			return nil
		}
		rows := make([]actionRow, len(actions))
		ids := make([]string, len(actions))
		for i, a := range actions {
			rows[i] = newActionRow(a)
			ids[i] = a.ID
		}
		if err := tx.CreateInBatches(rows, 100).Error; err != nil {
			return err
		}
		return s.record(tx, by, "create", "corrective_action", ids...)
	})
	if err != nil {
		return audit.Scorecard{}, nil, translate(err, "approve scorecard "+id)
	}
	return sc, actions, nil
}

// ScorecardRaw is one scorecard as the HTTP read path serves it: the scorecard without its
// point results (Result.Points is nil) and the stored points JSON, which is kept in exactly
// the shape of the API's points array, so that serving a scorecard needs no decoding and
// re-encoding of its (up to tens of KiB of) evidence ids.
type ScorecardRaw struct {
	Scorecard audit.Scorecard
	Points    []byte
}

// scorecardRawQuery reads one scorecard with its review (the one parameter is its id).
var scorecardRawQuery = preparedQuery{name: "scorecard-raw",
	sql: "SELECT s.id, s.seller_id, s.period_start, s.period_end, s.charter_version, s.score, s.tier, " +
		"s.evaluated_points, s.failed_points, s.failed_critical, s.points, s.created_at, " +
		"r.approved_by, r.comment, r.approved_at, x.superseded_by " +
		"FROM scorecards s LEFT JOIN scorecard_reviews r ON r.scorecard_id = s.id " +
		"LEFT JOIN scorecard_supersessions x ON x.scorecard_id = s.id WHERE s.id = ?"}

// ScorecardRaw returns one scorecard with its review and its points as stored JSON (see
// ScorecardRaw). It reads the same row as Scorecard, with one prepared statement.
func (s *Store) ScorecardRaw(ctx context.Context, id string) (ScorecardRaw, error) {
	stmt, err := s.prepared(ctx, scorecardRawQuery)
	if err != nil {
		return ScorecardRaw{}, translate(err, "scorecard "+id)
	}
	var (
		r                 scorecardReadRow
		score             sql.NullFloat64
		points            []byte
		approvedBy, comnt sql.NullString
		approvedAt        sql.NullTime
		supersededBy      sql.NullString
	)
	err = stmt.QueryRowContext(ctx, id).Scan(&r.ID, &r.SellerID, &r.PeriodStart, &r.PeriodEnd, &r.CharterVersion,
		&score, &r.Tier, &r.EvaluatedPoints, &r.FailedPoints, &r.FailedCritical, &points, &r.CreatedAt,
		&approvedBy, &comnt, &approvedAt, &supersededBy)
	if errors.Is(err, sql.ErrNoRows) {
		return ScorecardRaw{}, fmt.Errorf("scorecard %s: %w", id, audit.ErrNotFound)
	}
	if err != nil {
		return ScorecardRaw{}, translate(err, "scorecard "+id)
	}
	if score.Valid {
		r.Score = &score.Float64
	}
	if approvedAt.Valid {
		r.ApprovedAt = &approvedAt.Time
		r.ApprovedBy, r.Comment = &approvedBy.String, &comnt.String
	}
	if supersededBy.Valid {
		r.SupersededBy = &supersededBy.String
	}
	if points, err = apiPoints(r.ID, points); err != nil {
		return ScorecardRaw{}, err
	}
	r.Points = "[]" // the points are served as stored; domain decodes none
	sc, err := r.domain()
	if err != nil {
		return ScorecardRaw{}, err
	}
	sc.Result.Points = nil
	return ScorecardRaw{Scorecard: sc, Points: points}, nil
}

// apiPoints returns the stored points JSON as the API serves it. newScorecardRow always
// writes an array with an evidence array in every point; anything else (a null array or a
// null evidence list) is decoded and written again in that form, as domain would read it.
func apiPoints(id string, stored []byte) ([]byte, error) {
	if len(stored) > 0 && stored[0] == '[' && !bytes.Contains(stored, []byte(`"evidence":null`)) {
		return stored, nil
	}
	var docs []pointDoc
	if err := json.Unmarshal(stored, &docs); err != nil {
		return nil, fmt.Errorf("scorecard %s: stored points: %w", id, err)
	}
	if docs == nil {
		docs = []pointDoc{}
	}
	for i := range docs {
		if docs[i].Evidence == nil {
			docs[i].Evidence = []string{}
		}
	}
	return json.Marshal(docs)
}
