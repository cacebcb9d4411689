package audit

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/refurbqa/refurbqa/checklist"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testResult() checklist.Result {
	score := 62.5
	return checklist.Result{
		Points: []checklist.PointResult{
			{Code: "QC01", Severity: checklist.Critical, Weight: 8, Status: checklist.PointFail},
			{Code: "QC02", Severity: checklist.Critical, Weight: 8, Status: checklist.PointPass},
			{Code: "QC03", Severity: checklist.Major, Weight: 4, Status: checklist.PointFail},
			{Code: "QC04", Severity: checklist.Major, Weight: 4, Status: checklist.PointInsufficientData},
			{Code: "QC05", Severity: checklist.Critical, Weight: 8, Status: checklist.PointInsufficientData},
			{Code: "QC11", Severity: checklist.Minor, Weight: 2, Status: checklist.PointFail},
			{Code: "QC12", Severity: checklist.Minor, Weight: 2, Status: checklist.PointPass},
			{Code: "QC16", Severity: checklist.Major, Weight: 4, Status: checklist.PointFail},
		},
		Score: &score, Tier: checklist.TierProbation, EvaluatedPoints: 6, FailedPoints: 4, FailedCritical: 1,
	}
}

// sequence returns a newID function giving ca_1, ca_2, …
func sequence() func() string {
	n := 0
	return func() string {
		n++
		return "ca_" + strconv.Itoa(n)
	}
}

// principals are the callers of the permission tests; the action and scorecard belong to sl_1.
func principals() map[string]Principal {
	return map[string]Principal{
		"admin":        {KeyID: "key_admin", Role: RoleAdmin},
		"manager":      {KeyID: "key_manager", Role: RoleManager},
		"technician":   {KeyID: "key_tech", Role: RoleTechnician},
		"own seller":   {KeyID: "key_seller", Role: RoleSeller, SellerID: "sl_1"},
		"other seller": {KeyID: "key_other", Role: RoleSeller, SellerID: "sl_2"},
		"unknown role": {KeyID: "key_x", Role: "auditor"},
	}
}

func draftScorecard(t *testing.T) Scorecard {
	p, errs := ParsePeriod("2026-07-01", "2026-10-01")
	require.Empty(t, errs)
	return NewScorecard("sc_1", "sl_1", p, "2026.1", testResult(), at(t, "2026-10-02T08:00:00+02:00"))
}

func TestNewScorecard(t *testing.T) {
	sc := draftScorecard(t)
	assert.Equal(t, "sc_1", sc.ID)
	assert.Equal(t, "sl_1", sc.SellerID)
	assert.Equal(t, "2026.1", sc.CharterVersion)
	assert.Equal(t, Draft, sc.Status)
	assert.Equal(t, testResult(), sc.Result)
	assert.Nil(t, sc.Review)
	assert.Equal(t, at(t, "2026-10-02T06:00:00Z"), sc.CreatedAt)
	assert.Equal(t, time.UTC, sc.CreatedAt.Location())
	assert.Equal(t, at(t, "2026-07-01T00:00:00Z"), sc.Period.Start)
	assert.Equal(t, at(t, "2026-10-01T00:00:00Z"), sc.Period.End)
}

