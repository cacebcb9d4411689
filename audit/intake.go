package audit

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/refurbqa/refurbqa/grading"
)

// The use cases of intake: recording bench tests (one, a batch, a correction) and mystery
// orders (one, a correction), reading them back, and grading an inspection without storing it.
// Each input is checked here, once: the problems the adapter met while decoding it and the
// findings of the domain's rules are answered together.

// MaxBatch is the largest batch of bench tests (api.md: 1 to 1000 items), which keeps one
// batch one bounded write.
const MaxBatch = 1000

// Input is a document as an adapter decoded it: the value it holds and the problems only
// decoding can see (a value of the wrong JSON type, a malformed timestamp, a required member
// left out, a control character in a text), each at its dotted path in the document. The
// services check the domain's rules on Value and answer Problems and their own findings in one
// validation error, so that a client fixes a document in one round trip. A finding at a field
// of Problems, or below one, is left out: it would only repeat it (a value of the wrong type
// is not also "required"). The path of the document itself is "": a problem there (a batch
// item that is not an object) leaves nothing else to report.
type Input[T any] struct {
	Value    T
	Problems []grading.FieldError
}

// answer is the one validation error of an input, or nil when neither the adapter nor the
// rules found anything: problems and the findings they do not cover, sorted by field (ties in
// the order given) without repeats. in is the input's inspection and inspection its path in
// the document ("inspection.", or "" for an inspection on its own).
func answer(problems, findings []grading.FieldError, in grading.Inspection, inspection string) error {
	if len(problems) == 0 && len(findings) == 0 {
		return nil
	}
	known := make(map[string]bool, len(problems))
	for _, p := range problems {
		known[p.Field] = true
	}
	out := make([]grading.FieldError, 0, len(problems)+len(findings))
	out = append(out, problems...)
	for _, f := range findings {
		if !covered(known, f.Field) && !unjudgeable(known, f.Field, in, inspection) {
			out = append(out, f)
		}
	}
	return Invalid(sortedFields(out))
}

// covered reports whether field, or a member it lies under ("inspection.device" for
// "inspection.device.imei"), or the document itself is among known.
func covered(known map[string]bool, field string) bool {
	if known[field] || known[""] {
		return true
	}
	for i := len(field) - 1; i > 0; i-- {
		if field[i] == '.' && known[field[:i]] {
			return true
		}
	}
	return false
}

// unjudgeable reports whether field is the visible_from_cm of a cosmetic zone whose distance
// is in range but one of whose counts is a problem already (missing or unreadable): whether
// the distance agrees with counts that are unknown cannot be judged, as grading.Validate does
// not judge it against counts that are out of range. A distance out of range is reported.
func unjudgeable(known map[string]bool, field string, in grading.Inspection, inspection string) bool {
	for _, z := range []struct {
		name string
		zone grading.Zone
	}{{"screen", in.Cosmetic.Screen}, {"body", in.Cosmetic.Body}} {
		base := inspection + "cosmetic." + z.name + "."
		if field != base+"visible_from_cm" {
			continue
		}
		if d := z.zone.VisibleFromCM; d < 0 || d > grading.MaxVisibleFromCM {
			return false
		}
		for _, count := range []string{"light_scratches", "deep_scratches", "dents", "chips", "cracks"} {
			if known[base+count] {
				return true
			}
		}
	}
	return false
}

