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
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

const kpiCSVHeader = "seller_id,month,orders,shipped_late,valid_tracking,cancelled_before_shipment," +
	"technical_returns_30d,defective_orders,messages_received,messages_answered_within_1bd," +
	"warranty_claims,warranty_remedied_within_5bd,warranty_months\n"

// kpiCSVRow is a valid row in kpiCSVHeader order, with orders as given.
func kpiCSVRow(seller, month string, orders int) string {
	return fmt.Sprintf("%s,%s,%d,1,%d,0,1,0,10,9,2,2,12\n", seller, month, orders, orders)
}

func kpiMonth(seller, month string, orders int) audit.KPIMonth {
	return audit.KPIMonth{SellerID: seller, Month: month, Orders: orders, ShippedLate: 1, ValidTracking: orders,
		TechnicalReturns30d: 1, MessagesReceived: 10, MessagesAnsweredWithin1BD: 9, WarrantyClaims: 2,
		WarrantyRemediedWithin5BD: 2, WarrantyMonths: 12}
}

// service is the domain's use cases over st: the KPI import is a use case of package audit
// over the store's ports, tested here on every database.
func service(st *store.Store) *audit.Service {
	return audit.NewService(audit.ServiceConfig{Store: st})
}

// kpiAll returns every KPI month of a seller, walking the pages.
func kpiAll(t *testing.T, st *store.Store, seller string, limit int) []audit.KPIMonth {
	t.Helper()
	var out []audit.KPIMonth
	page := store.Page{Limit: limit}
	for {
		items, next, err := st.KPIMonths(context.Background(), seller, page)
		require.NoError(t, err)
		out = append(out, items...)
		if next == "" {
			return out
		}
		page.Cursor = next
	}
}

func TestKPIMonthPutReplacesKeepingItsID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller := moSeller(t, st, "KPI One")

		first, err := st.PutKPIMonth(ctx, admin, kpiMonth(seller.ID, "2026-09", 100))
		require.NoError(t, err)
		assert.Regexp(t, `^km_`, first.ID)
		assert.Equal(t, 100, first.Orders)
		assert.Equal(t, time.UTC, first.UpdatedAt.Location())

		second, err := st.PutKPIMonth(ctx, admin, kpiMonth(seller.ID, "2026-09", 250))
		require.NoError(t, err)
		assert.Equal(t, first.ID, second.ID, "a second PUT replaces the month, keeping its id")
		assert.Equal(t, 250, second.Orders)
		assert.Equal(t, 250, second.ValidTracking)

		months := kpiAll(t, st, seller.ID, 0)
		require.Len(t, months, 1)
		assert.Equal(t, second, months[0])

		events, _, err := st.Events(ctx, store.EventFilter{Entity: "kpi_month", EntityID: first.ID}, store.Page{})
		require.NoError(t, err)
		require.Len(t, events, 2)
		assert.Equal(t, []string{"create", "update"}, []string{events[0].Action, events[1].Action})

		_, err = st.PutKPIMonth(ctx, admin, kpiMonth("sl_missing", "2026-09", 1))
		assert.ErrorIs(t, err, audit.ErrNotFound)
		bad := kpiMonth(seller.ID, "2026-09", 1)
		bad.ShippedLate = 2
		_, err = service(st).PutKPIMonth(ctx, admin, bad)
		assert.ErrorIs(t, err, audit.ErrInvalid)
		_, _, err = st.KPIMonths(ctx, "sl_missing", store.Page{})
		assert.ErrorIs(t, err, audit.ErrNotFound)
	})
}

func TestKPIMonthsListInMonthOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller, other := moSeller(t, st, "KPI One"), moSeller(t, st, "KPI Other")
		for _, m := range []string{"2026-03", "2025-12", "2026-01", "2026-02", "2025-11"} {
			_, err := st.PutKPIMonth(ctx, admin, kpiMonth(seller.ID, m, 10))
			require.NoError(t, err)
		}
		_, err := st.PutKPIMonth(ctx, admin, kpiMonth(other.ID, "2026-01", 10))
		require.NoError(t, err)

		var months []string
		for _, k := range kpiAll(t, st, seller.ID, 2) {
			months = append(months, k.Month)
		}
		assert.Equal(t, []string{"2025-11", "2025-12", "2026-01", "2026-02", "2026-03"}, months)

		for _, bad := range []string{"%%", store.EncodeCursor("mo_abc"), store.EncodeCursor("202613")} {
			_, _, err := st.KPIMonths(ctx, seller.ID, store.Page{Cursor: bad})
			assert.ErrorIs(t, err, audit.ErrInvalid, bad)
		}
	})
}

func TestKPIImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		one, two := moSeller(t, st, "KPI One"), moSeller(t, st, "KPI Two")
		existing, err := st.PutKPIMonth(ctx, admin, kpiMonth(one.ID, "2026-09", 100))
		require.NoError(t, err)

		csv := kpiCSVHeader + kpiCSVRow(one.ID, "2026-09", 300) + kpiCSVRow(one.ID, "2026-10", 120) + kpiCSVRow(two.ID, "2026-10", 50)
		var progress []int
		n, err := service(st).ImportKPIs(ctx, admin, strings.NewReader(csv), func(rows int) { progress = append(progress, rows) })
		require.NoError(t, err)
		assert.Equal(t, 3, n)
		assert.Equal(t, []int{3}, progress)

		months := kpiAll(t, st, one.ID, 0)
		require.Len(t, months, 2)
		assert.Equal(t, existing.ID, months[0].ID, "an imported month replaces the stored one, keeping its id")
		assert.Equal(t, 300, months[0].Orders)
		assert.Equal(t, 120, months[1].Orders)

		events, _, err := st.Events(ctx, store.EventFilter{Entity: "kpi_month"}, store.Page{Limit: 100})
		require.NoError(t, err)
		var imported []string
		for _, e := range events {
			if e.Action == "import" {
				imported = append(imported, e.EntityID)
				assert.Equal(t, admin.KeyID, e.KeyID)
			}
		}
		assert.ElementsMatch(t, []string{months[0].ID, months[1].ID, kpiAll(t, st, two.ID, 0)[0].ID}, imported)

		n, err = service(st).ImportKPIs(ctx, admin, strings.NewReader(kpiCSVHeader), nil)
		require.NoError(t, err)
		assert.Zero(t, n, "a header alone imports nothing")
	})
}

func TestKPIImportAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		one := moSeller(t, st, "KPI One")
		_, err := st.PutKPIMonth(ctx, admin, kpiMonth(one.ID, "2026-09", 100))
		require.NoError(t, err)
		before := kpiAll(t, st, one.ID, 0)
		eventsBefore, _, err := st.Events(ctx, store.EventFilter{}, store.Page{Limit: 500})
		require.NoError(t, err)

		tests := []struct {
			name   string
			csv    string
			fields []string
		}{
			{"a bad row in the middle",
				kpiCSVHeader + kpiCSVRow(one.ID, "2026-09", 300) + kpiCSVRow(one.ID, "2026-10", 120) +
					one.ID + ",2026-11,10,11,10,0,0,0,0,0,0,0,12\n" + kpiCSVRow(one.ID, "2026-12", 120),
				[]string{"line 4: shipped_late"}},
			{"an unknown seller", kpiCSVHeader + kpiCSVRow(one.ID, "2026-10", 120) + kpiCSVRow("sl_nobody", "2026-10", 1),
				[]string{"line 3: seller_id"}},
			{"a repeated month, reported on the later line",
				kpiCSVHeader + kpiCSVRow(one.ID, "2026-10", 120) + kpiCSVRow(one.ID, "2026-11", 1) + kpiCSVRow(one.ID, "2026-10", 130),
				[]string{"line 4: month"}},
			{"several problems in one row make one error, and rows keep their order",
				kpiCSVHeader + "sl_nobody,2026-13,x,0,0,0,0,0,0,0,0,0,0\n" + one.ID + ",2026-10,1\n",
				[]string{"line 2: month", "line 3"}},
			{"a missing column", strings.Replace(kpiCSVHeader, ",warranty_months", "", 1), []string{"line 1: warranty_months"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				n, err := service(st).ImportKPIs(ctx, admin, strings.NewReader(tt.csv), nil)
				assert.Zero(t, n)
				var ve *audit.ValidationError
				require.ErrorAs(t, err, &ve)
				var fields []string
				for _, f := range ve.Errors {
					fields = append(fields, f.Field)
				}
				assert.Equal(t, tt.fields, fields, "%v", ve.Errors)

				assert.Equal(t, before, kpiAll(t, st, one.ID, 0), "nothing was imported")
				events, _, err := st.Events(ctx, store.EventFilter{}, store.Page{Limit: 500})
				require.NoError(t, err)
				assert.Equal(t, eventsBefore, events, "no event was recorded")
			})
		}

		// One error per row, listing every problem of the row.
		_, err = service(st).ImportKPIs(ctx, admin, strings.NewReader(tests[3].csv), nil)
		var ve *audit.ValidationError
		require.ErrorAs(t, err, &ve)
		msg := ve.Errors[0].Message
		assert.Contains(t, msg, "orders:")
		assert.Contains(t, msg, "seller_id: no seller has this id")
	})
}

func TestKPIImportHundredThousandRows(t *testing.T) {
	if testing.Short() {
		t.Skip("large import")
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		// 2,000 sellers × 50 months = 100,000 rows, the most one import may hold.
		sellers := make([]audit.Seller, 2000)
		for i := range sellers {
			sellers[i] = audit.Seller{Name: fmt.Sprintf("Seller %d", i), Country: "FR", ContactEmail: "s@example.com"}
		}
		sellers, err := st.CreateSellers(ctx, admin, sellers)
		require.NoError(t, err)
		var sb strings.Builder
		sb.WriteString(kpiCSVHeader)
		for _, s := range sellers {
			for m := range 50 {
				sb.WriteString(kpiCSVRow(s.ID, fmt.Sprintf("%04d-%02d", 2020+m/12, 1+m%12), 100+m))
			}
		}
		csv := sb.String()
		var progress []int
		n, err := service(st).ImportKPIs(ctx, admin, strings.NewReader(csv), func(rows int) { progress = append(progress, rows) })
		require.NoError(t, err)
		assert.Equal(t, audit.MaxKPIRows, n)
		assert.Len(t, progress, 10)

		last := kpiAll(t, st, sellers[len(sellers)-1].ID, 0)
		require.Len(t, last, 50)
		assert.Equal(t, "2024-02", last[49].Month)
		assert.Equal(t, 149, last[49].Orders)

		// One row more is refused.
		_, err = service(st).ImportKPIs(ctx, admin, strings.NewReader(csv+kpiCSVRow(sellers[0].ID, "2030-01", 1)), nil)
		assert.ErrorIs(t, err, audit.ErrInvalid)
	})
}
