package store_test

import (
	"context"
	"sync"
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

var moTechnician = audit.Principal{KeyID: "key_mo_tech", Role: audit.RoleTechnician}

// moRaw is an inspection document as a technician's tool might send it, with spacing, key order
// and escapes of its own: the store keeps it byte for byte.
const moRaw = `{"device": {"model":"Galaxy S21","brand":"Samsung","category":"smartphone","imei":"356938035643809"},
 "functional":{"power_on":"pass"}, "battery":{"health_pct":88.0,"genuine":true},
 "cosmetic":{"screen":{"light_scratches":0,"deep_scratches":0,"dents":0,"chips":0,"cracks":0,"visible_from_cm":0},"body":{"light_scratches":0,"deep_scratches":0,"dents":0,"chips":0,"cracks":0,"visible_from_cm":0}},
 "compliance":{"activation_lock":false,"imei_status":"clean","liquid_damage":false,"data_erased":true,"factory_reset":true,"os_up_to_date":true,"markings_intact":true,"display_like_for_like":true},
 "parts":{"non_genuine":[],"disclosed":true}, "note":"\u00e9cran <ok>"}`

func moAt(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return v
}

// moOrder builds a valid mystery order of a pristine smartphone, with its figures derived, as
// the HTTP layer hands it over: ordered at orderedAt, shipped five hours later, delivered three
// days later, with a service probe answered in an hour.
func moOrder(t testing.TB, sellerID, ref string, orderedAt time.Time) audit.MysteryOrder {
	t.Helper()
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	fn := map[string]grading.Outcome{}
	for _, tc := range ps[grading.Smartphone].Tests {
		fn[tc.Code] = grading.Pass
	}
	shipped, delivered := orderedAt.Add(5*time.Hour), orderedAt.Add(72*time.Hour)
	answered := orderedAt.Add(2 * time.Hour)
	mo := audit.MysteryOrder{
		SellerID: sellerID, OrderRef: ref, OrderedAt: orderedAt, ShippedAt: &shipped, DeliveredAt: &delivered,
		ListedGrade: grading.Excellent,
		Inspection: grading.Inspection{
			Device:     grading.Device{Category: grading.Smartphone, Brand: "Samsung", Model: "Galaxy S21", IMEI: "356938035643809"},
			Functional: fn,
			Battery:    grading.Battery{HealthPct: 88, Genuine: true},
			Compliance: grading.Compliance{IMEIStatus: grading.IMEIClean, DataErased: true, FactoryReset: true, OSUpToDate: true,
				MarkingsIntact: true, DisplayLikeForLike: true},
			Parts: grading.Parts{NonGenuine: []string{}, Disclosed: true},
		},
		Submitted: []byte(moRaw),
		Logistics: audit.Logistics{PackagingAdequate: true, ChargeOnArrivalPct: 29.9, CableIncluded: true,
			ChargerAsListed: false},
		IdentityMatchesListing: true,
		ServiceProbe:           &audit.ServiceProbe{QuestionSentAt: orderedAt.Add(time.Hour), AnsweredAt: &answered},
	}
	require.Empty(t, audit.ValidateMysteryOrder(mo, ps))
	audit.DeriveMysteryOrder(&mo, ps[grading.Smartphone])
	return mo
}

func moSeller(t *testing.T, st *store.Store, name string) audit.Seller {
	t.Helper()
	s, err := st.CreateSeller(context.Background(), admin, audit.Seller{Name: name, Country: "FR", ContactEmail: "mo@example.com"})
	require.NoError(t, err)
	return s
}

func TestMysteryOrderCreateAndRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller := moSeller(t, st, "Refurb One")
		// A time zone other than UTC and nanoseconds: stored in UTC to the microsecond.
		in := moOrder(t, seller.ID, "MO-2026-0142", moAt(t, "2026-10-02T11:00:00.123456789+02:00"))

		rec, err := st.CreateMysteryOrder(ctx, moTechnician, in)
		require.NoError(t, err)
		assert.Regexp(t, `^mo_[0-9a-z]{30}$`, rec.ID)
		assert.Equal(t, moTechnician.KeyID, rec.TechnicianKeyID)
		assert.Equal(t, moAt(t, "2026-10-02T09:00:00.123456Z"), rec.OrderedAt)
		assert.Equal(t, moRaw, string(rec.Submitted), "the inspection is kept byte for byte")
		assert.Equal(t, in.Grade, rec.Grade)
		assert.Equal(t, in.GradeMatch, rec.GradeMatch)
		assert.NotEmpty(t, rec.GradeMatch)
		assert.True(t, rec.ShippedWithinOneBusinessDay)
		assert.True(t, rec.LowCharge)
		assert.False(t, rec.AccessoriesOK)
		assert.False(t, rec.PackagingFailure)
		require.NotNil(t, rec.ProbeAnsweredInTime)
		assert.True(t, *rec.ProbeAnsweredInTime)
		assert.Empty(t, rec.Supersedes)
		assert.Empty(t, rec.SupersededBy)

		got, err := st.MysteryOrder(ctx, rec.ID)
		require.NoError(t, err)
		assert.Equal(t, rec, got, "what is answered at creation is what is read back")
		assert.Equal(t, time.UTC, got.OrderedAt.Location())
		assert.Equal(t, time.UTC, got.ServiceProbe.QuestionSentAt.Location())
		assert.Equal(t, in.Inspection.Device, got.Inspection.Device)

		_, err = st.MysteryOrder(ctx, "mo_missing")
		assert.ErrorIs(t, err, audit.ErrNotFound)

		events, _, err := st.Events(ctx, store.EventFilter{Entity: "mystery_order", EntityID: rec.ID}, store.Page{})
		require.NoError(t, err)
		require.Len(t, events, 1)
		assert.Equal(t, "create", events[0].Action)
		assert.Equal(t, moTechnician.KeyID, events[0].KeyID)
	})
}

func TestMysteryOrderOptionalFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller := moSeller(t, st, "Refurb One")
		in := moOrder(t, seller.ID, "MO-1", moAt(t, "2026-10-02T09:00:00Z"))
		in.ShippedAt, in.DeliveredAt, in.ServiceProbe = nil, nil, nil
		ps, err := checklist.LoadProtocols()
		require.NoError(t, err)
		audit.DeriveMysteryOrder(&in, ps[grading.Smartphone])

		rec, err := st.CreateMysteryOrder(ctx, moTechnician, in)
		require.NoError(t, err)
		got, err := st.MysteryOrder(ctx, rec.ID)
		require.NoError(t, err)
		assert.Nil(t, got.ShippedAt)
		assert.Nil(t, got.DeliveredAt)
		assert.Nil(t, got.ServiceProbe)
		assert.Nil(t, got.ProbeAnsweredInTime)
		assert.False(t, got.ShippedWithinOneBusinessDay)
	})
}

func TestMysteryOrderRefUniquePerSeller(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		one, two := moSeller(t, st, "One"), moSeller(t, st, "Two")
		at := moAt(t, "2026-10-02T09:00:00Z")
		_, err := st.CreateMysteryOrder(ctx, moTechnician, moOrder(t, one.ID, "MO-1", at))
		require.NoError(t, err)
		_, err = st.CreateMysteryOrder(ctx, moTechnician, moOrder(t, one.ID, "MO-1", at))
		assert.ErrorIs(t, err, audit.ErrConflict)
		_, err = st.CreateMysteryOrder(ctx, moTechnician, moOrder(t, two.ID, "MO-1", at))
		assert.NoError(t, err, "the same reference at another seller is another order")
		_, err = st.CreateMysteryOrder(ctx, moTechnician, moOrder(t, "sl_missing", "MO-1", at))
		assert.ErrorIs(t, err, audit.ErrNotFound)

		// Racing submissions of one reference: exactly one wins.
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = st.CreateMysteryOrder(ctx, moTechnician, moOrder(t, two.ID, "MO-RACE", at))
			})
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else {
				assert.ErrorIs(t, err, audit.ErrConflict)
			}
		}
		assert.Equal(t, 1, wins)
	})
}

