package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/sampling"
)

// lotFake is an in-memory LotStore with the sellers and bench tests the lot use cases read.
type lotFake struct {
	Store

	mu      sync.Mutex
	now     time.Time
	sellers map[string]bool
	bench   map[string]BenchTestRecord
	lots    map[string]Lot
	streams map[string]LotStream
	samples map[string][]LotSample
	n       int
}

func newLotFake() *lotFake {
	return &lotFake{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), sellers: map[string]bool{"sl_a": true, "sl_b": true},
		bench: map[string]BenchTestRecord{}, lots: map[string]Lot{}, streams: map[string]LotStream{}, samples: map[string][]LotSample{}}
}

func (f *lotFake) Now() time.Time { return f.now }

func (f *lotFake) id(prefix string) string { f.n++; return fmt.Sprintf("%s_%04d", prefix, f.n) }

func (f *lotFake) Seller(_ context.Context, id string) (Seller, error) {
	if !f.sellers[id] {
		return Seller{}, fmt.Errorf("seller %s: %w", id, ErrNotFound)
	}
	return Seller{ID: id}, nil
}

func (f *lotFake) BenchTest(_ context.Context, id string) (BenchTestRecord, error) {
	bt, ok := f.bench[id]
	if !ok {
		return BenchTestRecord{}, fmt.Errorf("bench test %s: %w", id, ErrNotFound)
	}
	return bt, nil
}

func (f *lotFake) CreateLot(_ context.Context, _ Principal, key LotStream, build func(LotStream, time.Time) (Lot, error)) (Lot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var st LotStream
	found := false
	for _, s := range f.streams {
		if s.Kind == key.Kind && s.SellerID == key.SellerID && s.Supplier == key.Supplier && s.PartType == key.PartType {
			st, found = s, true
		}
	}
	if !found {
		st = key
		st.ID = f.id(PrefixLotStream)
		f.streams[st.ID] = st
	}
	l, err := build(st, f.now)
	if err != nil {
		return Lot{}, err
	}
	l.ID = f.id(PrefixLot)
	f.lots[l.ID] = l
	return l, nil
}

func (f *lotFake) AddLotSample(_ context.Context, _ Principal, id string,
	add func(Lot, func() (LotStream, error), time.Time) (Lot, LotSample, LotStream, error)) (Lot, LotSample, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.lots[id]
	if !ok {
		return Lot{}, LotSample{}, fmt.Errorf("lot %s: %w", id, ErrNotFound)
	}
	positions := l.Positions
	l.Positions = nil // as the store: the write does not read them
	held := false
	stream := func() (LotStream, error) { held = true; return f.streams[l.StreamID], nil }
	l, sample, st, err := add(l, stream, f.now)
	if err != nil {
		return Lot{}, LotSample{}, err
	}
	if l.Decided() != held {
		return Lot{}, LotSample{}, fmt.Errorf("lot %s: decided %v, stream asked for %v", id, l.Decided(), held)
	}
	sample.ID = f.id(PrefixLotSample)
	l.Positions = positions
	f.lots[id] = l
	if held {
		f.streams[st.ID] = st
	}
	f.samples[id] = append(f.samples[id], sample)
	return l, sample, nil
}

func (f *lotFake) Lot(_ context.Context, id string) (Lot, error) {
	l, ok := f.lots[id]
	if !ok {
		return Lot{}, fmt.Errorf("lot %s: %w", id, ErrNotFound)
	}
	return l, nil
}

func (f *lotFake) Lots(_ context.Context, flt LotFilter, _ Page) ([]Lot, string, error) {
	var out []Lot
	for _, l := range f.lots {
		if (flt.Kind == "" || l.Kind == flt.Kind) && (flt.SellerID == "" || l.SellerID == flt.SellerID) &&
			(!flt.DecidedOnly || l.Decided()) {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b Lot) int { return cmpString(a.ID, b.ID) })
	return out, "", nil
}

