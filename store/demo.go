package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
)

// Rows per INSERT of the bulk loads: 36 columns × 400 rows stays under the 32,766 bound
// parameters SQLite accepts, and larger statements amortise GORM's per-statement work.
const (
	loadBenchRows = 400
	loadOrderRows = 300
	loadKPIRows   = 1000
	loadEventRows = 2000
)

// CountSellers returns the number of registered sellers.
func (s *Store) CountSellers(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read.WithContext(ctx).Model(&sellerRow{}).Count(&n).Error; err != nil {
		return 0, translate(err, "sellers")
	}
	return n, nil
}

// LoadBenchTests stores many validated, derived bench tests (audit.DeriveBenchTest) in one
// transaction, with their events, and returns their ids in the order of items. It is the bulk
// path of generated data sets (refurbqa demo, scale benchmarks): unlike CreateBenchTests it
// does not look for unknown sellers or repeated external ids first, so a seller that does not
// exist or an external id that is already stored fails the whole load (foreign key and unique
// index), which is what a generator that owns its sellers wants.
func (s *Store) LoadBenchTests(ctx context.Context, by audit.Principal, items []audit.BenchTest) ([]string, error) {
	if len(items) == 0 {
		return nil, nil
	}
	rows := make([]benchTestRow, len(items))
	ids := make([]string, len(items))
	for i, bt := range items {
		var err error
		if rows[i], err = s.newBenchTestRow(by, bt); err != nil {
			return nil, err
		}
		ids[i] = rows[i].ID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(rows, loadBenchRows).Error; err != nil {
			return err
		}
		return s.recordBulk(tx, by, "create", "bench_test", ids)
	})
	if err != nil {
		return nil, translate(err, "bench tests")
	}
	return ids, nil
}

// LoadMysteryOrders stores many validated, derived mystery orders (audit.DeriveMysteryOrder)
// in one transaction, with their events, and returns their ids in the order of items. Like
// LoadBenchTests it is the bulk path of generated data: an unknown seller or a repeated order
// ref fails the whole load.
func (s *Store) LoadMysteryOrders(ctx context.Context, by audit.Principal, items []audit.MysteryOrder) ([]string, error) {
	if len(items) == 0 {
		return nil, nil
	}
	rows := make([]mysteryOrderRow, len(items))
	ids := make([]string, len(items))
	for i, mo := range items {
		var err error
		if rows[i], err = s.newMysteryOrderRow(by, mo); err != nil {
			return nil, err
		}
		ids[i] = rows[i].ID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(rows, loadOrderRows).Error; err != nil {
			return err
		}
		return s.recordBulk(tx, by, "create", "mystery_order", ids)
	})
	if err != nil {
		return nil, translate(err, "mystery orders")
	}
	return ids, nil
}

// LoadKPIMonths stores many KPI months in one transaction, with their events, and returns their
// ids in the order of items. Each month is validated (audit.ValidateKPIMonth); a month already
// stored for the seller fails the whole load, as generated data never replaces anything.
func (s *Store) LoadKPIMonths(ctx context.Context, by audit.Principal, items []audit.KPIMonth) ([]string, error) {
	if len(items) == 0 {
		return nil, nil
	}
	now := s.now()
	rows := make([]kpiMonthRow, len(items))
	ids := make([]string, len(items))
	for i, k := range items {
		if err := audit.Invalid(audit.ValidateKPIMonth(k)); err != nil {
			return nil, err
		}
		rows[i] = s.newKPIMonthRow(k, now)
		ids[i] = rows[i].ID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(rows, loadKPIRows).Error; err != nil {
			return err
		}
		return s.recordBulk(tx, by, "create", "kpi_month", ids)
	})
	if err != nil {
		return nil, translate(err, "KPI months")
	}
	return ids, nil
}

// recordBulk is record with larger inserts, for loads of many thousand records.
func (s *Store) recordBulk(tx *gorm.DB, by audit.Principal, action, entity string, ids []string) error {
	now := s.now()
	rows := make([]eventRow, len(ids))
	for i, id := range ids {
		rows[i] = eventRow{ID: s.newID(audit.PrefixEvent), At: now, KeyID: by.KeyID, Role: string(by.Role),
			Action: action, Entity: entity, EntityID: id}
	}
	return tx.CreateInBatches(rows, loadEventRows).Error
}

// LoadSellers registers many sellers in one transaction, each created at its own CreatedAt
// (the store's clock when zero), with ids of that time: the bulk path of generated data sets,
// whose sellers joined the marketplace over months. The records are returned in the order of
// in.
func (s *Store) LoadSellers(ctx context.Context, by audit.Principal, in []audit.Seller) ([]audit.Seller, error) {
	rows := make([]sellerRow, len(in))
	ids := make([]string, len(in))
	for i, v := range in {
		at := v.CreatedAt
		if at.IsZero() {
			at = s.now()
		}
		at = microUTC(at)
		id, err := audit.NewID(audit.PrefixSeller, at, s.random)
		if err != nil {
			return nil, err
		}
		rows[i] = sellerRow{ID: id, Name: v.Name, Country: v.Country, ContactEmail: v.ContactEmail, CreatedAt: at}
		ids[i] = id
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(rows, 500).Error; err != nil {
			return err
		}
		return s.recordBulk(tx, by, "create", "seller", ids)
	})
	if err != nil {
		return nil, translate(err, "sellers")
	}
	out := make([]audit.Seller, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// AnalyzeAfterLoad refreshes the planner statistics after a bulk load. On PostgreSQL it runs
// ANALYZE on the tables a load fills: right after a million rows arrive, autovacuum has not
// analysed them yet, and the audit's aggregation then runs several times slower (51 s against
// 19 s for the marketplace-scale data set). On SQLite it does nothing on purpose: without
// statistics the planner picks the covering index bench_tests_audit for the audit, while with
// ANALYZE statistics it prefers bench_tests_seller_tested and reads every full row, ten times
// slower (see docs/performance.md).
func (s *Store) AnalyzeAfterLoad(ctx context.Context) error {
	if s.driver != Postgres {
		return nil
	}
	err := s.write.WithContext(ctx).Exec("ANALYZE sellers, bench_tests, mystery_orders, kpi_months, events").Error
	return translate(err, "analyze")
}
