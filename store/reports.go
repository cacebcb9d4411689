package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/reports"
)

// reportHistory is how many earlier scorecards a report reads for its trend (it shows six).
const reportHistory = 12

// ReportInput gathers everything the feedback report of a scorecard shows, beside the
// scorecard itself (which the caller has already read): the seller, its earlier scorecards
// (approved ones only when the report is for the seller), the devices, orders, KPI months and
// actions behind every failed point, the period's mystery orders and the seller's corrective
// actions. It reads a handful of queries whatever the evidence size.
func (s *Store) ReportInput(ctx context.Context, sc audit.Scorecard, approvedOnly bool) (reports.Input, error) {
	in := reports.Input{Scorecard: sc}
	var err error
	if in.Seller, err = s.Seller(ctx, sc.SellerID); err != nil {
		return in, err
	}
	f := ScorecardFilter{SellerID: sc.SellerID, To: sc.Period.End}
	if approvedOnly {
		f.Status = audit.Approved
	}
	history, _, err := s.Scorecards(ctx, f, Page{Limit: reportHistory})
	if err != nil {
		return in, err
	}
	for _, h := range history {
		if h.ID != sc.ID {
			in.History = append(in.History, h)
		}
	}
	var ids []string
	for _, p := range sc.Result.Points {
		ids = append(ids, p.Evidence...)
	}
	if in.Evidence, err = s.evidence(ctx, ids); err != nil {
		return in, err
	}
	if in.Orders, err = s.periodOrders(ctx, sc.SellerID, sc.Period); err != nil {
		return in, err
	}
	page := Page{Limit: MaxLimit}
	for {
		actions, next, err := s.CorrectiveActions(ctx, ActionFilter{SellerID: sc.SellerID}, page)
		if err != nil {
			return in, err
		}
		in.Actions = append(in.Actions, actions...)
		if next == "" {
			break
		}
		page.Cursor = next
	}
	return in, nil
}

type evidenceRow struct {
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

// evidence resolves bench-test and mystery-order ids into report rows, in chunks.
func (s *Store) evidence(ctx context.Context, ids []string) (map[string]reports.Evidence, error) {
	out := make(map[string]reports.Evidence, len(ids))
	var bt, mo, km, ca []string
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		switch {
		case strings.HasPrefix(id, audit.PrefixBenchTest+"_"):
			bt = append(bt, id)
		case strings.HasPrefix(id, audit.PrefixMysteryOrder+"_"):
			mo = append(mo, id)
		case strings.HasPrefix(id, audit.PrefixKPIMonth+"_"):
			km = append(km, id)
		case strings.HasPrefix(id, audit.PrefixCorrectiveAction+"_"):
			ca = append(ca, id)
		}
	}
	db := s.read.WithContext(ctx)
	queries := []struct {
		ids  []string
		sql  string
		kind string
	}{
		{bt, "SELECT id, brand, model, imei, serial, tested_at AS at, status, functional, cosmetic, marketplace, NULL AS order_ref, NULL AS delivered_at FROM bench_tests WHERE id IN ?", reports.EvidenceDevice},
		{mo, "SELECT id, brand, model, imei, serial, ordered_at AS at, status, functional, cosmetic, marketplace, order_ref, delivered_at FROM mystery_orders WHERE id IN ?", reports.EvidenceOrder},
	}
	for _, q := range queries {
		for start := 0; start < len(q.ids); start += 500 {
			chunk := q.ids[start:min(start+500, len(q.ids))]
			var rows []evidenceRow
			if err := db.Raw(q.sql, chunk).Scan(&rows).Error; err != nil {
				return nil, translate(err, "evidence")
			}
			for _, r := range rows {
				e := reports.Evidence{ID: r.ID, Kind: q.kind, Model: strings.TrimSpace(r.Brand + " " + r.Model),
					Identity: r.IMEI, Date: r.At.UTC(), Grade: gradeLabel(r)}
				if e.Identity == "" {
					e.Identity = r.Serial
				}
				if r.OrderRef.Valid {
					e.OrderRef = r.OrderRef.String
				}
				if r.DeliveredAt.Valid {
					t := r.DeliveredAt.Time.UTC()
					e.DeliveredAt = &t
				}
				out[r.ID] = e
			}
		}
	}
	if err := s.kpiEvidence(db, km, out); err != nil {
		return nil, err
	}
	if err := s.actionEvidence(db, ca, out); err != nil {
		return nil, err
	}
	return out, nil
}