// sortedFields orders errs by field, keeping the order of errors on one field, and drops
// repeats.
func sortedFields(errs []grading.FieldError) []grading.FieldError {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	out := errs[:0]
	for i, f := range errs {
		if i > 0 && f == errs[i-1] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// unknownSeller is the answer to a record naming a seller that does not exist: the record is
// wrong, not the URL.
func unknownSeller(err error) error {
	if errors.Is(err, ErrNotFound) {
		return Invalid([]grading.FieldError{{Field: "seller_id", Message: "no seller has this id"}})
	}
	return err
}

// AlreadyCorrected is the refusal to correct a record that a correction already superseded:
// corrections form a chain, and the one to correct is the latest, which it names.
func AlreadyCorrected(what, id, by string) error {
	return fmt.Errorf("%s %s was already corrected by %s; correct that one instead: %w", what, id, by, ErrConflict)
}

// Protocol returns the functional test protocol of a category, or ErrNotFound.
func (s *Service) Protocol(c grading.Category) (grading.Protocol, error) {
	p, ok := s.protocols.Get(c)
	if !ok {
		return grading.Protocol{}, fmt.Errorf("protocol %q: %w", c, ErrNotFound)
	}
	return p, nil
}

// PreviewGrade grades an inspection without storing anything, so that a technician sees the
// grade, and every reason behind it, before recording a bench test.
func (s *Service) PreviewGrade(in Input[grading.Inspection]) (grading.Grade, error) {
	if err := answer(in.Problems, grading.Validate(in.Value, s.protocols), in.Value, ""); err != nil {
		return grading.Grade{}, err
	}
	p, _ := s.protocols.Get(in.Value.Device.Category) // a valid inspection has a protocol
	return grading.Evaluate(in.Value, p), nil
}

// checkBenchTest checks a bench test as submitted (ValidateBenchTest, with the adapter's
// problems), grades it and gives it its verification code, which is the service's to give
// (a code the input carries is replaced).
func (s *Service) checkBenchTest(in Input[BenchTest]) (BenchTest, error) {
	bt := in.Value
	if err := answer(in.Problems, ValidateBenchTest(bt, s.protocols), bt.Inspection, "inspection."); err != nil {
		return BenchTest{}, err
	}
	p, _ := s.protocols.Get(bt.Inspection.Device.Category) // a valid inspection has a protocol
	DeriveBenchTest(&bt, p)
	code, err := NewVerificationCode(s.random)
	if err != nil {
		return BenchTest{}, err
	}
	bt.VerificationCode = code
	return bt, nil
}

// RecordBenchTest checks, grades and stores one bench test. A lab that submits the same record
// twice (same seller, same external id) stores it once: the second time nothing is stored and
// the stored bench test is returned, unchanged, with created false. A seller that does not
// exist is a validation error on seller_id.
func (s *Service) RecordBenchTest(ctx context.Context, by Principal, in Input[BenchTest]) (rec BenchTestRecord, created bool, err error) {
	bt, err := s.checkBenchTest(in)
	if err != nil {
		return BenchTestRecord{}, false, err
	}
	rec, created, err = s.store.CreateBenchTest(ctx, by, bt)
	if err != nil {
		return BenchTestRecord{}, false, unknownSeller(err)
	}
	return rec, created, nil
}

// RecordBenchTests is the intake of mass testing: 1 to MaxBatch bench tests, each checked on
// its own, and every valid one stored in one write even when others are invalid. The results
// follow the order of items: created (with the new id), duplicate (the seller's external id
// was stored before, or earlier in the batch, whose id it names) or invalid (with every
// problem of the item, a seller that does not exist included).
func (s *Service) RecordBenchTests(ctx context.Context, by Principal, items []Input[BenchTest]) ([]BatchResult, error) {
	if len(items) < 1 || len(items) > MaxBatch {
		return nil, Invalid([]grading.FieldError{{Field: "items", Message: fmt.Sprintf("must hold 1 to %d bench tests", MaxBatch)}})
	}
	results := make([]BatchResult, len(items))
	valid := make([]BenchTest, 0, len(items))
	at := make([]int, 0, len(items)) // the index in items of each valid bench test
	for i, in := range items {
		bt, err := s.checkBenchTest(in)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				return nil, err
			}
			results[i] = BatchResult{Outcome: BatchInvalid, Errors: ve.Errors}
			continue
		}
		valid, at = append(valid, bt), append(at, i)
	}
	if len(valid) == 0 {
		return results, nil
	}
	stored, err := s.store.CreateBenchTests(ctx, by, valid)
	if err != nil {
		return nil, err
	}
	for j, r := range stored {
		if r.Outcome == BatchUnknownSeller {
			r = BatchResult{Outcome: BatchInvalid, Errors: []grading.FieldError{{Field: "seller_id", Message: "no seller has this id"}}}
		}
		results[at[j]] = r
	}
	return results, nil
}

