package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
)

const kpiTestHeader = "seller_id,month,orders,shipped_late,valid_tracking,cancelled_before_shipment," +
	"technical_returns_30d,defective_orders,messages_received,messages_answered_within_1bd," +
	"warranty_claims,warranty_remedied_within_5bd,warranty_months\n"

func kpiTestRow(seller, month string, orders int) string {
	return fmt.Sprintf("%s,%s,%d,1,%d,0,1,0,10,9,2,2,12\n", seller, month, orders, orders)
}

// kpiTestDB migrates the database that getenv points at and registers one seller in it.
func kpiTestDB(t *testing.T, getenv func(string) string) (string, func() *store.Store) {
	t.Helper()
	ctx := context.Background()
	open := func() *store.Store {
		st, err := store.Open(ctx, store.Config{Driver: store.SQLite, DSN: getenv("REFURBQA_DSN")})
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	st := open()
	_, err := st.Migrate(ctx)
	require.NoError(t, err)
	seller, err := st.CreateSeller(ctx, cliPrincipal, audit.Seller{Name: "CLI Refurb", Country: "FR", ContactEmail: "cli@example.com"})
	require.NoError(t, err)
	require.NoError(t, st.Close())
	return seller.ID, open
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kpis.csv")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestKpisImportCommand(t *testing.T) {
	getenv := testEnv(t)
	seller, open := kpiTestDB(t, getenv)

	file := writeFile(t, kpiTestHeader+kpiTestRow(seller, "2026-09", 120)+kpiTestRow(seller, "2026-10", 130))
	code, out, errOut := runCmd(t, getenv, "kpis", "import", file)
	require.Equal(t, exitOK, code, "stderr: %s", errOut)
	assert.Equal(t, "imported 2 months\n", out)
	assert.Contains(t, errOut, "2 rows read")

	st := open()
	months, _, err := st.KPIMonths(context.Background(), seller, store.Page{})
	require.NoError(t, err)
	require.Len(t, months, 2)
	assert.Equal(t, 130, months[1].Orders)
	events, _, err := st.Events(context.Background(), store.EventFilter{Entity: "kpi_month", KeyID: cliPrincipal.KeyID}, store.Page{})
	require.NoError(t, err)
	assert.Len(t, events, 2, "events are recorded with the CLI principal")
}

func TestKpisImportCommandRefusesBadRows(t *testing.T) {
	getenv := testEnv(t)
	seller, open := kpiTestDB(t, getenv)

	// 60 bad rows (an unknown seller) after a good one: 50 are printed, then a count.
	var sb strings.Builder
	sb.WriteString(kpiTestHeader + kpiTestRow(seller, "2026-09", 120))
	for i := range 60 {
		sb.WriteString(kpiTestRow("sl_nobody", fmt.Sprintf("%04d-%02d", 2020+i/12, 1+i%12), 10+i))
	}
	code, out, errOut := runCmd(t, getenv, "kpis", "import", writeFile(t, sb.String()))
	assert.Equal(t, exitFailure, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "line 3: seller_id: no seller has this id\n")
	assert.Contains(t, errOut, "line 52: seller_id")
	assert.NotContains(t, errOut, "line 53: seller_id")
	assert.Contains(t, errOut, "… and 10 more\n")
	assert.Contains(t, errOut, "nothing was imported")

	months, _, err := open().KPIMonths(context.Background(), seller, store.Page{})
	require.NoError(t, err)
	assert.Empty(t, months, "nothing was imported")

	code, _, errOut = runCmd(t, getenv, "kpis", "import", writeFile(t, "seller_id,month\n"))
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "line 1: orders: missing column")
}

func TestKpisCommandUsage(t *testing.T) {
	getenv := testEnv(t)
	code, out, _ := runCmd(t, getenv, "kpis", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "kpis import")
	code, out, _ = runCmd(t, getenv, "kpis", "import", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "Usage: refurbqa kpis import")
	assert.Contains(t, out, "-dsn")

	for _, args := range [][]string{{"kpis"}, {"kpis", "export"}, {"kpis", "import"}, {"kpis", "import", "a.csv", "b.csv"}} {
		code, _, errOut := runCmd(t, getenv, args...)
		assert.Equal(t, exitUsage, code, "%v: %s", args, errOut)
	}
	// A missing file is found by looking: a run-time failure.
	code, _, errOut := runCmd(t, getenv, "kpis", "import", filepath.Join(t.TempDir(), "missing.csv"))
	assert.Equal(t, exitFailure, code, errOut)
}