// kpiEvidence describes KPI months behind logistics and service points by their figures.
func (s *Store) kpiEvidence(db *gorm.DB, ids []string, out map[string]reports.Evidence) error {
	for start := 0; start < len(ids); start += 500 {
		var rows []kpiMonthRow
		if err := db.Where("id IN ?", ids[start:min(start+500, len(ids))]).Find(&rows).Error; err != nil {
			return translate(err, "evidence")
		}
		for _, r := range rows {
			k := r.domain()
			month, _ := audit.ParseMonth(k.Month)
			out[k.ID] = reports.Evidence{ID: k.ID, Kind: reports.EvidenceKPI, Model: "Month " + k.Month, Date: month,
				Note: fmt.Sprintf("%d orders · %d shipped late · %d cancelled · %d technical returns · %d defective · %d/%d messages answered in 1 business day · %d/%d claims remedied in 5 business days · %d-month warranty",
					k.Orders, k.ShippedLate, k.CancelledBeforeShipment, k.TechnicalReturns30d, k.DefectiveOrders,
					k.MessagesAnsweredWithin1BD, k.MessagesReceived, k.WarrantyRemediedWithin5BD, k.WarrantyClaims, k.WarrantyMonths)}
		}
	}
	return nil
}

// actionEvidence describes corrective actions behind QC25 by point, due date and state.
func (s *Store) actionEvidence(db *gorm.DB, ids []string, out map[string]reports.Evidence) error {
	for start := 0; start < len(ids); start += 500 {
		var rows []actionRow
		if err := db.Where("id IN ?", ids[start:min(start+500, len(ids))]).Find(&rows).Error; err != nil {
			return translate(err, "evidence")
		}
		for _, r := range rows {
			a := r.domain()
			note := "due " + a.DueAt.Format(time.DateOnly)
			if a.ClosedAt != nil {
				note += " · closed " + a.ClosedAt.Format(time.DateOnly)
			} else {
				note += " · not closed"
			}
			out[a.ID] = reports.Evidence{ID: a.ID, Kind: reports.EvidenceAction, Model: "Corrective action " + a.PointCode,
				Date: a.DueAt, Grade: strings.ReplaceAll(string(a.Status), "_", " "), Note: note}
		}
	}
	return nil
}

// gradeLabel reads like "F2 · C · not sellable": functional, cosmetic, then the listing grade
// or the status that kept the device off the market.
func gradeLabel(r evidenceRow) string {
	fn := "incomplete"
	if r.Functional.Valid && r.Functional.String != "" {
		fn = r.Functional.String
	}
	market := strings.ReplaceAll(r.Status, "_", " ")
	if r.Marketplace.Valid && r.Marketplace.String != "" {
		market = r.Marketplace.String
	}
	return fn + " · " + r.Cosmetic + " · " + market
}

type orderGradeRow struct {
	ID          string
	ListedGrade string
	Status      string
	Marketplace sql.NullString
	Supersedes  sql.NullString
}

// periodOrders reads the grades of the seller's mystery orders of the period, for the
// grade-accuracy matrix.
func (s *Store) periodOrders(ctx context.Context, sellerID string, p audit.Period) ([]audit.MysteryOrder, error) {
	var rows []orderGradeRow
	err := s.read.WithContext(ctx).Raw(`SELECT id, listed_grade, status, marketplace, supersedes FROM mystery_orders
		WHERE seller_id = ? AND ordered_at >= ? AND ordered_at < ? ORDER BY id`, sellerID, p.Start, p.End).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "mystery orders")
	}
	out := make([]audit.MysteryOrder, len(rows))
	for i, r := range rows {
		out[i] = audit.MysteryOrder{ID: r.ID, SellerID: sellerID, ListedGrade: grading.Marketplace(r.ListedGrade),
			Supersedes: r.Supersedes.String, Grade: grading.Grade{Status: grading.Status(r.Status), Marketplace: grading.Marketplace(r.Marketplace.String)}}
	}
	return out, nil
}
