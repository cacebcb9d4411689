package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/checklist"
)

func TestRecentApproved(t *testing.T) {
	cards := []Scorecard{
		standingCard("sc_draft", "2026-12-01", "2027-01-01", 20, ptr(10.0), Draft),
		standingCard("sc_old", "2026-12-01", "2027-01-01", 19, ptr(20.0), Superseded),
		standingCard("sc_1", "2026-01-01", "2026-02-01", 1, ptr(50.0), Approved),
		standingCard("sc_5", "2026-05-01", "2026-06-01", 5, nil, Approved),
		standingCard("sc_3", "2026-03-01", "2026-04-01", 3, ptr(70.0), Approved),
		standingCard("sc_2", "2026-02-01", "2026-03-01", 2, ptr(60.0), Approved),
		standingCard("sc_4", "2026-04-01", "2026-05-01", 4, ptr(80.0), Approved),
		// Two approved scorecards of one period (a re-audit approved after the first): the
		// later creation is the later one.
		standingCard("sc_6b", "2026-06-01", "2026-07-01", 7, ptr(91.0), Approved),
		standingCard("sc_6a", "2026-06-01", "2026-07-01", 6, ptr(90.0), Approved),
		// Same end, later start: later.
		standingCard("sc_7", "2026-06-15", "2026-07-01", 0, ptr(95.0), Approved),
	}
	ids := func(cs []Scorecard) []string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = c.ID
		}
		return out
	}
	tests := []struct {
		n    int
		want []string
	}{
		{6, []string{"sc_7", "sc_6b", "sc_6a", "sc_5", "sc_4", "sc_3"}},
		{2, []string{"sc_7", "sc_6b"}},
		{20, []string{"sc_7", "sc_6b", "sc_6a", "sc_5", "sc_4", "sc_3", "sc_2", "sc_1"}},
		{0, []string{}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			assert.Equal(t, tt.want, ids(RecentApproved(cards, tt.n)))
		})
	}
	assert.Empty(t, RecentApproved(cards[:2], 6), "drafts and superseded drafts are never recent approved ones")
}

// profileCard is an approved scorecard with three points, one of each status, carrying the
// evidence, values and samples that a public profile must not show.
func profileCard(id string, status ScorecardStatus) Scorecard {
	sc := standingCard(id, "2026-07-01", "2026-10-01", 1, ptr(86.7), status)
	sc.CharterVersion = "2026.1"
	sc.Result.Points = []checklist.PointResult{
		{Code: "QC01", Title: "No functional defect", Area: "device", Severity: checklist.Critical, Weight: 8,
			Status: checklist.PointPass, Metric: "functional_fail_rate", Value: 0, Threshold: "== 0", Samples: 37, Evidence: []string{}},
		{Code: "QC02", Title: "Battery at least 80%", Area: "device", Severity: checklist.Critical, Weight: 8,
			Status: checklist.PointFail, Metric: "battery_below_80_rate", Value: 0.0811, Threshold: "== 0", Samples: 37, Evidence: []string{"bt_1", "bt_2"}},
		{Code: "OP01", Title: "Ships on time", Area: "operations", Severity: checklist.Major, Weight: 4,
			Status: checklist.PointInsufficientData, Metric: "late_shipment_rate", Value: 0.0783, Threshold: "<= 0.05", Samples: 0, Evidence: []string{}},
	}
	return sc
}

func summaryOf(sc Scorecard) ScorecardSummary {
	return ScorecardSummary{ID: sc.ID, SellerID: sc.SellerID, Period: sc.Period, CharterVersion: sc.CharterVersion,
		Status: sc.Status, Score: sc.Result.Score, Tier: sc.Result.Tier}
}

