//go:build unix

package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
)

// openMigrated opens and migrates the SQLite database at path, as every refurbqa command does.
func openMigrated(t *testing.T, path string) *Store {
	t.Helper()
	st, err := Open(context.Background(), Config{Driver: SQLite, DSN: path})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	_, err = st.Migrate(context.Background())
	require.NoError(t, err)
	return st
}

// busyServer keeps the group commit of st writing back to back: writers each submit a job that
// holds the write lock for hold, and submit the next one as soon as it is answered, so that the
// committer begins its next transaction microseconds after the last one committed. It returns
// the number of jobs committed so far and a stop function.
func busyServer(t *testing.T, st *Store, writers int, hold time.Duration) (committed *atomic.Int64, stop func()) {
	t.Helper()
	require.NoError(t, st.write.Exec("CREATE TABLE IF NOT EXISTS gc_items (k TEXT PRIMARY KEY)").Error)
	committed = &atomic.Int64{}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var failed atomic.Value
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				err := st.groupTx(context.Background(), 1, func(tx *gorm.DB) error {
					if err := tx.Exec("INSERT INTO gc_items (k) VALUES (?)", fmt.Sprintf("w%d-%d", w, i)).Error; err != nil {
						return err
					}
					time.Sleep(hold)
					return nil
				})
				if err != nil {
					failed.Store(err)
					return
				}
				committed.Add(1)
			}
		}()
	}
	return committed, func() {
		close(done)
		wg.Wait()
		if err, _ := failed.Load().(error); err != nil {
			t.Errorf("the busy server's writes failed: %v", err)
		}
	}
}

// TestWriteFromAnotherProcessWhileTheServerWritesBackToBack is refurbqa keys create on a
// database whose server ingests without pause. SQLite's write lock is not fair: the other
// process's BEGIN IMMEDIATE polls for it (at most every 100 ms) and finds it free only in the
// microseconds between two of the server's transactions, so without the write turn it failed
// with "database is locked" once the 10 s busy timeout ran out. The server must let it in.
func TestWriteFromAnotherProcessWhileTheServerWritesBackToBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	server := openMigrated(t, path)
	committed, stop := busyServer(t, server, 4, 20*time.Millisecond)
	defer stop()
	require.Eventually(t, func() bool { return committed.Load() >= 8 }, 10*time.Second, time.Millisecond)

	cli := openMigrated(t, path) // a store of its own: to SQLite, another process
	start := time.Now()
	_, _, err := cli.CreateKey(context.Background(), audit.Principal{KeyID: "cli", Role: audit.RoleAdmin},
		audit.Key{Name: "while serving", Role: audit.RoleManager})
	waited := time.Since(start)
	require.NoError(t, err, "keys create after %v", waited)
	assert.Less(t, waited, 5*time.Second, "the other process's write waited for its turn, not for the busy timeout")
	before := committed.Load()
	require.Eventually(t, func() bool { return committed.Load() > before+4 }, 10*time.Second, time.Millisecond,
		"the server writes on after the other process's write")
	t.Logf("the other process's write waited %v", waited)
}

// waitingElsewhere marks another process as waiting for the write lock of the SQLite database
// at path, as its writeTurn does while its BEGIN IMMEDIATE waits, until the returned function
// is called.
func waitingElsewhere(t *testing.T, path string) (done func()) {
	t.Helper()
	other, err := openWriteTurn(path, time.Second)
	require.NoError(t, err)
	release := other.wait(context.Background())
	return func() {
		release()
		require.NoError(t, other.close())
	}
}

// TestWritesYieldToAWriterWaitingElsewhere holds each way of writing (a transaction of its own,
// the group commit, a key's last use) while another process waits for the write lock: the
// write waits until that process has begun its transaction, and no longer.
func TestWritesYieldToAWriterWaitingElsewhere(t *testing.T) {
	principal := audit.Principal{KeyID: "cli", Role: audit.RoleAdmin}
	for _, c := range []struct {
		name  string
		write func(st *Store) error
	}{
		{"transaction", func(st *Store) error {
			_, _, err := st.CreateKey(context.Background(), principal, audit.Key{Name: "k", Role: audit.RoleManager})
			return err
		}},
		{"group commit", func(st *Store) error {
			return st.groupTx(context.Background(), 1, insertKeys(st.newID("k")))
		}},
		{"key use", func(st *Store) error {
			return st.TouchKey(context.Background(), "key_unknown", st.Now())
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "turn.db")
			st := openMigrated(t, path)
			require.NoError(t, st.write.Exec("CREATE TABLE gc_items (k TEXT PRIMARY KEY)").Error)
			require.NoError(t, c.write(st), "no one waits: the write goes at once")

			done := waitingElsewhere(t, path)
			wrote := make(chan error, 1)
			go func() { wrote <- c.write(st) }()
			select {
			case err := <-wrote:
				t.Fatalf("the write went while another process waited for the write lock: %v", err)
			case <-time.After(300 * time.Millisecond):
			}
			done()
			select {
			case err := <-wrote:
				require.NoError(t, err)
			case <-time.After(5 * time.Second):
				t.Fatal("the write still waits after the other process's turn")
			}
		})
	}
}

// TestWriteTurnPatience: a writer elsewhere that waits and never writes (a stopped process)
// holds the store's writes up for patience at most, after which they compete for SQLite's lock
// anyway; a write whose context ends while it yields, or while another write of the store
// yields, fails at once with the context's error.
func TestWriteTurnPatience(t *testing.T) {
	path := filepath.Join(t.TempDir(), "turn.db")
	st := openMigrated(t, path)
	require.NoError(t, st.write.Exec("CREATE TABLE gc_items (k TEXT PRIMARY KEY)").Error)
	st.turn.patience = 400 * time.Millisecond
	done := waitingElsewhere(t, path)

	start := time.Now()
	require.NoError(t, st.groupTx(context.Background(), 1, insertKeys("late")))
	waited := time.Since(start)
	assert.GreaterOrEqual(t, waited, 400*time.Millisecond, "it yielded for its patience")
	assert.Less(t, waited, 5*time.Second, "then it wrote")
	assert.True(t, storedKeys(t, st)["late"])

	// A respite follows: the next write does not yield to the same writer.
	start = time.Now()
	require.NoError(t, st.groupTx(context.Background(), 1, insertKeys("respite")))
	assert.Less(t, time.Since(start), 300*time.Millisecond, "in the respite, the write did not yield")
	assert.True(t, storedKeys(t, st)["respite"])

	st.turn.calmUntil = time.Time{}
	st.turn.patience = time.Minute
	for _, yielding := range []bool{false, true} {
		wrote := make(chan error, 1)
		if yielding {
			// Another write of the store yields first: this one waits behind it.
			go func() { wrote <- st.groupTx(context.Background(), 1, insertKeys("after")) }()
			time.Sleep(50 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start = time.Now()
		err := st.tx(ctx, insertKeys("never"))
		cancel()
		assert.ErrorIs(t, err, context.DeadlineExceeded, "another write yielding: %v", yielding)
		assert.Less(t, time.Since(start), 5*time.Second, "the context ended the wait")
		if yielding {
			done()
			require.NoError(t, <-wrote, "the write that yielded goes once the other process's turn is over")
		}
	}
	keys := storedKeys(t, st)
	assert.False(t, keys["never"])
	assert.True(t, keys["after"])
}
