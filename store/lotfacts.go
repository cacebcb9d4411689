package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
)

// lotFacts counts the seller's device lots decided in [start, end) and lists the rejected ones
// (audit.RuleLot and audit.RuleLotRejected). A seller has a handful of lots per period, so one
// query gives the count and the evidence, in id order; the index on (kind, decided_at) finds
// them when every seller is audited.
func (s *Store) lotFacts(db *gorm.DB, start, end time.Time, sellerCond string, sellerArgs []any, out factsMap) error {
	conds := ruleSQL()
	q := "SELECT t.id, t.seller_id, CASE WHEN " + conds[audit.RuleLotRejected] + " THEN 1 ELSE 0 END" +
		" FROM lots t WHERE " + conds[audit.RuleLot] + sellerCond + " ORDER BY t.id"
	args := append([]any{start, end}, sellerArgs...)
	err := scanRows(db.Raw(q, args...), func(rows *sql.Rows) error {
		var id string
		var seller sql.NullString
		var rejected int64
		if err := rows.Scan(&id, &seller, &rejected); err != nil {
			return err
		}
		f, ok := out[seller.String]
		if !ok {
			return nil
		}
		f.Lots++
		if rejected != 0 {
			f.LotsRejected = append(f.LotsRejected, id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("lots: %w", err)
	}
	return nil
}

// DecidedDeviceLots returns the device lots of seller sellerID decided in p (the lots its
// audit over p counts, audit.RuleLot), in the order they were decided: what the seller's
// feedback report lists.
func (s *Store) DecidedDeviceLots(ctx context.Context, sellerID string, p audit.Period) ([]audit.Lot, error) {
	if !storable(sellerID) {
		return []audit.Lot{}, nil
	}
	var rows []lotRow
	err := s.read.WithContext(ctx).Table("lots AS t").
		Where(ruleSQL()[audit.RuleLot], p.Start.UTC(), p.End.UTC()).
		Where("t.seller_id = ?", sellerID).
		Order("t.decided_at, t.id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "decided lots of seller "+sellerID)
	}
	out := make([]audit.Lot, len(rows))
	for i, r := range rows {
		if out[i], err = r.domain(); err != nil {
			return nil, err
		}
	}
	if err := s.withPositions(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}
