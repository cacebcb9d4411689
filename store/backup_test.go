package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
)

// TestRestoreRefusesDatabaseInUse replaces a database only once nothing has it open: removing
// the WAL of a database in use would lose what its server writes, --force or not.
func TestRestoreRefusesDatabaseInUse(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	st, err := store.Open(ctx, store.Config{Driver: store.SQLite, DSN: live})
	require.NoError(t, err)
	defer st.Close()
	_, err = st.Migrate(ctx)
	require.NoError(t, err)
	kept, err := st.CreateSeller(ctx, admin, audit.Seller{Name: "Kept", Country: "FR", ContactEmail: "k@example.com"})
	require.NoError(t, err)
	backup := filepath.Join(dir, "backup.db")
	require.NoError(t, st.Backup(ctx, backup))
	_, err = st.CreateSeller(ctx, admin, audit.Seller{Name: "After the backup", Country: "FR", ContactEmail: "a@example.com"})
	require.NoError(t, err)

	err = store.Restore(ctx, backup, live, true)
	require.ErrorIs(t, err, store.ErrInUse)
	sellers, _, err := st.Sellers(ctx, store.Page{Limit: 10})
	require.NoError(t, err)
	assert.Len(t, sellers, 2, "the open database is untouched")

	require.NoError(t, st.Close())
	require.NoError(t, store.Restore(ctx, backup, live, true))
	again, err := store.Open(ctx, store.Config{Driver: store.SQLite, DSN: live})
	require.NoError(t, err)
	defer again.Close()
	sellers, _, err = again.Sellers(ctx, store.Page{Limit: 10})
	require.NoError(t, err)
	if assert.Len(t, sellers, 1, "the restored database is the backup") {
		assert.Equal(t, kept.ID, sellers[0].ID)
	}

	// A file that is not a database is in use by nobody: --force replaces it.
	junk := filepath.Join(dir, "junk.db")
	require.NoError(t, os.WriteFile(junk, []byte("not a database, but not empty either"), 0o600))
	assert.ErrorIs(t, store.Restore(ctx, backup, junk, false), store.ErrExists)
	require.NoError(t, store.Restore(ctx, backup, junk, true))
	require.NoError(t, store.CheckSQLite(ctx, junk))
}
