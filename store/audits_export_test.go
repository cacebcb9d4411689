package store

import (
	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
)

// AuditsTestDB exposes the write connection to the tests of package store_test, which insert
// bench tests, mystery orders, KPI months and corrective actions as raw rows: the facts
// aggregation is tested against the schema alone, with every flag set by hand.
func (s *Store) AuditsTestDB() *gorm.DB { return s.write }

// ImpactSQL is the statement of the inputs of an estimate, of the marketplace or (with seller)
// of named sellers, for the tests of its plans; args are its parameters over p.
func ImpactSQL(p audit.Period, seller bool) (q string, args []any) {
	var ids []string
	if seller {
		ids = []string{"a"}
	}
	cond, sellerArgs := sellerFilter(ids)
	args, months := impactArgs(p, sellerArgs)
	return impactSQL(cond, months), args
}
