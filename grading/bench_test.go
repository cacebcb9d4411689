package grading_test

import (
	"testing"

	"github.com/refurbqa/refurbqa/grading"
)

// typical is the inspection of api.md: a smartphone with light body wear, everything working.
func typical(tb testing.TB) grading.Inspection {
	in := pristine(tb, grading.Smartphone)
	in.Device.Brand, in.Device.Model, in.Device.Serial = "Apple", "iPhone 13", "F2LXK0ABCD"
	cycles := 312
	in.Battery = grading.Battery{HealthPct: 91.5, CycleCount: &cycles, Genuine: true}
	in.Cosmetic.Body = body(2, 0, 0, 0, 0, 15)
	return in
}

// BenchmarkGrade grades a typical smartphone inspection. A lab posts batches of up to 1000
// devices, so grading must stay far below the cost of storing them.
func BenchmarkGrade(b *testing.B) {
	in := typical(b)
	p := protocol(b, grading.Smartphone)
	b.ReportAllocs()
	for b.Loop() {
		g := grading.Evaluate(in, p)
		if g.Marketplace != grading.Excellent {
			b.Fatal(g)
		}
	}
}

// BenchmarkGradeDefective grades a device that fails several tests and is cracked, the
// reason-heavy path.
func BenchmarkGradeDefective(b *testing.B) {
	in := typical(b)
	in.Functional["wifi"] = grading.Fail
	in.Functional["gps"] = grading.Fail
	in.Functional["nfc"] = grading.NotTested
	in.Battery.HealthPct = 75.5
	in.Cosmetic.Screen = screen(1, 1, 0, 2, 100)
	in.Compliance.ActivationLock = true
	p := protocol(b, grading.Smartphone)
	b.ReportAllocs()
	for b.Loop() {
		grading.Evaluate(in, p)
	}
}

// BenchmarkGradeValidated is what a request costs the engine: validation, then grading.
func BenchmarkGradeValidated(b *testing.B) {
	in := typical(b)
	ps := protocols(b)
	p := ps[grading.Smartphone]
	b.ReportAllocs()
	for b.Loop() {
		if errs := grading.Validate(in, ps); errs != nil {
			b.Fatal(errs)
		}
		grading.Evaluate(in, p)
	}
}
