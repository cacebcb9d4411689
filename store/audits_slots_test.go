package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm/clause"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

// slotsOf lists the draft slots of the database as seller → scorecard id, for one period.
func slotsOf(t *testing.T, e *auditEnv, start, end string) map[string]string {
	t.Helper()
	var rows []struct {
		SellerID    string
		ScorecardID string
	}
	require.NoError(t, e.db.Raw("SELECT seller_id, scorecard_id FROM scorecard_drafts WHERE period_start = ? AND period_end = ?",
		start, end).Scan(&rows).Error)
	out := map[string]string{}
	for _, r := range rows {
		out[r.SellerID] = r.ScorecardID
	}
	return out
}

// A re-audit after approval, with data that arrived since, is a new draft with the new figures;
// the approved scorecard stays as it was, and the seller's list holds both, newest first.
func TestReauditAfterApprovalAddsANewDraft(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a, bb := e.seller("A"), e.seller("B")
		q3 := auPeriod(t, "2026-07-01", "2026-10-01")
		compiled := auCompiled(t)
		for i, id := range []string{"bt_x01", "bt_x02", "bt_x03"} {
			e.bench(a, id, fmt.Sprintf("2026-08-%02dT10:00:00Z", i+1), nil)
		}
		first, err := auditSellers(ctx, e.st, auditor, q3, []string{a})
		require.NoError(t, err)
		approved, _, err := approveScorecard(ctx, e.st, auditor, first.Scorecards[0].ID, "ok")
		require.NoError(t, err)
		assert.Empty(t, slotsOf(t, e, "2026-07-01", "2026-10-01"), "approval empties the slot")

		// New data of the same period: a unit with liquid damage.
		e.bench(a, "bt_x04", "2026-09-01T10:00:00Z", auRow{"liquid_damage": true})
		again, err := auditSellers(ctx, e.st, auditor, q3, []string{a})
		require.NoError(t, err)
		require.Len(t, again.Scorecards, 1)
		fresh := again.Scorecards[0]
		assert.Equal(t, audit.Draft, fresh.Status)
		assert.NotEqual(t, approved.ID, fresh.ID)
		facts, err := e.st.Facts(ctx, q3, []string{a})
		require.NoError(t, err)
		assert.Equal(t, compiled.Evaluate(facts[a].Metrics()), fresh.Result, "the new figures")
		assert.NotEqual(t, approved.Result, fresh.Result)
		assert.Equal(t, []string{"bt_x04"}, facts[a].LiquidDamage)

		stored, err := e.st.Scorecard(ctx, approved.ID)
		require.NoError(t, err)
		assert.Equal(t, approved, stored, "the approved scorecard is untouched")
		list, _, err := e.st.Scorecards(ctx, store.ScorecardFilter{SellerID: a}, store.Page{})
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, []string{fresh.ID, approved.ID}, []string{list[0].ID, list[1].ID}, "newest first")
		assert.Equal(t, map[string]string{a: fresh.ID}, slotsOf(t, e, "2026-07-01", "2026-10-01"))

		// A batch after the approval: a draft for every seller, the approved one kept.
		batch, err := auditSellers(ctx, e.st, auditor, q3, nil)
		require.NoError(t, err)
		require.Len(t, batch.Scorecards, 2)
		assert.Equal(t, a, batch.Scorecards[0].SellerID)
		assert.Equal(t, bb, batch.Scorecards[1].SellerID)
		assertSuperseded(t, e.st, fresh, batch.Scorecards[0].ID)
		stored, err = e.st.Scorecard(ctx, approved.ID)
		require.NoError(t, err)
		assert.Equal(t, approved, stored)
		assert.Equal(t, map[string]string{a: batch.Scorecards[0].ID, bb: batch.Scorecards[1].ID}, slotsOf(t, e, "2026-07-01", "2026-10-01"))

		// The approved scorecard cannot be replaced by approving the new draft either: both
		// approved scorecards stay.
		_, _, err = approveScorecard(ctx, e.st, auditor, batch.Scorecards[0].ID, "")
		require.NoError(t, err)
		approvedList, _, err := e.st.Scorecards(ctx, store.ScorecardFilter{SellerID: a, Status: audit.Approved}, store.Page{})
		require.NoError(t, err)
		require.Len(t, approvedList, 2)
		assert.Equal(t, map[string]string{bb: batch.Scorecards[1].ID}, slotsOf(t, e, "2026-07-01", "2026-10-01"))
	})
}