func (f *lotFake) CountLots(ctx context.Context, flt LotFilter) (int, error) {
	l, _, err := f.Lots(ctx, flt, Page{})
	return len(l), err
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (f *lotFake) LotSamples(_ context.Context, id string, _ Page) ([]LotSample, string, error) {
	return f.samples[id], "", nil
}

func (f *lotFake) ChangeLotStream(_ context.Context, _ Principal, id, _ string,
	change func(LotStream, time.Time) (LotStream, error)) (LotStream, error) {
	st, ok := f.streams[id]
	if !ok {
		return LotStream{}, fmt.Errorf("lot stream %s: %w", id, ErrNotFound)
	}
	st, err := change(st, f.now)
	if err != nil {
		return LotStream{}, err
	}
	f.streams[id] = st
	return st, nil
}

var (
	lotTech    = Principal{KeyID: "key_tech", Role: RoleTechnician}
	lotManager = Principal{KeyID: "key_mgr", Role: RoleManager}
)

func partsLot(size int) NewLot {
	return NewLot{Kind: LotParts, LotRef: "L-1", LotSize: size, Supplier: "Acme", PartType: "screen",
		ReceivedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
}

func newLotService(f *lotFake) *Service {
	return NewService(ServiceConfig{Store: f, Protocols: testProtocols(), Random: rand.Reader})
}

func TestCreateLotRefusesEveryBadFieldAtOnce(t *testing.T) {
	f := newLotFake()
	s := newLotService(f)
	bad := 3.0
	tests := []struct {
		name   string
		in     NewLot
		fields []string
	}{
		{"lot size 1", func() NewLot { n := partsLot(1); return n }(), []string{"lot_size"}},
		{"lot size above a million", partsLot(1_000_001), []string{"lot_size"}},
		{"bad AQL and level", func() NewLot {
			n := partsLot(100)
			n.AQLMajor, n.AQLMinor, n.Level = &bad, &bad, "IV"
			return n
		}(), []string{"aql.major", "aql.minor", "inspection_level"}},
		{"parts without supplier or type", func() NewLot {
			n := partsLot(100)
			n.Supplier, n.PartType = "", "glass"
			return n
		}(), []string{"part_type", "supplier"}},
		{"devices with parts fields and no seller", func() NewLot {
			n := partsLot(100)
			n.Kind = LotDevices
			return n
		}(), []string{"part_type", "seller_id", "supplier"}},
		{"unknown kind, no ref, no date", NewLot{Kind: "boxes", LotSize: 10}, []string{"kind", "lot_ref", "received_at"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateLot(context.Background(), lotTech, Input[NewLot]{Value: tc.in})
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.fields, fields(ve.Errors))
		})
	}
	_, err := s.CreateLot(context.Background(), lotTech, Input[NewLot]{Value: NewLot{Kind: LotDevices, LotRef: "x", LotSize: 10,
		SellerID: "sl_nobody", ReceivedAt: f.now}})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, []string{"seller_id"}, fields(ve.Errors))
}

func TestCreateLotTakesThePlanOfItsSizeAndDrawsItsPositions(t *testing.T) {
	f := newLotFake()
	s := newLotService(f)
	for _, size := range []int{2, 800, 1_000_000} {
		n := partsLot(size)
		n.LotRef = fmt.Sprint("L-", size)
		l, err := s.CreateLot(context.Background(), lotTech, Input[NewLot]{Value: n})
		require.NoError(t, err)
		want, err := sampling.NewPlan(size, sampling.LevelII, sampling.DefaultAQLs(), sampling.Normal)
		require.NoError(t, err)
		assert.Equal(t, want, l.Plan)
		assert.Equal(t, sampling.Pending, l.Decision)
		require.Len(t, l.Positions, want.SampleSize)
		assert.True(t, slices.IsSorted(l.Positions))
		assert.Equal(t, len(l.Positions), len(slices.Compact(slices.Clone(l.Positions))))
		assert.GreaterOrEqual(t, l.Positions[0], 1)
		assert.LessOrEqual(t, l.Positions[len(l.Positions)-1], size)
	}
	// lot size 800 at level II is code letter J: 80 samples, major 2.5 is 5/6.
	l, _, _ := s.Lots(context.Background(), lotTech, LotFilter{}, Page{})
	assert.Equal(t, sampling.CodeLetter("J"), l[1].Plan.CodeLetter)
	assert.Equal(t, sampling.ClassPlan{SampleSize: 80, Accept: 5, Reject: 6}, l[1].Plan.Major)
}

