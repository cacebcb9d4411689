package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// impactFactorsRow is one published version of the impact factors, never updated. seq orders
// the versions as they were published (the database numbers them, so that two instances
// publishing at once cannot take the same number); the last one is in force.
type impactFactorsRow struct {
	Seq       int64     `gorm:"column:seq;primaryKey;autoIncrement"`
	Version   string    `gorm:"column:version"`
	Document  string    `gorm:"column:document"`
	CreatedAt time.Time `gorm:"column:created_at"`
	CreatedBy string    `gorm:"column:created_by"`
}

func (impactFactorsRow) TableName() string { return "impact_factors" }

// impactFactorsDoc is how a version's factors are kept: the store's own format, not the API's
// (audit.ImpactFactorsDocument), so that the API may rename a field without a data migration.
// Migration 00014 writes the default version in this format.
type impactFactorsDoc struct {
	Factors []impactFactorDoc `json:"factors"`
}

type impactFactorDoc struct {
	Category       string  `json:"category"`
	CO2eKg         float64 `json:"co2e_kg"`
	EwasteKg       float64 `json:"ewaste_kg"`
	RawMaterialsKg float64 `json:"raw_materials_kg"`
	WaterL         float64 `json:"water_l"`
	Source         string  `json:"source"`
}

func encodeImpactFactors(f audit.ImpactFactors) (string, error) {
	doc := impactFactorsDoc{Factors: make([]impactFactorDoc, len(f.Factors))}
	for i, x := range f.Factors {
		p := x.PerDevice
		doc.Factors[i] = impactFactorDoc{Category: string(x.Category), CO2eKg: p.CO2eKg, EwasteKg: p.EwasteKg,
			RawMaterialsKg: p.RawMaterialsKg, WaterL: p.WaterL, Source: x.Source}
	}
	b, err := json.Marshal(doc)
	return string(b), err
}

func (r impactFactorsRow) domain() (audit.ImpactFactors, error) {
	var doc impactFactorsDoc
	if err := json.Unmarshal([]byte(r.Document), &doc); err != nil {
		return audit.ImpactFactors{}, fmt.Errorf("impact factors %s: stored document: %w", r.Version, err)
	}
	f := audit.ImpactFactors{Version: r.Version, Factors: make([]audit.ImpactFactor, len(doc.Factors)),
		CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy}
	for i, x := range doc.Factors {
		f.Factors[i] = audit.ImpactFactor{Category: grading.Category(x.Category), Source: x.Source,
			PerDevice: audit.ImpactFigures{CO2eKg: x.CO2eKg, EwasteKg: x.EwasteKg, RawMaterialsKg: x.RawMaterialsKg, WaterL: x.WaterL}}
	}
	return f, nil
}

// PublishImpactFactors stores a new version of the factors, checked by the service, with a
// "publish" event; versions are unique (audit.ErrConflict on a repeat) and immutable.
func (s *Store) PublishImpactFactors(ctx context.Context, by audit.Principal, f audit.ImpactFactors) error {
	doc, err := encodeImpactFactors(f)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		row := impactFactorsRow{Version: f.Version, Document: doc, CreatedAt: s.now(), CreatedBy: by.KeyID}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "impact factors "+f.Version)
		}
		return s.record(tx, by, "publish", "impact_factors", f.Version)
	})
}

// ImpactFactors returns one published version.
func (s *Store) ImpactFactors(ctx context.Context, version string) (audit.ImpactFactors, error) {
	var row impactFactorsRow
	if err := s.read.WithContext(ctx).Take(&row, "version = ?", version).Error; err != nil {
		return audit.ImpactFactors{}, translate(err, "impact factors "+version)
	}
	return row.domain()
}

// LatestImpactFactors returns the version published last, the one estimates use by default.
// Migration 00014 publishes the default version, so there is always one.
func (s *Store) LatestImpactFactors(ctx context.Context) (audit.ImpactFactors, error) {
	var row impactFactorsRow
	if err := s.read.WithContext(ctx).Order("seq DESC").Take(&row).Error; err != nil {
		return audit.ImpactFactors{}, translate(err, "latest impact factors")
	}
	return row.domain()
}

