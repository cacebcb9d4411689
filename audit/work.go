package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/grading"
)

// WorkKind says which record a piece of Work is.
type WorkKind string

// The kinds of a technician's work.
const (
	WorkBenchTest    WorkKind = "bench_test"
	WorkMysteryOrder WorkKind = "mystery_order"
)

// Work is one record of a technician's own work, a bench test or a mystery order, with what a
// list of recent work shows of either: a technician going back over the day's devices looks
// for the device, its grade and whether it was corrected, whichever kind of record it is.
type Work struct {
	Kind     WorkKind
	ID       string
	SellerID string
	// Ref is the record's own reference: the lab's id of a bench test (empty when none), the
	// order_ref of a mystery order.
	Ref    string
	Device grading.Device
	Grade  grading.Grade
	// Supersedes is the record this one corrects; SupersededBy the correction of this one
	// (each empty when none).
	Supersedes   string
	SupersededBy string
	CreatedAt    time.Time
}

func benchTestWork(r BenchTestRecord) Work {
	return Work{Kind: WorkBenchTest, ID: r.ID, SellerID: r.SellerID, Ref: r.ExternalID,
		Device: r.Inspection.Device, Grade: r.Grade, Supersedes: r.Supersedes, SupersededBy: r.SupersededBy,
		CreatedAt: r.CreatedAt}
}

func mysteryOrderWork(r MysteryOrderRecord) Work {
	return Work{Kind: WorkMysteryOrder, ID: r.ID, SellerID: r.SellerID, Ref: r.OrderRef,
		Device: r.Inspection.Device, Grade: r.Grade, Supersedes: r.Supersedes, SupersededBy: r.SupersededBy,
		CreatedAt: r.CreatedAt}
}

// RecentWork lists the work of the person behind by: the bench tests and mystery orders they
// recorded (corrections included), merged into one list newest first, and the cursor of the
// next page ("" after the last). A technician sees their own work here, and nobody else's;
// sellers record none (ErrForbidden).
//
// Ids sort by creation whatever their kind (the time part after the prefix), so the merged
// list is ordered by that part, and its cursor, the id of the last record served, continues
// both lists from the same instant.
func (s *Service) RecentWork(ctx context.Context, by Principal, p Page) ([]Work, string, error) {
	if by.Role == RoleSeller {
		return nil, "", fmt.Errorf("recent work: a seller records no bench work: %w", ErrForbidden)
	}
	limit := p.Limit
	switch {
	case limit <= 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	bench, orders := Page{Limit: limit}, Page{Limit: limit}
	pos, err := DecodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	if pos != "" {
		kind, at, ok := strings.Cut(pos, "_")
		if !ok || at == "" || kind != PrefixBenchTest && kind != PrefixMysteryOrder {
			return nil, "", BadCursor()
		}
		bench.Cursor = EncodeCursor(PrefixBenchTest + "_" + at)
		orders.Cursor = EncodeCursor(PrefixMysteryOrder + "_" + at)
	}
	bts, btNext, err := s.store.BenchTests(ctx, BenchTestFilter{TechnicianKeyID: by.KeyID, NewestFirst: true}, bench)
	if err != nil {
		return nil, "", err
	}
	mos, moNext, err := s.store.MysteryOrders(ctx, MysteryOrderFilter{TechnicianKeyID: by.KeyID, NewestFirst: true}, orders)
	if err != nil {
		return nil, "", err
	}
	out := make([]Work, 0, min(limit, len(bts)+len(mos)))
	i, j := 0, 0
	for len(out) < limit && (i < len(bts) || j < len(mos)) {
		if j == len(mos) || i < len(bts) && idTime(bts[i].ID) > idTime(mos[j].ID) {
			out = append(out, benchTestWork(bts[i]))
			i++
			continue
		}
		out = append(out, mysteryOrderWork(mos[j]))
		j++
	}
	// More remain when either list was cut here, or had a page after this one.
	if i < len(bts) || j < len(mos) || btNext != "" || moNext != "" {
		return out, EncodeCursor(out[len(out)-1].ID), nil
	}
	return out, "", nil
}

// idTime is the part of an id after its prefix, which sorts by creation time across kinds.
func idTime(id string) string {
	_, at, _ := strings.Cut(id, "_")
	return at
}
