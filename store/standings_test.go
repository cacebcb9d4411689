package store_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

func auScore(v float64) *float64 { return &v }

// card inserts a draft scorecard of seller over [start, end) with a score and tier, in the
// draft slot of its period when slot is set (as an audit leaves its drafts).
func (e *auditEnv) card(seller, id, start, end string, score *float64, tier checklist.Tier, slot bool) {
	e.t.Helper()
	e.insert("scorecards", auRow{
		"id": id, "seller_id": seller, "period_start": start, "period_end": end,
		"charter_version": "2026.1", "score": score, "tier": string(tier), "evaluated_points": 20,
		"failed_points": 1, "failed_critical": 0, "points": "[]", "created_at": e.clock.Now(),
	}, nil)
	if slot {
		e.insert("scorecard_drafts", auRow{"seller_id": seller, "period_start": start, "period_end": end,
			"charter_version": "2026.1", "scorecard_id": id}, nil)
	}
}

// approve approves scorecard id through the service, as a manager does.
func (e *auditEnv) approve(id string) {
	e.t.Helper()
	_, _, err := approveScorecard(context.Background(), e.st, auditor, id, "")
	require.NoError(e.t, err, id)
}

// standings reads the whole seller list in order o, page by page of limit sellers.
func standings(t *testing.T, st *store.Store, f audit.StandingFilter, limit int) []audit.Standing {
	t.Helper()
	var out []audit.Standing
	p := store.Page{Limit: limit}
	for range 100 {
		page, next, err := st.SellerStandings(context.Background(), f, p)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), limit)
		out = append(out, page...)
		if next == "" {
			return out
		}
		p.Cursor = next
	}
	t.Fatal("the list did not end")
	return nil
}

// domainStanding is the standing of seller as audit.StandingOf decides it from the seller's
// approved scorecards as the store reads them back.
func domainStanding(t *testing.T, st *store.Store, seller string) (latest, previous *audit.ScoreMark) {
	t.Helper()
	cards, err := audit.All(func(p audit.Page) ([]audit.Scorecard, string, error) {
		return st.Scorecards(context.Background(), store.ScorecardFilter{SellerID: seller, Status: audit.Approved}, p)
	})
	require.NoError(t, err)
	return audit.StandingOf(cards)
}