// CorrectBenchTest stores a correction of the bench test id: a new record, checked and graded
// like any bench test, that supersedes the old one, which never changes; both stay visible. A
// correction is of the same seller's device, and corrections form a chain: a bench test that
// was already corrected is ErrConflict, naming the correction to correct instead.
func (s *Service) CorrectBenchTest(ctx context.Context, by Principal, id string, in Input[BenchTest]) (BenchTestRecord, error) {
	bt, err := s.checkBenchTest(in)
	if err != nil {
		return BenchTestRecord{}, err
	}
	old, err := s.BenchTest(ctx, by, id)
	if err != nil {
		return BenchTestRecord{}, err
	}
	if old.SellerID != bt.SellerID {
		return BenchTestRecord{}, Invalid([]grading.FieldError{{Field: "seller_id",
			Message: "must be the seller of the corrected bench test (" + old.SellerID + ")"}})
	}
	if old.SupersededBy != "" {
		return BenchTestRecord{}, AlreadyCorrected("bench test", id, old.SupersededBy)
	}
	// The store refuses, with AlreadyCorrected too, a correction that another one beat to it.
	return s.store.CorrectBenchTest(ctx, by, id, bt)
}

// BenchTest returns one bench test; a seller sees its own only (ErrNotFound otherwise).
func (s *Service) BenchTest(ctx context.Context, by Principal, id string) (BenchTestRecord, error) {
	rec, err := s.store.BenchTest(ctx, id)
	if err != nil {
		return BenchTestRecord{}, err
	}
	if err := by.OwnSeller(rec.SellerID, "bench test "+id); err != nil {
		return BenchTestRecord{}, err
	}
	return rec, nil
}

// BenchTests lists bench tests in creation order, corrections and the records they corrected
// alike, and the cursor of the next page ("" after the last). A seller lists its own only.
func (s *Service) BenchTests(ctx context.Context, by Principal, f BenchTestFilter, p Page) ([]BenchTestRecord, string, error) {
	if by.Role == RoleSeller {
		if err := by.OwnSeller(f.SellerID, "seller "+f.SellerID); f.SellerID != "" && err != nil {
			return nil, "", err
		}
		f.SellerID = by.SellerID
	}
	return s.store.BenchTests(ctx, f, p)
}

// checkMysteryOrder checks a mystery order as submitted (ValidateMysteryOrder, with the
// adapter's problems), derives its figures and gives it its verification code. When anything
// is invalid, a well-formed seller_id that names no seller is reported too, so that one
// answer names every bad field.
func (s *Service) checkMysteryOrder(ctx context.Context, in Input[MysteryOrder]) (MysteryOrder, error) {
	mo := in.Value
	if err := answer(in.Problems, ValidateMysteryOrder(mo, s.protocols), mo.Inspection, "inspection."); err != nil {
		return MysteryOrder{}, s.withUnknownSeller(ctx, err, mo.SellerID)
	}
	p, _ := s.protocols.Get(mo.Inspection.Device.Category) // a valid inspection has a protocol
	DeriveMysteryOrder(&mo, p)
	code, err := NewVerificationCode(s.random)
	if err != nil {
		return MysteryOrder{}, err
	}
	mo.VerificationCode = code
	return mo, nil
}

// withUnknownSeller adds "seller_id: no seller has this id" to the validation error of an
// input whose seller_id is well formed, not otherwise invalid, and names no seller.
func (s *Service) withUnknownSeller(ctx context.Context, err error, sellerID string) error {
	var ve *ValidationError
	if !errors.As(err, &ve) || !plausibleID(sellerID) {
		return err
	}
	for _, f := range ve.Errors {
		if f.Field == "seller_id" {
			return err
		}
	}
	if _, serr := s.store.Seller(ctx, sellerID); !errors.Is(serr, ErrNotFound) {
		return err
	}
	out := append(append([]grading.FieldError(nil), ve.Errors...), grading.FieldError{Field: "seller_id", Message: "no seller has this id"})
	return Invalid(sortedFields(out))
}

