package sampling_test

import (
	"crypto/rand"
	"testing"

	"github.com/refurbqa/refurbqa/sampling"
)

// BenchmarkPlan plans a lot of 800 phones at level II with the default AQLs. Planning runs in
// the request that creates a lot, inside its transaction, so it must stay negligible (the
// target is under 5 µs).
func BenchmarkPlan(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		p, err := sampling.NewPlan(800, sampling.LevelII, sampling.DefaultAQLs(), sampling.Normal)
		if err != nil || p.SampleSize != 80 {
			b.Fatal(p, err)
		}
	}
}

// BenchmarkPositions draws the 80 sample positions of that lot from the system's cryptographic
// source, the other half of creating a lot.
func BenchmarkPositions(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ps, err := sampling.Positions(rand.Reader, 800, 80)
		if err != nil || len(ps) != 80 {
			b.Fatal(len(ps), err)
		}
	}
}

// BenchmarkRecord records a lot's 80 samples one by one, as 80 requests would.
func BenchmarkRecord(b *testing.B) {
	p, err := sampling.NewPlan(800, sampling.LevelII, sampling.DefaultAQLs(), sampling.Normal)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var t sampling.Tally
		for range p.SampleSize {
			if t, err = p.Record(t, sampling.Unit{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
