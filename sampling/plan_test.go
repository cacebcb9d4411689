package sampling_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/sampling"
)

func TestNewPlan(t *testing.T) {
	tests := []struct {
		name   string
		size   int
		level  sampling.Level
		aql    sampling.AQLs
		sev    sampling.Severity
		letter sampling.CodeLetter
		n      int
		major  sampling.ClassPlan
		minor  sampling.ClassPlan
	}{
		{
			name: "800 phones at level II with the default AQLs", size: 800, level: sampling.LevelII,
			aql: sampling.DefaultAQLs(), sev: sampling.Normal, letter: "J", n: 80,
			major: sampling.ClassPlan{SampleSize: 80, Accept: 5, Reject: 6},
			minor: sampling.ClassPlan{SampleSize: 80, Accept: 7, Reject: 8},
		},
		{
			name: "the same lot tightened", size: 800, level: sampling.LevelII,
			aql: sampling.DefaultAQLs(), sev: sampling.Tightened, letter: "J", n: 80,
			major: sampling.ClassPlan{SampleSize: 80, Accept: 3, Reject: 4},
			minor: sampling.ClassPlan{SampleSize: 80, Accept: 5, Reject: 6},
		},
		{
			name: "classes of different sizes: the lot samples the larger", size: 100, level: sampling.LevelII,
			aql: sampling.AQLs{Major: sampling.AQL1_5, Minor: sampling.AQL6_5}, sev: sampling.Normal, letter: "F", n: 32,
			major: sampling.ClassPlan{SampleSize: 32, Accept: 1, Reject: 2},
			minor: sampling.ClassPlan{SampleSize: 20, Accept: 3, Reject: 4},
		},
		{
			name: "minor larger than major", size: 100, level: sampling.LevelII,
			aql: sampling.AQLs{Major: sampling.AQL0_65, Minor: sampling.AQL1_5}, sev: sampling.Normal, letter: "F", n: 32,
			major: sampling.ClassPlan{SampleSize: 20, Accept: 0, Reject: 1},
			minor: sampling.ClassPlan{SampleSize: 32, Accept: 1, Reject: 2},
		},
		{
			name: "a lot of 2: both classes inspect it all, Ac and Re stay", size: 2, level: sampling.LevelII,
			aql: sampling.DefaultAQLs(), sev: sampling.Normal, letter: "A", n: 2,
			major: sampling.ClassPlan{SampleSize: 2, Accept: 0, Reject: 1},
			minor: sampling.ClassPlan{SampleSize: 2, Accept: 0, Reject: 1},
		},
		{
			name: "100 % for one class only", size: 10, level: sampling.LevelII,
			aql: sampling.AQLs{Major: sampling.AQL0_65, Minor: sampling.AQL6_5}, sev: sampling.Normal, letter: "B", n: 10,
			major: sampling.ClassPlan{SampleSize: 10, Accept: 0, Reject: 1},
			minor: sampling.ClassPlan{SampleSize: 2, Accept: 0, Reject: 1},
		},
		{
			name: "a plan exactly the lot's size is not cut", size: 20, level: sampling.LevelIII,
			aql: sampling.AQLs{Major: sampling.AQL0_65, Minor: sampling.AQL6_5}, sev: sampling.Normal, letter: "D", n: 20,
			major: sampling.ClassPlan{SampleSize: 20, Accept: 0, Reject: 1},
			minor: sampling.ClassPlan{SampleSize: 8, Accept: 1, Reject: 2},
		},
		{
			name: "one more than the lot is cut by one", size: 19, level: sampling.LevelIII,
			aql: sampling.AQLs{Major: sampling.AQL0_65, Minor: sampling.AQL6_5}, sev: sampling.Normal, letter: "D", n: 19,
			major: sampling.ClassPlan{SampleSize: 19, Accept: 0, Reject: 1},
			minor: sampling.ClassPlan{SampleSize: 8, Accept: 1, Reject: 2},
		},
		{
			name: "the largest lot at level III", size: sampling.MaxLotSize, level: sampling.LevelIII,
			aql: sampling.AQLs{Major: sampling.AQL0_65, Minor: sampling.AQL6_5}, sev: sampling.Tightened, letter: "R", n: 2000,
			major: sampling.ClassPlan{SampleSize: 2000, Accept: 18, Reject: 19},
			minor: sampling.ClassPlan{SampleSize: 200, Accept: 18, Reject: 19},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := sampling.NewPlan(tt.size, tt.level, tt.aql, tt.sev)
			require.NoError(t, err)
			assert.Equal(t, sampling.Plan{
				LotSize: tt.size, Severity: tt.sev, CodeLetter: tt.letter, SampleSize: tt.n,
				Critical: sampling.ClassPlan{SampleSize: tt.n, Accept: 0, Reject: 1},
				Major:    tt.major, Minor: tt.minor,
			}, p)
			assert.Equal(t, p.Critical, p.For(sampling.Critical))
			assert.Equal(t, p.Major, p.For(sampling.Major))
			assert.Equal(t, p.Minor, p.For(sampling.Minor))
		})
	}
}

