package sampling_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/sampling"
)

// decide feeds s the decisions written as letters ("A" accepted, "R" rejected, spaces ignored)
// and returns the stream and its state after each.
func decide(t *testing.T, s sampling.Stream, seq string) (sampling.Stream, []sampling.State) {
	t.Helper()
	var states []sampling.State
	for _, c := range strings.ReplaceAll(seq, " ", "") {
		d := map[rune]sampling.Decision{'A': sampling.Accepted, 'R': sampling.Rejected}[c]
		require.NotEmpty(t, d, "decision %q", c)
		var err error
		s, err = s.Record(d)
		require.NoError(t, err)
		states = append(states, s.Current())
	}
	return s, states
}

// tightened is a stream just switched to tightened inspection.
func tightened(t *testing.T) sampling.Stream {
	t.Helper()
	s, _ := decide(t, sampling.Stream{}, "RR")
	require.Equal(t, sampling.StateTightened, s.Current())
	return s
}

func TestStreamSwitching(t *testing.T) {
	const (
		N = sampling.StateNormal
		T = sampling.StateTightened
		D = sampling.StateDiscontinued
	)
	tests := []struct {
		name  string
		start func(t *testing.T) sampling.Stream
		seq   string
		want  string // the state after the last decision: N, T or D
	}{
		{"a new stream is on normal", nil, "", "N"},
		{"one rejection stays normal", nil, "R", "N"},
		{"two rejections in a row tighten", nil, "RR", "T"},
		{"a second rejection within five tightens", nil, "R AAA R", "T"},
		{"two rejections six apart do not", nil, "R AAAA R", "N"},
		{"nor do three, each six after the last", nil, "R AAAA R AAAA R", "N"},
		{"the window slides: the second of R AAAA R pairs with a third within five", nil, "R AAAA R AA R", "T"},
		{"only acceptances stay normal", nil, "AAAAAAAAAA", "N"},
		{"back to normal after five acceptances in a row", tightened, "AAAAA", "N"},
		{"four acceptances stay tightened", tightened, "AAAA", "T"},
		{"a rejection restarts the run", tightened, "AAAA R AAAA", "T"},
		{"a rejection then five acceptances return to normal", tightened, "AAAA R AAAAA", "N"},
		{"four rejections on tightened stay tightened", tightened, "R A R A R A R", "T"},
		{"discontinued on the fifth rejection under tightened, not in a row", tightened, "R A R AA R AAA R AAAA R", "D"},
		{"discontinued on five in a row", tightened, "RRRRR", "D"},
		{"rejections on tightened do not carry into normal", tightened, "RR AAAAA RRR", "T"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sampling.Stream{}
			if tt.start != nil {
				s = tt.start(t)
			}
			s, _ = decide(t, s, tt.seq)
			want := map[string]sampling.State{"N": N, "T": T, "D": D}[tt.want]
			assert.Equal(t, want, s.Current())
		})
	}

	t.Run("the state after each decision", func(t *testing.T) {
		_, states := decide(t, sampling.Stream{}, "R AAA R AAAA A R RRR")
		assert.Equal(t, []sampling.State{N, N, N, N, T, T, T, T, T, N, N, T, T, T}, states)
	})
	t.Run("decisions before the stream last entered normal do not count there", func(t *testing.T) {
		// Tightened ends on five acceptances; the rejection on tightened before them is not one of
		// the decisions on normal, so a single rejection right after does not tighten again.
		s, _ := decide(t, sampling.Stream{}, "RR R AAAAA")
		require.Equal(t, N, s.Current())
		s, _ = decide(t, s, "R")
		assert.Equal(t, N, s.Current())
		s, _ = decide(t, s, "R")
		assert.Equal(t, T, s.Current())
	})
	t.Run("the fifth rejection counts only since entering tightened", func(t *testing.T) {
		// Four rejections on the first tightened spell, back to normal, tightened again: four
		// more rejections do not discontinue, the fifth does.
		s, _ := decide(t, sampling.Stream{}, "RR RRRR AAAAA RR")
		require.Equal(t, T, s.Current())
		s, _ = decide(t, s, "RRRR")
		assert.Equal(t, T, s.Current())
		s, _ = decide(t, s, "R")
		assert.Equal(t, D, s.Current())
	})
	t.Run("totals count every decision in every state", func(t *testing.T) {
		s, _ := decide(t, sampling.Stream{}, "A RR AAAAA R")
		assert.Equal(t, 9, s.Decided)
		assert.Equal(t, 3, s.Rejected)
	})
}

func TestStreamDiscontinuedAndResume(t *testing.T) {
	s, _ := decide(t, tightened(t), "RRRRR")
	require.Equal(t, sampling.StateDiscontinued, s.Current())

	_, err := s.Severity()
	require.ErrorIs(t, err, sampling.ErrDiscontinued, "a discontinued stream accepts no new lot")

	t.Run("decisions of lots already open move only the totals", func(t *testing.T) {
		after, _ := decide(t, s, "AAAAA RRRRR")
		assert.Equal(t, sampling.StateDiscontinued, after.Current())
		assert.Equal(t, s.Decided+10, after.Decided)
		assert.Equal(t, s.Rejected+5, after.Rejected)
	})
	t.Run("resume puts it back on tightened, counting afresh", func(t *testing.T) {
		r, err := s.Resume()
		require.NoError(t, err)
		assert.Equal(t, sampling.StateTightened, r.Current())
		sev, err := r.Severity()
		require.NoError(t, err)
		assert.Equal(t, sampling.Tightened, sev)

		again, _ := decide(t, r, "RRRR")
		assert.Equal(t, sampling.StateTightened, again.Current(), "four rejections after resuming are not five")
		again, _ = decide(t, again, "R")
		assert.Equal(t, sampling.StateDiscontinued, again.Current())

		back, _ := decide(t, r, "AAAAA")
		assert.Equal(t, sampling.StateNormal, back.Current())
	})
	t.Run("only a discontinued stream resumes", func(t *testing.T) {
		for _, st := range []sampling.Stream{{}, {State: sampling.StateNormal}, tightened(t)} {
			got, err := st.Resume()
			require.ErrorIs(t, err, sampling.ErrNotDiscontinued)
			assert.Equal(t, st, got)
		}
	})
}

func TestStreamSeverity(t *testing.T) {
	sev, err := sampling.Stream{}.Severity()
	require.NoError(t, err)
	assert.Equal(t, sampling.Normal, sev)
	sev, err = tightened(t).Severity()
	require.NoError(t, err)
	assert.Equal(t, sampling.Tightened, sev)
	_, err = sampling.Stream{State: "reduced"}.Severity()
	assert.ErrorIs(t, err, sampling.ErrInput)
}

func TestStreamRecordRefuses(t *testing.T) {
	for _, d := range []sampling.Decision{sampling.Pending, "", "maybe"} {
		s := sampling.Stream{Run: 2, Decided: 7}
		got, err := s.Record(d)
		require.ErrorIs(t, err, sampling.ErrInput, "decision %q", d)
		assert.Equal(t, s, got)
	}
	_, err := sampling.Stream{State: "reduced"}.Record(sampling.Accepted)
	assert.ErrorIs(t, err, sampling.ErrInput)
}
