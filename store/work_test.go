package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// TestListByTechnicianNewestFirst holds the lists behind a technician's recent work: one
// principal's bench tests and mystery orders only, in reverse creation order, page after page
// without a repeat or a gap, corrections included.
func TestListByTechnicianNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller := newBenchSeller(t, st, "S")
		ana := audit.Principal{KeyID: "usr_ana", Role: audit.RoleTechnician}
		bob := audit.Principal{KeyID: "usr_bob", Role: audit.RoleTechnician}
		day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

		var anaTests, anaOrders []string // in creation order
		for i := range 9 {
			by := ana
			if i%3 == 1 {
				by = bob
			}
			// tested_at runs backwards, so that creation order and test order differ.
			bt, _, err := st.CreateBenchTest(ctx, by, benchTest(t, seller.ID, fmt.Sprintf("W%02d", i), day.Add(-time.Duration(i)*time.Hour)))
			require.NoError(t, err)
			mo, err := st.CreateMysteryOrder(ctx, by, moOrder(t, seller.ID, fmt.Sprintf("MO-W%02d", i), day.Add(-time.Duration(i)*time.Hour)))
			require.NoError(t, err)
			if by == ana {
				anaTests, anaOrders = append(anaTests, bt.ID), append(anaOrders, mo.ID)
			}
		}
		// A correction by ana of one of bob's bench tests is ana's work, and the newest.
		bobs, _, err := st.BenchTests(ctx, store.BenchTestFilter{TechnicianKeyID: bob.KeyID}, store.Page{})
		require.NoError(t, err)
		require.Len(t, bobs, 3)
		fix := benchTest(t, seller.ID, "W01", day)
		fixed, err := st.CorrectBenchTest(ctx, ana, bobs[0].ID, fix)
		require.NoError(t, err)
		anaTests = append(anaTests, fixed.ID)

		reverse := func(ids []string) []string {
			out := make([]string, len(ids))
			for i, id := range ids {
				out[len(ids)-1-i] = id
			}
			return out
		}
		benchIDs := func(f store.BenchTestFilter, limit int) []string {
			var ids []string
			p := store.Page{Limit: limit}
			for {
				page, next, err := st.BenchTests(ctx, f, p)
				require.NoError(t, err)
				assert.LessOrEqual(t, len(page), limit)
				for _, r := range page {
					ids = append(ids, r.ID)
					assert.Equal(t, f.TechnicianKeyID, r.TechnicianKeyID)
				}
				if next == "" {
					return ids
				}
				p.Cursor = next
			}
		}
		orderIDs := func(f store.MysteryOrderFilter, limit int) []string {
			var ids []string
			p := store.Page{Limit: limit}
			for {
				page, next, err := st.MysteryOrders(ctx, f, p)
				require.NoError(t, err)
				assert.LessOrEqual(t, len(page), limit)
				for _, r := range page {
					ids = append(ids, r.ID)
					assert.Equal(t, f.TechnicianKeyID, r.TechnicianKeyID)
				}
				if next == "" {
					return ids
				}
				p.Cursor = next
			}
		}
		for _, limit := range []int{1, 2, 7, 50} {
			assert.Equal(t, reverse(anaTests), benchIDs(store.BenchTestFilter{TechnicianKeyID: ana.KeyID, NewestFirst: true}, limit), "limit %d", limit)
			assert.Equal(t, reverse(anaOrders), orderIDs(store.MysteryOrderFilter{TechnicianKeyID: ana.KeyID, NewestFirst: true}, limit), "limit %d", limit)
		}
		assert.Equal(t, anaTests, benchIDs(store.BenchTestFilter{TechnicianKeyID: ana.KeyID}, 2), "oldest first without NewestFirst")
		assert.Equal(t, anaOrders, orderIDs(store.MysteryOrderFilter{TechnicianKeyID: ana.KeyID}, 2))

		// The newest page holds the correction; the record it corrected is bob's, and says so.
		page, _, err := st.BenchTests(ctx, store.BenchTestFilter{TechnicianKeyID: ana.KeyID, NewestFirst: true}, store.Page{Limit: 1})
		require.NoError(t, err)
		require.Len(t, page, 1)
		assert.Equal(t, bobs[0].ID, page[0].Supersedes)
		again, _, err := st.BenchTests(ctx, store.BenchTestFilter{TechnicianKeyID: bob.KeyID, NewestFirst: true}, store.Page{})
		require.NoError(t, err)
		require.Len(t, again, 3)
		assert.Equal(t, fixed.ID, again[2].SupersededBy, "bob's oldest is last, corrected by ana")

		assert.Empty(t, benchIDs(store.BenchTestFilter{TechnicianKeyID: "usr_nobody", NewestFirst: true}, 5))
		assert.Empty(t, orderIDs(store.MysteryOrderFilter{TechnicianKeyID: "usr_\x00", NewestFirst: true}, 5), "an id no record can hold")
		assert.Len(t, benchIDs(store.BenchTestFilter{TechnicianKeyID: ana.KeyID, SellerID: seller.ID, NewestFirst: true}, 3), len(anaTests))
	})
}
