package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/refurbqa/refurbqa/audit"
)

// kpiMonthRow is one row of kpi_months: one month of a seller's operations figures. A month is
// replaced as a whole by a later PUT or import, keeping its id.
type kpiMonthRow struct {
	ID                        string    `gorm:"column:id;primaryKey"`
	SellerID                  string    `gorm:"column:seller_id"`
	Month                     string    `gorm:"column:month"`
	Orders                    int       `gorm:"column:orders"`
	ShippedLate               int       `gorm:"column:shipped_late"`
	ValidTracking             int       `gorm:"column:valid_tracking"`
	CancelledBeforeShipment   int       `gorm:"column:cancelled_before_shipment"`
	TechnicalReturns30d       int       `gorm:"column:technical_returns_30d"`
	DefectiveOrders           int       `gorm:"column:defective_orders"`
	MessagesReceived          int       `gorm:"column:messages_received"`
	MessagesAnsweredWithin1BD int       `gorm:"column:messages_answered_within_1bd"`
	WarrantyClaims            int       `gorm:"column:warranty_claims"`
	WarrantyRemediedWithin5BD int       `gorm:"column:warranty_remedied_within_5bd"`
	WarrantyMonths            int       `gorm:"column:warranty_months"`
	UpdatedAt                 time.Time `gorm:"column:updated_at"`
}

func (kpiMonthRow) TableName() string { return "kpi_months" }

func (r kpiMonthRow) domain() audit.KPIMonth {
	return audit.KPIMonth{
		ID: r.ID, SellerID: r.SellerID, Month: r.Month,
		Orders: r.Orders, ShippedLate: r.ShippedLate, ValidTracking: r.ValidTracking,
		CancelledBeforeShipment: r.CancelledBeforeShipment, TechnicalReturns30d: r.TechnicalReturns30d,
		DefectiveOrders: r.DefectiveOrders, MessagesReceived: r.MessagesReceived,
		MessagesAnsweredWithin1BD: r.MessagesAnsweredWithin1BD, WarrantyClaims: r.WarrantyClaims,
		WarrantyRemediedWithin5BD: r.WarrantyRemediedWithin5BD, WarrantyMonths: r.WarrantyMonths,
		UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func (s *Store) newKPIMonthRow(k audit.KPIMonth, now time.Time) kpiMonthRow {
	return kpiMonthRow{
		ID: s.newID(audit.PrefixKPIMonth), SellerID: k.SellerID, Month: k.Month,
		Orders: k.Orders, ShippedLate: k.ShippedLate, ValidTracking: k.ValidTracking,
		CancelledBeforeShipment: k.CancelledBeforeShipment, TechnicalReturns30d: k.TechnicalReturns30d,
		DefectiveOrders: k.DefectiveOrders, MessagesReceived: k.MessagesReceived,
		MessagesAnsweredWithin1BD: k.MessagesAnsweredWithin1BD, WarrantyClaims: k.WarrantyClaims,
		WarrantyRemediedWithin5BD: k.WarrantyRemediedWithin5BD, WarrantyMonths: k.WarrantyMonths,
		UpdatedAt: microUTC(now),
	}
}

// kpiUpsert replaces the figures of a month that is already stored, keeping its id: one
// INSERT … ON CONFLICT (seller_id, month) DO UPDATE, atomic on both databases, so that two
// writers of the same month never fail on the unique constraint.
var kpiUpsert = clause.OnConflict{
	Columns:   []clause.Column{{Name: "seller_id"}, {Name: "month"}},
	DoUpdates: clause.AssignmentColumns(append(slices.Clone(audit.KPIFields), "updated_at")),
}

// Sizes of the statements of an import: 15 columns × 1000 rows and 10,000 ids stay far below
// the bound parameters SQLite (32766) and PostgreSQL (65535) accept.
const (
	kpiInsertRows = 1000
	idChunk       = 10_000
)

// PutKPIMonth stores a seller's figures of one month, which the service checked, replacing the
// month (and keeping its id) when it is already stored, and records the event ("create" or
// "update") in the same transaction. An unknown seller is audit.ErrNotFound.
func (s *Store) PutKPIMonth(ctx context.Context, by audit.Principal, k audit.KPIMonth) (audit.KPIMonth, error) {
	if !storable(k.SellerID) {
		return audit.KPIMonth{}, fmt.Errorf("seller %q: %w", k.SellerID, audit.ErrNotFound)
	}
	row := s.newKPIMonthRow(k, s.now())
	newID := row.ID
	var stored kpiMonthRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.sellerExists(ctx, tx, k.SellerID); err != nil {
			return err
		}
		if err := tx.Clauses(kpiUpsert).Create(&row).Error; err != nil {
			return translate(err, "KPI month "+k.Month)
		}
		if err := tx.Take(&stored, "seller_id = ? AND month = ?", k.SellerID, k.Month).Error; err != nil {
			return translate(err, "KPI month "+k.Month)
		}
		action := "update"
		if stored.ID == newID {
			action = "create"
		}
		return s.record(tx, by, action, "kpi_month", stored.ID)
	})
	if err != nil {
		return audit.KPIMonth{}, err
	}
	return stored.domain(), nil
}

