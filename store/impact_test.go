package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// laptopFactors is a version as an operator would publish it, with a laptop factor.
func laptopFactors(t *testing.T, version string) audit.ImpactFactors {
	t.Helper()
	f, err := audit.DefaultImpactFactors()
	require.NoError(t, err)
	f.Version = version
	f.Factors = append(f.Factors, audit.ImpactFactor{Category: grading.Laptop, Source: "a laptop study",
		PerDevice: audit.ImpactFigures{CO2eKg: 300.5, EwasteKg: 2.25, RawMaterialsKg: 1000, WaterL: 190000}})
	return f
}

// TestImpactFactorsConformance: migration 00014 publishes the embedded default version, to the
// same factors; versions are published once, in order, the last one in force; they list in
// pages and each publication is in the event trail.
func TestImpactFactorsConformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		clock := newAuditClock("2026-11-02T08:00:00Z")
		st := b.Open(t, store.Config{Now: clock.Now})
		def, err := audit.DefaultImpactFactors()
		require.NoError(t, err)

		seeded, err := st.LatestImpactFactors(ctx)
		require.NoError(t, err)
		assert.Equal(t, def.Version, seeded.Version)
		assert.Equal(t, def.Factors, seeded.Factors, "the migration's document is the embedded default")
		assert.Equal(t, "migration 00014", seeded.CreatedBy)
		assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), seeded.CreatedAt)
		again, err := st.ImpactFactors(ctx, audit.DefaultImpactFactorsVersion)
		require.NoError(t, err)
		assert.Equal(t, seeded, again)

		// Published after the default whatever the clock says: the order is the database's.
		clock.set(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
		next := laptopFactors(t, "2027.1")
		require.NoError(t, st.PublishImpactFactors(ctx, admin, next))
		latest, err := st.LatestImpactFactors(ctx)
		require.NoError(t, err)
		assert.Equal(t, "2027.1", latest.Version)
		assert.Equal(t, next.Factors, latest.Factors)
		assert.Equal(t, admin.KeyID, latest.CreatedBy)
		assert.ErrorIs(t, st.PublishImpactFactors(ctx, admin, next), audit.ErrConflict)
		require.NoError(t, st.PublishImpactFactors(ctx, admin, laptopFactors(t, "2027.2")))

		all, cursor, err := st.ImpactFactorVersions(ctx, store.Page{})
		require.NoError(t, err)
		assert.Empty(t, cursor)
		var versions []string
		for _, f := range all {
			versions = append(versions, f.Version)
		}
		assert.Equal(t, []string{"2026.1", "2027.1", "2027.2"}, versions, "in the order published")
		first, cursor, err := st.ImpactFactorVersions(ctx, store.Page{Limit: 2})
		require.NoError(t, err)
		require.Len(t, first, 2)
		require.NotEmpty(t, cursor)
		rest, last, err := st.ImpactFactorVersions(ctx, store.Page{Limit: 2, Cursor: cursor})
		require.NoError(t, err)
		require.Len(t, rest, 1)
		assert.Equal(t, "2027.2", rest[0].Version)
		assert.Empty(t, last)
		for _, bad := range []string{"%", store.EncodeCursor("abc"), store.EncodeCursor("-1")} {
			_, _, err := st.ImpactFactorVersions(ctx, store.Page{Cursor: bad})
			assert.ErrorIs(t, err, audit.ErrInvalid, bad)
		}
		_, err = st.ImpactFactors(ctx, "1999.1")
		assert.ErrorIs(t, err, audit.ErrNotFound)

		events, _, err := st.Events(ctx, audit.EventFilter{Entity: "impact_factors"}, store.Page{})
		require.NoError(t, err)
		require.Len(t, events, 2)
		assert.Equal(t, "publish", events[0].Action)
		assert.ElementsMatch(t, []string{"2027.1", "2027.2"}, []string{events[0].EntityID, events[1].EntityID})
	})
}