// Two audits of the same period leave one current draft: the second supersedes the first, and
// the database itself refuses a second draft in a slot, a draft superseded twice and a draft
// that supersedes two.
func TestOneDraftPerSlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a := e.seller("A")
		q3 := auPeriod(t, "2026-07-01", "2026-10-01")
		first, err := auditSellers(ctx, e.st, auditor, q3, []string{a})
		require.NoError(t, err)
		second, err := auditSellers(ctx, e.st, auditor, q3, []string{a})
		require.NoError(t, err)
		drafts, _, err := e.st.Scorecards(ctx, store.ScorecardFilter{SellerID: a, Status: audit.Draft}, store.Page{})
		require.NoError(t, err)
		require.Len(t, drafts, 1)
		assert.Equal(t, second.Scorecards[0].ID, drafts[0].ID)
		assertSuperseded(t, e.st, first.Scorecards[0], second.Scorecards[0].ID)
		assert.Equal(t, map[string]string{a: second.Scorecards[0].ID}, slotsOf(t, e, "2026-07-01", "2026-10-01"))

		// A scorecard written beside the draft (as a run that skipped the lock would) cannot
		// take the slot: its primary key refuses it.
		e.insert("scorecards", auRow{
			"id": "sc_rogue", "seller_id": a, "period_start": "2026-07-01", "period_end": "2026-10-01",
			"charter_version": "2026.1", "score": nil, "tier": "insufficient_data", "evaluated_points": 0,
			"failed_points": 0, "failed_critical": 0, "points": "[]", "created_at": e.clock.Now(),
		}, nil)
		err = e.db.Table("scorecard_drafts").Create(map[string]any{
			"seller_id": a, "period_start": "2026-07-01", "period_end": "2026-10-01", "charter_version": "2026.1", "scorecard_id": "sc_rogue",
		}).Error
		assert.Error(t, err)
		// Nor can it fork the chain: the first draft is superseded already, and the second
		// supersedes the first already.
		for _, sup := range []auRow{
			{"scorecard_id": first.Scorecards[0].ID, "superseded_by": "sc_rogue", "superseded_at": e.clock.Now()},
			{"scorecard_id": "sc_rogue", "superseded_by": second.Scorecards[0].ID, "superseded_at": e.clock.Now()},
		} {
			assert.Error(t, e.db.Table("scorecard_supersessions").Create(map[string]any(sup)).Error, "%v", sup)
		}
		assertSuperseded(t, e.st, first.Scorecards[0], second.Scorecards[0].ID)
	})
}

// A database at version 2, with a draft and an approved scorecard with a corrective action,
// keeps all of it through migrations 3 and 4, the draft in its slot; audits then follow the new
// rules.
func TestDraftSlotsMigrationKeepsData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		clock := newAuditClock("2026-11-02T08:00:00Z")
		st := openUnmigrated(t, b, store.Config{Now: clock.Now})
		p := migrator(t, b, st)
		_, err := p.UpTo(ctx, 2)
		require.NoError(t, err)

		def, err := checklist.DefaultCharter()
		require.NoError(t, err)
		require.NoError(t, st.EnsureDefaultCharter(ctx, auditor, def))
		e := &auditEnv{t: t, st: st, db: st.AuditsTestDB(), clock: clock}
		a, bb := e.seller("A"), e.seller("B")
		shell := func(id, seller string) {
			e.insert("scorecards", auRow{
				"id": id, "seller_id": seller, "period_start": "2026-07-01", "period_end": "2026-10-01",
				"charter_version": "2026.1", "score": 42.5, "tier": "suspend", "evaluated_points": 12,
				"failed_points": 3, "failed_critical": 2, "points": "[]", "created_at": clock.Now(),
			}, nil)
		}
		shell("sc_approved", a)
		e.insert("scorecard_reviews", auRow{"scorecard_id": "sc_approved", "approved_by": "key_m", "comment": "seen", "approved_at": clock.Now()}, nil)
		e.action(a, "sc_approved", "ca_1", "QC01", "2026-11-16T08:00:00Z", "")
		shell("sc_draft", bb)
		// The rows as stored: this release's reads need the tables of the later migrations.
		rowsOf := func(table string) []map[string]any {
			var rows []map[string]any
			require.NoError(t, e.db.Table(table).Order(clause.OrderByColumn{Column: clause.Column{Name: "1", Raw: true}}).Find(&rows).Error)
			return rows
		}
		scorecardsBefore, reviewsBefore := rowsOf("scorecards"), rowsOf("scorecard_reviews")
		require.Len(t, scorecardsBefore, 2)
		actionsBefore, _, err := st.CorrectiveActions(ctx, store.ActionFilter{}, store.Page{})
		require.NoError(t, err)
		require.Len(t, actionsBefore, 1)

		applied, err := st.Migrate(ctx)
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(applied), 2)
		assert.Equal(t, []int64{3, 4}, applied[:2], "3 and 4 first, then any later ones")

		assert.Equal(t, scorecardsBefore, rowsOf("scorecards"))
		assert.Equal(t, reviewsBefore, rowsOf("scorecard_reviews"))
		before := map[string]audit.Scorecard{}
		for _, id := range []string{"sc_approved", "sc_draft"} {
			before[id], err = st.Scorecard(ctx, id)
			require.NoError(t, err)
		}
		assert.Equal(t, audit.Approved, before["sc_approved"].Status)
		assert.Equal(t, audit.Draft, before["sc_draft"].Status)
		assert.Equal(t, 42.5, *before["sc_draft"].Result.Score)
		actionsAfter, _, err := st.CorrectiveActions(ctx, store.ActionFilter{}, store.Page{})
		require.NoError(t, err)
		assert.Equal(t, actionsBefore, actionsAfter)
		assert.Equal(t, map[string]string{bb: "sc_draft"}, slotsOf(t, e, "2026-07-01", "2026-10-01"))
		if b.Name == store.SQLite {
			var violations []map[string]any
			require.NoError(t, e.db.Raw("PRAGMA foreign_key_check").Scan(&violations).Error)
			assert.Empty(t, violations)
			var fk int
			require.NoError(t, e.db.Raw("PRAGMA foreign_keys").Scan(&fk).Error)
			assert.Equal(t, 1, fk, "foreign keys stay on")
			// The references into the rebuilt table still hold.
			err = e.db.Exec("INSERT INTO scorecard_reviews (scorecard_id, approved_by, comment, approved_at) VALUES ('sc_nowhere', 'k', '', ?)", clock.Now()).Error
			assert.Error(t, err)
		}

		// Audits follow the new rules on the migrated database: the draft is superseded, the
		// approved scorecard gets a new draft beside it.
		res, err := auditSellers(ctx, st, auditor, auPeriod(t, "2026-07-01", "2026-10-01"), nil)
		require.NoError(t, err)
		require.Len(t, res.Scorecards, 2)
		next := map[string]string{}
		for _, sc := range res.Scorecards {
			next[sc.SellerID] = sc.ID
		}
		assertSuperseded(t, st, before["sc_draft"], next[bb])
		got, err := st.Scorecard(ctx, "sc_approved")
		require.NoError(t, err)
		assert.Equal(t, before["sc_approved"], got)
		assert.Equal(t, next, slotsOf(t, e, "2026-07-01", "2026-10-01"))
	})
}

