package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

func TestUsersConformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
		st := b.Open(t, store.Config{Now: func() time.Time { return now }})
		seller, err := st.CreateSeller(ctx, admin, audit.Seller{Name: "S", Country: "FR", ContactEmail: "s@example.com"})
		require.NoError(t, err)

		u, err := st.CreateUser(ctx, admin, audit.User{Email: "ana@lab.example", Name: "Ana Ñ", Role: audit.RoleSeller, SellerID: seller.ID}, []byte("$2a$hash"))
		require.NoError(t, err)
		assert.Equal(t, audit.User{ID: u.ID, Email: "ana@lab.example", Name: "Ana Ñ", Role: audit.RoleSeller, SellerID: seller.ID, CreatedAt: now}, u)
		got, err := st.User(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, u, got)
		assert.Equal(t, time.UTC, got.CreatedAt.Location())
		got, hash, err := st.UserByEmail(ctx, "ana@lab.example")
		require.NoError(t, err)
		assert.Equal(t, u, got)
		assert.Equal(t, []byte("$2a$hash"), hash)
		_, err = st.User(ctx, "usr_missing")
		assert.ErrorIs(t, err, audit.ErrNotFound)
		_, _, err = st.UserByEmail(ctx, "nobody@lab.example")
		assert.ErrorIs(t, err, audit.ErrNotFound)

		// The schema holds the rules below the service: a unique, lower-case email, a known
		// role, and a seller on a seller user only, which exists.
		_, err = st.CreateUser(ctx, admin, audit.User{Email: "ana@lab.example", Name: "Twin", Role: audit.RoleAdmin}, []byte("h"))
		assert.ErrorIs(t, err, audit.ErrConflict)
		for _, bad := range []audit.User{
			{Email: "Bo@lab.example", Name: "Bo", Role: audit.RoleAdmin},
			{Email: "bo@lab.example", Name: "Bo", Role: "owner"},
			{Email: "bo@lab.example", Name: "Bo", Role: audit.RoleSeller},
			{Email: "bo@lab.example", Name: "Bo", Role: audit.RoleManager, SellerID: seller.ID},
			{Email: "bo@lab.example", Name: "Bo", Role: audit.RoleSeller, SellerID: "sl_missing"},
		} {
			_, err = st.CreateUser(ctx, admin, bad, []byte("h"))
			assert.Error(t, err, "%+v", bad)
		}

		require.NoError(t, st.SetPasswordHash(ctx, admin, u.ID, []byte("$2a$other")))
		_, hash, err = st.UserByEmail(ctx, "ana@lab.example")
		require.NoError(t, err)
		assert.Equal(t, []byte("$2a$other"), hash)
		assert.ErrorIs(t, st.SetPasswordHash(ctx, admin, "usr_missing", []byte("h")), audit.ErrNotFound)

		now = now.Add(time.Hour)
		d, err := st.DisableUser(ctx, admin, u.ID)
		require.NoError(t, err)
		assert.True(t, d.Disabled)
		require.NotNil(t, d.DisabledAt)
		assert.Equal(t, now, *d.DisabledAt)
		got, err = st.User(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, d, got)
		now = now.Add(time.Hour)
		again, err := st.DisableUser(ctx, admin, u.ID)
		require.NoError(t, err, "disabling twice is a no-op")
		assert.Equal(t, d, again, "and keeps the first time")
		_, err = st.DisableUser(ctx, admin, "usr_missing")
		assert.ErrorIs(t, err, audit.ErrNotFound)

		tech, err := st.CreateUser(ctx, admin, audit.User{Email: "bo@lab.example", Name: "Bo", Role: audit.RoleTechnician}, []byte("h"))
		require.NoError(t, err)
		page, next, err := st.Users(ctx, store.Page{Limit: 1})
		require.NoError(t, err)
		require.Len(t, page, 1)
		assert.Equal(t, u.ID, page[0].ID)
		page, next, err = st.Users(ctx, store.Page{Limit: 1, Cursor: next})
		require.NoError(t, err)
		require.Len(t, page, 1)
		assert.Equal(t, tech, page[0])
		assert.Empty(t, next)

		evs, _, err := st.Events(ctx, audit.EventFilter{Entity: "user", EntityID: u.ID}, store.Page{})
		require.NoError(t, err)
		var actions []string
		for _, e := range evs {
			assert.Equal(t, admin.KeyID, e.KeyID)
			actions = append(actions, e.Action)
		}
		assert.Equal(t, []string{"create", "reset_password", "disable"}, actions, "every write, once")
	})
}

// TestUserPasswordsThroughTheService holds the service and the store to the sign-in rules on
// each database: the password checks, a reset replaces it, a disabled user is refused.
func TestUserPasswordsThroughTheService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		svc := audit.NewService(audit.ServiceConfig{Store: st, PasswordCost: bcrypt.MinCost})
		u, password, err := svc.CreateUser(ctx, admin, audit.NewUser{Email: " Ana@Lab.example", Name: "Ana", Role: audit.RoleManager})
		require.NoError(t, err)
		assert.Equal(t, "ana@lab.example", u.Email)
		got, err := svc.CheckPassword(ctx, "ana@lab.example", password)
		require.NoError(t, err)
		assert.Equal(t, u, got)
		_, err = svc.CheckPassword(ctx, "ana@lab.example", password+"x")
		assert.ErrorIs(t, err, audit.ErrBadCredentials)
		_, err = svc.CheckPassword(ctx, "nobody@lab.example", password)
		assert.ErrorIs(t, err, audit.ErrBadCredentials)

		fresh, err := svc.ResetPassword(ctx, admin, "ana@lab.example", "")
		require.NoError(t, err)
		_, err = svc.CheckPassword(ctx, "ana@lab.example", password)
		assert.ErrorIs(t, err, audit.ErrBadCredentials)
		_, err = svc.CheckPassword(ctx, "ana@lab.example", fresh)
		require.NoError(t, err)

		_, err = svc.DisableUser(ctx, admin, u.ID)
		require.NoError(t, err)
		_, err = svc.CheckPassword(ctx, "ana@lab.example", fresh)
		assert.ErrorIs(t, err, audit.ErrBadCredentials)
	})
}
