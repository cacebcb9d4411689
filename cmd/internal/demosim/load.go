package demosim

import (
	"context"
	"runtime"
	"slices"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/cmd/internal/demogen"
)

// Totals count the records stored.
type Totals struct {
	BenchTests, MysteryOrders, KPIMonths int
}

// registerSellers registers the sellers that join with month m (JoinMonth == m.Index), in
// the order of their creation times, each created at its own time.
func (r *run) registerSellers(ctx context.Context, m demogen.Month) error {
	var joining []demogen.Seller
	for _, s := range r.sellers {
		if s.JoinMonth == m.Index {
			joining = append(joining, s)
		}
	}
	slices.SortStableFunc(joining, func(a, b demogen.Seller) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for chunk := range slices.Chunk(joining, sellerRows) {
		in := make([]audit.Seller, len(chunk))
		for i, s := range chunk {
			in[i] = audit.Seller{Name: s.Name, Country: s.Country, ContactEmail: s.ContactEmail, CreatedAt: s.CreatedAt}
		}
		if err := r.sched.advance(ctx, chunk[len(chunk)-1].CreatedAt); err != nil {
			return err
		}
		out, err := r.deps.Loader.LoadSellers(ctx, admin(), in)
		if err != nil {
			return err
		}
		for i, s := range out {
			r.ids[chunk[i].Index] = s.ID
			r.byID[s.ID] = chunk[i].Index
		}
	}
	if len(joining) > 0 {
		r.deps.Progress.Registered(m, len(joining))
	}
	return nil
}

// loadMonth registers the sellers joining with month m, then generates and stores its bench
// tests, mystery orders and KPI figures. Bench tests are stored in chunks in the order they were
// tested, each chunk as if uploaded by the lab an hour after its last test, and the month's
// device lots are inspected from them right after; mystery orders are logged on delivery, the
// month's last ones an hour before it ends; sellers report the month's figures at 9:00 the
// next morning.
func (r *run) loadMonth(ctx context.Context, m demogen.Month) error {
	chunk := demoChunk
	if r.scale {
		chunk = scaleChunk
	}
	if err := r.registerSellers(ctx, m); err != nil {
		return err
	}
	var bench []audit.BenchTest
	var orders []audit.MysteryOrder
	var kpis []audit.KPIMonth
	flush := func() error {
		if len(bench) == 0 {
			return nil
		}
		slices.SortStableFunc(bench, func(a, b audit.BenchTest) int { return a.TestedAt.Compare(b.TestedAt) })
		if err := r.sched.advance(ctx, bench[len(bench)-1].TestedAt.Add(time.Hour)); err != nil {
			return err
		}
		ids, err := r.deps.Loader.LoadBenchTests(ctx, admin(), bench)
		if err != nil {
			return err
		}
		r.stored(bench, ids)
		r.totals.BenchTests += len(bench)
		bench = bench[:0]
		return nil
	}
	done := make(chan struct{})
	defer close(done)
	// A fresh set of slots per month: an early return leaves no slot taken for the next.
	slots := make(chan struct{}, genAhead)
	results := r.generate(m, slots, done)
	for i := range r.sellers {
		res := <-results[i]
		<-slots
		if res.err != nil {
			return res.err
		}
		bench = append(bench, res.bench...)
		orders = append(orders, res.orders...)
		if res.kpi != nil {
			kpis = append(kpis, *res.kpi)
		}
		if len(bench) >= chunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if !r.scale {
		if err := r.inspectDeviceLots(ctx, m); err != nil {
			return err
		}
	}
	slices.SortStableFunc(orders, func(a, b audit.MysteryOrder) int { return a.OrderedAt.Compare(b.OrderedAt) })
	if err := r.sched.advance(ctx, m.End.Add(-time.Hour)); err != nil {
		return err
	}
	if _, err := r.deps.Loader.LoadMysteryOrders(ctx, admin(), orders); err != nil {
		return err
	}
	r.totals.MysteryOrders += len(orders)
	if err := r.sched.advance(ctx, m.End.Add(9*time.Hour)); err != nil {
		return err
	}
	if _, err := r.deps.Loader.LoadKPIMonths(ctx, admin(), kpis); err != nil {
		return err
	}
	r.totals.KPIMonths += len(kpis)
	r.deps.Progress.Loaded(m, r.totals)
	return nil
}

// sellerMonth is the generated data of one seller in one month.
type sellerMonth struct {
	bench  []audit.BenchTest
	orders []audit.MysteryOrder
	kpi    *audit.KPIMonth
	err    error
}

// generate produces every seller's data for month m on up to four cores; the results arrive in
// seller order, one channel per seller, so that what is stored (and so the ids drawn) does not
// depend on scheduling. A seller is generated only once it has taken a slot (the caller frees
// one per result it takes), which bounds memory at marketplace scale; closing done stops it.
func (r *run) generate(m demogen.Month, slots chan struct{}, done <-chan struct{}) []chan sellerMonth {
	out := make([]chan sellerMonth, len(r.sellers))
	for i := range out {
		out[i] = make(chan sellerMonth, 1)
	}
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range r.sellers {
			select {
			case slots <- struct{}{}:
			case <-done:
				return
			}
			next <- i
		}
	}()
	workers := max(1, min(4, runtime.GOMAXPROCS(0)))
	for range workers {
		go func() {
			for i := range next {
				s, id := r.sellers[i], r.ids[i]
				var res sellerMonth
				res.bench, res.err = r.gen.BenchTests(s, id, m)
				if res.err == nil {
					res.orders, res.err = r.gen.MysteryOrders(s, id, m)
				}
				if k, ok := r.gen.KPIMonth(s, id, m); ok {
					res.kpi = &k
				}
				out[i] <- res
			}
		}()
	}
	return out
}
