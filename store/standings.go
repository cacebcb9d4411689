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
	"github.com/refurbqa/refurbqa/checklist"
)

// The managers' lists over every seller (audit.StandingStore): the overview, the seller list
// with each seller's standing, and the review queue of a period. Each is a handful of
// statements whose cost follows the number of sellers, not their history: a seller's standing
// is kept in seller_standings (migration 00009), rewritten in the transaction of each approval
// by refreshStanding.

// refreshStanding rewrites the standing of one seller from its approved scorecards, inside
// the transaction that approved one of them, by the domain's rule (audit.StandingOf). It reads
// the seller's scorecards by their seller index, then which of them have a review by the
// reviews' primary key: two lookups whose plans do not depend on the database's statistics.
// (Migration 00009 backfilled the table with the same rule in SQL, over every seller; a test
// holds the two to the same answers.)
func refreshStanding(tx *gorm.DB, sellerID string) error {
	var cards []audit.Scorecard
	err := scanRows(tx.Raw("SELECT id, period_start, period_end, score, tier, created_at FROM scorecards WHERE seller_id = ?", sellerID),
		func(rows *sql.Rows) error {
			var (
				sc         audit.Scorecard
				start, end string
				score      sql.NullFloat64
				tier       string
			)
			if err := rows.Scan(&sc.ID, &start, &end, &score, &tier, &sc.CreatedAt); err != nil {
				return err
			}
			var err error
			if sc.Period, err = storedPeriod(start, end); err != nil {
				return fmt.Errorf("scorecard %s: %w", sc.ID, err)
			}
			sc.SellerID, sc.Result.Tier, sc.CreatedAt = sellerID, checklist.Tier(tier), sc.CreatedAt.UTC()
			if score.Valid {
				v := score.Float64
				sc.Result.Score = &v
			}
			cards = append(cards, sc)
			return nil
		})
	if err != nil {
		return err
	}
	reviewed := map[string]bool{}
	ids := make([]string, len(cards))
	for i, sc := range cards {
		ids[i] = sc.ID
	}
	for chunk := range slices.Chunk(ids, idChunk) {
		var got []string
		if err := tx.Model(&reviewRow{}).Where("scorecard_id IN ?", chunk).Pluck("scorecard_id", &got).Error; err != nil {
			return err
		}
		for _, id := range got {
			reviewed[id] = true
		}
	}
	for i := range cards {
		if reviewed[cards[i].ID] {
			cards[i].Status = audit.Approved
		}
	}
	if err := tx.Exec("DELETE FROM seller_standings WHERE seller_id = ?", sellerID).Error; err != nil {
		return err
	}
	latest, previous := audit.StandingOf(cards)
	if latest == nil {
		return nil
	}
	row := map[string]any{"seller_id": sellerID, "scorecard_id": latest.ScorecardID,
		"period_start": latest.Period.Start.Format(time.DateOnly), "period_end": latest.Period.End.Format(time.DateOnly),
		"score": latest.Score, "tier": string(latest.Tier)}
	if previous != nil {
		row["previous_id"], row["previous_tier"], row["previous_score"] = previous.ScorecardID, string(previous.Tier), previous.Score
		row["previous_start"], row["previous_end"] = previous.Period.Start.Format(time.DateOnly), previous.Period.End.Format(time.DateOnly)
	}
	return tx.Table("seller_standings").Create(row).Error
}

// fold is a text column compared without the case of ASCII letters, byte by byte: the same
// order and the same matches on SQLite (whose lower() folds ASCII only and which compares
// bytes) and on PostgreSQL, whatever the database's collation (the C collation folds ASCII
// only too).
func (s *Store) fold(col string) string {
	if s.driver == Postgres {
		return "lower(" + col + ` COLLATE "C")`
	}
	return "lower(" + col + ")"
}

// bytewise is a text column compared byte by byte on both databases.
func (s *Store) bytewise(col string) string {
	if s.driver == Postgres {
		return col + ` COLLATE "C"`
	}
	return col
}

// listColumns name the columns a list is ordered by. Without a name column, entries of equal
// score or tier are in id order.
type listColumns struct{ name, country, score, tier, id string }

