package audit

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/grading"
)

// intakeStore is an in-memory fake of the intake ports: bench tests and mystery orders by id,
// with the stored order, and the sellers that exist. The ports these tests never reach are
// left to the embedded nil Store (calling one panics). It counts the calls the rules must
// spare (a write after a refusal, a seller lookup for an id no seller can hold).
type intakeStore struct {
	Store
	sellers map[string]bool
	bench   map[string]BenchTestRecord
	orders  map[string]MysteryOrderRecord
	next    int

	writes, sellerLookups int
	batches               [][]BenchTest // what each CreateBenchTests received
	lastFilter            BenchTestFilter
	lastOrderFilter       MysteryOrderFilter
}

func newIntakeStore(sellers ...string) *intakeStore {
	f := &intakeStore{sellers: map[string]bool{}, bench: map[string]BenchTestRecord{}, orders: map[string]MysteryOrderRecord{}}
	for _, s := range sellers {
		f.sellers[s] = true
	}
	return f
}

func (f *intakeStore) id(prefix string) string {
	f.next++
	return fmt.Sprintf("%s_%02d", prefix, f.next)
}

func (f *intakeStore) Seller(_ context.Context, id string) (Seller, error) {
	f.sellerLookups++
	if !f.sellers[id] {
		return Seller{}, fmt.Errorf("seller %s: %w", id, ErrNotFound)
	}
	return Seller{ID: id}, nil
}

func (f *intakeStore) CreateBenchTest(_ context.Context, by Principal, bt BenchTest) (BenchTestRecord, bool, error) {
	f.writes++
	if !f.sellers[bt.SellerID] {
		return BenchTestRecord{}, false, fmt.Errorf("seller %s: %w", bt.SellerID, ErrNotFound)
	}
	for _, r := range f.bench {
		if bt.ExternalID != "" && r.SellerID == bt.SellerID && r.ExternalID == bt.ExternalID && r.Supersedes == "" {
			return r, false, nil
		}
	}
	bt.ID, bt.TechnicianKeyID = f.id("bt"), by.KeyID
	f.bench[bt.ID] = BenchTestRecord{BenchTest: bt}
	return f.bench[bt.ID], true, nil
}

func (f *intakeStore) CreateBenchTests(_ context.Context, by Principal, items []BenchTest) ([]BatchResult, error) {
	f.writes++
	f.batches = append(f.batches, items)
	out := make([]BatchResult, len(items))
	for i, bt := range items {
		if !f.sellers[bt.SellerID] {
			out[i] = BatchResult{Outcome: BatchUnknownSeller}
			continue
		}
		bt.ID, bt.TechnicianKeyID = f.id("bt"), by.KeyID
		f.bench[bt.ID] = BenchTestRecord{BenchTest: bt}
		out[i] = BatchResult{Outcome: BatchCreated, ID: bt.ID}
	}
	return out, nil
}

func (f *intakeStore) CorrectBenchTest(_ context.Context, by Principal, oldID string, bt BenchTest) (BenchTestRecord, error) {
	f.writes++
	old := f.bench[oldID]
	bt.ID, bt.TechnicianKeyID, bt.Supersedes = f.id("bt"), by.KeyID, oldID
	old.SupersededBy = bt.ID
	f.bench[oldID], f.bench[bt.ID] = old, BenchTestRecord{BenchTest: bt}
	return f.bench[bt.ID], nil
}

func (f *intakeStore) BenchTest(_ context.Context, id string) (BenchTestRecord, error) {
	r, ok := f.bench[id]
	if !ok {
		return BenchTestRecord{}, fmt.Errorf("bench test %s: %w", id, ErrNotFound)
	}
	return r, nil
}

func (f *intakeStore) BenchTests(_ context.Context, flt BenchTestFilter, _ Page) ([]BenchTestRecord, string, error) {
	f.lastFilter = flt
	var out []BenchTestRecord
	for _, r := range f.bench {
		if flt.SellerID == "" || r.SellerID == flt.SellerID {
			out = append(out, r)
		}
	}
	return out, "", nil
}

func (f *intakeStore) CreateMysteryOrder(_ context.Context, by Principal, mo MysteryOrder) (MysteryOrderRecord, error) {
	f.writes++
	if !f.sellers[mo.SellerID] {
		return MysteryOrderRecord{}, fmt.Errorf("seller %s: %w", mo.SellerID, ErrNotFound)
	}
	mo.ID, mo.TechnicianKeyID = f.id("mo"), by.KeyID
	f.orders[mo.ID] = MysteryOrderRecord{MysteryOrder: mo}
	return f.orders[mo.ID], nil
}

