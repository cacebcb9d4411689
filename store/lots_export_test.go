package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/sampling"
)

// FillLot stores n conforming parts as the next samples of lot id, in one transaction, as n
// calls of AddLotSample would have stored them (the rows numbered on from the tally, their
// events, the tally counted by the lot's plan), for the benchmarks of package store_test,
// which time the samples after them. It refuses to decide the lot.
func (s *Store) FillLot(ctx context.Context, by audit.Principal, id string, n int) error {
	l, err := s.Lot(ctx, id)
	if err != nil {
		return err
	}
	rows := make([]lotSampleRow, n)
	ids := make([]string, n)
	now := microUTC(s.now())
	for i := range rows {
		if l.Tally, err = l.Plan.Record(l.Tally, sampling.Unit{}); err != nil {
			return err
		}
		if l.Plan.Decide(l.Tally) != sampling.Pending {
			return audit.ErrConflict
		}
		ids[i] = s.newID(audit.PrefixLotSample)
		rows[i] = lotSampleRow{ID: ids[i], LotID: id, Number: l.Tally.Received, Serial: "SN-1", Defects: "[]",
			CreatedAt: now, CreatedBy: by.KeyID}
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(rows, 500).Error; err != nil {
			return err
		}
		if err := s.recordBulk(tx, by, "create", "lot_sample", ids); err != nil {
			return err
		}
		t := newLotRow(l)
		return tx.Model(&lotRow{}).Where("id = ?", id).Updates(map[string]any{
			"samples_received": t.SamplesReceived, "critical_inspected": t.CriticalInspected,
			"major_inspected": t.MajorInspected, "minor_inspected": t.MinorInspected}).Error
	})
}
