package store

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// The records behind a scorecard's failed points, read by id for its feedback report (the
// port reports.Source). Each kind is read in one query per evidenceChunk ids, never one per
// record, so that a report reads a handful of queries whatever the size of its evidence. An id
// without a record is left out; the answers are in no particular order.

// evidenceChunk is the most ids bound in one query (PostgreSQL and SQLite both cap bound
// parameters).
const evidenceChunk = 500

// inChunks calls read with ids evidenceChunk at a time.
func inChunks(ids []string, read func(chunk []string) error) error {
	for start := 0; start < len(ids); start += evidenceChunk {
		if err := read(ids[start:min(start+evidenceChunk, len(ids))]); err != nil {
			return err
		}
	}
	return nil
}

type deviceEvidenceRow struct {
	ID          string
	Brand       string
	Model       string
	IMEI        string
	Serial      string
	At          time.Time
	Status      string
	Functional  sql.NullString
	Cosmetic    string
	Marketplace sql.NullString
	OrderRef    sql.NullString
	DeliveredAt sql.NullTime
}

func (r deviceEvidenceRow) domain() audit.DeviceEvidence {
	d := audit.DeviceEvidence{ID: r.ID, Brand: r.Brand, Model: r.Model, IMEI: r.IMEI, Serial: r.Serial,
		At: r.At.UTC(), Status: grading.Status(r.Status), Functional: grading.Functional(r.Functional.String),
		Cosmetic: grading.CosmeticGrade(r.Cosmetic), Marketplace: grading.Marketplace(r.Marketplace.String),
		OrderRef: r.OrderRef.String}
	if r.DeliveredAt.Valid {
		t := r.DeliveredAt.Time.UTC()
		d.DeliveredAt = &t
	}
	return d
}

// BenchTestEvidence reads the devices of the bench tests ids.
func (s *Store) BenchTestEvidence(ctx context.Context, ids []string) ([]audit.DeviceEvidence, error) {
	return s.deviceEvidence(ctx, ids, `SELECT id, brand, model, imei, serial, tested_at AS at, status, functional,
		cosmetic, marketplace, NULL AS order_ref, NULL AS delivered_at FROM bench_tests WHERE id IN ?`)
}

// MysteryOrderEvidence reads the devices of the mystery orders ids, with their order
// references and delivery dates.
func (s *Store) MysteryOrderEvidence(ctx context.Context, ids []string) ([]audit.DeviceEvidence, error) {
	return s.deviceEvidence(ctx, ids, `SELECT id, brand, model, imei, serial, ordered_at AS at, status, functional,
		cosmetic, marketplace, order_ref, delivered_at FROM mystery_orders WHERE id IN ?`)
}

func (s *Store) deviceEvidence(ctx context.Context, ids []string, query string) ([]audit.DeviceEvidence, error) {
	db := s.read.WithContext(ctx)
	out := make([]audit.DeviceEvidence, 0, len(ids))
	err := inChunks(ids, func(chunk []string) error {
		var rows []deviceEvidenceRow
		if err := db.Raw(query, chunk).Scan(&rows).Error; err != nil {
			return translate(err, "evidence")
		}
		for _, r := range rows {
			out = append(out, r.domain())
		}
		return nil
	})
	return out, err
}

// KPIMonthsByID reads the KPI months ids, of any seller.
func (s *Store) KPIMonthsByID(ctx context.Context, ids []string) ([]audit.KPIMonth, error) {
	return byIDs(s.read.WithContext(ctx), ids, "KPI months", kpiMonthRow.domain)
}

// CorrectiveActionsByID reads the corrective actions ids, of any seller.
func (s *Store) CorrectiveActionsByID(ctx context.Context, ids []string) ([]audit.CorrectiveAction, error) {
	return byIDs(s.read.WithContext(ctx), ids, "corrective actions", actionRow.domain)
}

// byIDs reads the rows of type R with the given ids and converts them with domain.
func byIDs[R, D any](db *gorm.DB, ids []string, what string, domain func(R) D) ([]D, error) {
	out := make([]D, 0, len(ids))
	err := inChunks(ids, func(chunk []string) error {
		var rows []R
		if err := db.Where("id IN ?", chunk).Find(&rows).Error; err != nil {
			return translate(err, what)
		}
		for _, r := range rows {
			out = append(out, domain(r))
		}
		return nil
	})
	return out, err
}

type orderGradeRow struct {
	ID          string
	SellerID    string
	ListedGrade string
	Status      string
	Marketplace sql.NullString
	Supersedes  sql.NullString
}

// OrderGrades reads the listed and observed grades of the seller's mystery orders placed in
// the period, corrected ones and corrections alike, in id order.
func (s *Store) OrderGrades(ctx context.Context, sellerID string, p audit.Period) ([]audit.OrderGrade, error) {
	var rows []orderGradeRow
	err := s.read.WithContext(ctx).Raw(`SELECT id, seller_id, listed_grade, status, marketplace, supersedes FROM mystery_orders
		WHERE seller_id = ? AND ordered_at >= ? AND ordered_at < ? ORDER BY id`, sellerID, p.Start, p.End).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "mystery orders")
	}
	out := make([]audit.OrderGrade, len(rows))
	for i, r := range rows {
		out[i] = audit.OrderGrade{ID: r.ID, SellerID: r.SellerID, ListedGrade: grading.Marketplace(r.ListedGrade),
			Status: grading.Status(r.Status), Marketplace: grading.Marketplace(r.Marketplace.String),
			Supersedes: r.Supersedes.String}
	}
	return out, nil
}