func (f *intakeStore) CorrectMysteryOrder(_ context.Context, by Principal, oldID string, mo MysteryOrder) (MysteryOrderRecord, error) {
	f.writes++
	old := f.orders[oldID]
	mo.ID, mo.TechnicianKeyID, mo.Supersedes = f.id("mo"), by.KeyID, oldID
	old.SupersededBy = mo.ID
	f.orders[oldID], f.orders[mo.ID] = old, MysteryOrderRecord{MysteryOrder: mo}
	return f.orders[mo.ID], nil
}

func (f *intakeStore) MysteryOrder(_ context.Context, id string) (MysteryOrderRecord, error) {
	r, ok := f.orders[id]
	if !ok {
		return MysteryOrderRecord{}, fmt.Errorf("mystery order %s: %w", id, ErrNotFound)
	}
	return r, nil
}

func (f *intakeStore) MysteryOrders(_ context.Context, flt MysteryOrderFilter, _ Page) ([]MysteryOrderRecord, string, error) {
	f.lastOrderFilter = flt
	return nil, "", nil
}

// sellerOne is a seller's principal; technician (review_test.go) records the bench tests.
var sellerOne = Principal{KeyID: "key_s1", Role: RoleSeller, SellerID: "sl_01"}

func intakeService(st *intakeStore) *Service {
	return NewService(ServiceConfig{Store: st, Protocols: testProtocols(), Now: time.Now})
}

func invalidFields(t *testing.T, err error) []grading.FieldError {
	t.Helper()
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	return ve.Errors
}

func TestAnswer(t *testing.T) {
	fe := func(field, msg string) grading.FieldError { return grading.FieldError{Field: field, Message: msg} }
	marked := pristineInspection()
	marked.Cosmetic.Screen = grading.Zone{LightScratches: 1, VisibleFromCM: 0}
	tests := []struct {
		name               string
		problems, findings []grading.FieldError
		in                 grading.Inspection
		want               []grading.FieldError
	}{
		{"nothing", nil, nil, pristineInspection(), nil},
		{"findings alone, sorted by field", nil,
			[]grading.FieldError{fe("lab", "is required"), fe("inspection.device.imei", "bad")}, pristineInspection(),
			[]grading.FieldError{fe("inspection.device.imei", "bad"), fe("lab", "is required")}},
		{"a finding at a problem's field is left out",
			[]grading.FieldError{fe("lab", "must be a string")}, []grading.FieldError{fe("lab", "is required")}, pristineInspection(),
			[]grading.FieldError{fe("lab", "must be a string")}},
		{"and one under it",
			[]grading.FieldError{fe("inspection.device", "is required")},
			[]grading.FieldError{fe("inspection.device.category", "must be one of smartphone, tablet, laptop"), fe("inspection.devices", "x")},
			pristineInspection(),
			[]grading.FieldError{fe("inspection.device", "is required"), fe("inspection.devices", "x")}},
		{"a problem with the document itself leaves nothing else",
			[]grading.FieldError{fe("", "must be an object")}, []grading.FieldError{fe("seller_id", "is required")}, grading.Inspection{},
			[]grading.FieldError{fe("", "must be an object")}},
		{"the distance of a zone with an unknown count cannot be judged",
			[]grading.FieldError{fe("inspection.cosmetic.screen.cracks", "is required")},
			[]grading.FieldError{fe("inspection.cosmetic.screen.visible_from_cm", "must be greater than 0 when the zone has a mark")},
			marked,
			[]grading.FieldError{fe("inspection.cosmetic.screen.cracks", "is required")}},
		{"but the other zone's can",
			[]grading.FieldError{fe("inspection.cosmetic.body.cracks", "is required")},
			[]grading.FieldError{fe("inspection.cosmetic.screen.visible_from_cm", "must be greater than 0 when the zone has a mark")},
			marked,
			[]grading.FieldError{fe("inspection.cosmetic.body.cracks", "is required"),
				fe("inspection.cosmetic.screen.visible_from_cm", "must be greater than 0 when the zone has a mark")}},
		{"and a distance out of range is reported",
			[]grading.FieldError{fe("inspection.cosmetic.screen.cracks", "must be an integer")},
			[]grading.FieldError{fe("inspection.cosmetic.screen.visible_from_cm", "must be between 0 and 500")},
			func() grading.Inspection {
				in := pristineInspection()
				in.Cosmetic.Screen.VisibleFromCM = -1
				return in
			}(),
			[]grading.FieldError{fe("inspection.cosmetic.screen.cracks", "must be an integer"),
				fe("inspection.cosmetic.screen.visible_from_cm", "must be between 0 and 500")}},
		{"repeats go, errors on one field keep their order",
			[]grading.FieldError{fe("lab", "b"), fe("lab", "a"), fe("lab", "a")}, nil, pristineInspection(),
			[]grading.FieldError{fe("lab", "b"), fe("lab", "a")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := answer(tt.problems, tt.findings, tt.in, "inspection.")
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tt.want, invalidFields(t, err))
		})
	}
}