// orderKeys are the sort keys of o over cols (audit.ListOrder): every key ascending, or every
// one descending when desc, so that a page's position compares as one row value. Scores and
// tiers sort worst first ascending and best first descending with the entries without a score
// last either way: their descending order is an ascending one over negated scores and the
// other ranking of tiers.
func (s *Store) orderKeys(o audit.ListOrder, c listColumns) (keys []string, desc bool) {
	noScore := "CASE WHEN " + c.score + " IS NULL THEN 1 ELSE 0 END"
	score := "COALESCE(" + c.score + ", 0)"
	if o.Desc {
		score = "-" + score
	}
	ties := []string{c.id}
	if c.name != "" {
		ties = []string{s.fold(c.name), c.id}
	}
	switch o.By {
	case audit.SortCountry:
		return append([]string{s.bytewise(c.country)}, ties...), o.Desc
	case audit.SortScore:
		return append([]string{noScore, score}, ties...), false
	case audit.SortTier:
		var b strings.Builder
		b.WriteString("CASE " + c.tier)
		for _, t := range audit.Tiers {
			fmt.Fprintf(&b, " WHEN '%s' THEN %d", t, audit.TierRank(t, o.Desc))
		}
		fmt.Fprintf(&b, " ELSE %d END", audit.TierRank(audit.TierNone, o.Desc))
		return append([]string{b.String(), noScore, score}, ties...), false
	default:
		return ties, o.Desc
	}
}

// keyset is the page condition and the order of a list sorted by keys: the rows after the
// row whose keys sel selects for the cursor's id (before it when desc), in order.
func keyset(keys []string, desc bool, sel string) (where, order string) {
	tuple := "(" + strings.Join(keys, ", ") + ")"
	cmp, dir := " > ", ""
	if desc {
		cmp, dir = " < ", " DESC"
	}
	where = tuple + cmp + "(SELECT " + strings.Join(keys, ", ") + " " + sel + ")"
	order = strings.Join(keys, dir+", ") + dir
	return where, order
}

