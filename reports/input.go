package reports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
)

// Source is what a report reads, as the storage adapter (package store) provides it. It speaks
// the domain's types only; every string the report prints is made here, in reports, and who may
// see what is decided by the Builder, never by the source. The evidence methods are given the
// ids of one kind of record at once, so that a report reads a handful of queries whatever the
// size of its evidence; an id without a record is left out of the answer.
type Source interface {
	Seller(ctx context.Context, id string) (audit.Seller, error)
	Scorecard(ctx context.Context, id string) (audit.Scorecard, error)
	Scorecards(ctx context.Context, f audit.ScorecardFilter, p audit.Page) ([]audit.Scorecard, string, error)
	CorrectiveActions(ctx context.Context, f audit.ActionFilter, p audit.Page) ([]audit.CorrectiveAction, string, error)
	// BenchTestEvidence and MysteryOrderEvidence read the devices of the given bench tests
	// and mystery orders.
	BenchTestEvidence(ctx context.Context, ids []string) ([]audit.DeviceEvidence, error)
	MysteryOrderEvidence(ctx context.Context, ids []string) ([]audit.DeviceEvidence, error)
	// KPIMonthsByID and CorrectiveActionsByID read the given KPI months and corrective
	// actions, of any seller.
	KPIMonthsByID(ctx context.Context, ids []string) ([]audit.KPIMonth, error)
	CorrectiveActionsByID(ctx context.Context, ids []string) ([]audit.CorrectiveAction, error)
	// OrderGrades reads the grades of the seller's mystery orders placed in the period,
	// corrected ones and their corrections included.
	OrderGrades(ctx context.Context, sellerID string, p audit.Period) ([]audit.OrderGrade, error)
	// DecidedDeviceLots reads the seller's device lots decided (accepted or rejected) in the
	// period: the lots its audit counts, which a seller may see (lots.md §6–7).
	DecidedDeviceLots(ctx context.Context, sellerID string, p audit.Period) ([]audit.Lot, error)
	// The values behind the marketplace benchmark of a period, which an approved
	// scorecard's report shows its points beside.
	audit.BenchmarkStore
}

// reportHistory is how many earlier scorecards a report reads for its trend (it shows six).
const reportHistory = 12

// Builder builds the input of a scorecard's feedback report: the one copy of that use case,
// which the HTTP API and the reports command both call. It decides what the caller may see: a
// seller gets only the reports of its own approved scorecards, whose history holds approved
// scorecards only; staff get the report of any scorecard, a superseded draft's included. It is
// safe for concurrent use.
type Builder struct {
	src Source
	// bench keeps the latest benchmark of each period, so that the reports of a period's
	// scorecards read its values once per approval, not once per report.
	bench *audit.Benchmarks
}

// NewBuilder returns a Builder reading from src.
func NewBuilder(src Source) *Builder { return &Builder{src: src, bench: audit.NewBenchmarks(src)} }

// Input reads the scorecard id and everything its report shows, as by may see them. A
// scorecard that by may not see is audit.ErrNotFound, exactly as if it did not exist.
func (b *Builder) Input(ctx context.Context, by audit.Principal, scorecardID string) (Input, error) {
	sc, err := b.src.Scorecard(ctx, scorecardID)
	if err != nil {
		return Input{}, err
	}
	return b.InputOf(ctx, by, sc)
}

// InputOf is Input for a scorecard the caller has read already (the reports command lists
// them first, and reading each one again would double its queries).
func (b *Builder) InputOf(ctx context.Context, by audit.Principal, sc audit.Scorecard) (Input, error) {
	if err := by.ScorecardVisible(sc); err != nil {
		return Input{}, err
	}
	in := Input{Scorecard: sc}
	var err error
	if in.Seller, err = b.src.Seller(ctx, sc.SellerID); err != nil {
		return Input{}, err
	}
	if in.History, err = b.history(ctx, by, sc); err != nil {
		return Input{}, err
	}
	if in.Evidence, err = b.evidence(ctx, sc); err != nil {
		return Input{}, err
	}
	if in.Orders, err = b.src.OrderGrades(ctx, sc.SellerID, sc.Period); err != nil {
		return Input{}, err
	}
	if in.Lots, err = b.src.DecidedDeviceLots(ctx, sc.SellerID, sc.Period); err != nil {
		return Input{}, err
	}
	lotEvidenceOf(failedEvidence(sc), in.Lots, in.Evidence)
	if in.Actions, err = b.actions(ctx, sc.SellerID); err != nil {
		return Input{}, err
	}
	if sc.Status == audit.Approved {
		cmps, err := b.bench.Compare(ctx, sc)
		if err != nil {
			return Input{}, err
		}
		in.Market = cmps[0]
	}
	return in, nil
}

// history reads the seller's latest scorecards up to this one's period end, those by may see:
// a caller who may not see the seller's drafts gets approved ones only, so that a seller's
// trend and change in score never reveal a review under way.
func (b *Builder) history(ctx context.Context, by audit.Principal, sc audit.Scorecard) ([]audit.Scorecard, error) {
	f := audit.ScorecardFilter{SellerID: sc.SellerID, To: sc.Period.End}
	if !by.SeesScorecard(sc.SellerID, audit.Draft) {
		f.Status = audit.Approved
	}
	list, _, err := b.src.Scorecards(ctx, f, audit.Page{Limit: reportHistory})
	if err != nil {
		return nil, err
	}
	var out []audit.Scorecard
	for _, h := range list {
		if h.ID != sc.ID && by.SeesScorecard(h.SellerID, h.Status) {
			out = append(out, h)
		}
	}
	return out, nil
}

