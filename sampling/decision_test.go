package sampling_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/sampling"
)

func TestClassPlanDecide(t *testing.T) {
	cp := sampling.ClassPlan{SampleSize: 20, Accept: 2, Reject: 3}
	tests := []struct {
		name  string
		count sampling.Count
		want  sampling.Decision
	}{
		{"nothing in yet", sampling.Count{}, sampling.Pending},
		{"all but one in, none nonconforming", sampling.Count{Inspected: 19}, sampling.Pending},
		{"all in, none nonconforming", sampling.Count{Inspected: 20}, sampling.Accepted},
		{"all in, Ac nonconforming", sampling.Count{Inspected: 20, Nonconforming: 2}, sampling.Accepted},
		{"all in, Re nonconforming", sampling.Count{Inspected: 20, Nonconforming: 3}, sampling.Rejected},
		{"Ac nonconforming before the end", sampling.Count{Inspected: 5, Nonconforming: 2}, sampling.Pending},
		{"Re reached early", sampling.Count{Inspected: 3, Nonconforming: 3}, sampling.Rejected},
		{"past Re", sampling.Count{Inspected: 10, Nonconforming: 4}, sampling.Rejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, cp.Decide(tt.count))
		})
	}
}

// plan is a valid plan for the tests; it fails the test when NewPlan refuses.
func plan(t testing.TB, size int, level sampling.Level, aql sampling.AQLs, sev sampling.Severity) sampling.Plan {
	t.Helper()
	p, err := sampling.NewPlan(size, level, aql, sev)
	require.NoError(t, err)
	return p
}

// record adds units one by one and returns the tally and the lot's decision after each.
func record(t *testing.T, p sampling.Plan, units ...sampling.Unit) (sampling.Tally, []sampling.Decision) {
	t.Helper()
	var tally sampling.Tally
	var ds []sampling.Decision
	for i, u := range units {
		var err error
		tally, err = p.Record(tally, u)
		require.NoError(t, err, "sample %d", i+1)
		ds = append(ds, p.Decide(tally))
	}
	return tally, ds
}

// repeat returns n copies of u.
func repeat(u sampling.Unit, n int) []sampling.Unit {
	out := make([]sampling.Unit, n)
	for i := range out {
		out[i] = u
	}
	return out
}

var (
	ok    = sampling.Unit{}
	crit  = sampling.Unit{Critical: true}
	major = sampling.Unit{Major: true}
	minor = sampling.Unit{Minor: true}
)