// The standing kept by the store is audit.StandingOf of the approved scorecards, whatever the
// order of the approvals: the latest by period end, then start, then creation; the previous
// one the latest before it with a score; drafts never count.
func TestStandingFollowsApprovals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb, c, d, none := e.seller("A"), e.seller("B"), e.seller("C"), e.seller("D"), e.seller("E")

		// A: approved in time order, then a draft that must not count.
		e.card(a, "sc_a1", "2026-07-01", "2026-08-01", auScore(80), checklist.TierWatch, false)
		e.card(a, "sc_a2", "2026-08-01", "2026-09-01", auScore(60), checklist.TierProbation, false)
		e.card(a, "sc_a3", "2026-09-01", "2026-10-01", auScore(99), checklist.TierTrusted, true)
		e.approve("sc_a1")
		e.approve("sc_a2")
		// B: the later period approved first; an earlier one approved after it does not take
		// its place. The one between without a score is skipped as previous.
		e.card(bb, "sc_b1", "2026-06-01", "2026-07-01", auScore(70.2), checklist.TierWatch, false)
		e.card(bb, "sc_b2", "2026-07-01", "2026-08-01", nil, checklist.TierInsufficientData, false)
		e.card(bb, "sc_b3", "2026-08-01", "2026-09-01", auScore(91), checklist.TierTrusted, false)
		e.approve("sc_b3")
		e.approve("sc_b1")
		e.approve("sc_b2")
		// C: the same period end; the later start is the later scorecard. Then the latest has
		// no score.
		e.card(c, "sc_c1", "2026-01-01", "2026-10-01", auScore(50), checklist.TierProbation, false)
		e.card(c, "sc_c2", "2026-09-01", "2026-10-01", auScore(55), checklist.TierProbation, false)
		e.approve("sc_c2")
		e.approve("sc_c1")
		// D: one approval only; then a re-audit's approval of the same period after it.
		e.card(d, "sc_d1", "2026-09-01", "2026-10-01", auScore(40), checklist.TierSuspend, false)
		e.approve("sc_d1")
		e.card(d, "sc_d2", "2026-09-01", "2026-10-01", nil, checklist.TierInsufficientData, false)
		e.approve("sc_d2")

		want := map[string]struct {
			latest, previous string
			trend            audit.Trend
			change           float64
		}{
			a:    {"sc_a2", "sc_a1", audit.TrendDown, -20},
			bb:   {"sc_b3", "sc_b1", audit.TrendUp, 20.8},
			c:    {"sc_c2", "sc_c1", audit.TrendUp, 5},
			d:    {"sc_d2", "sc_d1", audit.TrendNone, 0},
			none: {"", "", audit.TrendNone, 0},
		}
		got := standings(t, e.st, audit.StandingFilter{Order: audit.ListOrder{By: audit.SortName}}, 2)
		require.Len(t, got, 5)
		for _, st := range got {
			w := want[st.Seller.ID]
			latest, previous := domainStanding(t, e.st, st.Seller.ID)
			assert.Equal(t, latest, st.Latest, "the store's standing is the domain's: %s", st.Seller.Name)
			assert.Equal(t, previous, st.Previous, "the store's previous is the domain's: %s", st.Seller.Name)
			if w.latest == "" {
				assert.Nil(t, st.Latest, st.Seller.Name)
			} else if assert.NotNil(t, st.Latest, st.Seller.Name) {
				assert.Equal(t, w.latest, st.Latest.ScorecardID, st.Seller.Name)
			}
			if w.previous == "" {
				assert.Nil(t, st.Previous, st.Seller.Name)
			} else if assert.NotNil(t, st.Previous, st.Seller.Name) {
				assert.Equal(t, w.previous, st.Previous.ScorecardID, st.Seller.Name)
			}
			assert.Equal(t, w.trend, st.Trend(), st.Seller.Name)
			assert.InDelta(t, w.change, st.Change(), 1e-9, st.Seller.Name)
		}
		first := got[0]
		assert.Equal(t, "A", first.Seller.Name)
		assert.Equal(t, "FR", first.Seller.Country)
		assert.Equal(t, "2026-08-01", first.Latest.Period.Start.Format("2006-01-02"))
		assert.Equal(t, checklist.TierProbation, first.Latest.Tier)
		require.NotNil(t, first.Latest.Score)
		assert.Equal(t, 60.0, *first.Latest.Score)

		// A seller id of no seller is an empty page, not an error.
		page, next, err := e.st.SellerStandings(ctx, audit.StandingFilter{Order: audit.ListOrder{By: audit.SortName}}, store.Page{Cursor: audit.EncodeCursor("sl_nobody")})
		require.NoError(t, err)
		assert.Empty(t, page)
		assert.Empty(t, next)
		_, _, err = e.st.SellerStandings(ctx, audit.StandingFilter{}, store.Page{Cursor: "not a cursor!"})
		assert.ErrorIs(t, err, audit.ErrInvalid)
	})
}

// rankedSeller is one seller of the ordering test with what its order depends on.
type rankedSeller struct {
	id, name, country string
	score             *float64
	tier              checklist.Tier // "" when never approved
}

// foldASCII lowers the ASCII letters only, as the store's order does.
func foldASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// expectedOrder is the order audit.ListOrder documents, written out in Go.
func expectedOrder(in []rankedSeller, o audit.ListOrder) []string {
	s := slices.Clone(in)
	byName := func(a, b rankedSeller) int {
		return cmp.Or(strings.Compare(foldASCII(a.name), foldASCII(b.name)), strings.Compare(a.id, b.id))
	}
	noScore := func(r rankedSeller) int {
		if r.score == nil {
			return 1
		}
		return 0
	}
	score := func(a, b rankedSeller) int {
		if c := cmp.Compare(noScore(a), noScore(b)); c != 0 || a.score == nil {
			return c
		}
		if o.Desc {
			return cmp.Compare(*b.score, *a.score)
		}
		return cmp.Compare(*a.score, *b.score)
	}
	slices.SortFunc(s, func(a, b rankedSeller) int {
		switch o.By {
		case audit.SortCountry:
			c := cmp.Or(strings.Compare(a.country, b.country), byName(a, b))
			if o.Desc {
				return -c
			}
			return c
		case audit.SortScore:
			return cmp.Or(score(a, b), byName(a, b))
		case audit.SortTier:
			return cmp.Or(cmp.Compare(audit.TierRank(a.tier, o.Desc), audit.TierRank(b.tier, o.Desc)), score(a, b), byName(a, b))
		default:
			if o.Desc {
				return -byName(a, b)
			}
			return byName(a, b)
		}
	})
	ids := make([]string, len(s))
	for i, r := range s {
		ids[i] = r.id
	}
	return ids
}

