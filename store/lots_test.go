package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/sampling"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

var (
	lotTech    = audit.Principal{KeyID: "key_lot_tech", Role: audit.RoleTechnician}
	lotManager = audit.Principal{KeyID: "key_lot_mgr", Role: audit.RoleManager}
	lotAt      = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
)

// lotEnv is the lot use cases over a real store.
type lotEnv struct {
	st  *store.Store
	svc *audit.Service
}

func newLotEnv(t *testing.T, b storetest.Backend) lotEnv {
	st := b.Open(t, store.Config{})
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	return lotEnv{st: st, svc: audit.NewService(audit.ServiceConfig{Store: st, Protocols: ps})}
}

func (e lotEnv) partsLot(t *testing.T, ref, supplier string, size int) audit.Lot {
	t.Helper()
	l, err := e.svc.CreateLot(context.Background(), lotTech, audit.Input[audit.NewLot]{Value: audit.NewLot{
		Kind: audit.LotParts, LotRef: ref, LotSize: size, Supplier: supplier, PartType: "screen", ReceivedAt: lotAt}})
	require.NoError(t, err)
	return l
}

func (e lotEnv) part(t *testing.T, lotID string, classes ...sampling.Class) (audit.Lot, audit.LotSample, error) {
	t.Helper()
	ds := []audit.Defect{}
	for _, c := range classes {
		ds = append(ds, audit.Defect{Class: c, Code: "d-" + string(c), Note: "seen"})
	}
	return e.svc.AddLotSample(context.Background(), lotTech, lotID, audit.Input[audit.NewLotSample]{
		Value: audit.NewLotSample{Serial: "S-1", Defects: ds}})
}

func TestLotIsStoredWithItsPlanAndDecidedByItsSamples(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newLotEnv(t, b)
		// 100 parts at level II: code letter F, major 2.5 is 20 1/2, minor 4.0 is 20 2/3.
		l := e.partsLot(t, "L-1", "Acme", 100)
		assert.Regexp(t, `^lot_[0-9a-z]{30}$`, l.ID)
		assert.Equal(t, sampling.CodeLetter("F"), l.Plan.CodeLetter)
		assert.Equal(t, 20, l.Plan.SampleSize)
		require.Len(t, l.Positions, 20)
		got, err := e.st.Lot(ctx, l.ID)
		require.NoError(t, err)
		assert.Equal(t, l, got, "read back as created")

		_, err = e.svc.CreateLot(ctx, lotTech, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotParts,
			LotRef: "L-1", LotSize: 10, Supplier: "Acme", PartType: "screen", ReceivedAt: lotAt}})
		assert.ErrorIs(t, err, audit.ErrConflict, "a lot_ref is unique per stream")
		other := e.partsLot(t, "L-1", "Other Co", 10)
		assert.NotEqual(t, l.StreamID, other.StreamID, "another supplier is another stream")

		_, s1, err := e.part(t, l.ID, sampling.Minor)
		require.NoError(t, err)
		assert.Equal(t, 1, s1.Number)
		assert.Equal(t, []audit.Defect{{Class: sampling.Minor, Code: "d-minor", Note: "seen"}}, s1.Defects)
		for i := 2; i < 20; i++ {
			lot, s, err := e.part(t, l.ID)
			require.NoError(t, err)
			assert.Equal(t, i, s.Number)
			assert.Equal(t, sampling.Pending, lot.Decision)
		}
		lot, s20, err := e.part(t, l.ID, sampling.Minor)
		require.NoError(t, err)
		assert.Equal(t, 20, s20.Number)
		assert.Equal(t, sampling.Accepted, lot.Decision, "2 minor nonconforming of 20 is within Ac 2")
		assert.Equal(t, sampling.Count{Inspected: 20, Nonconforming: 2}, lot.Tally.Minor)
		require.NotNil(t, lot.DecidedAt)
		_, _, err = e.part(t, l.ID)
		assert.ErrorIs(t, err, audit.ErrConflict, "a decided lot is closed")

		got, err = e.st.Lot(ctx, l.ID)
		require.NoError(t, err)
		assert.Equal(t, lot, got)

		var numbers []int
		page := store.Page{Limit: 7}
		for {
			ss, next, err := e.st.LotSamples(ctx, l.ID, page)
			require.NoError(t, err)
			for _, s := range ss {
				numbers = append(numbers, s.Number)
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		assert.Equal(t, 20, len(numbers))
		assert.True(t, slices.IsSorted(numbers))

		lots, _, err := e.st.Lots(ctx, audit.LotFilter{Decision: sampling.Accepted}, store.Page{})
		require.NoError(t, err)
		require.Len(t, lots, 1)
		assert.Equal(t, l.ID, lots[0].ID)
		lots, _, err = e.st.Lots(ctx, audit.LotFilter{Supplier: "Other Co"}, store.Page{})
		require.NoError(t, err)
		require.Len(t, lots, 1)
		assert.Equal(t, other.ID, lots[0].ID)

		for _, tc := range []struct {
			entity, action string
			n              int
		}{{"lot_stream", "create", 2}, {"lot", "create", 2}, {"lot_sample", "create", 20}, {"lot", "accepted", 1}} {
			evs, _, err := e.st.Events(ctx, store.EventFilter{Entity: tc.entity}, store.Page{Limit: 100})
			require.NoError(t, err)
			n := 0
			for _, ev := range evs {
				if ev.Action == tc.action {
					n++
				}
			}
			assert.Equal(t, tc.n, n, "%s %s events", tc.entity, tc.action)
		}
	})
}

func TestABenchTestIsASampleOfOneLotOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newLotEnv(t, b)
		seller := newBenchSeller(t, e.st, "S")
		rec, _, err := e.st.CreateBenchTest(ctx, benchTechnician, benchTest(t, seller.ID, "LAB-1", lotAt))
		require.NoError(t, err)
		newLot := func(ref string) audit.Lot {
			l, err := e.svc.CreateLot(ctx, lotTech, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotDevices,
				LotRef: ref, LotSize: 50, SellerID: seller.ID, ReceivedAt: lotAt}})
			require.NoError(t, err)
			return l
		}
		a, bLot := newLot("A"), newLot("B")
		assert.Equal(t, a.StreamID, bLot.StreamID, "one stream per seller")
		_, s, err := e.svc.AddLotSample(ctx, lotTech, a.ID, audit.Input[audit.NewLotSample]{Value: audit.NewLotSample{BenchTestID: rec.ID}})
		require.NoError(t, err)
		assert.Equal(t, rec.ID, s.BenchTestID)
		assert.True(t, s.Unit.Conforming())
		for _, id := range []string{a.ID, bLot.ID} {
			_, _, err = e.svc.AddLotSample(ctx, lotTech, id, audit.Input[audit.NewLotSample]{Value: audit.NewLotSample{BenchTestID: rec.ID}})
			assert.ErrorIs(t, err, audit.ErrConflict)
		}
		got, err := e.st.Lot(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, 1, got.Tally.Received, "a refused sample leaves the tally as it was")
		_, err = e.svc.CreateLot(ctx, lotTech, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotDevices,
			LotRef: "C", LotSize: 50, SellerID: "sl_nobody", ReceivedAt: lotAt}})
		assert.ErrorIs(t, err, audit.ErrInvalid, "an unknown seller")
	})
}

