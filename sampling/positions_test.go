package sampling_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/sampling"
)

// seeded is a reproducible random source, so that these tests never depend on luck.
func seeded(seed byte) *rand.ChaCha8 { return rand.NewChaCha8([32]byte{seed}) }

func TestPositions(t *testing.T) {
	tests := []struct {
		name    string
		lotSize int
		n       int
	}{
		{"the sample of a lot of 800", 800, 80},
		{"a lot inspected in full", 13, 13},
		{"the smallest lot", 2, 2},
		{"one of two", 2, 1},
		{"the largest plan of the largest lot", sampling.MaxLotSize, 2000},
		{"no sample", 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sampling.Positions(seeded(1), tt.lotSize, tt.n)
			require.NoError(t, err)
			require.Len(t, got, tt.n)
			assert.True(t, slices.IsSorted(got), "returned sorted")
			assert.Len(t, slices.Compact(slices.Clone(got)), tt.n, "distinct")
			if tt.n > 0 {
				assert.GreaterOrEqual(t, got[0], 1)
				assert.LessOrEqual(t, got[len(got)-1], tt.lotSize)
			}
			if tt.n == tt.lotSize {
				for i, p := range got {
					assert.Equal(t, i+1, p)
				}
			}
		})
	}
}

// TestPositionsUniform draws 3 of 10 positions 30,000 times from a seeded source: every position
// should be drawn 9,000 times, and none strays by more than 3 %, which a draw favouring some
// positions (the modulo bias, a Floyd step got wrong) would.
func TestPositionsUniform(t *testing.T) {
	r := seeded(7)
	var seen [11]int
	const draws = 30000
	for range draws {
		ps, err := sampling.Positions(r, 10, 3)
		require.NoError(t, err)
		for _, p := range ps {
			seen[p]++
		}
	}
	assert.Zero(t, seen[0])
	for p := 1; p <= 10; p++ {
		assert.InDelta(t, draws*3/10, seen[p], draws*3/10*0.03, "position %d", p)
	}
}

func TestPositionsRefuses(t *testing.T) {
	t.Run("more positions than items", func(t *testing.T) {
		_, err := sampling.Positions(seeded(1), 5, 6)
		assert.ErrorIs(t, err, sampling.ErrInput)
	})
	t.Run("a negative count", func(t *testing.T) {
		_, err := sampling.Positions(seeded(1), 5, -1)
		assert.ErrorIs(t, err, sampling.ErrInput)
	})
	t.Run("a lot above the largest", func(t *testing.T) {
		_, err := sampling.Positions(seeded(1), sampling.MaxLotSize+1, 1)
		assert.ErrorIs(t, err, sampling.ErrInput)
	})
	t.Run("a source that runs dry", func(t *testing.T) {
		_, err := sampling.Positions(bytes.NewReader(make([]byte, 12)), 100, 5)
		assert.Error(t, err)
	})
}
