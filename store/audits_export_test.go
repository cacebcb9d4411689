package store

import "gorm.io/gorm"

// AuditsTestDB exposes the write connection to the tests of package store_test, which insert
// bench tests, mystery orders, KPI months and corrective actions as raw rows: the facts
// aggregation is tested against the schema alone, with every flag set by hand.
func (s *Store) AuditsTestDB() *gorm.DB { return s.write }

// ImpactUnitsSQL is the query of the units of an estimate, of the marketplace or (with seller)
// of named sellers, for the tests of its plans.
func ImpactUnitsSQL(seller bool) string {
	if !seller {
		return impactUnitsSQL("")
	}
	cond, _ := sellerFilter([]string{"a"})
	return impactUnitsSQL(cond)
}
