package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/migrations"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// The scaffolding of the tests of a migration: a store on an empty database of a backend, and
// the migrations of that backend over it, to take its schema to the version before the
// migration, fill it as it was, and go on up (or down) from there.

// openUnmigrated opens a store of backend b with cfg on a fresh, empty database (a SQLite file
// in t.TempDir(), a fresh PostgreSQL schema) that no migration has run on; it is closed when
// the test ends.
func openUnmigrated(t *testing.T, b storetest.Backend, cfg store.Config) *store.Store {
	t.Helper()
	cfg.Driver = b.Name
	if b.Name == store.SQLite {
		cfg.DSN = filepath.Join(t.TempDir(), "refurbqa.db")
	} else {
		cfg.DSN = storetest.PostgresSchema(t)
	}
	st, err := store.Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// migrator is the goose provider of backend b's migrations over the database of st, to take
// its schema up or down to a version.
func migrator(t *testing.T, b storetest.Backend, st *store.Store) *goose.Provider {
	t.Helper()
	sqlDB, err := st.AuditsTestDB().DB()
	require.NoError(t, err)
	fsys, err := migrations.FS(b.Name)
	require.NoError(t, err)
	dialect := goose.DialectSQLite3
	if b.Name == store.Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, sqlDB, fsys)
	require.NoError(t, err)
	return p
}