func TestStreamsSwitchAndAreResumed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newLotEnv(t, b)
		reject := func(i int) audit.Lot {
			l := e.partsLot(t, fmt.Sprint("R-", i), "Acme", 100)
			lot, _, err := e.part(t, l.ID, sampling.Critical)
			require.NoError(t, err)
			require.Equal(t, sampling.Rejected, lot.Decision)
			return lot
		}
		first := reject(0)
		assert.Equal(t, sampling.Normal, first.Plan.Severity)
		reject(1) // 2 rejections in a row on normal: tightened
		streams, _, err := e.svc.LotStreams(ctx, lotTech, audit.LotStreamFilter{Supplier: "Acme"}, store.Page{})
		require.NoError(t, err)
		require.Len(t, streams, 1)
		st := streams[0]
		assert.Equal(t, sampling.StateTightened, st.Stream.Current())
		assert.Equal(t, 2, st.Stream.Decided)
		assert.Equal(t, 2, st.Stream.Rejected)
		for i := 2; i < 7; i++ {
			assert.Equal(t, sampling.Tightened, reject(i).Plan.Severity)
		}
		_, err = e.svc.CreateLot(ctx, lotTech, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotParts,
			LotRef: "X", LotSize: 100, Supplier: "Acme", PartType: "screen", ReceivedAt: lotAt}})
		assert.ErrorIs(t, err, audit.ErrConflict, "5 rejections on tightened discontinue the stream")

		resumed, err := e.svc.ResumeStream(ctx, lotManager, st.ID, "new supplier process")
		require.NoError(t, err)
		assert.Equal(t, sampling.StateTightened, resumed.Stream.Current())
		assert.Equal(t, "new supplier process", resumed.ResumeNote)
		assert.Equal(t, lotManager.KeyID, resumed.ResumedBy)
		_, err = e.svc.ResumeStream(ctx, lotManager, st.ID, "again")
		assert.ErrorIs(t, err, audit.ErrConflict)
		_, err = e.svc.ResumeStream(ctx, lotManager, "lst_missing", "x")
		assert.ErrorIs(t, err, audit.ErrNotFound)
		assert.Equal(t, sampling.Tightened, e.partsLot(t, "Y", "Acme", 100).Plan.Severity)

		evs, _, err := e.st.Events(ctx, store.EventFilter{Entity: "lot_stream", EntityID: st.ID}, store.Page{})
		require.NoError(t, err)
		var actions []string
		for _, ev := range evs {
			actions = append(actions, ev.Action)
		}
		assert.Equal(t, []string{"create", "switch_tightened", "switch_discontinued", "resume"}, actions)
	})
}

func TestSupplierSummaryCountsDecidedLotsAndTheirSamples(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newLotEnv(t, b)
		rejected := e.partsLot(t, "A-1", "Acme", 100)
		_, _, err := e.part(t, rejected.ID, sampling.Major)
		require.NoError(t, err)
		_, _, err = e.part(t, rejected.ID, sampling.Major, sampling.Minor)
		require.NoError(t, err) // 2 major of 20: Re 2 reached
		accepted := e.partsLot(t, "A-2", "Acme", 2)
		_, _, err = e.part(t, accepted.ID)
		require.NoError(t, err)
		_, _, err = e.part(t, accepted.ID)
		require.NoError(t, err)
		pending := e.partsLot(t, "B-1", "Beta", 100)
		_, _, err = e.part(t, pending.ID, sampling.Minor)
		require.NoError(t, err)

		sum, err := e.svc.SupplierSummary(ctx, lotManager, time.Time{}, time.Time{})
		require.NoError(t, err)
		require.Len(t, sum, 1, "Beta has no decided lot yet")
		got := sum[0]
		assert.Equal(t, audit.SupplierSummary{Supplier: "Acme", PartType: "screen", LotsDecided: 2, LotsRejected: 1,
			Samples: 4, Critical: 0, Major: 2, Minor: 1}, got)
		assert.Equal(t, 0.5, got.RejectionRate())
		assert.Equal(t, 0.5, got.NonconformingRate(sampling.Major))
		assert.Equal(t, 0.25, got.NonconformingRate(sampling.Minor))

		sum, err = e.svc.SupplierSummary(ctx, lotManager, e.st.Now().Add(time.Hour), time.Time{})
		require.NoError(t, err)
		assert.Empty(t, sum, "nothing was decided after from")
	})
}