func TestPreviewGrade(t *testing.T) {
	svc := intakeService(newIntakeStore())
	g, err := svc.PreviewGrade(Input[grading.Inspection]{Value: pristineInspection()})
	require.NoError(t, err)
	assert.Equal(t, grading.Evaluate(pristineInspection(), testProtocol()), g)

	// The adapter's problems and the rules' findings in one answer, paths at the root.
	in := pristineInspection()
	in.Battery.HealthPct = 101
	in.Device.IMEI = ""
	_, err = svc.PreviewGrade(Input[grading.Inspection]{Value: in,
		Problems: []grading.FieldError{{Field: "device.imei", Message: "must be a string"}}})
	assert.Equal(t, []grading.FieldError{{Field: "battery.health_pct", Message: "must be between 0 and 100"},
		{Field: "device.imei", Message: "must be a string"}}, invalidFields(t, err))

	_, err = svc.Protocol("toaster")
	assert.ErrorIs(t, err, ErrNotFound)
	p, err := svc.Protocol(grading.Smartphone)
	require.NoError(t, err)
	assert.Equal(t, testProtocol(), p)
}

func TestRecordBenchTest(t *testing.T) {
	ctx := context.Background()
	st := newIntakeStore("sl_01")
	svc := intakeService(st)

	rec, created, err := svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: validBenchTest(t)})
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, grading.Premium, rec.Grade.Marketplace, "graded by the service")
	assert.Equal(t, grading.Undergraded, rec.GradeMatch, "listed excellent, observed premium")
	assert.Equal(t, technician.KeyID, rec.TechnicianKeyID)

	// The same lab record again, changed: the stored one, unchanged.
	again := validBenchTest(t)
	again.Lab = "Another lab"
	dup, created, err := svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: again})
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, rec, dup)

	// Problems and findings together, and nothing written.
	bad := validBenchTest(t)
	bad.Lab, bad.Inspection.Battery.HealthPct = "", -1
	writes := st.writes
	_, _, err = svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: bad,
		Problems: []grading.FieldError{{Field: "tested_at", Message: "must be an RFC 3339 timestamp"}}})
	assert.Equal(t, []string{"inspection.battery.health_pct", "lab", "tested_at"}, fields(invalidFields(t, err)))
	assert.Equal(t, writes, st.writes, "an invalid bench test is not stored")

	// A seller that does not exist is the document's fault.
	unknown := validBenchTest(t)
	unknown.SellerID = "sl_gone"
	_, _, err = svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: unknown})
	assert.Equal(t, []grading.FieldError{{Field: "seller_id", Message: "no seller has this id"}}, invalidFields(t, err))
}

func TestRecordBenchTests(t *testing.T) {
	ctx := context.Background()
	st := newIntakeStore("sl_01")
	svc := intakeService(st)
	valid := func(ext string) Input[BenchTest] {
		bt := validBenchTest(t)
		bt.ExternalID = ext
		return Input[BenchTest]{Value: bt}
	}

	for _, n := range []int{0, MaxBatch + 1} {
		items := make([]Input[BenchTest], n)
		for i := range items {
			items[i] = valid("")
		}
		_, err := svc.RecordBenchTests(ctx, technician, items)
		assert.Equal(t, []grading.FieldError{{Field: "items", Message: "must hold 1 to 1000 bench tests"}}, invalidFields(t, err), "%d items", n)
	}
	assert.Zero(t, st.writes)

	unknown := valid("C")
	unknown.Value.SellerID = "sl_gone"
	broken := valid("D")
	broken.Value.Lab = ""
	items := []Input[BenchTest]{
		valid("A"),
		{Problems: []grading.FieldError{{Field: "", Message: "must be an object"}}},
		unknown,
		broken,
		valid("B"),
	}
	res, err := svc.RecordBenchTests(ctx, technician, items)
	require.NoError(t, err)
	require.Len(t, res, len(items))
	assert.Equal(t, BatchCreated, res[0].Outcome)
	assert.Equal(t, BatchResult{Outcome: BatchInvalid, Errors: []grading.FieldError{{Field: "", Message: "must be an object"}}}, res[1])
	assert.Equal(t, BatchResult{Outcome: BatchInvalid, Errors: []grading.FieldError{{Field: "seller_id", Message: "no seller has this id"}}}, res[2])
	assert.Equal(t, BatchResult{Outcome: BatchInvalid, Errors: []grading.FieldError{{Field: "lab", Message: "is required"}}}, res[3])
	assert.Equal(t, BatchCreated, res[4].Outcome)
	assert.NotEqual(t, res[0].ID, res[4].ID)

	require.Len(t, st.batches, 1, "every valid item in one write")
	stored := st.batches[0]
	require.Len(t, stored, 3, "the invalid items stay out; the store finds the unknown seller")
	for _, bt := range stored {
		assert.Equal(t, grading.Premium, bt.Grade.Marketplace, "graded before the write")
	}

	// A batch without one valid item writes nothing.
	_, err = svc.RecordBenchTests(ctx, technician, []Input[BenchTest]{broken})
	require.NoError(t, err)
	assert.Len(t, st.batches, 1)
}

