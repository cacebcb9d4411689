package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/cmd/internal/demogen"
	"github.com/refurbqa/refurbqa/store"
)

// demoArgs loads a small demo: 12 sellers over three months.
var demoArgs = []string{"demo", "--sellers", "12", "--from", "2025-01-01", "--to", "2025-04-01", "--seed", "1"}

// loaded is what a demo left in the database, per seller name.
type loaded struct {
	ids        map[string]string   // seller id by name
	scorecards map[string][]string // "id period score tier status" by seller name
	actions    int
	lots       []string          // "id kind ref seller-or-supplier decision decided-at", in creation order
	lotSources map[string]string // seller name or supplier (part type) → "kind state decided rejected"
}

func readDemo(t *testing.T, path string) loaded {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Driver: store.SQLite, DSN: path})
	require.NoError(t, err)
	defer st.Close()
	out := loaded{ids: map[string]string{}, scorecards: map[string][]string{}}
	sellers, _, err := st.Sellers(ctx, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	for _, s := range sellers {
		out.ids[s.Name] = s.ID
		cards, _, err := st.Scorecards(ctx, store.ScorecardFilter{SellerID: s.ID}, store.Page{Limit: store.MaxLimit})
		require.NoError(t, err)
		for _, sc := range cards {
			score := "null"
			if sc.Result.Score != nil {
				score = fmt.Sprintf("%.1f", *sc.Result.Score)
			}
			out.scorecards[s.Name] = append(out.scorecards[s.Name], fmt.Sprintf("%s %s %s %s %s",
				sc.ID, sc.Period.Start.Format(time.DateOnly), score, sc.Result.Tier, sc.Status))
		}
	}
	actions, _, err := st.CorrectiveActions(ctx, store.ActionFilter{}, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	out.actions = len(actions)

	names := map[string]string{}
	for name, id := range out.ids {
		names[id] = name
	}
	lots, _, err := st.Lots(ctx, audit.LotFilter{}, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	for _, l := range lots {
		decided := "-"
		if l.DecidedAt != nil {
			decided = l.DecidedAt.Format(time.RFC3339)
		}
		out.lots = append(out.lots, fmt.Sprintf("%s %s %s %s%s %s %s", l.ID, l.Kind, l.LotRef, names[l.SellerID], l.Supplier, l.Decision, decided))
	}
	streams, _, err := st.LotStreams(ctx, audit.LotStreamFilter{}, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	out.lotSources = map[string]string{}
	for _, s := range streams {
		source := names[s.SellerID]
		if s.Kind == audit.LotParts {
			source = s.Supplier + " (" + string(s.PartType) + ")"
		}
		out.lotSources[source] = fmt.Sprintf("%s %s %d %d", s.Kind, s.Stream.Current(), s.Stream.Decided, s.Stream.Rejected)
	}
	return out
}

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	load := func(name string, extra ...string) (string, string, string) {
		path := filepath.Join(dir, name)
		code, stdout, stderr := runCmd(t, testEnv(t, "REFURBQA_DSN", path), append(append([]string{}, demoArgs...), extra...)...)
		require.Equal(t, exitOK, code, stderr)
		return path, stdout, stderr
	}
	first, stdout, stderr := load("a.db")
	second, stdout2, _ := load("b.db")

	assert.Contains(t, stderr, "demo: audit 2025-03-01 to 2025-04-01")
	assert.Equal(t, stdout, strings.Replace(stdout2, firstLine(stdout2), firstLine(stdout), 1), "same seed, same summary")

	a, b := readDemo(t, first), readDemo(t, second)
	require.Len(t, a.ids, 12)
	assert.Equal(t, a.ids, b.ids, "same seed, same seller ids")
	assert.Equal(t, a.scorecards, b.scorecards, "same seed, same scorecards, scores and tiers")
	assert.Equal(t, a.actions, b.actions)
	assert.Positive(t, a.actions, "approvals opened corrective actions")

	// Lots by sampling, through the lot use cases: device lots of several sellers, parts lots
	// of three suppliers, a rejected lot, a stream on tightened inspection, one discontinued;
	// the same seed gives the same lots, ids and decisions included.
	assert.Equal(t, a.lots, b.lots, "same seed, same lots")
	assert.Equal(t, a.lotSources, b.lotSources)
	kinds, decisions, states := map[string]int{}, map[string]int{}, map[string]int{}
	for _, l := range a.lots {
		f := strings.Fields(l)
		kinds[f[1]]++
		decisions[f[len(f)-2]]++
		assert.NotEqual(t, "-", f[len(f)-1], "every lot of the demo is decided: %s", l)
	}
	deviceSources, partsSources := 0, 0
	for source, st := range a.lotSources {
		f := strings.Fields(st)
		states[f[1]]++
		if f[0] == string(audit.LotDevices) {
			deviceSources++
			assert.Contains(t, a.ids, source, "a device stream is a demo seller's")
		} else {
			partsSources++
		}
	}
	assert.GreaterOrEqual(t, deviceSources, 3, "device lots of several sellers: %v", a.lotSources)
	assert.Equal(t, 3, partsSources, "parts lots of three suppliers: %v", a.lotSources)
	assert.Positive(t, kinds[string(audit.LotDevices)])
	assert.Positive(t, kinds[string(audit.LotParts)])
	assert.Positive(t, decisions["rejected"], "a rejected lot")
	assert.Positive(t, decisions["accepted"])
	assert.Positive(t, states["tightened"], "a stream on tightened inspection: %v", a.lotSources)
	assert.Equal(t, 1, states["discontinued"], "one discontinued stream: %v", a.lotSources)
	assert.Equal(t, "parts discontinued 7 7", a.lotSources["Ningbo FastFix Components (charging_port)"])
	assert.Regexp(t, `Lots inspected by sampling: \d+ device lots of \d+ sellers, \d+ parts lots of 3 suppliers, \d+ samples; \d+ accepted, \d+ rejected; streams at the end: [1-9]\d* on tightened inspection, 1 discontinued\.`, stdout)

	// Every archetype is listed among the sellers worth a look, each line indented by two
	// spaces and naming a seller id.
	var listed []string
	tiers := map[string]bool{}
	for _, line := range strings.Split(stdout, "\n") {
		if !strings.HasPrefix(line, "  ") {
			continue
		}
		listed = append(listed, line)
		assert.Regexp(t, `^  sl_[0-9a-z]{30} .+ — [a-z_]+(, score [0-9.]+)? \(.+\)$`, line)
		for _, tier := range []string{"trusted", "watch", "probation", "suspend", "insufficient_data"} {
			if strings.Contains(line, " — "+tier) {
				tiers[tier] = true
			}
		}
	}
	for _, arch := range demogen.Archetypes {
		assert.Contains(t, strings.Join(listed, "\n"), "("+string(arch)+")")
	}
	assert.True(t, tiers["trusted"], stdout)
	assert.True(t, tiers["suspend"], stdout)
	assert.True(t, tiers["insufficient_data"], stdout)

	// Every seller has a scorecard per month it was registered in; all but the last month's
	// are approved.
	var approved, drafts int
	for _, cards := range a.scorecards {
		for _, c := range cards {
			if strings.HasSuffix(c, string(audit.Approved)) {
				approved++
			} else {
				drafts++
			}
		}
	}
	assert.Equal(t, 12, drafts, "one draft per seller: the latest month")
	assert.Positive(t, approved)

	// A database with sellers is refused without --force, and accepted with it.
	code, _, errOut := runCmd(t, testEnv(t, "REFURBQA_DSN", first), demoArgs...)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "already has 12 sellers")
	assert.Contains(t, errOut, "--force")
	code, _, errOut = runCmd(t, testEnv(t, "REFURBQA_DSN", first), append(append([]string{}, demoArgs...), "--force")...)
	require.Equal(t, exitOK, code, errOut)
	again := readDemo(t, first)
	assert.Len(t, again.ids, 12, "seller names repeat, so 12 names; ids differ")
	parts := func(l loaded) int {
		n := 0
		for _, lot := range l.lots {
			if strings.Fields(lot)[1] == string(audit.LotParts) {
				n++
			}
		}
		return n
	}
	assert.Greater(t, len(again.lots), len(a.lots), "the new sellers' device lots")
	assert.Equal(t, parts(a), parts(again), "the suppliers' lots are loaded once")
}

func firstLine(s string) string { line, _, _ := strings.Cut(s, "\n"); return line }

func TestDemoFlags(t *testing.T) {
	now := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)
	o, err := resolveDemo(0, "", "", 1, false, false, now)
	require.NoError(t, err)
	assert.Equal(t, 40, o.sellers)
	assert.Equal(t, "2026-05-01", o.from.Format(time.DateOnly))
	assert.Equal(t, "2026-11-01", o.to.Format(time.DateOnly))
	o, err = resolveDemo(0, "", "", 1, false, true, now)
	require.NoError(t, err)
	assert.Equal(t, 1800, o.sellers)
	assert.Equal(t, "2025-11-01", o.from.Format(time.DateOnly))

	for _, bad := range [][3]string{
		{"0", "2025-03-01", "2025-01-01"},
		{"0", "2025-01-01", "2027-01-01"},
		{"0", "2025-13-01", ""},
		{"-1", "", ""},
	} {
		var n int
		_, _ = fmt.Sscan(bad[0], &n)
		_, err := resolveDemo(n, bad[1], bad[2], 1, false, false, now)
		assert.Error(t, err, bad)
	}
	code, _, stderr := runCmd(t, testEnv(t), "demo", "--from", "2025-05-01", "--to", "2025-01-01")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "must be before")
}
