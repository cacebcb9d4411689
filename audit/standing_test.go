package audit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/checklist"
)

func standingCard(id, start, end string, created int, score *float64, status ScorecardStatus) Scorecard {
	s, _ := time.Parse(time.DateOnly, start)
	e, _ := time.Parse(time.DateOnly, end)
	return Scorecard{ID: id, SellerID: "sl_1", Period: Period{Start: s, End: e}, Status: status,
		CreatedAt: time.Date(2026, 11, 1, 0, 0, created, 0, time.UTC),
		Result:    checklist.Result{Score: score, Tier: checklist.TierWatch}}
}

func TestStandingOf(t *testing.T) {
	tests := []struct {
		name             string
		cards            []Scorecard
		latest, previous string
	}{
		{"nothing approved", []Scorecard{standingCard("sc_1", "2026-09-01", "2026-10-01", 1, ptr(80.0), Draft)}, "", ""},
		{"one", []Scorecard{standingCard("sc_1", "2026-09-01", "2026-10-01", 1, ptr(80.0), Approved)}, "sc_1", ""},
		{"later period end wins, drafts and superseded ignored", []Scorecard{
			standingCard("sc_3", "2026-10-01", "2026-11-01", 9, ptr(10.0), Draft),
			standingCard("sc_4", "2026-10-01", "2026-11-01", 8, ptr(10.0), Superseded),
			standingCard("sc_2", "2026-09-01", "2026-10-01", 1, ptr(80.0), Approved),
			standingCard("sc_1", "2026-08-01", "2026-09-01", 2, ptr(70.0), Approved),
		}, "sc_2", "sc_1"},
		{"same end: later start wins", []Scorecard{
			standingCard("sc_1", "2026-09-01", "2026-10-01", 1, ptr(80.0), Approved),
			standingCard("sc_2", "2026-01-01", "2026-10-01", 2, ptr(70.0), Approved),
		}, "sc_1", "sc_2"},
		{"same period: later creation wins, then the greater id", []Scorecard{
			standingCard("sc_b", "2026-09-01", "2026-10-01", 1, ptr(80.0), Approved),
			standingCard("sc_a", "2026-09-01", "2026-10-01", 2, ptr(70.0), Approved),
			standingCard("sc_c", "2026-09-01", "2026-10-01", 2, ptr(60.0), Approved),
		}, "sc_c", "sc_a"},
		{"previous skips the unscored", []Scorecard{
			standingCard("sc_3", "2026-09-01", "2026-10-01", 3, nil, Approved),
			standingCard("sc_2", "2026-08-01", "2026-09-01", 2, nil, Approved),
			standingCard("sc_1", "2026-07-01", "2026-08-01", 1, ptr(55.0), Approved),
		}, "sc_3", "sc_1"},
		{"no scored earlier one", []Scorecard{
			standingCard("sc_2", "2026-09-01", "2026-10-01", 2, ptr(90.0), Approved),
			standingCard("sc_1", "2026-08-01", "2026-09-01", 1, nil, Approved),
		}, "sc_2", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			latest, previous := StandingOf(tt.cards)
			if tt.latest == "" {
				assert.Nil(t, latest)
			} else if assert.NotNil(t, latest) {
				assert.Equal(t, tt.latest, latest.ScorecardID)
			}
			if tt.previous == "" {
				assert.Nil(t, previous)
			} else if assert.NotNil(t, previous) {
				assert.Equal(t, tt.previous, previous.ScorecardID)
			}
		})
	}
}