// Every order of the seller list, both ways, pages through every seller once in the order
// documented, on both databases alike: names without the case of ASCII letters, byte order
// otherwise; scores and tiers worst first ascending, best first descending, the unscored and
// the never approved last; ties by name, then id.
func TestSellerStandingsOrdersAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		e := newAuditEnv(t, b)
		specs := []struct {
			name, country string
			score         *float64
			tier          checklist.Tier
		}{
			{"acme", "FR", auScore(75), checklist.TierWatch},
			{"Acme", "DE", auScore(75), checklist.TierWatch},
			{"Zeta Phones", "FR", auScore(95.5), checklist.TierTrusted},
			{"bravo", "ES", auScore(40), checklist.TierSuspend},
			{"Éclair Tech", "FR", auScore(65), checklist.TierProbation},
			{"Echo", "IT", nil, checklist.TierInsufficientData},
			{"delta_refurb", "DE", auScore(88), checklist.TierProbation},
			{"Charlie", "ES", nil, ""},
			{"charlie", "NL", nil, ""},
			{"Mike", "FR", auScore(100), checklist.TierTrusted},
			{"kilo", "PL", auScore(0), checklist.TierSuspend},
		}
		var all []rankedSeller
		for i, sp := range specs {
			id := e.seller(sp.name)
			if sp.country != "FR" {
				require.NoError(t, e.db.Exec("UPDATE sellers SET country = ? WHERE id = ?", sp.country, id).Error)
			}
			if sp.tier != "" {
				cid := "sc_rank_" + string(rune('a'+i))
				e.card(id, cid, "2026-09-01", "2026-10-01", sp.score, sp.tier, false)
				e.approve(cid)
			}
			all = append(all, rankedSeller{id: id, name: sp.name, country: sp.country, score: sp.score, tier: sp.tier})
		}
		for _, by := range audit.SellerOrders {
			for _, desc := range []bool{false, true} {
				o := audit.ListOrder{By: by, Desc: desc}
				for _, limit := range []int{1, 3, 50} {
					got := standings(t, e.st, audit.StandingFilter{Order: o}, limit)
					ids := make([]string, len(got))
					for i, st := range got {
						ids[i] = st.Seller.ID
					}
					assert.Equal(t, expectedOrder(all, o), ids, "order %s, pages of %d", o, limit)
				}
			}
		}
		// Spelled out once, so that the rule above is not only checked against itself.
		names := func(o audit.ListOrder) []string {
			var out []string
			for _, st := range standings(t, e.st, audit.StandingFilter{Order: o}, 4) {
				out = append(out, st.Seller.Name)
			}
			return out
		}
		assert.Equal(t, []string{"kilo", "bravo", "Éclair Tech", "delta_refurb", "acme", "Acme", "Zeta Phones", "Mike", "Echo", "Charlie", "charlie"},
			names(audit.ListOrder{By: audit.SortTier}))
		assert.Equal(t, []string{"Mike", "Zeta Phones", "acme", "Acme", "delta_refurb", "Éclair Tech", "bravo", "kilo", "Echo", "Charlie", "charlie"},
			names(audit.ListOrder{By: audit.SortTier, Desc: true}))
		assert.Equal(t, []string{"Mike", "Zeta Phones", "delta_refurb", "acme", "Acme", "Éclair Tech", "bravo", "kilo", "Charlie", "charlie", "Echo"},
			names(audit.ListOrder{By: audit.SortScore, Desc: true}))
	})
}

