package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/store"
)

// sqliteShell returns the path of the sqlite3 command-line shell. Locally the tests that need
// it skip without it; in CI (CI=true, set by .ci/run, which installs it) they fail instead, so
// the durability test never goes quietly missing.
func sqliteShell(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("sqlite3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the sqlite3 shell is not on PATH, and CI must run this test: install the sqlite3 package (.ci/run does)")
		}
		t.Skip("the sqlite3 shell is not on PATH: install the sqlite3 package to run this test")
	}
	return path
}

// writeLoad is a set of clients ingesting bench-test batches into a server. It remembers which
// batches the server acknowledged and every answer that was not a 200.
type writeLoad struct {
	mu      sync.Mutex
	acked   []string // prefixes of the acknowledged batches, in order
	failed  []string // "batch: status body" of every answer other than 200
	stop    chan struct{}
	stopped sync.WaitGroup
}

const durabilityBatch = 20 // items per batch

// startWriteLoad starts clients that post batches until stop, or until the server is gone.
func startWriteLoad(base, token, sellerID string, clients int) *writeLoad {
	w := &writeLoad{stop: make(chan struct{})}
	client := &http.Client{Timeout: 30 * time.Second}
	for c := range clients {
		w.stopped.Add(1)
		go func() {
			defer w.stopped.Done()
			for b := 0; ; b++ {
				select {
				case <-w.stop:
					return
				default:
				}
				prefix := fmt.Sprintf("c%d-b%d-", c, b)
				items := make([]any, durabilityBatch)
				for i := range items {
					items[i] = map[string]any{"seller_id": sellerID, "lab": "durability-lab", "tested_at": "2026-10-05T10:00:00Z",
						"external_id": fmt.Sprintf("%s%d", prefix, i), "inspection": smartphoneInspection()}
				}
				code, raw, err := post(client, base+"/api/v1/bench-tests/batch", token, map[string]any{"items": items})
				if err != nil {
					return // the server is gone (killed)
				}
				w.mu.Lock()
				if code == http.StatusOK && !bytes.Contains(raw, []byte(`"invalid"`)) {
					w.acked = append(w.acked, prefix)
				} else {
					w.failed = append(w.failed, fmt.Sprintf("batch %s: %d %s", prefix, code, raw))
				}
				w.mu.Unlock()
				if code != http.StatusOK {
					return
				}
			}
		}()
	}
	return w
}

// ackedCount returns how many batches are acknowledged so far.
func (w *writeLoad) ackedCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.acked)
}