// KPIMonths lists the KPI months of a seller in month order. An unknown seller is
// audit.ErrNotFound. The cursor names the last month served, so the order holds across pages
// whatever order the months were stored in.
func (s *Store) KPIMonths(ctx context.Context, sellerID string, p Page) ([]audit.KPIMonth, string, error) {
	after, err := decodeMonthCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	if !storable(sellerID) {
		return nil, "", fmt.Errorf("seller %q: %w", sellerID, audit.ErrNotFound)
	}
	db := s.read.WithContext(ctx)
	if err := s.sellerExists(ctx, db, sellerID); err != nil {
		return nil, "", err
	}
	q := db.Model(&kpiMonthRow{}).Where("seller_id = ?", sellerID)
	if after != "" {
		q = q.Where("month > ?", after)
	}
	n := pageLimit(p)
	var rows []kpiMonthRow
	if err := q.Order("month").Limit(n + 1).Find(&rows).Error; err != nil {
		return nil, "", translate(err, "KPI months")
	}
	next := ""
	if len(rows) > n {
		rows = rows[:n]
		next = EncodeCursor(strings.ReplaceAll(rows[n-1].Month, "-", ""))
	}
	out := make([]audit.KPIMonth, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

// decodeMonthCursor reads a cursor of KPIMonths: the last month served, written YYYYMM.
func decodeMonthCursor(c string) (string, error) {
	raw, err := DecodeCursor(c)
	if err != nil || raw == "" {
		return "", err
	}
	if len(raw) == 6 {
		month := raw[:4] + "-" + raw[4:]
		if _, ok := audit.ParseMonth(month); ok {
			return month, nil
		}
	}
	return "", audit.BadCursor()
}

// kpiKey names one month of one seller.
type kpiKey struct{ seller, month string }

// ImportKPIMonths stores the months of an import, which the service checked (every seller
// exists), in one transaction with batched upserts: a month already stored is replaced, keeping
// its id. It records one "import" event per month, batch inserted.
func (s *Store) ImportKPIMonths(ctx context.Context, by audit.Principal, ks []audit.KPIMonth) error {
	if len(ks) == 0 {
		return nil
	}
	now := s.now()
	insert := make([]kpiMonthRow, len(ks))
	for i, k := range ks {
		insert[i] = s.newKPIMonthRow(k, now)
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(kpiUpsert).CreateInBatches(insert, kpiInsertRows).Error; err != nil {
			return translate(err, "KPI months")
		}
		ids, err := kpiMonthIDs(tx, ks)
		if err != nil {
			return err
		}
		return s.record(tx, by, "import", "kpi_month", ids...)
	})
}

// kpiMonthIDs returns the ids of the stored months of ks, in the order of ks: new months got
// the id of their insert, replaced ones kept theirs.
func kpiMonthIDs(tx *gorm.DB, ks []audit.KPIMonth) ([]string, error) {
	sellerSet, monthSet := map[string]struct{}{}, map[string]struct{}{}
	for _, k := range ks {
		sellerSet[k.SellerID] = struct{}{}
		monthSet[k.Month] = struct{}{}
	}
	sellers := make([]string, 0, len(sellerSet))
	for id := range sellerSet {
		sellers = append(sellers, id)
	}
	months := make([]string, 0, len(monthSet))
	for m := range monthSet {
		months = append(months, m)
	}
	slices.Sort(sellers)
	ids := make(map[kpiKey]string, len(ks))
	for monthChunk := range slices.Chunk(months, idChunk/2) {
		for sellerChunk := range slices.Chunk(sellers, idChunk) {
			var found []struct {
				ID       string `gorm:"column:id"`
				SellerID string `gorm:"column:seller_id"`
				Month    string `gorm:"column:month"`
			}
			err := tx.Model(&kpiMonthRow{}).Select("id", "seller_id", "month").
				Where("seller_id IN ? AND month IN ?", sellerChunk, monthChunk).Find(&found).Error
			if err != nil {
				return nil, translate(err, "KPI months")
			}
			for _, f := range found {
				ids[kpiKey{f.SellerID, f.Month}] = f.ID
			}
		}
	}
	out := make([]string, 0, len(ks))
	for _, k := range ks {
		id, ok := ids[kpiKey{k.SellerID, k.Month}]
		if !ok {
			return nil, fmt.Errorf("KPI month %s of seller %s: not found after import", k.Month, k.SellerID)
		}
		out = append(out, id)
	}
	return out, nil
}
