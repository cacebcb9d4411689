package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
)

// seedScorecards makes n sellers with one scorecard each for Q3 2026 and approves the first
// approve of them.
func seedScorecards(t *testing.T, dsn string, n, approve int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Driver: store.SQLite, DSN: dsn})
	require.NoError(t, err)
	defer st.Close()
	_, err = st.Migrate(ctx)
	require.NoError(t, err)
	d, err := loadDomain(ctx, st)
	require.NoError(t, err)
	in := make([]audit.Seller, n)
	for i := range in {
		in[i] = audit.Seller{Name: "Σέλερ " + string(rune('A'+i)), Country: "GR", ContactEmail: "s@example.gr"}
	}
	sellers, err := st.CreateSellers(ctx, cliPrincipal, in)
	require.NoError(t, err)
	svc := d.service(st)
	q3 := audit.AuditInput{PeriodStart: "2026-07-01", PeriodEnd: "2026-10-01"}
	ids := make([]string, len(sellers))
	for i, s := range sellers {
		ids[i] = s.ID
	}
	res, err := svc.AuditSellers(ctx, cliPrincipal, ids, q3, nil)
	require.NoError(t, err)
	for _, sc := range res.Scorecards[:approve] {
		_, _, err := svc.ApproveScorecard(ctx, cliPrincipal, sc.ID, "")
		require.NoError(t, err)
	}
}

func pdfs(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		assert.False(t, strings.HasSuffix(e.Name(), ".tmp"), "no half-written file is left: %s", e.Name())
	}
	return names
}

func TestReportsCommand(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "r.db")
	seedScorecards(t, dsn, 5, 3)
	getenv := testEnv(t, "REFURBQA_DSN", dsn)

	out := filepath.Join(dir, "out", "approved")
	code, stdout, stderr := runCmd(t, getenv, "reports", "--scorecards", "approved", "--out", out, "--workers", "2", "--date", "2026-10-02")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "3 reports written")
	// stderr is not a terminal: one line per step, never a carriage return.
	assert.Equal(t, "reports: 3 scorecards (approved) → "+out+" with 2 workers\n"+
		"reports: 1/3 done\nreports: 2/3 done\nreports: 3/3 done\n", stderr)
	names := pdfs(t, out)
	require.Len(t, names, 3)
	for _, n := range names {
		assert.True(t, strings.HasPrefix(n, "refurbqa-") && strings.HasSuffix(n, ".pdf"), n)
		b, err := os.ReadFile(filepath.Join(out, n))
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(b), "%PDF-"))
	}

	all := filepath.Join(dir, "out", "all")
	code, _, stderr = runCmd(t, getenv, "reports", "--scorecards", "all", "--out", all, "--date", "2026-10-02")
	require.Equal(t, 0, code, stderr)
	assert.Len(t, pdfs(t, all), 5)

	// Same scorecards, same date: the same bytes.
	again := filepath.Join(dir, "out", "again")
	code, _, stderr = runCmd(t, getenv, "reports", "--out", again, "--date", "2026-10-02")
	require.Equal(t, 0, code, stderr)
	for _, n := range names {
		a, _ := os.ReadFile(filepath.Join(out, n))
		b, _ := os.ReadFile(filepath.Join(again, n))
		assert.Equal(t, a, b, n)
	}

	// A period filter that excludes Q3 writes nothing.
	none := filepath.Join(dir, "out", "none")
	code, stdout, stderr = runCmd(t, getenv, "reports", "--out", none, "--from", "2026-10-01")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "0 reports written")

	for _, args := range [][]string{
		{"reports", "--scorecards", "some", "--out", none},
		{"reports"},
		{"reports", "--out", none, "--from", "2026-13-01"},
		{"reports", "--out", none, "--from", "2026-10-01", "--to", "2026-09-01"},
		{"reports", "--out", none, "--workers", "0"},
	} {
		code, _, stderr := runCmd(t, getenv, args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
	}
}
