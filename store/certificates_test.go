package store_test

import (
	"context"
	"fmt"
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

// canonicalCode asserts that code is a canonical verification code.
func canonicalCode(t *testing.T, code string) {
	t.Helper()
	c, ok := audit.ParseVerificationCode(code)
	assert.True(t, ok && c == code, "%q is a canonical verification code", code)
}

// Every record is stored with a verification code: the one the intake service gave it, or
// one the store draws for a record that comes without (generated data), on every write path;
// a code that is not canonical is refused, and the unique index refuses a code twice.
func TestVerificationCodesAreStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller := newBenchSeller(t, st, "S")
		at := time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)
		seen := map[string]bool{}
		fresh := func(code string) {
			t.Helper()
			canonicalCode(t, code)
			assert.False(t, seen[code], "code %s given twice", code)
			seen[code] = true
		}

		given := benchTest(t, seller.ID, "GIVEN", at)
		given.VerificationCode = "7K3MQ9XD2R4TVW8H"
		rec, _, err := st.CreateBenchTest(ctx, benchTechnician, given)
		require.NoError(t, err)
		assert.Equal(t, "7K3MQ9XD2R4TVW8H", rec.VerificationCode, "the code the service gave")
		fresh(rec.VerificationCode)
		read, err := st.BenchTest(ctx, rec.ID)
		require.NoError(t, err)
		assert.Equal(t, rec.VerificationCode, read.VerificationCode, "read back")

		again := benchTest(t, seller.ID, "OTHER", at)
		again.VerificationCode = "7K3MQ9XD2R4TVW8H"
		_, _, err = st.CreateBenchTest(ctx, benchTechnician, again)
		assert.ErrorIs(t, err, audit.ErrConflict, "a code is unique")

		for _, bad := range []string{"7k3mq9xd2r4tvw8h", "7K3M-Q9XD-2R4T-VW8H", "7K3MQ9XD2R4TVW8", "UUUUUUUUUUUUUUUU"} {
			bt := benchTest(t, seller.ID, "BAD", at)
			bt.VerificationCode = bad
			_, _, err := st.CreateBenchTest(ctx, benchTechnician, bt)
			assert.ErrorIs(t, err, audit.ErrInvalid, "%q is not canonical", bad)
		}

		drawn, _, err := st.CreateBenchTest(ctx, benchTechnician, benchTest(t, seller.ID, "DRAWN", at))
		require.NoError(t, err)
		fresh(drawn.VerificationCode)

		res, err := st.CreateBenchTests(ctx, benchTechnician, []audit.BenchTest{
			benchTest(t, seller.ID, "B1", at), benchTest(t, seller.ID, "B2", at)})
		require.NoError(t, err)
		for _, r := range res {
			got, err := st.BenchTest(ctx, r.ID)
			require.NoError(t, err)
			fresh(got.VerificationCode)
		}
		ids, err := st.LoadBenchTests(ctx, benchTechnician, []audit.BenchTest{benchTest(t, seller.ID, "L1", at)})
		require.NoError(t, err)
		loaded, err := st.BenchTest(ctx, ids[0])
		require.NoError(t, err)
		fresh(loaded.VerificationCode)

		corr, err := st.CorrectBenchTest(ctx, benchTechnician, drawn.ID, benchTest(t, seller.ID, "DRAWN", at))
		require.NoError(t, err)
		fresh(corr.VerificationCode)
		old, err := st.BenchTest(ctx, drawn.ID)
		require.NoError(t, err)
		assert.Equal(t, drawn.VerificationCode, old.VerificationCode, "a corrected record keeps its code")

		mo, err := st.CreateMysteryOrder(ctx, benchTechnician, moOrder(t, seller.ID, "MO-1", at))
		require.NoError(t, err)
		fresh(mo.VerificationCode)
		moFix, err := st.CorrectMysteryOrder(ctx, benchTechnician, mo.ID, moOrder(t, seller.ID, "MO-1", at))
		require.NoError(t, err)
		fresh(moFix.VerificationCode)
		moIDs, err := st.LoadMysteryOrders(ctx, benchTechnician, []audit.MysteryOrder{moOrder(t, seller.ID, "MO-2", at)})
		require.NoError(t, err)
		moLoaded, err := st.MysteryOrder(ctx, moIDs[0])
		require.NoError(t, err)
		fresh(moLoaded.VerificationCode)
	})
}

