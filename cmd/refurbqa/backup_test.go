package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
)

// snapshot reads what a database holds, for comparing a restore with its original.
func snapshot(t *testing.T, dsn string) ([]audit.Seller, []audit.Key, []audit.Event) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Driver: store.SQLite, DSN: dsn})
	require.NoError(t, err)
	defer st.Close()
	sellers, _, err := st.Sellers(ctx, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	keys, _, err := st.Keys(ctx, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	events, _, err := st.Events(ctx, store.EventFilter{}, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	return sellers, keys, events
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	getenv := testEnv(t, "REFURBQA_DSN", live)
	code, token, stderr := runCmd(t, getenv, "keys", "create", "--role", "manager", "--name", "ops")
	require.Equal(t, 0, code, stderr)
	token = strings.TrimSpace(token)

	// The backup is taken while the server runs and has just written.
	base, stop := startServer(t, getenv)
	for i := range 5 {
		status, _ := call(t, http.MethodPost, base+"/api/v1/sellers", token,
			map[string]any{"name": fmt.Sprintf("Ανακαίνιση %d", i), "country": "GR", "contact_email": "a@b.gr"})
		require.Equal(t, 201, status)
	}
	backup := filepath.Join(dir, "backup.db")
	code, _, stderr = runCmd(t, getenv, "backup", "--out", backup)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "integrity ok")
	require.NoError(t, store.CheckSQLite(context.Background(), backup))
	code, _, stderr = runCmd(t, getenv, "backup", "--out", backup)
	assert.Equal(t, 1, code, "an existing backup file is never overwritten: %s", stderr)
	assert.Equal(t, 0, stop())

	// Restored into a new place, the data is identical.
	restored := filepath.Join(dir, "restored.db")
	code, _, stderr = runCmd(t, testEnv(t, "REFURBQA_DSN", restored), "restore", backup)
	require.Equal(t, 0, code, stderr)
	s1, k1, e1 := snapshot(t, live)
	s2, k2, e2 := snapshot(t, restored)
	assert.Len(t, s1, 5)
	assert.Equal(t, s1, s2)
	assert.Equal(t, k1, k2)
	assert.Equal(t, e1, e2)

	// Restoring over a live database needs --force.
	code, _, stderr = runCmd(t, getenv, "restore", backup)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "--force")
	code, _, stderr = runCmd(t, getenv, "restore", "--force", backup)
	assert.Equal(t, 0, code, stderr)

	// Not a backup: refused, nothing touched.
	code, _, stderr = runCmd(t, getenv, "restore", "--force", filepath.Join(dir, "missing.db"))
	assert.Equal(t, 1, code, stderr)
	code, _, _ = runCmd(t, getenv, "backup", "--db", "postgres", "--out", filepath.Join(dir, "pg.db"))
	assert.Equal(t, 2, code)
}
