package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSessionWriteWaitsForTheGroupCommit holds the writer connection in a group transaction
// and writes a session meanwhile: the session write waits for the connection (it cannot run
// inside another caller's transaction), and once the group committed it goes through, with the
// group's write stored too. Neither holds the connection while waiting for the other, so this
// never deadlocks.
func TestSessionWriteWaitsForTheGroupCommit(t *testing.T) {
	st := openGroupStore(t)
	_, err := st.Migrate(context.Background())
	require.NoError(t, err)
	ss := st.SessionStore()
	wdb, err := st.write.DB()
	require.NoError(t, err)
	waits := wdb.Stats().WaitCount

	release := blockCommitter(t, st)
	done := make(chan error, 1)
	go func() { done <- ss.Commit("tok", []byte("data"), time.Now().Add(time.Hour)) }()
	require.Eventually(t, func() bool { return wdb.Stats().WaitCount > waits }, 10*time.Second, time.Millisecond,
		"the session write waits for the writer connection")
	errc := make(chan error, 1)
	go func() { errc <- st.groupTx(context.Background(), 1, insertKeys("after")) }()
	release()
	require.NoError(t, <-done)
	require.NoError(t, <-errc)

	got, found, err := ss.Find("tok")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, []byte("data"), got)
	assert.Equal(t, map[string]bool{"after": true}, storedKeys(t, st))
}