// Every read of a record answers the code it was stored with, the one its certificate and its
// verification find it by: a list page with one statement, whatever its size, holding one
// seller's records alone when filtered; an idempotent replay answers the stored record's code,
// not the one the replay came with.
func TestRecordsAreReadWithTheirCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		own, other := newBenchSeller(t, st, "Own"), newBenchSeller(t, st, "Other")
		at := time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)

		first := benchTest(t, own.ID, "LAB-1", at)
		first.VerificationCode = "7K3MQ9XD2R4TVW8H"
		rec, created, err := st.CreateBenchTest(ctx, benchTechnician, first)
		require.NoError(t, err)
		require.True(t, created)
		replay := benchTest(t, own.ID, "LAB-1", at)
		replay.VerificationCode = "0000000000000000"
		again, created, err := st.CreateBenchTest(ctx, benchTechnician, replay)
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, "7K3MQ9XD2R4TVW8H", again.VerificationCode, "the stored record's code")
		_, err = st.CertifiedByCode(ctx, "0000000000000000")
		assert.ErrorIs(t, err, audit.ErrNotFound, "the replay's code was never stored")
		_, err = st.CreateBenchTests(ctx, benchTechnician, []audit.BenchTest{
			benchTest(t, own.ID, "B1", at), benchTest(t, other.ID, "B2", at), benchTest(t, own.ID, "B3", at)})
		require.NoError(t, err)
		_, err = st.CorrectBenchTest(ctx, benchTechnician, rec.ID, benchTest(t, own.ID, "LAB-1", at))
		require.NoError(t, err)
		for i, sl := range []audit.Seller{own, own, other} {
			_, err := st.CreateMysteryOrder(ctx, benchTechnician, moOrder(t, sl.ID, fmt.Sprintf("MO-%d", i), at))
			require.NoError(t, err)
		}

		// kind, id and seller of every code read, to hold against CertifiedByCode after the
		// counted reads.
		type read struct {
			kind      audit.RecordKind
			id, owner string
		}
		codes := map[string]read{}
		keep := func(kind audit.RecordKind, id, seller, code string) {
			t.Helper()
			canonicalCode(t, code)
			_, dup := codes[code]
			assert.False(t, dup, "code %s read twice", code)
			codes[code] = read{kind, id, seller}
		}
		reads := st.CountReads()
		pages := 0
		for p := (store.Page{Limit: 2}); ; {
			pages++
			items, next, err := st.BenchTests(ctx, store.BenchTestFilter{SellerID: own.ID}, p)
			require.NoError(t, err)
			for _, it := range items {
				keep(audit.KindBenchTest, it.ID, it.SellerID, it.VerificationCode)
			}
			if next == "" {
				break
			}
			p.Cursor = next
		}
		assert.Equal(t, 2, pages)
		assert.EqualValues(t, pages, reads.Load(), "one statement per page")
		orders, _, err := st.MysteryOrders(ctx, store.MysteryOrderFilter{SellerID: own.ID}, store.Page{})
		require.NoError(t, err)
		for _, it := range orders {
			keep(audit.KindMysteryOrder, it.ID, it.SellerID, it.VerificationCode)
		}
		assert.EqualValues(t, pages+1, reads.Load(), "one statement for the page of mystery orders")

		require.Len(t, codes, 4+2, "the seller's bench tests (its correction too) and mystery orders")
		assert.Contains(t, codes, "7K3MQ9XD2R4TVW8H")
		for code, r := range codes {
			assert.Equal(t, own.ID, r.owner, "the filter keeps one seller's records")
			c, err := st.CertifiedByCode(ctx, code)
			require.NoError(t, err)
			assert.Equal(t, r.kind, c.Kind)
			assert.Equal(t, r.id, c.ID, "the code finds the record it was read with")
		}
	})
}

