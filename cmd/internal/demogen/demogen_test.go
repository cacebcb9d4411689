package demogen

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

func newGen(t *testing.T, cfg Config) *Generator {
	t.Helper()
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	cfg.Protocols = ps
	if cfg.From.IsZero() {
		cfg.From = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
		cfg.To = time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	}
	g, err := New(cfg)
	require.NoError(t, err)
	return g
}

// TestRecordsAreValid checks that everything generated passes the validation of the API, so
// that the demo stores nothing a client could not have sent.
func TestRecordsAreValid(t *testing.T) {
	g := newGen(t, Config{Seed: 7, Sellers: 20})
	ps := g.cfg.Protocols
	var bench, orders, months int
	for _, s := range g.Sellers() {
		for _, m := range g.Months() {
			bts, err := g.BenchTests(s, "sl_x", m)
			require.NoError(t, err)
			for _, bt := range bts {
				require.Empty(t, audit.ValidateBenchTest(bt, ps), "%s %+v", s.Archetype, bt.Inspection)
				assert.False(t, bt.TestedAt.Before(m.Start) || !bt.TestedAt.Before(m.End))
				assert.NotEmpty(t, bt.Submitted)
				bench++
			}
			mos, err := g.MysteryOrders(s, "sl_x", m)
			require.NoError(t, err)
			for _, mo := range mos {
				require.Empty(t, audit.ValidateMysteryOrder(mo, ps), "%s %+v", s.Archetype, mo)
				orders++
			}
			if k, ok := g.KPIMonth(s, "sl_x", m); ok {
				require.Empty(t, audit.ValidateKPIMonth(k))
				months++
			}
		}
	}
	assert.Positive(t, bench)
	assert.Positive(t, orders)
	assert.Positive(t, months)
}

func TestDeterministic(t *testing.T) {
	a := newGen(t, Config{Seed: 3, Sellers: 9})
	b := newGen(t, Config{Seed: 3, Sellers: 9})
	c := newGen(t, Config{Seed: 4, Sellers: 9})
	require.Equal(t, a.Sellers(), b.Sellers())
	s, m := a.Sellers()[4], a.Months()[2]
	// Asked in another order, after other records: the same data.
	_, _ = b.BenchTests(b.Sellers()[1], "x", m)
	x, err := a.BenchTests(s, "x", m)
	require.NoError(t, err)
	y, err := b.BenchTests(s, "x", m)
	require.NoError(t, err)
	assert.Equal(t, x, y)
	z, err := c.BenchTests(c.Sellers()[4], "x", m)
	require.NoError(t, err)
	assert.NotEqual(t, x, z)

	r1, r2 := NewReader(5, 0), NewReader(5, 0)
	p1, p2 := make([]byte, 37), make([]byte, 37)
	_, _ = r1.Read(p1)
	_, _ = r2.Read(p2[:5])
	_, _ = r2.Read(p2[5:])
	assert.Equal(t, p1, p2)
}

func TestEveryArchetypeInSmallDemo(t *testing.T) {
	g := newGen(t, Config{Seed: 1, Sellers: len(Archetypes)})
	seen := map[Archetype]bool{}
	names := map[string]bool{}
	for _, s := range g.Sellers() {
		seen[s.Archetype] = true
		names[s.Name] = true
	}
	assert.Len(t, seen, len(Archetypes))
	assert.True(t, names["Łódź Serwis"])
	assert.True(t, names["Ανακαίνιση Αθηνών"])
}

func TestNamesAreDistinct(t *testing.T) {
	g := newGen(t, Config{Seed: 1, Sellers: 1800, Scale: true})
	names := map[string]bool{}
	for _, s := range g.Sellers() {
		require.False(t, names[s.Name], s.Name)
		names[s.Name] = true
		require.Zero(t, s.JoinMonth)
	}
}

// TestDistributions checks the shapes the demo promises over a large sample of one archetype:
// most devices A or B, rare E, battery health around 88, charging ports failing more often than
// GPS.
func TestDistributions(t *testing.T) {
	g := newGen(t, Config{Seed: 11, Sellers: 1})
	r := newRand(11, streamBench, 0, 0)
	p := profiles[SlowShipper]
	p.fault = 1 // the raw failure rates of an average refurbisher
	p.battery = batteryPolicy{replaceBelow: 0}
	const n = 20000
	cos := map[grading.CosmeticGrade]int{}
	fails := map[string]int{}
	health := 0.0
	for range n {
		u := g.newUnit(r, p, pick(r, p.cosmetic[:]))
		gr := grading.Evaluate(u.in, g.cfg.Protocols[u.model.category])
		cos[gr.Cosmetic]++
		health += u.in.Battery.HealthPct
		for code, o := range u.in.Functional {
			if o == grading.Fail {
				fails[code]++
			}
		}
	}
	t.Logf("cosmetic %v, failures %v, mean health %.1f", cos, fails, health/n)
	assert.Greater(t, cos["A"]+cos["B"], n/2)
	assert.Less(t, cos["E"], n/20)
	assert.Greater(t, cos["E"], 0)
	assert.InDelta(t, 87, health/n, 2)
	assert.Greater(t, fails["charging_port"], 3*fails["gps"])
	assert.Greater(t, fails["buttons"], fails["gps"])
}

// BenchmarkBenchTests measures the generation of one bench test: building the inspection,
// encoding its JSON and grading it. The scale data set makes a million of them.
func BenchmarkBenchTests(b *testing.B) {
	ps, err := checklist.LoadProtocols()
	require.NoError(b, err)
	g, err := New(Config{Seed: 1, Sellers: 100, Scale: true, Protocols: ps,
		From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(b, err)
	b.ReportAllocs()
	n := 0
	i := 0
	for b.Loop() {
		s := g.Sellers()[i%100]
		bts, err := g.BenchTests(s, "sl_x", g.Months()[i/100%12])
		if err != nil {
			b.Fatal(err)
		}
		n += len(bts)
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/device")
}
