package checklist

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDirectionOf(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		threshold string
		known     bool
		words     string
		// worse lists pairs (a, b) where a is worse than b; notWorse pairs where it is not.
		worse, notWorse [][2]float64
	}{
		{"== 0", true, "closer to 0 is better", [][2]float64{{1, 0}, {0.5, 0.25}, {nan, 3}}, [][2]float64{{0, 1}, {2, 2}, {nan, nan}, {3, nan}}},
		{"== 12", true, "closer to 12 is better", [][2]float64{{9, 13}, {15, 12}}, [][2]float64{{11, 14}, {10, 14}}},
		{"< 0.04", true, "lower is better", [][2]float64{{0.05, 0.04}, {1, 0}}, [][2]float64{{0.04, 0.04}, {0, 1}}},
		{"<= 0.05", true, "lower is better", [][2]float64{{0.06, 0.05}}, [][2]float64{{0.05, 0.05}, {0.01, 0.05}}},
		{">= 0.95", true, "higher is better", [][2]float64{{0.9, 0.95}, {0, 1}}, [][2]float64{{1, 0.95}, {0.95, 0.95}}},
		{"> -1", true, "higher is better", [][2]float64{{-2, -1}}, [][2]float64{{-1, -2}}},
		{">= 1_000", true, "higher is better", [][2]float64{{999, 1000}}, nil},
		{"!= 0", false, "no direction", nil, [][2]float64{{1, 0}, {0, 1}}},
		{"functional_fail_rate == 0 || units > 3", false, "no direction", nil, [][2]float64{{1, 0}, {0, 1}}},
		{"", false, "no direction", nil, [][2]float64{{1, 0}}},
		{"== x", false, "no direction", nil, nil},
		{"== NaN", false, "no direction", nil, nil},
		{"== Inf", false, "no direction", nil, nil},
		{"=> 1", false, "no direction", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.threshold, func(t *testing.T) {
			d := DirectionOf(c.threshold)
			assert.Equal(t, c.known, d.Known())
			assert.Equal(t, c.words, d.String())
			for _, p := range c.worse {
				assert.True(t, d.Worse(p[0], p[1]), "%v is worse than %v", p[0], p[1])
			}
			for _, p := range c.notWorse {
				assert.False(t, d.Worse(p[0], p[1]), "%v is not worse than %v", p[0], p[1])
			}
		})
	}
}

// Every point of the default charter has the direction its rule says, read from the threshold
// its scorecards show.
func TestDefaultCharterDirections(t *testing.T) {
	compiled := compiledDefault(t)
	want := map[string]string{
		"QC01": "closer to 0 is better", "QC03": "higher is better", "QC11": "higher is better",
		"QC13": "lower is better", "QC15": "higher is better", "QC18": "lower is better",
		"QC19": "higher is better", "QC20": "lower is better", "QC21": "higher is better",
		"QC22": "lower is better", "QC23": "lower is better", "QC24": "higher is better",
		"QC25": "closer to 0 is better",
	}
	points := compiled.Charter().Points
	require.Len(t, points, 25)
	for i, p := range points {
		d := DirectionOf(compiled.Threshold(i))
		assert.True(t, d.Known(), "%s (%s) has a direction", p.Code, compiled.Threshold(i))
		if w, ok := want[p.Code]; ok {
			assert.Equal(t, w, d.String(), p.Code)
		}
	}
}
