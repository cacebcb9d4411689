package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
)

// Benchmarks (transparency.md §3): what the approved scorecards of each period contribute
// (audit.BenchmarkValues, decided by the domain), kept by ApproveScorecard in the approval's
// transaction, and the version of each period's benchmark, which every approval of a
// scorecard of the period moves on. Migration 00017 made both for the scorecards approved
// before it.

// benchmarkValueRow is one evaluated point of one approved scorecard.
type benchmarkValueRow struct {
	PeriodStart string    `gorm:"column:period_start;primaryKey"`
	PeriodEnd   string    `gorm:"column:period_end;primaryKey"`
	ScorecardID string    `gorm:"column:scorecard_id;primaryKey"`
	Code        string    `gorm:"column:code;primaryKey"`
	SellerID    string    `gorm:"column:seller_id"`
	CreatedAt   time.Time `gorm:"column:created_at"`
	Metric      string    `gorm:"column:metric"`
	Value       float64   `gorm:"column:value"`
}

func (benchmarkValueRow) TableName() string { return "benchmark_values" }

// addBenchmarkValues stores what approved scorecard sc contributes to the benchmark of its
// period, and moves the period's version on, inside the approval's transaction tx.
func addBenchmarkValues(tx *gorm.DB, sc audit.Scorecard) error {
	start, end := sc.Period.Start.UTC().Format(time.DateOnly), sc.Period.End.UTC().Format(time.DateOnly)
	values := audit.BenchmarkValues(sc)
	if len(values) > 0 {
		rows := make([]benchmarkValueRow, len(values))
		for i, v := range values {
			rows[i] = benchmarkValueRow{PeriodStart: start, PeriodEnd: end, ScorecardID: v.ScorecardID, Code: v.Code,
				SellerID: v.SellerID, CreatedAt: v.CreatedAt.UTC(), Metric: v.Metric, Value: v.Value}
		}
		if err := tx.CreateInBatches(rows, 100).Error; err != nil {
			return err
		}
	}
	return tx.Exec("INSERT INTO benchmark_versions (period_start, period_end, version) VALUES (?, ?, 1) "+
		"ON CONFLICT (period_start, period_end) DO UPDATE SET version = benchmark_versions.version + 1", start, end).Error
}

// benchmarkVersionQuery reads the version of one period's benchmark (period_start, period_end).
var benchmarkVersionQuery = preparedQuery{name: "benchmark version",
	sql: "SELECT version FROM benchmark_versions WHERE period_start = ? AND period_end = ?"}

// BenchmarkVersion returns the version of the benchmark of period p, 0 before its first
// approval. It runs on every read of an approved scorecard, so it is one prepared point read
// on the read pool, without the request's cancellation on SQLite, as Authenticate's (a point
// read of a WAL reader never waits for a lock).
func (s *Store) BenchmarkVersion(ctx context.Context, p audit.Period) (int64, error) {
	stmt, err := s.prepared(ctx, benchmarkVersionQuery)
	if err != nil {
		return 0, translate(err, "benchmark version")
	}
	qctx := ctx
	if s.driver == SQLite {
		qctx = context.WithoutCancel(ctx)
	}
	var v int64
	err = stmt.QueryRowContext(qctx, p.Start.UTC().Format(time.DateOnly), p.End.UTC().Format(time.DateOnly)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, translate(err, "benchmark version")
	}
	return v, nil
}

// BenchmarkValues returns the values of every approved scorecard of period p and the version
// of its benchmark, in one query (one snapshot on either database): the period's version row
// joined with its values, read along the primary key of each.
func (s *Store) BenchmarkValues(ctx context.Context, p audit.Period) ([]audit.BenchmarkValue, int64, error) {
	const q = "SELECT g.version, v.scorecard_id, v.seller_id, v.created_at, v.code, v.metric, v.value " +
		"FROM benchmark_versions g LEFT JOIN benchmark_values v " +
		"ON v.period_start = g.period_start AND v.period_end = g.period_end " +
		"WHERE g.period_start = ? AND g.period_end = ?"
	var (
		version int64
		out     []audit.BenchmarkValue
	)
	err := scanRows(s.read.WithContext(ctx).Raw(q, p.Start.UTC().Format(time.DateOnly), p.End.UTC().Format(time.DateOnly)),
		func(rows *sql.Rows) error {
			var (
				id, seller, code, metric sql.NullString
				created                  sql.NullTime
				value                    sql.NullFloat64
			)
			if err := rows.Scan(&version, &id, &seller, &created, &code, &metric, &value); err != nil {
				return err
			}
			if !id.Valid {
				return nil // a period whose approved scorecards evaluated nothing
			}
			out = append(out, audit.BenchmarkValue{ScorecardID: id.String, SellerID: seller.String, CreatedAt: created.Time.UTC(),
				Code: code.String, Metric: metric.String, Value: value.Float64})
			return nil
		})
	if err != nil {
		return nil, 0, translate(err, "benchmark values")
	}
	return out, version, nil
}