// TestImpactInputs reads the inputs of estimates from stored records: units by seller and
// category from both tables, period edges, incomplete units and superseded records left out,
// KPI orders of the months that start in the period; every seller or the named ones only (each
// once, in chunks); sellers without anything in the period left out.
func TestImpactInputs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		st := e.st
		p := auPeriod(t, "2026-07-15", "2026-10-01")
		a, bb, c := e.seller("A"), e.seller("B"), e.seller("C")
		n := 0
		bench := func(seller, at string, category grading.Category, status grading.Status, change auRow) string {
			n++
			id := fmt.Sprintf("bt_%03d", n)
			r := auRow{"category": string(category), "status": string(status)}
			for k, v := range change {
				r[k] = v
			}
			e.bench(seller, id, at, r)
			return id
		}
		order := func(seller, at string, category grading.Category, status grading.Status) {
			n++
			e.order(seller, fmt.Sprintf("mo_%03d", n), at, auRow{"category": string(category), "status": string(status)})
		}
		kpi := func(seller, month string, orders int) {
			n++
			e.kpi(seller, auKPI{id: fmt.Sprintf("km_%03d", n), month: month, orders: orders, warranty: 12})
		}
		bench(a, "2026-07-15T00:00:00Z", grading.Smartphone, grading.Sellable, nil)
		bench(a, "2026-07-14T23:59:59.999999Z", grading.Smartphone, grading.Sellable, nil) // before: out
		bench(a, "2026-09-30T23:59:59.999999Z", grading.Tablet, grading.NotSellable, nil)
		bench(a, "2026-10-01T00:00:00Z", grading.Laptop, grading.Sellable, nil) // the end: out
		bench(a, "2026-08-01T00:00:00Z", grading.Laptop, grading.Incomplete, nil)
		old := bench(a, "2026-08-02T00:00:00Z", grading.Laptop, grading.Sellable, nil)
		bench(a, "2026-08-03T00:00:00Z", grading.Tablet, grading.Sellable, auRow{"supersedes": old})
		order(a, "2026-08-05T00:00:00Z", grading.Smartphone, grading.Rejected)
		order(a, "2026-08-05T00:00:00Z", grading.Laptop, grading.Incomplete)
		kpi(a, "2026-07", 1000) // starts before the period: out
		kpi(a, "2026-08", 120)
		kpi(a, "2026-09", 80)
		kpi(bb, "2026-09", 7) // orders without units
		kpi(c, "2026-10", 9)  // out
		bench(c, "2026-06-01T00:00:00Z", grading.Smartphone, grading.Sellable, nil)

		wantA := audit.ImpactInput{Orders: 200, Units: map[grading.Category]int{grading.Smartphone: 2, grading.Tablet: 2}}
		all, err := st.ImpactInputs(ctx, p, nil)
		require.NoError(t, err)
		assert.Equal(t, map[string]audit.ImpactInput{a: wantA, bb: {Orders: 7}}, all)
		named, err := st.ImpactInputs(ctx, p, []string{c, a, a})
		require.NoError(t, err)
		assert.Equal(t, map[string]audit.ImpactInput{a: wantA}, named)
		// A period within one month reads no KPI month.
		day, err := st.ImpactInputs(ctx, auPeriod(t, "2026-08-05", "2026-08-06"), nil)
		require.NoError(t, err)
		assert.Equal(t, map[string]audit.ImpactInput{a: {Units: map[grading.Category]int{grading.Smartphone: 1}}}, day)
	})
}

// TestImpactInputsReadTheIndex: on SQLite the marketplace's units of a period are counted
// from the audit's covering index alone (migration 00014 added the category to it), never by
// reading the large bench-test rows; a seller's (the report's) from the index of its bench
// tests by date, which 00014 made covering too.
func TestImpactInputsReadTheIndex(t *testing.T) {
	st := storetest.OpenSQLite(t, store.Config{})
	db := st.AuditsTestDB()
	plan := func(seller bool) string {
		q, args := store.ImpactSQL(auPeriod(t, "2026-07-01", "2026-10-01"), seller)
		var rows []struct {
			ID, Parent, NotUsed int
			Detail              string
		}
		require.NoError(t, db.Raw("EXPLAIN QUERY PLAN "+q, args...).Scan(&rows).Error)
		var details []string
		for _, r := range rows {
			details = append(details, r.Detail)
		}
		return strings.Join(details, "\n")
	}
	all := plan(false)
	assert.Contains(t, all, "SEARCH t USING COVERING INDEX bench_tests_audit (tested_at>? AND tested_at<?)", all)
	assert.Contains(t, all, "kpi_months_month", all)
	one := plan(true)
	assert.Contains(t, one, "SEARCH t USING COVERING INDEX bench_tests_seller_tested (seller_id=? AND tested_at>? AND tested_at<?)", one)
	assert.Contains(t, one, "SEARCH t USING INDEX mystery_orders_seller_ordered (seller_id=? AND ordered_at>? AND ordered_at<?)", one)
}

// Migration 00014 goes down and up again on both dialects: down drops the factors and the
// category from the audit's index, up publishes the default version anew.
func TestImpactMigrationDownAndUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		require.NoError(t, st.PublishImpactFactors(ctx, admin, laptopFactors(t, "2027.1")))
		p := migrator(t, b, st)
		_, err := p.DownTo(ctx, 13)
		require.NoError(t, err)
		_, err = st.LatestImpactFactors(ctx)
		require.Error(t, err, "the table is gone")
		_, err = p.UpTo(ctx, 14)
		require.NoError(t, err)
		f, err := st.LatestImpactFactors(ctx)
		require.NoError(t, err)
		assert.Equal(t, audit.DefaultImpactFactorsVersion, f.Version)
		all, _, err := st.ImpactFactorVersions(ctx, store.Page{})
		require.NoError(t, err)
		assert.Len(t, all, 1, fmt.Sprint(all))
	})
}
