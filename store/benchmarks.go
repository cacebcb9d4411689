package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
)

// Benchmarks (transparency.md §3): what each approved scorecard of a period contributes
// (audit.BenchmarkValues, decided by the domain), kept by ApproveScorecard in the approval's
// transaction as one row per scorecard, and the version of each period's benchmark, which
// every approval of a scorecard of the period moves on. Migration 00017 made both for the
// scorecards approved before it.

// benchmarkScorecardRow is what one approved scorecard contributes to the benchmark of its
// period; Points is in the store's format (encodeBenchmarkPoints).
type benchmarkScorecardRow struct {
	PeriodStart string    `gorm:"column:period_start;primaryKey"`
	PeriodEnd   string    `gorm:"column:period_end;primaryKey"`
	ScorecardID string    `gorm:"column:scorecard_id;primaryKey"`
	SellerID    string    `gorm:"column:seller_id"`
	CreatedAt   time.Time `gorm:"column:created_at"`
	Points      string    `gorm:"column:points"`
}

func (benchmarkScorecardRow) TableName() string { return "benchmark_scorecards" }

// encodeBenchmarkPoints writes the values of one scorecard as the store keeps them: one line
// per point, "code\tmetric\tvalue", the value as strconv writes it shortest, which reads back
// to the same bits. Codes and metric names are charter names and catalogue names, which hold
// neither tabs nor line breaks (checklist.Compile refuses any other).
func encodeBenchmarkPoints(vs []audit.BenchmarkValue) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(v.Code)
		b.WriteByte('\t')
		b.WriteString(v.Metric)
		b.WriteByte('\t')
		b.WriteString(strconv.FormatFloat(v.Value, 'g', -1, 64))
	}
	return b.String()
}

// decodeBenchmarkPoints calls fn with each point of a stored list, the value read from its
// JSON text (as the store writes it, or as migration 00017 copied it from a points document).
// The strings passed share the memory of s.
func decodeBenchmarkPoints(s string, fn func(code, metric string, value float64)) error {
	for s != "" {
		var line string
		line, s, _ = strings.Cut(s, "\n")
		code, rest, ok1 := strings.Cut(line, "\t")
		metric, num, ok2 := strings.Cut(rest, "\t")
		if !ok1 || !ok2 {
			return fmt.Errorf("benchmark point %q: not code, metric and value", line)
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return fmt.Errorf("benchmark point %q: %w", line, err)
		}
		fn(code, metric, v)
	}
	return nil
}

// addBenchmarkValues stores what approved scorecard sc contributes to the benchmark of its
// period, and moves the period's version on, inside the approval's transaction tx.
func addBenchmarkValues(tx *gorm.DB, sc audit.Scorecard) error {
	start, end := sc.Period.Start.UTC().Format(time.DateOnly), sc.Period.End.UTC().Format(time.DateOnly)
	row := benchmarkScorecardRow{PeriodStart: start, PeriodEnd: end, ScorecardID: sc.ID, SellerID: sc.SellerID,
		CreatedAt: sc.CreatedAt.UTC(), Points: encodeBenchmarkPoints(audit.BenchmarkValues(sc))}
	if err := tx.Create(&row).Error; err != nil {
		return err
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
// joined with one row per approved scorecard, read along the primary key of each.
func (s *Store) BenchmarkValues(ctx context.Context, p audit.Period) ([]audit.BenchmarkValue, int64, error) {
	const q = "SELECT g.version, b.scorecard_id, b.seller_id, b.created_at, b.points " +
		"FROM benchmark_versions g LEFT JOIN benchmark_scorecards b " +
		"ON b.period_start = g.period_start AND b.period_end = g.period_end " +
		"WHERE g.period_start = ? AND g.period_end = ?"
	type card struct {
		id, seller, points string
		created            time.Time
	}
	var (
		version int64
		cards   []card
		n       int
	)
	err := scanRows(s.read.WithContext(ctx).Raw(q, p.Start.UTC().Format(time.DateOnly), p.End.UTC().Format(time.DateOnly)),
		func(rows *sql.Rows) error {
			var (
				id, seller, points sql.NullString
				created            sql.NullTime
			)
			if err := rows.Scan(&version, &id, &seller, &created, &points); err != nil {
				return err
			}
			if !id.Valid {
				return nil // a version row without scorecards: only a database changed by hand
			}
			cards = append(cards, card{id: id.String, seller: seller.String, points: points.String, created: created.Time.UTC()})
			if points.String != "" {
				n += strings.Count(points.String, "\n") + 1
			}
			return nil
		})
	if err != nil {
		return nil, 0, translate(err, "benchmark values")
	}
	// The values of a period run to tens of thousands: one slice of the right size.
	out := make([]audit.BenchmarkValue, 0, n)
	for _, c := range cards {
		err = decodeBenchmarkPoints(c.points, func(code, metric string, value float64) {
			out = append(out, audit.BenchmarkValue{ScorecardID: c.id, SellerID: c.seller, CreatedAt: c.created,
				Code: code, Metric: metric, Value: value})
		})
		if err != nil {
			return nil, 0, fmt.Errorf("benchmark values of scorecard %s: %w", c.id, err)
		}
	}
	return out, version, nil
}