// CertifiedByCode finds a bench test or a mystery order by its code with what a certificate
// needs, and says which correction superseded it; LatestCorrection follows a chain of
// corrections to its end.
func TestCertifiedByCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller := newBenchSeller(t, st, "S")
		at := time.Date(2026, 10, 2, 9, 30, 0, 0, time.UTC)
		bt, _, err := st.CreateBenchTest(ctx, benchTechnician, benchTest(t, seller.ID, "LAB-1", at))
		require.NoError(t, err)
		mo, err := st.CreateMysteryOrder(ctx, benchTechnician, moOrder(t, seller.ID, "MO-1", at))
		require.NoError(t, err)

		// The grade without its reasons, which no certificate shows.
		noReasons := func(g grading.Grade) grading.Grade {
			g.Reasons = nil
			return g
		}
		require.NotEmpty(t, bt.Grade.Reasons, "the scenario has reasons to leave out")
		got, err := st.CertifiedByCode(ctx, bt.VerificationCode)
		require.NoError(t, err)
		assert.Equal(t, audit.Certified{Kind: audit.KindBenchTest, ID: bt.ID, SellerID: seller.ID, Lab: "Lyon lab 2",
			TestedAt: at, RecordedAt: bt.CreatedAt, Inspection: bt.Inspection, Grade: noReasons(bt.Grade), VerificationCode: bt.VerificationCode}, got)
		ref, err := st.RecordOfCode(ctx, bt.VerificationCode)
		require.NoError(t, err)
		assert.Equal(t, audit.RecordRef{Kind: audit.KindBenchTest, ID: bt.ID}, ref)

		got, err = st.CertifiedByCode(ctx, mo.VerificationCode)
		require.NoError(t, err)
		assert.Equal(t, audit.Certified{Kind: audit.KindMysteryOrder, ID: mo.ID, SellerID: seller.ID,
			TestedAt: mo.CreatedAt, RecordedAt: mo.CreatedAt, Inspection: mo.Inspection, Grade: noReasons(mo.Grade), VerificationCode: mo.VerificationCode}, got,
			"a mystery order has no lab; its test date is when it was recorded")
		ref, err = st.RecordOfCode(ctx, mo.VerificationCode)
		require.NoError(t, err)
		assert.Equal(t, audit.RecordRef{Kind: audit.KindMysteryOrder, ID: mo.ID}, ref)

		for _, code := range []string{"0000000000000000", "", "7K3M\x00Q9XD2R4TVW8H", "\xff"} {
			_, err = st.CertifiedByCode(ctx, code)
			assert.ErrorIs(t, err, audit.ErrNotFound, "%q", code)
			_, err = st.RecordOfCode(ctx, code)
			assert.ErrorIs(t, err, audit.ErrNotFound, "%q", code)
		}

		_, err = st.LatestCorrection(ctx, audit.KindBenchTest, bt.ID)
		assert.ErrorIs(t, err, audit.ErrNotFound, "no correction yet")
		cracked := benchTest(t, seller.ID, "LAB-1", at)
		cracked.Inspection = benchInspection(t, 91.5, 1)
		ps, err := checklist.LoadProtocols()
		require.NoError(t, err)
		audit.DeriveBenchTest(&cracked, ps[grading.Smartphone])
		c1, err := st.CorrectBenchTest(ctx, benchTechnician, bt.ID, cracked)
		require.NoError(t, err)
		c2, err := st.CorrectBenchTest(ctx, benchTechnician, c1.ID, benchTest(t, seller.ID, "LAB-1", at))
		require.NoError(t, err)

		got, err = st.CertifiedByCode(ctx, bt.VerificationCode)
		require.NoError(t, err)
		assert.Equal(t, c1.ID, got.SupersededBy)
		assert.Equal(t, noReasons(bt.Grade), got.Grade, "the record's own grade, unchanged")
		ref, err = st.RecordOfCode(ctx, bt.VerificationCode)
		require.NoError(t, err)
		assert.Equal(t, audit.RecordRef{Kind: audit.KindBenchTest, ID: bt.ID, SupersededBy: c1.ID}, ref)
		last, err := st.LatestCorrection(ctx, audit.KindBenchTest, bt.ID)
		require.NoError(t, err)
		assert.Equal(t, audit.Correction{ID: c2.ID, Grade: c2.Grade, CorrectedAt: c2.CreatedAt}, last, "the end of the chain")
		last, err = st.LatestCorrection(ctx, audit.KindBenchTest, c1.ID)
		require.NoError(t, err)
		assert.Equal(t, c2.ID, last.ID)
		_, err = st.LatestCorrection(ctx, audit.KindBenchTest, c2.ID)
		assert.ErrorIs(t, err, audit.ErrNotFound, "the correction that stands has none")
		_, err = st.LatestCorrection(ctx, audit.KindMysteryOrder, bt.ID)
		assert.ErrorIs(t, err, audit.ErrNotFound, "the kind names the table")

		moFix, err := st.CorrectMysteryOrder(ctx, benchTechnician, mo.ID, moOrder(t, seller.ID, "MO-1", at))
		require.NoError(t, err)
		got, err = st.CertifiedByCode(ctx, mo.VerificationCode)
		require.NoError(t, err)
		assert.Equal(t, moFix.ID, got.SupersededBy)
		last, err = st.LatestCorrection(ctx, audit.KindMysteryOrder, mo.ID)
		require.NoError(t, err)
		assert.Equal(t, moFix.ID, last.ID)
	})
}

