package demosim

import (
	"context"
	"fmt"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/cmd/internal/demogen"
	"github.com/refurbqa/refurbqa/sampling"
)

// Inspector is the lot use cases the simulation plays as the lab does (lots.md): creating a
// lot, which draws its plan and sample positions, and adding its samples one at a time until
// the lot is decided. The decisions and the streams' switching are the domain's.
type Inspector interface {
	CreateLot(ctx context.Context, by audit.Principal, in audit.NewLot) (audit.Lot, error)
	AddLotSample(ctx context.Context, by audit.Principal, lotID string, in audit.NewLotSample) (audit.Lot, error)
}

// technician is the lab of the simulation, which inspects the lots.
func technician() audit.Principal { return audit.Principal{KeyID: keyID, Role: audit.RoleTechnician} }

// sampleGap is the time the lab takes per sampled unit it logs.
const sampleGap = 30 * time.Second

// LotCounts count the lots the simulation inspected and where their streams ended.
type LotCounts struct {
	DeviceLots, PartsLots int
	// Sellers and Suppliers count the sources with at least one lot.
	Sellers, Suppliers int
	Samples            int
	Accepted, Rejected int
	// Tightened and Discontinued count the streams in that state at the end (lots.md §5).
	Tightened, Discontinued int
}

// benchRef is a stored bench test the lab may sample into its seller's lot.
type benchRef struct {
	id       string
	testedAt time.Time
}

// lotState follows the lots of one simulation: the bench tests of the month that lot sellers
// may sample, and each stream's switching state as its decisions come in.
type lotState struct {
	sellers map[int]bool                // seller index → has lots
	month   map[int][]benchRef          // seller index → judgeable bench tests of the month, in test order
	streams map[string]*sampling.Stream // source → state, for the summary
	counts  LotCounts
}

func newLotState(gen *demogen.Generator) *lotState {
	ls := &lotState{sellers: map[int]bool{}, month: map[int][]benchRef{}, streams: map[string]*sampling.Stream{}}
	for _, s := range gen.LotSellers() {
		ls.sellers[s.Index] = true
	}
	return ls
}

// stored notes the bench tests just stored (ids in the order of bench) that a lot seller's lot
// of the month may sample: those that can be judged (lots.md §2).
func (r *run) stored(bench []audit.BenchTest, ids []string) {
	for i, bt := range bench {
		k, ok := r.byID[bt.SellerID]
		if !ok || !r.lots.sellers[k] {
			continue
		}
		if _, judgeable := sampling.JudgeDevice(bt.Grade, ""); judgeable {
			r.lots.month[k] = append(r.lots.month[k], benchRef{id: ids[i], testedAt: bt.TestedAt})
		}
	}
}

// decided records the decision of a lot of source on its stream.
func (r *run) decided(source string, l audit.Lot) error {
	st := r.lots.streams[source]
	if st == nil {
		st = &sampling.Stream{}
		r.lots.streams[source] = st
	}
	next, err := st.Record(l.Decision)
	if err != nil {
		return err
	}
	*st = next
	if l.Decision == sampling.Rejected {
		r.lots.counts.Rejected++
	} else {
		r.lots.counts.Accepted++
	}
	return nil
}

