package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/sampling"
)

// The use cases of lot inspection by sampling (lots.md): creating a lot on its stream's
// severity with its sample positions drawn, adding samples one at a time until the lot is
// decided, the switching of each stream, and the supplier summary. The rules are package
// sampling's; this file applies them to stored lots and decides who may see what.

// LotKind says what a lot holds.
type LotKind string

// The kinds of lots (lots.md §1).
const (
	LotDevices LotKind = "devices"
	LotParts   LotKind = "parts"
)

// Valid reports whether k is a known kind.
func (k LotKind) Valid() bool { return k == LotDevices || k == LotParts }

// PartType is the kind of a spare part of a parts lot.
type PartType string

// PartTypes lists every part type of lots.md §1.
var PartTypes = []PartType{"screen", "battery", "back_glass", "camera", "charging_port", "housing", "other"}

// Valid reports whether t is a known part type.
func (t PartType) Valid() bool {
	for _, p := range PartTypes {
		if p == t {
			return true
		}
	}
	return false
}

// Limits of the lot inputs (lots.md §1, §2).
const (
	maxSupplierLen   = 200
	maxDefectCodeLen = 64
	maxPartDefects   = 100
)

// ID prefixes of the records of lot inspection.
const (
	PrefixLot       = "lot"
	PrefixLotSample = "ls"
	PrefixLotStream = "lst"
)

// Lot is one submission of like items inspected on a sample (lots.md §1): what it states, the
// plan it was given when it was created (never changed afterwards), its sample positions, and
// the tally of its samples so far, from which its decision follows. The tally is kept on the
// lot so that adding a sample costs the same however many are in.
type Lot struct {
	ID          string
	Kind        LotKind
	StreamID    string
	LotRef      string
	Level       sampling.Level
	AQL         sampling.AQLs
	SellerID    string              // devices only
	ListedGrade grading.Marketplace // devices only; empty when none
	Supplier    string              // parts only
	PartType    PartType            // parts only
	ReceivedAt  time.Time
	// Plan holds the lot size, the severity and the class plans.
	Plan      sampling.Plan
	Positions []int // sorted, 1..lot size
	Tally     sampling.Tally
	Decision  sampling.Decision
	DecidedAt *time.Time
	CreatedAt time.Time
	CreatedBy string
}

// Decided reports whether the lot is closed.
func (l Lot) Decided() bool {
	return l.Decision == sampling.Accepted || l.Decision == sampling.Rejected
}

// LotClass is one class of a lot as the API shows it: its plan, its count and its decision.
type LotClass struct {
	Plan     sampling.ClassPlan
	Count    sampling.Count
	Decision sampling.Decision
}

// Class returns the plan, count and decision of class c.
func (l Lot) Class(c sampling.Class) LotClass {
	cp := l.Plan.For(c)
	n := l.Tally.For(c)
	return LotClass{Plan: cp, Count: n, Decision: cp.Decide(n)}
}

// Defect is one defect logged on a sampled part.
type Defect struct {
	Class sampling.Class
	Code  string
	Note  string
}

// LotSample is one sampled unit of a lot, numbered 1, 2, … in the order received: a bench test
// of a device lot, or a part of a parts lot with its defects, and how it was judged.
type LotSample struct {
	ID          string
	LotID       string
	Number      int
	BenchTestID string // devices
	Serial      string // parts; empty when none
	Defects     []Defect
	Unit        sampling.Unit
	CreatedAt   time.Time
	CreatedBy   string
}

// LotStream is the sequence of lots of one source (a seller's devices, or one supplier's
// parts of one type), with the switching state of lots.md §5.
type LotStream struct {
	ID       string
	Kind     LotKind
	SellerID string
	Supplier string
	PartType PartType
	Stream   sampling.Stream
	// The last resumption of a discontinued stream (zero when never resumed).
	ResumedAt  *time.Time
	ResumedBy  string
	ResumeNote string
	CreatedAt  time.Time
}

// LotFilter narrows a list of lots. Zero fields do not filter.
type LotFilter struct {
	Kind     LotKind
	SellerID string
	Supplier string
	Decision sampling.Decision
	// DecidedOnly keeps the accepted and rejected lots (a seller's view).
	DecidedOnly bool
	From, To    time.Time // received_at in [From, To)
	// DecidedFrom and DecidedTo keep the lots decided in [DecidedFrom, DecidedTo) (the
	// managers' "lots rejected this month"); either bound set keeps decided lots only.
	DecidedFrom, DecidedTo time.Time
	// NewestFirst lists in reverse creation order, the cursor then moving to older lots.
	NewestFirst bool
}