func TestCreateLotUsesTheGivenRandomSource(t *testing.T) {
	f := newLotFake()
	s := NewService(ServiceConfig{Store: f, Random: bytes.NewReader(nil)})
	_, err := s.CreateLot(context.Background(), lotTech, Input[NewLot]{Value: partsLot(50)})
	require.Error(t, err, "an exhausted random source draws no positions")
}

func TestSamplesDecideTheLotAndSwitchTheStream(t *testing.T) {
	f := newLotFake()
	s := newLotService(f)
	ctx := context.Background()
	critical := Input[NewLotSample]{Value: NewLotSample{Defects: []Defect{{Class: sampling.Critical, Code: "cracked"}}}}
	var streamID string
	for i := range 2 {
		n := partsLot(100)
		n.LotRef = fmt.Sprint("R-", i)
		l, err := s.CreateLot(ctx, lotTech, Input[NewLot]{Value: n})
		require.NoError(t, err)
		assert.Equal(t, sampling.Normal, l.Plan.Severity)
		l, sample, err := s.AddLotSample(ctx, lotTech, l.ID, critical)
		require.NoError(t, err)
		assert.Equal(t, 1, sample.Number)
		assert.Equal(t, sampling.Rejected, l.Decision, "one critical unit rejects the lot")
		require.NotNil(t, l.DecidedAt)
		_, _, err = s.AddLotSample(ctx, lotTech, l.ID, critical)
		assert.ErrorIs(t, err, ErrConflict, "a decided lot takes no sample")
		streamID = l.StreamID
	}
	assert.Equal(t, sampling.StateTightened, f.streams[streamID].Stream.Current(), "2 rejections of 2 lots tighten")
	n := partsLot(100)
	n.LotRef = "T-1"
	l, err := s.CreateLot(ctx, lotTech, Input[NewLot]{Value: n})
	require.NoError(t, err)
	assert.Equal(t, sampling.Tightened, l.Plan.Severity)
}

func TestASampleBeyondTheSampleSizeIsAConflict(t *testing.T) {
	f := newLotFake()
	s := newLotService(f)
	ctx := context.Background()
	n := partsLot(2) // letter A: every class's n is capped at the lot size 2
	l, err := s.CreateLot(ctx, lotTech, Input[NewLot]{Value: n})
	require.NoError(t, err)
	require.Equal(t, 2, l.Plan.SampleSize)
	ok := Input[NewLotSample]{Value: NewLotSample{Defects: []Defect{}}}
	l, _, err = s.AddLotSample(ctx, lotTech, l.ID, ok)
	require.NoError(t, err)
	assert.Equal(t, sampling.Pending, l.Decision)
	l, _, err = s.AddLotSample(ctx, lotTech, l.ID, ok)
	require.NoError(t, err)
	assert.Equal(t, sampling.Accepted, l.Decision)
	_, _, err = s.AddLotSample(ctx, lotTech, l.ID, ok)
	assert.ErrorIs(t, err, ErrConflict)

	l, err = s.CreateLot(ctx, lotTech, Input[NewLot]{Value: NewLot{Kind: LotParts, LotRef: "L-2", LotSize: 2,
		Supplier: "Acme", PartType: "screen", ReceivedAt: f.now}})
	require.NoError(t, err)
	_, _, err = s.AddLotSample(ctx, lotTech, l.ID, Input[NewLotSample]{Value: NewLotSample{BenchTestID: "bt_1",
		Defects: []Defect{{Class: "cosmetic", Code: ""}}}})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, []string{"bench_test_id", "defects.0.class", "defects.0.code"}, fields(ve.Errors))
	_, _, err = s.AddLotSample(ctx, lotTech, l.ID, Input[NewLotSample]{})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, []string{"defects"}, fields(ve.Errors), "a part states its defects, none for a conforming one")
}

