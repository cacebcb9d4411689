package reports

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

// fakeSource is an in-memory Source that keeps the store's list semantics (a scorecard list
// without a status holds drafts and approved ones, newest first; lists page) and records every
// call, so that the Builder's rules and its number of reads can be checked without a database.
type fakeSource struct {
	sellers    map[string]audit.Seller
	scorecards []audit.Scorecard
	devices    map[string]audit.DeviceEvidence
	months     map[string]audit.KPIMonth
	actions    []audit.CorrectiveAction
	orders     []audit.OrderGrade
	lots       []audit.Lot
	actionPage int    // the most actions in one page
	fail       string // the method that fails, if any

	calls   []string // method names, in call order
	filters []audit.ScorecardFilter
	idCalls map[string][][]string // evidence method → the ids of each call
}

var errSource = errors.New("source failed")

func (f *fakeSource) call(name string) error {
	f.calls = append(f.calls, name)
	if f.fail == name {
		return fmt.Errorf("%s: %w", name, errSource)
	}
	return nil
}

func (f *fakeSource) Seller(_ context.Context, id string) (audit.Seller, error) {
	if err := f.call("Seller"); err != nil {
		return audit.Seller{}, err
	}
	s, ok := f.sellers[id]
	if !ok {
		return s, fmt.Errorf("seller %s: %w", id, audit.ErrNotFound)
	}
	return s, nil
}

func (f *fakeSource) Scorecard(_ context.Context, id string) (audit.Scorecard, error) {
	if err := f.call("Scorecard"); err != nil {
		return audit.Scorecard{}, err
	}
	for _, sc := range f.scorecards {
		if sc.ID == id {
			return sc, nil
		}
	}
	return audit.Scorecard{}, fmt.Errorf("scorecard %s: %w", id, audit.ErrNotFound)
}

