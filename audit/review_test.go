package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

// reviewStore is an in-memory fake of the ports the review services use: a few sellers, the
// default charter as the active version, the facts of each seller, stored scorecards and
// corrective actions. It records every call, so that a test can tell what a service read or
// wrote before it refused. The other ports are left nil: a call to one fails the test.
type reviewStore struct {
	Store // nil: the ports the review services do not use

	t        *testing.T
	mu       sync.Mutex
	now      time.Time
	sellers  map[string]bool
	charter  checklist.Charter
	facts    map[string]Facts
	cards    map[string]Scorecard
	actions  map[string]CorrectiveAction
	ids      int
	calls    []string
	saved    [][]Scorecard
	filters  []ScorecardFilter
	afilters []ActionFilter
	// inFacts, when not nil, is told of every Facts call, which then waits for release.
	inFacts chan []string
	release chan struct{}
}

func newReviewStore(t *testing.T, sellers ...string) *reviewStore {
	def, err := checklist.DefaultCharter()
	require.NoError(t, err)
	st := &reviewStore{t: t, now: time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC), sellers: map[string]bool{},
		charter: def, facts: map[string]Facts{}, cards: map[string]Scorecard{}, actions: map[string]CorrectiveAction{}}
	for _, id := range sellers {
		st.sellers[id] = true
	}
	return st
}

func (f *reviewStore) call(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
}

func (f *reviewStore) Now() time.Time { return f.now }

func (f *reviewStore) NewID(prefix string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids++
	return fmt.Sprintf("%s_%03d", prefix, f.ids)
}

func (f *reviewStore) Seller(_ context.Context, id string) (Seller, error) {
	f.call("Seller")
	if !f.sellers[id] {
		return Seller{}, fmt.Errorf("seller %s: %w", id, ErrNotFound)
	}
	return Seller{ID: id}, nil
}