// Migration 12 leaves the rows stored before it without a code, and Migrate gives each one a
// code of its own, in batches, on both databases; a second Migrate changes nothing, and a
// record stored later without a code (by an older release) gets one at the next.
// AssignVerificationCode gives a code to a row without one and keeps the first it was given.
func TestMissingVerificationCodesAreAssigned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := openUnmigrated(t, b, store.Config{})
		p := migrator(t, b, st)
		_, err := p.UpTo(ctx, 11)
		require.NoError(t, err)
		e := &auditEnv{t: t, st: st, db: st.AuditsTestDB(), clock: newAuditClock("2026-11-02T08:00:00Z")}
		s := e.seller("S")
		const bench, orders = 1234, 3 // more bench tests than one batch
		rows := make([]map[string]any, bench)
		for i := range rows {
			r := auUnitColumns()
			r["id"], r["seller_id"], r["lab"] = fmt.Sprintf("bt_old_%05d", i), s, "lab-1"
			r["tested_at"], r["created_at"] = auAt(t, "2026-10-02T09:00:00Z"), auAt(t, "2026-10-02T09:00:00Z")
			r["technician_key_id"] = "key_tech"
			rows[i] = r
		}
		require.NoError(t, e.db.Table("bench_tests").CreateInBatches(rows, 200).Error)
		for i := range orders {
			e.order(s, fmt.Sprintf("mo_old_%d", i), "2026-10-02T09:00:00Z", auRow{"inspection": moRaw})
		}

		_, err = p.UpTo(ctx, 12)
		require.NoError(t, err)
		var missing int64
		require.NoError(t, e.db.Table("bench_tests").Where("verification_code IS NULL").Count(&missing).Error)
		assert.EqualValues(t, bench, missing, "SQL leaves the codes to the store")

		applied, err := st.Migrate(ctx)
		require.NoError(t, err)
		assert.NotContains(t, applied, int64(12), "applied already")
		codes := func() map[string]string {
			out := map[string]string{}
			for _, table := range []string{"bench_tests", "mystery_orders"} {
				var got []struct{ ID, VerificationCode *string }
				require.NoError(t, e.db.Table(table).Select("id", "verification_code").Find(&got).Error)
				for _, g := range got {
					require.NotNil(t, g.VerificationCode, "%s has a code", *g.ID)
					out[*g.ID] = *g.VerificationCode
				}
			}
			return out
		}
		first := codes()
		require.Len(t, first, bench+orders)
		distinct := map[string]bool{}
		for _, c := range first {
			canonicalCode(t, c)
			distinct[c] = true
		}
		assert.Len(t, distinct, bench+orders, "every code is its own")
		c, err := st.CertifiedByCode(ctx, first["mo_old_1"])
		require.NoError(t, err)
		assert.Equal(t, "mo_old_1", c.ID)

		_, err = st.Migrate(ctx)
		require.NoError(t, err)
		assert.Equal(t, first, codes(), "a code is fixed for its record")

		// A row an older release stores without a code gets one at the next migration, or on
		// demand, once.
		e.bench(s, "bt_late", "2026-10-03T09:00:00Z", nil)
		e.bench(s, "bt_later", "2026-10-03T09:00:00Z", nil)
		_, err = st.Migrate(ctx)
		require.NoError(t, err)
		canonicalCode(t, codes()["bt_late"])
		assert.Equal(t, first["bt_old_00000"], codes()["bt_old_00000"])

		require.NoError(t, e.db.Exec("UPDATE bench_tests SET verification_code = NULL WHERE id = 'bt_later'").Error)
		got, err := st.AssignVerificationCode(ctx, audit.KindBenchTest, "bt_later", "7K3MQ9XD2R4TVW8H")
		require.NoError(t, err)
		assert.Equal(t, "7K3MQ9XD2R4TVW8H", got)
		got, err = st.AssignVerificationCode(ctx, audit.KindBenchTest, "bt_later", "0000000000000000")
		require.NoError(t, err)
		assert.Equal(t, "7K3MQ9XD2R4TVW8H", got, "the first code stays")
		_, err = st.AssignVerificationCode(ctx, audit.KindBenchTest, "bt_missing", "1111111111111111")
		assert.ErrorIs(t, err, audit.ErrNotFound)
		_, err = st.AssignVerificationCode(ctx, audit.KindMysteryOrder, "mo_old_0", "bad")
		assert.ErrorIs(t, err, audit.ErrInvalid)

		// And down: the column and its index go.
		_, err = p.DownTo(ctx, 11)
		require.NoError(t, err)
		assert.False(t, e.db.Migrator().HasColumn("bench_tests", "verification_code"))
		assert.False(t, e.db.Migrator().HasColumn("mystery_orders", "verification_code"))
	})
}
