package demogen

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/sampling"
)

// TestDeviceLots: the first seller of each lot archetype has one lot a month, of 16 to 25
// devices (code letter C at level II, so that DeviceLotMin bench tests decide it whatever the
// severity), listed as its archetype lists; nobody else has lots, and none in scale mode.
func TestDeviceLots(t *testing.T) {
	g := newGen(t, Config{Seed: 3, Sellers: 30})
	sellers := g.LotSellers()
	require.Len(t, sellers, len(lotArchetypes))
	var kinds, want []Archetype
	for i, s := range sellers {
		kinds = append(kinds, s.Archetype)
		want = append(want, lotArchetypes[i].archetype)
		if i > 0 {
			assert.Less(t, sellers[i-1].Index, s.Index, "in the order of the sellers")
		}
	}
	assert.ElementsMatch(t, want, kinds, "one seller of each lot archetype")
	for _, s := range sellers {
		for _, earlier := range g.Sellers()[:s.Index] {
			assert.NotEqual(t, s.Archetype, earlier.Archetype, "%s is the first of its kind", s.Name)
		}
	}
	has := map[int]bool{}
	for _, s := range sellers {
		has[s.Index] = true
	}
	for _, s := range g.Sellers() {
		for _, m := range g.Months() {
			l, ok := g.DeviceLot(s, m)
			assert.Equal(t, has[s.Index], ok, "%s %s", s.Name, m.Label)
			if !ok {
				continue
			}
			assert.Equal(t, "STOCK-"+m.Label, l.Ref)
			assert.True(t, l.Size >= 16 && l.Size <= 25, l.Size)
			for _, sev := range []sampling.Severity{sampling.Normal, sampling.Tightened} {
				plan, err := sampling.NewPlan(l.Size, sampling.LevelII, sampling.DefaultAQLs(), sev)
				require.NoError(t, err)
				assert.Equal(t, sampling.CodeLetter("C"), plan.CodeLetter)
				assert.LessOrEqual(t, plan.SampleSize, DeviceLotMin)
			}
			again, _ := g.DeviceLot(s, m)
			assert.Equal(t, l, again, "a pure function of the seed")
		}
	}
	assert.Empty(t, newGen(t, Config{Seed: 3, Sellers: 30, Scale: true}).LotSellers())
	assert.Empty(t, newGen(t, Config{Seed: 3, Sellers: 30, Scale: true}).Suppliers())
}

// TestPartsLotsMeetTheirScript: whatever severity a lot is planned under, its parts, judged and
// decided by package sampling, give the decision its supplier's script writes; lots are spread
// over the data's range with unique references, and their parts have valid defects.
func TestPartsLotsMeetTheirScript(t *testing.T) {
	for _, cfg := range []Config{
		{Seed: 1, Sellers: 5},
		{Seed: 9, Sellers: 5, From: time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC)},
	} {
		g := newGen(t, cfg)
		from, to := g.cfg.From, g.cfg.To
		for _, s := range g.Suppliers() {
			refs := map[string]bool{}
			var last time.Time
			for _, l := range g.PartsLots(s) {
				assert.False(t, refs[l.Ref], "unique reference %s", l.Ref)
				refs[l.Ref] = true
				assert.True(t, !l.InspectAt.Before(from) && l.InspectAt.Before(to), "%s inspected at %s", l.Ref, l.InspectAt)
				assert.True(t, l.InspectAt.After(last), "in order")
				last = l.InspectAt
				assert.True(t, l.ReceivedAt.Before(l.InspectAt))
				for _, sev := range []sampling.Severity{sampling.Normal, sampling.Tightened} {
					plan, err := sampling.NewPlan(l.Size, sampling.LevelII, sampling.DefaultAQLs(), sev)
					require.NoError(t, err)
					parts := g.Parts(s, l, plan)
					require.Len(t, parts, plan.SampleSize)
					assert.Equal(t, parts, g.Parts(s, l, plan), "a pure function of the seed")
					var tally sampling.Tally
					decision := sampling.Pending
					serials := map[string]bool{}
					for _, p := range parts {
						assert.False(t, serials[p.Serial])
						serials[p.Serial] = true
						require.NotNil(t, p.Defects, "an empty list for a conforming part")
						var classes []sampling.Class
						for _, d := range p.Defects {
							assert.True(t, d.Class.Valid())
							assert.NotEmpty(t, d.Code)
							classes = append(classes, d.Class)
						}
						u, err := sampling.JudgePart(classes)
						require.NoError(t, err)
						if tally, err = plan.Record(tally, u); err != nil {
							break // decided before its sample is complete
						}
						decision = plan.Decide(tally)
					}
					want := sampling.Accepted
					if l.Reject {
						want = sampling.Rejected
					}
					assert.Equal(t, want, decision, "%s %s under %s", s.Name, l.Ref, sev)
				}
			}
		}
	}
}