// ImpactFactorVersions returns one page of the published versions, in the order they were
// published; the cursor is the seq of the last one of the page.
func (s *Store) ImpactFactorVersions(ctx context.Context, p Page) ([]audit.ImpactFactors, string, error) {
	var after int64
	if p.Cursor != "" {
		pos, err := DecodeCursor(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		if after, err = strconv.ParseInt(pos, 10, 64); err != nil || after < 0 {
			return nil, "", audit.BadCursor()
		}
	}
	limit := pageLimit(p)
	var rows []impactFactorsRow
	if err := s.read.WithContext(ctx).Where("seq > ?", after).Order("seq").Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, "", translate(err, "impact factors")
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = EncodeCursor(strconv.FormatInt(rows[limit-1].Seq, 10))
	}
	out := make([]audit.ImpactFactors, len(rows))
	for i, r := range rows {
		f, err := r.domain()
		if err != nil {
			return nil, "", err
		}
		out[i] = f
	}
	return out, next, nil
}

// ImpactInputs reads the input of the estimate of each seller over p (transparency.md §4):
// what audit.ImpactCounts computes from a seller's records, with SQL, to the same answers. The
// units are those the audit's facts count (readWhere and notIncomplete, the SQL of
// audit.RuleUnit), grouped by seller and category; the orders are those of the KPI months
// that an audit reads (the SQL of audit.RuleKPIMonth), grouped by seller. Whatever the number
// of sellers that is one grouped statement (impactSQL), which reads one snapshot; more than 500
// named sellers take one per chunk of 500, in one read-only transaction. Nil or empty sellerIDs
// means every seller; only the sellers with a KPI month or an inspected unit in p have an entry.
func (s *Store) ImpactInputs(ctx context.Context, p audit.Period, sellerIDs []string) (map[string]audit.ImpactInput, error) {
	out := map[string]audit.ImpactInput{}
	var err error
	switch ids := slices.Compact(slices.Sorted(slices.Values(sellerIDs))); {
	case len(ids) == 0:
		err = s.impactChunk(s.read.WithContext(ctx), p, nil, out)
	case len(ids) <= sellerChunk:
		err = s.impactChunk(s.read.WithContext(ctx), p, ids, out)
	default:
		err = s.readTx(ctx, func(db *gorm.DB) error {
			for chunk := range slices.Chunk(ids, sellerChunk) {
				if err := s.impactChunk(db, p, chunk, out); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		return nil, translate(err, "impact inputs")
	}
	return out, nil
}

// The kinds of the rows of impactSQL.
const (
	impactUnitsRow  = "units"
	impactOrdersRow = "orders"
)

// impactSQL is the statement of the inputs of estimates over a period: rows (kind, seller,
// category, n) of the inspected units by seller and category, over both tables of units, and,
// with months, of the orders of the KPI months by seller (category ”), each part restricted by
// sellerCond (sellerFilter). Its parameters are, for each table of units, the period's start
// and end then the sellers; with months, the first months starting at or after the period's
// start and end then the sellers.
func impactSQL(sellerCond string, months bool) string {
	var q string
	for i, table := range []string{benchTestsTable, mysteryOrdersTable} {
		if i > 0 {
			q += " UNION ALL "
		}
		q += "SELECT '" + impactUnitsRow + "', t.seller_id, t.category, COUNT(*) FROM " + table + " t WHERE " +
			readWhere(table) + " AND " + notIncomplete + sellerCond + " GROUP BY t.seller_id, t.category"
	}
	if months {
		q += " UNION ALL SELECT '" + impactOrdersRow + "', t.seller_id, '', SUM(t.orders) FROM kpi_months t WHERE " +
			ruleSQL()[audit.RuleKPIMonth] + sellerCond + " GROUP BY t.seller_id"
	}
	return q
}

// impactArgs are the parameters of impactSQL.
func impactArgs(p audit.Period, sellerArgs []any) (args []any, months bool) {
	for range 2 {
		args = append(append(args, p.Start.UTC(), p.End.UTC()), sellerArgs...)
	}
	from, to := ceilMonth(p.Start), ceilMonth(p.End)
	if from >= to {
		return args, false // no month starts inside the period
	}
	return append(append(args, from, to), sellerArgs...), true
}

func (s *Store) impactChunk(db *gorm.DB, p audit.Period, chunk []string, out map[string]audit.ImpactInput) error {
	sellerCond, sellerArgs := sellerFilter(chunk)
	args, months := impactArgs(p, sellerArgs)
	err := scanRows(db.Raw(impactSQL(sellerCond, months), args...), func(rows *sql.Rows) error {
		var kind, seller, category string
		var n int64
		if err := rows.Scan(&kind, &seller, &category, &n); err != nil {
			return err
		}
		in := out[seller]
		if kind == impactOrdersRow {
			in.Orders += int(n)
		} else {
			if in.Units == nil {
				in.Units = map[grading.Category]int{}
			}
			in.Units[grading.Category(category)] += int(n)
		}
		out[seller] = in
		return nil
	})
	return err
}
