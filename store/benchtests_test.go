package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

var benchTechnician = audit.Principal{KeyID: "key_bench", Role: audit.RoleTechnician}

// rawInspection is an inspection document as a lab tool might send it: odd spacing, key order
// of its own, non-ASCII text and escapes. The store must keep it byte for byte.
const rawInspection = `{ "device":{"category":"smartphone","brand":"Fairphone","model":"Fairphone 5 \u00e9dition ünï",
  "imei":"356938035643809"},
	"functional": {"power_on":"pass"},  "battery":{"health_pct":91.50,"genuine":true},
  "cosmetic":{"screen":{"light_scratches":0,"deep_scratches":0,"dents":0,"chips":0,"cracks":0,"visible_from_cm":0},"body":{"light_scratches":0,"deep_scratches":0,"dents":0,"chips":0,"cracks":0,"visible_from_cm":0}},
  "compliance":{"activation_lock":false,"imei_status":"clean","liquid_damage":false,"data_erased":true,"factory_reset":true,"os_up_to_date":true,"markings_intact":true,"display_like_for_like":true},
  "parts":{"non_genuine":["battery"],"disclosed":true}, "x-lab-note": "<b>&</b>" }`

// benchInspection is a pristine smartphone (every protocol test passed) with the given battery
// health and screen cracks.
func benchInspection(t testing.TB, health float64, cracks int) grading.Inspection {
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	fn := map[string]grading.Outcome{}
	for _, tc := range ps[grading.Smartphone].Tests {
		fn[tc.Code] = grading.Pass
	}
	in := grading.Inspection{
		Device:     grading.Device{Category: grading.Smartphone, Brand: "Fairphone", Model: "Fairphone 5", IMEI: "356938035643809", Serial: "FP5-0001"},
		Functional: fn,
		Battery:    grading.Battery{HealthPct: health, Genuine: true},
		Compliance: grading.Compliance{IMEIStatus: grading.IMEIClean, DataErased: true, FactoryReset: true, OSUpToDate: true,
			MarkingsIntact: true, DisplayLikeForLike: true},
		Parts: grading.Parts{NonGenuine: []string{"battery"}, Disclosed: true},
	}
	if cracks > 0 {
		in.Cosmetic.Screen = grading.Zone{Cracks: cracks, VisibleFromCM: 100}
	}
	return in
}

// benchTest builds a valid bench test with its grade derived, as the HTTP layer hands it over.
func benchTest(t testing.TB, sellerID, externalID string, testedAt time.Time) audit.BenchTest {
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	bt := audit.BenchTest{SellerID: sellerID, Lab: "Lyon lab 2", TestedAt: testedAt, ListedGrade: grading.Excellent,
		ExternalID: externalID, Inspection: benchInspection(t, 91.5, 0), Submitted: []byte(rawInspection)}
	require.Empty(t, audit.ValidateBenchTest(bt, ps))
	audit.DeriveBenchTest(&bt, ps[grading.Smartphone])
	return bt
}

func newBenchSeller(t *testing.T, st *store.Store, name string) audit.Seller {
	s, err := st.CreateSeller(context.Background(), benchTechnician, audit.Seller{Name: name, Country: "FR", ContactEmail: "qa@example.com"})
	require.NoError(t, err)
	return s
}

func TestBenchTestCreateAndRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller := newBenchSeller(t, st, "S")
		testedAt := time.Date(2026, 10, 2, 9, 30, 0, 123456789, time.FixedZone("CEST", 2*3600))

		in := benchTest(t, seller.ID, "LAB-1", testedAt)
		rec, created, err := st.CreateBenchTest(ctx, benchTechnician, in)
		require.NoError(t, err)
		assert.True(t, created)
		assert.Regexp(t, `^bt_[0-9a-z]{30}$`, rec.ID)
		assert.Equal(t, seller.ID, rec.SellerID)
		assert.Equal(t, "Lyon lab 2", rec.Lab)
		assert.Equal(t, testedAt.UTC().Truncate(time.Microsecond), rec.TestedAt, "UTC, to the microsecond")
		assert.Equal(t, time.UTC, rec.TestedAt.Location())
		assert.Equal(t, grading.Excellent, rec.ListedGrade)
		assert.Equal(t, "LAB-1", rec.ExternalID)
		assert.Equal(t, benchTechnician.KeyID, rec.TechnicianKeyID, "the key that recorded it")
		assert.Empty(t, rec.Supersedes)
		assert.Empty(t, rec.SupersededBy)
		assert.Equal(t, in.Grade, rec.Grade)
		assert.Equal(t, grading.Excellent, rec.Grade.Marketplace, "a non-genuine battery is never premium")
		assert.Equal(t, grading.MatchEqual, rec.GradeMatch)
		assert.Equal(t, rawInspection, string(rec.Submitted), "the inspection byte for byte")

		got, err := st.BenchTest(ctx, rec.ID)
		require.NoError(t, err)
		assert.Equal(t, rec, got)
		assert.Equal(t, rawInspection, string(got.Submitted), "the inspection byte for byte, read back")
		assert.Equal(t, in.Inspection, got.Inspection, "the whole inspection, from the store's own document")
		assert.Equal(t, in.Inspection.Device, got.Inspection.Device)
		assert.Equal(t, 91.5, got.Inspection.Battery.HealthPct)
		assert.Equal(t, in.Inspection.Compliance, got.Inspection.Compliance)
		assert.NotNil(t, got.Inspection.Parts.NonGenuine, "non-genuine parts were reported")

		_, err = st.BenchTest(ctx, "bt_missing")
		assert.ErrorIs(t, err, audit.ErrNotFound)

		_, _, err = st.CreateBenchTest(ctx, benchTechnician, benchTest(t, "sl_missing", "LAB-1", testedAt))
		assert.ErrorIs(t, err, audit.ErrNotFound, "an unknown seller")

		events, _, err := st.Events(ctx, store.EventFilter{Entity: "bench_test"}, store.Page{})
		require.NoError(t, err)
		require.Len(t, events, 1)
		assert.Equal(t, rec.ID, events[0].EntityID)
		assert.Equal(t, "create", events[0].Action)
		assert.Equal(t, benchTechnician.KeyID, events[0].KeyID)
	})
}

func TestBenchTestDerivedColumnsWithoutOptionalFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller := newBenchSeller(t, st, "S")
		ps, err := checklist.LoadProtocols()
		require.NoError(t, err)
		bt := audit.BenchTest{SellerID: seller.ID, Lab: "L", TestedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			Inspection: benchInspection(t, 79.99, 1), Submitted: []byte(`{}`)}
		bt.Inspection.Parts.NonGenuine = nil
		audit.DeriveBenchTest(&bt, ps[grading.Smartphone])
		rec, created, err := st.CreateBenchTest(ctx, benchTechnician, bt)
		require.NoError(t, err)
		assert.True(t, created)
		got, err := st.BenchTest(ctx, rec.ID)
		require.NoError(t, err)
		assert.Empty(t, got.ListedGrade)
		assert.Empty(t, got.ExternalID)
		assert.Empty(t, got.GradeMatch, "no listed grade, no match")
		assert.Equal(t, grading.NotSellable, got.Grade.Status)
		assert.Equal(t, grading.F2, got.Grade.Functional)
		assert.Equal(t, grading.CosmeticE, got.Grade.Cosmetic)
		assert.Empty(t, got.Grade.Marketplace)
		assert.Equal(t, bt.Grade.Reasons, got.Grade.Reasons)
		assert.Nil(t, got.Inspection.Parts.NonGenuine)

		// Without an external id there is no idempotency key: every submission is a new record.
		again, created, err := st.CreateBenchTest(ctx, benchTechnician, bt)
		require.NoError(t, err)
		assert.True(t, created)
		assert.NotEqual(t, rec.ID, again.ID)
	})
}

