package store_test

import (
	"context"
	"fmt"
	"io/fs"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

var admin = audit.Principal{KeyID: "key_test", Role: audit.RoleAdmin}

func TestSellersConformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		s, err := st.CreateSeller(ctx, admin, audit.Seller{Name: "Ελληνικά Ανακαίνιση", Country: "GR", ContactEmail: "a@b.gr"})
		require.NoError(t, err)
		got, err := st.Seller(ctx, s.ID)
		require.NoError(t, err)
		assert.Equal(t, s, got)
		assert.Equal(t, time.UTC, got.CreatedAt.Location())

		_, err = st.Seller(ctx, "sl_missing")
		assert.ErrorIs(t, err, audit.ErrNotFound)

		more := make([]audit.Seller, 11)
		for i := range more {
			more[i] = audit.Seller{Name: fmt.Sprintf("S%02d", i), Country: "FR", ContactEmail: "s@example.com"}
		}
		_, err = st.CreateSellers(ctx, admin, more)
		require.NoError(t, err)

		seen := map[string]bool{}
		page := store.Page{Limit: 5}
		for {
			items, next, err := st.Sellers(ctx, page)
			require.NoError(t, err)
			for _, it := range items {
				assert.False(t, seen[it.ID], "seen twice: %s", it.ID)
				seen[it.ID] = true
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		assert.Len(t, seen, 12)
		ids, err := st.SellerIDs(ctx)
		require.NoError(t, err)
		assert.Len(t, ids, 12)

		events, _, err := st.Events(ctx, store.EventFilter{Entity: "seller", EntityID: s.ID}, store.Page{})
		require.NoError(t, err)
		require.Len(t, events, 1)
		assert.Equal(t, "create", events[0].Action)
		assert.Equal(t, admin.KeyID, events[0].KeyID)
	})
}

func TestKeysConformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
		st := b.Open(t, store.Config{Now: func() time.Time { return now }})
		seller, err := st.CreateSeller(ctx, admin, audit.Seller{Name: "S", Country: "FR", ContactEmail: "s@example.com"})
		require.NoError(t, err)

		key, token, err := st.CreateKey(ctx, admin, audit.Key{Name: "portal", Role: audit.RoleSeller, SellerID: seller.ID})
		require.NoError(t, err)
		assert.GreaterOrEqual(t, len(token), 43, "at least 32 random bytes")
		got, err := st.Authenticate(ctx, token)
		require.NoError(t, err)
		assert.Equal(t, key.ID, got.ID)
		assert.Equal(t, seller.ID, got.SellerID)

		_, err = st.Authenticate(ctx, token+"x")
		assert.ErrorIs(t, err, audit.ErrUnauthorized)
		_, err = st.Authenticate(ctx, "")
		assert.ErrorIs(t, err, audit.ErrUnauthorized)

		// Role and seller must agree, and the seller must exist: the service's rules, on each
		// database.
		svc := audit.NewService(audit.ServiceConfig{Store: st})
		_, _, err = svc.CreateKey(ctx, admin, audit.Key{Name: "x", Role: audit.RoleSeller})
		assert.ErrorIs(t, err, audit.ErrInvalid)
		_, _, err = svc.CreateKey(ctx, admin, audit.Key{Name: "x", Role: audit.RoleManager, SellerID: seller.ID})
		assert.ErrorIs(t, err, audit.ErrInvalid)
		_, _, err = svc.CreateKey(ctx, admin, audit.Key{Name: "x", Role: audit.RoleSeller, SellerID: "sl_missing"})
		assert.ErrorIs(t, err, audit.ErrNotFound)
		// Below the service, the schema holds the same rules.
		for _, k := range []audit.Key{
			{Name: "x", Role: audit.RoleSeller},
			{Name: "x", Role: audit.RoleManager, SellerID: seller.ID},
			{Name: "x", Role: audit.RoleSeller, SellerID: "sl_missing"},
		} {
			_, _, err = st.CreateKey(ctx, admin, k)
			assert.Error(t, err, "%+v", k)
		}

		require.NoError(t, st.TouchKey(ctx, key.ID, now))
		require.NoError(t, st.RevokeKey(ctx, admin, key.ID))
		_, err = st.Authenticate(ctx, token)
		assert.ErrorIs(t, err, audit.ErrUnauthorized, "a revoked key is refused at once")
		assert.NoError(t, st.RevokeKey(ctx, admin, key.ID), "revoking twice is a no-op")
		assert.ErrorIs(t, st.RevokeKey(ctx, admin, "key_missing"), audit.ErrNotFound)

		exp := now.Add(time.Hour)
		_, tok2, err := st.CreateKey(ctx, admin, audit.Key{Name: "short", Role: audit.RoleManager, ExpiresAt: &exp})
		require.NoError(t, err)
		_, err = st.Authenticate(ctx, tok2)
		require.NoError(t, err)
		now = exp // expiry is exclusive: at the instant it expires it is refused
		_, err = st.Authenticate(ctx, tok2)
		assert.ErrorIs(t, err, audit.ErrUnauthorized)

		keys, _, err := st.Keys(ctx, store.Page{})
		require.NoError(t, err)
		require.Len(t, keys, 2)
		for _, k := range keys {
			if k.ID == key.ID {
				assert.NotNil(t, k.LastUsedAt)
				assert.NotNil(t, k.RevokedAt)
			}
		}
	})
}

func TestChartersConformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		def, err := checklist.DefaultCharter()
		require.NoError(t, err)
		_, err = st.ActiveCharter(ctx)
		assert.ErrorIs(t, err, audit.ErrNotFound)
		require.NoError(t, st.EnsureDefaultCharter(ctx, admin, def))
		require.NoError(t, st.EnsureDefaultCharter(ctx, admin, def), "idempotent")
		active, err := st.ActiveCharter(ctx)
		require.NoError(t, err)
		assert.Equal(t, def, active.Charter)
		assert.True(t, active.Active)

		next := def
		next.Version = "2027.1"
		require.NoError(t, st.PublishCharter(ctx, admin, next, false))
		active, err = st.ActiveCharter(ctx)
		require.NoError(t, err)
		assert.Equal(t, "2026.1", active.Charter.Version, "publishing without activate keeps the active one")
		assert.ErrorIs(t, st.PublishCharter(ctx, admin, next, true), audit.ErrConflict)

		third := def
		third.Version = "2027.2"
		require.NoError(t, st.PublishCharter(ctx, admin, third, true))
		active, err = st.ActiveCharter(ctx)
		require.NoError(t, err)
		assert.Equal(t, "2027.2", active.Charter.Version)
		all, cursor, err := st.Charters(ctx, store.Page{})
		require.NoError(t, err)
		require.Len(t, all, 3)
		assert.Empty(t, cursor)
		var versions []string
		for _, cv := range all {
			versions = append(versions, cv.Charter.Version)
			assert.Equal(t, cv.Charter.Version == "2027.2", cv.Active, cv.Charter.Version)
		}
		assert.Equal(t, []string{"2026.1", "2027.1", "2027.2"}, versions, "oldest first")

		// Pages of two, the cursor taking up where the first page ended.
		first, cursor, err := st.Charters(ctx, store.Page{Limit: 2})
		require.NoError(t, err)
		require.Len(t, first, 2)
		require.NotEmpty(t, cursor)
		rest, last, err := st.Charters(ctx, store.Page{Limit: 2, Cursor: cursor})
		require.NoError(t, err)
		require.Len(t, rest, 1)
		assert.Equal(t, "2027.2", rest[0].Charter.Version)
		assert.Empty(t, last)
		for _, bad := range []string{"%", store.EncodeCursor("abc"), store.EncodeCursor("sl_1")} {
			_, _, err := st.Charters(ctx, store.Page{Cursor: bad})
			assert.ErrorIs(t, err, audit.ErrInvalid, bad)
		}
		_, err = st.Charter(ctx, "1999.1")
		assert.ErrorIs(t, err, audit.ErrNotFound)
	})
}

// TestOpenRefusesBadConfig: a configuration no database could fix is ErrConfig (the command
// line's usage error); a database that cannot be reached or opened is an error of another kind
// (a run-time failure).
func TestOpenRefusesBadConfig(t *testing.T) {
	ctx := context.Background()
	for _, cfg := range []store.Config{
		{Driver: "mysql", DSN: "x"},
		{Driver: store.SQLite, DSN: ""},
		{Driver: store.SQLite, DSN: ":memory:"},
		{Driver: store.SQLite, DSN: "file:x.db?%zz"},
		{Driver: store.Postgres, DSN: ""},
		{Driver: store.Postgres, DSN: "postgres://nobody@127.0.0.1:notaport/none"},
	} {
		_, err := store.Open(ctx, cfg)
		assert.ErrorIs(t, err, store.ErrConfig, "%+v", cfg)
	}
	for _, cfg := range []store.Config{
		{Driver: store.SQLite, DSN: "/nonexistent-dir/x/y.db"},
		{Driver: store.Postgres, DSN: "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"},
	} {
		_, err := store.Open(ctx, cfg)
		require.Error(t, err, "%+v", cfg)
		assert.NotErrorIs(t, err, store.ErrConfig, "%+v", cfg)
	}
	_, err := store.Open(ctx, store.Config{Driver: store.SQLite, DSN: "/nonexistent-dir/x/y.db"})
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Equal(t, "open sqlite /nonexistent-dir/x/y.db: no such file or directory", err.Error(), "the file is named once")
}

// TestConcurrentMigrations starts several instances on one fresh database at once, as a
// deployment of several API servers does: they must all come up with the schema applied once.
func TestConcurrentMigrations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		var dsn string
		if b.Name == store.Postgres {
			dsn = storetest.PostgresSchema(t)
		} else {
			dsn = t.TempDir() + "/m.db"
		}
		ctx := context.Background()
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				st, err := store.Open(ctx, store.Config{Driver: b.Name, DSN: dsn})
				if err != nil {
					errs <- err
					return
				}
				defer st.Close()
				_, err = st.Migrate(ctx)
				errs <- err
			}()
		}
		for range 4 {
			assert.NoError(t, <-errs)
		}
	})
}