// An approval racing a re-audit of the same draft ends one way or the other, never both: the
// draft is approved and the re-audit adds a new draft beside it, or the draft is superseded and
// the approval is refused naming its successor.
func TestApprovalRacingReaudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a := e.seller("A")
		outcomes := map[string]int{}
		for m := 1; m <= 6; m++ {
			start := time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
			p := audit.Period{Start: start, End: start.AddDate(0, 1, 0)}
			res, err := auditSellers(ctx, e.st, auditor, p, []string{a})
			require.NoError(t, err)
			draft := res.Scorecards[0]
			approveErr := make(chan error, 1)
			auditRes := make(chan audit.AuditResult, 1)
			go func() {
				_, _, err := approveScorecard(ctx, e.st, auditor, draft.ID, "")
				approveErr <- err
			}()
			go func() {
				r, err := auditSellers(ctx, e.st, auditor, p, []string{a})
				assert.NoError(t, err)
				auditRes <- r
			}()
			aerr, again := <-approveErr, <-auditRes
			require.Len(t, again.Scorecards, 1)
			got, err := e.st.Scorecard(ctx, draft.ID)
			require.NoError(t, err)
			if aerr == nil {
				outcomes["approved"]++
				assert.Equal(t, audit.Approved, got.Status)
				assert.Empty(t, got.SupersededBy)
			} else {
				outcomes["superseded"]++
				var se *audit.SupersededError
				require.ErrorAs(t, aerr, &se)
				assert.Equal(t, again.Scorecards[0].ID, se.By)
				assert.Equal(t, audit.Superseded, got.Status)
				assert.Equal(t, again.Scorecards[0].ID, got.SupersededBy)
				assert.Nil(t, got.Review)
			}
			current, err := e.st.Scorecard(ctx, again.Scorecards[0].ID)
			require.NoError(t, err)
			assert.Equal(t, audit.Draft, current.Status)
		}
		t.Logf("outcomes: %v", outcomes)
	})
}

// Migration 4 goes down cleanly: the superseded drafts go (a slot had one draft before it),
// the current draft and the approved scorecard stay.
func TestSupersessionMigrationDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b)
		a := e.seller("A")
		q3 := auPeriod(t, "2026-07-01", "2026-10-01")
		var runs []string
		for range 3 {
			res, err := auditSellers(ctx, e.st, auditor, q3, []string{a})
			require.NoError(t, err)
			runs = append(runs, res.Scorecards[0].ID)
		}
		approved, _, err := approveScorecard(ctx, e.st, auditor, runs[2], "")
		require.NoError(t, err)
		again, err := auditSellers(ctx, e.st, auditor, q3, []string{a})
		require.NoError(t, err)

		p := migrator(t, b, e.st)
		_, err = p.DownTo(ctx, 3)
		require.NoError(t, err)
		var ids []string
		require.NoError(t, e.db.Table("scorecards").Order("id").Pluck("id", &ids).Error)
		assert.Equal(t, []string{approved.ID, again.Scorecards[0].ID}, ids, "the superseded drafts are gone")
		assert.Equal(t, map[string]string{a: again.Scorecards[0].ID}, slotsOf(t, e, "2026-07-01", "2026-10-01"))
		_, err = p.UpTo(ctx, 4)
		require.NoError(t, err)
		got, err := e.st.Scorecard(ctx, approved.ID)
		require.NoError(t, err)
		assert.Equal(t, approved, got)
	})
}