// TestNewPlanFollowsTheSpec plans a lot at both ends of every row of Table I, at every level,
// under both severities and for every pair of AQLs, and holds the plan to §3 applied to the
// spec's own tables: n of each class cut to the lot size, the lot's sample the larger, critical
// 0/1 on all of it.
func TestNewPlanFollowsTheSpec(t *testing.T) {
	tables := parseSpecTables(t)
	cell := func(sev sampling.Severity, letter sampling.CodeLetter, aqlIndex int) sampling.ClassPlan {
		for _, row := range tables[string(sev)].rows {
			if row[0] == string(letter) {
				return parseCell(t, row[aqlIndex+1])
			}
		}
		require.Failf(t, "no such row", "%s %s", sev, letter)
		return sampling.ClassPlan{}
	}
	var sizes []int
	for _, row := range tables["Table I"].rows {
		if from, ok := strings.CutSuffix(row[0], " and over"); ok {
			sizes = append(sizes, atoi(t, from), sampling.MaxLotSize)
			continue
		}
		a, b, _ := strings.Cut(row[0], "–")
		sizes = append(sizes, atoi(t, a), atoi(t, b))
	}
	for ri, row := range tables["Table I"].rows {
		for li, level := range specLevels {
			letter := sampling.CodeLetter(row[li+1])
			for _, size := range sizes[2*ri : 2*ri+2] {
				for _, sev := range []sampling.Severity{sampling.Normal, sampling.Tightened} {
					for ma, major := range specAQLs {
						for mi, minor := range specAQLs {
							p, err := sampling.NewPlan(size, level, sampling.AQLs{Major: major, Minor: minor}, sev)
							require.NoError(t, err)
							want := sampling.Plan{LotSize: size, Severity: sev, CodeLetter: letter}
							want.Major, want.Minor = cell(sev, letter, ma), cell(sev, letter, mi)
							want.Major.SampleSize = min(want.Major.SampleSize, size)
							want.Minor.SampleSize = min(want.Minor.SampleSize, size)
							want.SampleSize = max(want.Major.SampleSize, want.Minor.SampleSize)
							want.Critical = sampling.ClassPlan{SampleSize: want.SampleSize, Accept: 0, Reject: 1}
							if !assert.Equal(t, want, p, "lot of %d, level %s, %s, major %s, minor %s", size, level, sev, major, minor) {
								return
							}
						}
					}
				}
			}
		}
	}
}

func TestNewPlanRefusesInvalidInput(t *testing.T) {
	tests := []struct {
		name  string
		size  int
		level sampling.Level
		aql   sampling.AQLs
		sev   sampling.Severity
	}{
		{"a lot of one", 1, sampling.LevelII, sampling.DefaultAQLs(), sampling.Normal},
		{"a lot above a million", sampling.MaxLotSize + 1, sampling.LevelII, sampling.DefaultAQLs(), sampling.Normal},
		{"an unknown level", 100, "IV", sampling.DefaultAQLs(), sampling.Normal},
		{"no major AQL", 100, sampling.LevelII, sampling.AQLs{Minor: sampling.AQL4_0}, sampling.Normal},
		{"no minor AQL", 100, sampling.LevelII, sampling.AQLs{Major: sampling.AQL4_0}, sampling.Normal},
		{"reduced inspection", 100, sampling.LevelII, sampling.DefaultAQLs(), "reduced"},
		{"discontinued is not a severity", 100, sampling.LevelII, sampling.DefaultAQLs(), "discontinued"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sampling.NewPlan(tt.size, tt.level, tt.aql, tt.sev)
			assert.ErrorIs(t, err, sampling.ErrInput)
		})
	}
}

func TestAQL(t *testing.T) {
	tests := []struct {
		percent float64
		aql     sampling.AQL
		text    string
	}{
		{0.65, sampling.AQL0_65, "0.65"},
		{1, sampling.AQL1_0, "1.0"},
		{1.5, sampling.AQL1_5, "1.5"},
		{2.5, sampling.AQL2_5, "2.5"},
		{4, sampling.AQL4_0, "4.0"},
		{6.5, sampling.AQL6_5, "6.5"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, ok := sampling.AQLOf(tt.percent)
			require.True(t, ok)
			assert.Equal(t, tt.aql, got)
			assert.Equal(t, tt.text, got.String())
			assert.Equal(t, tt.percent, got.Percent())
			assert.True(t, got.Valid())
		})
	}
	for _, p := range []float64{0, 0.1, 0.25, 0.4, 0.6, 0.66, 10, 15, -2.5} {
		_, ok := sampling.AQLOf(p)
		assert.False(t, ok, "%v is not offered", p)
	}
	assert.Equal(t, sampling.AQLs{Major: sampling.AQL2_5, Minor: sampling.AQL4_0}, sampling.DefaultAQLs())
	assert.Equal(t, sampling.LevelII, sampling.DefaultLevel)
}
