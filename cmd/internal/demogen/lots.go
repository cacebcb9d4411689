package demogen

import (
	"fmt"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/sampling"
)

// Lot inspection by sampling (lots.md) in the demo: a few sellers have their stock inspected in
// monthly device lots, sampled from their own bench tests, and three suppliers deliver parts
// lots whose fate is written in advance, so that every demo shows an accepted and a rejected
// lot, a stream on tightened inspection and a discontinued one. The decisions themselves are
// the domain's: the generator only invents the parts and their defects, and which devices are
// sampled; the simulation records them through the lot use cases.

// lotArchetypes are the kinds of seller whose first seller has its stock inspected in lots,
// with the grade its lots are listed under (none: the lot states no listed grade). An
// over-grader's devices fall short of their listing and its lots are rejected.
var lotArchetypes = []struct {
	archetype Archetype
	listed    grading.Marketplace
}{
	{Exemplary, ""},
	{OverGrader, grading.Excellent},
	{BatteryCheat, grading.Good},
	{LCDSwapper, grading.Good},
}

// DeviceLot is one monthly lot of a seller's stock: what the lab states when it creates it.
// Its samples are the seller's bench tests of the month, in the order tested.
type DeviceLot struct {
	Ref         string
	Size        int
	ListedGrade grading.Marketplace
}

// DeviceLotMin is the fewest judgeable bench tests a seller's month needs for its lot: the
// largest sample of a lot of 16 to 25 devices (code letter C, tightened, major AQL 2.5), so that
// every lot is decided whatever its stream's severity.
const DeviceLotMin = 8

// LotSellers returns the sellers whose stock is inspected in lots: the first of each kind of
// lotArchetypes, by index (none in scale mode).
func (g *Generator) LotSellers() []Seller {
	var out []Seller
	for _, s := range g.sellers {
		if _, ok := g.lotListing(s); ok {
			out = append(out, s)
		}
	}
	return out
}

// lotListing returns the grade the lots of s are listed under, and false when s has no lots.
func (g *Generator) lotListing(s Seller) (grading.Marketplace, bool) {
	if g.cfg.Scale {
		return "", false
	}
	for _, la := range lotArchetypes {
		if s.Archetype != la.archetype {
			continue
		}
		for _, first := range g.sellers {
			if first.Archetype == la.archetype {
				return la.listed, first.Index == s.Index
			}
		}
	}
	return "", false
}

// DeviceLot returns the lot of seller s's stock in month m, and false when s has none (it is
// not one of LotSellers, or not active then). A lot holds 16 to 25 devices.
func (g *Generator) DeviceLot(s Seller, m Month) (DeviceLot, bool) {
	listed, ok := g.lotListing(s)
	if !ok || !g.active(s, m) {
		return DeviceLot{}, false
	}
	r := newRand(g.cfg.Seed, streamLots, s.Index, m.Index)
	return DeviceLot{Ref: "STOCK-" + m.Label, Size: between(r, 16, 25), ListedGrade: listed}, true
}

// Supplier is a supplier of spare parts of one type, and so one stream of parts lots, with the
// fate written for each of its lots (PartsLots).
type Supplier struct {
	Index    int
	Name     string
	PartType audit.PartType
	prefix   string
	lotSize  int
	script   []bool                    // true for each lot meant to be rejected, in order
	reject   sampling.Class            // the class its rejected lots fail on
	defects  map[sampling.Class]string // the defect code of each class
}

