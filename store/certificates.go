package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// The records behind certificates (audit.CertificateStore): verification codes, stored
// canonical in bench_tests.verification_code and mystery_orders.verification_code, each under
// a unique index (migration 12).

// verificationCode returns the code a new record is stored with: the one it comes with, which
// must be canonical, or a new one from the store's random source.
func (s *Store) verificationCode(given string) (string, error) {
	if given == "" {
		return audit.NewVerificationCode(s.random)
	}
	if c, ok := audit.ParseVerificationCode(given); !ok || c != given {
		return "", fmt.Errorf("verification code %q: not canonical: %w", given, audit.ErrInvalid)
	}
	return given, nil
}

// certifiedQuery finds the record of a verification code in both tables at once, each through
// its unique index: one statement, one round trip, at most one row in practice (two tables
// may in theory hold one code each; the bench test then wins, by the order of the union). A
// mystery order has no lab, and its test date is when its inspection was recorded.
// The grade's reasons are not read: no certificate shows them.
var certifiedQuery = preparedQuery{name: "certified", sql: `SELECT 'bench_test', b.id, b.seller_id, b.lab, b.tested_at, b.created_at,
 b.inspection, b.ruleset, b.status, b.functional, b.cosmetic, b.marketplace, b.verification_code,
 (SELECT c.id FROM bench_tests c WHERE c.supersedes = b.id)
 FROM bench_tests b WHERE b.verification_code = ?
UNION ALL
SELECT 'mystery_order', m.id, m.seller_id, '', m.created_at, m.created_at,
 m.inspection, m.ruleset, m.status, m.functional, m.cosmetic, m.marketplace, m.verification_code,
 (SELECT c.id FROM mystery_orders c WHERE c.supersedes = m.id)
 FROM mystery_orders m WHERE m.verification_code = ?`}

// recordOfCodeQuery is certifiedQuery without the record's contents: which record, and what
// superseded it, from the unique index and the index on supersedes.
var recordOfCodeQuery = preparedQuery{name: "record-of-code", sql: `SELECT 'bench_test', b.id,
 (SELECT c.id FROM bench_tests c WHERE c.supersedes = b.id)
 FROM bench_tests b WHERE b.verification_code = ?
UNION ALL
SELECT 'mystery_order', m.id, (SELECT c.id FROM mystery_orders c WHERE c.supersedes = m.id)
 FROM mystery_orders m WHERE m.verification_code = ?`}

// pointRead is the context of a point read of a unique index: on SQLite, a WAL reader that
// never waits for a lock and ends in microseconds, run without the request's cancellation, for
// which the driver then arms no interrupt (as in Authenticate); PostgreSQL keeps the request's
// deadline, since its network can stall.
func (s *Store) pointRead(ctx context.Context) context.Context {
	if s.driver == SQLite {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// RecordOfCode returns which record has the verification code (canonical) and what
// superseded it, or audit.ErrNotFound.
func (s *Store) RecordOfCode(ctx context.Context, code string) (audit.RecordRef, error) {
	what := "verification code " + code
	if !storable(code) {
		return audit.RecordRef{}, fmt.Errorf("%s: %w", what, audit.ErrNotFound)
	}
	stmt, err := s.prepared(ctx, recordOfCodeQuery)
	if err != nil {
		return audit.RecordRef{}, translate(err, what)
	}
	var (
		kind         string
		ref          audit.RecordRef
		supersededBy sql.NullString
	)
	err = stmt.QueryRowContext(s.pointRead(ctx), code, code).Scan(&kind, &ref.ID, &supersededBy)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.RecordRef{}, fmt.Errorf("%s: %w", what, audit.ErrNotFound)
	}
	if err != nil {
		return audit.RecordRef{}, translate(err, what)
	}
	ref.Kind, ref.SupersededBy = audit.RecordKind(kind), supersededBy.String
	return ref, nil
}

// CertifiedByCode returns the bench test or mystery order whose verification code is code
// (canonical), its grade without reasons, or audit.ErrNotFound.
func (s *Store) CertifiedByCode(ctx context.Context, code string) (audit.Certified, error) {
	what := "verification code " + code
	if !storable(code) {
		return audit.Certified{}, fmt.Errorf("%s: %w", what, audit.ErrNotFound)
	}
	stmt, err := s.prepared(ctx, certifiedQuery)
	if err != nil {
		return audit.Certified{}, translate(err, what)
	}
	var (
		kind, inspection string
		testedAt         time.Time
		recordedAt       time.Time
		g                gradedColumns
		supersededBy     sql.NullString
		stored           sql.NullString
		c                audit.Certified
	)
	err = stmt.QueryRowContext(s.pointRead(ctx), code, code).Scan(&kind, &c.ID, &c.SellerID, &c.Lab, &testedAt, &recordedAt,
		&inspection, &g.Ruleset, &g.Status, &g.Functional, &g.Cosmetic, &g.Marketplace, &stored, &supersededBy)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Certified{}, fmt.Errorf("%s: %w", what, audit.ErrNotFound)
	}
	if err != nil {
		return audit.Certified{}, translate(err, what)
	}
	c.Kind, c.TestedAt, c.RecordedAt = audit.RecordKind(kind), testedAt.UTC(), recordedAt.UTC()
	c.VerificationCode, c.SupersededBy = stored.String, supersededBy.String
	c.Grade = grading.Grade{Ruleset: g.Ruleset, Status: grading.Status(g.Status), Functional: grading.Functional(deref(g.Functional)),
		Cosmetic: grading.CosmeticGrade(g.Cosmetic), Marketplace: grading.Marketplace(deref(g.Marketplace))}
	if c.Inspection, err = decodeInspection(inspection); err != nil {
		return audit.Certified{}, fmt.Errorf("%s %s: stored inspection: %w", kind, c.ID, err)
	}
	return c, nil
}