// The seller list keeps the sellers whose name holds the query, whatever the case of its ASCII
// letters, or whose id it is; LIKE's own characters match themselves. The tier filter keeps
// one tier, or the sellers never approved.
func TestSellerStandingsFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		e := newAuditEnv(t, b)
		acme, acme2 := e.seller("ACME Refurb"), e.seller("the acme shop")
		pct, under := e.seller("100% Phones"), e.seller("phones_direct")
		other := e.seller("Other")
		e.card(acme, "sc_f1", "2026-09-01", "2026-10-01", auScore(95), checklist.TierTrusted, false)
		e.approve("sc_f1")
		e.card(pct, "sc_f2", "2026-09-01", "2026-10-01", auScore(75), checklist.TierWatch, false)
		e.approve("sc_f2")
		ids := func(f audit.StandingFilter) []string {
			var out []string
			for _, st := range standings(t, e.st, f, 50) {
				out = append(out, st.Seller.ID)
			}
			return out
		}
		assert.Equal(t, []string{acme, acme2}, ids(audit.StandingFilter{Query: "Acme"}))
		assert.Equal(t, []string{acme, acme2}, ids(audit.StandingFilter{Query: "ACME"}))
		assert.Equal(t, []string{pct}, ids(audit.StandingFilter{Query: "0%"}))
		assert.Equal(t, []string{under}, ids(audit.StandingFilter{Query: "s_d"}))
		assert.Equal(t, []string{other}, ids(audit.StandingFilter{Query: other}))
		assert.Empty(t, ids(audit.StandingFilter{Query: "nobody"}))
		assert.Equal(t, []string{acme}, ids(audit.StandingFilter{Tier: checklist.TierTrusted}))
		assert.Equal(t, []string{pct}, ids(audit.StandingFilter{Query: "phones", Tier: checklist.TierWatch}))
		assert.Equal(t, []string{other, under, acme2}, ids(audit.StandingFilter{Tier: audit.TierNone, Order: audit.ListOrder{By: audit.SortScore}}))
		assert.Empty(t, ids(audit.StandingFilter{Tier: checklist.TierSuspend}))
	})
}

// The review queue of a period holds its current drafts only (not approved, not superseded,
// not another period's), in the order asked, page by page.
func TestReviewQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb, c, d := e.seller("Alpha"), e.seller("Bravo"), e.seller("Charlie"), e.seller("Delta")
		e.card(a, "sc_q1", "2026-09-01", "2026-10-01", auScore(92), checklist.TierTrusted, true)
		e.card(bb, "sc_q2", "2026-09-01", "2026-10-01", auScore(45), checklist.TierSuspend, true)
		e.card(c, "sc_q3", "2026-09-01", "2026-10-01", nil, checklist.TierInsufficientData, true)
		e.card(d, "sc_q4", "2026-09-01", "2026-10-01", auScore(81), checklist.TierWatch, true)
		// Another period, an approved draft and a superseded one stay out.
		e.card(a, "sc_q5", "2026-08-01", "2026-09-01", auScore(50), checklist.TierProbation, true)
		e.approve("sc_q4")
		e.card(d, "sc_q6", "2026-09-01", "2026-10-01", auScore(60), checklist.TierProbation, true)
		// A tie with sc_q2 in tier and score: the scorecard id breaks it, whichever the direction.
		e.card(e.seller("Echo"), "sc_q7", "2026-09-01", "2026-10-01", auScore(45), checklist.TierSuspend, true)
		p := audit.Period{Start: auAt(t, "2026-09-01T00:00:00Z"), End: auAt(t, "2026-10-01T00:00:00Z")}
		_, err := auditSellers(ctx, e.st, auditor, p, []string{c})
		require.NoError(t, err)
		var c2 string
		require.NoError(t, e.db.Raw("SELECT scorecard_id FROM scorecard_drafts WHERE seller_id = ?", c).Row().Scan(&c2))

		queue := func(o audit.ListOrder, limit int) []string {
			var out []string
			pg := store.Page{Limit: limit}
			for {
				items, next, err := e.st.ReviewQueue(ctx, audit.ReviewFilter{Period: p, Order: o}, pg)
				require.NoError(t, err)
				for _, it := range items {
					out = append(out, it.ID)
				}
				if next == "" {
					return out
				}
				pg.Cursor = next
			}
		}
		for _, limit := range []int{1, 2, 10} {
			assert.Equal(t, []string{"sc_q2", "sc_q7", "sc_q6", "sc_q1", c2}, queue(audit.ListOrder{By: audit.SortTier}, limit))
			assert.Equal(t, []string{"sc_q1", "sc_q6", "sc_q2", "sc_q7", c2}, queue(audit.ListOrder{By: audit.SortTier, Desc: true}, limit))
			assert.Equal(t, []string{"sc_q2", "sc_q7", "sc_q6", "sc_q1", c2}, queue(audit.ListOrder{By: audit.SortScore}, limit))
			assert.Equal(t, []string{"sc_q1", "sc_q6", "sc_q2", "sc_q7", c2}, queue(audit.ListOrder{By: audit.SortScore, Desc: true}, limit))
			assert.Equal(t, []string{"sc_q1", "sc_q2", c2, "sc_q6", "sc_q7"}, queue(audit.ListOrder{By: audit.SortName}, limit))
			assert.Equal(t, []string{"sc_q7", "sc_q6", c2, "sc_q2", "sc_q1"}, queue(audit.ListOrder{By: audit.SortName, Desc: true}, limit))
		}
		items, _, err := e.st.ReviewQueue(ctx, audit.ReviewFilter{Period: p, Order: audit.ListOrder{By: audit.SortName}}, store.Page{Limit: 1})
		require.NoError(t, err)
		require.Len(t, items, 1)
		it := items[0]
		assert.Equal(t, a, it.SellerID)
		assert.Equal(t, "Alpha", it.SellerName)
		assert.Equal(t, p, it.Period)
		assert.Equal(t, "2026.1", it.CharterVersion)
		require.NotNil(t, it.Score)
		assert.Equal(t, 92.0, *it.Score)
		assert.Equal(t, checklist.TierTrusted, it.Tier)
		assert.Equal(t, 20, it.EvaluatedPoints)
		assert.Equal(t, 1, it.FailedPoints)
		assert.Equal(t, audit.Draft, it.Status)

		empty, next, err := e.st.ReviewQueue(ctx, audit.ReviewFilter{Period: audit.Period{Start: p.End, End: p.End.AddDate(0, 1, 0)},
			Order: audit.ListOrder{By: audit.SortTier}}, store.Page{})
		require.NoError(t, err)
		assert.Empty(t, empty)
		assert.Empty(t, next)
	})
}