func TestCorrectBenchTest(t *testing.T) {
	ctx := context.Background()
	st := newIntakeStore("sl_01", "sl_02")
	svc := intakeService(st)
	orig, _, err := svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: validBenchTest(t)})
	require.NoError(t, err)

	fix := validBenchTest(t)
	fix.Inspection.Battery.HealthPct = 79.5
	other := validBenchTest(t)
	other.SellerID = "sl_02"

	_, err = svc.CorrectBenchTest(ctx, technician, "bt_missing", Input[BenchTest]{Value: fix})
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = svc.CorrectBenchTest(ctx, Principal{Role: RoleSeller, SellerID: "sl_02"}, orig.ID, Input[BenchTest]{Value: fix})
	assert.ErrorIs(t, err, ErrNotFound, "another seller's bench test does not exist for a seller")
	_, err = svc.CorrectBenchTest(ctx, technician, orig.ID, Input[BenchTest]{Value: other})
	assert.Equal(t, []grading.FieldError{{Field: "seller_id", Message: "must be the seller of the corrected bench test (sl_01)"}},
		invalidFields(t, err), "a correction is of the same seller's device")
	broken := fix
	broken.Lab = ""
	_, err = svc.CorrectBenchTest(ctx, technician, "bt_missing", Input[BenchTest]{Value: broken})
	assert.ErrorIs(t, err, ErrInvalid, "checked like any bench test, before the record is looked for")

	corr, err := svc.CorrectBenchTest(ctx, technician, orig.ID, Input[BenchTest]{Value: fix})
	require.NoError(t, err)
	assert.Equal(t, orig.ID, corr.Supersedes)
	assert.Equal(t, grading.NotSellable, corr.Grade.Status, "graded by the service")

	writes := st.writes
	_, err = svc.CorrectBenchTest(ctx, technician, orig.ID, Input[BenchTest]{Value: fix})
	assert.ErrorIs(t, err, ErrConflict, "corrections form a chain")
	assert.Contains(t, err.Error(), "already corrected by "+corr.ID)
	assert.Equal(t, writes, st.writes)
	_, err = svc.CorrectBenchTest(ctx, technician, corr.ID, Input[BenchTest]{Value: fix})
	assert.NoError(t, err, "the latest correction is the one to correct")
}