func TestBenchTestIdempotentOnExternalID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller, other := newBenchSeller(t, st, "S"), newBenchSeller(t, st, "O")
		at := time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)

		first, created, err := st.CreateBenchTest(ctx, benchTechnician, benchTest(t, seller.ID, "LAB-7", at))
		require.NoError(t, err)
		require.True(t, created)

		changed := benchTest(t, seller.ID, "LAB-7", at.Add(time.Hour))
		changed.Lab = "another lab"
		again, created, err := st.CreateBenchTest(ctx, audit.Principal{KeyID: "key_other", Role: audit.RoleAdmin}, changed)
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, first, again, "the stored bench test, unchanged")

		// The external id is unique per seller only.
		o, created, err := st.CreateBenchTest(ctx, benchTechnician, benchTest(t, other.ID, "LAB-7", at))
		require.NoError(t, err)
		assert.True(t, created)
		assert.NotEqual(t, first.ID, o.ID)

		events, _, err := st.Events(ctx, store.EventFilter{Entity: "bench_test"}, store.Page{})
		require.NoError(t, err)
		assert.Len(t, events, 2, "a duplicate records no event")
	})
}

func TestBenchTestIdempotentUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller := newBenchSeller(t, st, "S")
		at := time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)
		const n = 8
		ids := make([]string, n)
		createdCount := make([]bool, n)
		batchIDs := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec, created, err := st.CreateBenchTest(ctx, benchTechnician, benchTest(t, seller.ID, "RACE-1", at))
				if assert.NoError(t, err) {
					ids[i], createdCount[i] = rec.ID, created
				}
				res, err := st.CreateBenchTests(ctx, benchTechnician, []audit.BenchTest{
					benchTest(t, seller.ID, "RACE-2", at), benchTest(t, seller.ID, fmt.Sprintf("OWN-%d", i), at),
				})
				if assert.NoError(t, err) && assert.Len(t, res, 2) {
					batchIDs[i] = res[0].ID
					assert.Equal(t, store.BatchCreated, res[1].Outcome)
				}
			}()
		}
		wg.Wait()
		created := 0
		for i := range n {
			assert.Equal(t, ids[0], ids[i], "every submission answers the one stored record")
			assert.Equal(t, batchIDs[0], batchIDs[i], "every batch answers the one stored record")
			if createdCount[i] {
				created++
			}
		}
		assert.Equal(t, 1, created)
		all, _, err := st.BenchTests(ctx, store.BenchTestFilter{SellerID: seller.ID}, store.Page{Limit: 100})
		require.NoError(t, err)
		assert.Len(t, all, 2+n)
		events, _, err := st.Events(ctx, store.EventFilter{Entity: "bench_test"}, store.Page{Limit: 100})
		require.NoError(t, err)
		assert.Len(t, events, 2+n, "one event per stored record")
	})
}

func TestBenchTestBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller, other := newBenchSeller(t, st, "S"), newBenchSeller(t, st, "O")
		at := time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)
		stored, _, err := st.CreateBenchTest(ctx, benchTechnician, benchTest(t, seller.ID, "OLD", at))
		require.NoError(t, err)

		items := []audit.BenchTest{
			benchTest(t, seller.ID, "A", at),         // 0 created
			benchTest(t, seller.ID, "OLD", at),       // 1 duplicate of the stored one
			benchTest(t, seller.ID, "A", at),         // 2 duplicate of item 0
			benchTest(t, "sl_missing", "B", at),      // 3 unknown seller
			benchTest(t, other.ID, "A", at),          // 4 created: another seller's "A"
			benchTest(t, seller.ID, "", at),          // 5 created: no external id
			benchTest(t, seller.ID, "", at),          // 6 created: no external id, no dedup
			benchTest(t, "sl_missing", "B", at),      // 7 unknown seller again
			benchTest(t, other.ID, "OLD", at),        // 8 created
			benchTest(t, seller.ID, "A", at.Add(-1)), // 9 duplicate of item 0
		}
		res, err := st.CreateBenchTests(ctx, benchTechnician, items)
		require.NoError(t, err)
		require.Len(t, res, len(items))
		want := []store.BatchOutcome{store.BatchCreated, store.BatchDuplicate, store.BatchDuplicate, store.BatchUnknownSeller,
			store.BatchCreated, store.BatchCreated, store.BatchCreated, store.BatchUnknownSeller, store.BatchCreated, store.BatchDuplicate}
		for i, r := range res {
			assert.Equal(t, want[i], r.Outcome, "item %d", i)
		}
		assert.Equal(t, stored.ID, res[1].ID)
		assert.Equal(t, res[0].ID, res[2].ID)
		assert.Equal(t, res[0].ID, res[9].ID)
		assert.Empty(t, res[3].ID)
		assert.NotEqual(t, res[5].ID, res[6].ID)

		for _, i := range []int{0, 4, 5, 6, 8} {
			got, err := st.BenchTest(ctx, res[i].ID)
			require.NoError(t, err, "item %d", i)
			assert.Equal(t, items[i].SellerID, got.SellerID)
			assert.Equal(t, items[i].Grade, got.Grade)
			assert.Equal(t, rawInspection, string(got.Submitted))
		}
		events, _, err := st.Events(ctx, store.EventFilter{Entity: "bench_test"}, store.Page{Limit: 100})
		require.NoError(t, err)
		assert.Len(t, events, 1+5, "one event per created record")

		// A batch submitted again is all duplicates (or unknown sellers), and stores nothing.
		again, err := st.CreateBenchTests(ctx, benchTechnician, []audit.BenchTest{items[0], items[4], items[3]})
		require.NoError(t, err)
		assert.Equal(t, []store.BatchResult{{Outcome: store.BatchDuplicate, ID: res[0].ID},
			{Outcome: store.BatchDuplicate, ID: res[4].ID}, {Outcome: store.BatchUnknownSeller}}, again)
	})
}

func TestBenchTestLargeBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		sellers := []audit.Seller{newBenchSeller(t, st, "S1"), newBenchSeller(t, st, "S2"), newBenchSeller(t, st, "S3")}
		at := time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)
		items := make([]audit.BenchTest, 1000) // the most a request may hold: several insert statements
		for i := range items {
			items[i] = benchTest(t, sellers[i%3].ID, fmt.Sprintf("EXT-%04d", i), at.Add(time.Duration(i)*time.Minute))
		}
		res, err := st.CreateBenchTests(ctx, benchTechnician, items)
		require.NoError(t, err)
		for i, r := range res {
			require.Equal(t, store.BatchCreated, r.Outcome, "item %d", i)
		}
		res, err = st.CreateBenchTests(ctx, benchTechnician, items)
		require.NoError(t, err)
		ids := map[string]bool{}
		for i, r := range res {
			require.Equal(t, store.BatchDuplicate, r.Outcome, "item %d", i)
			ids[r.ID] = true
		}
		assert.Len(t, ids, len(items))
	})
}

func TestBenchTestListFiltersAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller, other := newBenchSeller(t, st, "S"), newBenchSeller(t, st, "O")
		day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		var items []audit.BenchTest
		for i := range 30 {
			s := seller.ID
			if i%3 == 2 {
				s = other.ID
			}
			// One bench test every 8 hours from 1 October, the first of each day at midnight.
			items = append(items, benchTest(t, s, fmt.Sprintf("E%02d", i), day.Add(time.Duration(i)*8*time.Hour)))
		}
		res, err := st.CreateBenchTests(ctx, benchTechnician, items)
		require.NoError(t, err)
		require.Len(t, res, 30)

		walk := func(f store.BenchTestFilter, limit int) []store.BenchTestRecord {
			var all []store.BenchTestRecord
			seen := map[string]bool{}
			p := store.Page{Limit: limit}
			for {
				page, next, err := st.BenchTests(ctx, f, p)
				require.NoError(t, err)
				assert.LessOrEqual(t, len(page), limit)
				for _, r := range page {
					assert.False(t, seen[r.ID], "seen twice: %s", r.ID)
					seen[r.ID] = true
				}
				all = append(all, page...)
				if next == "" {
					return all
				}
				p.Cursor = next
			}
		}
		assert.Len(t, walk(store.BenchTestFilter{}, 7), 30)
		assert.Len(t, walk(store.BenchTestFilter{SellerID: seller.ID}, 4), 20)
		assert.Empty(t, walk(store.BenchTestFilter{SellerID: "sl_missing"}, 4))

		// [2 Oct, 4 Oct): six bench tests (items 3 to 8); from is inclusive, to exclusive.
		period := store.BenchTestFilter{From: day.AddDate(0, 0, 1), To: day.AddDate(0, 0, 3)}
		got := walk(period, 2)
		require.Len(t, got, 6)
		for _, r := range got {
			assert.False(t, r.TestedAt.Before(period.From), r.TestedAt)
			assert.True(t, r.TestedAt.Before(period.To), r.TestedAt)
		}
		assert.Equal(t, res[3].ID, got[0].ID, "creation order")
		period.SellerID = seller.ID
		assert.Len(t, walk(period, 2), 4) // items 3, 4, 6, 7
		// A period given in another zone means the same instants.
		paris := time.FixedZone("CEST", 2*3600)
		assert.Len(t, walk(store.BenchTestFilter{From: day.AddDate(0, 0, 1).In(paris), To: day.AddDate(0, 0, 3).In(paris)}, 50), 6)
		assert.Len(t, walk(store.BenchTestFilter{From: day.AddDate(0, 0, 9)}, 50), 3)
		assert.Len(t, walk(store.BenchTestFilter{To: day.Add(time.Second)}, 50), 1)
	})
}

func TestBenchTestCorrections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller := newBenchSeller(t, st, "S")
		at := time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)
		orig, _, err := st.CreateBenchTest(ctx, benchTechnician, benchTest(t, seller.ID, "LAB-9", at))
		require.NoError(t, err)

		fix := benchTest(t, seller.ID, "LAB-9", at) // the correction may reuse the external id
		fix.Lab = "Lyon lab 3"
		// That a correction is of the same seller's device is the service's rule
		// (audit.TestCorrectBenchTest).
		_, err = st.CorrectBenchTest(ctx, benchTechnician, "bt_missing", fix)
		assert.ErrorIs(t, err, audit.ErrNotFound)

		corr, err := st.CorrectBenchTest(ctx, benchTechnician, orig.ID, fix)
		require.NoError(t, err)
		assert.Equal(t, orig.ID, corr.Supersedes)
		assert.Empty(t, corr.SupersededBy)
		assert.Equal(t, "Lyon lab 3", corr.Lab)

		before, err := st.BenchTest(ctx, orig.ID)
		require.NoError(t, err)
		assert.Equal(t, corr.ID, before.SupersededBy, "the corrected record says what replaced it")
		before.SupersededBy = ""
		assert.Equal(t, orig, before, "and is otherwise unchanged")

		_, err = st.CorrectBenchTest(ctx, benchTechnician, orig.ID, fix)
		assert.ErrorIs(t, err, audit.ErrConflict, "corrections form a chain")
		corr2, err := st.CorrectBenchTest(ctx, benchTechnician, corr.ID, fix)
		require.NoError(t, err)
		assert.Equal(t, corr.ID, corr2.Supersedes)

		// The lab's id still answers the original record.
		again, created, err := st.CreateBenchTest(ctx, benchTechnician, benchTest(t, seller.ID, "LAB-9", at))
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, orig.ID, again.ID)
		assert.Equal(t, corr.ID, again.SupersededBy)

		all, _, err := st.BenchTests(ctx, store.BenchTestFilter{}, store.Page{})
		require.NoError(t, err)
		require.Len(t, all, 3, "every version stays visible")
		assert.Equal(t, []string{corr.ID, corr2.ID, ""}, []string{all[0].SupersededBy, all[1].SupersededBy, all[2].SupersededBy})

		events, _, err := st.Events(ctx, store.EventFilter{Entity: "bench_test"}, store.Page{})
		require.NoError(t, err)
		require.Len(t, events, 3)
		assert.Equal(t, []string{"create", "correct", "correct"}, []string{events[0].Action, events[1].Action, events[2].Action})
	})
}