// likeContains is the LIKE pattern of the texts that contain q, its ASCII letters lowered as
// fold lowers the column, with LIKE's own characters escaped by a backslash.
func likeContains(q string) string {
	var b strings.Builder
	b.WriteByte('%')
	for _, r := range q {
		switch {
		case r == '%' || r == '_' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + ('a' - 'A'))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('%')
	return b.String()
}

// standingFrom is every seller with its standing, if any.
const standingFrom = "FROM sellers se LEFT JOIN seller_standings st ON st.seller_id = se.id"

// SellerStandings lists the sellers with their standing as f narrows and orders them
// (audit.StandingFilter), one page at a time after the seller the cursor names.
func (s *Store) SellerStandings(ctx context.Context, f audit.StandingFilter, p Page) ([]audit.Standing, string, error) {
	after, err := DecodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	keys, desc := s.orderKeys(f.Order, listColumns{name: "se.name", country: "se.country", score: "st.score", tier: "st.tier", id: "se.id"})
	var conds []string
	var args []any
	if f.Query != "" {
		conds = append(conds, s.fold("se.name")+` LIKE ? ESCAPE '\' OR se.id = ?`)
		args = append(args, likeContains(f.Query), f.Query)
	}
	switch f.Tier {
	case "":
	case audit.TierNone:
		conds = append(conds, "st.seller_id IS NULL")
	default:
		conds = append(conds, "st.tier = ?")
		args = append(args, string(f.Tier))
	}
	page, order := keyset(keys, desc, standingFrom+" WHERE se.id = ?")
	if after != "" {
		conds = append(conds, page)
		args = append(args, after)
	}
	q := standingSelectList
	if len(conds) > 0 {
		q += " WHERE (" + strings.Join(conds, ") AND (") + ")"
	}
	n := pageLimit(p)
	q += " ORDER BY " + order + fmt.Sprintf(" LIMIT %d", n+1)
	out, err := scanStandings(s.read.WithContext(ctx).Raw(q, args...))
	if err != nil {
		return nil, "", translate(err, "seller standings")
	}
	if len(out) <= n {
		return out, "", nil
	}
	out = out[:n]
	return out, EncodeCursor(out[n-1].Seller.ID), nil
}

// SellerStanding returns one seller with its standing.
func (s *Store) SellerStanding(ctx context.Context, sellerID string) (audit.Standing, error) {
	out, err := scanStandings(s.read.WithContext(ctx).Raw(standingSelectList+" WHERE se.id = ?", sellerID))
	if err != nil {
		return audit.Standing{}, translate(err, "seller "+sellerID)
	}
	if len(out) == 0 {
		return audit.Standing{}, fmt.Errorf("seller %s: %w", sellerID, audit.ErrNotFound)
	}
	return out[0], nil
}

// standingSelectList selects sellers with their standing, for scanStandings.
const standingSelectList = "SELECT se.id, se.name, se.country, se.contact_email, se.created_at, st.scorecard_id, st.period_start, st.period_end, " +
	"st.score, st.tier, st.previous_id, st.previous_start, st.previous_end, st.previous_tier, st.previous_score " + standingFrom

// scanStandings reads the rows of a standingSelectList query.
func scanStandings(q *gorm.DB) ([]audit.Standing, error) {
	var out []audit.Standing
	err := scanRows(q, func(rows *sql.Rows) error {
		var (
			st                   audit.Standing
			id, start, end, tier sql.NullString
			pid, pstart, pend    sql.NullString
			ptier                sql.NullString
			score, pscore        sql.NullFloat64
			createdAt            time.Time
		)
		if err := rows.Scan(&st.Seller.ID, &st.Seller.Name, &st.Seller.Country, &st.Seller.ContactEmail, &createdAt,
			&id, &start, &end, &score, &tier, &pid, &pstart, &pend, &ptier, &pscore); err != nil {
			return err
		}
		st.Seller.CreatedAt = createdAt.UTC()
		var err error
		if st.Latest, err = scoreMark(id, start, end, score, tier); err != nil {
			return err
		}
		if st.Previous, err = scoreMark(pid, pstart, pend, pscore, ptier); err != nil {
			return err
		}
		out = append(out, st)
		return nil
	})
	return out, err
}

// scoreMark reads a scorecard of a standing row: nil when the row has none.
func scoreMark(id, start, end sql.NullString, score sql.NullFloat64, tier sql.NullString) (*audit.ScoreMark, error) {
	if !id.Valid {
		return nil, nil
	}
	p, err := storedPeriod(start.String, end.String)
	if err != nil {
		return nil, fmt.Errorf("standing scorecard %s: %w", id.String, err)
	}
	m := &audit.ScoreMark{ScorecardID: id.String, Period: p, Tier: checklist.Tier(tier.String)}
	if score.Valid {
		v := score.Float64
		m.Score = &v
	}
	return m, nil
}

// storedPeriod reads a period as scorecards keep it.
func storedPeriod(start, end string) (audit.Period, error) {
	s, err := time.Parse(time.DateOnly, start)
	if err != nil {
		return audit.Period{}, fmt.Errorf("stored period: %w", err)
	}
	e, err := time.Parse(time.DateOnly, end)
	if err != nil {
		return audit.Period{}, fmt.Errorf("stored period: %w", err)
	}
	return audit.Period{Start: s, End: e}, nil
}

// ReviewQueue lists the current drafts of one period (those in a draft slot: superseded ones
// left theirs), without their points, as f orders them, one page at a time after the
// scorecard the cursor names. Drafts of equal tier or score are in scorecard id order, so that
// a page is chosen from the covering index scorecards_review and the draft slots alone, and
// only its own drafts are joined to their sellers' names; sorted by name, every draft is.
func (s *Store) ReviewQueue(ctx context.Context, f audit.ReviewFilter, p Page) ([]audit.ScorecardSummary, string, error) {
	after, err := DecodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	inner := listColumns{score: "s.score", tier: "s.tier", id: "s.id"}
	outer := listColumns{score: "q.score", tier: "q.tier", id: "q.id"}
	from, sel := "FROM scorecards s JOIN scorecard_drafts d ON d.scorecard_id = s.id", "FROM scorecards s WHERE s.id = ?"
	if f.Order.By == audit.SortName {
		inner.name, outer.name = "se.name", "se.name"
		from += " JOIN sellers se ON se.id = s.seller_id"
		sel = "FROM scorecards s JOIN sellers se ON se.id = s.seller_id WHERE s.id = ?"
	}
	keys, desc := s.orderKeys(f.Order, inner)
	conds := []string{"s.period_start = ?", "s.period_end = ?"}
	args := []any{f.Period.Start.UTC().Format(time.DateOnly), f.Period.End.UTC().Format(time.DateOnly)}
	page, order := keyset(keys, desc, sel)
	if after != "" {
		conds = append(conds, page)
		args = append(args, after)
	}
	n := pageLimit(p)
	outerKeys, _ := s.orderKeys(f.Order, outer)
	_, outerOrder := keyset(outerKeys, desc, "")
	q := "SELECT q.id, q.seller_id, se.name, q.period_start, q.period_end, q.charter_version, q.score, q.tier, " +
		"q.evaluated_points, q.failed_points, q.failed_critical FROM (" +
		"SELECT s.id, s.seller_id, s.period_start, s.period_end, s.charter_version, s.score, s.tier, " +
		"s.evaluated_points, s.failed_points, s.failed_critical " + from +
		" WHERE " + strings.Join(conds, " AND ") + " ORDER BY " + order + fmt.Sprintf(" LIMIT %d", n+1) +
		") q JOIN sellers se ON se.id = q.seller_id ORDER BY " + outerOrder
	var out []audit.ScorecardSummary
	err = scanRows(s.read.WithContext(ctx).Raw(q, args...), func(rows *sql.Rows) error {
		var (
			sc         audit.ScorecardSummary
			start, end string
			tier       string
			score      sql.NullFloat64
		)
		if err := rows.Scan(&sc.ID, &sc.SellerID, &sc.SellerName, &start, &end, &sc.CharterVersion, &score, &tier,
			&sc.EvaluatedPoints, &sc.FailedPoints, &sc.FailedCritical); err != nil {
			return err
		}
		var err error
		if sc.Period, err = storedPeriod(start, end); err != nil {
			return fmt.Errorf("scorecard %s: %w", sc.ID, err)
		}
		sc.Tier, sc.Status = checklist.Tier(tier), audit.Draft
		if score.Valid {
			v := score.Float64
			sc.Score = &v
		}
		out = append(out, sc)
		return nil
	})
	if err != nil {
		return nil, "", translate(err, "review queue")
	}
	if len(out) <= n {
		return out, "", nil
	}
	out = out[:n]
	return out, EncodeCursor(out[n-1].ID), nil
}

// Overview counts the sellers by the tier of their standing, the current drafts of each
// period, the plans waiting for verification and the actions not closed and past due at at.
func (s *Store) Overview(ctx context.Context, at time.Time) (audit.Overview, error) {
	db := s.read.WithContext(ctx)
	o := audit.Overview{At: at.UTC()}
	var sellers int64
	if err := db.Model(&sellerRow{}).Count(&sellers).Error; err != nil {
		return audit.Overview{}, translate(err, "overview")
	}
	o.Sellers = int(sellers)
	byTier := map[checklist.Tier]int{}
	rated := 0
	err := scanRows(db.Raw("SELECT tier, COUNT(*) FROM seller_standings GROUP BY tier"), func(rows *sql.Rows) error {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return err
		}
		byTier[checklist.Tier(t)] += n
		rated += n
		return nil
	})
	if err != nil {
		return audit.Overview{}, translate(err, "overview")
	}
	byTier[audit.TierNone] = o.Sellers - rated
	for _, t := range audit.Tiers {
		o.Tiers = append(o.Tiers, audit.TierCount{Tier: t, Sellers: byTier[t]})
	}
	err = scanRows(db.Raw("SELECT period_start, period_end, COUNT(*) FROM scorecard_drafts GROUP BY period_start, period_end "+
		"ORDER BY period_end DESC, period_start DESC"), func(rows *sql.Rows) error {
		var start, end string
		var n int
		if err := rows.Scan(&start, &end, &n); err != nil {
			return err
		}
		p, err := storedPeriod(start, end)
		if err != nil {
			return err
		}
		o.Drafts = append(o.Drafts, audit.DraftPeriod{Period: p, Drafts: n})
		return nil
	})
	if err != nil {
		return audit.Overview{}, translate(err, "overview")
	}
	err = db.Raw("SELECT (SELECT COUNT(*) FROM corrective_actions WHERE status = ?), "+
		"(SELECT COUNT(*) FROM corrective_actions WHERE status IN (?, ?) AND due_at < ?)",
		string(audit.ActionPlanSubmitted), string(audit.ActionOpen), string(audit.ActionPlanSubmitted), at.UTC()).
		Row().Scan(&o.PlansToVerify, &o.Overdue)
	if err != nil {
		return audit.Overview{}, translate(err, "overview")
	}
	return o, nil
}

// RecordCounts counts the bench tests and mystery orders of a seller in force: every record
// less the corrections, since each correction replaces exactly one record of the same seller.
func (s *Store) RecordCounts(ctx context.Context, sellerID string) (audit.RecordCounts, error) {
	var c audit.RecordCounts
	err := s.read.WithContext(ctx).Raw("SELECT "+
		"(SELECT COUNT(*) FROM bench_tests WHERE seller_id = ?) - (SELECT COUNT(*) FROM bench_tests WHERE seller_id = ? AND supersedes IS NOT NULL), "+
		"(SELECT COUNT(*) FROM mystery_orders WHERE seller_id = ?) - (SELECT COUNT(*) FROM mystery_orders WHERE seller_id = ? AND supersedes IS NOT NULL)",
		sellerID, sellerID, sellerID, sellerID).Row().Scan(&c.BenchTests, &c.MysteryOrders)
	if err != nil {
		return audit.RecordCounts{}, translate(err, "records of seller "+sellerID)
	}
	return c, nil
}