// The overview counts sellers by the tier of their standing (the never approved under none),
// the current drafts of each period (latest first), the plans to verify and the actions not
// closed and past due at the instant asked, its boundary excluded.
func TestOverviewCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb, c := e.seller("A"), e.seller("B"), e.seller("C")
		e.seller("D")
		e.card(a, "sc_o1", "2026-08-01", "2026-09-01", auScore(95), checklist.TierTrusted, true)
		e.card(bb, "sc_o2", "2026-08-01", "2026-09-01", auScore(45), checklist.TierSuspend, true)
		e.card(c, "sc_o3", "2026-08-01", "2026-09-01", auScore(96), checklist.TierTrusted, true)
		for _, id := range []string{"sc_o1", "sc_o2", "sc_o3"} {
			e.approve(id)
		}
		e.card(a, "sc_o4", "2026-09-01", "2026-10-01", auScore(50), checklist.TierProbation, true)
		e.card(bb, "sc_o5", "2026-09-01", "2026-10-01", auScore(50), checklist.TierProbation, true)
		e.card(c, "sc_o6", "2026-07-01", "2026-10-01", auScore(50), checklist.TierProbation, true)
		e.card(c, "sc_o7", "2026-01-01", "2026-07-01", auScore(50), checklist.TierProbation, true)

		e.action(a, "sc_o1", "ca_o1", "QC01", "2026-11-01T00:00:00Z", "")                      // open, past due
		e.action(a, "sc_o1", "ca_o2", "QC02", "2026-11-10T00:00:00Z", "")                      // open, due later
		e.action(bb, "sc_o2", "ca_o3", "QC03", "2026-10-20T00:00:00Z", "2026-10-25T00:00:00Z") // closed late: not outstanding
		e.action(bb, "sc_o2", "ca_o4", "QC04", "2026-10-30T00:00:00Z", "")
		require.NoError(t, e.db.Exec("UPDATE corrective_actions SET status = 'plan_submitted' WHERE id IN ('ca_o2', 'ca_o4')").Error)

		o, err := e.st.Overview(ctx, auAt(t, "2026-11-01T00:00:00Z"))
		require.NoError(t, err)
		assert.Equal(t, 4, o.Sellers)
		assert.Equal(t, []audit.TierCount{
			{Tier: checklist.TierSuspend, Sellers: 1}, {Tier: checklist.TierProbation}, {Tier: checklist.TierWatch},
			{Tier: checklist.TierTrusted, Sellers: 2}, {Tier: checklist.TierInsufficientData}, {Tier: audit.TierNone, Sellers: 1},
		}, o.Tiers)
		period := func(start, end string) audit.Period {
			return audit.Period{Start: auAt(t, start+"T00:00:00Z"), End: auAt(t, end+"T00:00:00Z")}
		}
		assert.Equal(t, []audit.DraftPeriod{
			{Period: period("2026-09-01", "2026-10-01"), Drafts: 2},
			{Period: period("2026-07-01", "2026-10-01"), Drafts: 1},
			{Period: period("2026-01-01", "2026-07-01"), Drafts: 1},
		}, o.Drafts)
		assert.Equal(t, 4, o.Waiting())
		assert.Equal(t, 2, o.PlansToVerify)
		assert.Equal(t, 1, o.Overdue, "ca_o1 is due at the very instant asked: not overdue yet; ca_o4 is")
		o, err = e.st.Overview(ctx, auAt(t, "2026-11-01T00:00:01Z"))
		require.NoError(t, err)
		assert.Equal(t, 2, o.Overdue)
	})
}

