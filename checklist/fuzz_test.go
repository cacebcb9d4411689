package checklist

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// FuzzCompileRule publishes arbitrary rules in a one-point charter. Compile must never panic
// and must refuse a bad rule with one error at points[0].rule; a rule it accepts must run
// without error on any metrics (zero, negative, huge, NaN, infinite), as Compile promises, and
// Evaluate must give the point a status.
func FuzzCompileRule(f *testing.F) {
	for _, seed := range []string{
		"functional_fail_rate == 0",
		"warranty_months >= 12 && warranty_remedy_rate >= 0.95",
		"0.95 <= software_ok_rate",
		"units > 0 ? locked / units < 0.1 : true",
		"units ** 400 > 1e308 || -units / 0 < 1",
		"not (locked > 0) and units - 1 != 2 or capa_due ^ 2 >= 4",
		"units + 1",
		"foo == 0",
		"[1, 2][units] == 1",
		"1 % 0 == 0 && units == 0",
		"let x = units; x == 0",
		`"é" == "é" && units > 0`,
	} {
		f.Add(seed)
	}
	extremes := []Metrics{{}}
	for _, v := range []float64{-1, 0.5, 1e300, math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN()} {
		values := make(map[string]float64)
		for _, m := range Catalogue() {
			values[m.Name] = v
		}
		extremes = append(extremes, Metrics{Values: values})
	}

	f.Fuzz(func(t *testing.T, rule string) {
		compiled, err := Compile(onePointCharter(rule))
		if err != nil {
			var ce *CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v is not a *CompileError", err, err)
			}
			if len(ce.Errors) != 1 || ce.Errors[0].Field != "points[0].rule" || ce.Errors[0].Message == "" {
				t.Fatalf("rule %q: want one error at points[0].rule, got %+v", rule, ce.Errors)
			}
			return
		}
		cp := compiled.points[0]
		p := compiled.Charter().Points[0]
		if !slices.ContainsFunc(Catalogue(), func(m Metric) bool { return m.Name == p.Metric }) {
			t.Fatalf("rule %q: primary metric %q is not in the catalogue", rule, p.Metric)
		}
		if len(cp.metrics) == 0 || cp.metrics[0] != p.Metric || cp.threshold == "" {
			t.Fatalf("rule %q: metrics %v, threshold %q", rule, cp.metrics, cp.threshold)
		}
		for _, m := range extremes {
			var st evalState
			fillEnv(&st.env, m.Values)
			out, err := st.vm.Run(cp.program, &st.env)
			if _, isBool := out.(bool); err != nil || !isBool {
				t.Fatalf("rule %q on %v: got %v, %v; compiled rules must run without error", rule, m.Values, out, err)
			}
			r := compiled.Evaluate(m)
			switch r.Points[0].Status {
			case PointPass, PointFail, PointInsufficientData:
			default:
				t.Fatalf("rule %q: status %q", rule, r.Points[0].Status)
			}
		}
	})
}