// plausibleID reports whether v could be an id at all: short, valid UTF-8, without control
// characters. Anything else names no record, so the store need not be asked.
func plausibleID(v string) bool {
	return v != "" && len(v) <= maxExternalLen && utf8.ValidString(v) && strings.IndexFunc(v, unicode.IsControl) < 0
}

// RecordMysteryOrder checks a mystery order, derives its figures and stores it. A seller that
// does not exist is a validation error on seller_id; an order_ref the seller already used is
// ErrConflict.
func (s *Service) RecordMysteryOrder(ctx context.Context, by Principal, in Input[MysteryOrder]) (MysteryOrderRecord, error) {
	mo, err := s.checkMysteryOrder(ctx, in)
	if err != nil {
		return MysteryOrderRecord{}, err
	}
	rec, err := s.store.CreateMysteryOrder(ctx, by, mo)
	if err != nil {
		return MysteryOrderRecord{}, unknownSeller(err)
	}
	return rec, nil
}

// CorrectMysteryOrder stores a correction of the mystery order id: a new record of the same
// order (same seller, same order_ref) that supersedes the old one, which never changes; both
// stay visible. Corrections form a chain: a mystery order that was already corrected is
// ErrConflict, naming the correction to correct instead.
func (s *Service) CorrectMysteryOrder(ctx context.Context, by Principal, id string, in Input[MysteryOrder]) (MysteryOrderRecord, error) {
	mo, err := s.checkMysteryOrder(ctx, in)
	if err != nil {
		return MysteryOrderRecord{}, err
	}
	old, err := s.MysteryOrder(ctx, by, id)
	if err != nil {
		return MysteryOrderRecord{}, err
	}
	var errs []grading.FieldError
	if old.SellerID != mo.SellerID {
		errs = append(errs, grading.FieldError{Field: "seller_id",
			Message: "must be the seller of the corrected mystery order (" + old.SellerID + ")"})
	}
	if old.OrderRef != mo.OrderRef {
		errs = append(errs, grading.FieldError{Field: "order_ref",
			Message: fmt.Sprintf("must be the order_ref of the corrected mystery order (%q)", old.OrderRef)})
	}
	if err := Invalid(errs); err != nil {
		return MysteryOrderRecord{}, err
	}
	if old.SupersededBy != "" {
		return MysteryOrderRecord{}, AlreadyCorrected("mystery order", id, old.SupersededBy)
	}
	// The store refuses, with AlreadyCorrected too, a correction that another one beat to it.
	return s.store.CorrectMysteryOrder(ctx, by, id, mo)
}

// MysteryOrder returns one mystery order; a seller sees its own only (ErrNotFound otherwise).
func (s *Service) MysteryOrder(ctx context.Context, by Principal, id string) (MysteryOrderRecord, error) {
	rec, err := s.store.MysteryOrder(ctx, id)
	if err != nil {
		return MysteryOrderRecord{}, err
	}
	if err := by.OwnSeller(rec.SellerID, "mystery order "+id); err != nil {
		return MysteryOrderRecord{}, err
	}
	return rec, nil
}

// MysteryOrders lists mystery orders in creation order, corrections and the records they
// corrected alike, and the cursor of the next page. A seller lists its own only.
func (s *Service) MysteryOrders(ctx context.Context, by Principal, f MysteryOrderFilter, p Page) ([]MysteryOrderRecord, string, error) {
	if by.Role == RoleSeller {
		if err := by.OwnSeller(f.SellerID, "seller "+f.SellerID); f.SellerID != "" && err != nil {
			return nil, "", err
		}
		f.SellerID = by.SellerID
	}
	return s.store.MysteryOrders(ctx, f, p)
}