func TestPublicProfileOf(t *testing.T) {
	latest := profileCard("sc_9", Approved)
	var recent []ScorecardSummary
	for i := 9; i >= 1; i-- {
		s := standingCard(fmt.Sprintf("sc_%d", i), fmt.Sprintf("2026-%02d-01", i), fmt.Sprintf("2026-%02d-01", i+1), i, ptr(float64(50+i)), Approved)
		recent = append(recent, summaryOf(s))
	}
	rec := SellerProfile{SellerID: "sl_1", Name: "Łódź Serwis", Country: "PL", Public: true, Latest: &latest, Recent: recent}

	p := PublicProfileOf(rec, ProfileTrendLength)
	require.True(t, p.Rated())
	assert.Equal(t, PublicProfile{SellerID: "sl_1", Name: "Łódź Serwis", Country: "PL",
		Rating: &PublicRating{Period: latest.Period, CharterVersion: "2026.1", Score: ptr(86.7), Tier: checklist.TierWatch,
			Points: []PublicPoint{
				{Code: "QC01", Title: "No functional defect", Status: checklist.PointPass},
				{Code: "QC02", Title: "Battery at least 80%", Status: checklist.PointFail},
				{Code: "OP01", Title: "Ships on time", Status: checklist.PointInsufficientData},
			}},
		Trend: []PublicMark{
			{Period: recent[5].Period, Score: ptr(54.0), Tier: checklist.TierWatch},
			{Period: recent[4].Period, Score: ptr(55.0), Tier: checklist.TierWatch},
			{Period: recent[3].Period, Score: ptr(56.0), Tier: checklist.TierWatch},
			{Period: recent[2].Period, Score: ptr(57.0), Tier: checklist.TierWatch},
			{Period: recent[1].Period, Score: ptr(58.0), Tier: checklist.TierWatch},
			{Period: recent[0].Period, Score: ptr(59.0), Tier: checklist.TierWatch},
		}}, p, "the last six approved, oldest first; each point's code, title and status only")

	*latest.Result.Score = 1
	assert.Equal(t, 86.7, *p.Rating.Score, "the profile holds its own copy of the score")

	t.Run("only approved scorecards show", func(t *testing.T) {
		for _, status := range []ScorecardStatus{Draft, Superseded} {
			card := profileCard("sc_x", status)
			rec := SellerProfile{SellerID: "sl_1", Name: "N", Country: "FR", Public: true, Latest: &card,
				Recent: []ScorecardSummary{summaryOf(card)}}
			p := PublicProfileOf(rec, ProfileTrendLength)
			assert.False(t, p.Rated(), "%s latest", status)
			assert.Empty(t, p.Trend, "%s", status)
		}
		approved := profileCard("sc_a", Approved)
		draft := profileCard("sc_d", Draft)
		draft.Period = Period{Start: approved.Period.End, End: approved.Period.End.AddDate(0, 3, 0)}
		rec := SellerProfile{Public: true, Latest: &approved, Recent: []ScorecardSummary{summaryOf(draft), summaryOf(approved)}}
		p := PublicProfileOf(rec, ProfileTrendLength)
		assert.Equal(t, []PublicMark{{Period: approved.Period, Score: ptr(86.7), Tier: checklist.TierWatch}}, p.Trend)
	})
	t.Run("not yet rated", func(t *testing.T) {
		p := PublicProfileOf(SellerProfile{SellerID: "sl_1", Name: "N", Country: "FR", Public: true}, ProfileTrendLength)
		assert.False(t, p.Rated())
		assert.Nil(t, p.Rating)
		assert.Equal(t, []PublicMark{}, p.Trend)
	})
}

// profileFake is the ProfileStore of the service tests: sellers by id with their setting and
// their scorecards, and the setting writes it was asked for.
type profileFake struct {
	Store
	public map[string]bool
	cards  map[string][]Scorecard
	writes []string
}

func (f *profileFake) SellerProfile(_ context.Context, id string, n int) (SellerProfile, error) {
	pub, ok := f.public[id]
	if !ok {
		return SellerProfile{}, fmt.Errorf("seller %s: %w", id, ErrNotFound)
	}
	rec := SellerProfile{SellerID: id, Name: "Name of " + id, Country: "FR", Public: pub}
	if !pub {
		return rec, nil
	}
	recent := RecentApproved(f.cards[id], n)
	if len(recent) > 0 {
		rec.Latest = &recent[0]
	}
	for _, sc := range recent {
		rec.Recent = append(rec.Recent, summaryOf(sc))
	}
	return rec, nil
}