func (f *reviewStore) UnknownSellers(_ context.Context, ids []string) ([]string, error) {
	f.call("UnknownSellers")
	var out []string
	for _, id := range ids {
		if !f.sellers[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

func (f *reviewStore) ActiveCharter(context.Context) (CharterVersion, error) {
	f.call("ActiveCharter")
	return CharterVersion{Charter: f.charter, Active: true}, nil
}

func (f *reviewStore) Charter(_ context.Context, version string) (CharterVersion, error) {
	f.call("Charter")
	if version != f.charter.Version {
		return CharterVersion{}, fmt.Errorf("charter %s: %w", version, ErrNotFound)
	}
	return CharterVersion{Charter: f.charter, Active: true}, nil
}

func (f *reviewStore) Facts(_ context.Context, _ Period, sellerIDs []string) (map[string]Facts, error) {
	f.call("Facts")
	if f.inFacts != nil {
		f.inFacts <- sellerIDs
		<-f.release
	}
	out := map[string]Facts{}
	if len(sellerIDs) == 0 {
		for id := range f.sellers {
			out[id] = f.facts[id]
		}
	}
	for _, id := range sellerIDs {
		out[id] = f.facts[id]
	}
	return out, nil
}

func (f *reviewStore) SaveDrafts(_ context.Context, _ Principal, p Period, version string, cards []Scorecard) error {
	f.call("SaveDrafts")
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, sc := range cards {
		assert.Equal(f.t, p, sc.Period)
		assert.Equal(f.t, version, sc.CharterVersion)
		f.cards[sc.ID] = sc
	}
	f.saved = append(f.saved, cards)
	return nil
}

func (f *reviewStore) Scorecard(_ context.Context, id string) (Scorecard, error) {
	f.call("Scorecard")
	sc, ok := f.cards[id]
	if !ok {
		return Scorecard{}, fmt.Errorf("scorecard %s: %w", id, ErrNotFound)
	}
	return sc, nil
}

func (f *reviewStore) Scorecards(_ context.Context, sf ScorecardFilter, _ Page) ([]Scorecard, string, error) {
	f.call("Scorecards")
	f.filters = append(f.filters, sf)
	var out []Scorecard
	for _, sc := range f.cards {
		if sc.SellerID == sf.SellerID && (sf.Status == "" && sc.Status != Superseded || sc.Status == sf.Status) {
			out = append(out, sc)
		}
	}
	slices.SortFunc(out, func(a, b Scorecard) int { return strings.Compare(b.ID, a.ID) })
	return out, "", nil
}

func (f *reviewStore) ApproveScorecard(_ context.Context, _ Principal, id string,
	approve func(Scorecard, time.Time) (Scorecard, []CorrectiveAction, error)) (Scorecard, []CorrectiveAction, error) {
	f.call("ApproveScorecard")
	cur, ok := f.cards[id]
	if !ok {
		return Scorecard{}, nil, fmt.Errorf("scorecard %s: %w", id, ErrNotFound)
	}
	sc, actions, err := approve(cur, f.now)
	if err != nil {
		return Scorecard{}, nil, err
	}
	f.cards[id] = sc
	for _, a := range actions {
		f.actions[a.ID] = a
	}
	return sc, actions, nil
}

func (f *reviewStore) CorrectiveActions(_ context.Context, af ActionFilter, _ Page) ([]CorrectiveAction, string, error) {
	f.call("CorrectiveActions")
	f.afilters = append(f.afilters, af)
	var out []CorrectiveAction
	for _, a := range f.actions {
		if af.SellerID == "" || a.SellerID == af.SellerID {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b CorrectiveAction) int { return strings.Compare(a.ID, b.ID) })
	return out, "", nil
}

func (f *reviewStore) CorrectiveAction(_ context.Context, id string) (CorrectiveAction, error) {
	f.call("CorrectiveAction")
	a, ok := f.actions[id]
	if !ok {
		return CorrectiveAction{}, fmt.Errorf("corrective action %s: %w", id, ErrNotFound)
	}
	return a, nil
}

func (f *reviewStore) ChangeAction(_ context.Context, _ Principal, id, action string,
	change func(CorrectiveAction, time.Time) (CorrectiveAction, error)) (CorrectiveAction, error) {
	f.call("ChangeAction " + action)
	cur, ok := f.actions[id]
	if !ok {
		return CorrectiveAction{}, fmt.Errorf("corrective action %s: %w", id, ErrNotFound)
	}
	a, err := change(cur, f.now)
	if err != nil {
		return CorrectiveAction{}, err
	}
	f.actions[id] = a
	return a, nil
}

var (
	manager    = Principal{KeyID: "key_m", Role: RoleManager}
	admin      = Principal{KeyID: "key_a", Role: RoleAdmin}
	technician = Principal{KeyID: "key_t", Role: RoleTechnician}
)

func sellerOf(id string) Principal {
	return Principal{KeyID: "key_" + id, Role: RoleSeller, SellerID: id}
}

func q3Input() AuditInput { return AuditInput{PeriodStart: "2026-07-01", PeriodEnd: "2026-10-01"} }

func validationFields(t *testing.T, err error) []grading.FieldError {
	t.Helper()
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	return ve.Errors
}

// Every bad field of an audit is reported at once, with the messages the API has always
// answered, and nothing is read beyond what the checks need nor anything written.
func TestAuditSellerValidation(t *testing.T) {
	long := strings.Repeat("x", 65)
	tests := []struct {
		name     string
		seller   string
		in       AuditInput
		want     []grading.FieldError
		lookedUp []string
	}{
		{"nothing", "", AuditInput{}, []grading.FieldError{
			{Field: "period_end", Message: "is required"}, {Field: "period_start", Message: "is required"},
			{Field: "seller_id", Message: "is required"}}, []string{"ActiveCharter"}},
		{"blank seller", "  ", q3Input(), []grading.FieldError{{Field: "seller_id", Message: "is required"}}, []string{"ActiveCharter"}},
		{"unknown seller", "sl_nobody", q3Input(), []grading.FieldError{{Field: "seller_id", Message: "no seller has this id"}},
			[]string{"Seller", "ActiveCharter"}},
		{"unknown charter", "sl_a", AuditInput{PeriodStart: "2026-07-01", PeriodEnd: "2026-10-01", CharterVersion: "1999.1"},
			[]grading.FieldError{{Field: "charter_version", Message: "no published charter has this version"}}, []string{"Seller", "Charter"}},
		{"every field wrong", "sl_nobody", AuditInput{PeriodStart: "x", PeriodEnd: "2026-10-01", CharterVersion: "nope"},
			[]grading.FieldError{{Field: "charter_version", Message: "no published charter has this version"},
				{Field: "period_start", Message: "must be a date written YYYY-MM-DD"},
				{Field: "seller_id", Message: "no seller has this id"}}, []string{"Seller", "Charter"}},
		// Values that name nothing are refused without a lookup.
		{"long values", long, AuditInput{PeriodStart: "2026-07-01", PeriodEnd: "2026-10-01", CharterVersion: long},
			[]grading.FieldError{{Field: "charter_version", Message: "must have at most 64 characters"},
				{Field: "seller_id", Message: "must have at most 64 characters"}}, nil},
		{"control characters", "sl_a\x00", AuditInput{PeriodStart: "2026-07-01", PeriodEnd: "2026-10-01", CharterVersion: "2026.1\n"},
			[]grading.FieldError{{Field: "charter_version", Message: "must not contain control characters"},
				{Field: "seller_id", Message: "must not contain control characters"}}, nil},
		{"end before start", "sl_a", AuditInput{PeriodStart: "2026-10-01", PeriodEnd: "2026-07-01"},
			[]grading.FieldError{{Field: "period_end", Message: "must be after period_start"}}, []string{"Seller", "ActiveCharter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newReviewStore(t, "sl_a")
			svc := NewService(ServiceConfig{Store: st})
			_, err := svc.AuditSeller(context.Background(), manager, tt.seller, tt.in, nil)
			assert.Equal(t, tt.want, validationFields(t, err))
			assert.Equal(t, tt.lookedUp, st.calls, "what was read; nothing was written")
		})
	}
}

// Audits are the managers' and admins': other roles are refused before anything is read.
func TestAuditRoles(t *testing.T) {
	for _, by := range []Principal{technician, sellerOf("sl_a"), {KeyID: "k", Role: "auditor"}} {
		st := newReviewStore(t, "sl_a")
		svc := NewService(ServiceConfig{Store: st})
		_, err := svc.AuditSeller(context.Background(), by, "sl_a", q3Input(), nil)
		assert.ErrorIs(t, err, ErrForbidden, by.Role)
		_, err = svc.AuditSellers(context.Background(), by, nil, q3Input(), nil)
		assert.ErrorIs(t, err, ErrForbidden, by.Role)
		assert.Empty(t, st.calls, by.Role)
	}
	for _, by := range []Principal{manager, admin} {
		st := newReviewStore(t, "sl_a")
		_, err := NewService(ServiceConfig{Store: st}).AuditSeller(context.Background(), by, "sl_a", q3Input(), nil)
		assert.NoError(t, err, by.Role)
	}
}

// An audit gathers the facts, evaluates the charter for each seller and saves one draft each,
// in seller order, stamped with the store's clock, reporting each phase as it starts.
func TestAuditSellersEvaluatesAndSavesDrafts(t *testing.T) {
	ctx := context.Background()
	st := newReviewStore(t, "sl_b", "sl_a", "sl_c")
	st.facts["sl_a"] = Facts{Units: 12, LiquidDamage: []string{"bt_1"}}
	st.facts["sl_b"] = Facts{Units: 3}
	svc := NewService(ServiceConfig{Store: st})
	compiled, err := checklist.Compile(st.charter)
	require.NoError(t, err)
	p, errs := ParsePeriod("2026-07-01", "2026-10-01")
	require.Empty(t, errs)

	var steps []AuditProgress
	res, err := svc.AuditSellers(ctx, manager, nil, q3Input(), func(p AuditProgress) { steps = append(steps, p) })
	require.NoError(t, err)
	assert.Equal(t, []AuditProgress{{Phase: PhaseFacts, Sellers: 0, Charter: "2026.1"}, {Phase: PhaseEvaluating, Sellers: 3, Charter: "2026.1"},
		{Phase: PhaseSaving, Sellers: 3, Charter: "2026.1"}}, steps)
	require.Len(t, res.Scorecards, 3)
	for i, id := range []string{"sl_a", "sl_b", "sl_c"} {
		sc := res.Scorecards[i]
		assert.Equal(t, NewScorecard(sc.ID, id, p, "2026.1", compiled.Evaluate(st.facts[id].Metrics()), st.now), sc)
		assert.True(t, strings.HasPrefix(sc.ID, PrefixScorecard+"_"), sc.ID)
	}
	assert.Equal(t, [][]Scorecard{res.Scorecards}, st.saved, "one save of every draft of the run")
	assert.Equal(t, []string{"ActiveCharter", "Facts", "SaveDrafts"}, st.calls)

	// A list: unknown sellers are refused before any facts are read.
	st.calls = nil
	_, err = svc.AuditSellers(ctx, manager, []string{"sl_a", "sl_nobody", "sl_x"}, q3Input(), nil)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.ErrorContains(t, err, "seller sl_nobody")
	assert.Equal(t, []string{"ActiveCharter", "UnknownSellers"}, st.calls)

	// One seller, against a named version: its progress counts one seller.
	steps = nil
	in := q3Input()
	in.CharterVersion = "2026.1"
	sc, err := svc.AuditSeller(ctx, manager, "sl_a", in, func(p AuditProgress) { steps = append(steps, p) })
	require.NoError(t, err)
	assert.Equal(t, "sl_a", sc.SellerID)
	assert.Equal(t, Draft, sc.Status)
	assert.Equal(t, []AuditProgress{{Phase: PhaseFacts, Sellers: 1, Charter: "2026.1"}, {Phase: PhaseEvaluating, Sellers: 1, Charter: "2026.1"},
		{Phase: PhaseSaving, Sellers: 1, Charter: "2026.1"}}, steps)
}

// A run over every seller holds the service's lock of such runs while it reads and writes; a
// run over named sellers does not take it.
func TestAuditOfEverySellerHoldsTheBatchLock(t *testing.T) {
	ctx := context.Background()
	st := newReviewStore(t, "sl_a")
	st.inFacts, st.release = make(chan []string), make(chan struct{})
	svc := NewService(ServiceConfig{Store: st})

	done := make(chan error)
	go func() {
		_, err := svc.AuditSellers(ctx, manager, []string{"sl_a"}, q3Input(), nil)
		done <- err
	}()
	assert.Equal(t, []string{"sl_a"}, <-st.inFacts)
	require.True(t, svc.batchMu.TryLock(), "a run over named sellers leaves the lock free")
	svc.batchMu.Unlock()
	st.release <- struct{}{}
	require.NoError(t, <-done)

	go func() {
		_, err := svc.AuditSellers(ctx, manager, nil, q3Input(), nil)
		done <- err
	}()
	assert.Empty(t, <-st.inFacts)
	assert.False(t, svc.batchMu.TryLock(), "a run over every seller holds the lock")
	st.release <- struct{}{}
	require.NoError(t, <-done)
	require.True(t, svc.batchMu.TryLock(), "and releases it")
	svc.batchMu.Unlock()
}

// reviewFixture stores, for sellers sl_a and sl_b, an approved and a draft scorecard each,
// and one superseded draft of sl_a.
func reviewFixture(t *testing.T) *reviewStore {
	st := newReviewStore(t, "sl_a", "sl_b")
	for _, sc := range []Scorecard{
		{ID: "sc_1", SellerID: "sl_a", Status: Approved, Review: &Review{ApprovedBy: "key_m"}},
		{ID: "sc_2", SellerID: "sl_a", Status: Superseded, SupersededBy: "sc_3"},
		{ID: "sc_3", SellerID: "sl_a", Status: Draft},
		{ID: "sc_4", SellerID: "sl_b", Status: Approved, Review: &Review{ApprovedBy: "key_m"}},
		{ID: "sc_5", SellerID: "sl_b", Status: Draft},
	} {
		st.cards[sc.ID] = sc
	}
	return st
}

// A seller sees its own approved scorecards only; anything else is ErrNotFound, exactly as for
// an id that does not exist. Staff see every scorecard.
func TestScorecardReadVisibility(t *testing.T) {
	st := reviewFixture(t)
	svc := NewService(ServiceConfig{Store: st})
	visible := map[string][]string{
		"seller sl_a": {"sc_1"},
		"seller sl_b": {"sc_4"},
		"manager":     {"sc_1", "sc_2", "sc_3", "sc_4", "sc_5"},
		"admin":       {"sc_1", "sc_2", "sc_3", "sc_4", "sc_5"},
	}
	for name, by := range map[string]Principal{"seller sl_a": sellerOf("sl_a"), "seller sl_b": sellerOf("sl_b"), "manager": manager, "admin": admin} {
		var got []string
		for _, id := range []string{"sc_1", "sc_2", "sc_3", "sc_4", "sc_5", "sc_none"} {
			sc, err := svc.Scorecard(context.Background(), by, id)
			if err != nil {
				assert.ErrorIs(t, err, ErrNotFound, "%s %s", name, id)
				assert.Zero(t, sc, "%s %s: nothing of it", name, id)
				continue
			}
			assert.Equal(t, st.cards[id], sc)
			got = append(got, id)
		}
		assert.Equal(t, visible[name], got, name)
	}
}

// A seller's list holds its own approved scorecards whatever it asks for; staff lists follow
// the status asked for. Another seller, or an unknown one, is ErrNotFound; an unknown status a
// validation error, before anything is read.
func TestSellerScorecards(t *testing.T) {
	ctx := context.Background()
	ids := func(cards []Scorecard) []string {
		out := []string{}
		for _, sc := range cards {
			out = append(out, sc.ID)
		}
		return out
	}
	tests := []struct {
		name   string
		by     Principal
		seller string
		status ScorecardStatus
		want   []string
		filter *ScorecardFilter // what the store was asked, nil: nothing
	}{
		{"seller, current", sellerOf("sl_a"), "sl_a", "", []string{"sc_1"}, &ScorecardFilter{SellerID: "sl_a", Status: Approved}},
		{"seller, approved", sellerOf("sl_a"), "sl_a", Approved, []string{"sc_1"}, &ScorecardFilter{SellerID: "sl_a", Status: Approved}},
		{"seller, drafts", sellerOf("sl_a"), "sl_a", Draft, []string{}, nil},
		{"seller, superseded", sellerOf("sl_a"), "sl_a", Superseded, []string{}, nil},
		{"staff, current", manager, "sl_a", "", []string{"sc_3", "sc_1"}, &ScorecardFilter{SellerID: "sl_a"}},
		{"staff, drafts", manager, "sl_a", Draft, []string{"sc_3"}, &ScorecardFilter{SellerID: "sl_a", Status: Draft}},
		{"staff, superseded", admin, "sl_a", Superseded, []string{"sc_2"}, &ScorecardFilter{SellerID: "sl_a", Status: Superseded}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := reviewFixture(t)
			got, next, err := NewService(ServiceConfig{Store: st}).SellerScorecards(ctx, tt.by, tt.seller, tt.status, Page{})
			require.NoError(t, err)
			assert.Empty(t, next)
			assert.Equal(t, tt.want, ids(got))
			if tt.filter == nil {
				assert.Empty(t, st.filters)
			} else {
				assert.Equal(t, []ScorecardFilter{*tt.filter}, st.filters)
			}
		})
	}

	st := reviewFixture(t)
	svc := NewService(ServiceConfig{Store: st})
	_, _, err := svc.SellerScorecards(ctx, sellerOf("sl_a"), "sl_b", "", Page{})
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Empty(t, st.calls, "another seller's list is refused before any read")
	_, _, err = svc.SellerScorecards(ctx, manager, "sl_nobody", "", Page{})
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, []string{"Seller"}, st.calls)
	st.calls = nil
	_, _, err = svc.SellerScorecards(ctx, sellerOf("sl_a"), "sl_a", "pending", Page{})
	assert.Equal(t, []grading.FieldError{{Field: "status", Message: "must be draft, approved or superseded"}}, validationFields(t, err))
	assert.Empty(t, st.calls)
}

// Approval runs the domain rule on the scorecard as the store holds it, inside the store's
// transaction, with ids for the actions from the store and its clock.
func TestApproveScorecardThroughTheStore(t *testing.T) {
	ctx := context.Background()
	st := reviewFixture(t)
	st.cards["sc_3"] = Scorecard{ID: "sc_3", SellerID: "sl_a", Status: Draft, Result: checklist.Result{Points: []checklist.PointResult{
		{Code: "QC01", Severity: checklist.Critical, Status: checklist.PointFail},
		{Code: "QC18", Severity: checklist.Major, Status: checklist.PointFail},
		{Code: "QC22", Severity: checklist.Minor, Status: checklist.PointFail},
	}}}
	svc := NewService(ServiceConfig{Store: st})

	sc, actions, err := svc.ApproveScorecard(ctx, manager, "sc_3", "seen")
	require.NoError(t, err)
	assert.Equal(t, Approved, sc.Status)
	assert.Equal(t, &Review{ApprovedBy: "key_m", Comment: "seen", ApprovedAt: st.now}, sc.Review)
	require.Len(t, actions, 2)
	assert.Equal(t, []string{"ca_001", "ca_002"}, []string{actions[0].ID, actions[1].ID})
	assert.Equal(t, st.now.AddDate(0, 0, CriticalActionDays), actions[0].DueAt)
	assert.Equal(t, st.now.AddDate(0, 0, MajorActionDays), actions[1].DueAt)
	assert.Equal(t, sc, st.cards["sc_3"])

	_, _, err = svc.ApproveScorecard(ctx, manager, "sc_3", "")
	assert.ErrorIs(t, err, ErrConflict, "approved twice")
	_, _, err = svc.ApproveScorecard(ctx, manager, "sc_2", "")
	var se *SupersededError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "sc_3", se.By)
	_, _, err = svc.ApproveScorecard(ctx, sellerOf("sl_b"), "sc_5", "")
	assert.ErrorIs(t, err, ErrNotFound, "a seller learns nothing of its draft")
	_, _, err = svc.ApproveScorecard(ctx, sellerOf("sl_a"), "sc_4", "")
	assert.ErrorIs(t, err, ErrNotFound, "nor of another seller's scorecard")
	_, _, err = svc.ApproveScorecard(ctx, sellerOf("sl_b"), "sc_4", "")
	assert.ErrorIs(t, err, ErrForbidden, "its own approved scorecard, which it sees, it may not approve")
	_, _, err = svc.ApproveScorecard(ctx, technician, "sc_5", "")
	assert.ErrorIs(t, err, ErrForbidden)
	assert.Equal(t, Draft, st.cards["sc_5"].Status)
}

