package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/grading"
)

// TestImpactFactorsCommand: the operator publishes a version of the impact factors from a
// JSON file, which is then in force; the list shows every version; a version is published once,
// and an invalid file prints every problem and publishes nothing.
func TestImpactFactorsCommand(t *testing.T) {
	getenv := testEnv(t)
	_, open := kpiTestDB(t, getenv)
	file := func(content string) string {
		path := filepath.Join(t.TempDir(), "factors.json")
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	laptops := file(`{"version": "2027.1", "factors": [
		{"category": "laptop", "co2e_kg": 300, "ewaste_kg": 2, "raw_materials_kg": 1000, "water_l": 190000, "source": "a laptop study"},
		{"category": "smartphone", "co2e_kg": 77.31, "ewaste_kg": 0.1783, "raw_materials_kg": 243.60, "water_l": 77000, "source": "the marketplace"}]}`)

	code, out, errOut := runCmd(t, getenv, "impact-factors", "publish", laptops)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "published impact factors 2027.1, in force from now on: smartphone, laptop\n", out)
	st := open()
	f, err := st.LatestImpactFactors(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "2027.1", f.Version)
	require.Len(t, f.Factors, 2)
	assert.Equal(t, grading.Laptop, f.Factors[1].Category)
	assert.Equal(t, "cli", f.CreatedBy)
	require.NoError(t, st.Close())

	code, out, errOut = runCmd(t, getenv, "impact-factors", "list")
	require.Equal(t, exitOK, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3, out)
	assert.Regexp(t, `^VERSION\s+PUBLISHED\s+BY\s+CATEGORIES\s+STATE$`, lines[0])
	assert.Regexp(t, `^2026\.1\s+2026-01-01 00:00:00\s+migration 00014\s+smartphone\s+superseded$`, lines[1])
	assert.Regexp(t, `^2027\.1\s+\S+ \S+\s+cli\s+smartphone, laptop\s+in force$`, lines[2])

	code, _, errOut = runCmd(t, getenv, "impact-factors", "publish", laptops)
	assert.Equal(t, exitFailure, code)
	assert.Equal(t, "refurbqa impact-factors publish: impact factors version 2027.1 is already published; versions never change: conflict\n", errOut)

	bad := file(`{"version": "x y", "factors": [{"category": "watch", "co2e_kg": "a lot", "ewaste_kg": 1, "raw_materials_kg": 1, "water_l": 1}]}`)
	code, out, errOut = runCmd(t, getenv, "impact-factors", "publish", bad)
	assert.Equal(t, exitFailure, code)
	assert.Empty(t, out)
	assert.Equal(t, "factors[0].category: must be smartphone, tablet or laptop\n"+
		"factors[0].co2e_kg: must be a number\n"+
		"factors[0].source: is required\n"+
		"version: must be 1 to 32 characters of A-Z, a-z, 0-9, '.', '_' or '-'\n"+
		"refurbqa impact-factors publish: "+bad+": 4 errors (listed above); nothing was published\n", errOut)
	code, _, errOut = runCmd(t, getenv, "impact-factors", "publish", file(`{"version": `))
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "body: ")

	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"impact-factors"}, exitUsage, "refurbqa impact-factors: missing subcommand: publish or list (see refurbqa help impact-factors)\n"},
		{[]string{"impact-factors", "drop"}, exitUsage, "refurbqa impact-factors: unknown subcommand \"drop\": want publish or list (see refurbqa help impact-factors)\n"},
		{[]string{"impact-factors", "publish"}, exitUsage, "refurbqa impact-factors publish: want exactly one JSON file, got 0 arguments (see refurbqa help impact-factors publish)\n"},
		{[]string{"impact-factors", "list", "extra"}, exitUsage, ""},
		{[]string{"impact-factors", "publish", filepath.Join(t.TempDir(), "missing.json")}, exitFailure, ""},
	} {
		code, _, errOut := runCmd(t, getenv, tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		if tc.err != "" {
			assert.Equal(t, tc.err, errOut, tc.args)
		}
	}
}