// Suppliers returns the suppliers of the demo: a reliable one whose lots are all accepted, one
// whose rejections put it on tightened inspection, where it stays, and one rejected lot after
// lot until its stream is discontinued (lots.md §5). None in scale mode.
func (g *Generator) Suppliers() []Supplier {
	if g.cfg.Scale {
		return nil
	}
	const a, r = false, true
	return []Supplier{
		{Index: 0, Name: "Shenzhen BrightView Display Co.", PartType: "screen", prefix: "BV", lotSize: 50,
			script: []bool{a, a, a, a}, reject: sampling.Major,
			defects: map[sampling.Class]string{sampling.Critical: "glass_cracked", sampling.Major: "touch_dead_zone", sampling.Minor: "bezel_scuff"}},
		{Index: 1, Name: "VoltCell Energy Ltd.", PartType: "battery", prefix: "VC", lotSize: 45,
			script: []bool{r, a, r, a, a}, reject: sampling.Major,
			defects: map[sampling.Class]string{sampling.Critical: "cell_swollen", sampling.Major: "capacity_below_spec", sampling.Minor: "label_misprint"}},
		{Index: 2, Name: "Ningbo FastFix Components", PartType: "charging_port", prefix: "NF", lotSize: 60,
			script: []bool{r, r, r, r, r, r, r}, reject: sampling.Critical,
			defects: map[sampling.Class]string{sampling.Critical: "pins_shorted", sampling.Major: "loose_connector", sampling.Minor: "flex_crease"}},
	}
}

// PartsLot is one lot of a supplier: what the lab states, when it is inspected, and whether it
// is meant to fail.
type PartsLot struct {
	Index      int
	Ref        string
	Size       int
	ReceivedAt time.Time
	// InspectAt is when the lab samples it, at 10:00 (plus an hour per supplier) of a day of the
	// data: the lots of a supplier are spread evenly over the range.
	InspectAt time.Time
	Reject    bool
}

// PartsLots returns the lots of supplier s, in the order they are inspected.
func (g *Generator) PartsLots(s Supplier) []PartsLot {
	from, to := g.cfg.From.UTC(), g.cfg.To.UTC()
	span := to.Sub(from)
	out := make([]PartsLot, len(s.script))
	for k, reject := range s.script {
		at := from.Add(time.Duration((float64(k) + 0.35 + 0.1*float64(s.Index)) / float64(len(s.script)) * float64(span)))
		day := time.Date(at.Year(), at.Month(), at.Day(), 10+s.Index, 0, 0, 0, time.UTC)
		if day.Before(from) || !day.Before(to) {
			day = at.Truncate(time.Second)
		}
		out[k] = PartsLot{Index: k, Ref: fmt.Sprintf("%s-%s-%02d", s.prefix, day.Format("0601"), k+1), Size: s.lotSize,
			ReceivedAt: day.Add(-26 * time.Hour), InspectAt: day, Reject: reject}
	}
	return out
}

// Parts returns the parts the lab samples from lot l of supplier s, in the order they are
// logged, for the plan the lot was given (its sample size and each class's numbers). A lot
// meant to fail has as many parts defective in the supplier's rejecting class as that class
// rejects on, among its class sample; any other lot has at most as many major and minor
// defects as its plan accepts, and no critical one, so its fate is the one written whatever
// its severity — which the domain decides, from these parts.
func (g *Generator) Parts(s Supplier, l PartsLot, plan sampling.Plan) []audit.NewLotSample {
	r := newRand(g.cfg.Seed, streamLots, 1<<10|s.Index, l.Index)
	out := make([]audit.NewLotSample, plan.SampleSize)
	for k := range out {
		out[k] = audit.NewLotSample{Serial: fmt.Sprintf("%s%s%03d", s.prefix, l.InspectAt.Format("060102"), k+1), Defects: []audit.Defect{}}
	}
	mark := func(c sampling.Class, n int, note string) {
		cp := plan.For(c)
		for _, i := range r.Perm(min(cp.SampleSize, plan.SampleSize))[:min(n, cp.SampleSize, plan.SampleSize)] {
			out[i].Defects = append(out[i].Defects, audit.Defect{Class: c, Code: s.defects[c], Note: note})
		}
	}
	if l.Reject {
		mark(s.reject, plan.For(s.reject).Reject, "found on incoming inspection")
		return out
	}
	for _, c := range []sampling.Class{sampling.Major, sampling.Minor} {
		if ac := plan.For(c).Accept; ac > 0 {
			mark(c, r.IntN(ac+1), "")
		}
	}
	return out
}
