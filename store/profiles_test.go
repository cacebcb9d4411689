package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// allScorecards reads every scorecard of seller, whatever its state.
func allScorecards(t *testing.T, st *store.Store, seller string) []audit.Scorecard {
	t.Helper()
	var out []audit.Scorecard
	for _, status := range []audit.ScorecardStatus{audit.Draft, audit.Approved, audit.Superseded} {
		cards, err := audit.All(func(p audit.Page) ([]audit.Scorecard, string, error) {
			return st.Scorecards(context.Background(), store.ScorecardFilter{SellerID: seller, Status: status}, p)
		})
		require.NoError(t, err)
		out = append(out, cards...)
	}
	return out
}

// The store's profile read and the domain's rule (audit.RecentApproved) give the same
// scorecards in the same order, over a seller's history of drafts, superseded drafts and
// approved scorecards, two of them of one period, and periods that end on the same day.
func TestSellerProfileFollowsTheDomainRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		seller, other := e.seller("Profiled"), e.seller("Other")
		months := []string{"2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01",
			"2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01"}
		// Approved scorecards created in an order other than their periods', so that id and
		// creation order disagree with the period order.
		for _, i := range []int{4, 0, 7, 2, 6, 1, 5, 3} {
			id := "sc_m" + months[i][5:7]
			e.card(seller, id, months[i], months[i+1], auScore(float64(50+i)), checklist.TierProbation, true)
			e.approve(id)
		}
		// A second approved scorecard of July (a re-audit approved after the first), one of a
		// quarter that ends with August, and one without a score.
		e.card(seller, "sc_jul2", "2026-07-01", "2026-08-01", auScore(71), checklist.TierWatch, true)
		e.approve("sc_jul2")
		e.card(seller, "sc_q3", "2026-06-01", "2026-09-01", auScore(72), checklist.TierWatch, true)
		e.approve("sc_q3")
		e.card(seller, "sc_none", "2026-02-01", "2026-03-01", nil, checklist.TierInsufficientData, true)
		e.approve("sc_none")
		// Later drafts, one of them superseded, and another seller's later approved one.
		e.card(seller, "sc_draft", "2026-09-01", "2026-10-01", auScore(10), checklist.TierSuspend, true)
		e.card(seller, "sc_new", "2026-09-01", "2026-10-01", auScore(20), checklist.TierSuspend, false)
		e.insert("scorecard_supersessions", auRow{"scorecard_id": "sc_draft", "superseded_by": "sc_new", "superseded_at": e.clock.Now()}, nil)
		e.card(other, "sc_other", "2026-11-01", "2026-12-01", auScore(99), checklist.TierTrusted, true)
		e.approve("sc_other")

		cards := allScorecards(t, e.st, seller)
		require.Len(t, cards, 13)
		for _, n := range []int{1, 6, 20} {
			want := audit.RecentApproved(cards, n)
			rec, err := e.st.SellerProfile(ctx, seller, n)
			require.NoError(t, err)
			got := make([]string, len(rec.Recent))
			for i, sc := range rec.Recent {
				got[i] = sc.ID
				assert.Equal(t, audit.Approved, sc.Status)
				assert.Equal(t, want[i].Result.Score, sc.Score, sc.ID)
				assert.Equal(t, want[i].Result.Tier, sc.Tier, sc.ID)
				assert.Equal(t, want[i].Period, sc.Period, sc.ID)
			}
			wantIDs := make([]string, len(want))
			for i, sc := range want {
				wantIDs[i] = sc.ID
			}
			assert.Equal(t, wantIDs, got, "n = %d", n)
			assert.Equal(t, "Profiled", rec.Name)
			assert.Equal(t, "FR", rec.Country)
			assert.True(t, rec.Public, "public by default")
			require.NotNil(t, rec.Latest)
			stored, err := e.st.Scorecard(ctx, want[0].ID)
			require.NoError(t, err)
			latest := *rec.Latest
			latest.Review = stored.Review // the profile does not read the review
			assert.Equal(t, stored, latest, "the latest approved scorecard, whole")
		}
		rec, err := e.st.SellerProfile(ctx, seller, 6)
		require.NoError(t, err)
		assert.Equal(t, []string{"sc_m08", "sc_q3", "sc_jul2", "sc_m07", "sc_m06", "sc_m05"}, func() []string {
			var ids []string
			for _, sc := range rec.Recent {
				ids = append(ids, sc.ID)
			}
			return ids
		}(), "period end, then start, then creation")
	})
}

func TestProfileVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		seller := e.seller("Hidden")
		e.card(seller, "sc_1", "2026-07-01", "2026-10-01", auScore(80), checklist.TierWatch, true)
		e.approve("sc_1")

		rec, err := e.st.SellerProfile(ctx, seller, 6)
		require.NoError(t, err)
		require.NotNil(t, rec.Latest)
		set, err := e.st.ProfileSetting(ctx, seller)
		require.NoError(t, err)
		assert.Equal(t, audit.ProfileSetting{SellerID: seller, Public: true}, set, "a new seller's profile is public")

		by := audit.Principal{KeyID: "key_manager", Role: audit.RoleManager}
		set, err = e.st.SetProfileVisibility(ctx, by, seller, false)
		require.NoError(t, err)
		assert.Equal(t, audit.ProfileSetting{SellerID: seller, Public: false}, set)
		set, err = e.st.ProfileSetting(ctx, seller)
		require.NoError(t, err)
		assert.False(t, set.Public)
		rec, err = e.st.SellerProfile(ctx, seller, 6)
		require.NoError(t, err)
		assert.Equal(t, audit.SellerProfile{SellerID: seller, Name: "Hidden", Country: "FR", Public: false,
			Recent: []audit.ScorecardSummary{}}, rec, "a hidden profile reads nothing of its scorecards")

		_, err = e.st.SetProfileVisibility(ctx, by, seller, false)
		require.NoError(t, err, "setting what is set is no error")
		_, err = e.st.SetProfileVisibility(ctx, by, seller, true)
		require.NoError(t, err)
		set, err = e.st.ProfileSetting(ctx, seller)
		require.NoError(t, err)
		assert.True(t, set.Public)

		events, _, err := e.st.Events(ctx, store.EventFilter{Entity: "seller_profile", EntityID: seller}, store.Page{})
		require.NoError(t, err)
		var actions []string
		for _, ev := range events {
			actions = append(actions, ev.Action)
			assert.Equal(t, "key_manager", ev.KeyID)
			assert.Equal(t, audit.RoleManager, ev.Role)
		}
		assert.Equal(t, []string{"hide", "hide", "show"}, actions, "every write, in the trail")

		for _, id := range []string{"sl_unknown", strings.Repeat("x", 200)} {
			_, err = e.st.SetProfileVisibility(ctx, by, id, false)
			assert.ErrorIs(t, err, audit.ErrNotFound)
			_, err = e.st.ProfileSetting(ctx, id)
			assert.ErrorIs(t, err, audit.ErrNotFound)
			_, err = e.st.SellerProfile(ctx, id, 6)
			assert.ErrorIs(t, err, audit.ErrNotFound)
		}
		events, _, err = e.st.Events(ctx, store.EventFilter{Entity: "seller_profile", EntityID: "sl_unknown"}, store.Page{})
		require.NoError(t, err)
		assert.Empty(t, events, "a refused write leaves no event")

		// A seller never approved: its profile has no scorecard, even with a draft.
		fresh := e.seller("Fresh")
		e.card(fresh, "sc_d", "2026-07-01", "2026-10-01", auScore(80), checklist.TierWatch, true)
		rec, err = e.st.SellerProfile(ctx, fresh, 6)
		require.NoError(t, err)
		assert.Nil(t, rec.Latest)
		assert.Empty(t, rec.Recent)
		assert.True(t, rec.Public)
	})
}

// Sellers registered before migration 13 have a public profile.
func TestProfileMigrationKeepsSellersPublic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := openUnmigrated(t, b, store.Config{})
		p := migrator(t, b, st)
		_, err := p.UpTo(ctx, 11)
		require.NoError(t, err)
		require.NoError(t, st.AuditsTestDB().Table("sellers").Create(map[string]any{
			"id": "sl_before", "name": "Before", "country": "FR", "contact_email": "b@example.com", "created_at": st.Now(),
		}).Error)
		_, err = st.Migrate(ctx)
		require.NoError(t, err)
		set, err := st.ProfileSetting(ctx, "sl_before")
		require.NoError(t, err)
		assert.True(t, set.Public)

		// And down again: the column and the index go.
		_, err = p.DownTo(ctx, 11)
		require.NoError(t, err)
		_, err = st.ProfileSetting(ctx, "sl_before")
		assert.Error(t, err)
	})
}

// On SQLite, a profile is read by primary keys and the covering index, walked in its order:
// the seller, its standing and its standing scorecard by their keys; the recent scorecards from
// scorecards_seller_latest without a sort of their own (the statement's final sort orders the
// few rows it returns) and without reading the scorecard rows, whose points documents are
// large. Without statistics, SQLite plans as for large tables.
func TestSellerProfileQueryPlan(t *testing.T) {
	e := newAuditEnv(t, storetest.Backend{Name: store.SQLite, Open: storetest.OpenSQLite})
	seller := e.seller("Planned")
	e.card(seller, "sc_1", "2026-07-01", "2026-10-01", auScore(80), checklist.TierWatch, true)
	e.approve("sc_1")
	var plan []struct {
		Detail string `gorm:"column:detail"`
	}
	require.NoError(t, e.db.Raw("EXPLAIN QUERY PLAN "+store.ProfileSQL, seller, seller, 6).Scan(&plan).Error)
	var lines []string
	for _, p := range plan {
		lines = append(lines, p.Detail)
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"SEARCH se USING INDEX sqlite_autoindex_sellers_1 (id=?)",
		"SEARCH st USING INDEX sqlite_autoindex_seller_standings_1 (seller_id=?)",
		"SEARCH sc USING INDEX sqlite_autoindex_scorecards_1 (id=?)",
		"SEARCH s USING COVERING INDEX scorecards_seller_latest (seller_id=?)",
		"SEARCH v EXISTS USING COVERING INDEX sqlite_autoindex_scorecard_reviews_1 (scorecard_id=?)",
	} {
		assert.Contains(t, text, want, text)
	}
	i, j := strings.Index(text, "CO-ROUTINE r"), strings.Index(text, "SCAN r")
	require.True(t, i >= 0 && j > i, text)
	assert.NotContains(t, text[i:j], "TEMP B-TREE", "the recent scorecards come in the index's order")
	assert.Equal(t, 1, strings.Count(text, "TEMP B-TREE"), "one sort, of the rows returned: %s", text)
}
