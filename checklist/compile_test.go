package checklist

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/grading"
)

// onePointCharter is a valid charter of a single point with the given rule, for tests that
// vary one thing at a time.
func onePointCharter(rule string) Charter {
	return Charter{Version: "test.1", Points: []Point{{
		Code: "QC01", Title: "Test point", Area: "device", Severity: Major, Weight: 4,
		Rule: rule, SampleMetric: "units", MinSamples: 0,
	}}}
}

func TestCompileRefusesWithPreciseErrors(t *testing.T) {
	fe := func(field, msg string) grading.FieldError { return grading.FieldError{Field: field, Message: msg} }
	tests := []struct {
		name   string
		change func(c *Charter)
		want   []grading.FieldError
	}{
		{"bad syntax", func(c *Charter) { c.Points[3].Rule = "undisclosed_parts ==" },
			[]grading.FieldError{fe("points[3].rule", "QC04: unexpected token EOF (1:20)")}},
		{"unknown metric", func(c *Charter) { c.Points[3].Rule = "foo == 0" },
			[]grading.FieldError{fe("points[3].rule", "QC04: unknown name foo (1:1)")}},
		{"unknown metric later in the rule", func(c *Charter) { c.Points[3].Rule = "units > 0 && foo == 1" },
			[]grading.FieldError{fe("points[3].rule", "QC04: unknown name foo (1:14)")}},
		{"unknown metric on a later line", func(c *Charter) { c.Points[3].Rule = "units > 0 &&\n  foo == 1" },
			[]grading.FieldError{fe("points[3].rule", "QC04: unknown name foo (2:3)")}},
		{"Go field names are not metric names", func(c *Charter) { c.Points[3].Rule = "UndisclosedParts == 0" },
			[]grading.FieldError{fe("points[3].rule", "QC04: unknown name UndisclosedParts (1:1)")}},
		{"builtins are not metric names", func(c *Charter) { c.Points[3].Rule = "len(units) > 0" },
			[]grading.FieldError{fe("points[3].rule", "QC04: unknown name len (1:1)")}},
		{"non-boolean rule", func(c *Charter) { c.Points[3].Rule = "units + 1" },
			[]grading.FieldError{fe("points[3].rule", "QC04: rule must yield a boolean, not float64")}},
		{"type error", func(c *Charter) { c.Points[3].Rule = "units % 2 == 0" },
			[]grading.FieldError{fe("points[3].rule", "QC04: invalid operation: % (mismatched types float64 and int) (1:7)")}},
		{"string literal", func(c *Charter) { c.Points[3].Rule = `"a" == "a" && units == 0` },
			[]grading.FieldError{fe("points[3].rule", "QC04: a string is not allowed in a rule (1:1)")}},
		{"list and index", func(c *Charter) { c.Points[3].Rule = "[1][0] == 1 && units > 0" },
			[]grading.FieldError{fe("points[3].rule", "QC04: member access is not allowed in a rule (1:4)")}},
		{"integer modulo", func(c *Charter) { c.Points[3].Rule = "1 % 1 == 0 && units == 0" },
			[]grading.FieldError{fe("points[3].rule", "QC04: operator % is not allowed in a rule (1:3)")}},
		{"in operator", func(c *Charter) { c.Points[3].Rule = "units in [1, 2]" },
			[]grading.FieldError{fe("points[3].rule", "QC04: operator in is not allowed in a rule (1:7)")}},
		{"variable", func(c *Charter) { c.Points[3].Rule = "let x = units; x == 0" },
			[]grading.FieldError{fe("points[3].rule", "QC04: a variable is not allowed in a rule (1:5)")}},
		{"nil", func(c *Charter) { c.Points[3].Rule = "units != nil" },
			[]grading.FieldError{fe("points[3].rule", "QC04: nil is not allowed in a rule (1:10)")}},
		{"no metric", func(c *Charter) { c.Points[3].Rule = "1 < 2" },
			[]grading.FieldError{fe("points[3].rule", "QC04: rule names no metric")}},
		{"empty rule", func(c *Charter) { c.Points[3].Rule = "  " },
			[]grading.FieldError{fe("points[3].rule", "QC04: rule is required")}},
		{"rule too long", func(c *Charter) { c.Points[3].Rule = "units == 0" + strings.Repeat(" ", 491) },
			[]grading.FieldError{fe("points[3].rule", "QC04: rule must be at most 500 characters, got 501")}},
		{"rule too complex", func(c *Charter) { c.Points[3].Rule = strings.Repeat("1+", 150) + "units > 0" },
			[]grading.FieldError{fe("points[3].rule", "QC04: compilation failed: expression exceeds maximum allowed nodes (1:202)")}},
		{"rule of a point without code", func(c *Charter) { c.Points[3].Code = ""; c.Points[3].Rule = "foo" },
			[]grading.FieldError{fe("points[3].code", "is required"), fe("points[3].rule", "points[3]: unknown name foo (1:1)")}},
		{"duplicate code", func(c *Charter) { c.Points[5].Code = "QC04" },
			[]grading.FieldError{fe("points[5].code", "duplicate code QC04, first used at points[3]")}},
		{"bad code", func(c *Charter) { c.Points[0].Code = "QC 01" },
			[]grading.FieldError{fe("points[0].code", "must be 1 to 32 characters of A-Z, a-z, 0-9, '.', '_' or '-'")}},
		{"bad severity", func(c *Charter) { c.Points[2].Severity = "huge" },
			[]grading.FieldError{fe("points[2].severity", `must be one of critical, major, minor, got "huge"`)}},
		{"missing severity", func(c *Charter) { c.Points[2].Severity = "" },
			[]grading.FieldError{fe("points[2].severity", "is required")}},
		{"weight not that of the severity", func(c *Charter) { c.Points[0].Weight = 4 },
			[]grading.FieldError{fe("points[0].weight", "must be 8 for a critical point, got 4")}},
		{"missing title and blank area", func(c *Charter) { c.Points[0].Title = ""; c.Points[0].Area = " \t" },
			[]grading.FieldError{fe("points[0].title", "is required"), fe("points[0].area", "is required")}},
		{"title too long", func(c *Charter) { c.Points[0].Title = strings.Repeat("é", 201) },
			[]grading.FieldError{fe("points[0].title", "must be at most 200 characters, got 201")}},
		{"control character in title", func(c *Charter) { c.Points[0].Title = "Fully\nfunctional" },
			[]grading.FieldError{fe("points[0].title", "must not contain control characters")}},
		{"metric is not the first of the rule", func(c *Charter) { c.Points[23].Metric = "warranty_remedy_rate" },
			[]grading.FieldError{fe("points[23].metric", "must be warranty_months, the first metric named in the rule, got warranty_remedy_rate")}},
		{"unknown primary metric", func(c *Charter) { c.Points[0].Metric = "foo" },
			[]grading.FieldError{fe("points[0].metric", "unknown metric foo")}},
		{"sample metric is a rate", func(c *Charter) { c.Points[17].SampleMetric = "late_shipment_rate" },
			[]grading.FieldError{fe("points[17].sample_metric", "must be a count or number metric, and late_shipment_rate is a rate")}},
		{"unknown sample metric", func(c *Charter) { c.Points[17].SampleMetric = "shipments" },
			[]grading.FieldError{fe("points[17].sample_metric", "unknown metric shipments")}},
		{"missing sample metric", func(c *Charter) { c.Points[17].SampleMetric = "" },
			[]grading.FieldError{fe("points[17].sample_metric", "is required")}},
		{"negative min samples", func(c *Charter) { c.Points[17].MinSamples = -1 },
			[]grading.FieldError{fe("points[17].min_samples", "must be 0 or more, got -1")}},
		{"missing version", func(c *Charter) { c.Version = "" },
			[]grading.FieldError{fe("version", "is required")}},
		{"bad version", func(c *Charter) { c.Version = "2026/1" },
			[]grading.FieldError{fe("version", "must be 1 to 32 characters of A-Z, a-z, 0-9, '.', '_' or '-'")}},
		{"version too long", func(c *Charter) { c.Version = strings.Repeat("1", 33) },
			[]grading.FieldError{fe("version", "must be 1 to 32 characters of A-Z, a-z, 0-9, '.', '_' or '-'")}},
		{"no points", func(c *Charter) { c.Points = nil },
			[]grading.FieldError{fe("points", "must list at least one point")}},
		{"every problem at once, in charter order", func(c *Charter) {
			c.Version = ""
			c.Points[1].Code = "QC01"
			c.Points[1].Rule = "battery_below_80"
			c.Points[4].Severity = "blocker"
			c.Points[4].MinSamples = -2
		}, []grading.FieldError{
			fe("version", "is required"),
			fe("points[1].code", "duplicate code QC01, first used at points[0]"),
			fe("points[1].rule", "QC01: rule must yield a boolean, not float64"),
			fe("points[4].severity", `must be one of critical, major, minor, got "blocker"`),
			fe("points[4].min_samples", "must be 0 or more, got -2"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := DefaultCharter()
			require.NoError(t, err)
			tt.change(&c)
			compiled, err := Compile(c)
			assert.Nil(t, compiled)
			var ce *CompileError
			require.True(t, errors.As(err, &ce), "error %v is not a *CompileError", err)
			assert.Equal(t, tt.want, ce.Errors)
		})
	}
}

func TestCompileErrorMessage(t *testing.T) {
	one := &CompileError{Errors: []grading.FieldError{{Field: "points[3].rule", Message: "QC04: unknown name foo (1:5)"}}}
	assert.Equal(t, "charter: points[3].rule: QC04: unknown name foo (1:5)", one.Error())
	two := &CompileError{Errors: []grading.FieldError{{Field: "version", Message: "is required"}, {Field: "points", Message: "x"}}}
	assert.Equal(t, "charter: version: is required (and 1 more)", two.Error())
	assert.Equal(t, "charter: invalid", (&CompileError{}).Error())
}

func TestCompileFillsInWeightAndPrimaryMetric(t *testing.T) {
	c, err := DefaultCharter()
	require.NoError(t, err)
	for i := range c.Points {
		c.Points[i].Weight = 0
		c.Points[i].Metric = ""
	}
	compiled, err := Compile(c)
	require.NoError(t, err)

	want, err := DefaultCharter()
	require.NoError(t, err)
	assert.Equal(t, want, compiled.Charter())
	// The charter passed in is left as it was.
	assert.Zero(t, c.Points[0].Weight)
	assert.Empty(t, c.Points[0].Metric)
}

func TestCompileAcceptsRulesBeyondTheDefaultShape(t *testing.T) {
	for _, rule := range []string{
		"0.95 <= software_ok_rate",
		"units > 0 ? locked == 0 : true",
		"not (locked > 0) and (units - locked) / units >= 0.5 or units == 0",
		"-units < -0.5 && units ** 2 ^ 1 * 3 != 7",
		"if units > 0 { locked == 0 } else { true }",
	} {
		_, err := Compile(onePointCharter(rule))
		assert.NoError(t, err, rule)
	}
}

func TestCompiledCharterIsACopy(t *testing.T) {
	c, err := DefaultCharter()
	require.NoError(t, err)
	compiled, err := Compile(c)
	require.NoError(t, err)
	got := compiled.Charter()
	got.Points[0].Rule = "changed"
	c.Points[0].Rule = "changed too"
	assert.Equal(t, "functional_fail_rate == 0", compiled.Charter().Points[0].Rule)
}

func TestThreshold(t *testing.T) {
	tests := []struct{ rule, want string }{
		{"functional_fail_rate == 0", "== 0"},
		{"battery_at_least_85_rate >= 0.95", ">= 0.95"},
		{"late_shipment_rate < 0.04", "< 0.04"},
		{"overgraded_rate <= 0.05", "<= 0.05"},
		{"message_response_rate >= 0.90", ">= 0.90"}, // as written, not 0.9
		{"warranty_months >= 12 && warranty_remedy_rate >= 0.95", ">= 12"},
		{"warranty_remedy_rate >= 0.95 and warranty_months >= 12", ">= 0.95"},
		{"units >= 1 && (locked == 0 && imei_blocked == 0)", ">= 1"},
		{"locked == 0 && units > 2", "== 0"},
		{"0.95 <= software_ok_rate", ">= 0.95"},
		{"0 < units", "> 0"},
		{"2 != units", "!= 2"},
		{"(units) > -1.5", "> -1.5"},
		{"units >= +5_000", ">= 5_000"},
		{"units\n  >= 3", ">= 3"},
		// Not the simple shape: the whole rule stands as the threshold.
		{"units > 1 || locked < 0", "units > 1 || locked < 0"},
		{"!(units > 0)", "!(units > 0)"},
		{"units > 0 && units < 5", "units > 0 && units < 5"},
		{"units / 2 > 1", "units / 2 > 1"},
		{"units > locked", "units > locked"},
		{"units > 0 == true", "units > 0 == true"},
		{"units > 0 ? locked == 0 : true", "units > 0 ? locked == 0 : true"},
	}
	for _, tt := range tests {
		compiled, err := Compile(onePointCharter(tt.rule))
		require.NoError(t, err, tt.rule)
		assert.Equal(t, tt.want, compiled.points[0].threshold, tt.rule)
		assert.Equal(t, tt.want, compiled.Evaluate(Metrics{}).Points[0].Threshold, tt.rule)
		assert.Equal(t, tt.want, compiled.Threshold(0), tt.rule)
	}
}

func TestRuleMetricsAreListedOnceInOrder(t *testing.T) {
	compiled, err := Compile(onePointCharter("locked == 0 && units > 0 && locked < 1 && imei_blocked == 0"))
	require.NoError(t, err)
	assert.Equal(t, []string{"locked", "units", "imei_blocked"}, compiled.points[0].metrics)
	assert.Equal(t, "locked", compiled.Charter().Points[0].Metric)
}

func TestProgramsCompilesEachVersionOnce(t *testing.T) {
	c, err := DefaultCharter()
	require.NoError(t, err)
	p := NewPrograms()

	first, err := p.Get(c)
	require.NoError(t, err)
	again, err := p.Get(c)
	require.NoError(t, err)
	assert.Same(t, first, again)

	other := onePointCharter("units > 0")
	otherCompiled, err := p.Get(other)
	require.NoError(t, err)
	assert.NotSame(t, first, otherCompiled)
	assert.Equal(t, "test.1", otherCompiled.Charter().Version)
}

func TestProgramsDoesNotScoreWithRulesOfOtherContent(t *testing.T) {
	p := NewPrograms()
	cached, err := p.Get(onePointCharter("units > 0"))
	require.NoError(t, err)

	changed, err := p.Get(onePointCharter("units > 5"))
	require.NoError(t, err)
	assert.NotSame(t, cached, changed)
	assert.Equal(t, "units > 5", changed.Charter().Points[0].Rule)

	// The first content stays the cached one.
	again, err := p.Get(onePointCharter("units > 0"))
	require.NoError(t, err)
	assert.Same(t, cached, again)
}

func TestProgramsDoesNotCacheFailures(t *testing.T) {
	p := NewPrograms()
	_, err := p.Get(onePointCharter("foo > 0"))
	var ce *CompileError
	require.ErrorAs(t, err, &ce)

	fixed, err := p.Get(onePointCharter("units > 0"))
	require.NoError(t, err)
	again, err := p.Get(onePointCharter("units > 0"))
	require.NoError(t, err)
	assert.Same(t, fixed, again)
}

func TestProgramsIsSafeForConcurrentUse(t *testing.T) {
	c, err := DefaultCharter()
	require.NoError(t, err)
	p := NewPrograms()
	got := make([]*Compiled, 16)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			compiled, err := p.Get(c)
			assert.NoError(t, err)
			got[i] = compiled
		})
	}
	wg.Wait()
	cached, err := p.Get(c)
	require.NoError(t, err)
	for _, g := range got {
		assert.Same(t, cached, g) // a goroutine that lost the race returns the winner's copy
	}
}

// BenchmarkCompile compiles the default charter, which Programs does once per version.
func BenchmarkCompile(b *testing.B) {
	c, err := DefaultCharter()
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(c); err != nil {
			b.Fatal(err)
		}
	}
}
