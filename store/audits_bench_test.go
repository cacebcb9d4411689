package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// The audit's size target: 1,800 sellers, 1,000,000 bench tests, 20,000 mystery orders and
// 21,600 KPI months (a year of each seller), audited over the whole year in one run.
// REFURBQA_AUDIT_BENCH_SCALE scales it (default 0.01, so that `go test -bench` stays quick);
// run with 1 to measure the target itself:
//
//	REFURBQA_AUDIT_BENCH_SCALE=1 go test -run '^$' -bench AuditSellers -benchtime 3x ./store/
const (
	benchSellers = 1800
	benchUnits   = 1_000_000
	benchOrders  = 20_000
	yearSeconds  = 365 * 24 * 3600
)

func auditBenchScale(b *testing.B) float64 {
	v := os.Getenv("REFURBQA_AUDIT_BENCH_SCALE")
	if v == "" {
		return 0.01
	}
	f, err := strconv.ParseFloat(v, 64)
	require.NoError(b, err)
	return f
}

func BenchmarkAuditSellers(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			ctx := context.Background()
			st := backend.Open(b, store.Config{})
			scale := auditBenchScale(b)
			sellers := max(1, int(benchSellers*scale))
			seedAuditScale(b, st, sellers, max(1, int(benchUnits*scale)), max(1, int(benchOrders*scale)))
			def, err := checklist.DefaultCharter()
			require.NoError(b, err)
			require.NoError(b, st.EnsureDefaultCharter(ctx, auditor, def))
			svc := audit.NewService(audit.ServiceConfig{Store: st})
			in := audit.AuditInput{PeriodStart: "2026-01-01", PeriodEnd: "2027-01-01"}
			b.ResetTimer()
			for b.Loop() {
				res, err := svc.AuditSellers(ctx, auditor, nil, in, nil)
				require.NoError(b, err)
				require.Len(b, res.Scorecards, sellers)
			}
		})
	}
}

