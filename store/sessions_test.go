package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// openInstances opens n stores on one new, migrated database of backend b, as n instances of
// the server would.
func openInstances(t *testing.T, b storetest.Backend, n int) []*store.Store {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "shared.db")
	if b.Name == store.Postgres {
		dsn = storetest.PostgresSchema(t)
	}
	ctx := context.Background()
	out := make([]*store.Store, n)
	for i := range out {
		st, err := store.Open(ctx, store.Config{Driver: b.Name, DSN: dsn})
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		out[i] = st
	}
	_, err := out[0].Migrate(ctx)
	require.NoError(t, err)
	return out
}

func TestSessionsCommitFindDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := b.Open(t, store.Config{})
		ss := st.SessionStore()
		assert.Same(t, ss, st.SessionStore(), "one store, so one sweep")
		later := time.Now().Add(time.Hour)

		_, found, err := ss.Find("never-committed")
		require.NoError(t, err)
		assert.False(t, found)

		// Binary data, NUL and invalid UTF-8 included, comes back byte for byte.
		data := []byte{0, 0xff, 0xfe, 'a', 0, 0xc3}
		require.NoError(t, ss.Commit("tok-1", data, later))
		got, found, err := ss.Find("tok-1")
		require.NoError(t, err)
		assert.True(t, found)
		assert.Equal(t, data, got)

		// A second commit of the token replaces its data.
		require.NoError(t, ss.Commit("tok-1", []byte("second"), later))
		got, found, err = ss.Find("tok-1")
		require.NoError(t, err)
		assert.True(t, found)
		assert.Equal(t, []byte("second"), got)

		require.NoError(t, ss.Commit("tok-2", []byte("other"), later))
		require.NoError(t, ss.Delete("tok-1"))
		_, found, err = ss.Find("tok-1")
		require.NoError(t, err)
		assert.False(t, found, "a deleted session is gone")
		_, found, err = ss.Find("tok-2")
		require.NoError(t, err)
		assert.True(t, found, "deleting one session leaves the others")
		assert.NoError(t, ss.Delete("tok-1"), "deleting a session that is gone is no error")
	})
}

func TestSessionsExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := b.Open(t, store.Config{})
		ss := st.SessionStore()
		now := time.Now()
		for _, tc := range []struct {
			name   string
			expiry time.Time
			found  bool
		}{
			{"expired a week ago", now.Add(-7 * 24 * time.Hour), false},
			{"expired a second ago", now.Add(-time.Second), false},
			{"expires in a minute", now.Add(time.Minute), true},
			{"expires in 7 days", now.Add(7 * 24 * time.Hour), true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				require.NoError(t, ss.Commit(tc.name, []byte("data"), tc.expiry))
				_, found, err := ss.Find(tc.name)
				require.NoError(t, err)
				assert.Equal(t, tc.found, found)
			})
		}
		// An expired session renewed with a later expiry is found again: the expiry is the
		// latest one committed, not the first.
		require.NoError(t, ss.Commit("expired a second ago", []byte("data"), now.Add(time.Hour)))
		_, found, err := ss.Find("expired a second ago")
		require.NoError(t, err)
		assert.True(t, found)
	})
}

// TestSessionsSharedBetweenInstances holds the spec's reason for server-side sessions: several
// instances on one database share them.
func TestSessionsSharedBetweenInstances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		inst := openInstances(t, b, 2)
		one, two := inst[0].SessionStore(), inst[1].SessionStore()
		later := time.Now().Add(time.Hour)

		require.NoError(t, one.Commit("shared", []byte("from one"), later))
		got, found, err := two.Find("shared")
		require.NoError(t, err)
		assert.True(t, found, "committed through one, found through the other")
		assert.Equal(t, []byte("from one"), got)

		require.NoError(t, two.Commit("shared", []byte("from two"), later))
		got, found, err = one.Find("shared")
		require.NoError(t, err)
		assert.True(t, found)
		assert.Equal(t, []byte("from two"), got, "updated through the other, read back through one")

		require.NoError(t, one.Delete("shared"))
		_, found, err = two.Find("shared")
		require.NoError(t, err)
		assert.False(t, found, "deleted through one, gone in the other")

		// The same through scs's session managers, as the console uses them: a session started
		// by one instance's manager is loaded by the other's, and destroying it there ends it
		// for the first.
		ctx := context.Background()
		mgr := func(s scs.Store) *scs.SessionManager {
			m := scs.New()
			m.Store = s
			return m
		}
		mOne, mTwo := mgr(one), mgr(two)
		c1, err := mOne.Load(ctx, "")
		require.NoError(t, err)
		mOne.Put(c1, "user", "usr_ana")
		token, _, err := mOne.Commit(c1)
		require.NoError(t, err)

		c2, err := mTwo.Load(ctx, token)
		require.NoError(t, err)
		assert.Equal(t, "usr_ana", mTwo.GetString(c2, "user"))
		require.NoError(t, mTwo.Destroy(c2))

		c3, err := mOne.Load(ctx, token)
		require.NoError(t, err)
		assert.Empty(t, mOne.GetString(c3, "user"), "signed out through two, signed out through one")
	})
}

