package checklist

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/grading"
)

// protocolTable is the table of grading.md §1, row by row: severity for smartphone, tablet and
// laptop, "-" when the test is not in that category's protocol.
var protocolTable = []struct {
	code                       string
	smartphone, tablet, laptop string
}{
	{"power_on", "critical", "critical", "critical"},
	{"display", "critical", "critical", "critical"},
	{"touchscreen", "critical", "critical", "optional"},
	{"buttons", "critical", "critical", "-"},
	{"keyboard", "-", "-", "critical"},
	{"trackpad", "-", "-", "critical"},
	{"earpiece", "critical", "-", "-"},
	{"loudspeaker", "critical", "critical", "critical"},
	{"microphone", "critical", "critical", "critical"},
	{"front_camera", "critical", "critical", "critical"},
	{"rear_camera", "critical", "critical", "-"},
	{"flash", "minor", "optional", "-"},
	{"vibration", "minor", "-", "-"},
	{"proximity_sensor", "minor", "-", "-"},
	{"motion_sensors", "minor", "minor", "-"},
	{"biometrics", "critical", "optional", "optional"},
	{"wifi", "critical", "critical", "critical"},
	{"bluetooth", "critical", "critical", "minor"},
	{"cellular", "critical", "optional", "-"},
	{"sim_reader", "critical", "optional", "-"},
	{"gps", "minor", "optional", "-"},
	{"nfc", "minor", "optional", "-"},
	{"charging_port", "critical", "critical", "critical"},
	{"usb_ports", "-", "-", "critical"},
	{"storage_health", "-", "-", "critical"},
	{"memory", "-", "-", "critical"},
	{"keyboard_backlight", "-", "-", "minor"},
}

func TestLoadProtocolsMatchesTheSpecTable(t *testing.T) {
	ps, err := LoadProtocols()
	require.NoError(t, err)
	require.Len(t, ps, len(grading.Categories))

	for _, c := range grading.Categories {
		t.Run(string(c), func(t *testing.T) {
			p, ok := ps.Get(c)
			require.True(t, ok)
			assert.Equal(t, c, p.Category)

			var want []grading.Test
			for _, row := range protocolTable {
				cell := map[grading.Category]string{
					grading.Smartphone: row.smartphone,
					grading.Tablet:     row.tablet,
					grading.Laptop:     row.laptop,
				}[c]
				if cell != "-" {
					want = append(want, grading.Test{Code: row.code, Severity: grading.Severity(cell)})
				}
			}
			// Same tests, same severities, in table order.
			assert.Equal(t, want, p.Tests)

			// Every cell, one by one, so a failure names the cell.
			for _, row := range protocolTable {
				cell := map[grading.Category]string{
					grading.Smartphone: row.smartphone,
					grading.Tablet:     row.tablet,
					grading.Laptop:     row.laptop,
				}[c]
				got, ok := p.Lookup(row.code)
				if cell == "-" {
					assert.False(t, ok, "%s should not be in the %s protocol", row.code, c)
					continue
				}
				if assert.True(t, ok, "%s should be in the %s protocol", row.code, c) {
					assert.Equal(t, grading.Severity(cell), got.Severity, "%s / %s", row.code, c)
				}
			}
		})
	}
}

func TestLoadProtocolsReturnsAFreshValue(t *testing.T) {
	a, err := LoadProtocols()
	require.NoError(t, err)
	b, err := LoadProtocols()
	require.NoError(t, err)
	a[grading.Smartphone].Tests[0].Severity = grading.Minor
	assert.Equal(t, grading.Critical, b[grading.Smartphone].Tests[0].Severity, "callers must not share state")
}

func TestParseProtocolsRejectsMalformedFiles(t *testing.T) {
	const (
		tablet = `{"category":"tablet","tests":[{"code":"power_on","severity":"critical"}]}`
		laptop = `{"category":"laptop","tests":[{"code":"power_on","severity":"critical"}]}`
	)
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", `{`, "protocols:"},
		{"unknown field", `[{"category":"smartphone","tests":[],"x":1}]`, "unknown field"},
		{"trailing data", `[] []`, "trailing data"},
		{"unknown category", `[{"category":"watch","tests":[{"code":"a","severity":"minor"}]}]`, `unknown category "watch"`},
		{"repeated category", `[` + tablet + `,` + tablet + `]`, "category tablet given twice"},
		{"no tests", `[{"category":"smartphone","tests":[]}]`, "smartphone: no tests"},
		{"empty code", `[{"category":"smartphone","tests":[{"code":"","severity":"minor"}]}]`, "empty test code"},
		{"repeated code", `[{"category":"smartphone","tests":[{"code":"a","severity":"minor"},{"code":"a","severity":"minor"}]}]`, "test a given twice"},
		{"unknown severity", `[{"category":"smartphone","tests":[{"code":"a","severity":"major"}]}]`, `unknown severity "major"`},
		{"missing category", `[` + tablet + `,` + laptop + `]`, "category smartphone missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := parseProtocols([]byte(tt.data))
			require.Error(t, err)
			assert.Nil(t, ps)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