func TestMysteryOrderCorrections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller := moSeller(t, st, "One")
		at := moAt(t, "2026-10-02T09:00:00Z")
		first, err := st.CreateMysteryOrder(ctx, moTechnician, moOrder(t, seller.ID, "MO-1", at))
		require.NoError(t, err)

		fix := moOrder(t, seller.ID, "MO-1", at)
		fix.Logistics.ChargeOnArrivalPct = 80
		fix.LowCharge = false
		second, err := st.CorrectMysteryOrder(ctx, admin, first.ID, fix)
		require.NoError(t, err)
		assert.Equal(t, first.ID, second.Supersedes)
		assert.False(t, second.LowCharge)
		assert.Equal(t, admin.KeyID, second.TechnicianKeyID)

		old, err := st.MysteryOrder(ctx, first.ID)
		require.NoError(t, err)
		assert.Equal(t, second.ID, old.SupersededBy)
		assert.True(t, old.LowCharge, "the corrected record never changes")

		_, err = st.CorrectMysteryOrder(ctx, admin, first.ID, fix)
		assert.ErrorIs(t, err, audit.ErrConflict, "corrections form a chain")
		third, err := st.CorrectMysteryOrder(ctx, admin, second.ID, fix)
		require.NoError(t, err)
		assert.Equal(t, second.ID, third.Supersedes)

		// That a correction is of the same order (seller and order_ref) is the service's rule
		// (audit.TestCorrectMysteryOrder).
		_, err = st.CorrectMysteryOrder(ctx, admin, "mo_missing", fix)
		assert.ErrorIs(t, err, audit.ErrNotFound)

		all, _, err := st.MysteryOrders(ctx, store.MysteryOrderFilter{SellerID: seller.ID}, store.Page{})
		require.NoError(t, err)
		require.Len(t, all, 3, "corrections and corrected records stay visible")
		assert.Equal(t, []string{second.ID, third.ID, ""}, []string{all[0].SupersededBy, all[1].SupersededBy, all[2].SupersededBy})

		events, _, err := st.Events(ctx, store.EventFilter{Entity: "mystery_order", EntityID: second.ID}, store.Page{})
		require.NoError(t, err)
		require.Len(t, events, 1)
		assert.Equal(t, "correct", events[0].Action)
	})
}

func TestMysteryOrderListFiltersAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		one, two := moSeller(t, st, "One"), moSeller(t, st, "Two")
		start := moAt(t, "2026-10-01T00:00:00Z")
		for i := range 12 {
			seller := one
			if i%3 == 2 {
				seller = two
			}
			_, err := st.CreateMysteryOrder(ctx, moTechnician, moOrder(t, seller.ID, "MO-"+string(rune('A'+i)), start.Add(time.Duration(i)*12*time.Hour)))
			require.NoError(t, err)
		}
		collect := func(f store.MysteryOrderFilter) []audit.MysteryOrder {
			var out []audit.MysteryOrder
			page := store.Page{Limit: 3}
			for {
				items, next, err := st.MysteryOrders(ctx, f, page)
				require.NoError(t, err)
				for _, it := range items {
					out = append(out, it.MysteryOrder)
				}
				if next == "" {
					return out
				}
				page.Cursor = next
			}
		}
		assert.Len(t, collect(store.MysteryOrderFilter{}), 12)
		assert.Len(t, collect(store.MysteryOrderFilter{SellerID: one.ID}), 8)
		// [Oct 2, Oct 4): orders 2, 3, 4, 5 (every 12 hours from Oct 1).
		got := collect(store.MysteryOrderFilter{From: moAt(t, "2026-10-02T00:00:00Z"), To: moAt(t, "2026-10-04T00:00:00Z")})
		require.Len(t, got, 4)
		for _, mo := range got {
			assert.False(t, mo.OrderedAt.Before(moAt(t, "2026-10-02T00:00:00Z")))
			assert.True(t, mo.OrderedAt.Before(moAt(t, "2026-10-04T00:00:00Z")))
		}
		assert.Len(t, collect(store.MysteryOrderFilter{SellerID: two.ID, From: moAt(t, "2026-10-02T00:00:00Z"), To: moAt(t, "2026-10-04T00:00:00Z")}), 2)

		_, _, err := st.MysteryOrders(ctx, store.MysteryOrderFilter{}, store.Page{Cursor: "%%"})
		assert.ErrorIs(t, err, audit.ErrInvalid)
	})
}