// TestSessionsInterleaveWithBenchTests writes sessions while bench tests are stored: on SQLite
// both go through the one writer connection, the bench tests through the group commit.
func TestSessionsInterleaveWithBenchTests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller := newBenchSeller(t, st, "S")
		ss := st.SessionStore()
		at := time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)
		later := time.Now().Add(time.Hour)
		const workers, rounds = 3, 10
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for i := range rounds {
					items := []audit.BenchTest{
						benchTest(t, seller.ID, fmt.Sprintf("W%d-%d-a", w, i), at),
						benchTest(t, seller.ID, fmt.Sprintf("W%d-%d-b", w, i), at),
					}
					_, err := st.CreateBenchTests(ctx, benchTechnician, items)
					assert.NoError(t, err)
				}
			}()
			go func() {
				defer wg.Done()
				for i := range rounds {
					kept, gone := fmt.Sprintf("s%d-%d", w, i), fmt.Sprintf("d%d-%d", w, i)
					assert.NoError(t, ss.Commit(kept, []byte(kept), later))
					assert.NoError(t, ss.Commit(gone, []byte(gone), later))
					got, found, err := ss.Find(kept)
					assert.NoError(t, err)
					assert.True(t, found)
					assert.Equal(t, []byte(kept), got)
					assert.NoError(t, ss.Delete(gone))
				}
			}()
		}
		wg.Wait()

		all, _, err := st.BenchTests(ctx, store.BenchTestFilter{SellerID: seller.ID}, store.Page{Limit: 100})
		require.NoError(t, err)
		assert.Len(t, all, workers*rounds*2, "every bench test stored")
		for w := range workers {
			for i := range rounds {
				_, found, err := ss.Find(fmt.Sprintf("s%d-%d", w, i))
				require.NoError(t, err)
				assert.True(t, found)
				_, found, err = ss.Find(fmt.Sprintf("d%d-%d", w, i))
				require.NoError(t, err)
				assert.False(t, found)
			}
		}
	})
}

// TestSessionsCloseStopsTheSweep closes a store whose session store runs its sweep, twice: the
// second Close must not wait for a sweep that is already stopped.
func TestSessionsCloseStopsTheSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := openInstances(t, b, 1)[0]
		ss := st.SessionStore()
		require.NoError(t, ss.Commit("tok", []byte("data"), time.Now().Add(time.Hour)))
		require.NoError(t, st.Close())
		_ = st.Close()
		_, _, err := ss.Find("tok")
		assert.Error(t, err, "the session store works on the store's pool, closed with it")
		_, _, err = st.SessionStore().Find("tok")
		assert.Error(t, err)
	})
}

// Migration 7 goes down (the sessions table and every session with it) and up again.
func TestSessionsMigrationDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		ss := st.SessionStore()
		later := time.Now().Add(time.Hour)
		require.NoError(t, ss.Commit("tok", []byte("data"), later))

		p := migrator(t, b, st)
		_, err := p.DownTo(ctx, 6)
		require.NoError(t, err)
		_, _, err = ss.Find("tok")
		assert.ErrorContains(t, err, "sessions", "the table is gone")

		_, err = p.UpTo(ctx, 7)
		require.NoError(t, err)
		_, found, err := ss.Find("tok")
		require.NoError(t, err)
		assert.False(t, found, "the sessions went with the table")
		require.NoError(t, ss.Commit("tok", []byte("again"), later))
		got, found, err := ss.Find("tok")
		require.NoError(t, err)
		assert.True(t, found)
		assert.Equal(t, []byte("again"), got)
	})
}

// TestSessionsInBackups backs up a SQLite database with its sessions: they are rows like any
// other, so a restored database keeps them, and the session store of a store in use does not
// stop the restore from seeing it open.
func TestSessionsInBackups(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	st, err := store.Open(ctx, store.Config{Driver: store.SQLite, DSN: live})
	require.NoError(t, err)
	defer st.Close()
	_, err = st.Migrate(ctx)
	require.NoError(t, err)
	later := time.Now().Add(time.Hour)
	require.NoError(t, st.SessionStore().Commit("kept", []byte("signed in"), later))
	backup := filepath.Join(dir, "backup.db")
	require.NoError(t, st.Backup(ctx, backup))
	require.NoError(t, st.SessionStore().Commit("after", []byte("later"), later))

	assert.ErrorIs(t, store.Restore(ctx, backup, live, true), store.ErrInUse)
	require.NoError(t, st.Close())
	require.NoError(t, store.Restore(ctx, backup, live, true))
	again, err := store.Open(ctx, store.Config{Driver: store.SQLite, DSN: live})
	require.NoError(t, err)
	defer again.Close()
	got, found, err := again.SessionStore().Find("kept")
	require.NoError(t, err)
	assert.True(t, found, "the backup holds the sessions")
	assert.Equal(t, []byte("signed in"), got)
	_, found, err = again.SessionStore().Find("after")
	require.NoError(t, err)
	assert.False(t, found, "the restored database is the backup")
}