func TestRecord(t *testing.T) {
	// Lot of 100 at level II is F. Major 1.5: 32 1/2; minor 6.5: 20 3/4; sample 32.
	p := plan(t, 100, sampling.LevelII, sampling.AQLs{Major: sampling.AQL1_5, Minor: sampling.AQL6_5}, sampling.Normal)
	require.Equal(t, 32, p.SampleSize)
	require.Equal(t, sampling.ClassPlan{SampleSize: 20, Accept: 3, Reject: 4}, p.Minor)

	t.Run("a critical unit rejects at once", func(t *testing.T) {
		tally, ds := record(t, p, ok, crit)
		assert.Equal(t, []sampling.Decision{sampling.Pending, sampling.Rejected}, ds)
		assert.Equal(t, sampling.Count{Inspected: 2, Nonconforming: 1}, tally.Critical)
		assert.Equal(t, sampling.Rejected, p.Critical.Decide(tally.Critical))
		assert.Equal(t, sampling.Pending, p.Major.Decide(tally.Major))
	})
	t.Run("major rejected early, at its Re, before its sample is complete", func(t *testing.T) {
		_, ds := record(t, p, major, ok, major)
		assert.Equal(t, []sampling.Decision{sampling.Pending, sampling.Pending, sampling.Rejected}, ds)
	})
	t.Run("Ac nonconforming before the sample is complete is still pending", func(t *testing.T) {
		tally, ds := record(t, p, append([]sampling.Unit{major}, repeat(ok, 30)...)...)
		assert.Equal(t, sampling.Pending, ds[len(ds)-1])
		assert.Equal(t, sampling.Count{Inspected: 31, Nonconforming: 1}, tally.Major)
	})
	t.Run("accepted only once the last class's sample is complete", func(t *testing.T) {
		tally, ds := record(t, p, repeat(ok, 32)...)
		for i, d := range ds[:31] {
			assert.Equal(t, sampling.Pending, d, "after sample %d", i+1)
		}
		assert.Equal(t, sampling.Accepted, ds[31])
		assert.Equal(t, sampling.Tally{
			Received: 32,
			Critical: sampling.Count{Inspected: 32},
			Major:    sampling.Count{Inspected: 32},
			Minor:    sampling.Count{Inspected: 20},
		}, tally)
	})
	t.Run("minor is accepted at its 20th sample while the lot is still pending", func(t *testing.T) {
		tally, _ := record(t, p, append(repeat(minor, 3), repeat(ok, 17)...)...)
		assert.Equal(t, sampling.Count{Inspected: 20, Nonconforming: 3}, tally.Minor)
		assert.Equal(t, sampling.Accepted, p.Minor.Decide(tally.Minor))
		assert.Equal(t, sampling.Pending, p.Decide(tally))
	})
	t.Run("minor counts only its first 20 samples", func(t *testing.T) {
		units := append(repeat(minor, 3), repeat(ok, 17)...)
		units = append(units, repeat(minor, 12)...) // samples 21..32: minor would reach 15
		tally, ds := record(t, p, units...)
		assert.Equal(t, sampling.Count{Inspected: 20, Nonconforming: 3}, tally.Minor)
		assert.Equal(t, sampling.Count{Inspected: 32}, tally.Major)
		assert.Equal(t, sampling.Accepted, ds[31])
	})
	t.Run("a 4th minor unit within the first 20 rejects", func(t *testing.T) {
		units := append(repeat(ok, 19), minor)
		units = append(repeat(minor, 3), units[3:]...)
		_, ds := record(t, p, units...)
		require.Len(t, ds, 20)
		assert.Equal(t, sampling.Pending, ds[18])
		assert.Equal(t, sampling.Rejected, ds[19])
	})
	t.Run("a unit nonconforming in several classes counts in each", func(t *testing.T) {
		tally, _ := record(t, p, sampling.Unit{Major: true, Minor: true})
		assert.Equal(t, 1, tally.Major.Nonconforming)
		assert.Equal(t, 1, tally.Minor.Nonconforming)
		assert.Equal(t, 0, tally.Critical.Nonconforming)
	})
	t.Run("a decided lot is closed", func(t *testing.T) {
		tally, _ := record(t, p, crit)
		after, err := p.Record(tally, ok)
		require.ErrorIs(t, err, sampling.ErrDecided)
		assert.Equal(t, tally, after, "the refused sample leaves the tally as it was")

		tally, _ = record(t, p, repeat(ok, 32)...)
		_, err = p.Record(tally, ok)
		assert.ErrorIs(t, err, sampling.ErrDecided)
	})
	t.Run("no sample beyond the sample size", func(t *testing.T) {
		// A tally that is full yet pending cannot arise from Record; a store that hands one back
		// still gets no 33rd sample in.
		full := sampling.Tally{Received: 32, Critical: sampling.Count{Inspected: 31}, Major: sampling.Count{Inspected: 31}, Minor: sampling.Count{Inspected: 20}}
		require.Equal(t, sampling.Pending, p.Decide(full))
		_, err := p.Record(full, ok)
		assert.ErrorIs(t, err, sampling.ErrComplete)
	})
}

func TestRecordUnderFullInspection(t *testing.T) {
	// A lot of 3 at level II, defaults: A, major 5 0/1 and minor 3 0/1, both cut to 3.
	p := plan(t, 3, sampling.LevelII, sampling.DefaultAQLs(), sampling.Normal)
	_, ds := record(t, p, ok, ok, ok)
	assert.Equal(t, []sampling.Decision{sampling.Pending, sampling.Pending, sampling.Accepted}, ds)
	_, ds = record(t, p, ok, ok, minor)
	assert.Equal(t, sampling.Rejected, ds[2])
}