func (f *profileFake) ProfileSetting(_ context.Context, id string) (ProfileSetting, error) {
	pub, ok := f.public[id]
	if !ok {
		return ProfileSetting{}, fmt.Errorf("seller %s: %w", id, ErrNotFound)
	}
	return ProfileSetting{SellerID: id, Public: pub}, nil
}

func (f *profileFake) SetProfileVisibility(_ context.Context, by Principal, id string, public bool) (ProfileSetting, error) {
	if _, ok := f.public[id]; !ok {
		return ProfileSetting{}, fmt.Errorf("seller %s: %w", id, ErrNotFound)
	}
	f.public[id] = public
	f.writes = append(f.writes, fmt.Sprintf("%s %s %v", by.KeyID, id, public))
	return ProfileSetting{SellerID: id, Public: public}, nil
}

func (f *profileFake) Now() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }

func TestPublicProfileService(t *testing.T) {
	ctx := context.Background()
	f := &profileFake{public: map[string]bool{"sl_shown": true, "sl_hidden": false, "sl_new": true},
		cards: map[string][]Scorecard{
			"sl_shown":  {profileCard("sc_1", Approved)},
			"sl_hidden": {profileCard("sc_2", Approved)},
			"sl_new":    {profileCard("sc_3", Draft)},
		}}
	svc := NewService(ServiceConfig{Store: f})

	p, err := svc.PublicProfile(ctx, "sl_shown")
	require.NoError(t, err)
	assert.True(t, p.Rated())
	assert.Len(t, p.Rating.Points, 3)

	p, err = svc.PublicProfile(ctx, "sl_new")
	require.NoError(t, err)
	assert.False(t, p.Rated(), "a draft alone: not yet rated")

	_, hidden := svc.PublicProfile(ctx, "sl_hidden")
	assert.ErrorIs(t, hidden, ErrNotFound)
	_, unknown := svc.PublicProfile(ctx, "sl_unknown")
	assert.ErrorIs(t, unknown, ErrNotFound)
	assert.Equal(t, strings.ReplaceAll(unknown.Error(), "sl_unknown", "sl_hidden"), hidden.Error(),
		"a hidden profile cannot be told from one that does not exist")

	manager := Principal{KeyID: "k_m", Role: RoleManager}
	admin := Principal{KeyID: "k_a", Role: RoleAdmin}
	for _, by := range []Principal{{KeyID: "k_t", Role: RoleTechnician}, {KeyID: "k_s", Role: RoleSeller, SellerID: "sl_shown"}} {
		_, err := svc.SetProfileVisibility(ctx, by, "sl_shown", false)
		assert.ErrorIs(t, err, ErrForbidden, "%s may not hide a profile, not even its own", by.Role)
		_, err = svc.ProfileSetting(ctx, by, "sl_shown")
		assert.ErrorIs(t, err, ErrForbidden, "%s", by.Role)
	}
	assert.Empty(t, f.writes, "a refused write reaches no store")

	set, err := svc.SetProfileVisibility(ctx, manager, "sl_shown", false)
	require.NoError(t, err)
	assert.Equal(t, ProfileSetting{SellerID: "sl_shown", Public: false}, set)
	_, err = svc.PublicProfile(ctx, "sl_shown")
	assert.ErrorIs(t, err, ErrNotFound, "hidden now")
	set, err = svc.ProfileSetting(ctx, admin, "sl_shown")
	require.NoError(t, err)
	assert.False(t, set.Public)
	_, err = svc.SetProfileVisibility(ctx, admin, "sl_shown", true)
	require.NoError(t, err)
	_, err = svc.PublicProfile(ctx, "sl_shown")
	require.NoError(t, err, "shown again")
	assert.Equal(t, []string{"k_m sl_shown false", "k_a sl_shown true"}, f.writes)

	_, err = svc.SetProfileVisibility(ctx, manager, "sl_unknown", true)
	assert.True(t, errors.Is(err, ErrNotFound))
}