// A seller's records in force: a correction replaces the record it corrects.
func TestRecordCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, other := e.seller("A"), e.seller("B")
		e.bench(a, "bt_1", "2026-09-01T10:00:00Z", nil)
		e.bench(a, "bt_2", "2026-09-02T10:00:00Z", nil)
		e.bench(a, "bt_3", "2026-09-03T10:00:00Z", auRow{"supersedes": "bt_2"})
		e.bench(other, "bt_4", "2026-09-03T10:00:00Z", nil)
		e.order(a, "mo_1", "2026-09-01T10:00:00Z", nil)
		got, err := e.st.RecordCounts(ctx, a)
		require.NoError(t, err)
		assert.Equal(t, audit.RecordCounts{BenchTests: 2, MysteryOrders: 1}, got)
		got, err = e.st.RecordCounts(ctx, e.seller("C"))
		require.NoError(t, err)
		assert.Equal(t, audit.RecordCounts{}, got)
	})
}

// Migration 9 gives every seller approved before it its standing, the domain's.
func TestStandingsMigrationBackfills(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		clock := newAuditClock("2026-11-02T08:00:00Z")
		st := openUnmigrated(t, b, store.Config{Now: clock.Now})
		p := migrator(t, b, st)
		_, err := p.UpTo(ctx, 6)
		require.NoError(t, err)
		def, err := checklist.DefaultCharter()
		require.NoError(t, err)
		require.NoError(t, st.EnsureDefaultCharter(ctx, auditor, def))
		e := &auditEnv{t: t, st: st, db: st.AuditsTestDB(), clock: clock}
		a, bb, c := e.seller("A"), e.seller("B"), e.seller("C")
		review := func(id string) {
			e.insert("scorecard_reviews", auRow{"scorecard_id": id, "approved_by": "key_m", "comment": "", "approved_at": clock.Now()}, nil)
		}
		e.card(a, "sc_m1", "2026-07-01", "2026-08-01", auScore(80), checklist.TierWatch, false)
		e.card(a, "sc_m2", "2026-08-01", "2026-09-01", nil, checklist.TierInsufficientData, false)
		e.card(a, "sc_m3", "2026-09-01", "2026-10-01", auScore(90), checklist.TierTrusted, false)
		e.card(a, "sc_m4", "2026-10-01", "2026-11-01", auScore(10), checklist.TierSuspend, false) // a draft
		e.card(bb, "sc_m5", "2026-09-01", "2026-10-01", auScore(70), checklist.TierWatch, false)
		for _, id := range []string{"sc_m3", "sc_m1", "sc_m2", "sc_m5"} {
			review(id)
		}
		_, err = st.Migrate(ctx)
		require.NoError(t, err)

		got := standings(t, st, audit.StandingFilter{Order: audit.ListOrder{By: audit.SortName}}, 50)
		require.Len(t, got, 3)
		for _, s := range got {
			latest, previous := domainStanding(t, st, s.Seller.ID)
			assert.Equal(t, latest, s.Latest, s.Seller.Name)
			assert.Equal(t, previous, s.Previous, s.Seller.Name)
		}
		require.NotNil(t, got[0].Latest)
		assert.Equal(t, "sc_m3", got[0].Latest.ScorecardID)
		require.NotNil(t, got[0].Previous)
		assert.Equal(t, "sc_m1", got[0].Previous.ScorecardID)
		require.NotNil(t, got[1].Latest)
		assert.Equal(t, "sc_m5", got[1].Latest.ScorecardID)
		assert.Nil(t, got[1].Previous)
		assert.Equal(t, c, got[2].Seller.ID)
		assert.Nil(t, got[2].Latest)
	})
}