func (f *fakeSource) Scorecards(_ context.Context, flt audit.ScorecardFilter, p audit.Page) ([]audit.Scorecard, string, error) {
	if err := f.call("Scorecards"); err != nil {
		return nil, "", err
	}
	f.filters = append(f.filters, flt)
	var out []audit.Scorecard
	for _, sc := range f.scorecards {
		keep := sc.SellerID == flt.SellerID && (flt.To.IsZero() || !sc.Period.End.After(flt.To))
		if flt.Status == "" {
			keep = keep && sc.Status != audit.Superseded
		} else {
			keep = keep && sc.Status == flt.Status
		}
		if keep {
			out = append(out, sc)
		}
	}
	slices.SortFunc(out, func(a, b audit.Scorecard) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out[:min(len(out), p.Limit)], "", nil
}

func (f *fakeSource) CorrectiveActions(_ context.Context, flt audit.ActionFilter, p audit.Page) ([]audit.CorrectiveAction, string, error) {
	if err := f.call("CorrectiveActions"); err != nil {
		return nil, "", err
	}
	var all []audit.CorrectiveAction
	for _, a := range f.actions {
		if a.SellerID == flt.SellerID {
			all = append(all, a)
		}
	}
	start := 0
	if p.Cursor != "" {
		start, _ = strconv.Atoi(p.Cursor)
	}
	end := min(len(all), start+min(p.Limit, f.actionPage))
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return all[start:end], next, nil
}

func (f *fakeSource) evidenceCall(name string, ids []string) error {
	if f.idCalls == nil {
		f.idCalls = map[string][][]string{}
	}
	f.idCalls[name] = append(f.idCalls[name], slices.Clone(ids))
	return f.call(name)
}

func (f *fakeSource) devicesOf(prefix string, ids []string) []audit.DeviceEvidence {
	var out []audit.DeviceEvidence
	for _, id := range ids {
		if d, ok := f.devices[id]; ok && strings.HasPrefix(id, prefix) {
			out = append(out, d)
		}
	}
	return out
}

func (f *fakeSource) BenchTestEvidence(_ context.Context, ids []string) ([]audit.DeviceEvidence, error) {
	if err := f.evidenceCall("BenchTestEvidence", ids); err != nil {
		return nil, err
	}
	return f.devicesOf("bt_", ids), nil
}

func (f *fakeSource) MysteryOrderEvidence(_ context.Context, ids []string) ([]audit.DeviceEvidence, error) {
	if err := f.evidenceCall("MysteryOrderEvidence", ids); err != nil {
		return nil, err
	}
	return f.devicesOf("mo_", ids), nil
}

func (f *fakeSource) KPIMonthsByID(_ context.Context, ids []string) ([]audit.KPIMonth, error) {
	if err := f.evidenceCall("KPIMonthsByID", ids); err != nil {
		return nil, err
	}
	var out []audit.KPIMonth
	for _, id := range ids {
		if k, ok := f.months[id]; ok {
			out = append(out, k)
		}
	}
	return out, nil
}

func (f *fakeSource) CorrectiveActionsByID(_ context.Context, ids []string) ([]audit.CorrectiveAction, error) {
	if err := f.evidenceCall("CorrectiveActionsByID", ids); err != nil {
		return nil, err
	}
	var out []audit.CorrectiveAction
	for _, a := range f.actions {
		if slices.Contains(ids, a.ID) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (f *fakeSource) OrderGrades(_ context.Context, sellerID string, p audit.Period) ([]audit.OrderGrade, error) {
	if err := f.call("OrderGrades"); err != nil {
		return nil, err
	}
	var out []audit.OrderGrade
	for _, o := range f.orders {
		if o.SellerID == sellerID {
			out = append(out, o)
		}
	}
	return out, nil
}

func (f *fakeSource) DecidedDeviceLots(_ context.Context, sellerID string, p audit.Period) ([]audit.Lot, error) {
	if err := f.call("DecidedDeviceLots"); err != nil {
		return nil, err
	}
	var out []audit.Lot
	for _, l := range f.lots {
		if l.SellerID == sellerID && l.DecidedAt != nil && p.Contains(*l.DecidedAt) {
			out = append(out, l)
		}
	}
	return out, nil
}

func (f *fakeSource) BenchmarkVersion(_ context.Context, p audit.Period) (int64, error) {
	if err := f.call("BenchmarkVersion"); err != nil {
		return 0, err
	}
	_, v := f.benchmarkValues(p)
	return v, nil
}

func (f *fakeSource) BenchmarkValues(_ context.Context, p audit.Period) ([]audit.BenchmarkValue, int64, error) {
	if err := f.call("BenchmarkValues"); err != nil {
		return nil, 0, err
	}
	vs, v := f.benchmarkValues(p)
	return vs, v, nil
}

// benchmarkValues are the values of the approved scorecards of p, and their number as the
// version.
func (f *fakeSource) benchmarkValues(p audit.Period) ([]audit.BenchmarkValue, int64) {
	var out []audit.BenchmarkValue
	var n int64
	for _, sc := range f.scorecards {
		if sc.Status == audit.Approved && sc.Period.Start.Equal(p.Start) && sc.Period.End.Equal(p.End) {
			out = append(out, audit.BenchmarkValues(sc)...)
			n++
		}
	}
	return out, n
}

var (
	sellerA   = audit.Principal{KeyID: "key_a", Role: audit.RoleSeller, SellerID: "sl_a"}
	sellerB   = audit.Principal{KeyID: "key_b", Role: audit.RoleSeller, SellerID: "sl_b"}
	managerP  = audit.Principal{KeyID: "key_m", Role: audit.RoleManager}
	operatorP = audit.Principal{KeyID: "cli", Role: audit.RoleAdmin}
)

// card is a scorecard of seller over quarter q of 2026 (q may run past 4), created in order n.
func card(id, seller string, q int, status audit.ScorecardStatus, n int, points ...checklist.PointResult) audit.Scorecard {
	start := time.Date(2026, time.Month(1+3*(q-1)), 1, 0, 0, 0, 0, time.UTC)
	s := 80.0
	sc := audit.Scorecard{ID: id, SellerID: seller, Status: status, CharterVersion: "2026.1",
		Period:    audit.Period{Start: start, End: start.AddDate(0, 3, 0)},
		CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour),
		Result:    checklist.Result{Score: &s, Tier: checklist.TierWatch, Points: points}}
	if status == audit.Approved {
		sc.Review = &audit.Review{ApprovedBy: "key_m", ApprovedAt: sc.CreatedAt.Add(time.Minute)}
	}
	return sc
}

func failed(code string, evidence ...string) checklist.PointResult {
	return checklist.PointResult{Code: code, Title: "Point " + code, Severity: checklist.Major,
		Status: checklist.PointFail, Evidence: evidence}
}

// twoSellers: seller a with an approved Q1, a draft Q2, an approved Q3 whose draft was
// superseded, and a draft Q4; seller b with an approved Q3.
func twoSellers() *fakeSource {
	replaced := card("sc_a3old", "sl_a", 3, audit.Superseded, 3)
	replaced.SupersededBy = "sc_a3"
	return &fakeSource{
		sellers: map[string]audit.Seller{"sl_a": {ID: "sl_a", Name: "Ανακαίνιση Α"}, "sl_b": {ID: "sl_b", Name: "B"}},
		scorecards: []audit.Scorecard{
			card("sc_a1", "sl_a", 1, audit.Approved, 1),
			card("sc_a2", "sl_a", 2, audit.Draft, 2),
			replaced,
			card("sc_a3", "sl_a", 3, audit.Approved, 4, failed("QC01", "bt_1")),
			card("sc_a4", "sl_a", 4, audit.Draft, 5),
			card("sc_b3", "sl_b", 3, audit.Approved, 6),
		},
		actionPage: audit.MaxLimit,
	}
}

// TestBuilderSellerSeesItsOwnApprovedReportsOnly: a seller gets the report of its own approved
// scorecards only; anything else is ErrNotFound, and nothing else is read. Staff get every
// report.
func TestBuilderSellerSeesItsOwnApprovedReportsOnly(t *testing.T) {
	tests := []struct {
		by      audit.Principal
		id      string
		visible bool
	}{
		{sellerA, "sc_a3", true},
		{sellerA, "sc_a1", true},
		{sellerA, "sc_a2", false},    // its draft
		{sellerA, "sc_a3old", false}, // its superseded draft
		{sellerA, "sc_b3", false},    // another seller's approved scorecard
		{sellerB, "sc_a3", false},
		{sellerB, "sc_b3", true},
		{managerP, "sc_a2", true},
		{managerP, "sc_a3old", true},
		{managerP, "sc_b3", true},
		{operatorP, "sc_a4", true},
		{audit.Principal{Role: audit.RoleTechnician}, "sc_a4", true}, // the routes keep technicians out
	}
	for _, tt := range tests {
		t.Run(string(tt.by.Role)+tt.by.SellerID+"/"+tt.id, func(t *testing.T) {
			src := twoSellers()
			in, err := NewBuilder(src).Input(context.Background(), tt.by, tt.id)
			if !tt.visible {
				assert.ErrorIs(t, err, audit.ErrNotFound)
				assert.Equal(t, "scorecard "+tt.id+": not found", err.Error(), "worded as a missing scorecard")
				assert.Equal(t, []string{"Scorecard"}, src.calls, "nothing more is read")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.id, in.Scorecard.ID)
			assert.Equal(t, in.Scorecard.SellerID, in.Seller.ID)
		})
	}

	// A scorecard that does not exist is the source's ErrNotFound.
	_, err := NewBuilder(twoSellers()).Input(context.Background(), managerP, "sc_missing")
	assert.ErrorIs(t, err, audit.ErrNotFound)

	// The same rule for a scorecard the caller read itself.
	src := twoSellers()
	_, err = NewBuilder(src).InputOf(context.Background(), sellerA, src.scorecards[1])
	assert.ErrorIs(t, err, audit.ErrNotFound)
	assert.Empty(t, src.calls)
}

// TestBuilderHistory: the history of a seller's report holds its approved scorecards only;
// staff see drafts too; neither sees superseded drafts, later scorecards or the scorecard
// itself, and at most twelve are read.
func TestBuilderHistory(t *testing.T) {
	ids := func(scs []audit.Scorecard) []string {
		var out []string
		for _, sc := range scs {
			out = append(out, sc.ID)
		}
		return out
	}
	ctx := context.Background()
	src := twoSellers()
	in, err := NewBuilder(src).Input(ctx, sellerA, "sc_a3")
	require.NoError(t, err)
	assert.Equal(t, []string{"sc_a1"}, ids(in.History))
	assert.Equal(t, []audit.ScorecardFilter{{SellerID: "sl_a", Status: audit.Approved, To: in.Scorecard.Period.End}}, src.filters)

	src = twoSellers()
	in, err = NewBuilder(src).Input(ctx, managerP, "sc_a3")
	require.NoError(t, err)
	assert.Equal(t, []string{"sc_a2", "sc_a1"}, ids(in.History))
	assert.Equal(t, []audit.ScorecardFilter{{SellerID: "sl_a", To: in.Scorecard.Period.End}}, src.filters)

	// The change in score is measured against what the caller may see.
	prev := func(by audit.Principal) string {
		in, err := NewBuilder(twoSellers()).Input(ctx, by, "sc_a3")
		require.NoError(t, err)
		return NewModel(in).Summary.Previous.ScorecardID
	}
	assert.Equal(t, "sc_a1", prev(sellerA))
	assert.Equal(t, "sc_a2", prev(managerP))

	// Twelve at most, the latest.
	src = twoSellers()
	for i := range 20 {
		src.scorecards = append(src.scorecards, card(fmt.Sprintf("sc_old%02d", i), "sl_a", -20+i, audit.Approved, -30+i))
	}
	in, err = NewBuilder(src).Input(ctx, sellerA, "sc_a3")
	require.NoError(t, err)
	assert.Len(t, in.History, 11, "twelve read, the scorecard itself left out")
	assert.NotContains(t, ids(in.History), "sc_old00")
}

// TestBuilderSupersededDraft: staff get the report of a superseded draft, which names the
// scorecard that replaced it.
func TestBuilderSupersededDraft(t *testing.T) {
	in, err := NewBuilder(twoSellers()).Input(context.Background(), managerP, "sc_a3old")
	require.NoError(t, err)
	m := NewModel(in)
	assert.Equal(t, audit.Superseded, m.Status)
	assert.Equal(t, "sc_a3", m.SupersededBy)
}

// TestBuilderEvidence: the records behind failed points become report rows, every display
// string made here; ids without a record, or of no known kind, stay unresolved; the evidence
// of points that did not fail is not read.
func TestBuilderEvidence(t *testing.T) {
	delivered := time.Date(2026, 8, 15, 10, 0, 0, 0, time.UTC)
	closed := time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC)
	src := twoSellers()
	src.devices = map[string]audit.DeviceEvidence{
		"bt_1": {ID: "bt_1", Brand: "Apple", Model: "iPhone 13", IMEI: "356938035643809", Serial: "F2LX",
			At: time.Date(2026, 8, 10, 10, 0, 0, 0, time.UTC), Status: grading.NotSellable, Functional: "F2", Cosmetic: "C"},
		"bt_2": {ID: "bt_2", Model: "Tab S8", Serial: "R52T90ABC", At: time.Date(2026, 8, 11, 0, 0, 0, 0, time.UTC),
			Status: grading.Incomplete, Cosmetic: "B"},
		"bt_3": {ID: "bt_3", Brand: "Apple", Model: "iPhone 12", IMEI: "1", At: time.Date(2026, 8, 12, 0, 0, 0, 0, time.UTC),
			Status: grading.Sellable, Functional: "F0", Cosmetic: "A", Marketplace: grading.Premium},
		"mo_1": {ID: "mo_1", Brand: "Google", Model: "Pixel 7", IMEI: "490154203237518", At: time.Date(2026, 8, 12, 10, 0, 0, 0, time.UTC),
			Status: grading.Sellable, Functional: "F1", Cosmetic: "B", Marketplace: grading.Good, OrderRef: "MO-0001", DeliveredAt: &delivered},
		"mo_2": {ID: "mo_2", Brand: "Google", Model: "Pixel 7", IMEI: "490154203237519", At: time.Date(2026, 8, 13, 0, 0, 0, 0, time.UTC),
			Status: grading.Rejected, Functional: "F1", Cosmetic: "D", OrderRef: "MO-0002"},
	}
	src.months = map[string]audit.KPIMonth{"km_1": {ID: "km_1", SellerID: "sl_a", Month: "2026-08", Orders: 120, ShippedLate: 5,
		ValidTracking: 119, CancelledBeforeShipment: 2, TechnicalReturns30d: 3, DefectiveOrders: 1, MessagesReceived: 30,
		MessagesAnsweredWithin1BD: 29, WarrantyClaims: 2, WarrantyRemediedWithin5BD: 1, WarrantyMonths: 24}}
	src.actions = []audit.CorrectiveAction{
		{ID: "ca_1", SellerID: "sl_a", PointCode: "QC03", Status: audit.ActionPlanSubmitted, DueAt: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "ca_2", SellerID: "sl_a", PointCode: "QC07", Status: audit.ActionClosed, DueAt: time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC), ClosedAt: &closed},
	}
	passed := checklist.PointResult{Code: "QC02", Status: checklist.PointPass, Evidence: []string{"bt_3"}}
	sc := card("sc_e", "sl_a", 3, audit.Approved, 9,
		failed("QC01", "bt_1", "bt_2", "mo_1", "bt_missing", "x_unknown"),
		passed,
		failed("QC13", "mo_2", "mo_1"),
		failed("QC18", "km_1"),
		failed("QC25", "ca_1", "ca_2"))
	src.scorecards = append(src.scorecards, sc)

	in, err := NewBuilder(src).Input(context.Background(), sellerA, "sc_e")
	require.NoError(t, err)
	assert.Equal(t, map[string]Evidence{
		"bt_1": {ID: "bt_1", Kind: EvidenceDevice, Model: "Apple iPhone 13", Identity: "356938035643809",
			Date: time.Date(2026, 8, 10, 10, 0, 0, 0, time.UTC), Grade: "F2 · C · not sellable"},
		"bt_2": {ID: "bt_2", Kind: EvidenceDevice, Model: "Tab S8", Identity: "R52T90ABC",
			Date: time.Date(2026, 8, 11, 0, 0, 0, 0, time.UTC), Grade: "incomplete · B · incomplete"},
		"mo_1": {ID: "mo_1", Kind: EvidenceOrder, Model: "Google Pixel 7", Identity: "490154203237518",
			Date: time.Date(2026, 8, 12, 10, 0, 0, 0, time.UTC), Grade: "F1 · B · good", OrderRef: "MO-0001", DeliveredAt: &delivered},
		"mo_2": {ID: "mo_2", Kind: EvidenceOrder, Model: "Google Pixel 7", Identity: "490154203237519",
			Date: time.Date(2026, 8, 13, 0, 0, 0, 0, time.UTC), Grade: "F1 · D · rejected", OrderRef: "MO-0002"},
		"km_1": {ID: "km_1", Kind: EvidenceKPI, Model: "Month 2026-08", Date: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC),
			Note: "120 orders · 5 shipped late · 2 cancelled · 3 technical returns · 1 defective · 29/30 messages answered in 1 business day · 1/2 claims remedied in 5 business days · 24-month warranty"},
		"ca_1": {ID: "ca_1", Kind: EvidenceAction, Model: "Corrective action QC03", Date: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC),
			Grade: "plan submitted", Note: "due 2026-09-01 · not closed"},
		"ca_2": {ID: "ca_2", Kind: EvidenceAction, Model: "Corrective action QC07", Date: time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC),
			Grade: "closed", Note: "due 2026-09-02 · closed 2026-09-03"},
	}, in.Evidence)
	assert.Equal(t, [][]string{{"bt_1", "bt_2", "bt_missing"}}, src.idCalls["BenchTestEvidence"], "the passed point's bt_3 is not read")
	assert.Equal(t, [][]string{{"mo_1", "mo_2"}}, src.idCalls["MysteryOrderEvidence"], "each id once")

	rows := NewModel(in).Failed[0].Evidence
	require.Len(t, rows, 5)
	assert.Equal(t, EvidenceRow{Evidence: Evidence{ID: "bt_missing"}}, rows[3], "shown as a bare id")
	assert.Equal(t, EvidenceRow{Evidence: Evidence{ID: "x_unknown"}}, rows[4])
}

