package store

import "gorm.io/gorm"

// AuditsTestDB exposes the write connection to the tests of package store_test, which insert
// bench tests, mystery orders, KPI months and corrective actions as raw rows: the facts
// aggregation is tested against the schema alone, with every flag set by hand.
func (s *Store) AuditsTestDB() *gorm.DB { return s.write }

// ImpactUnitsSQL is the query of the units of the marketplace's estimate, for the test of its
// plan.
func ImpactUnitsSQL() string { return impactUnitsSQL("") }
