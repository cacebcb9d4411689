package browsertest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSafeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"TestJourney/no-javascript", "TestJourney/no-javascript"},
		{"bench test saved", "bench-test-saved"},
		{"scorecard: Q3 (draft)", "scorecard--Q3--draft"},
		{"../../etc", "etc"},
		{"a/../b", "a/./b"},
		{"é", "step"},
		{"", "step"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, safeName(tt.in))
		})
	}
}

func TestXPathLiteral(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Save", `"Save"`},
		{`Say "hi"`, `'Say "hi"'`},
		{`It's "x"`, `concat("It's ", '"', "x", '"', "")`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, xpathLiteral(tt.in))
		})
	}
}

func TestAttrSelector(t *testing.T) {
	assert.Equal(t, `input[name="parts.non_genuine"]`, attrSelector("input", "name", "parts.non_genuine"))
	assert.Equal(t, `[value="a\"b\\c"]`, attrSelector("", "value", `a"b\c`))
}

// TestAxeViolation: only serious and critical violations fail a step, and a failure names the
// rule, its help and each element.
func TestAxeViolation(t *testing.T) {
	for impact, blocking := range map[string]bool{"minor": false, "moderate": false, "serious": true, "critical": true} {
		assert.Equal(t, blocking, axeViolation{Impact: impact}.blocking(), impact)
	}
	var v axeViolation
	require.NoError(t, json.Unmarshal([]byte(`{"id": "label", "impact": "critical", "help": "Form elements must have labels",
		"helpUrl": "https://dequeuniversity.com/rules/axe/4.14/label", "nodes": [{"target": ["#lab"], "html": "<input id=\"lab\">",
		"failureSummary": "Fix any of the following:\n  Element does not have an implicit (wrapped) <label>"},
		{"target": [["my-widget", "input"]], "html": "<input>", "failureSummary": ""}]}`), &v))
	assert.Equal(t, "label (critical): Form elements must have labels — https://dequeuniversity.com/rules/axe/4.14/label"+
		"\n    #lab  <input id=\"lab\">"+
		"\n      Fix any of the following:"+
		"\n      Element does not have an implicit (wrapped) <label>"+
		"\n    [\"my-widget\", \"input\"]  <input>", v.String())
}