// LotStreamFilter narrows a list of lot streams. Zero fields do not filter.
type LotStreamFilter struct {
	Kind     LotKind
	SellerID string
	Supplier string
}

// SupplierSummary is what a buyer of parts needs of one supplier and part type over a period:
// its decided lots, how many were rejected, and the share of nonconforming units per class
// over all the samples of those lots.
type SupplierSummary struct {
	Supplier     string
	PartType     PartType
	LotsDecided  int
	LotsRejected int
	Samples      int
	Critical     int // samples nonconforming in each class
	Major        int
	Minor        int
}

// RejectionRate is the share of the decided lots that were rejected (0 when none was decided).
func (s SupplierSummary) RejectionRate() float64 { return rate(s.LotsRejected, s.LotsDecided) }

// NonconformingRate is the share of the samples nonconforming in class c (0 without samples).
func (s SupplierSummary) NonconformingRate(c sampling.Class) float64 {
	switch c {
	case sampling.Critical:
		return rate(s.Critical, s.Samples)
	case sampling.Major:
		return rate(s.Major, s.Samples)
	case sampling.Minor:
		return rate(s.Minor, s.Samples)
	}
	return 0
}

// NewLot is a lot as a client states it (lots.md §6). Nil AQLs and an empty level take the
// defaults.
type NewLot struct {
	Kind        LotKind
	LotRef      string
	LotSize     int
	Level       sampling.Level
	AQLMajor    *float64
	AQLMinor    *float64
	SellerID    string
	ListedGrade grading.Marketplace
	Supplier    string
	PartType    PartType
	ReceivedAt  time.Time
}

// NewLotSample is a sample as a client states it: a bench test for a device lot, a part with
// its defects for a parts lot. Defects is nil when the client left it out, which a parts lot
// refuses, and empty for a conforming part.
type NewLotSample struct {
	BenchTestID string
	Serial      string
	Defects     []Defect
}

// streamKey is the stream a lot belongs to: the seller of devices, or the supplier and part
// type of parts.
func (n NewLot) streamKey() LotStream {
	if n.Kind == LotDevices {
		return LotStream{Kind: LotDevices, SellerID: n.SellerID}
	}
	return LotStream{Kind: LotParts, Supplier: n.Supplier, PartType: n.PartType}
}

// checkNewLot checks a lot as stated and returns its level and AQLs, defaults applied.
func checkNewLot(in Input[NewLot]) (sampling.Level, sampling.AQLs, error) {
	n := in.Value
	var errs fieldErrors
	errs.line("lot_ref", n.LotRef, maxRefLen)
	if n.LotSize < sampling.MinLotSize || n.LotSize > sampling.MaxLotSize {
		errs.add("lot_size", "must be an integer from %d to %d", sampling.MinLotSize, sampling.MaxLotSize)
	}
	level := n.Level
	if level == "" {
		level = sampling.DefaultLevel
	} else if !level.Valid() {
		errs.add("inspection_level", "must be I, II or III")
	}
	aql := sampling.DefaultAQLs()
	for _, a := range []struct {
		field string
		v     *float64
		dst   *sampling.AQL
	}{{"aql.major", n.AQLMajor, &aql.Major}, {"aql.minor", n.AQLMinor, &aql.Minor}} {
		if a.v == nil {
			continue
		}
		v, ok := sampling.AQLOf(*a.v)
		if !ok {
			errs.add(a.field, "must be one of 0.65, 1.0, 1.5, 2.5, 4.0, 6.5")
			continue
		}
		*a.dst = v
	}
	if n.ReceivedAt.IsZero() {
		errs.add("received_at", "is required")
	}
	switch n.Kind {
	case LotDevices:
		errs.line("seller_id", n.SellerID, maxExternalLen)
		if n.ListedGrade != "" && !n.ListedGrade.Valid() {
			errs.add("listed_grade", "must be premium, excellent, good or fair")
		}
		if n.Supplier != "" {
			errs.add("supplier", "is for parts lots only")
		}
		if n.PartType != "" {
			errs.add("part_type", "is for parts lots only")
		}
	case LotParts:
		errs.line("supplier", n.Supplier, maxSupplierLen)
		if !n.PartType.Valid() {
			errs.add("part_type", "must be one of %s", joinPartTypes())
		}
		if n.SellerID != "" {
			errs.add("seller_id", "is for device lots only")
		}
		if n.ListedGrade != "" {
			errs.add("listed_grade", "is for device lots only")
		}
	default:
		errs.add("kind", "must be devices or parts")
	}
	if err := answer(in.Problems, errs.sorted(), grading.Inspection{}, "-"); err != nil {
		return "", sampling.AQLs{}, err
	}
	return level, aql, nil
}

