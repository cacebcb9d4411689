package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

// openGroupStore opens a SQLite store with a scratch table for the group commit's jobs.
func openGroupStore(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), Config{Driver: SQLite, DSN: filepath.Join(t.TempDir(), "group.db")})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NotNil(t, st.group, "SQLite writes go through the group commit")
	require.NoError(t, st.write.Exec("CREATE TABLE gc_items (k TEXT PRIMARY KEY)").Error)
	return st
}

func insertKeys(keys ...string) func(tx *gorm.DB) error {
	return func(tx *gorm.DB) error {
		for _, k := range keys {
			if err := tx.Exec("INSERT INTO gc_items (k) VALUES (?)", k).Error; err != nil {
				return err
			}
		}
		return nil
	}
}

func storedKeys(t *testing.T, st *Store) map[string]bool {
	t.Helper()
	var keys []string
	require.NoError(t, st.read.Raw("SELECT k FROM gc_items").Scan(&keys).Error)
	out := map[string]bool{}
	for _, k := range keys {
		out[k] = true
	}
	return out
}

// blockCommitter makes the committer busy with a job that waits for release, so that the jobs
// submitted meanwhile queue up and are written together in the next group.
func blockCommitter(t *testing.T, st *Store) (release func()) {
	t.Helper()
	started, gate := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- st.groupTx(context.Background(), 1, func(tx *gorm.DB) error {
			close(started)
			<-gate
			return nil
		})
	}()
	<-started
	return func() {
		close(gate)
		require.NoError(t, <-done)
	}
}

// waitQueued waits until n jobs wait in the committer's queue.
func waitQueued(t *testing.T, st *Store, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		st.group.mu.Lock()
		defer st.group.mu.Unlock()
		return len(st.group.queue) == n
	}, 10*time.Second, time.Millisecond)
}

func TestGroupCommitStoresEveryConcurrentWrite(t *testing.T) {
	st := openGroupStore(t)
	const writers, each = 16, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys := make([]string, each)
			for i := range keys {
				keys[i] = fmt.Sprintf("w%d-%d", w, i)
			}
			assert.NoError(t, st.groupTx(context.Background(), each, insertKeys(keys...)))
		}()
	}
	wg.Wait()
	assert.Len(t, storedKeys(t, st), writers*each)
}

func TestGroupCommitFailingWriteLeavesOthersStored(t *testing.T) {
	st := openGroupStore(t)
	release := blockCommitter(t, st)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	jobs := []func(tx *gorm.DB) error{
		insertKeys("a1", "a2"),
		insertKeys("b1", "a1"), // a1 is the first job's: the second insert fails
		insertKeys("c1"),
	}
	for i, run := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.groupTx(context.Background(), 2, run)
		}()
		waitQueued(t, st, i+1) // queued in this order, so one group in this order
	}
	release()
	wg.Wait()
	assert.NoError(t, errs[0])
	assert.Error(t, errs[1])
	assert.NoError(t, errs[2])
	assert.Equal(t, map[string]bool{"a1": true, "a2": true, "c1": true}, storedKeys(t, st),
		"the failing write is stored not at all (b1 rolled back), the others whole")
}

func TestGroupCommitRetriesAloneWhenTheGroupFails(t *testing.T) {
	st := openGroupStore(t)
	release := blockCommitter(t, st)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	runs := 0
	jobs := []func(tx *gorm.DB) error{
		func(tx *gorm.DB) error { runs++; return insertKeys("ok")(tx) },
		// A write that breaks the group's transaction itself: its savepoint is gone, so the
		// group cannot commit, and the first write is retried in a transaction of its own.
		func(tx *gorm.DB) error {
			if err := tx.Exec("RELEASE job1").Error; err != nil {
				return err
			}
			return errors.New("broken")
		},
	}
	for i, run := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.groupTx(context.Background(), 1, run)
		}()
		waitQueued(t, st, i+1)
	}
	release()
	wg.Wait()
	assert.NoError(t, errs[0])
	assert.Error(t, errs[1])
	assert.Equal(t, 2, runs, "run in the group, then alone")
	assert.Equal(t, map[string]bool{"ok": true}, storedKeys(t, st))
}

func TestGroupCommitCancelledWhileQueued(t *testing.T) {
	st := openGroupStore(t)
	release := blockCommitter(t, st)
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	errc := make(chan error, 1)
	go func() {
		errc <- st.groupTx(ctx, 1, func(tx *gorm.DB) error { ran = true; return insertKeys("x")(tx) })
	}()
	waitQueued(t, st, 1)
	cancel()
	assert.ErrorIs(t, <-errc, context.Canceled)
	release()
	// A later write goes through, and the abandoned one never ran.
	require.NoError(t, st.groupTx(context.Background(), 1, insertKeys("y")))
	assert.False(t, ran)
	assert.Equal(t, map[string]bool{"y": true}, storedKeys(t, st))

	// A context that ended before the call stores nothing either.
	assert.ErrorIs(t, st.groupTx(ctx, 1, insertKeys("z")), context.Canceled)
}

func TestGroupCommitCloseFinishesQueuedWrites(t *testing.T) {
	st := openGroupStore(t)
	release := blockCommitter(t, st)
	errc := make(chan error, 1)
	go func() { errc <- st.groupTx(context.Background(), 1, insertKeys("queued")) }()
	waitQueued(t, st, 1)
	closed := make(chan struct{})
	go func() {
		st.group.close()
		close(closed)
	}()
	release()
	<-closed
	assert.NoError(t, <-errc, "a write queued before Close is written")
	assert.ErrorIs(t, st.groupTx(context.Background(), 1, insertKeys("late")), errClosed)
	assert.Equal(t, map[string]bool{"queued": true}, storedKeys(t, st))
}
