package store_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// Lists page on the id. Rows made in one millisecond, here with a clock that never moves, page
// without skipping or repeating any on both databases: ids of one process keep their creation
// order, and ids another process made in the same millisecond (their time parts unrelated to
// this one's) take a place of their own, the same on every read.
func TestPaginationWithinOneMillisecond(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
		st := b.Open(t, store.Config{Now: func() time.Time { return now }})
		batch := make([]audit.Seller, 300)
		for i := range batch {
			batch[i] = audit.Seller{Name: fmt.Sprintf("Batch %d", i), Country: "FR", ContactEmail: "b@example.com"}
		}
		made, err := st.CreateSellers(ctx, admin, batch)
		require.NoError(t, err)
		var created []string
		for _, s := range made {
			created = append(created, s.ID)
		}
		for i := range 100 {
			s, err := st.CreateSeller(ctx, admin, audit.Seller{Name: fmt.Sprintf("One %d", i), Country: "DE", ContactEmail: "o@example.com"})
			require.NoError(t, err)
			created = append(created, s.ID)
		}
		assert.True(t, slices.IsSorted(created), "one process's ids keep their creation order")
		// Another process, same millisecond: ids of the plain generator, in no particular order.
		others := map[string]bool{}
		for i := range 100 {
			id, err := audit.NewID(audit.PrefixSeller, now.Add(time.Duration(i%7)*time.Microsecond), rand.Reader)
			require.NoError(t, err)
			others[id] = true
			require.NoError(t, st.AuditsTestDB().Table("sellers").Create(map[string]any{
				"id": id, "name": "Other", "country": "PL", "contact_email": "x@example.com", "created_at": now,
			}).Error)
		}

		read := func(limit int) []string {
			var got []string
			page := store.Page{Limit: limit}
			for {
				items, next, err := st.Sellers(ctx, page)
				require.NoError(t, err)
				require.LessOrEqual(t, len(items), limit)
				for _, s := range items {
					got = append(got, s.ID)
				}
				if next == "" {
					return got
				}
				page.Cursor = next
			}
		}
		all := append(slices.Clone(created), mapKeys(others)...)
		slices.Sort(all)
		for _, limit := range []int{1, 7, 50, 499, 500} {
			got := read(limit)
			assert.Equal(t, all, got, "limit %d: every row once, in one stable order", limit)
		}
		var mine []string
		for _, id := range read(13) {
			if !others[id] {
				mine = append(mine, id)
			}
		}
		assert.Equal(t, created, mine, "this process's rows in creation order")
	})
}

func mapKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