// seedAuditScale fills the database with generated records, in SQL: a year of bench tests and
// mystery orders dealt round robin to the sellers, with a sprinkling of every defect, and
// twelve KPI months per seller.
func seedAuditScale(b *testing.B, st *store.Store, sellers, units, orders int) {
	ctx := context.Background()
	in := make([]audit.Seller, sellers)
	for i := range in {
		in[i] = audit.Seller{Name: fmt.Sprintf("Seller %d", i), Country: "FR", ContactEmail: "s@example.com"}
	}
	_, err := st.CreateSellers(ctx, auditor, in)
	require.NoError(b, err)
	db := st.AuditsTestDB().WithContext(ctx)
	pg := st.Driver() == store.Postgres

	// gen lists n rows (i, seller, at): a number, its seller and an instant spread over 2026.
	gen := func(n int) string {
		step := max(1, yearSeconds/n)
		if pg {
			return fmt.Sprintf(`SELECT n.i, s.id AS seller, TIMESTAMPTZ '2026-01-01 00:00:00+00' + n.i * INTERVAL '%d seconds' AS at
				FROM generate_series(0, %d) AS n(i)
				JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM sellers) s ON s.k = n.i %% %d`, step, n-1, sellers)
		}
		return fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			SELECT n.i AS i, s.id AS seller, strftime('%%Y-%%m-%%d %%H:%%M:%%S', 1767225600 + n.i * %d, 'unixepoch') || '+00:00' AS at
			FROM n JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM sellers) s ON s.k = n.i %% %d`, n-1, step, sellers)
	}
	id := func(prefix string) string {
		if pg {
			return "'" + prefix + "_' || lpad(g.i::text, 8, '0')"
		}
		return "'" + prefix + "_' || printf('%08d', g.i)"
	}
	flag := func(cond string) string {
		if pg {
			return "(" + cond + ")"
		}
		return "(CASE WHEN " + cond + " THEN 1 ELSE 0 END)"
	}
	const at = "g.at"
	unitCols := []string{"inspection", "category", "brand", "model", "imei", "serial", "ruleset", "status", "functional",
		"cosmetic", "marketplace", "reasons", "battery_health", "battery_genuine", "non_genuine_parts", "parts_disclosed",
		"activation_lock", "imei_status", "liquid_damage", "data_erased", "factory_reset", "os_up_to_date",
		"markings_intact", "display_like_for_like", "created_at", "technician_key_id"}
	unitVals := []string{"'{}'", "'smartphone'", "'Apple'", "'iPhone 13'", "'356938035643809'", "'F2LXK0ABCD'", "'2026.1'",
		"CASE WHEN g.i % 101 = 0 THEN 'incomplete' ELSE 'sellable' END",
		"CASE WHEN g.i % 101 = 0 THEN NULL WHEN g.i % 89 = 0 THEN 'F1' ELSE 'F0' END",
		"CASE WHEN g.i % 53 = 0 THEN 'D' ELSE 'B' END", "'excellent'", "'[]'",
		"70 + (g.i % 30)", flag("TRUE"), flag("g.i % 211 = 0"), flag("g.i % 422 = 0"),
		flag("g.i % 307 = 0"), "CASE WHEN g.i % 401 = 0 THEN 'blacklisted' ELSE 'clean' END",
		flag("g.i % 97 = 0"), flag("g.i % 503 <> 0"), flag("g.i % 61 <> 0"), flag("TRUE"),
		flag("g.i % 701 <> 0"), flag("g.i % 601 <> 0"), at, "'key_tech'"}
	insert := func(table string, cols, vals []string, n int) {
		q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") SELECT " + strings.Join(vals, ", ") +
			" FROM (" + gen(n) + ") g"
		require.NoError(b, db.Exec(q).Error, table)
	}
	insert("bench_tests",
		append([]string{"id", "seller_id", "lab", "tested_at"}, unitCols...),
		append([]string{id("bt"), "g.seller", "'lab-1'", at}, unitVals...), units)
	insert("mystery_orders",
		append([]string{"id", "seller_id", "order_ref", "ordered_at", "listed_grade", "grade_match", "packaging_adequate",
			"transit_damage", "charge_on_arrival_pct", "cable_included", "charger_as_listed", "identity_matches_listing",
			"probe_sent_at", "probe_answered_in_time", "shipped_within_1bd", "packaging_failure", "low_charge",
			"accessories_ok"}, unitCols...),
		append([]string{id("mo"), "g.seller", id("MO"), at, "'excellent'",
			"CASE WHEN g.i % 17 = 0 THEN 'overgraded' ELSE 'match' END", flag("TRUE"), flag("FALSE"), "60", flag("TRUE"),
			flag("TRUE"), flag("g.i % 29 <> 0"), at, flag("g.i % 7 <> 0"), flag("TRUE"), flag("g.i % 31 = 0"),
			flag("g.i % 37 = 0"), flag("g.i % 41 <> 0")}, unitVals...), orders)

	// Twelve KPI months per seller.
	var months []string
	for m := 1; m <= 12; m++ {
		months = append(months, fmt.Sprintf("SELECT '2026-%02d' AS month, %d AS k", m, m))
	}
	require.NoError(b, db.Exec(`INSERT INTO kpi_months (id, seller_id, month, orders, shipped_late, valid_tracking,
		cancelled_before_shipment, technical_returns_30d, defective_orders, messages_received,
		messages_answered_within_1bd, warranty_claims, warranty_remedied_within_5bd, warranty_months, updated_at)
		SELECT 'km_' || s.id || '_' || m.month, s.id, m.month, 100 + m.k, m.k % 5, 99, 1, 2, 0, 20, 19, 1, 1, 12, ?
		FROM sellers s CROSS JOIN (`+strings.Join(months, " UNION ALL ")+`) m`, st.Now()).Error)

	// A PostgreSQL database in service has its statistics and visibility map kept by
	// autovacuum; right after a bulk load it has neither, and plans as if the tables were empty.
	if pg {
		for _, table := range []string{"bench_tests", "mystery_orders", "kpi_months", "sellers"} {
			require.NoError(b, db.Exec("VACUUM ANALYZE "+table).Error)
		}
	}
}