// The lots decided in a window (the managers' "lots rejected this month") are listed and
// counted by when they were decided, whenever they were received; pending lots are in no window.
func TestLotsAreListedAndCountedByWhenTheyWereDecided(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		now := time.Date(2026, 3, 31, 23, 59, 0, 0, time.UTC)
		st := b.Open(t, store.Config{Now: func() time.Time { return now }})
		ps, err := checklist.LoadProtocols()
		require.NoError(t, err)
		e := lotEnv{st: st, svc: audit.NewService(audit.ServiceConfig{Store: st, Protocols: ps})}
		march := e.partsLot(t, "M-1", "Acme", 2)
		_, _, err = e.part(t, march.ID, sampling.Critical) // rejected on March 31st
		require.NoError(t, err)
		now = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		april := e.partsLot(t, "A-1", "Acme", 2)
		_, _, err = e.part(t, april.ID, sampling.Critical) // rejected at April's first instant
		require.NoError(t, err)
		accepted := e.partsLot(t, "A-2", "Acme", 2)
		for range 2 {
			_, _, err = e.part(t, accepted.ID)
			require.NoError(t, err)
		}
		pending := e.partsLot(t, "A-3", "Acme", 2)
		_, _, err = e.part(t, pending.ID)
		require.NoError(t, err)

		aprilStart, mayStart := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		for _, tc := range []struct {
			name string
			f    audit.LotFilter
			want []string
		}{
			{"rejected in April", audit.LotFilter{Decision: sampling.Rejected, DecidedFrom: aprilStart, DecidedTo: mayStart}, []string{april.ID}},
			{"decided since April", audit.LotFilter{DecidedFrom: aprilStart}, []string{april.ID, accepted.ID}},
			{"decided before April", audit.LotFilter{DecidedTo: aprilStart}, []string{march.ID}},
			{"every parts lot", audit.LotFilter{Kind: audit.LotParts}, []string{march.ID, april.ID, accepted.ID, pending.ID}},
			{"no device lot", audit.LotFilter{Kind: audit.LotDevices, DecidedFrom: aprilStart}, nil},
			{"newest first", audit.LotFilter{DecidedOnly: true, NewestFirst: true}, []string{accepted.ID, april.ID, march.ID}},
		} {
			list, _, err := e.svc.Lots(ctx, lotManager, tc.f, audit.Page{})
			require.NoError(t, err, tc.name)
			var got []string
			for _, l := range list {
				got = append(got, l.ID)
			}
			assert.Equal(t, tc.want, got, tc.name)
			n, err := e.svc.CountLots(ctx, lotManager, tc.f)
			require.NoError(t, err, tc.name)
			assert.Equal(t, len(tc.want), n, tc.name)
		}
	})
}

// Concurrent clients adding samples to one lot: exactly the sample size is taken, each number
// once, and every other client is refused with a conflict.
func TestConcurrentSamplesNeverExceedTheSampleSize(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newLotEnv(t, b)
		l := e.partsLot(t, "C-1", "Acme", 100) // 20 samples; conforming parts decide it at the 20th
		const clients = 32
		var wg sync.WaitGroup
		var mu sync.Mutex
		var numbers []int
		conflicts := 0
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, s, err := e.part(t, l.ID)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					numbers = append(numbers, s.Number)
				case assert.ErrorIs(t, err, audit.ErrConflict):
					conflicts++
				}
			}()
		}
		wg.Wait()
		slices.Sort(numbers)
		want := make([]int, 20)
		for i := range want {
			want[i] = i + 1
		}
		assert.Equal(t, want, numbers, "numbers 1..20, each once")
		assert.Equal(t, clients-20, conflicts)
		got, err := e.st.Lot(ctx, l.ID)
		require.NoError(t, err)
		assert.Equal(t, 20, got.Tally.Received)
		assert.Equal(t, sampling.Accepted, got.Decision)
		ss, _, err := e.st.LotSamples(ctx, l.ID, store.Page{Limit: 100})
		require.NoError(t, err)
		assert.Len(t, ss, 20)

		// The first lots of a new source, created at once, share one stream.
		var ids sync.Map
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l, err := e.svc.CreateLot(ctx, lotTech, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotParts,
					LotRef: fmt.Sprint("N-", i), LotSize: 10, Supplier: "Newco", PartType: "battery", ReceivedAt: lotAt}})
				if assert.NoError(t, err) {
					ids.Store(l.StreamID, true)
				}
			}()
		}
		wg.Wait()
		n := 0
		ids.Range(func(any, any) bool { n++; return true })
		assert.Equal(t, 1, n)
	})
}