func TestBenchTestVisibility(t *testing.T) {
	ctx := context.Background()
	st := newIntakeStore("sl_01", "sl_02")
	svc := intakeService(st)
	own, _, err := svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: validBenchTest(t)})
	require.NoError(t, err)
	theirs := validBenchTest(t)
	theirs.SellerID = "sl_02"
	other, _, err := svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: theirs})
	require.NoError(t, err)

	got, err := svc.BenchTest(ctx, sellerOne, own.ID)
	require.NoError(t, err)
	assert.Equal(t, own, got)
	_, err = svc.BenchTest(ctx, sellerOne, other.ID)
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = svc.BenchTest(ctx, technician, other.ID)
	assert.NoError(t, err, "staff see every seller's")

	list, _, err := svc.BenchTests(ctx, sellerOne, BenchTestFilter{}, Page{})
	require.NoError(t, err)
	assert.Equal(t, "sl_01", st.lastFilter.SellerID, "a seller lists its own")
	assert.Len(t, list, 1)
	_, _, err = svc.BenchTests(ctx, sellerOne, BenchTestFilter{SellerID: "sl_02"}, Page{})
	assert.ErrorIs(t, err, ErrNotFound)
	_, _, err = svc.BenchTests(ctx, technician, BenchTestFilter{}, Page{})
	require.NoError(t, err)
	assert.Empty(t, st.lastFilter.SellerID)

	_, _, err = svc.MysteryOrders(ctx, sellerOne, MysteryOrderFilter{}, Page{})
	require.NoError(t, err)
	assert.Equal(t, "sl_01", st.lastOrderFilter.SellerID)
	_, _, err = svc.MysteryOrders(ctx, sellerOne, MysteryOrderFilter{SellerID: "sl_02"}, Page{})
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestRecordMysteryOrder(t *testing.T) {
	ctx := context.Background()
	st := newIntakeStore("sl_01")
	svc := intakeService(st)

	rec, err := svc.RecordMysteryOrder(ctx, technician, Input[MysteryOrder]{Value: validMysteryOrder(t)})
	require.NoError(t, err)
	assert.True(t, rec.ShippedWithinOneBusinessDay, "derived by the service")
	assert.Equal(t, grading.MatchEqual, rec.GradeMatch)

	// When anything is wrong, a well-formed seller id that names no seller is reported too.
	bad := validMysteryOrder(t)
	bad.SellerID, bad.OrderRef = "sl_gone", ""
	_, err = svc.RecordMysteryOrder(ctx, technician, Input[MysteryOrder]{Value: bad,
		Problems: []grading.FieldError{{Field: "logistics", Message: "is required"}}})
	assert.Equal(t, []grading.FieldError{{Field: "logistics", Message: "is required"}, {Field: "order_ref", Message: "is required"},
		{Field: "seller_id", Message: "no seller has this id"}}, invalidFields(t, err))

	// An id no seller can hold, or one already reported, is not looked up.
	lookups := st.sellerLookups
	for _, id := range []string{strings.Repeat("x", 129), "sl_\x01"} {
		bad.SellerID = id
		_, err = svc.RecordMysteryOrder(ctx, technician, Input[MysteryOrder]{Value: bad})
		assert.ErrorIs(t, err, ErrInvalid)
	}
	bad.SellerID = "sl_gone"
	_, err = svc.RecordMysteryOrder(ctx, technician, Input[MysteryOrder]{Value: bad,
		Problems: []grading.FieldError{{Field: "seller_id", Message: "must be a string"}}})
	assert.Equal(t, []string{"order_ref", "seller_id"}, fields(invalidFields(t, err)))
	assert.Equal(t, lookups, st.sellerLookups)

	// A valid order of an unknown seller: the store's answer, as a field of the document.
	unknown := validMysteryOrder(t)
	unknown.SellerID = "sl_gone"
	_, err = svc.RecordMysteryOrder(ctx, technician, Input[MysteryOrder]{Value: unknown})
	assert.Equal(t, []grading.FieldError{{Field: "seller_id", Message: "no seller has this id"}}, invalidFields(t, err))
}

func TestCorrectMysteryOrder(t *testing.T) {
	ctx := context.Background()
	st := newIntakeStore("sl_01", "sl_02")
	svc := intakeService(st)
	first, err := svc.RecordMysteryOrder(ctx, technician, Input[MysteryOrder]{Value: validMysteryOrder(t)})
	require.NoError(t, err)

	wrong := validMysteryOrder(t)
	wrong.SellerID, wrong.OrderRef = "sl_02", "MO-OTHER"
	_, err = svc.CorrectMysteryOrder(ctx, technician, first.ID, Input[MysteryOrder]{Value: wrong})
	assert.Equal(t, []grading.FieldError{
		{Field: "seller_id", Message: "must be the seller of the corrected mystery order (sl_01)"},
		{Field: "order_ref", Message: `must be the order_ref of the corrected mystery order ("MO-2026-0142")`},
	}, invalidFields(t, err), "a correction is of the same order")
	_, err = svc.CorrectMysteryOrder(ctx, Principal{Role: RoleSeller, SellerID: "sl_02"}, first.ID, Input[MysteryOrder]{Value: validMysteryOrder(t)})
	assert.ErrorIs(t, err, ErrNotFound)

	fix := validMysteryOrder(t)
	fix.Logistics.ChargeOnArrivalPct = 12
	second, err := svc.CorrectMysteryOrder(ctx, technician, first.ID, Input[MysteryOrder]{Value: fix})
	require.NoError(t, err)
	assert.Equal(t, first.ID, second.Supersedes)
	assert.True(t, second.LowCharge, "derived by the service")

	_, err = svc.CorrectMysteryOrder(ctx, technician, first.ID, Input[MysteryOrder]{Value: fix})
	assert.ErrorIs(t, err, ErrConflict)
	assert.Contains(t, err.Error(), "already corrected by "+second.ID)
	_, err = svc.MysteryOrder(ctx, sellerOne, second.ID)
	assert.NoError(t, err, "a seller sees its own")
}
