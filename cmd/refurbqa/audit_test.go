package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
)

// auditTestDB migrates the database of getenv and registers three sellers: good with five
// flawless bench tests in August 2026, wet with five of which one has liquid damage, and
// silent with nothing. Bench tests are written as raw rows: this tests the command, not intake.
func auditTestDB(t *testing.T, getenv func(string) string) (good, wet, silent string, open func() *store.Store) {
	t.Helper()
	ctx := context.Background()
	dsn := getenv("REFURBQA_DSN")
	open = func() *store.Store {
		st, err := store.Open(ctx, store.Config{Driver: store.SQLite, DSN: dsn})
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	st := open()
	_, err := st.Migrate(ctx)
	require.NoError(t, err)
	var ids []string
	for _, name := range []string{"Good", "Wet", "Silent"} {
		s, err := st.CreateSeller(ctx, cliPrincipal, audit.Seller{Name: name, Country: "FR", ContactEmail: "qa@example.com"})
		require.NoError(t, err)
		ids = append(ids, s.ID)
	}
	require.NoError(t, st.Close())

	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{})
	require.NoError(t, err)
	for i, seller := range ids[:2] {
		for j := range 5 {
			at := time.Date(2026, 8, 3+j, 10, 0, 0, 0, time.UTC)
			row := map[string]any{
				"id": fmt.Sprintf("bt_%d%d", i, j), "seller_id": seller, "lab": "lab", "tested_at": at, "technician_key_id": "k",
				"inspection": "{}", "category": "smartphone", "brand": "Apple", "model": "iPhone 13", "imei": "356938035643809",
				"serial": "F2LXK0ABCD", "ruleset": "2026.1", "status": "sellable", "functional": "F0", "cosmetic": "A",
				"marketplace": "premium", "reasons": "[]", "battery_health": 95.0, "battery_genuine": true,
				"non_genuine_parts": false, "parts_disclosed": true, "activation_lock": false, "imei_status": "clean",
				"liquid_damage": i == 1 && j == 0, "data_erased": true, "factory_reset": true, "os_up_to_date": true,
				"markings_intact": true, "display_like_for_like": true, "created_at": at,
			}
			require.NoError(t, db.Table("bench_tests").Create(row).Error)
		}
	}
	sqlDB, _ := db.DB()
	require.NoError(t, sqlDB.Close())
	return ids[0], ids[1], ids[2], open
}

