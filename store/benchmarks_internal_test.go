package store

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

// The store's line format of a scorecard's benchmark values reads back to the same values, to
// the bit, and reads the JSON spellings of numbers that migration 00017 copies; anything else
// is an error, never a silent zero.
func TestBenchmarkPointsFormat(t *testing.T) {
	values := []audit.BenchmarkValue{
		{Code: "QC01", Metric: "functional_fail_rate", Value: 1.0 / 3},
		{Code: "QC02", Metric: "battery_below_80", Value: 12},
		{Code: "X-1.b_c", Metric: "late_shipment_rate", Value: 1e-7},
		{Code: "QC04", Metric: "m", Value: math.Nextafter(0.1, 1)},
		{Code: "QC05", Metric: "m", Value: math.Copysign(0, -1)},
	}
	type point struct {
		code, metric string
		value        float64
	}
	read := func(s string) ([]point, error) {
		var out []point
		err := decodeBenchmarkPoints(s, func(code, metric string, v float64) { out = append(out, point{code, metric, v}) })
		return out, err
	}
	got, err := read(encodeBenchmarkPoints(values))
	require.NoError(t, err)
	require.Len(t, got, len(values))
	for i, v := range values {
		assert.Equal(t, point{v.Code, v.Metric, v.Value}, got[i])
		assert.Equal(t, math.Float64bits(v.Value), math.Float64bits(got[i].value), v.Code)
	}
	got, err = read("")
	assert.NoError(t, err)
	assert.Empty(t, got, "a scorecard that evaluated nothing")

	got, err = read("QC01\tm\t0.0000001\nQC02\tm\t1e-7\nQC03\tm\t5\nQC04\tm\t0.30000000000000004")
	require.NoError(t, err)
	assert.Equal(t, []point{{"QC01", "m", 1e-7}, {"QC02", "m", 1e-7}, {"QC03", "m", 5}, {"QC04", "m", 0.30000000000000004}}, got)

	for _, bad := range []string{"QC01", "QC01\tm", "QC01\tm\tnull", "QC01\tm\t", "QC01\tm\t1\n\n"} {
		_, err := read(bad)
		assert.Error(t, err, "%q", bad)
	}
}
