package demosim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/cmd/internal/demogen"
)

func TestCountActions(t *testing.T) {
	due := at(100)
	end := at(200)
	us := time.Microsecond
	for _, tc := range []struct {
		name string
		a    action
		want ActionCounts
	}{
		{"closed on its due date", action{due: due, closedAt: due}, ActionCounts{ClosedInTime: 1}},
		{"closed before", action{due: due, closedAt: due.Add(-time.Hour), plan: true}, ActionCounts{ClosedInTime: 1}},
		{"closed just after", action{due: due, closedAt: due.Add(us)}, ActionCounts{Overdue: 1}},
		{"open past its due date", action{due: end.Add(-us)}, ActionCounts{Overdue: 1}},
		{"open, due at the end", action{due: end}, ActionCounts{Open: 1}},
		{"open with a plan, not yet due", action{due: end.Add(time.Hour), plan: true}, ActionCounts{Open: 1, Planned: 1}},
		{"overdue with a plan", action{due: due, plan: true}, ActionCounts{Overdue: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.a
			tc.want.Total = 1
			assert.Equal(t, tc.want, countActions(map[string]*action{"ca": &a}, end))
		})
	}
	assert.Equal(t, ActionCounts{}, countActions(nil, end))
}

func TestInteresting(t *testing.T) {
	sellers := []demogen.Seller{
		{Index: 0, Archetype: demogen.Exemplary},
		{Index: 1, Archetype: demogen.OverGrader},
		{Index: 2, Archetype: demogen.Exemplary},
		{Index: 3, Archetype: demogen.OverGrader},
		{Index: 4, Archetype: demogen.BatteryCheat},
		{Index: 5, Archetype: demogen.BrandNew},
		{Index: 6, Archetype: demogen.Exemplary},
	}
	tiers := []checklist.Tier{checklist.TierWatch, checklist.TierTrusted, checklist.TierTrusted, checklist.TierWatch,
		checklist.TierSuspend, checklist.TierInsufficientData, checklist.TierProbation}
	r := &run{sellers: sellers, ids: make([]string, len(sellers)), latest: map[string]checklist.Tier{}}
	for i, tier := range tiers {
		r.ids[i] = string(rune('a' + i))
		r.latest[r.ids[i]] = tier
	}
	require.Equal(t, "probation", demogen.ExpectedTier(demogen.OverGrader), "the case has no over-grader in its usual tier")
	// Per archetype, in the order of demogen.Archetypes: exemplary 2 (in its usual tier, though
	// 0 comes first), over-grader 1 (neither is in its usual tier: the first), battery cheat 4,
	// brand-new 5; the archetypes without sellers are skipped. Then the tiers not shown yet, in
	// tier order: watch (0, the first of 0 and 3), probation (6).
	assert.Equal(t, []int{2, 1, 4, 5, 0, 6}, r.interesting())
}
