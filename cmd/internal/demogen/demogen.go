// Package demogen generates the demo data set of refurbqa: sellers of recognisable kinds
// (archetypes), and for each month their bench tests, mystery orders and KPI figures, with
// realistic distributions of battery health, defects, test failures, dispatch and delivery
// times. Everything is a pure function of a seed: the same configuration always gives the same
// data, whatever order it is asked for in, so demos, tests and scale benchmarks are
// reproducible. It builds domain values (graded through the audit package, as the API would);
// storing them is the caller's business.
package demogen

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/refurbqa/refurbqa/grading"
)

// Scale-mode volumes: the marketplace-scale data set has about 1,000,000 bench tests and
// 20,000 mystery orders for 1,800 sellers over 12 months, i.e. per seller and month:
const (
	scaleBenchPerSellerMonth  = 1_000_000.0 / (1800 * 12)
	scaleOrdersPerSellerMonth = 20_000.0 / (1800 * 12)
	// demoBenchPerSellerMonth is the bench tests of an average seller in a month of the demo.
	demoBenchPerSellerMonth = 24.0
	// ordersPerMonth is the average seller's orders in a month (KPIs).
	ordersPerMonth = 140.0
)

// Config says what to generate.
type Config struct {
	Seed    uint64
	Sellers int
	// From and To bound the data, [From, To), at midnight UTC. Months are calendar months
	// clipped to the range.
	From, To time.Time
	// Scale switches to marketplace-scale volumes (scaleBenchPerSellerMonth…) and makes every
	// seller active from the first month, so that every seller has a KPI month in every month.
	Scale bool
	// Protocols are the functional test protocols, to build and grade inspections.
	Protocols grading.Protocols
}

// Month is one calendar month of the data, clipped to [From, To).
type Month struct {
	Index      int
	Start, End time.Time
	// Label is the calendar month, YYYY-MM, of the KPI figures.
	Label    string
	weekdays []time.Time // the midnights of its business days
	share    float64     // the part of the calendar month it covers, which scales its volumes
}

// Seller is one generated seller.
type Seller struct {
	Index        int
	Name         string
	Country      string
	ContactEmail string
	Archetype    Archetype
	Lab          string
	// JoinMonth is the first month with data (the last one for a brand-new seller).
	JoinMonth int
	// CreatedAt is when the seller registered.
	CreatedAt time.Time
	size      float64 // volume relative to an average seller
}

// Generator produces the data of one configuration.
type Generator struct {
	cfg        Config
	months     []Month
	sellers    []Seller
	benchBase  float64 // bench tests per month of a seller of volume 1
	ordersBase float64 // multiplier of a profile's mystery orders per month
}

// New checks cfg and lays out the months and sellers.
func New(cfg Config) (*Generator, error) {
	if cfg.Sellers < 1 {
		return nil, errors.New("demo: at least one seller")
	}
	if !cfg.From.Before(cfg.To) {
		return nil, errors.New("demo: from must be before to")
	}
	if cfg.Protocols == nil {
		return nil, errors.New("demo: no protocols")
	}
	g := &Generator{cfg: cfg}
	g.layoutMonths()
	if len(g.months) > 120 {
		return nil, fmt.Errorf("demo: %d months is too long a range (at most 120)", len(g.months))
	}
	g.layoutSellers()
	return g, nil
}

// Months returns the months of the data, oldest first.
func (g *Generator) Months() []Month { return g.months }

// Sellers returns the sellers, in creation order.
func (g *Generator) Sellers() []Seller { return g.sellers }

// Config returns the configuration g generates, so that whoever stores the data (the demo
// simulation) knows its seed, range and scale without being told twice.
func (g *Generator) Config() Config { return g.cfg }

func (g *Generator) layoutMonths() {
	from, to := g.cfg.From.UTC(), g.cfg.To.UTC()
	for start := from; start.Before(to); {
		y, m, _ := start.Date()
		end := time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
		if end.After(to) {
			end = to
		}
		first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		mo := Month{Index: len(g.months), Start: start, End: end, Label: first.Format("2006-01"),
			share: end.Sub(start).Hours() / first.AddDate(0, 1, 0).Sub(first).Hours()}
		for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				mo.weekdays = append(mo.weekdays, time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC))
			}
		}
		if len(mo.weekdays) == 0 {
			mo.weekdays = []time.Time{time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)}
		}
		g.months = append(g.months, mo)
		start = end
	}
}

// layoutSellers names the sellers and gives each an archetype: one of each archetype first
// (as far as the number of sellers allows), the others drawn with the archetypes' weights,
// all shuffled, so that even a small demo shows every kind.
func (g *Generator) layoutSellers() {
	r := newRand(g.cfg.Seed, streamSellers, 0, 0)
	n := g.cfg.Sellers
	kinds := make([]Archetype, 0, n)
	for _, a := range Archetypes {
		if len(kinds) < n {
			kinds = append(kinds, a)
		}
	}
	weights := make([]float64, len(Archetypes))
	for i, a := range Archetypes {
		weights[i] = profiles[a].weight
	}
	for len(kinds) < n {
		kinds = append(kinds, Archetypes[pick(r, weights)])
	}
	r.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })

	names := sellerNames(r, n)
	last := len(g.months) - 1
	first := g.months[0].Start
	totalVolume, totalOrders := 0.0, 0.0
	for i := range n {
		a := kinds[i]
		s := Seller{
			Index: i, Name: names[i][0], Country: names[i][1], Archetype: a,
			ContactEmail: fmt.Sprintf("quality.%04d@sellers.example", i+1),
			Lab:          labOf(names[i][1]),
			// Lognormal sizes: most sellers are small, a few are large.
			size: math.Exp(0.5*r.NormFloat64()) / math.Exp(0.125),
		}
		// Established sellers registered before the data starts; a brand-new one joined in
		// the first days of the last month (in scale mode every seller is established).
		s.CreatedAt = first.AddDate(0, 0, -120+i%60).Add(time.Duration(9+i%8) * time.Hour)
		if a == BrandNew && !g.cfg.Scale {
			s.JoinMonth = last
			m := g.months[last]
			s.CreatedAt = m.Start.Add(min(m.End.Sub(m.Start)/4, 72*time.Hour)).Add(time.Duration(i%5) * time.Hour)
		}
		p := profiles[a]
		for _, m := range g.months[s.JoinMonth:] {
			totalVolume += s.size * p.volume * m.share
			totalOrders += p.orders * m.share
		}
		g.sellers = append(g.sellers, s)
	}
	months := 0.0
	for _, m := range g.months {
		months += m.share
	}
	if g.cfg.Scale {
		g.benchBase = scaleBenchPerSellerMonth * float64(n) * months / totalVolume
		g.ordersBase = scaleOrdersPerSellerMonth * float64(n) * months / max(totalOrders, 1)
	} else {
		g.benchBase = demoBenchPerSellerMonth
		g.ordersBase = 1
	}
}

// active reports whether s has data in month m.
func (g *Generator) active(s Seller, m Month) bool { return m.Index >= s.JoinMonth }

// businessTime returns a random instant of a business day of m, during lab hours.
func businessTime(r *rand.Rand, m Month) time.Time {
	d := m.weekdays[r.IntN(len(m.weekdays))]
	t := d.Add(time.Duration(uniform(r, 7.5, 18.5) * float64(time.Hour))).Truncate(time.Second)
	if t.Before(m.Start) {
		t = m.Start
	}
	if !t.Before(m.End) {
		t = m.End.Add(-time.Minute)
	}
	return t
}