// Summaries are the scorecards Scorecards lists, in the same order and pages, for every
// filter, without their points.
func TestScorecardSummariesAreTheScorecards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb := e.seller("A"), e.seller("B")
		e.card(a, "sc_s1", "2026-07-01", "2026-08-01", auScore(80), checklist.TierWatch, true)
		e.card(a, "sc_s2", "2026-08-01", "2026-09-01", nil, checklist.TierInsufficientData, true)
		e.card(bb, "sc_s3", "2026-08-01", "2026-09-01", auScore(30), checklist.TierSuspend, true)
		e.approve("sc_s1")
		p := audit.Period{Start: auAt(t, "2026-08-01T00:00:00Z"), End: auAt(t, "2026-09-01T00:00:00Z")}
		_, err := auditSellers(ctx, e.st, auditor, p, []string{a}) // supersedes sc_s2
		require.NoError(t, err)

		filters := []store.ScorecardFilter{{}, {SellerID: a}, {SellerID: a, Status: audit.Approved}, {Status: audit.Draft},
			{Status: audit.Superseded}, {SellerID: bb}, {From: p.Start}, {To: p.Start}}
		for _, f := range filters {
			for _, limit := range []int{1, 2, 50} {
				var want []audit.ScorecardSummary
				var got []audit.ScorecardSummary
				pg := store.Page{Limit: limit}
				for {
					cards, next, err := e.st.Scorecards(ctx, f, pg)
					require.NoError(t, err)
					for _, sc := range cards {
						sum := audit.ScorecardSummary{ID: sc.ID, SellerID: sc.SellerID, Period: sc.Period, CharterVersion: sc.CharterVersion,
							Status: sc.Status, Score: sc.Result.Score, Tier: sc.Result.Tier, EvaluatedPoints: sc.Result.EvaluatedPoints,
							FailedPoints: sc.Result.FailedPoints, FailedCritical: sc.Result.FailedCritical, SupersededBy: sc.SupersededBy}
						sum.SellerName = map[string]string{a: "A", bb: "B"}[sc.SellerID]
						if sc.Review != nil {
							at := sc.Review.ApprovedAt
							sum.ApprovedAt = &at
						}
						want = append(want, sum)
					}
					sums, snext, err := e.st.ScorecardSummaries(ctx, f, pg)
					require.NoError(t, err)
					got = append(got, sums...)
					require.Equal(t, next, snext, "%+v", f)
					if next == "" {
						break
					}
					pg.Cursor = next
				}
				assert.Equal(t, want, got, "%+v, pages of %d", f, limit)
			}
		}
		sums, _, err := e.st.ScorecardSummaries(ctx, store.ScorecardFilter{Status: audit.Superseded}, store.Page{})
		require.NoError(t, err)
		require.Len(t, sums, 1)
		assert.Equal(t, "sc_s2", sums[0].ID)
		assert.NotEmpty(t, sums[0].SupersededBy)
	})
}

// One seller's standing is its row of the seller list.
func TestSellerStanding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb := e.seller("A"), e.seller("B")
		e.card(a, "sc_t1", "2026-07-01", "2026-08-01", auScore(80), checklist.TierWatch, false)
		e.card(a, "sc_t2", "2026-08-01", "2026-09-01", auScore(90), checklist.TierTrusted, false)
		e.approve("sc_t1")
		e.approve("sc_t2")
		list := standings(t, e.st, audit.StandingFilter{}, 10)
		require.Len(t, list, 2)
		for i, id := range []string{a, bb} {
			got, err := e.st.SellerStanding(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, list[i], got)
		}
		assert.Equal(t, audit.TrendUp, list[0].Trend())
		_, err := e.st.SellerStanding(ctx, "sl_nobody")
		assert.ErrorIs(t, err, audit.ErrNotFound)
	})
}