func TestApprove(t *testing.T) {
	now := at(t, "2026-10-05T14:30:00+02:00")
	nowUTC := now.UTC()

	t.Run("opens actions for failed critical and major points", func(t *testing.T) {
		draft := draftScorecard(t)
		sc, actions, err := Approve(draft, principals()["manager"], "Looks right.", now, sequence())
		require.NoError(t, err)

		assert.Equal(t, Approved, sc.Status)
		assert.Equal(t, &Review{ApprovedBy: "key_manager", Comment: "Looks right.", ApprovedAt: nowUTC}, sc.Review)
		assert.Equal(t, draft.Result, sc.Result, "the result never changes")
		assert.Equal(t, Draft, draft.Status, "the input is not modified")

		want := []CorrectiveAction{
			{ID: "ca_1", SellerID: "sl_1", ScorecardID: "sc_1", PointCode: "QC01", Severity: checklist.Critical,
				Status: ActionOpen, DueAt: at(t, "2026-10-19T12:30:00Z"), CreatedAt: nowUTC},
			{ID: "ca_2", SellerID: "sl_1", ScorecardID: "sc_1", PointCode: "QC03", Severity: checklist.Major,
				Status: ActionOpen, DueAt: at(t, "2026-11-04T12:30:00Z"), CreatedAt: nowUTC},
			{ID: "ca_3", SellerID: "sl_1", ScorecardID: "sc_1", PointCode: "QC16", Severity: checklist.Major,
				Status: ActionOpen, DueAt: at(t, "2026-11-04T12:30:00Z"), CreatedAt: nowUTC},
		}
		assert.Equal(t, want, actions)
		for _, a := range actions {
			assert.False(t, a.Overdue(now))
		}
	})

	t.Run("admin, no comment, nothing failed", func(t *testing.T) {
		draft := draftScorecard(t)
		for i := range draft.Result.Points {
			if draft.Result.Points[i].Status == checklist.PointFail {
				draft.Result.Points[i].Status = checklist.PointPass
			}
		}
		sc, actions, err := Approve(draft, principals()["admin"], "", now, func() string {
			t.Fatal("no id needed")
			return ""
		})
		require.NoError(t, err)
		assert.Equal(t, Approved, sc.Status)
		assert.Equal(t, "", sc.Review.Comment)
		assert.Empty(t, actions)
	})

	t.Run("only minor failures open nothing", func(t *testing.T) {
		draft := draftScorecard(t)
		draft.Result.Points = []checklist.PointResult{
			{Code: "QC11", Severity: checklist.Minor, Status: checklist.PointFail},
			{Code: "QC15", Severity: checklist.Minor, Status: checklist.PointFail},
		}
		_, actions, err := Approve(draft, principals()["manager"], "", now, sequence())
		require.NoError(t, err)
		assert.Empty(t, actions)
	})

	t.Run("twice is a conflict", func(t *testing.T) {
		sc, _, err := Approve(draftScorecard(t), principals()["manager"], "", now, sequence())
		require.NoError(t, err)
		again, actions, err := Approve(sc, principals()["admin"], "again", now.Add(time.Hour), sequence())
		assert.ErrorIs(t, err, ErrConflict)
		assert.Nil(t, actions)
		assert.Equal(t, sc, again)
	})

	t.Run("superseded is a conflict naming its successor", func(t *testing.T) {
		sc := draftScorecard(t)
		sc.Status, sc.SupersededBy = Superseded, "sc_next"
		got, actions, err := Approve(sc, principals()["manager"], "", now, sequence())
		require.ErrorIs(t, err, ErrConflict)
		var se *SupersededError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, SupersededError{ID: sc.ID, By: "sc_next"}, *se)
		assert.Contains(t, err.Error(), "sc_next")
		assert.Nil(t, actions)
		assert.Equal(t, sc, got, "nothing changes")

		// Sellers learn nothing of it: their own superseded draft is as invisible as a draft.
		_, _, err = Approve(sc, principals()["own seller"], "", now, sequence())
		assert.ErrorIs(t, err, ErrNotFound)
	})

	t.Run("comment too long", func(t *testing.T) {
		_, _, err := Approve(draftScorecard(t), principals()["manager"], strings.Repeat("a", 4001), now, sequence())
		require.ErrorIs(t, err, ErrInvalid)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, []string{"comment"}, fields(ve.Errors))

		_, _, err = Approve(draftScorecard(t), principals()["manager"], strings.Repeat("é", 4000), now, sequence())
		assert.NoError(t, err)
	})

	t.Run("permissions", func(t *testing.T) {
		approved, _, err := Approve(draftScorecard(t), principals()["manager"], "", now, sequence())
		require.NoError(t, err)
		tests := []struct {
			who   string
			sc    Scorecard
			want  error
			label string
		}{
			{"technician", draftScorecard(t), ErrForbidden, "draft"},
			{"unknown role", draftScorecard(t), ErrForbidden, "draft"},
			{"own seller", draftScorecard(t), ErrNotFound, "own draft is invisible"},
			{"other seller", draftScorecard(t), ErrNotFound, "other's draft"},
			{"other seller", approved, ErrNotFound, "other's approved"},
			{"own seller", approved, ErrForbidden, "own approved is visible but not approvable"},
			{"technician", approved, ErrForbidden, "approved"},
		}
		for _, tt := range tests {
			t.Run(tt.who+" "+tt.label, func(t *testing.T) {
				got, actions, err := Approve(tt.sc, principals()[tt.who], "", now, sequence())
				assert.ErrorIs(t, err, tt.want)
				assert.Nil(t, actions)
				assert.Equal(t, tt.sc, got)
			})
		}
	})
}

func openAction(t *testing.T) CorrectiveAction {
	return CorrectiveAction{
		ID: "ca_1", SellerID: "sl_1", ScorecardID: "sc_1", PointCode: "QC01", Severity: checklist.Critical,
		Status: ActionOpen, DueAt: at(t, "2026-10-19T12:30:00Z"), CreatedAt: at(t, "2026-10-05T12:30:00Z"),
	}
}

func withStatus(t *testing.T, s ActionStatus) CorrectiveAction {
	a := openAction(t)
	switch s {
	case ActionPlanSubmitted:
		a.Status = s
		a.Plan = &Plan{RootCause: "old", Actions: "old", SubmittedAt: at(t, "2026-10-06T00:00:00Z"), SubmittedBy: "key_seller"}
	case ActionClosed:
		closed := at(t, "2026-10-10T00:00:00Z")
		a.Status, a.ClosingNote, a.ClosedAt, a.ClosedBy = s, "done", &closed, "key_manager"
	}
	return a
}