// TestBenchTestLostRaceOnPostgres makes the race that the partial unique index and ON CONFLICT
// resolve happen for certain: another transaction inserts the same (seller, external id) after
// the store's duplicate check and commits while the store's insert waits on it. The store must
// then answer the winner's id, for a single bench test and for a batch alike.
func TestBenchTestLostRaceOnPostgres(t *testing.T) {
	base := os.Getenv(storetest.PostgresDSNEnv)
	if base == "" {
		t.Skip(storetest.PostgresDSNEnv + " is not set")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	defer admin.Close()
	schema := fmt.Sprintf("rq_race_%d", time.Now().UnixNano())
	_, err = admin.ExecContext(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	dsn := storetest.WithSearchPath(base, schema)
	st, err := store.Open(ctx, store.Config{Driver: store.Postgres, DSN: dsn})
	require.NoError(t, err)
	defer st.Close()
	_, err = st.Migrate(ctx)
	require.NoError(t, err)
	raw, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer raw.Close()

	seller := newBenchSeller(t, st, "S")
	at := time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)
	seed, _, err := st.CreateBenchTest(ctx, benchTechnician, benchTest(t, seller.ID, "SEED", at))
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		run  func(ext string) (string, error)
	}{
		{"single", func(ext string) (string, error) {
			rec, created, err := st.CreateBenchTest(ctx, benchTechnician, benchTest(t, seller.ID, ext, at))
			assert.False(t, created)
			return rec.ID, err
		}},
		{"batch", func(ext string) (string, error) {
			res, err := st.CreateBenchTests(ctx, benchTechnician, []audit.BenchTest{
				benchTest(t, seller.ID, ext, at), benchTest(t, seller.ID, ext, at), benchTest(t, seller.ID, ext+"-other", at)})
			if err != nil {
				return "", err
			}
			assert.Equal(t, store.BatchDuplicate, res[0].Outcome)
			assert.Equal(t, res[0], res[1], "the in-batch duplicate points at the winner too")
			assert.Equal(t, store.BatchCreated, res[2].Outcome)
			return res[0].ID, nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ext, winner := "RACE-"+tc.name, "bt_winner_"+tc.name
			tx, err := raw.BeginTx(ctx, nil)
			require.NoError(t, err)
			defer func() { _ = tx.Rollback() }()
			for _, q := range []string{
				`CREATE TEMP TABLE race ON COMMIT DROP AS SELECT * FROM bench_tests WHERE id = '` + seed.ID + `'`,
				`UPDATE race SET id = '` + winner + `', external_id = '` + ext + `', verification_code = NULL`,
				`INSERT INTO bench_tests SELECT * FROM race`,
			} {
				_, err = tx.ExecContext(ctx, q)
				require.NoError(t, err)
			}

			type result struct {
				id  string
				err error
			}
			done := make(chan result, 1)
			go func() {
				id, err := tc.run(ext)
				done <- result{id, err}
			}()
			// Wait until the store's insert is blocked on the uncommitted row, then commit it.
			for {
				var waiting int
				require.NoError(t, admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
					WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO "bench_tests"%'`).Scan(&waiting))
				if waiting > 0 {
					break
				}
				select {
				case r := <-done:
					t.Fatalf("the store finished before the race was set up: %+v", r)
				case <-time.After(5 * time.Millisecond):
				}
			}
			require.NoError(t, tx.Commit())
			r := <-done
			require.NoError(t, r.err)
			assert.Equal(t, winner, r.id, "the record that won the race")
		})
	}
}
