package audit

import (
	"context"
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// workStore is a fake of the two lists behind recent work, holding records in creation order
// and answering the technician filter, newest first and cursors as the store does.
type workStore struct {
	Store
	bench  []BenchTestRecord
	orders []MysteryOrderRecord
}

// newestPage is one page of items newest first after the cursor's id, as the store's paging does.
func newestPage[T any](items []T, id func(T) string, keep func(T) bool, p Page) ([]T, string, error) {
	after, err := DecodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	var out []T
	for k := len(items) - 1; k >= 0; k-- {
		if keep(items[k]) && (after == "" || id(items[k]) < after) {
			out = append(out, items[k])
		}
	}
	if len(out) <= p.Limit {
		return out, "", nil
	}
	return out[:p.Limit], EncodeCursor(id(out[p.Limit-1])), nil
}

func (f *workStore) BenchTests(_ context.Context, flt BenchTestFilter, p Page) ([]BenchTestRecord, string, error) {
	if !flt.NewestFirst || flt.TechnicianKeyID == "" {
		panic("recent work lists one technician's newest first")
	}
	return newestPage(f.bench, func(r BenchTestRecord) string { return r.ID },
		func(r BenchTestRecord) bool { return r.TechnicianKeyID == flt.TechnicianKeyID }, p)
}

func (f *workStore) MysteryOrders(_ context.Context, flt MysteryOrderFilter, p Page) ([]MysteryOrderRecord, string, error) {
	if !flt.NewestFirst || flt.TechnicianKeyID == "" {
		panic("recent work lists one technician's newest first")
	}
	return newestPage(f.orders, func(r MysteryOrderRecord) string { return r.ID },
		func(r MysteryOrderRecord) bool { return r.TechnicianKeyID == flt.TechnicianKeyID }, p)
}

func TestRecentWork(t *testing.T) {
	ctx := context.Background()
	ana := Principal{KeyID: "usr_ana", Role: RoleTechnician}
	bob := Principal{KeyID: "usr_bob", Role: RoleManager}
	st := &workStore{}
	ids := &IDs{Random: rand.Reader}
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var want []string // ana's work, newest first
	// Runs of each kind of several lengths, so that pages end inside runs and across them.
	for i, kind := range []string{"bt", "bt", "mo", "bt", "mo", "mo", "mo", "bt", "bt", "bt", "mo", "bt", "mo"} {
		by := ana
		if i%4 == 3 {
			by = bob
		}
		id, err := ids.New(kind, at.Add(time.Duration(i)*time.Minute))
		require.NoError(t, err)
		if kind == PrefixBenchTest {
			st.bench = append(st.bench, BenchTestRecord{BenchTest: BenchTest{ID: id, TechnicianKeyID: by.KeyID, ExternalID: "LAB-" + id}})
		} else {
			st.orders = append(st.orders, MysteryOrderRecord{MysteryOrder: MysteryOrder{ID: id, TechnicianKeyID: by.KeyID, OrderRef: "MO-" + id}})
		}
		if by == ana {
			want = append(want, id)
		}
	}
	slices.Reverse(want)
	svc := NewService(ServiceConfig{Store: st, Protocols: testProtocols(), Now: time.Now})

	walk := func(by Principal, limit int) []Work {
		var all []Work
		p := Page{Limit: limit}
		for range 100 {
			page, next, err := svc.RecentWork(ctx, by, p)
			require.NoError(t, err)
			require.LessOrEqual(t, len(page), limit)
			all = append(all, page...)
			if next == "" {
				return all
			}
			require.NotEmpty(t, page, "a page with a next page holds something")
			p.Cursor = next
		}
		t.Fatal("the pages never end")
		return nil
	}
	for _, limit := range []int{1, 2, 3, 4, 5, 9, 10, 50} {
		var got []string
		for _, w := range walk(ana, limit) {
			got = append(got, w.ID)
			switch w.Kind {
			case WorkBenchTest:
				assert.Equal(t, "LAB-"+w.ID, w.Ref)
			case WorkMysteryOrder:
				assert.Equal(t, "MO-"+w.ID, w.Ref)
			default:
				t.Errorf("kind %q", w.Kind)
			}
		}
		assert.Equal(t, want, got, "limit %d: ana's own work, both kinds, newest first, no repeat, no gap", limit)
	}
	assert.Len(t, walk(bob, 2), 3, "bob's own three")
	assert.Empty(t, walk(Principal{KeyID: "usr_new", Role: RoleTechnician}, 5))

	// A last page exactly full says there is no next one.
	page, next, err := svc.RecentWork(ctx, ana, Page{Limit: len(want)})
	require.NoError(t, err)
	assert.Len(t, page, len(want))
	assert.Empty(t, next)
	page, next, err = svc.RecentWork(ctx, ana, Page{Limit: len(want) - 1})
	require.NoError(t, err)
	assert.Len(t, page, len(want)-1)
	assert.Equal(t, EncodeCursor(want[len(want)-2]), next)

	_, _, err = svc.RecentWork(ctx, Principal{KeyID: "usr_s", Role: RoleSeller, SellerID: "sl_1"}, Page{})
	assert.ErrorIs(t, err, ErrForbidden, "sellers record no bench work")
	for _, bad := range []string{"%%", EncodeCursor("sc_0123"), EncodeCursor("bt"), EncodeCursor("bt_")} {
		_, _, err = svc.RecentWork(ctx, ana, Page{Cursor: bad})
		assert.ErrorIs(t, err, ErrInvalid, "cursor %q", bad)
	}
}
