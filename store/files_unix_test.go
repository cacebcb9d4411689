//go:build unix

package store_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
)

// commonUmask sets the usual umask (022) for the test, so that files SQLite would create with
// its default 0644 really come out 0644, and restores the previous one after.
func commonUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
}

// openSQLite opens and migrates a SQLite store on path and writes a seller, so that its -wal
// and -shm files exist.
func openSQLite(t *testing.T, path string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Driver: store.SQLite, DSN: path})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	_, err = st.Migrate(ctx)
	require.NoError(t, err)
	_, err = st.CreateSeller(ctx, admin, audit.Seller{Name: "Private", Country: "FR", ContactEmail: "p@example.com"})
	require.NoError(t, err)
	return st
}

func assertMode(t *testing.T, want fs.FileMode, paths ...string) {
	t.Helper()
	for _, p := range paths {
		st, err := os.Stat(p)
		if assert.NoError(t, err) {
			assert.Equal(t, want, st.Mode().Perm(), "mode of %s", filepath.Base(p))
		}
	}
}

// TestSQLiteFilesArePrivate checks that the database, its -wal and -shm files, its lock and
// turn files, a backup and a restored database are readable by their owner only: they hold contacts, IMEIs
// and key hashes.
func TestSQLiteFilesArePrivate(t *testing.T) {
	commonUmask(t)
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "private.db")
	st := openSQLite(t, db)
	assertMode(t, 0o600, db, db+"-wal", db+"-shm", db+".lock", db+".turn")

	backup := filepath.Join(dir, "backup.db")
	require.NoError(t, st.Backup(ctx, backup))
	assertMode(t, 0o600, backup)
	assert.ErrorIs(t, st.Backup(ctx, backup), store.ErrExists, "a backup never overwrites a file")
	assertMode(t, 0o600, backup)

	restored := filepath.Join(dir, "restored.db")
	require.NoError(t, store.Restore(ctx, backup, restored, false))
	assertMode(t, 0o600, restored)
	again := openSQLite(t, restored)
	sellers, _, err := again.Sellers(ctx, store.Page{Limit: 10})
	require.NoError(t, err)
	assert.Len(t, sellers, 2, "the restored database holds the backup's seller, and the one openSQLite wrote")
	assertMode(t, 0o600, restored, restored+"-wal", restored+"-shm")
}

// TestOpenTightensExistingDatabase opens a database whose files let the group and others read
// them (as an older refurbqa left them): opening it makes them private, while another store of
// the same process has it open and keeps working.
func TestOpenTightensExistingDatabase(t *testing.T) {
	commonUmask(t)
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "loose.db")
	first := openSQLite(t, db)
	for _, p := range []string{db, db + "-wal", db + "-shm"} {
		require.NoError(t, os.Chmod(p, 0o644))
	}
	assertMode(t, 0o644, db, db+"-wal", db+"-shm")
	openSQLite(t, db)
	assertMode(t, 0o600, db, db+"-wal", db+"-shm")
	_, err := first.CreateSeller(ctx, admin, audit.Seller{Name: "Still writing", Country: "FR", ContactEmail: "s@example.com"})
	assert.NoError(t, err)
}

// TestOpenKeepsSQLiteLocks checks, in /proc/locks, that this process still holds SQLite's lock
// on the database file after opening, migrating, backing up and opening and closing a second
// store on it. POSIX record locks are per process and all dropped when the process closes any
// descriptor of the file: code that opened and closed the database outside SQLite released them,
// and another process (the sqlite3 shell) then deleted the WAL of the running server.
func TestOpenKeepsSQLiteLocks(t *testing.T) {
	if _, err := os.Stat("/proc/locks"); err != nil {
		t.Skip("no /proc/locks on this system")
	}
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "locks.db")
	st := openSQLite(t, db)
	info, err := os.Stat(db)
	require.NoError(t, err)
	ino := info.Sys().(*syscall.Stat_t).Ino
	assert.True(t, holdsLock(t, ino), "SQLite's lock on the database after Open and Migrate")

	require.NoError(t, st.Backup(ctx, filepath.Join(dir, "b.db")))
	assert.True(t, holdsLock(t, ino), "SQLite's lock on the database after a backup")

	second, err := store.Open(ctx, store.Config{Driver: store.SQLite, DSN: db})
	require.NoError(t, err)
	_, err = second.Migrate(ctx)
	require.NoError(t, err)
	require.NoError(t, second.Close())
	assert.True(t, holdsLock(t, ino), "SQLite's lock on the database after another store opened and closed it")
	_, err = st.CreateSeller(ctx, admin, audit.Seller{Name: "After", Country: "FR", ContactEmail: "a@example.com"})
	require.NoError(t, err)
	assert.True(t, holdsLock(t, ino))
}

// holdsLock reports whether this process holds a POSIX lock on the file with inode ino.
func holdsLock(t *testing.T, ino uint64) bool {
	t.Helper()
	raw, err := os.ReadFile("/proc/locks")
	require.NoError(t, err)
	pid := strconv.Itoa(os.Getpid())
	suffix := fmt.Sprintf(":%d", ino)
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		// "1: POSIX  ADVISORY  READ 1234 fe:00:998 1073741826 1073742335"
		if len(f) >= 6 && f[1] == "POSIX" && f[4] == pid && strings.HasSuffix(f[5], suffix) {
			return true
		}
	}
	return false
}

// TestSidecarsOfAnotherOwnersDatabase: root opening a database another user owns (an operator's
// sudo refurbqa migrate on the service's database) gives the lock and turn files it creates
// the database's owner, as SQLite gives its -wal and -shm files, so that the service can open
// the database afterwards.
func TestSidecarsOfAnotherOwnersDatabase(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to give a file another owner")
	}
	const uid, gid = 4242, 4343
	path := filepath.Join(t.TempDir(), "service.db")
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	require.NoError(t, os.Chown(path, uid, gid))
	st := openSQLite(t, path)
	require.NoError(t, st.Close())
	for _, p := range []string{path + ".lock", path + ".turn"} {
		info, err := os.Stat(p)
		require.NoError(t, err)
		own := info.Sys().(*syscall.Stat_t)
		assert.Equal(t, [2]uint32{uid, gid}, [2]uint32{own.Uid, own.Gid}, "owner of %s", filepath.Base(p))
	}
}

// TestTurnFileOfAnotherUser: a turn file this user may not open (another user made it) leaves
// the store's writers without turns, as before turns existed, instead of failing to open.
func TestTurnFileOfAnotherUser(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root opens any file: run as another user")
	}
	path := filepath.Join(t.TempDir(), "shared.db")
	require.NoError(t, os.WriteFile(path+".turn", nil, 0o000))
	st := openSQLite(t, path) // writes a seller
	require.NoError(t, st.Close())
}