func TestDeviceSamplesAreTheSellersJudgeableBenchTests(t *testing.T) {
	f := newLotFake()
	s := newLotService(f)
	ctx := context.Background()
	good := grading.Grade{Status: grading.Sellable, Functional: grading.F0, Cosmetic: grading.CosmeticA, Marketplace: grading.Premium}
	f.bench["bt_ok"] = BenchTestRecord{BenchTest: BenchTest{ID: "bt_ok", SellerID: "sl_a", Grade: good}}
	f.bench["bt_other"] = BenchTestRecord{BenchTest: BenchTest{ID: "bt_other", SellerID: "sl_b", Grade: good}}
	f.bench["bt_incomplete"] = BenchTestRecord{BenchTest: BenchTest{ID: "bt_incomplete", SellerID: "sl_a",
		Grade: grading.Grade{Status: grading.Incomplete}}}
	f.bench["bt_old"] = BenchTestRecord{BenchTest: BenchTest{ID: "bt_old", SellerID: "sl_a", Grade: good}, SupersededBy: "bt_new"}
	l, err := s.CreateLot(ctx, lotTech, Input[NewLot]{Value: NewLot{Kind: LotDevices, LotRef: "D-1", LotSize: 10,
		SellerID: "sl_a", ReceivedAt: f.now}})
	require.NoError(t, err)
	for _, id := range []string{"bt_other", "bt_incomplete", "bt_old", "bt_missing"} {
		_, _, err := s.AddLotSample(ctx, lotTech, l.ID, Input[NewLotSample]{Value: NewLotSample{BenchTestID: id}})
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, id)
		assert.Equal(t, []string{"bench_test_id"}, fields(ve.Errors), id)
	}
	_, _, err = s.AddLotSample(ctx, lotTech, l.ID, Input[NewLotSample]{Value: NewLotSample{Serial: "x"}})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, []string{"bench_test_id", "serial"}, fields(ve.Errors))
	got, sample, err := s.AddLotSample(ctx, lotTech, l.ID, Input[NewLotSample]{Value: NewLotSample{BenchTestID: "bt_ok"}})
	require.NoError(t, err)
	assert.True(t, sample.Unit.Conforming())
	assert.Equal(t, 1, got.Tally.Received)
}