// waitFor waits until n batches in all are acknowledged. Writes that stop (the clients give up
// at their first failed answer) end the test instead of hanging it.
func (w *writeLoad) waitFor(t *testing.T, n int, what string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for w.ackedCount() < n {
		w.mu.Lock()
		failed := append([]string(nil), w.failed...)
		w.mu.Unlock()
		if len(failed) > 0 {
			t.Fatalf("writes stopped %s: %d batches acknowledged, then %s", what, w.ackedCount(), failed[0])
		}
		if time.Now().After(deadline) {
			t.Fatalf("writes did not go on %s: %d of %d batches acknowledged after 60 s", what, w.ackedCount(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// halt stops the clients and returns what they saw.
func (w *writeLoad) halt() (acked, failed []string) {
	close(w.stop)
	w.stopped.Wait()
	return w.acked, w.failed
}

// TestOtherProcessesWhileServing opens the served database from other processes — the sqlite3
// shell an operator uses to look, `refurbqa backup`, `refurbqa keys create` and a refused
// `refurbqa restore --force` — while clients ingest batches, then kills the server with SIGKILL
// and restarts it: writes must go on after each of them, no request may answer 5xx, and every
// acknowledged batch (and key) must still be there. (SQLite locks are per process and vanish when the process closes any descriptor of the
// database file; a server that did so let the other process delete the WAL under it.)
func TestOtherProcessesWhileServing(t *testing.T) {
	bin := binary(t)
	var shell string // the sqlite3 shell, looked up by the case that needs it

	// other runs one other process on the live database and checks its result; n counts the
	// runs, base and the manager token reach the server, acked is the number of items
	// acknowledged before the run started.
	type other func(t *testing.T, dsn string, n int, base, manager string, acked int)
	cases := []struct {
		name  string
		shell bool // needs the sqlite3 shell
		run   other
	}{
		{"sqlite3 shell", true, func(t *testing.T, dsn string, _ int, _, _ string, acked int) {
			out, err := exec.Command(shell, "-cmd", ".timeout 10000", dsn,
				"SELECT count(*) FROM bench_tests; PRAGMA integrity_check;").CombinedOutput()
			require.NoError(t, err, "sqlite3: %s", out)
			lines := strings.Fields(string(out))
			require.Len(t, lines, 2, "sqlite3: %s", out)
			count, err := strconv.Atoi(lines[0])
			require.NoError(t, err, "sqlite3: %s", out)
			assert.GreaterOrEqual(t, count, acked, "the shell sees every acknowledged item")
			assert.Equal(t, "ok", lines[1], "PRAGMA integrity_check")
		}},
		{"refurbqa backup", false, func(t *testing.T, dsn string, n int, _, _ string, acked int) {
			out := filepath.Join(filepath.Dir(dsn), fmt.Sprintf("backup-%d.db", n))
			cmd := exec.Command(bin, "backup", "--out", out)
			cmd.Env = append(os.Environ(), "REFURBQA_DSN="+dsn, "REFURBQA_LOG_LEVEL=error")
			msg, err := cmd.CombinedOutput()
			require.NoError(t, err, "backup: %s", msg)
			assert.Contains(t, string(msg), "integrity ok")
			db, err := sql.Open("sqlite3", "file:"+out+"?mode=ro")
			require.NoError(t, err)
			defer db.Close()
			var count int
			require.NoError(t, db.QueryRow("SELECT count(*) FROM bench_tests").Scan(&count))
			assert.GreaterOrEqual(t, count, acked, "the backup holds every acknowledged item")
		}},
		{"refurbqa restore --force", false, func(t *testing.T, dsn string, n int, _, _ string, _ int) {
			// Replacing the database under the server would lose what it writes: refused.
			backup := filepath.Join(filepath.Dir(dsn), fmt.Sprintf("restore-%d.db", n))
			cmd := exec.Command(bin, "backup", "--out", backup)
			cmd.Env = append(os.Environ(), "REFURBQA_DSN="+dsn, "REFURBQA_LOG_LEVEL=error")
			msg, err := cmd.CombinedOutput()
			require.NoError(t, err, "backup: %s", msg)
			cmd = exec.Command(bin, "restore", "--force", backup)
			cmd.Env = append(os.Environ(), "REFURBQA_DSN="+dsn, "REFURBQA_LOG_LEVEL=error")
			msg, err = cmd.CombinedOutput()
			require.Error(t, err, "restore over the served database: %s", msg)
			assert.Equal(t, 1, cmd.ProcessState.ExitCode(), "%s", msg)
			assert.Contains(t, string(msg), "open in another process")
		}},
		{"refurbqa keys create", false, func(t *testing.T, dsn string, n int, base, _ string, _ int) {
			token := makeKey(t, bin, dsn, "--role", "manager", "--name", fmt.Sprintf("while serving %d", n))
			// The server sees the key another process wrote.
			res, err := getWith(base+"/api/v1/sellers?limit=1", token)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res, "the new key works on the running server")
		}},
	}
	for _, c := range cases {
		name, run := c.name, c.run
		t.Run(name, func(t *testing.T) {
			if c.shell {
				shell = sqliteShell(t)
			}
			dsn := filepath.Join(t.TempDir(), "live.db")
			manager := makeKey(t, bin, dsn, "--role", "manager", "--name", "m")
			tech := makeKey(t, bin, dsn, "--role", "technician", "--name", "t")
			p := startBinary(t, bin, dsn)
			code, raw, err := post(&http.Client{Timeout: 20 * time.Second}, p.base+"/api/v1/sellers", manager,
				map[string]any{"name": "Durability", "country": "FR", "contact_email": "d@example.com"})
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, code, "%s", raw)
			var seller struct{ ID string }
			require.NoError(t, json.Unmarshal(raw, &seller))

			load := startWriteLoad(p.base, tech, seller.ID, 4)
			load.waitFor(t, 4, "before the other process")
			const runs = 3
			for n := range runs {
				before := load.ackedCount()
				run(t, dsn, n, p.base, manager, before*durabilityBatch)
				// Writes go on after the other process is gone (it closed the database).
				load.waitFor(t, load.ackedCount()+4, fmt.Sprintf("after %s run %d", name, n+1))
			}
			p.kill(t)
			acked, failed := load.halt()
			assert.Empty(t, failed, "every request was answered 200")

			// Restarted, the server holds every acknowledged batch whole, and the keys.
			p = startBinary(t, bin, dsn)
			res, err := getWith(p.base+"/readyz", "")
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res)
			require.NoError(t, store.CheckSQLite(context.Background(), dsn), "PRAGMA integrity_check after the kill")
			stored := storedBatches(t, dsn)
			lost := 0
			for _, prefix := range acked {
				if stored[prefix] != durabilityBatch {
					lost++
				}
			}
			assert.Zero(t, lost, "acknowledged batches lost or stored in part, of %d acknowledged", len(acked))
			db, err := sql.Open("sqlite3", "file:"+dsn+"?mode=ro")
			require.NoError(t, err)
			defer db.Close()
			var keys int
			require.NoError(t, db.QueryRow("SELECT count(*) FROM api_keys").Scan(&keys))
			want := 2
			if name == "refurbqa keys create" {
				want += runs
			}
			assert.Equal(t, want, keys, "every key created is still there")
			t.Logf("%d batches acknowledged, all %d stored", len(acked), len(acked)-lost)
		})
	}
}

// getWith sends a GET with an optional bearer token and returns the status.
func getWith(url, token string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}