// actionFixture holds two actions of sl_a and one of sl_b.
func actionFixture(t *testing.T) *reviewStore {
	st := newReviewStore(t, "sl_a", "sl_b")
	for _, a := range []CorrectiveAction{
		{ID: "ca_1", SellerID: "sl_a", Status: ActionOpen},
		{ID: "ca_2", SellerID: "sl_a", Status: ActionPlanSubmitted},
		{ID: "ca_3", SellerID: "sl_b", Status: ActionOpen},
	} {
		st.actions[a.ID] = a
	}
	return st
}

// A seller lists and reads its own corrective actions only; overdue is judged at the
// caller's instant when it gives one, else at the service's clock.
func TestCorrectiveActionsVisibility(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	clock := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		by   Principal
		f    ActionFilter
		want ActionFilter // what the store is asked
	}{
		{"seller, no seller named", sellerOf("sl_a"), ActionFilter{}, ActionFilter{SellerID: "sl_a", Now: clock}},
		{"seller, itself", sellerOf("sl_a"), ActionFilter{SellerID: "sl_a", Status: ActionOverdue, Now: at}, ActionFilter{SellerID: "sl_a", Status: ActionOverdue, Now: at}},
		{"staff, everyone", manager, ActionFilter{Status: "open"}, ActionFilter{Status: "open", Now: clock}},
		{"staff, one seller", admin, ActionFilter{SellerID: "sl_b", Now: at}, ActionFilter{SellerID: "sl_b", Now: at}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := actionFixture(t)
			svc := NewService(ServiceConfig{Store: st, Now: func() time.Time { return clock }})
			_, _, err := svc.CorrectiveActions(ctx, tt.by, tt.f, Page{})
			require.NoError(t, err)
			assert.Equal(t, []ActionFilter{tt.want}, st.afilters)
		})
	}

	st := actionFixture(t)
	svc := NewService(ServiceConfig{Store: st})
	_, _, err := svc.CorrectiveActions(ctx, sellerOf("sl_a"), ActionFilter{SellerID: "sl_b"}, Page{})
	assert.ErrorIs(t, err, ErrNotFound)
	_, _, err = svc.CorrectiveActions(ctx, manager, ActionFilter{Status: "late"}, Page{})
	assert.Equal(t, []grading.FieldError{{Field: "status", Message: "must be open, plan_submitted, closed or overdue"}}, validationFields(t, err))
	assert.Empty(t, st.calls, "both refused before any read")

	a, err := svc.CorrectiveAction(ctx, sellerOf("sl_a"), "ca_1")
	require.NoError(t, err)
	assert.Equal(t, st.actions["ca_1"], a)
	_, err = svc.CorrectiveAction(ctx, sellerOf("sl_a"), "ca_3")
	assert.ErrorIs(t, err, ErrNotFound, "another seller's action")
	_, err = svc.CorrectiveAction(ctx, manager, "ca_none")
	assert.ErrorIs(t, err, ErrNotFound)
	a, err = svc.CorrectiveAction(ctx, manager, "ca_3")
	require.NoError(t, err)
	assert.Equal(t, "sl_b", a.SellerID)
}