func TestSubmitPlan(t *testing.T) {
	now := at(t, "2026-10-08T09:00:00+02:00")

	tests := []struct {
		who    string
		status ActionStatus
		want   error
	}{
		{"own seller", ActionOpen, nil},
		{"own seller", ActionPlanSubmitted, nil},
		{"own seller", ActionClosed, ErrConflict},
		{"manager", ActionOpen, nil},
		{"manager", ActionPlanSubmitted, nil},
		{"manager", ActionClosed, ErrConflict},
		{"admin", ActionOpen, nil},
		{"admin", ActionClosed, ErrConflict},
		{"other seller", ActionOpen, ErrNotFound},
		{"other seller", ActionClosed, ErrNotFound},
		{"technician", ActionOpen, ErrForbidden},
		{"technician", ActionClosed, ErrForbidden},
		{"unknown role", ActionOpen, ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.who+" "+string(tt.status), func(t *testing.T) {
			a := withStatus(t, tt.status)
			by := principals()[tt.who]
			got, err := SubmitPlan(a, by, "Tester skipped the display check.", "Added the check to the bench script.", now)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
				assert.Equal(t, a, got, "unchanged on error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, ActionPlanSubmitted, got.Status)
			assert.Equal(t, &Plan{
				RootCause: "Tester skipped the display check.", Actions: "Added the check to the bench script.",
				SubmittedAt: now.UTC(), SubmittedBy: by.KeyID,
			}, got.Plan)
			assert.Nil(t, got.ClosedAt)
			assert.Equal(t, a.DueAt, got.DueAt)
		})
	}

	t.Run("after the due date", func(t *testing.T) {
		got, err := SubmitPlan(openAction(t), principals()["own seller"], "late", "still fixed", at(t, "2026-12-01T00:00:00Z"))
		require.NoError(t, err)
		assert.Equal(t, ActionPlanSubmitted, got.Status)
	})

	validation := []struct {
		name              string
		rootCause, action string
		want              []string
	}{
		{"both missing", "", "", []string{"actions", "root_cause"}},
		{"blank root cause", " \n\t", "fix", []string{"root_cause"}},
		{"actions too long", "cause", strings.Repeat("x", 4001), []string{"actions"}},
		{"4000 characters", strings.Repeat("ü", 4000), strings.Repeat("x", 4000), nil},
		{"line breaks are fine", "line one\r\nline two", "1.\tdo\n2.\tcheck", nil},
		{"other control characters are not", "cause\x07", "fix", []string{"root_cause"}},
		{"not UTF-8", "cause", "fix\xc3", []string{"actions"}},
	}
	for _, tt := range validation {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SubmitPlan(openAction(t), principals()["own seller"], tt.rootCause, tt.action, now)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalid)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.want, fields(ve.Errors))
			assert.Equal(t, openAction(t), got)
		})
	}

	t.Run("permission comes before state and input", func(t *testing.T) {
		_, err := SubmitPlan(withStatus(t, ActionClosed), principals()["other seller"], "", "", now)
		assert.ErrorIs(t, err, ErrNotFound)
		_, err = SubmitPlan(withStatus(t, ActionClosed), principals()["own seller"], "", "", now)
		assert.ErrorIs(t, err, ErrConflict)
	})
}