// Migration 00011 goes down and up again on both dialects: down drops the lot tables, up
// makes them anew, empty and usable.
func TestLotsMigrationDownAndUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newLotEnv(t, b)
		e.partsLot(t, "M-1", "Acme", 10)
		p := migrator(t, b, e.st)
		_, err := p.DownTo(ctx, 10)
		require.NoError(t, err)
		_, _, err = e.st.Lots(ctx, audit.LotFilter{}, store.Page{})
		require.Error(t, err, "the lots table is gone")
		_, err = p.Up(ctx)
		require.NoError(t, err)
		lots, _, err := e.st.Lots(ctx, audit.LotFilter{}, store.Page{})
		require.NoError(t, err)
		assert.Empty(t, lots)
		e.partsLot(t, "M-1", "Acme", 10)
	})
}

// Migration 00015 moves the positions of the lots already stored into lot_positions, where the
// store reads them, and going down puts them back on the lots' rows, on both dialects.
func TestLotPositionsMigrationKeepsThePositions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := openUnmigrated(t, b, store.Config{})
		p := migrator(t, b, st)
		_, err := p.UpTo(ctx, 14)
		require.NoError(t, err)
		db := st.AuditsTestDB()
		require.NoError(t, db.Table("lot_streams").Create(map[string]any{"id": "lst_1", "kind": "parts",
			"source_key": "parts:screen:Acme", "supplier": "Acme", "part_type": "screen", "state": "normal", "run": 0,
			"rejections": 0, "lots_decided": 0, "lots_rejected": 0, "created_at": lotAt}).Error)
		// Two lots as 00011 stored them: 100 parts at level II (code letter F, 20 positions), 2 (A, 2).
		for _, l := range []struct {
			id, ref   string
			size      int
			letter    string
			n         int
			positions string
		}{{"lot_a", "A", 100, "F", 20, "[3,5,8,13,21,22,30,34,40,44,50,55,60,61,70,77,80,89,95,99]"}, {"lot_b", "B", 2, "A", 2, "[1,2]"}} {
			require.NoError(t, db.Table("lots").Create(map[string]any{"id": l.id, "kind": "parts", "stream_id": "lst_1",
				"lot_ref": l.ref, "lot_size": l.size, "inspection_level": "II", "severity": "normal", "aql_major": 250,
				"aql_minor": 400, "listed_grade": "", "supplier": "Acme", "part_type": "screen", "received_at": lotAt,
				"code_letter": l.letter, "sample_size": l.n, "sample_positions": l.positions, "samples_received": 0,
				"critical_inspected": 0, "critical_nonconforming": 0, "major_inspected": 0, "major_nonconforming": 0,
				"minor_inspected": 0, "minor_nonconforming": 0, "decision": "pending", "created_at": lotAt,
				"created_by": "key_1"}).Error)
		}
		_, err = st.Migrate(ctx)
		require.NoError(t, err)

		got, err := st.Lot(ctx, "lot_a")
		require.NoError(t, err)
		assert.Equal(t, []int{3, 5, 8, 13, 21, 22, 30, 34, 40, 44, 50, 55, 60, 61, 70, 77, 80, 89, 95, 99}, got.Positions)
		lots, _, err := st.Lots(ctx, audit.LotFilter{}, store.Page{})
		require.NoError(t, err)
		require.Len(t, lots, 2)
		assert.Equal(t, []int{1, 2}, lots[1].Positions)
		_, err = db.Raw("SELECT sample_positions FROM lots").Rows()
		require.Error(t, err, "the column is gone from the lots")

		_, err = p.DownTo(ctx, 14)
		require.NoError(t, err)
		var back []struct{ ID, SamplePositions string }
		require.NoError(t, db.Raw("SELECT id, sample_positions FROM lots ORDER BY id").Scan(&back).Error)
		assert.Equal(t, []struct{ ID, SamplePositions string }{
			{"lot_a", "[3,5,8,13,21,22,30,34,40,44,50,55,60,61,70,77,80,89,95,99]"}, {"lot_b", "[1,2]"}}, back)
		_, err = p.Up(ctx)
		require.NoError(t, err)
		var moved []struct{ LotID, Positions string }
		require.NoError(t, db.Raw("SELECT lot_id, positions FROM lot_positions ORDER BY lot_id").Scan(&moved).Error)
		assert.Equal(t, []struct{ LotID, Positions string }{
			{"lot_a", "[3,5,8,13,21,22,30,34,40,44,50,55,60,61,70,77,80,89,95,99]"}, {"lot_b", "[1,2]"}}, moved)
	})
}