// certifiedTable is the table of a kind of record.
func certifiedTable(kind audit.RecordKind) (string, error) {
	switch kind {
	case audit.KindBenchTest:
		return "bench_tests", nil
	case audit.KindMysteryOrder:
		return "mystery_orders", nil
	}
	return "", fmt.Errorf("certificate of %q: no such kind of record", kind)
}

// correctionRow is what LatestCorrection reads of a correction.
type correctionRow struct {
	ID        string        `gorm:"column:id"`
	Graded    gradedColumns `gorm:"embedded"`
	CreatedAt time.Time     `gorm:"column:created_at"`
}

// LatestCorrection returns the last record of the chain of corrections that superseded record
// id: one recursive query down the index on supersedes, however long the chain.
func (s *Store) LatestCorrection(ctx context.Context, kind audit.RecordKind, id string) (audit.Correction, error) {
	table, err := certifiedTable(kind)
	if err != nil {
		return audit.Correction{}, err
	}
	what := fmt.Sprintf("correction of %s %s", kind, id)
	if !storable(id) {
		return audit.Correction{}, fmt.Errorf("%s: %w", what, audit.ErrNotFound)
	}
	var row correctionRow
	// The chain is linear (a record is corrected at most once), so its deepest link is the
	// correction that stands.
	q := `WITH RECURSIVE chain (id, depth) AS (
  SELECT id, 1 FROM ` + table + ` WHERE supersedes = ?
  UNION ALL
  SELECT t.id, chain.depth + 1 FROM ` + table + ` t JOIN chain ON t.supersedes = chain.id
)
SELECT t.* FROM chain JOIN ` + table + ` t ON t.id = chain.id ORDER BY chain.depth DESC LIMIT 1`
	res := s.read.WithContext(ctx).Raw(q, id).Scan(&row)
	if res.Error != nil {
		return audit.Correction{}, translate(res.Error, what)
	}
	if res.RowsAffected == 0 {
		return audit.Correction{}, fmt.Errorf("%s: %w", what, audit.ErrNotFound)
	}
	g, err := row.Graded.grade(string(kind) + " " + row.ID)
	if err != nil {
		return audit.Correction{}, err
	}
	return audit.Correction{ID: row.ID, Grade: g, CorrectedAt: row.CreatedAt.UTC()}, nil
}

// AssignVerificationCode gives record id the code unless it has one, and returns the code the
// record has then: a record keeps the first code it was given, even when two requests give it
// one at once.
func (s *Store) AssignVerificationCode(ctx context.Context, kind audit.RecordKind, id, code string) (string, error) {
	table, err := certifiedTable(kind)
	if err != nil {
		return "", err
	}
	what := fmt.Sprintf("%s %s", kind, id)
	if !storable(id) {
		return "", fmt.Errorf("%s: %w", what, audit.ErrNotFound)
	}
	if _, err := s.verificationCode(code); err != nil {
		return "", err
	}
	var stored sql.NullString
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("UPDATE "+table+" SET verification_code = ? WHERE id = ? AND verification_code IS NULL", code, id).Error; err != nil {
			return err
		}
		return tx.Table(table).Select("verification_code").Where("id = ?", id).Take(&stored).Error
	})
	if err != nil {
		return "", translate(err, what)
	}
	return stored.String, nil
}

// codeBatch is the number of rows given a code per statement by assignMissingCodes: 1,500
// bound parameters, far below what SQLite (32,766) and PostgreSQL (65,535) take.
const codeBatch = 500

// assignMissingCodes gives a verification code, from the store's random source, to every
// bench test and mystery order that has none: the rows stored before migration 12 (which SQL
// cannot give cryptographic codes on both databases alike), and any that a release older than
// it stored since. Migrate runs it after the migrations, every time; with nothing to do it is
// one index lookup per table. Each row keeps the first code it is given: instances migrating
// at once on PostgreSQL may both try a row, and the second finds it no longer NULL. It returns
// the number of rows it gave a code.
func (s *Store) assignMissingCodes(ctx context.Context) (int, error) {
	total := 0
	for _, table := range []string{"bench_tests", "mystery_orders"} {
		for {
			var ids []string
			err := s.write.WithContext(ctx).Table(table).Where("verification_code IS NULL").
				Order("id").Limit(codeBatch).Pluck("id", &ids).Error
			if err != nil {
				return total, translate(err, table+" without a verification code")
			}
			if len(ids) == 0 {
				break
			}
			codes := make([]string, len(ids))
			for i := range ids {
				if codes[i], err = audit.NewVerificationCode(s.random); err != nil {
					return total, err
				}
			}
			// One statement per batch, which both databases read alike and answer through the
			// primary key (id IN …): a statement per row costs PostgreSQL a round trip and a
			// plan each, minutes for the demo's 29,000 records on a busy machine, and SQLite
			// joins UPDATE … FROM VALUES by scanning the table.
			var q strings.Builder
			q.WriteString("UPDATE " + table + " SET verification_code = CASE id")
			args := make([]any, 0, 3*len(ids))
			for i, id := range ids {
				q.WriteString(" WHEN ? THEN ?")
				args = append(args, id, codes[i])
			}
			q.WriteString(" END WHERE verification_code IS NULL AND id IN ?")
			args = append(args, ids)
			res := s.write.WithContext(ctx).Exec(q.String(), args...)
			if res.Error != nil {
				return total, translate(res.Error, "verification codes of "+table)
			}
			total += int(res.RowsAffected)
			if len(ids) < codeBatch {
				break
			}
		}
	}
	return total, nil
}
