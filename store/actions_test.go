package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
	"github.com/refurbqa/refurbqa/store/storetest"
)

func auActionIDs(as []audit.CorrectiveAction) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func TestCorrectiveActionsTransitionsAndFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		e := newAuditEnv(t, b) // the clock reads 2026-11-02
		a, other := e.seller("A"), e.seller("B")
		e.scorecardShell(a, "sc_0000a1", "2026-07-01", "2026-10-01")
		e.scorecardShell(other, "sc_0000b1", "2026-07-01", "2026-10-01")
		e.action(a, "sc_0000a1", "ca_01", "QC01", "2026-11-01T00:00:00Z", "")                     // open, past due
		e.action(a, "sc_0000a1", "ca_02", "QC02", "2026-11-20T00:00:00Z", "")                     // open, not yet due
		e.action(a, "sc_0000a1", "ca_03", "QC03", "2026-10-20T00:00:00Z", "2026-10-25T00:00:00Z") // closed late
		e.action(a, "sc_0000a1", "ca_04", "QC04", "2026-10-20T00:00:00Z", "2026-10-19T00:00:00Z") // closed in time
		e.action(other, "sc_0000b1", "ca_05", "QC05", "2026-11-01T00:00:00Z", "")

		seller := audit.Principal{KeyID: "key_s", Role: audit.RoleSeller, SellerID: a}
		otherSeller := audit.Principal{KeyID: "key_o", Role: audit.RoleSeller, SellerID: other}
		tech := audit.Principal{KeyID: "key_t", Role: audit.RoleTechnician}

		// Plans: the seller for its own action; another seller is told it does not exist; a
		// technician may not; both texts are required.
		_, err := e.service().SubmitPlan(ctx, otherSeller, "ca_02", "cause", "actions")
		assert.ErrorIs(t, err, audit.ErrNotFound)
		_, err = e.service().SubmitPlan(ctx, tech, "ca_02", "cause", "actions")
		assert.ErrorIs(t, err, audit.ErrForbidden)
		_, err = e.service().SubmitPlan(ctx, seller, "ca_02", "", strings.Repeat("x", 4001))
		var ve *audit.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Len(t, ve.Errors, 2)
		_, err = e.service().SubmitPlan(ctx, seller, "ca_missing", "cause", "actions")
		assert.ErrorIs(t, err, audit.ErrNotFound)

		planned, err := e.service().SubmitPlan(ctx, seller, "ca_02", "a supplier batch", "new supplier, retest stock")
		require.NoError(t, err)
		assert.Equal(t, audit.ActionPlanSubmitted, planned.Status)
		require.NotNil(t, planned.Plan)
		assert.Equal(t, "key_s", planned.Plan.SubmittedBy)
		got, err := e.st.CorrectiveAction(ctx, "ca_02")
		require.NoError(t, err)
		assert.Equal(t, planned, got)

		// Closing: managers only, with a note; twice is a conflict; a plan can no longer follow.
		_, err = e.service().CloseAction(ctx, seller, "ca_02", "done")
		assert.ErrorIs(t, err, audit.ErrForbidden)
		_, err = e.service().CloseAction(ctx, auditor, "ca_02", "")
		assert.ErrorIs(t, err, audit.ErrInvalid)
		closed, err := e.service().CloseAction(ctx, auditor, "ca_02", "verified on site")
		require.NoError(t, err)
		assert.Equal(t, audit.ActionClosed, closed.Status)
		assert.Equal(t, "verified on site", closed.ClosingNote)
		require.NotNil(t, closed.ClosedAt)
		assert.False(t, closed.Overdue(e.clock.Now()), "closed before its due date")
		assert.Equal(t, planned.Plan, closed.Plan, "the plan stays")
		_, err = e.service().CloseAction(ctx, auditor, "ca_02", "again")
		assert.ErrorIs(t, err, audit.ErrConflict)
		_, err = e.service().SubmitPlan(ctx, seller, "ca_02", "late", "late")
		assert.ErrorIs(t, err, audit.ErrConflict)
		got, err = e.st.CorrectiveAction(ctx, "ca_02")
		require.NoError(t, err)
		assert.Equal(t, closed, got)

		// Filters: seller, status, and overdue computed at the clock.
		tests := []struct {
			f    store.ActionFilter
			want []string
		}{
			{store.ActionFilter{}, []string{"ca_01", "ca_02", "ca_03", "ca_04", "ca_05"}},
			{store.ActionFilter{SellerID: a}, []string{"ca_01", "ca_02", "ca_03", "ca_04"}},
			{store.ActionFilter{SellerID: a, Status: "open"}, []string{"ca_01"}},
			{store.ActionFilter{Status: "plan_submitted"}, []string{}},
			{store.ActionFilter{SellerID: a, Status: "closed"}, []string{"ca_02", "ca_03", "ca_04"}},
			{store.ActionFilter{SellerID: a, Status: store.ActionOverdue}, []string{"ca_01", "ca_03"}},
			{store.ActionFilter{Status: store.ActionOverdue}, []string{"ca_01", "ca_03", "ca_05"}},
		}
		for _, tt := range tests {
			got, _, err := e.st.CorrectiveActions(ctx, tt.f, store.Page{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, auActionIDs(got), "%+v", tt.f)
			for _, x := range got {
				if tt.f.Status == store.ActionOverdue {
					assert.True(t, x.Overdue(e.clock.Now()), x.ID)
				}
			}
		}
		_, _, err = e.st.CorrectiveActions(ctx, store.ActionFilter{Status: "late"}, store.Page{})
		assert.ErrorIs(t, err, audit.ErrInvalid)

		// Pages.
		first, next, err := e.st.CorrectiveActions(ctx, store.ActionFilter{}, store.Page{Limit: 3})
		require.NoError(t, err)
		assert.Equal(t, []string{"ca_01", "ca_02", "ca_03"}, auActionIDs(first))
		rest, next2, err := e.st.CorrectiveActions(ctx, store.ActionFilter{}, store.Page{Limit: 3, Cursor: next})
		require.NoError(t, err)
		assert.Equal(t, []string{"ca_04", "ca_05"}, auActionIDs(rest))
		assert.Empty(t, next2)

		// Every change is in the trail.
		ev, _, err := e.st.Events(ctx, store.EventFilter{Entity: "corrective_action", EntityID: "ca_02"}, store.Page{})
		require.NoError(t, err)
		var actions []string
		for _, x := range ev {
			actions = append(actions, x.Action+" by "+x.KeyID)
		}
		assert.Equal(t, []string{"plan by key_s", "close by key_auditor"}, actions)
	})
}
