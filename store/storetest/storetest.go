// Package storetest opens real, migrated databases for tests: a SQLite file in t.TempDir()
// and, when REFURBQA_TEST_POSTGRES_DSN is set, a fresh PostgreSQL schema per test, dropped at
// the end. One conformance suite runs against every backend through Each.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver for schema set-up
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/store"
)

// PostgresDSNEnv names the variable that switches the PostgreSQL half of the suite on.
const PostgresDSNEnv = "REFURBQA_TEST_POSTGRES_DSN"

// Backend is one database the suite runs against.
type Backend struct {
	Name string
	Open func(t testing.TB, cfg store.Config) *store.Store
}

// Backends lists SQLite, plus PostgreSQL when its DSN is set.
func Backends() []Backend {
	b := []Backend{{Name: store.SQLite, Open: OpenSQLite}}
	if os.Getenv(PostgresDSNEnv) != "" {
		b = append(b, Backend{Name: store.Postgres, Open: OpenPostgres})
	}
	return b
}

// Each runs fn once per backend as a subtest.
func Each(t *testing.T, fn func(t *testing.T, b Backend)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}

// Open opens the default backend of this test run: PostgreSQL when REFURBQA_TEST_DB is
// "postgres" (and the DSN is set), SQLite otherwise.
func Open(t testing.TB, cfg store.Config) *store.Store {
	if os.Getenv("REFURBQA_TEST_DB") == store.Postgres && os.Getenv(PostgresDSNEnv) != "" {
		return OpenPostgres(t, cfg)
	}
	return OpenSQLite(t, cfg)
}

// OpenSQLite opens and migrates a SQLite database in a temporary directory.
func OpenSQLite(t testing.TB, cfg store.Config) *store.Store {
	t.Helper()
	cfg.Driver = store.SQLite
	cfg.DSN = filepath.Join(t.TempDir(), "refurbqa.db")
	return open(t, cfg)
}

// OpenPostgres creates a fresh schema, opens the store on it and migrates it. The schema is
// dropped when the test ends.
func OpenPostgres(t testing.TB, cfg store.Config) *store.Store {
	t.Helper()
	cfg.Driver = store.Postgres
	cfg.DSN = PostgresSchema(t)
	return open(t, cfg)
}

// PostgresSchema creates a fresh, empty schema and returns a DSN whose search_path points at
// it; the schema is dropped when the test ends. It skips the test without a PostgreSQL DSN.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresDSNEnv)
	if base == "" {
		t.Skip(PostgresDSNEnv + " is not set")
	}
	schema := "rq_test_" + randomHex(t, 6)
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = admin.ExecContext(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	return WithSearchPath(base, schema)
}

// WithSearchPath adds a search_path to a PostgreSQL DSN in URL or key=value form.
func WithSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

func open(t testing.TB, cfg store.Config) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	_, err = st.Migrate(ctx)
	require.NoError(t, err)
	return st
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}