func TestClose(t *testing.T) {
	now := at(t, "2026-10-12T10:00:00-04:00")

	tests := []struct {
		who    string
		status ActionStatus
		want   error
	}{
		{"manager", ActionPlanSubmitted, nil},
		{"manager", ActionOpen, nil},
		{"admin", ActionPlanSubmitted, nil},
		{"admin", ActionOpen, nil},
		{"manager", ActionClosed, ErrConflict},
		{"admin", ActionClosed, ErrConflict},
		{"own seller", ActionPlanSubmitted, ErrForbidden},
		{"own seller", ActionClosed, ErrForbidden},
		{"other seller", ActionPlanSubmitted, ErrNotFound},
		{"technician", ActionPlanSubmitted, ErrForbidden},
		{"unknown role", ActionOpen, ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.who+" "+string(tt.status), func(t *testing.T) {
			a := withStatus(t, tt.status)
			by := principals()[tt.who]
			got, err := Close(a, by, "Verified on 20 new units.", now)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
				assert.Equal(t, a, got, "unchanged on error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, ActionClosed, got.Status)
			assert.Equal(t, "Verified on 20 new units.", got.ClosingNote)
			require.NotNil(t, got.ClosedAt)
			assert.Equal(t, now.UTC(), *got.ClosedAt)
			assert.Equal(t, by.KeyID, got.ClosedBy)
			assert.Equal(t, a.Plan, got.Plan, "the plan is kept as it was")
			assert.False(t, got.Overdue(now.AddDate(1, 0, 0)), "closed before its due date")
		})
	}

	t.Run("closed late stays overdue", func(t *testing.T) {
		late := openAction(t).DueAt.Add(time.Second)
		got, err := Close(withStatus(t, ActionPlanSubmitted), principals()["manager"], "late", late)
		require.NoError(t, err)
		assert.True(t, got.Overdue(late.AddDate(0, 1, 0)))
	})

	t.Run("closed exactly at the due date is in time", func(t *testing.T) {
		due := openAction(t).DueAt
		got, err := Close(withStatus(t, ActionPlanSubmitted), principals()["manager"], "ok", due)
		require.NoError(t, err)
		assert.False(t, got.Overdue(due.AddDate(0, 1, 0)))
	})

	notes := []struct {
		name string
		note string
		ok   bool
	}{
		{"empty", "", false},
		{"blank", "   ", false},
		{"4001 characters", strings.Repeat("n", 4001), false},
		{"4000 characters", strings.Repeat("ñ", 4000), true},
		{"one character", "k", true},
	}
	for _, tt := range notes {
		t.Run("note "+tt.name, func(t *testing.T) {
			_, err := Close(withStatus(t, ActionPlanSubmitted), principals()["manager"], tt.note, now)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalid)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, []string{"note"}, fields(ve.Errors))
		})
	}

	t.Run("full lifecycle", func(t *testing.T) {
		sc, actions, err := Approve(draftScorecard(t), principals()["manager"], "", at(t, "2026-10-05T12:00:00Z"), sequence())
		require.NoError(t, err)
		require.Equal(t, Approved, sc.Status)
		require.NotEmpty(t, actions)
		a := actions[0]
		a, err = SubmitPlan(a, principals()["own seller"], "cause", "first plan", at(t, "2026-10-06T12:00:00Z"))
		require.NoError(t, err)
		a, err = SubmitPlan(a, principals()["own seller"], "cause", "second plan", at(t, "2026-10-07T12:00:00Z"))
		require.NoError(t, err)
		assert.Equal(t, "second plan", a.Plan.Actions, "resubmission replaces the plan")
		a, err = Close(a, principals()["manager"], "verified", at(t, "2026-10-08T12:00:00Z"))
		require.NoError(t, err)
		assert.Equal(t, ActionClosed, a.Status)
		_, err = SubmitPlan(a, principals()["own seller"], "cause", "third plan", at(t, "2026-10-09T12:00:00Z"))
		assert.ErrorIs(t, err, ErrConflict)
		_, err = Close(a, principals()["manager"], "again", at(t, "2026-10-09T12:00:00Z"))
		assert.ErrorIs(t, err, ErrConflict)
	})
}

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		name       string
		start, end string
		want       []string // fields in error; nil when valid
	}{
		{"a quarter", "2026-07-01", "2026-10-01", nil},
		{"one day", "2026-07-01", "2026-07-02", nil},
		{"366 days in a leap year", "2028-01-01", "2029-01-01", nil},
		{"366 days", "2026-01-01", "2027-01-02", nil},
		{"367 days", "2026-01-01", "2027-01-03", []string{"period_end"}},
		{"end equals start", "2026-07-01", "2026-07-01", []string{"period_end"}},
		{"end before start", "2026-07-02", "2026-07-01", []string{"period_end"}},
		{"missing start", "", "2026-07-01", []string{"period_start"}},
		{"missing both", "", " ", []string{"period_end", "period_start"}},
		{"not a real day", "2026-02-29", "2026-03-01", []string{"period_start"}},
		{"leap day", "2028-02-29", "2028-03-01", nil},
		{"one-digit month", "2026-7-01", "2026-10-01", []string{"period_start"}},
		{"a timestamp", "2026-07-01T00:00:00Z", "2026-10-01", []string{"period_start"}},
		{"slashes", "2026-07-01", "2026/10/01", []string{"period_end"}},
		{"before 2000", "1999-12-31", "2000-01-02", []string{"period_start"}},
		{"after 2100", "2100-12-31", "2101-01-01", []string{"period_end"}},
		{"both malformed", "x", "y", []string{"period_end", "period_start"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, errs := ParsePeriod(tt.start, tt.end)
			assert.Equal(t, tt.want, fields(errs), "errors: %v", errs)
			if tt.want != nil {
				assert.Equal(t, Period{}, p)
				return
			}
			assert.Equal(t, tt.start, p.Start.Format(time.DateOnly))
			assert.Equal(t, tt.end, p.End.Format(time.DateOnly))
			assert.Equal(t, time.UTC, p.Start.Location())
			assert.Equal(t, time.UTC, p.End.Location())
		})
	}
}
