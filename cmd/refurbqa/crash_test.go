package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/store"
)

// smartphoneInspection is a valid, pristine smartphone inspection in the API's wire form.
func smartphoneInspection() map[string]any {
	fn := map[string]any{}
	for _, code := range []string{"power_on", "display", "touchscreen", "buttons", "earpiece", "loudspeaker", "microphone",
		"front_camera", "rear_camera", "flash", "vibration", "proximity_sensor", "motion_sensors", "biometrics", "wifi",
		"bluetooth", "cellular", "sim_reader", "gps", "nfc", "charging_port"} {
		fn[code] = "pass"
	}
	zone := map[string]any{"light_scratches": 0, "deep_scratches": 0, "dents": 0, "chips": 0, "cracks": 0, "visible_from_cm": 0}
	return map[string]any{
		"device":     map[string]any{"category": "smartphone", "brand": "Apple", "model": "iPhone 13", "imei": "356938035643809"},
		"functional": fn,
		"battery":    map[string]any{"health_pct": 93.5, "genuine": true},
		"cosmetic":   map[string]any{"screen": zone, "body": zone},
		"compliance": map[string]any{"activation_lock": false, "imei_status": "clean", "liquid_damage": false, "data_erased": true,
			"factory_reset": true, "os_up_to_date": true, "markings_intact": true, "display_like_for_like": true},
		"parts": map[string]any{"non_genuine": []string{}, "disclosed": true},
	}
}

// built is the refurbqa binary, built once per test run by binary.
var built struct {
	once sync.Once
	path string
	out  []byte
	err  error
}

// binary builds the refurbqa binary once per test run and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "refurbqa-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "refurbqa")
		built.out, built.err = exec.Command("go", "build", "-o", built.path, ".").CombinedOutput()
	})
	require.NoError(t, built.err, "%s", built.out)
	return built.path
}

// process is the real binary serving on a loopback port.
type process struct {
	cmd  *exec.Cmd
	base string
}

func startBinary(t *testing.T, bin, dsn string) *process {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--rate-limit", "0")
	cmd.Env = append(os.Environ(), "REFURBQA_DSN="+dsn, "REFURBQA_LOG_LEVEL=error")
	return startCmd(t, cmd)
}

// startCmd starts a `refurbqa serve` command and waits until it listens.
func startCmd(t *testing.T, cmd *exec.Cmd) *process {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`listening on (http://\S+)`)
	for lines.Scan() {
		if m := re.FindStringSubmatch(lines.Text()); m != nil {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return &process{cmd: cmd, base: m[1]}
		}
	}
	t.Fatalf("the server did not start")
	return nil
}

func (p *process) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
	_ = p.cmd.Wait()
}

func post(client *http.Client, url, token string, body any) (int, []byte, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res.StatusCode, raw, err
}

func makeKey(t *testing.T, bin, dsn string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"keys", "create"}, args...)...)
	cmd.Env = append(os.Environ(), "REFURBQA_DSN="+dsn)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "keys create: %s", stderr.String())
	return strings.TrimSpace(string(out))
}

