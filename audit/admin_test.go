package audit

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

func TestSellerScoping(t *testing.T) {
	ctx := context.Background()
	one, two := Seller{ID: "sl_1", Name: "One"}, Seller{ID: "sl_2", Name: "Two"}
	own := Principal{KeyID: "key_s", Role: RoleSeller, SellerID: one.ID}

	t.Run("a seller reads its own record", func(t *testing.T) {
		svc := NewService(ServiceConfig{Store: newAdminFake(one, two)})
		got, err := svc.Seller(ctx, own, one.ID)
		require.NoError(t, err)
		assert.Equal(t, one, got)
	})
	t.Run("another seller's record does not exist for a seller", func(t *testing.T) {
		fake := newAdminFake(one, two)
		svc := NewService(ServiceConfig{Store: fake})
		_, err := svc.Seller(ctx, own, two.ID)
		assert.ErrorIs(t, err, ErrNotFound)
		assert.EqualError(t, err, "seller sl_2: not found", "said as of a seller that does not exist")
		assert.Zero(t, fake.count("Seller"), "decided before the store is asked")
	})
	t.Run("staff read every seller", func(t *testing.T) {
		svc := NewService(ServiceConfig{Store: newAdminFake(one, two)})
		for _, r := range []Role{RoleAdmin, RoleManager, RoleTechnician} {
			got, err := svc.Seller(ctx, Principal{Role: r}, two.ID)
			require.NoError(t, err, r)
			assert.Equal(t, two, got, r)
		}
		_, err := svc.Seller(ctx, testAdmin, "sl_nope")
		assert.ErrorIs(t, err, ErrNotFound)
	})
	t.Run("a seller's list is its own record alone, on one page", func(t *testing.T) {
		fake := newAdminFake(one, two)
		svc := NewService(ServiceConfig{Store: fake})
		items, next, err := svc.Sellers(ctx, own, Page{Limit: 1, Cursor: "c"})
		require.NoError(t, err)
		assert.Equal(t, []Seller{one}, items)
		assert.Empty(t, next)
		assert.Zero(t, fake.count("Sellers"))
	})
	t.Run("staff list every seller, page by page", func(t *testing.T) {
		svc := NewService(ServiceConfig{Store: newAdminFake(one, two)})
		items, next, err := svc.Sellers(ctx, Principal{Role: RoleTechnician}, Page{Cursor: "c"})
		require.NoError(t, err)
		assert.Equal(t, []Seller{one, two}, items)
		assert.Equal(t, "next:c", next, "the page is the store's")
	})
}

func TestPublishCharter(t *testing.T) {
	ctx := context.Background()
	def, err := checklist.DefaultCharter()
	require.NoError(t, err)
	manager := Principal{KeyID: "key_m", Role: RoleManager}

	t.Run("published as compiled", func(t *testing.T) {
		fake := newAdminFake()
		svc := NewService(ServiceConfig{Store: fake})
		c := checklist.Charter{Version: "2027.1", Points: append([]checklist.Point(nil), def.Points...)}
		c.Points[17].Weight, c.Points[17].Metric = 0, "" // left for Compile to fill in
		cv, err := svc.PublishCharter(ctx, manager, c, true)
		require.NoError(t, err)
		assert.Equal(t, "2027.1", cv.Charter.Version)
		assert.True(t, cv.Active)
		assert.Equal(t, 4, cv.Charter.Points[17].Weight)
		assert.Equal(t, "late_shipment_rate", cv.Charter.Points[17].Metric)
		assert.Equal(t, cv.Charter, fake.charters[0].Charter, "what is stored is what is answered")
	})
	t.Run("a charter that does not compile is not stored", func(t *testing.T) {
		fake := newAdminFake()
		svc := NewService(ServiceConfig{Store: fake})
		c := checklist.Charter{Version: "2027.1", Points: append([]checklist.Point(nil), def.Points...)}
		c.Points[3].Rule = "undisclosed_parts =="
		_, err := svc.PublishCharter(ctx, manager, c, false)
		var ce *checklist.CompileError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, []grading.FieldError{{Field: "points[3].rule", Message: "QC04: unexpected token EOF (1:20)"}}, ce.Errors)
		assert.Zero(t, fake.count("PublishCharter"))
	})
	t.Run("a version is published once", func(t *testing.T) {
		fake := newAdminFake()
		svc := NewService(ServiceConfig{Store: fake})
		_, err := svc.PublishCharter(ctx, manager, def, false)
		require.NoError(t, err)
		_, err = svc.PublishCharter(ctx, manager, def, true)
		assert.ErrorIs(t, err, ErrConflict)
		assert.EqualError(t, err, "charter version 2026.1 is already published; versions never change")
		require.Len(t, fake.charters, 1)
		assert.False(t, fake.charters[0].Active, "the refused attempt activated nothing")
	})
}