func TestAuditCommand(t *testing.T) {
	getenv := testEnv(t)
	good, wet, silent, open := auditTestDB(t, getenv)

	// Good: 5 units, the 11 unit points evaluated (weight 68), all pass: trusted. Wet fails QC06
	// (critical): 60/68 = 88.2 with one critical failure: probation. Silent: insufficient_data.
	code, out, errOut := runCmd(t, getenv, "audit", "--from", "2026-07-01", "--to", "2026-10-01")
	require.Equal(t, exitOK, code, "stderr: %s", errOut)
	assert.Contains(t, errOut, "audit 2026-07-01 to 2026-10-01 against charter 2026.1")
	assert.Contains(t, errOut, "loading facts of every seller")
	assert.Contains(t, errOut, "evaluating 3 sellers")
	assert.Contains(t, errOut, "saving")
	assert.Regexp(t, `^TIER +SELLERS
trusted +1
watch +0
probation +1
suspend +0
insufficient_data +1
total +3
3 scorecards in [0-9.]+m?s
$`, out)

	st := open()
	ctx := context.Background()
	tiers := map[string]string{}
	for _, id := range []string{good, wet, silent} {
		cards, _, err := st.Scorecards(ctx, store.ScorecardFilter{SellerID: id}, store.Page{})
		require.NoError(t, err)
		require.Len(t, cards, 1, id)
		tiers[id] = string(cards[0].Result.Tier)
		if id == wet {
			require.NotNil(t, cards[0].Result.Score)
			assert.Equal(t, 88.2, *cards[0].Result.Score)
		}
	}
	assert.Equal(t, map[string]string{good: "trusted", wet: "probation", silent: "insufficient_data"}, tiers)

	// One seller, again: its draft is replaced.
	code, out, errOut = runCmd(t, getenv, "audit", "--from", "2026-07-01", "--to", "2026-10-01", "--seller", good, "--charter", "2026.1")
	require.Equal(t, exitOK, code, "stderr: %s", errOut)
	assert.Contains(t, out, "total              1\n")
	assert.Contains(t, errOut, "loading facts of 1 seller(s)")
	cards, _, err := st.Scorecards(ctx, store.ScorecardFilter{SellerID: good}, store.Page{})
	require.NoError(t, err)
	require.Len(t, cards, 1)

	// Once approved, the seller's scorecard never changes: a run over every seller writes a new
	// draft for every seller, the good one's beside its approved scorecard, and auditing the
	// seller alone replaces that draft.
	approved, _, err := audit.NewService(audit.ServiceConfig{Store: st}).ApproveScorecard(ctx, cliPrincipal, cards[0].ID, "")
	require.NoError(t, err)
	code, out, errOut = runCmd(t, getenv, "audit", "--from", "2026-07-01", "--to", "2026-10-01")
	require.Equal(t, exitOK, code, "stderr: %s", errOut)
	assert.Contains(t, out, "total              3\n")
	assert.Contains(t, out, "3 scorecards in ")
	code, out, errOut = runCmd(t, getenv, "audit", "--from", "2026-07-01", "--to", "2026-10-01", "--seller", good)
	require.Equal(t, exitOK, code, "stderr: %s", errOut)
	assert.Contains(t, out, "total              1\n")
	cards, _, err = st.Scorecards(ctx, store.ScorecardFilter{SellerID: good}, store.Page{})
	require.NoError(t, err)
	require.Len(t, cards, 2, "the new draft and the approved scorecard")
	assert.Equal(t, audit.Draft, cards[0].Status)
	assert.Equal(t, approved, cards[1])
	all, _, err := st.Scorecards(ctx, store.ScorecardFilter{Status: audit.Draft}, store.Page{})
	require.NoError(t, err)
	assert.Len(t, all, 3, "one draft per seller")
}

func TestAuditCommandUsage(t *testing.T) {
	getenv := testEnv(t)
	auditTestDB(t, getenv)
	code, out, _ := runCmd(t, getenv, "audit", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "Usage: refurbqa audit --from DATE --to DATE")
	assert.Contains(t, out, "-charter")

	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing dates", []string{"--from", "2026-07-01"}, exitUsage, "refurbqa audit: --from and --to are required (see refurbqa help audit)\n"},
		{"bad date", []string{"--from", "2026-07-32", "--to", "2026-10-01"}, exitUsage, "refurbqa audit: --from must be a date written YYYY-MM-DD (see refurbqa help audit)\n"},
		{"two bad dates", []string{"--from", "July", "--to", "2026-10-00"}, exitUsage,
			"refurbqa audit: --from must be a date written YYYY-MM-DD; --to must be a date written YYYY-MM-DD (see refurbqa help audit)\n"},
		{"end before start", []string{"--from", "2026-10-01", "--to", "2026-07-01"}, exitUsage, "refurbqa audit: --to must be after --from (see refurbqa help audit)\n"},
		{"too long", []string{"--from", "2026-01-01", "--to", "2027-06-01"}, exitUsage, "refurbqa audit: --to must be at most 366 days after --from (see refurbqa help audit)\n"},
		{"unknown flag", []string{"--form", "2026-07-01"}, exitUsage, "refurbqa audit: flag provided but not defined: -form (see refurbqa help audit)\n"},
		{"stray argument", []string{"--from", "2026-07-01", "--to", "2026-10-01", "now"}, exitUsage, "refurbqa audit: unexpected argument \"now\" (see refurbqa help audit)\n"},
		// What only the database can tell is a run-time failure.
		{"unknown seller", []string{"--from", "2026-07-01", "--to", "2026-10-01", "--seller", "sl_nobody"}, exitFailure, "refurbqa audit: --seller sl_nobody: no seller has this id\n"},
		{"unknown charter", []string{"--from", "2026-07-01", "--to", "2026-10-01", "--charter", "1999.1"}, exitFailure, "refurbqa audit: --charter 1999.1: no published charter has this version\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, getenv, append([]string{"audit"}, tt.args...)...)
			assert.Equal(t, tt.code, code)
			assert.Empty(t, out)
			assert.Equal(t, tt.msg, errOut)
		})
	}
}