// TestBuilderReadsAreFixed: a report makes the same reads whatever the size of its evidence —
// one call per kind of record with every id of that kind — and none for a kind it does not
// have.
func TestBuilderReadsAreFixed(t *testing.T) {
	readsFor := func(n int) (*fakeSource, []string) {
		src := twoSellers()
		var bt, mo []string
		for i := range n {
			bt = append(bt, fmt.Sprintf("bt_%04d", i))
			mo = append(mo, fmt.Sprintf("mo_%04d", i))
		}
		src.scorecards = append(src.scorecards, card("sc_n", "sl_a", 3, audit.Approved, 9,
			failed("QC01", bt...), failed("QC02", bt...), failed("QC13", mo...), failed("QC18", "km_1")))
		_, err := NewBuilder(src).Input(context.Background(), sellerA, "sc_n")
		require.NoError(t, err)
		return src, src.calls
	}
	small, few := readsFor(3)
	big, many := readsFor(1500)
	assert.Equal(t, few, many)
	assert.Equal(t, []string{"Scorecard", "Seller", "Scorecards", "BenchTestEvidence", "MysteryOrderEvidence",
		"KPIMonthsByID", "OrderGrades", "DecidedDeviceLots", "CorrectiveActions", "BenchmarkVersion", "BenchmarkValues"}, many,
		"no actions behind the failed points: none read by id")
	assert.Len(t, small.idCalls["BenchTestEvidence"][0], 3)
	assert.Len(t, big.idCalls["BenchTestEvidence"][0], 1500, "ids of two points, each once")
}

