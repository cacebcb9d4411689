package grading_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/refurbqa/refurbqa/grading"
)

func TestRank(t *testing.T) {
	tests := []struct {
		m    grading.Marketplace
		want int
	}{
		{grading.Premium, 4},
		{grading.Excellent, 3},
		{grading.Good, 2},
		{grading.Fair, 1},
		{"", 0},
		{"mint", 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, grading.Rank(tt.m), "%q", tt.m)
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		observed, listed grading.Marketplace
		want             grading.Match
	}{
		{grading.Premium, grading.Premium, grading.MatchEqual},
		{grading.Fair, grading.Fair, grading.MatchEqual},
		{grading.Excellent, grading.Premium, grading.Overgraded},
		{grading.Fair, grading.Good, grading.Overgraded},
		{"", grading.Fair, grading.Overgraded},
		{"", grading.Premium, grading.Overgraded},
		{grading.Premium, grading.Excellent, grading.Undergraded},
		{grading.Good, grading.Fair, grading.Undergraded},
		{grading.Premium, grading.Fair, grading.Undergraded},
		// Without a listed grade there is nothing to compare.
		{grading.Good, "", ""},
		{"", "", ""},
		{grading.Good, "mint", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, grading.Compare(tt.observed, tt.listed), "observed %q, listed %q", tt.observed, tt.listed)
	}
}

func TestCompareEveryPair(t *testing.T) {
	all := []grading.Marketplace{grading.Premium, grading.Excellent, grading.Good, grading.Fair, ""}
	for _, listed := range all[:4] {
		for _, observed := range all {
			got := grading.Compare(observed, listed)
			switch ro, rl := grading.Rank(observed), grading.Rank(listed); {
			case ro < rl:
				assert.Equal(t, grading.Overgraded, got)
			case ro == rl:
				assert.Equal(t, grading.MatchEqual, got)
			default:
				assert.Equal(t, grading.Undergraded, got)
			}
		}
	}
}