func TestStandingTrend(t *testing.T) {
	mark := func(v *float64) *ScoreMark { return &ScoreMark{Score: v} }
	tests := []struct {
		name             string
		latest, previous *ScoreMark
		want             Trend
		change           float64
	}{
		{"no approval", nil, nil, TrendNone, 0},
		{"first approval", mark(ptr(70.0)), nil, TrendNone, 0},
		{"latest unscored", mark(nil), mark(ptr(70.0)), TrendNone, 0},
		{"up by a tenth", mark(ptr(70.1)), mark(ptr(70.0)), TrendUp, 0.1},
		{"down by a tenth", mark(ptr(69.9)), mark(ptr(70.0)), TrendDown, -0.1},
		{"flat", mark(ptr(70.0)), mark(ptr(70.0)), TrendFlat, 0},
		{"flat within rounding", mark(ptr(0.1 + 0.2)), mark(ptr(0.3)), TrendFlat, 0},
		{"from zero to full", mark(ptr(100.0)), mark(ptr(0.0)), TrendUp, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Standing{Latest: tt.latest, Previous: tt.previous}
			assert.Equal(t, tt.want, s.Trend())
			assert.InDelta(t, tt.change, s.Change(), 1e-9)
		})
	}
}

func TestTierRank(t *testing.T) {
	worst := []checklist.Tier{checklist.TierSuspend, checklist.TierProbation, checklist.TierWatch, checklist.TierTrusted,
		checklist.TierInsufficientData, TierNone}
	best := []checklist.Tier{checklist.TierTrusted, checklist.TierWatch, checklist.TierProbation, checklist.TierSuspend,
		checklist.TierInsufficientData, TierNone}
	for i := range worst {
		assert.Equal(t, i, TierRank(worst[i], false), "worst first: %s", worst[i])
		assert.Equal(t, i, TierRank(best[i], true), "best first: %s", best[i])
	}
	assert.Equal(t, 5, TierRank("", false), "never approved: last")
	assert.Equal(t, 5, TierRank("", true))
	assert.Equal(t, 5, TierRank("gold", false), "unknown: with the never approved")
}