// TestBuilderActionsAndOrders: the report gets every corrective action of the seller, across
// pages, and the grades of its period's mystery orders.
func TestBuilderActionsAndOrders(t *testing.T) {
	src := twoSellers()
	src.actionPage = 2
	for i := range 5 {
		src.actions = append(src.actions, audit.CorrectiveAction{ID: fmt.Sprintf("ca_%d", i), SellerID: "sl_a", PointCode: "QC01",
			Status: audit.ActionOpen, DueAt: time.Date(2026, 11, 1+i, 0, 0, 0, 0, time.UTC)})
	}
	src.actions = append(src.actions, audit.CorrectiveAction{ID: "ca_b", SellerID: "sl_b", PointCode: "QC01"})
	src.orders = []audit.OrderGrade{{ID: "mo_1", SellerID: "sl_a", ListedGrade: grading.Good, Status: grading.Sellable, Marketplace: grading.Good},
		{ID: "mo_b", SellerID: "sl_b"}}
	in, err := NewBuilder(src).Input(context.Background(), sellerA, "sc_a3")
	require.NoError(t, err)
	assert.Equal(t, src.actions[:5], in.Actions)
	assert.Equal(t, src.orders[:1], in.Orders)
	assert.Equal(t, 1, NewModel(in).Accuracy.Matched)
}

// TestBuilderSourceErrors: a failing read fails the input, with the source's error.
func TestBuilderSourceErrors(t *testing.T) {
	for _, method := range []string{"Scorecard", "Seller", "Scorecards", "BenchTestEvidence", "OrderGrades", "DecidedDeviceLots", "CorrectiveActions",
		"BenchmarkVersion", "BenchmarkValues"} {
		src := twoSellers()
		src.fail = method
		_, err := NewBuilder(src).Input(context.Background(), managerP, "sc_a3")
		assert.ErrorIs(t, err, errSource, method)
	}
	src := twoSellers()
	src.sellers = nil
	_, err := NewBuilder(src).Input(context.Background(), managerP, "sc_a3")
	assert.ErrorIs(t, err, audit.ErrNotFound, "a scorecard whose seller is missing")
}
