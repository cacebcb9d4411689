package store

import (
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

// Scorecards: the drafts that audit.Service writes, their reads, and their approval. Which
// scorecard an audit makes and what approval decides are the domain's (audit.Service,
// audit.Approve); the store keeps the transactions, the locks and the rows.

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

// pointDoc is the store's format of one point result, as scorecards.points keeps it: a JSON
// array of these. It is the store's own document, not the API's: its names are fixed by the
// rows already written (the API's points happened to have the same ones when the column was
// made), and the API may rename its fields without a data migration, since httpapi encodes
// its answers from the domain's checklist.PointResult. A new field here needs a default for
// the rows written without it.
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

func newPointDoc(p checklist.PointResult) pointDoc {
	ev := p.Evidence
	if ev == nil {
		ev = []string{}
	}
	return pointDoc{Code: p.Code, Title: p.Title, Area: p.Area, Severity: string(p.Severity), Weight: p.Weight,
		Status: string(p.Status), Metric: p.Metric, Value: p.Value, Threshold: p.Threshold, Samples: p.Samples, Evidence: ev}
}

// result is the domain's point result of d; a list of evidence stored as null (rows of early
// releases) reads as an empty one.
func (d pointDoc) result() checklist.PointResult {
	ev := d.Evidence
	if ev == nil {
		ev = []string{}
	}
	return checklist.PointResult{Code: d.Code, Title: d.Title, Area: d.Area, Severity: checklist.Severity(d.Severity),
		Weight: d.Weight, Status: checklist.PointStatus(d.Status), Metric: d.Metric, Value: d.Value,
		Threshold: d.Threshold, Samples: d.Samples, Evidence: ev}
}

func newScorecardRow(sc audit.Scorecard) (scorecardRow, error) {
	docs := make([]pointDoc, len(sc.Result.Points))
	for i, p := range sc.Result.Points {
		docs[i] = newPointDoc(p)
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
		res.Points[i] = d.result()
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

// SaveDrafts stores the new draft scorecards of one audit run over p against charter version
// (audit.Service makes them, one per seller, in seller id order), in one transaction: a
// failure leaves none of them.
//
// A seller has at most one current draft per period and charter version: a new draft
// supersedes it. The older draft is kept, unchanged (nothing is deleted, and scorecard rows are
// never updated), with status superseded and the new draft as its successor. Approved
// scorecards are final and stay as they are, beside the new draft: a re-audit after approval,
// with data that arrived since, is a new draft to review, not a change to what was approved.
//
// The one current draft is kept by the database: scorecard_drafts holds one row, the draft
// slot, per seller, period and charter version, naming the current draft. A run moves each
// slot to its new draft and records the older one in scorecard_supersessions; approval empties
// the slot. On PostgreSQL the transaction first takes an advisory lock, so that runs (and
// approvals) of several server processes serialize instead of racing (SQLite's single writer
// serializes them already); the primary keys of the slots and of the supersessions are the
// second guarantee against duplicate drafts (a run that lost a race fails with
// audit.ErrConflict rather than add a second current draft or fork the chain).
func (s *Store) SaveDrafts(ctx context.Context, by audit.Principal, p audit.Period, version string, cards []audit.Scorecard) error {
	if len(cards) == 0 {
		return nil
	}
	ids := make([]string, len(cards))
	for i, sc := range cards {
		if !sc.Period.Start.Equal(p.Start) || !sc.Period.End.Equal(p.End) || sc.CharterVersion != version || sc.Status != audit.Draft {
			return fmt.Errorf("save drafts: scorecard %s is not a draft of this run", sc.ID)
		}
		ids[i] = sc.SellerID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.lockAudits(tx); err != nil {
			return err
		}
		current, err := currentDrafts(tx, p, version, ids)
		if err != nil {
			return err
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
		// Each older draft is superseded by the new draft of its seller, at the instant the
		// new draft was made.
		successor := make(map[string]audit.Scorecard, len(cards))
		for _, sc := range cards {
			successor[sc.SellerID] = sc
		}
		sups := make([]supersessionRow, len(current))
		for i, d := range current {
			next := successor[d.SellerID]
			sups[i] = supersessionRow{ScorecardID: d.ScorecardID, SupersededBy: next.ID, SupersededAt: next.CreatedAt.UTC()}
		}
		if err := tx.CreateInBatches(sups, 500).Error; err != nil {
			return err
		}
		return s.record(tx, by, "supersede", "scorecard", replaced...)
	})
	if err != nil {
		return translate(err, "audit")
	}
	return nil
}

// lockAudits takes the transaction-scoped advisory lock of audits on PostgreSQL. SQLite needs
// none: its single writer connection and immediate transactions serialize writers already.
func (s *Store) lockAudits(tx *gorm.DB) error {
	if s.driver != Postgres {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", auditLockKey).Error
}

// UnknownSellers returns the ids of ids that name no seller, in the order given, with one
// query per 500 ids.
func (s *Store) UnknownSellers(ctx context.Context, ids []string) ([]string, error) {
	found := map[string]bool{}
	for chunk := range slices.Chunk(ids, sellerChunk) {
		var got []string
		if err := s.read.WithContext(ctx).Model(&sellerRow{}).Where("id IN ?", chunk).Pluck("id", &got).Error; err != nil {
			return nil, translate(err, "sellers")
		}
		for _, id := range got {
			found[id] = true
		}
	}
	var out []string
	for _, id := range ids {
		if !found[id] {
			out = append(out, id)
		}
	}
	return out, nil
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
// the sellers in ids. For up to 500 sellers it names them in the query; for more (a run over
// every seller) it reads every slot of the period at once and leaves out the sellers that are
// not in ids (created after the run read its list): their draft is not this run's to
// supersede.
func currentDrafts(tx *gorm.DB, p audit.Period, version string, ids []string) ([]draftSlotRow, error) {
	q := "SELECT d.scorecard_id, d.seller_id FROM scorecard_drafts d" +
		" WHERE d.period_start = ? AND d.period_end = ? AND d.charter_version = ?"
	args := []any{p.Start.UTC().Format(time.DateOnly), p.End.UTC().Format(time.DateOnly), version}
	audited := make(map[string]bool, len(ids))
	for _, id := range ids {
		audited[id] = true
	}
	if len(ids) <= sellerChunk {
		q += " AND d.seller_id IN ?"
		args = append(args, ids)
	}
	var out []draftSlotRow
	err := scanRows(tx.Raw(q+" ORDER BY d.seller_id", args...), func(rows *sql.Rows) error {
		var id, seller string
		if err := rows.Scan(&id, &seller); err != nil {
			return err
		}
		if audited[seller] {
			out = append(out, draftSlotRow{SellerID: seller, ScorecardID: id})
		}
		return nil
	})
	return out, err
}

// scorecardByID reads one scorecard with its review and its successor (the one parameter is
// its id): the read of GET /scorecards/{id}, prepared once.
var scorecardByID = preparedQuery{name: "scorecard",
	sql: "SELECT s.id, s.seller_id, s.period_start, s.period_end, s.charter_version, s.score, s.tier, " +
		"s.evaluated_points, s.failed_points, s.failed_critical, s.points, s.created_at, " +
		"r.approved_by, r.comment, r.approved_at, x.superseded_by " +
		"FROM scorecards s LEFT JOIN scorecard_reviews r ON r.scorecard_id = s.id " +
		"LEFT JOIN scorecard_supersessions x ON x.scorecard_id = s.id WHERE s.id = ?"}

// Scorecard returns one scorecard with its review, with one prepared statement.
func (s *Store) Scorecard(ctx context.Context, id string) (audit.Scorecard, error) {
	stmt, err := s.prepared(ctx, scorecardByID)
	if err != nil {
		return audit.Scorecard{}, translate(err, "scorecard "+id)
	}
	var (
		r                 scorecardReadRow
		score             sql.NullFloat64
		approvedBy, comnt sql.NullString
		approvedAt        sql.NullTime
		supersededBy      sql.NullString
	)
	err = stmt.QueryRowContext(ctx, id).Scan(&r.ID, &r.SellerID, &r.PeriodStart, &r.PeriodEnd, &r.CharterVersion,
		&score, &r.Tier, &r.EvaluatedPoints, &r.FailedPoints, &r.FailedCritical, &r.Points, &r.CreatedAt,
		&approvedBy, &comnt, &approvedAt, &supersededBy)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Scorecard{}, fmt.Errorf("scorecard %s: %w", id, audit.ErrNotFound)
	}
	if err != nil {
		return audit.Scorecard{}, translate(err, "scorecard "+id)
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
	return r.domain()
}

// scorecard reads one scorecard inside a transaction.
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
	conds, args, err := scorecardConds(f)
	if err != nil {
		return nil, "", err
	}
	q := scorecardQuery(s.read.WithContext(ctx))
	for i, c := range conds {
		q = q.Where(c, args[i]...)
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

// scorecardConds are the conditions of f over scorecards joined with their review (r) and
// their supersession (x), each with its arguments.
func scorecardConds(f ScorecardFilter) ([]string, [][]any, error) {
	var conds []string
	var args [][]any
	add := func(c string, a ...any) {
		conds = append(conds, c)
		args = append(args, a)
	}
	if f.SellerID != "" {
		add("scorecards.seller_id = ?", f.SellerID)
	}
	switch f.Status {
	case "":
		add("x.scorecard_id IS NULL")
	case audit.Approved:
		add("r.scorecard_id IS NOT NULL")
	case audit.Draft:
		add("r.scorecard_id IS NULL AND x.scorecard_id IS NULL")
	case audit.Superseded:
		add("x.scorecard_id IS NOT NULL")
	default:
		return nil, nil, fmt.Errorf("scorecard status %q: %w", f.Status, audit.ErrInvalid)
	}
	if !f.From.IsZero() {
		add("scorecards.period_start >= ?", f.From.UTC().Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		add("scorecards.period_end <= ?", f.To.UTC().Format(time.DateOnly))
	}
	return conds, args, nil
}

// ScorecardSummaries lists scorecards as Scorecards does, newest first, without their
// points: it reads the columns before the points document only, so that a page of large
// scorecards costs no more than a page of small ones (on SQLite, a row's later columns sit
// behind its overflow pages).
func (s *Store) ScorecardSummaries(ctx context.Context, f ScorecardFilter, p Page) ([]audit.ScorecardSummary, string, error) {
	after, err := DecodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	conds, args, err := scorecardConds(f)
	if err != nil {
		return nil, "", err
	}
	var flat []any
	for _, a := range args {
		flat = append(flat, a...)
	}
	if after != "" {
		conds = append(conds, "scorecards.id < ?")
		flat = append(flat, after)
	}
	n := pageLimit(p)
	q := "SELECT scorecards.id, scorecards.seller_id, se.name, scorecards.period_start, scorecards.period_end, " +
		"scorecards.charter_version, scorecards.score, scorecards.tier, scorecards.evaluated_points, " +
		"scorecards.failed_points, scorecards.failed_critical, r.approved_at, x.superseded_by " +
		"FROM scorecards JOIN sellers se ON se.id = scorecards.seller_id " +
		"LEFT JOIN scorecard_reviews r ON r.scorecard_id = scorecards.id " +
		"LEFT JOIN scorecard_supersessions x ON x.scorecard_id = scorecards.id " +
		"WHERE " + strings.Join(conds, " AND ") + fmt.Sprintf(" ORDER BY scorecards.id DESC LIMIT %d", n+1)
	var out []audit.ScorecardSummary
	err = scanRows(s.read.WithContext(ctx).Raw(q, flat...), func(rows *sql.Rows) error {
		var (
			sc           audit.ScorecardSummary
			start, end   string
			tier         string
			score        sql.NullFloat64
			approvedAt   sql.NullTime
			supersededBy sql.NullString
		)
		if err := rows.Scan(&sc.ID, &sc.SellerID, &sc.SellerName, &start, &end, &sc.CharterVersion, &score, &tier,
			&sc.EvaluatedPoints, &sc.FailedPoints, &sc.FailedCritical, &approvedAt, &supersededBy); err != nil {
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
		switch {
		case approvedAt.Valid:
			at := approvedAt.Time.UTC()
			sc.Status, sc.ApprovedAt = audit.Approved, &at
		case supersededBy.Valid:
			sc.Status, sc.SupersededBy = audit.Superseded, supersededBy.String
		}
		out = append(out, sc)
		return nil
	})
	if err != nil {
		return nil, "", translate(err, "scorecards")
	}
	if len(out) <= n {
		return out, "", nil
	}
	out = out[:n]
	return out, EncodeCursor(out[n-1].ID), nil
}

// ApproveScorecard reads scorecard id, has approve decide its review and the corrective
// actions it opens (audit.Service passes audit.Approve, with the store's clock as now), and
// stores both in the same transaction. The scorecard row itself is never touched: approval is
// the insert of its review, and the delete of its draft slot. A second review of one scorecard
// is audit.ErrConflict, whether it comes later or races the first (the review's primary key).
// The audit lock (and SQLite's single writer) orders approvals and audits, so that a draft is
// never both approved and superseded: approve sees the scorecard as the last audit left it.
// The seller's standing (seller_standings) is rewritten in the same transaction, and the
// scorecard's benchmark values added, with the new version of its period's benchmark.
func (s *Store) ApproveScorecard(ctx context.Context, by audit.Principal, id string,
	approve func(sc audit.Scorecard, now time.Time) (audit.Scorecard, []audit.CorrectiveAction, error)) (audit.Scorecard, []audit.CorrectiveAction, error) {
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
		sc, actions, err = approve(cur, s.now())
		if err != nil {
			return err
		}
		if sc.Review == nil || sc.ID != cur.ID {
			return fmt.Errorf("approve scorecard %s: the decision holds no review of it", id)
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
		// The seller's standing follows its approvals (the managers' lists read it).
		if err := refreshStanding(tx, sc.SellerID); err != nil {
			return err
		}
		// So does the benchmark of the period (benchmarks.go).
		if err := addBenchmarkValues(tx, sc); err != nil {
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