func TestParseOrder(t *testing.T) {
	def := ListOrder{By: SortName}
	tests := []struct {
		in   string
		want ListOrder
		bad  bool
	}{
		{"", def, false},
		{"score", ListOrder{By: SortScore}, false},
		{"-score", ListOrder{By: SortScore, Desc: true}, false},
		{"-tier", ListOrder{By: SortTier, Desc: true}, false},
		{"country", ListOrder{}, true}, // not among the allowed
		{"--score", ListOrder{}, true},
		{"Score", ListOrder{}, true},
		{"-", ListOrder{}, true},
	}
	for _, tt := range tests {
		got, err := ParseOrder(tt.in, def, SortName, SortScore, SortTier)
		if tt.bad {
			var ve *ValidationError
			require.ErrorAs(t, err, &ve, tt.in)
			assert.Equal(t, []string{"sort"}, fields(ve.Errors), tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		if tt.in != "" {
			assert.Equal(t, tt.in, got.String())
		}
	}
}

// standingFake records what reaches the standing ports.
type standingFake struct {
	*adminFake
	filter StandingFilter
	review ReviewFilter
	at     time.Time
}

func (f *standingFake) Overview(_ context.Context, at time.Time) (Overview, error) {
	f.called("Overview")
	f.at = at
	return Overview{At: at}, nil
}

func (f *standingFake) SellerStandings(_ context.Context, sf StandingFilter, _ Page) ([]Standing, string, error) {
	f.called("SellerStandings")
	f.filter = sf
	return nil, "", nil
}

func (f *standingFake) ReviewQueue(_ context.Context, rf ReviewFilter, _ Page) ([]ScorecardSummary, string, error) {
	f.called("ReviewQueue")
	f.review = rf
	return nil, "", nil
}

func (f *standingFake) SellerStanding(_ context.Context, id string) (Standing, error) {
	f.called("SellerStanding")
	return Standing{Seller: Seller{ID: id}}, nil
}

func (f *standingFake) RecordCounts(_ context.Context, _ string) (RecordCounts, error) {
	f.called("RecordCounts")
	return RecordCounts{BenchTests: 3}, nil
}

// The managers' lists are the managers' and the admins': every other role is refused before
// the store is asked. Their input is checked first; defaults are applied.
func TestManagersListsRules(t *testing.T) {
	ctx := context.Background()
	f := &standingFake{adminFake: newAdminFake(Seller{ID: "sl_1"}, Seller{ID: "sl_2"})}
	svc := NewService(ServiceConfig{Store: f})
	for _, role := range []Role{RoleTechnician, RoleSeller} {
		by := Principal{KeyID: "k", Role: role, SellerID: "sl_1"}
		_, err := svc.Overview(ctx, by)
		assert.ErrorIs(t, err, ErrForbidden, role)
		_, _, err = svc.SellerStandings(ctx, by, StandingFilter{}, Page{})
		assert.ErrorIs(t, err, ErrForbidden, role)
		_, _, err = svc.ReviewQueue(ctx, by, ReviewFilter{}, Page{})
		assert.ErrorIs(t, err, ErrForbidden, role)
		_, err = svc.SellerStanding(ctx, by, "sl_1")
		assert.ErrorIs(t, err, ErrForbidden, role)
	}
	assert.Zero(t, f.count("Overview")+f.count("SellerStandings")+f.count("ReviewQueue")+f.count("SellerStanding"))

	mgr := Principal{KeyID: "k", Role: RoleManager}
	o, err := svc.Overview(ctx, mgr)
	require.NoError(t, err)
	st, err := svc.SellerStanding(ctx, mgr, "sl_2")
	require.NoError(t, err)
	assert.Equal(t, "sl_2", st.Seller.ID)
	assert.Equal(t, f.now, o.At, "overdue is judged at the service's clock")

	_, _, err = svc.SellerStandings(ctx, mgr, StandingFilter{Query: "  acme "}, Page{})
	require.NoError(t, err)
	assert.Equal(t, StandingFilter{Query: "acme", Order: ListOrder{By: SortName}}, f.filter)
	_, _, err = svc.ReviewQueue(ctx, Principal{KeyID: "k", Role: RoleAdmin}, ReviewFilter{}, Page{})
	require.NoError(t, err)
	assert.Equal(t, ListOrder{By: SortTier}, f.review.Order)

	bad := []struct {
		f      StandingFilter
		fields []string
	}{
		{StandingFilter{Query: strings.Repeat("é", 201)}, []string{"q"}},
		{StandingFilter{Query: "a\x00b"}, []string{"q"}},
		{StandingFilter{Tier: "gold"}, []string{"tier"}},
		{StandingFilter{Order: ListOrder{By: "rating"}}, []string{"sort"}},
		{StandingFilter{Query: "a\nb", Tier: "gold", Order: ListOrder{By: "rating"}}, []string{"q", "sort", "tier"}},
	}
	for _, b := range bad {
		_, _, err := svc.SellerStandings(ctx, mgr, b.f, Page{})
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "%+v", b.f)
		assert.Equal(t, b.fields, fields(ve.Errors))
	}
	_, _, err = svc.SellerStandings(ctx, mgr, StandingFilter{Query: strings.Repeat("é", 200), Tier: TierNone}, Page{})
	assert.NoError(t, err, "200 characters and the never approved are fine")
	_, _, err = svc.ReviewQueue(ctx, mgr, ReviewFilter{Order: ListOrder{By: SortCountry}}, Page{})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, []string{"sort"}, fields(ve.Errors))

	// Record counts: a seller its own only; an unknown seller is not found.
	n, err := svc.SellerRecordCounts(ctx, Principal{Role: RoleSeller, SellerID: "sl_1"}, "sl_1")
	require.NoError(t, err)
	assert.Equal(t, 3, n.BenchTests)
	_, err = svc.SellerRecordCounts(ctx, Principal{Role: RoleSeller, SellerID: "sl_1"}, "sl_2")
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = svc.SellerRecordCounts(ctx, mgr, "sl_9")
	assert.ErrorIs(t, err, ErrNotFound)
}