func TestJudgeDevice(t *testing.T) {
	sellable := func(f grading.Functional, c grading.CosmeticGrade, m grading.Marketplace) grading.Grade {
		return grading.Grade{Status: grading.Sellable, Functional: f, Cosmetic: c, Marketplace: m}
	}
	tests := []struct {
		name   string
		grade  grading.Grade
		listed grading.Marketplace
		want   sampling.Unit
	}{
		{"a premium device, no listing", sellable(grading.F0, grading.CosmeticA, grading.Premium), "", ok},
		{"as listed", sellable(grading.F0, grading.CosmeticB, grading.Excellent), grading.Excellent, ok},
		{"better than listed", sellable(grading.F0, grading.CosmeticA, grading.Premium), grading.Good, ok},
		{"overgraded", sellable(grading.F0, grading.CosmeticC, grading.Good), grading.Excellent, major},
		{"F1 is minor", sellable(grading.F1, grading.CosmeticA, grading.Good), "", minor},
		{"cosmetic D is minor", sellable(grading.F0, grading.CosmeticD, grading.Fair), "", minor},
		{"F2 is major", sellable(grading.F2, grading.CosmeticA, grading.Fair), "", major},
		{"F3 is major", grading.Grade{Status: grading.NotSellable, Functional: grading.F3, Cosmetic: grading.CosmeticA}, "", major},
		{"cosmetic E is critical", grading.Grade{Status: grading.NotSellable, Functional: grading.F0, Cosmetic: grading.CosmeticE}, "", crit},
		{"rejected is critical", grading.Grade{Status: grading.Rejected, Functional: grading.F0, Cosmetic: grading.CosmeticA}, "", crit},
		{
			"rejected against a listing: critical, and overgraded since it may not be listed at all",
			grading.Grade{Status: grading.Rejected, Functional: grading.F0, Cosmetic: grading.CosmeticA}, grading.Fair,
			sampling.Unit{Critical: true, Major: true},
		},
		{
			"several classes at once",
			grading.Grade{Status: grading.NotSellable, Functional: grading.F1, Cosmetic: grading.CosmeticE}, "",
			sampling.Unit{Critical: true, Minor: true},
		},
		{
			"F2, cosmetic D and overgraded",
			sellable(grading.F2, grading.CosmeticD, grading.Fair), grading.Good,
			sampling.Unit{Major: true, Minor: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, judged := sampling.JudgeDevice(tt.grade, tt.listed)
			require.True(t, judged)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want == ok, got.Conforming())
		})
	}
	t.Run("an incomplete bench test cannot be judged", func(t *testing.T) {
		_, judged := sampling.JudgeDevice(grading.Grade{Status: grading.Incomplete, Cosmetic: grading.CosmeticE}, "")
		assert.False(t, judged)
	})
}

func TestJudgePart(t *testing.T) {
	tests := []struct {
		name    string
		defects []sampling.Class
		want    sampling.Unit
	}{
		{"no defects is conforming", nil, ok},
		{"one minor defect", []sampling.Class{sampling.Minor}, minor},
		{"three minor defects count as one unit", []sampling.Class{sampling.Minor, sampling.Minor, sampling.Minor}, minor},
		{"a critical and a major defect", []sampling.Class{sampling.Critical, sampling.Major}, sampling.Unit{Critical: true, Major: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sampling.JudgePart(tt.defects)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want.Critical, got.Nonconforming(sampling.Critical))
			assert.Equal(t, tt.want.Major, got.Nonconforming(sampling.Major))
			assert.Equal(t, tt.want.Minor, got.Nonconforming(sampling.Minor))
			assert.False(t, got.Nonconforming("cosmetic"))
		})
	}
	t.Run("an unknown class is refused, not ignored", func(t *testing.T) {
		_, err := sampling.JudgePart([]sampling.Class{sampling.Minor, "cosmetic"})
		assert.ErrorIs(t, err, sampling.ErrInput)
	})
}
