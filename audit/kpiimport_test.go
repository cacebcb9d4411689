package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKPIMonthsAreScoped(t *testing.T) {
	ctx := context.Background()
	one, two := Seller{ID: "sl_1", Name: "One"}, Seller{ID: "sl_2", Name: "Two"}
	own := Principal{KeyID: "key_s", Role: RoleSeller, SellerID: one.ID}
	t.Run("a seller's KPI months are hidden from another seller", func(t *testing.T) {
		fake := newAdminFake(one, two)
		svc := NewService(ServiceConfig{Store: fake})
		_, _, err := svc.KPIMonths(ctx, own, two.ID, Page{})
		assert.ErrorIs(t, err, ErrNotFound)
		assert.Zero(t, fake.count("KPIMonths"))
		_, _, err = svc.KPIMonths(ctx, Principal{Role: RoleManager}, two.ID, Page{})
		assert.NoError(t, err)
	})
}

func TestPutKPIMonthChecksTheFigures(t *testing.T) {
	ctx := context.Background()
	fake := newAdminFake(Seller{ID: "sl_1"})
	svc := NewService(ServiceConfig{Store: fake})
	k := KPIMonth{SellerID: "sl_1", Month: "2026-13", Orders: 10, ShippedLate: 11, WarrantyMonths: 12}
	_, err := svc.PutKPIMonth(ctx, testAdmin, k)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, ValidateKPIMonth(k), ve.Errors)
	assert.Equal(t, []string{"month", "shipped_late"}, fields(ve.Errors))
	assert.Zero(t, fake.count("PutKPIMonth"), "invalid figures never reach the store")

	k.Month, k.ShippedLate = "2026-12", 10
	_, err = svc.PutKPIMonth(ctx, testAdmin, k)
	require.NoError(t, err)
	assert.Equal(t, []KPIMonth{k}, fake.kpis)
}

const testKPIHeader = "seller_id,month,orders,shipped_late,valid_tracking,cancelled_before_shipment," +
	"technical_returns_30d,defective_orders,messages_received,messages_answered_within_1bd," +
	"warranty_claims,warranty_remedied_within_5bd,warranty_months\n"

func testKPIRow(seller, month string) string {
	return seller + "," + month + ",100,1,100,0,1,0,10,9,2,2,12\n"
}

func TestImportKPIs(t *testing.T) {
	ctx := context.Background()

	t.Run("every good row is stored at once", func(t *testing.T) {
		fake := newAdminFake(Seller{ID: "sl_1"}, Seller{ID: "sl_2"})
		svc := NewService(ServiceConfig{Store: fake})
		var progress []int
		n, err := svc.ImportKPIs(ctx, testAdmin, strings.NewReader(testKPIHeader+testKPIRow("sl_1", "2026-09")+testKPIRow("sl_2", "2026-09")),
			func(rows int) { progress = append(progress, rows) })
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		assert.Equal(t, []int{2}, progress, "once at the end of the reading")
		assert.Equal(t, 1, fake.count("ImportKPIMonths"), "one write")
		assert.Equal(t, 1, fake.count("KnownSellers"), "one look-up of the sellers")
		require.Len(t, fake.kpis, 2)
		assert.Equal(t, "sl_2", fake.kpis[1].SellerID)
		assert.Equal(t, 100, fake.kpis[1].Orders)
	})
	t.Run("a header alone stores nothing", func(t *testing.T) {
		fake := newAdminFake()
		svc := NewService(ServiceConfig{Store: fake})
		var progress []int
		n, err := svc.ImportKPIs(ctx, testAdmin, strings.NewReader(testKPIHeader), func(rows int) { progress = append(progress, rows) })
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.Equal(t, []int{0}, progress)
		assert.Zero(t, fake.count("ImportKPIMonths"))
	})
	t.Run("one bad row refuses the file, one error per row in line order", func(t *testing.T) {
		fake := newAdminFake(Seller{ID: "sl_1"})
		svc := NewService(ServiceConfig{Store: fake})
		csv := testKPIHeader +
			testKPIRow("sl_1", "2026-09") + // line 2: fine
			testKPIRow("sl_nobody", "2026-09") + // line 3: unknown seller
			"sl_nobody,2026-13,x,0,0,0,0,0,0,0,0,0,0\n" + // line 4: three problems, one error
			"sl_1,2026-10,1\n" // line 5: too few columns: no seller to look up
		n, err := svc.ImportKPIs(ctx, testAdmin, strings.NewReader(csv), nil)
		assert.Zero(t, n)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, []string{"line 3: seller_id", "line 4: month", "line 5"}, fields(ve.Errors))
		assert.Equal(t, "no seller has this id", ve.Errors[0].Message)
		assert.Contains(t, ve.Errors[1].Message, "(also orders: ")
		assert.Contains(t, ve.Errors[1].Message, "; seller_id: no seller has this id)")
		assert.Zero(t, fake.count("ImportKPIMonths"), "nothing was stored")
	})
	t.Run("a bad header is refused before the store is asked", func(t *testing.T) {
		fake := newAdminFake()
		svc := NewService(ServiceConfig{Store: fake})
		_, err := svc.ImportKPIs(ctx, testAdmin, strings.NewReader(strings.Replace(testKPIHeader, ",warranty_months", "", 1)), nil)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, []string{"line 1: warranty_months"}, fields(ve.Errors))
		assert.Zero(t, fake.count("KnownSellers"))
	})
	t.Run("progress every 10,000 rows, and a cancelled import stops there", func(t *testing.T) {
		var sb strings.Builder
		sb.WriteString(testKPIHeader)
		for i := range 25_000 {
			sb.WriteString(testKPIRow("sl_"+string(rune('a'+i%26))+strings.Repeat("x", i/26%40), "2026-09"))
		}
		svc := NewService(ServiceConfig{Store: newAdminFake()})
		var progress []int
		_, err := svc.ImportKPIs(ctx, testAdmin, strings.NewReader(sb.String()), func(rows int) { progress = append(progress, rows) })
		require.Error(t, err, "every seller is unknown")
		assert.Equal(t, []int{10_000, 20_000, 25_000}, progress)

		cctx, cancel := context.WithCancel(ctx)
		cancel()
		progress = nil
		_, err = svc.ImportKPIs(cctx, testAdmin, strings.NewReader(sb.String()), func(rows int) { progress = append(progress, rows) })
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, []int{10_000}, progress)
	})
}