func joinPartTypes() string {
	s := make([]string, len(PartTypes))
	for i, p := range PartTypes {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

// CreateLot creates a lot on its stream (created with the first lot of its source), at the
// stream's severity, with its plan and its sample positions drawn from the service's
// cryptographic random source. A discontinued stream accepts no lot (ErrConflict); a lot_ref
// its stream already has is ErrConflict; an unknown seller is a validation error on seller_id.
func (s *Service) CreateLot(ctx context.Context, by Principal, in Input[NewLot]) (Lot, error) {
	level, aql, err := checkNewLot(in)
	if err != nil {
		return Lot{}, err
	}
	n := in.Value
	if n.Kind == LotDevices {
		if _, err := s.store.Seller(ctx, n.SellerID); err != nil {
			return Lot{}, unknownSeller(err)
		}
	}
	lot, err := s.store.CreateLot(ctx, by, n.streamKey(), func(st LotStream, now time.Time) (Lot, error) {
		severity, err := st.Stream.Severity()
		if errors.Is(err, sampling.ErrDiscontinued) {
			return Lot{}, fmt.Errorf("lot stream %s is discontinued until a manager resumes it: %w", st.ID, ErrConflict)
		}
		if err != nil {
			return Lot{}, err
		}
		plan, err := sampling.NewPlan(n.LotSize, level, aql, severity)
		if err != nil {
			return Lot{}, fmt.Errorf("lot plan: %w", err)
		}
		positions, err := sampling.Positions(s.random, n.LotSize, plan.SampleSize)
		if err != nil {
			return Lot{}, err
		}
		return Lot{
			Kind: n.Kind, StreamID: st.ID, LotRef: n.LotRef, Level: level, AQL: aql,
			SellerID: n.SellerID, ListedGrade: n.ListedGrade, Supplier: n.Supplier, PartType: n.PartType,
			ReceivedAt: n.ReceivedAt.UTC(), Plan: plan, Positions: positions, Decision: sampling.Pending,
			CreatedAt: now, CreatedBy: by.KeyID,
		}, nil
	})
	if err != nil {
		return Lot{}, unknownSeller(err)
	}
	return lot, nil
}

// checkSample checks a sample as stated against its lot's kind.
func checkSample(kind LotKind, in Input[NewLotSample]) error {
	n := in.Value
	var errs fieldErrors
	switch kind {
	case LotDevices:
		errs.line("bench_test_id", n.BenchTestID, maxExternalLen)
		if n.Serial != "" {
			errs.add("serial", "is for parts lots only")
		}
		if len(n.Defects) > 0 {
			errs.add("defects", "is for parts lots only")
		}
	case LotParts:
		if n.BenchTestID != "" {
			errs.add("bench_test_id", "is for device lots only")
		}
		errs.optionalLine("serial", n.Serial, maxExternalLen)
		if n.Defects == nil {
			errs.add("defects", "is required (an empty list for a conforming part)")
		}
		if len(n.Defects) > maxPartDefects {
			errs.add("defects", "must hold at most %d defects", maxPartDefects)
		}
		for i, d := range n.Defects {
			at := fmt.Sprintf("defects.%d.", i)
			if !d.Class.Valid() {
				errs.add(at+"class", "must be critical, major or minor")
			}
			errs.line(at+"code", d.Code, maxDefectCodeLen)
			errs.optionalText(at+"note", d.Note, maxNoteLen)
		}
	}
	return answer(in.Problems, errs.sorted(), grading.Inspection{}, "-")
}

// benchTestRead is the bench test a device sample names, read before the write: the record,
// or the error of reading it.
type benchTestRead struct {
	rec BenchTestRecord
	err error
}

// readSampleBenchTest reads the bench test sample n names, when it names one the store could
// hold; nil otherwise. It is read before the lot is held, since it does not depend on the lot
// and the write should hold nothing longer than it must.
func (s *Service) readSampleBenchTest(ctx context.Context, n NewLotSample) *benchTestRead {
	if n.BenchTestID == "" || len(n.BenchTestID) > maxExternalLen {
		return nil
	}
	rec, err := s.store.BenchTest(ctx, n.BenchTestID)
	return &benchTestRead{rec: rec, err: err}
}

// judgeSample judges the unit of a sample of lot l: a device by its bench test's grade (bt,
// which must be the lot's seller's, judgeable, and in force), a part by its defects.
func judgeSample(l Lot, n NewLotSample, bt *benchTestRead) (sampling.Unit, error) {
	if l.Kind == LotParts {
		classes := make([]sampling.Class, len(n.Defects))
		for i, d := range n.Defects {
			classes[i] = d.Class
		}
		return sampling.JudgePart(classes)
	}
	bad := func(msg string) error {
		return Invalid([]grading.FieldError{{Field: "bench_test_id", Message: msg}})
	}
	if bt == nil || errors.Is(bt.err, ErrNotFound) {
		return sampling.Unit{}, bad("no bench test has this id")
	}
	if bt.err != nil {
		return sampling.Unit{}, bt.err
	}
	if bt.rec.SellerID != l.SellerID {
		return sampling.Unit{}, bad("must be a bench test of the lot's seller (" + l.SellerID + ")")
	}
	if bt.rec.SupersededBy != "" {
		return sampling.Unit{}, bad("was corrected by " + bt.rec.SupersededBy + "; sample the correction")
	}
	u, ok := sampling.JudgeDevice(bt.rec.Grade, l.ListedGrade)
	if !ok {
		return sampling.Unit{}, bad("is incomplete and cannot be judged")
	}
	return u, nil
}

// AddLotSample adds the next sample to lot id and returns the lot with its new tally and
// decision, and the sample with its number. A decided lot, or one whose sample is complete,
// is ErrConflict, and so is a bench test already sampled in any lot; the store holds the lot
// while it counts, so that concurrent samples never exceed the sample size nor share a number.
// When the sample decides the lot, the lot's stream records the decision (lots.md §5).
//
// The lot is read once, by the write that holds it: the sample is checked against the lot's
// kind and judged there (a device's bench test is read before, since it does not depend on the
// lot), so that adding a sample costs one read of the lot row whatever the samples already in.
func (s *Service) AddLotSample(ctx context.Context, by Principal, id string, in Input[NewLotSample]) (Lot, LotSample, error) {
	n := in.Value
	bt := s.readSampleBenchTest(ctx, n)
	return s.store.AddLotSample(ctx, by, id, func(l Lot, stream func() (LotStream, error), now time.Time) (Lot, LotSample, LotStream, error) {
		if err := checkSample(l.Kind, in); err != nil {
			return Lot{}, LotSample{}, LotStream{}, err
		}
		unit, err := judgeSample(l, n, bt)
		if err != nil {
			return Lot{}, LotSample{}, LotStream{}, err
		}
		return recordSample(l, stream, unit, n, by, now)
	})
}

// recordSample counts unit as the next sample of l and, when that decides l, records the
// decision on its stream, which it asks for only then.
func recordSample(l Lot, stream func() (LotStream, error), unit sampling.Unit, n NewLotSample, by Principal, now time.Time) (Lot, LotSample, LotStream, error) {
	t, err := l.Plan.Record(l.Tally, unit)
	switch {
	case errors.Is(err, sampling.ErrDecided):
		return Lot{}, LotSample{}, LotStream{}, fmt.Errorf("lot %s is %s and takes no more samples: %w", l.ID, l.Decision, ErrConflict)
	case errors.Is(err, sampling.ErrComplete):
		return Lot{}, LotSample{}, LotStream{}, fmt.Errorf("lot %s has all its %d samples: %w", l.ID, l.Plan.SampleSize, ErrConflict)
	case err != nil:
		return Lot{}, LotSample{}, LotStream{}, err
	}
	l.Tally = t
	l.Decision = l.Plan.Decide(t)
	var st LotStream
	if l.Decided() {
		at := now
		l.DecidedAt = &at
		if st, err = stream(); err != nil {
			return Lot{}, LotSample{}, LotStream{}, err
		}
		if st.Stream, err = st.Stream.Record(l.Decision); err != nil {
			return Lot{}, LotSample{}, LotStream{}, err
		}
	}
	sample := LotSample{LotID: l.ID, Number: t.Received, BenchTestID: n.BenchTestID, Serial: n.Serial,
		Defects: n.Defects, Unit: unit, CreatedAt: now, CreatedBy: by.KeyID}
	return l, sample, st, nil
}

// SeesLot reports whether p may see lot l: staff see every lot; a seller its own decided
// device lots, and no parts lot.
func (p Principal) SeesLot(l Lot) bool {
	return p.Role != RoleSeller || (l.Kind == LotDevices && l.SellerID == p.SellerID && l.Decided())
}

// Lot returns one lot; a seller sees its own decided device lots only (ErrNotFound otherwise).
func (s *Service) Lot(ctx context.Context, by Principal, id string) (Lot, error) {
	l, err := s.store.Lot(ctx, id)
	if err != nil {
		return Lot{}, err
	}
	if !by.SeesLot(l) {
		return Lot{}, fmt.Errorf("lot %s: %w", id, ErrNotFound)
	}
	return l, nil
}

// Lots lists lots in creation order (or the reverse, f.NewestFirst). A seller lists its own decided device lots only; asking
// for another seller's is ErrNotFound, for parts lots an empty list.
func (s *Service) Lots(ctx context.Context, by Principal, f LotFilter, p Page) ([]Lot, string, error) {
	f, none, err := lotScope(by, f)
	if err != nil {
		return nil, "", err
	}
	if none {
		if _, err := DecodeCursor(p.Cursor); err != nil {
			return nil, "", err
		}
		return []Lot{}, "", nil
	}
	return s.store.Lots(ctx, f, p)
}

// CountLots counts the lots that Lots would list for f, over every page: a seller counts its
// own decided device lots only.
func (s *Service) CountLots(ctx context.Context, by Principal, f LotFilter) (int, error) {
	f, none, err := lotScope(by, f)
	if err != nil || none {
		return 0, err
	}
	return s.store.CountLots(ctx, f)
}

// lotScope narrows f to the lots by may see: a seller's own decided device lots. none says
// that by sees no lot f could keep (a seller asking for parts lots, or pending ones); asking
// for another seller's lots is ErrNotFound.
func lotScope(by Principal, f LotFilter) (_ LotFilter, none bool, _ error) {
	if by.Role != RoleSeller {
		return f, false, nil
	}
	if err := by.OwnSeller(f.SellerID, "seller "+f.SellerID); f.SellerID != "" && err != nil {
		return f, false, err
	}
	if f.Kind == LotParts || f.Supplier != "" || f.Decision == sampling.Pending {
		return f, true, nil
	}
	f.Kind, f.SellerID, f.DecidedOnly = LotDevices, by.SellerID, true
	return f, false, nil
}

// LotSamples lists the samples of lot id by number; a seller those of the lots it sees only.
func (s *Service) LotSamples(ctx context.Context, by Principal, id string, p Page) ([]LotSample, string, error) {
	if _, err := s.Lot(ctx, by, id); err != nil {
		return nil, "", err
	}
	return s.store.LotSamples(ctx, id, p)
}

// LotStreams lists the lot streams in creation order. Streams are staff's: a seller sees none
// (ErrForbidden).
func (s *Service) LotStreams(ctx context.Context, by Principal, f LotStreamFilter, p Page) ([]LotStream, string, error) {
	if by.Role == RoleSeller {
		return nil, "", fmt.Errorf("lot streams: %w", ErrForbidden)
	}
	return s.store.LotStreams(ctx, f, p)
}

// ResumeStream puts a discontinued stream back on tightened inspection (lots.md §5), with the
// manager's note; a stream that is not discontinued is ErrConflict. Only managers and admins
// resume streams.
func (s *Service) ResumeStream(ctx context.Context, by Principal, id, note string) (LotStream, error) {
	if by.Role != RoleManager && by.Role != RoleAdmin {
		return LotStream{}, fmt.Errorf("resume lot stream: %w", ErrForbidden)
	}
	var errs fieldErrors
	errs.text("note", note, maxNoteLen)
	if err := Invalid(errs.sorted()); err != nil {
		return LotStream{}, err
	}
	return s.store.ChangeLotStream(ctx, by, id, "resume", func(st LotStream, now time.Time) (LotStream, error) {
		next, err := st.Stream.Resume()
		if errors.Is(err, sampling.ErrNotDiscontinued) {
			return LotStream{}, fmt.Errorf("lot stream %s is %s, not discontinued: %w", id, st.Stream.Current(), ErrConflict)
		}
		if err != nil {
			return LotStream{}, err
		}
		at := now
		st.Stream, st.ResumedAt, st.ResumedBy, st.ResumeNote = next, &at, by.KeyID, note
		return st, nil
	})
}

// SupplierSummary answers, for each supplier and part type, the parts lots decided in
// [from, to) (either bound zero: open): lots decided and rejected, and the nonconforming
// units per class over their samples, ordered by supplier then part type. Managers and
// admins only.
func (s *Service) SupplierSummary(ctx context.Context, by Principal, from, to time.Time) ([]SupplierSummary, error) {
	if by.Role != RoleManager && by.Role != RoleAdmin {
		return nil, fmt.Errorf("supplier summary: %w", ErrForbidden)
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return nil, Invalid([]grading.FieldError{{Field: "to", Message: "must be after from"}})
	}
	return s.store.SupplierSummaries(ctx, from, to)
}