// actions reads every corrective action of the seller (NewModel keeps those not closed).
func (b *Builder) actions(ctx context.Context, sellerID string) ([]audit.CorrectiveAction, error) {
	return audit.All(func(p audit.Page) ([]audit.CorrectiveAction, string, error) {
		return b.src.CorrectiveActions(ctx, audit.ActionFilter{SellerID: sellerID}, p)
	})
}

// evidence resolves the evidence ids of the scorecard's failed points (the only ones the
// report details) into report rows: one call per kind of record, each id once (lots come from
// the period's lots, read once for their own section). An id of no known kind stays
// unresolved, and the report shows it as a bare id.
func (b *Builder) evidence(ctx context.Context, sc audit.Scorecard) (map[string]Evidence, error) {
	var bt, mo, km, ca []string
	ids := failedEvidence(sc)
	for _, id := range ids {
		switch {
		case strings.HasPrefix(id, audit.PrefixBenchTest+"_"):
			bt = append(bt, id)
		case strings.HasPrefix(id, audit.PrefixMysteryOrder+"_"):
			mo = append(mo, id)
		case strings.HasPrefix(id, audit.PrefixKPIMonth+"_"):
			km = append(km, id)
		case strings.HasPrefix(id, audit.PrefixCorrectiveAction+"_"):
			ca = append(ca, id)
		}
	}
	out := make(map[string]Evidence, len(ids))
	if len(bt) > 0 {
		devices, err := b.src.BenchTestEvidence(ctx, bt)
		if err != nil {
			return nil, err
		}
		for _, d := range devices {
			out[d.ID] = deviceEvidence(EvidenceDevice, d)
		}
	}
	if len(mo) > 0 {
		devices, err := b.src.MysteryOrderEvidence(ctx, mo)
		if err != nil {
			return nil, err
		}
		for _, d := range devices {
			out[d.ID] = deviceEvidence(EvidenceOrder, d)
		}
	}
	if len(km) > 0 {
		months, err := b.src.KPIMonthsByID(ctx, km)
		if err != nil {
			return nil, err
		}
		for _, k := range months {
			out[k.ID] = kpiEvidence(k)
		}
	}
	if len(ca) > 0 {
		actions, err := b.src.CorrectiveActionsByID(ctx, ca)
		if err != nil {
			return nil, err
		}
		for _, a := range actions {
			out[a.ID] = actionEvidence(a)
		}
	}
	return out, nil
}

// failedEvidence lists the evidence ids of the scorecard's failed points, each once.
func failedEvidence(sc audit.Scorecard) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range sc.Result.Points {
		if p.Status != checklist.PointFail {
			continue
		}
		for _, id := range p.Evidence {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// deviceEvidence shows a device by brand and model, IMEI (or serial when it has none), the
// date it was tested or ordered, and its grade.
func deviceEvidence(kind string, d audit.DeviceEvidence) Evidence {
	e := Evidence{ID: d.ID, Kind: kind, Model: strings.TrimSpace(d.Brand + " " + d.Model),
		Identity: d.IMEI, Date: d.At, Grade: gradeLabel(d), OrderRef: d.OrderRef, DeliveredAt: d.DeliveredAt}
	if e.Identity == "" {
		e.Identity = d.Serial
	}
	return e
}

// gradeLabel reads like "F2 · C · not sellable": functional, cosmetic, then the listing grade
// or the status that kept the device off the market.
func gradeLabel(d audit.DeviceEvidence) string {
	fn := "incomplete"
	if d.Functional != "" {
		fn = string(d.Functional)
	}
	market := strings.ReplaceAll(string(d.Status), "_", " ")
	if d.Marketplace != "" {
		market = string(d.Marketplace)
	}
	return fn + " · " + string(d.Cosmetic) + " · " + market
}

// kpiEvidence describes a KPI month behind a logistics or service point by its figures.
func kpiEvidence(k audit.KPIMonth) Evidence {
	month, _ := audit.ParseMonth(k.Month)
	return Evidence{ID: k.ID, Kind: EvidenceKPI, Model: "Month " + k.Month, Date: month,
		Note: fmt.Sprintf("%d orders · %d shipped late · %d cancelled · %d technical returns · %d defective · %d/%d messages answered in 1 business day · %d/%d claims remedied in 5 business days · %d-month warranty",
			k.Orders, k.ShippedLate, k.CancelledBeforeShipment, k.TechnicalReturns30d, k.DefectiveOrders,
			k.MessagesAnsweredWithin1BD, k.MessagesReceived, k.WarrantyRemediedWithin5BD, k.WarrantyClaims, k.WarrantyMonths)}
}

// actionEvidence describes a corrective action behind QC25 by point, due date and state.
func actionEvidence(a audit.CorrectiveAction) Evidence {
	note := "due " + a.DueAt.Format(time.DateOnly)
	if a.ClosedAt != nil {
		note += " · closed " + a.ClosedAt.Format(time.DateOnly)
	} else {
		note += " · not closed"
	}
	return Evidence{ID: a.ID, Kind: EvidenceAction, Model: "Corrective action " + a.PointCode,
		Date: a.DueAt, Grade: strings.ReplaceAll(string(a.Status), "_", " "), Note: note}
}
