package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/store/storetest"
)

// startPostgresBinary starts the real binary on PostgreSQL.
func startPostgresBinary(t *testing.T, bin, dsn string) *process {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--rate-limit", "0")
	cmd.Env = append(os.Environ(), "REFURBQA_DB=postgres", "REFURBQA_DSN="+dsn, "REFURBQA_LOG_LEVEL=error")
	return startCmd(t, cmd)
}

// TestTwoInstancesAuditOnePostgres starts two server processes on one PostgreSQL database and
// has both score every seller for the same period at the same time, several times: the
// advisory lock serialises the batches and the draft slots keep one current draft per seller,
// period and charter version, each batch superseding the drafts of the one before: nothing is
// duplicated or deleted.
func TestTwoInstancesAuditOnePostgres(t *testing.T) {
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		t.Skip(storetest.PostgresDSNEnv + " is not set")
	}
	bin := binary(t)
	dsn := storetest.PostgresSchema(t) // a fresh schema, dropped at the end
	cmd := exec.Command(bin, "keys", "create", "--role", "manager", "--name", "m")
	cmd.Env = append(os.Environ(), "REFURBQA_DB=postgres", "REFURBQA_DSN="+dsn)
	out, err := cmd.Output()
	require.NoError(t, err)
	manager := string(out[:len(out)-1])

	a := startPostgresBinary(t, bin, dsn)
	b := startPostgresBinary(t, bin, dsn)
	client := &http.Client{Timeout: 60 * time.Second}
	const sellers = 60
	for i := range sellers {
		base := a.base
		if i%2 == 1 {
			base = b.base
		}
		code, raw, err := post(client, base+"/api/v1/sellers", manager, map[string]any{"name": fmt.Sprintf("PG %d", i), "country": "FR", "contact_email": "p@example.com"})
		require.NoError(t, err)
		require.Equal(t, 201, code, "%s", raw)
	}
	var wg sync.WaitGroup
	for round := range 3 {
		for _, p := range []*process{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, raw, err := post(client, p.base+"/api/v1/audits/batch", manager, map[string]any{"period_start": "2026-07-01", "period_end": "2026-10-01"})
				if assert.NoError(t, err) {
					assert.Equal(t, 200, code, "round %d: %s", round, raw)
					var res struct{ Count int }
					_ = json.Unmarshal(raw, &res)
					assert.Equal(t, sellers, res.Count)
				}
			}()
		}
		wg.Wait()
	}
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	// Every batch wrote a draft per seller and superseded the previous one: nothing deleted,
	// one current draft per seller, and per seller one chain (each draft superseded once at
	// most, each naming another, one draft at each end).
	var total, current, currentSellers, superseded int
	require.NoError(t, db.QueryRowContext(ctx,
		"SELECT count(*) FROM scorecards WHERE period_start = '2026-07-01'").Scan(&total))
	require.NoError(t, db.QueryRowContext(ctx,
		"SELECT count(*), count(DISTINCT seller_id) FROM scorecards s WHERE period_start = '2026-07-01'"+
			" AND NOT EXISTS (SELECT 1 FROM scorecard_supersessions x WHERE x.scorecard_id = s.id)").Scan(&current, &currentSellers))
	require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM scorecard_supersessions").Scan(&superseded))
	assert.Equal(t, sellers*6, total, "a draft per seller and batch, none deleted")
	assert.Equal(t, sellers, current, "one current draft per seller, never duplicated")
	assert.Equal(t, sellers, currentSellers)
	assert.Equal(t, sellers*5, superseded)
	var firsts, firstSellers int
	require.NoError(t, db.QueryRowContext(ctx,
		"SELECT count(*), count(DISTINCT seller_id) FROM scorecards s WHERE period_start = '2026-07-01'"+
			" AND NOT EXISTS (SELECT 1 FROM scorecard_supersessions x WHERE x.superseded_by = s.id)").Scan(&firsts, &firstSellers))
	assert.Equal(t, sellers, firsts, "one chain per seller")
	assert.Equal(t, sellers, firstSellers)
	var crossed int
	require.NoError(t, db.QueryRowContext(ctx,
		"SELECT count(*) FROM scorecard_supersessions x JOIN scorecards a ON a.id = x.scorecard_id"+
			" JOIN scorecards b ON b.id = x.superseded_by WHERE a.seller_id <> b.seller_id").Scan(&crossed))
	assert.Zero(t, crossed, "a draft is superseded by a draft of its own seller")
}
