package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/store"
)

// The command line holds text to the API's rule: a control character in a key name, a seller
// or charter flag, or a seller id of a KPI file is refused with a clear message, and nothing is
// stored. (A NUL cannot be passed in an argument; every other control character can.)
func TestCommandLineRefusesControlCharacters(t *testing.T) {
	getenv := testEnv(t)
	for _, bad := range []string{"\x01", "\x1b", "\t", "\n", "\x7f"} {
		for _, tt := range []struct {
			args []string
			flag string
		}{
			{[]string{"keys", "create", "--role", "admin", "--name", "ops" + bad}, "--name"},
			{[]string{"keys", "create", "--role", "seller", "--seller", "sl_1" + bad, "--name", "portal"}, "--seller"},
			{[]string{"audit", "--from", "2026-07-01", "--to", "2026-10-01", "--seller", "sl_1" + bad}, "--seller"},
			{[]string{"audit", "--from", "2026-07-01", "--to", "2026-10-01", "--charter", "2026.1" + bad}, "--charter"},
		} {
			code, out, stderr := runCmd(t, getenv, tt.args...)
			assert.Equal(t, exitUsage, code, "%q: %s", tt.args, stderr)
			assert.Empty(t, out, "no token is printed")
			assert.Contains(t, stderr, tt.flag+" must not contain control characters", "%q", tt.args)
		}
	}

	seller, open := kpiTestDB(t, getenv)
	for _, bad := range []string{"\x00", "\x01", "\x1f"} {
		file := writeFile(t, kpiTestHeader+kpiTestRow(seller, "2026-08", 120)+kpiTestRow(seller+bad, "2026-09", 120))
		code, out, stderr := runCmd(t, getenv, "kpis", "import", file)
		assert.Equal(t, exitFailure, code, "%q: %s", bad, stderr)
		assert.Empty(t, out)
		assert.Contains(t, stderr, "line 3: seller_id: must not contain control characters\n", "%q", bad)
		assert.Contains(t, stderr, "nothing was imported")
	}
	st := open()
	months, _, err := st.KPIMonths(context.Background(), seller, store.Page{})
	require.NoError(t, err)
	assert.Empty(t, months)
	keys, _, err := st.Keys(context.Background(), store.Page{})
	require.NoError(t, err)
	for _, k := range keys {
		assert.False(t, strings.ContainsFunc(k.Name, func(r rune) bool { return r < 0x20 || r == 0x7f }), "key %q", k.Name)
	}
}