// inspectDeviceLots has the lab inspect, once month m's bench tests are stored, the month's
// lot of each lot seller: it creates the lot, received a little before its first test, then
// samples the seller's bench tests of the month in the order tested until the lot is decided.
// A month with fewer judgeable bench tests than the largest sample a lot may need has no lot,
// and neither has a seller whose stream was discontinued (lots.md §5: it takes no lot until a
// manager resumes it, which the demo leaves to the people trying it).
func (r *run) inspectDeviceLots(ctx context.Context, m demogen.Month) error {
	defer clear(r.lots.month)
	for _, s := range r.gen.LotSellers() {
		spec, ok := r.gen.DeviceLot(s, m)
		tests := r.lots.month[s.Index]
		if !ok || len(tests) < demogen.DeviceLotMin {
			continue
		}
		if st := r.lots.streams["devices:"+r.ids[s.Index]]; st != nil && st.Current() == sampling.StateDiscontinued {
			continue
		}
		received := tests[0].testedAt.Add(-2 * time.Hour).Truncate(time.Hour)
		l, err := r.deps.Inspector.CreateLot(ctx, technician(), audit.NewLot{Kind: audit.LotDevices, LotRef: spec.Ref,
			LotSize: spec.Size, SellerID: r.ids[s.Index], ListedGrade: spec.ListedGrade, ReceivedAt: received})
		if err != nil {
			return fmt.Errorf("device lot %s of seller %s: %w", spec.Ref, r.ids[s.Index], err)
		}
		id := l.ID
		for _, bt := range tests[:min(l.Plan.SampleSize, len(tests))] {
			if err := r.sched.advance(ctx, r.deps.Clock.Now().Add(sampleGap)); err != nil {
				return err
			}
			if l, err = r.deps.Inspector.AddLotSample(ctx, technician(), id, audit.NewLotSample{BenchTestID: bt.id}); err != nil {
				return fmt.Errorf("device lot %s: %w", id, err)
			}
			r.lots.counts.Samples++
			if l.Decided() {
				break
			}
		}
		if !l.Decided() {
			return fmt.Errorf("device lot %s: %d samples left it %s", l.ID, l.Plan.SampleSize, l.Decision)
		}
		if r.lots.counts.DeviceLots++; r.lots.streams["devices:"+r.ids[s.Index]] == nil {
			r.lots.counts.Sellers++
		}
		if err := r.decided("devices:"+r.ids[s.Index], l); err != nil {
			return err
		}
	}
	return nil
}

// scheduleLots plans the suppliers' parts lots, each inspected at its time: created, then its
// parts logged one by one until the domain decides it. A database that had sellers before
// already holds the suppliers' streams, so a second load adds no parts lots.
func (r *run) scheduleLots(existing uint64) {
	if existing > 0 {
		return
	}
	for _, s := range r.gen.Suppliers() {
		source := "parts:" + s.Name + ":" + string(s.PartType)
		for _, pl := range r.gen.PartsLots(s) {
			r.sched.push(pl.InspectAt, func(ctx context.Context) error {
				return r.inspectPartsLot(ctx, s, pl, source)
			})
		}
	}
}

// inspectPartsLot creates parts lot pl of supplier s and logs its parts until it is decided,
// each a little after the one before.
func (r *run) inspectPartsLot(ctx context.Context, s demogen.Supplier, pl demogen.PartsLot, source string) error {
	l, err := r.deps.Inspector.CreateLot(ctx, technician(), audit.NewLot{Kind: audit.LotParts, LotRef: pl.Ref, LotSize: pl.Size,
		Supplier: s.Name, PartType: s.PartType, ReceivedAt: pl.ReceivedAt})
	if err != nil {
		return fmt.Errorf("parts lot %s of %s: %w", pl.Ref, s.Name, err)
	}
	id := l.ID
	for _, part := range r.gen.Parts(s, pl, l.Plan) {
		r.sched.setClock(r.deps.Clock.Now().Add(sampleGap))
		if l, err = r.deps.Inspector.AddLotSample(ctx, technician(), id, part); err != nil {
			return fmt.Errorf("parts lot %s: %w", id, err)
		}
		r.lots.counts.Samples++
		if l.Decided() {
			break
		}
	}
	if !l.Decided() {
		return fmt.Errorf("parts lot %s: %d samples left it %s", l.ID, l.Plan.SampleSize, l.Decision)
	}
	if r.lots.counts.PartsLots++; r.lots.streams[source] == nil {
		r.lots.counts.Suppliers++
	}
	return r.decided(source, l)
}

// lotCounts counts the lots and the streams' end states.
func (r *run) lotCounts() LotCounts {
	c := r.lots.counts
	for _, st := range r.lots.streams {
		switch st.Current() {
		case sampling.StateTightened:
			c.Tightened++
		case sampling.StateDiscontinued:
			c.Discontinued++
		}
	}
	return c
}