func TestSellersSeeTheirOwnDecidedDeviceLotsOnly(t *testing.T) {
	f := newLotFake()
	s := newLotService(f)
	ctx := context.Background()
	seller := Principal{KeyID: "key_s", Role: RoleSeller, SellerID: "sl_a"}
	pending := Lot{ID: "lot_1", Kind: LotDevices, SellerID: "sl_a", Decision: sampling.Pending}
	decided := Lot{ID: "lot_2", Kind: LotDevices, SellerID: "sl_a", Decision: sampling.Rejected}
	other := Lot{ID: "lot_3", Kind: LotDevices, SellerID: "sl_b", Decision: sampling.Accepted}
	parts := Lot{ID: "lot_4", Kind: LotParts, Supplier: "Acme", Decision: sampling.Accepted}
	for _, l := range []Lot{pending, decided, other, parts} {
		f.lots[l.ID] = l
	}
	for _, tc := range []struct {
		id   string
		sees bool
	}{{"lot_1", false}, {"lot_2", true}, {"lot_3", false}, {"lot_4", false}} {
		_, err := s.Lot(ctx, seller, tc.id)
		if tc.sees {
			assert.NoError(t, err, tc.id)
		} else {
			assert.ErrorIs(t, err, ErrNotFound, tc.id)
		}
		_, _, err = s.LotSamples(ctx, seller, tc.id, Page{})
		if !tc.sees {
			assert.ErrorIs(t, err, ErrNotFound, tc.id)
		}
		_, err = s.Lot(ctx, lotTech, tc.id)
		assert.NoError(t, err, "staff see every lot")
	}
	list, _, err := s.Lots(ctx, seller, LotFilter{}, Page{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "lot_2", list[0].ID)
	_, _, err = s.Lots(ctx, seller, LotFilter{SellerID: "sl_b"}, Page{})
	assert.ErrorIs(t, err, ErrNotFound)
	list, _, err = s.Lots(ctx, seller, LotFilter{Kind: LotParts}, Page{})
	require.NoError(t, err)
	assert.Empty(t, list)
	for _, tc := range []struct {
		who  Principal
		f    LotFilter
		want int
	}{
		{seller, LotFilter{}, 1},
		{seller, LotFilter{Kind: LotParts}, 0},
		{seller, LotFilter{Decision: sampling.Pending}, 0},
		{lotTech, LotFilter{}, 4},
		{lotTech, LotFilter{Kind: LotDevices, SellerID: "sl_a"}, 2},
	} {
		n, err := s.CountLots(ctx, tc.who, tc.f)
		require.NoError(t, err)
		assert.Equal(t, tc.want, n, "%s counts %+v", tc.who.Role, tc.f)
	}
	_, err = s.CountLots(ctx, seller, LotFilter{SellerID: "sl_b"})
	assert.ErrorIs(t, err, ErrNotFound)
	_, _, err = s.LotStreams(ctx, seller, LotStreamFilter{}, Page{})
	assert.ErrorIs(t, err, ErrForbidden)
	_, err = s.SupplierSummary(ctx, seller, time.Time{}, time.Time{})
	assert.ErrorIs(t, err, ErrForbidden)
	_, err = s.SupplierSummary(ctx, lotTech, time.Time{}, time.Time{})
	assert.ErrorIs(t, err, ErrForbidden)
}

func TestResumeStreamPutsADiscontinuedStreamBackOnTightened(t *testing.T) {
	f := newLotFake()
	s := newLotService(f)
	ctx := context.Background()
	f.streams["lst_1"] = LotStream{ID: "lst_1", Kind: LotParts, Supplier: "Acme", PartType: "screen",
		Stream: sampling.Stream{State: sampling.StateDiscontinued}}
	f.streams["lst_2"] = LotStream{ID: "lst_2", Kind: LotParts, Supplier: "Acme", PartType: "battery"}

	_, err := s.ResumeStream(ctx, lotTech, "lst_1", "fixed")
	assert.ErrorIs(t, err, ErrForbidden)
	_, err = s.ResumeStream(ctx, lotManager, "lst_1", "  ")
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = s.ResumeStream(ctx, lotManager, "lst_2", "fixed")
	assert.ErrorIs(t, err, ErrConflict, "a normal stream is not resumed")

	n := partsLot(100)
	_, err = s.CreateLot(ctx, lotTech, Input[NewLot]{Value: n})
	assert.ErrorIs(t, err, ErrConflict, "a discontinued stream takes no lot")

	st, err := s.ResumeStream(ctx, lotManager, "lst_1", "supplier changed its process")
	require.NoError(t, err)
	assert.Equal(t, sampling.StateTightened, st.Stream.Current())
	assert.Equal(t, "supplier changed its process", st.ResumeNote)
	require.NotNil(t, st.ResumedAt)
	l, err := s.CreateLot(ctx, lotTech, Input[NewLot]{Value: n})
	require.NoError(t, err)
	assert.Equal(t, sampling.Tightened, l.Plan.Severity)
}
