package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// rawInspectionValue is rawInspection as the domain reads it.
func rawInspectionValue() grading.Inspection {
	return grading.Inspection{
		Device:     grading.Device{Category: grading.Smartphone, Brand: "Fairphone", Model: "Fairphone 5 édition ünï", IMEI: "356938035643809"},
		Functional: map[string]grading.Outcome{"power_on": grading.Pass},
		Battery:    grading.Battery{HealthPct: 91.5, Genuine: true},
		Compliance: grading.Compliance{IMEIStatus: grading.IMEIClean, DataErased: true, FactoryReset: true, OSUpToDate: true,
			MarkingsIntact: true, DisplayLikeForLike: true},
		Parts: grading.Parts{NonGenuine: []string{"battery"}, Disclosed: true},
	}
}

// columns reads the inspection and submitted columns of a row.
func columns(t *testing.T, st *store.Store, table, id string) (inspection, submitted string) {
	t.Helper()
	var row struct{ Inspection, Submitted string }
	require.NoError(t, st.AuditsTestDB().Table(table).Select("inspection", "submitted").Where("id = ?", id).Take(&row).Error)
	return row.Inspection, row.Submitted
}

// The inspection column holds the store's own document, written from the domain value; the
// document the client sent is kept apart, byte for byte, and read back as it was.
func TestInspectionIsStoredInTheStoresOwnDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := b.Open(t, store.Config{})
		seller := newBenchSeller(t, st, "S")
		bt := benchTest(t, seller.ID, "LAB-DOC", time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC))
		bt.Inspection = rawInspectionValue()
		rec, _, err := st.CreateBenchTest(ctx, benchTechnician, bt)
		require.NoError(t, err)

		doc, sent := columns(t, st, "bench_tests", rec.ID)
		assert.Equal(t, rawInspection, sent)
		assert.NotContains(t, doc, "x-lab-note", "the client's own members are in the submitted document only")
		var parts map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(doc), &parts))
		assert.ElementsMatch(t, []string{"device", "functional", "battery", "cosmetic", "compliance", "parts"}, keys(parts))

		got, err := st.BenchTest(ctx, rec.ID)
		require.NoError(t, err)
		assert.Equal(t, rawInspectionValue(), got.Inspection, "read back whole")
		assert.Equal(t, rawInspection, string(got.Submitted))

		// Generated records have no submitted document; they read back without one.
		bt.ExternalID, bt.Submitted = "LAB-GEN", nil
		gen, _, err := st.CreateBenchTest(ctx, benchTechnician, bt)
		require.NoError(t, err)
		got, err = st.BenchTest(ctx, gen.ID)
		require.NoError(t, err)
		assert.Nil(t, got.Submitted)
		assert.Equal(t, rawInspectionValue(), got.Inspection)
	})
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A row whose inspection document lacks a part is damaged: reading it is an error, never a
// record with a half-filled inspection.
func TestDamagedInspectionIsAnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		e := newAuditEnv(t, b)
		s := e.seller("S")
		e.bench(s, "bt_damaged", "2026-10-02T09:00:00Z", auRow{"inspection": `{"device":{"category":"smartphone"}}`})
		e.order(s, "mo_damaged", "2026-10-02T09:00:00Z", auRow{"inspection": `{}`})
		_, err := e.st.BenchTest(context.Background(), "bt_damaged")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "bench test bt_damaged: stored inspection")
		_, _, err = e.st.BenchTests(context.Background(), store.BenchTestFilter{SellerID: s}, store.Page{})
		assert.Error(t, err)
		_, err = e.st.MysteryOrder(context.Background(), "mo_damaged")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "mystery order mo_damaged: stored inspection")
	})
}

// Migration 5 keeps the rows stored before it, whose inspection column held the document as
// submitted: that document becomes the submitted one, byte for byte, and still reads as the
// store's document, so every old record reads back whole. Going down restores the old column.
func TestSubmittedInspectionsMigration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		st := openUnmigrated(t, b, store.Config{})
		p := migrator(t, b, st)
		_, err := p.UpTo(ctx, 4)
		require.NoError(t, err)

		e := &auditEnv{t: t, st: st, db: st.AuditsTestDB(), clock: newAuditClock("2026-11-02T08:00:00Z")}
		s := e.seller("S")
		e.bench(s, "bt_old", "2026-10-02T09:00:00Z", auRow{"inspection": rawInspection})
		e.order(s, "mo_old", "2026-10-02T09:00:00Z", auRow{"inspection": moRaw})

		applied, err := st.Migrate(ctx)
		require.NoError(t, err)
		assert.Contains(t, applied, int64(5))

		bt, err := st.BenchTest(ctx, "bt_old")
		require.NoError(t, err)
		assert.Equal(t, rawInspection, string(bt.Submitted), "the submitted document, byte for byte")
		assert.Equal(t, rawInspectionValue(), bt.Inspection, "read back whole")
		mo, err := st.MysteryOrder(ctx, "mo_old")
		require.NoError(t, err)
		assert.Equal(t, moRaw, string(mo.Submitted))
		assert.Equal(t, "Galaxy S21", mo.Inspection.Device.Model)
		assert.Equal(t, 88.0, mo.Inspection.Battery.HealthPct)
		assert.Equal(t, []string{}, mo.Inspection.Parts.NonGenuine)

		// A record written now, then the way down: the column holds what was submitted again.
		nbt := benchTest(t, s, "LAB-NEW", time.Date(2026, 10, 3, 9, 0, 0, 0, time.UTC))
		nbt.Inspection = rawInspectionValue()
		fresh, _, err := st.CreateBenchTest(ctx, audit.Principal{KeyID: "k", Role: audit.RoleTechnician}, nbt)
		require.NoError(t, err)
		_, err = p.DownTo(ctx, 4)
		require.NoError(t, err)
		var docs []string
		require.NoError(t, e.db.Table("bench_tests").Order("id").Pluck("inspection", &docs).Error)
		assert.Equal(t, []string{rawInspection, rawInspection}, docs)
		// Back up to the latest version, whose columns the store's statements (cached per
		// connection on PostgreSQL) were prepared for.
		_, err = p.Up(ctx)
		require.NoError(t, err)
		got, err := st.BenchTest(ctx, fresh.ID)
		require.NoError(t, err)
		assert.Equal(t, rawInspection, string(got.Submitted))
		assert.Equal(t, rawInspectionValue(), got.Inspection)
	})
}