// TestCrashDuringBatchIngest kills the server with SIGKILL while 8 clients ingest batches, then
// checks that every acknowledged batch is stored whole, that no batch is stored in part, and
// that the database passes its integrity check and serves again.
func TestCrashDuringBatchIngest(t *testing.T) {
	bin := binary(t)
	dsn := filepath.Join(t.TempDir(), "crash.db")
	manager := makeKey(t, bin, dsn, "--role", "manager", "--name", "m")
	tech := makeKey(t, bin, dsn, "--role", "technician", "--name", "t")
	p := startBinary(t, bin, dsn)
	client := &http.Client{Timeout: 20 * time.Second}
	code, raw, err := post(client, p.base+"/api/v1/sellers", manager, map[string]any{"name": "Crash Test", "country": "FR", "contact_email": "c@example.com"})
	require.NoError(t, err)
	require.Equal(t, 201, code, "%s", raw)
	var seller struct{ ID string }
	require.NoError(t, json.Unmarshal(raw, &seller))

	const clients, perBatch = 8, 50
	var mu sync.Mutex
	acked := map[string]bool{} // batch prefix → acknowledged
	sent := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; ; b++ {
				select {
				case <-stop:
					return
				default:
				}
				prefix := fmt.Sprintf("c%d-b%d-", c, b)
				items := make([]any, perBatch)
				for i := range items {
					items[i] = map[string]any{"seller_id": seller.ID, "lab": "crash-lab", "tested_at": "2026-10-05T10:00:00Z",
						"external_id": fmt.Sprintf("%s%d", prefix, i), "inspection": smartphoneInspection()}
				}
				mu.Lock()
				sent[prefix] = true
				mu.Unlock()
				code, raw, err := post(client, p.base+"/api/v1/bench-tests/batch", tech, map[string]any{"items": items})
				if err != nil {
					return // the server is gone
				}
				if code != 200 || bytes.Contains(raw, []byte("invalid")) {
					t.Errorf("batch %s: %d %s", prefix, code, raw)
					return
				}
				mu.Lock()
				acked[prefix] = true
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	p.kill(t)
	close(stop)
	wg.Wait()
	require.NotEmpty(t, acked, "some batches were acknowledged before the kill")

	require.NoError(t, store.CheckSQLite(context.Background(), dsn), "PRAGMA integrity_check after the crash")
	stored := storedBatches(t, dsn)
	for prefix := range sent {
		n := stored[prefix]
		assert.True(t, n == 0 || n == perBatch, "batch %s is stored in part: %d of %d items", prefix, n, perBatch)
		if acked[prefix] {
			assert.Equal(t, perBatch, n, "acknowledged batch %s lost items", prefix)
		}
	}
	t.Logf("%d batches acknowledged, %d sent, %d stored whole", len(acked), len(sent), len(stored))

	// The database serves again after a restart.
	p = startBinary(t, bin, dsn)
	res, err := client.Get(p.base + "/readyz")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
}

// TestCrashDuringAuditBatch kills the server while it scores every seller, and checks that the
// period then holds either every scorecard of the batch or none.
func TestCrashDuringAuditBatch(t *testing.T) {
	bin := binary(t)
	dsn := filepath.Join(t.TempDir(), "crash-audit.db")
	manager := makeKey(t, bin, dsn, "--role", "manager", "--name", "m")
	p := startBinary(t, bin, dsn)
	client := &http.Client{Timeout: 60 * time.Second}
	const sellers = 400
	for i := range sellers {
		code, raw, err := post(client, p.base+"/api/v1/sellers", manager, map[string]any{"name": fmt.Sprintf("S%d", i), "country": "FR", "contact_email": "s@example.com"})
		require.NoError(t, err)
		require.Equal(t, 201, code, "%s", raw)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _, _ = post(client, p.base+"/api/v1/audits/batch", manager, map[string]any{"period_start": "2026-07-01", "period_end": "2026-10-01"})
	}()
	time.Sleep(30 * time.Millisecond)
	p.kill(t)
	<-done
	require.NoError(t, store.CheckSQLite(context.Background(), dsn))
	db, err := sql.Open("sqlite3", "file:"+dsn+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM scorecards WHERE period_start = '2026-07-01'").Scan(&n))
	assert.True(t, n == 0 || n == sellers, "a partial scorecard set is visible: %d of %d", n, sellers)
	t.Logf("%d scorecards after the kill", n)

	// Run again to completion: the whole set appears once.
	p = startBinary(t, bin, dsn)
	code, raw, err := post(client, p.base+"/api/v1/audits/batch", manager, map[string]any{"period_start": "2026-07-01", "period_end": "2026-10-01"})
	require.NoError(t, err)
	require.Equal(t, 200, code, "%s", raw)
	var res struct{ Count int }
	require.NoError(t, json.Unmarshal(raw, &res))
	assert.Equal(t, sellers, res.Count)
	p.kill(t)
	require.NoError(t, db.QueryRow("SELECT count(*) FROM scorecards WHERE period_start = '2026-07-01'").Scan(&n))
	assert.Equal(t, sellers, n)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.path != "" {
		_ = os.RemoveAll(filepath.Dir(built.path))
	}
	os.Exit(code)
}

// storedBatches counts the bench tests stored in the SQLite file dsn by batch: by the prefix of
// their external id up to its last "-" (the tests name items "<batch>-<n>").
func storedBatches(t *testing.T, dsn string) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+dsn+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query("SELECT external_id FROM bench_tests")
	require.NoError(t, err)
	defer rows.Close()
	stored := map[string]int{}
	for rows.Next() {
		var ext string
		require.NoError(t, rows.Scan(&ext))
		stored[ext[:strings.LastIndexByte(ext, '-')+1]]++
	}
	require.NoError(t, rows.Err())
	return stored
}