// Plans and closings run the domain rules on the action as the store holds it, inside the
// store's transaction, under the event names of the trail.
func TestPlanAndCloseThroughTheStore(t *testing.T) {
	ctx := context.Background()
	st := actionFixture(t)
	svc := NewService(ServiceConfig{Store: st})

	_, err := svc.SubmitPlan(ctx, sellerOf("sl_b"), "ca_1", "cause", "fix")
	assert.ErrorIs(t, err, ErrNotFound, "another seller's action")
	a, err := svc.SubmitPlan(ctx, sellerOf("sl_a"), "ca_1", "cause", "fix")
	require.NoError(t, err)
	assert.Equal(t, ActionPlanSubmitted, a.Status)
	assert.Equal(t, &Plan{RootCause: "cause", Actions: "fix", SubmittedAt: st.now, SubmittedBy: "key_sl_a"}, a.Plan)
	_, err = svc.SubmitPlan(ctx, manager, "ca_3", "", "")
	assert.Len(t, validationFields(t, err), 2)

	_, err = svc.CloseAction(ctx, sellerOf("sl_a"), "ca_1", "done")
	assert.ErrorIs(t, err, ErrForbidden)
	_, err = svc.CloseAction(ctx, sellerOf("sl_b"), "ca_1", "done")
	assert.ErrorIs(t, err, ErrNotFound)
	a, err = svc.CloseAction(ctx, manager, "ca_1", "verified")
	require.NoError(t, err)
	assert.Equal(t, ActionClosed, a.Status)
	assert.Equal(t, &st.now, a.ClosedAt)
	_, err = svc.CloseAction(ctx, manager, "ca_1", "again")
	assert.ErrorIs(t, err, ErrConflict)
	_, err = svc.SubmitPlan(ctx, manager, "ca_none", "cause", "fix")
	assert.True(t, errors.Is(err, ErrNotFound))

	assert.Equal(t, []string{"ChangeAction plan", "ChangeAction plan", "ChangeAction plan", "ChangeAction close",
		"ChangeAction close", "ChangeAction close", "ChangeAction close", "ChangeAction plan"}, st.calls)
	assert.Equal(t, ActionClosed, st.actions["ca_1"].Status)
	assert.Equal(t, ActionOpen, st.actions["ca_3"].Status, "refused changes leave the action as it was")
}
