package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

var loader = audit.Principal{KeyID: "demo", Role: audit.RoleAdmin}

// loadInspection is a pristine smartphone with the given battery health.
func loadInspection(t *testing.T, health float64) (grading.Inspection, grading.Protocol) {
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	p := ps[grading.Smartphone]
	fn := map[string]grading.Outcome{}
	for _, tc := range p.Tests {
		fn[tc.Code] = grading.Pass
	}
	return grading.Inspection{
		Device:     grading.Device{Category: grading.Smartphone, Brand: "Apple", Model: "iPhone 13", IMEI: "356938035643809"},
		Functional: fn,
		Battery:    grading.Battery{HealthPct: health, Genuine: true},
		Compliance: grading.Compliance{IMEIStatus: grading.IMEIClean, DataErased: true, FactoryReset: true, OSUpToDate: true,
			MarkingsIntact: true, DisplayLikeForLike: true},
		Parts: grading.Parts{NonGenuine: []string{}, Disclosed: true},
	}, p
}

func TestLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		clock := time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)
		st := b.Open(t, store.Config{Now: func() time.Time { return clock }})

		n, err := st.CountSellers(ctx)
		require.NoError(t, err)
		assert.Zero(t, n)

		joined := time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC)
		sellers, err := st.LoadSellers(ctx, loader, []audit.Seller{
			{Name: "Łódź Serwis", Country: "PL", ContactEmail: "a@sellers.example", CreatedAt: joined},
			{Name: "Ремонт Плюс", Country: "BG", ContactEmail: "b@sellers.example"},
		})
		require.NoError(t, err)
		require.Len(t, sellers, 2)
		assert.Equal(t, joined, sellers[0].CreatedAt)
		assert.Equal(t, clock, sellers[1].CreatedAt, "no creation time: the store's clock")
		assert.Less(t, sellers[0].ID, sellers[1].ID, "ids carry the creation time")
		got, err := st.Seller(ctx, sellers[0].ID)
		require.NoError(t, err)
		assert.Equal(t, sellers[0], got)
		n, err = st.CountSellers(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, 2, n)

		in, p := loadInspection(t, 91)
		var bts []audit.BenchTest
		for i, h := range []float64{91, 78, 88} {
			in.Battery.HealthPct = h
			bt := audit.BenchTest{SellerID: sellers[i%2].ID, Lab: "Lyon lab", TestedAt: time.Date(2025, 6, 2+i, 10, 0, 0, 0, time.UTC),
				ExternalID: "BT-" + string(rune('a'+i)), Inspection: in, Submitted: []byte(`{"doc":` + string(rune('0'+i)) + `}`)}
			audit.DeriveBenchTest(&bt, p)
			bts = append(bts, bt)
		}
		ids, err := st.LoadBenchTests(ctx, loader, bts)
		require.NoError(t, err)
		require.Len(t, ids, 3)
		assert.IsIncreasing(t, ids, "listed in the order loaded")
		rec, err := st.BenchTest(ctx, ids[1])
		require.NoError(t, err)
		assert.Equal(t, grading.F2, rec.Grade.Functional)
		assert.Equal(t, `{"doc":1}`, string(rec.Submitted))
		assert.Equal(t, "BT-b", rec.ExternalID)
		assert.Equal(t, clock, rec.CreatedAt)
		events, _, err := st.Events(ctx, store.EventFilter{Entity: "bench_test"}, store.Page{})
		require.NoError(t, err)
		assert.Len(t, events, 3)

		// A repeated external id fails the whole load.
		_, err = st.LoadBenchTests(ctx, loader, bts[:1])
		require.Error(t, err)
		assert.True(t, errors.Is(err, audit.ErrConflict), err)

		shipped, delivered := time.Date(2025, 6, 3, 15, 0, 0, 0, time.UTC), time.Date(2025, 6, 5, 11, 0, 0, 0, time.UTC)
		mo := audit.MysteryOrder{SellerID: sellers[0].ID, OrderRef: "MO-1", OrderedAt: time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC),
			ShippedAt: &shipped, DeliveredAt: &delivered, ListedGrade: grading.Excellent, Inspection: in, Submitted: []byte(`{}`),
			Logistics:              audit.Logistics{PackagingAdequate: true, ChargeOnArrivalPct: 60, CableIncluded: true, ChargerAsListed: true},
			IdentityMatchesListing: true}
		audit.DeriveMysteryOrder(&mo, p)
		moIDs, err := st.LoadMysteryOrders(ctx, loader, []audit.MysteryOrder{mo})
		require.NoError(t, err)
		require.Len(t, moIDs, 1)
		gotMO, err := st.MysteryOrder(ctx, moIDs[0])
		require.NoError(t, err)
		assert.True(t, gotMO.ShippedWithinOneBusinessDay)
		assert.Equal(t, "MO-1", gotMO.OrderRef)

		k := audit.KPIMonth{SellerID: sellers[1].ID, Month: "2025-06", Orders: 100, ShippedLate: 3, ValidTracking: 99,
			MessagesReceived: 20, MessagesAnsweredWithin1BD: 19, WarrantyClaims: 2, WarrantyRemediedWithin5BD: 2, WarrantyMonths: 12}
		kIDs, err := st.LoadKPIMonths(ctx, loader, []audit.KPIMonth{k})
		require.NoError(t, err)
		require.Len(t, kIDs, 1)
		months, _, err := st.KPIMonths(ctx, sellers[1].ID, store.Page{})
		require.NoError(t, err)
		require.Len(t, months, 1)
		assert.Equal(t, 3, months[0].ShippedLate)

		// Generated data never replaces a month, and an invalid month stores nothing.
		_, err = st.LoadKPIMonths(ctx, loader, []audit.KPIMonth{k})
		assert.True(t, errors.Is(err, audit.ErrConflict), err)
		bad := k
		bad.Month, bad.ShippedLate = "2025-07", 101
		_, err = st.LoadKPIMonths(ctx, loader, []audit.KPIMonth{bad})
		assert.True(t, errors.Is(err, audit.ErrInvalid), err)

		// Nothing to load is not an error.
		ids, err = st.LoadBenchTests(ctx, loader, nil)
		assert.NoError(t, err)
		assert.Empty(t, ids)
	})
}
