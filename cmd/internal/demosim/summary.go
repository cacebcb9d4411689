package demosim

import (
	"time"

	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/cmd/internal/demogen"
)

// Summary is what a simulation stored, for the operator who ran it. In scale mode, where
// nothing is audited, only Sellers and Totals are set.
type Summary struct {
	// Sellers is the number of sellers registered.
	Sellers int
	Totals
	// Scorecards counts the scorecards of every audit, Approved those approved.
	Scorecards, Approved int
	// Actions are the corrective actions the approvals opened, as they stand at the end.
	Actions ActionCounts
	// Latest is the last month, whose scorecards are left as drafts; LatestTiers counts its
	// sellers per tier.
	Latest      demogen.Month
	LatestTiers map[checklist.Tier]int
	// WorthALook are sellers to show first: one per archetype, then one per tier not shown.
	WorthALook []Pick
	// Lots are the lots inspected by sampling and where their streams ended.
	Lots LotCounts
}

// ActionCounts sort the corrective actions by how they stand at the end of the simulation.
type ActionCounts struct {
	Total int
	// ClosedInTime were closed by their due date; Overdue were closed after it or are still
	// open past it; Open are still open and not yet due, Planned of them with a plan.
	ClosedInTime, Overdue, Open, Planned int
}

// Pick is one seller worth a look, as it stands in the latest month.
type Pick struct {
	ID        string
	Name      string
	Archetype demogen.Archetype
	Tier      checklist.Tier
	// Score is nil when the latest scorecard has none.
	Score *float64
}

func (r *run) summary() Summary {
	sum := Summary{Sellers: len(r.sellers), Totals: r.totals}
	if r.scale {
		return sum
	}
	sum.Scorecards, sum.Approved = r.scorecards, r.approved
	sum.Lots = r.lotCounts()
	sum.Actions = countActions(r.actions, r.sched.end)
	sum.LatestTiers = map[checklist.Tier]int{}
	months := r.gen.Months()
	sum.Latest = months[len(months)-1]
	for _, t := range r.latest {
		sum.LatestTiers[t]++
	}
	for _, i := range r.interesting() {
		id := r.ids[i]
		sum.WorthALook = append(sum.WorthALook, Pick{ID: id, Name: r.sellers[i].Name, Archetype: r.sellers[i].Archetype,
			Tier: r.latest[id], Score: r.scores[id]})
	}
	return sum
}

// countActions sorts actions by how they stand at end: an action closed on or before its due
// date was closed in time; one closed later, or still open after its due date, is overdue.
func countActions(actions map[string]*action, end time.Time) ActionCounts {
	c := ActionCounts{Total: len(actions)}
	for _, a := range actions {
		switch {
		case !a.closedAt.IsZero() && !a.closedAt.After(a.due):
			c.ClosedInTime++
		case !a.closedAt.IsZero() || end.After(a.due):
			c.Overdue++
		default:
			c.Open++
			if a.plan {
				c.Planned++
			}
		}
	}
	return c
}

// interesting picks, for each archetype, its first seller that landed in the archetype's usual
// tier (or its first seller), then one seller for every tier not shown yet, and returns their
// indexes.
func (r *run) interesting() []int {
	var out []int
	shown := map[int]bool{}
	tierShown := map[checklist.Tier]bool{}
	add := func(i int) {
		if !shown[i] {
			shown[i] = true
			out = append(out, i)
			tierShown[r.latest[r.ids[i]]] = true
		}
	}
	for _, a := range demogen.Archetypes {
		first := -1
		for i, s := range r.sellers {
			if s.Archetype != a {
				continue
			}
			if first < 0 {
				first = i
			}
			if string(r.latest[r.ids[i]]) == demogen.ExpectedTier(a) {
				first = i
				break
			}
		}
		if first >= 0 {
			add(first)
		}
	}
	for _, t := range []checklist.Tier{checklist.TierTrusted, checklist.TierWatch, checklist.TierProbation, checklist.TierSuspend, checklist.TierInsufficientData} {
		if tierShown[t] {
			continue
		}
		for i := range r.sellers {
			if r.latest[r.ids[i]] == t {
				add(i)
				break
			}
		}
	}
	return out
}
