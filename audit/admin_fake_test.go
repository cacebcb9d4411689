package audit

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/refurbqa/refurbqa/checklist"
)

// adminFake is an in-memory fake of the ports that the administration services use (sellers,
// keys, KPIs, charters), so that their rules are tested without a database. It keeps what it
// is asked to write, and the number of calls of each port, for the tests to check what reached
// the store. The ports it does not implement are those of the embedded Store, nil: calling one
// panics, which says that a service used a port the test did not expect.
type adminFake struct {
	Store

	mu       sync.Mutex
	now      time.Time
	sellers  map[string]Seller
	keys     map[string]Key    // by id
	tokens   map[string]string // token → key id
	touches  []keyTouch
	kpis     []KPIMonth
	charters []CharterVersion
	calls    map[string]int
	touchErr error
}

// keyTouch is one write of a key's last use.
type keyTouch struct {
	id string
	at time.Time
}

func newAdminFake(sellers ...Seller) *adminFake {
	f := &adminFake{
		now:     time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
		sellers: map[string]Seller{}, keys: map[string]Key{}, tokens: map[string]string{}, calls: map[string]int{},
	}
	for _, s := range sellers {
		f.sellers[s.ID] = s
	}
	return f
}

func (f *adminFake) called(port string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[port]++
}

func (f *adminFake) count(port string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[port]
}

func (f *adminFake) Now() time.Time { return f.now }

func (f *adminFake) CreateSeller(_ context.Context, _ Principal, in Seller) (Seller, error) {
	f.called("CreateSeller")
	in.ID = fmt.Sprintf("sl_%d", len(f.sellers)+1)
	f.sellers[in.ID] = in
	return in, nil
}

func (f *adminFake) Seller(_ context.Context, id string) (Seller, error) {
	f.called("Seller")
	s, ok := f.sellers[id]
	if !ok {
		return Seller{}, fmt.Errorf("seller %s: %w", id, ErrNotFound)
	}
	return s, nil
}

func (f *adminFake) Sellers(_ context.Context, p Page) ([]Seller, string, error) {
	f.called("Sellers")
	ids := make([]string, 0, len(f.sellers))
	for id := range f.sellers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]Seller, len(ids))
	for i, id := range ids {
		out[i] = f.sellers[id]
	}
	return out, "next:" + p.Cursor, nil
}

func (f *adminFake) KnownSellers(_ context.Context, ids []string) (map[string]bool, error) {
	f.called("KnownSellers")
	out := map[string]bool{}
	for _, id := range ids {
		if _, ok := f.sellers[id]; ok {
			out[id] = true
		}
	}
	return out, nil
}

func (f *adminFake) CreateKey(_ context.Context, _ Principal, in Key) (Key, string, error) {
	f.called("CreateKey")
	in.ID = fmt.Sprintf("key_%d", len(f.keys)+1)
	in.CreatedAt = f.now
	token := "rfq_" + in.ID
	f.keys[in.ID], f.tokens[token] = in, in.ID
	return in, token, nil
}

func (f *adminFake) Authenticate(_ context.Context, token string) (Key, error) {
	f.called("Authenticate")
	id, ok := f.tokens[token]
	if !ok {
		return Key{}, ErrUnauthorized
	}
	return f.keys[id], nil
}

func (f *adminFake) TouchKey(_ context.Context, id string, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.touches = append(f.touches, keyTouch{id, at})
	return f.touchErr
}

func (f *adminFake) PutKPIMonth(_ context.Context, _ Principal, k KPIMonth) (KPIMonth, error) {
	f.called("PutKPIMonth")
	f.kpis = append(f.kpis, k)
	return k, nil
}

func (f *adminFake) KPIMonths(_ context.Context, sellerID string, _ Page) ([]KPIMonth, string, error) {
	f.called("KPIMonths")
	var out []KPIMonth
	for _, k := range f.kpis {
		if k.SellerID == sellerID {
			out = append(out, k)
		}
	}
	return out, "", nil
}

func (f *adminFake) ImportKPIMonths(_ context.Context, _ Principal, ks []KPIMonth) error {
	f.called("ImportKPIMonths")
	f.kpis = append(f.kpis, ks...)
	return nil
}

func (f *adminFake) PublishCharter(_ context.Context, _ Principal, c checklist.Charter, activate bool) error {
	f.called("PublishCharter")
	for _, cv := range f.charters {
		if cv.Charter.Version == c.Version {
			return fmt.Errorf("charter %s: %w", c.Version, ErrConflict)
		}
	}
	if activate {
		for i := range f.charters {
			f.charters[i].Active = false
		}
	}
	f.charters = append(f.charters, CharterVersion{Charter: c, Active: activate, CreatedAt: f.now})
	return nil
}

func (f *adminFake) Charter(_ context.Context, version string) (CharterVersion, error) {
	f.called("Charter")
	for _, cv := range f.charters {
		if cv.Charter.Version == version {
			return cv, nil
		}
	}
	return CharterVersion{}, fmt.Errorf("charter %s: %w", version, ErrNotFound)
}
