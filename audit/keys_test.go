package audit

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testAdmin = Principal{KeyID: "key_admin", Role: RoleAdmin}

func TestCreateKeyRules(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	paris := time.FixedZone("Paris", 3600)
	tests := []struct {
		name   string
		in     Key
		is     error    // the sentinel of a refusal; nil: created
		fields []string // the fields of a *ValidationError
		msg    string
	}{
		{name: "an admin key names no seller", in: Key{Name: "ops", Role: RoleAdmin}},
		{name: "a manager key", in: Key{Name: "qa", Role: RoleManager}},
		{name: "a technician key", in: Key{Name: "bench", Role: RoleTechnician}},
		{name: "a seller key names an existing seller", in: Key{Name: "portal", Role: RoleSeller, SellerID: "sl_1"}},
		{name: "an unknown role", in: Key{Name: "x", Role: "root"}, is: ErrInvalid, fields: []string{"role"}},
		{name: "no role", in: Key{Name: "x"}, is: ErrInvalid, fields: []string{"role"}},
		{name: "a seller key without seller", in: Key{Name: "x", Role: RoleSeller}, is: ErrInvalid, fields: []string{"seller_id"}},
		{name: "another role naming a seller", in: Key{Name: "x", Role: RoleManager, SellerID: "sl_1"}, is: ErrInvalid, fields: []string{"seller_id"}},
		{name: "no name", in: Key{Name: "  ", Role: RoleManager}, is: ErrInvalid, fields: []string{"name"}},
		{name: "a name of 200 characters", in: Key{Name: strings.Repeat("é", 200), Role: RoleManager}},
		{name: "a name of 201 characters", in: Key{Name: strings.Repeat("é", 201), Role: RoleManager}, is: ErrInvalid, fields: []string{"name"}},
		{name: "a name with a line break", in: Key{Name: "a\nb", Role: RoleManager}, is: ErrInvalid, fields: []string{"name"}},
		{name: "every problem at once", in: Key{Name: "", Role: "root", ExpiresAt: &now}, is: ErrInvalid, fields: []string{"expires_at", "name", "role"}},
		{name: "a seller key of an unknown seller", in: Key{Name: "x", Role: RoleSeller, SellerID: "sl_nope"},
			is: ErrNotFound, msg: "seller sl_nope: not found"},
		{name: "expiring now", in: Key{Name: "x", Role: RoleManager, ExpiresAt: &now}, is: ErrInvalid, fields: []string{"expires_at"}},
		{name: "expired", in: Key{Name: "x", Role: RoleManager, ExpiresAt: ptr(now.Add(-time.Hour))}, is: ErrInvalid, fields: []string{"expires_at"}},
		{name: "expiring a nanosecond from now", in: Key{Name: "x", Role: RoleManager, ExpiresAt: ptr(now.Add(time.Nanosecond))}},
		{name: "expiring in an hour, said in another zone", in: Key{Name: "x", Role: RoleManager, ExpiresAt: ptr(now.Add(time.Hour).In(paris))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newAdminFake(Seller{ID: "sl_1", Name: "One"})
			svc := NewService(ServiceConfig{Store: fake, Now: func() time.Time { return now }})
			key, token, err := svc.CreateKey(ctx, testAdmin, tt.in)
			if tt.is == nil {
				require.NoError(t, err)
				assert.NotEmpty(t, token, "the token is returned once, at creation")
				assert.Equal(t, tt.in.Role, key.Role)
				assert.Equal(t, tt.in.SellerID, key.SellerID)
				if tt.in.ExpiresAt != nil {
					assert.True(t, tt.in.ExpiresAt.Equal(*key.ExpiresAt))
					assert.Equal(t, time.UTC, key.ExpiresAt.Location(), "stored in UTC")
				}
				assert.Equal(t, 1, fake.count("CreateKey"))
				return
			}
			assert.ErrorIs(t, err, tt.is)
			assert.Empty(t, token)
			assert.Zero(t, fake.count("CreateKey"), "a refused key never reaches the store")
			if tt.msg != "" {
				assert.EqualError(t, err, tt.msg)
			}
			if tt.fields != nil {
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.fields, fields(ve.Errors))
			}
		})
	}
}

func TestAuthenticateGivesThePrincipal(t *testing.T) {
	ctx := context.Background()
	fake := newAdminFake(Seller{ID: "sl_1"})
	svc := NewService(ServiceConfig{Store: fake})
	_, token, err := svc.CreateKey(ctx, testAdmin, Key{Name: "portal", Role: RoleSeller, SellerID: "sl_1"})
	require.NoError(t, err)
	key, err := svc.Authenticate(ctx, token)
	require.NoError(t, err)
	assert.Equal(t, Principal{KeyID: key.ID, Role: RoleSeller, SellerID: "sl_1"}, key.Principal())
	_, err = svc.Authenticate(ctx, token+"x")
	assert.ErrorIs(t, err, ErrUnauthorized)
}

// TestTouchKeyAtMostOnceAMinute: a key's last use is written on its first use in a process,
// then again only once a minute has passed since the last write; a last use the key already
// carries (written by another process, or before a restart) counts as a write.
func TestTouchKeyAtMostOnceAMinute(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	now := start
	fake := newAdminFake()
	svc := NewService(ServiceConfig{Store: fake, Now: func() time.Time { return now }})
	fresh := Key{ID: "key_fresh"}
	recent := Key{ID: "key_recent", LastUsedAt: ptr(start.Add(-30 * time.Second))}
	old := Key{ID: "key_old", LastUsedAt: ptr(start.Add(-time.Minute))}

	steps := []struct {
		after time.Duration // since start
		key   Key
		write bool
	}{
		{0, fresh, true},  // never used: written at once
		{0, fresh, false}, // the same instant
		{59 * time.Second, fresh, false},
		{time.Minute - time.Nanosecond, fresh, false},
		{time.Minute, fresh, true}, // a minute since the last write
		{time.Minute + time.Second, fresh, false},
		{0, recent, false}, // used 30 s ago, by the key's own record
		{29 * time.Second, recent, false},
		{30 * time.Second, recent, true},
		{0, old, true}, // used a minute ago: due
		{2 * time.Minute, fresh, true},
	}
	var want []keyTouch
	for i, st := range steps {
		now = start.Add(st.after)
		require.NoError(t, svc.TouchKey(ctx, st.key), "step %d", i)
		if st.write {
			want = append(want, keyTouch{st.key.ID, now})
		}
		assert.Equal(t, want, fake.touches, "step %d: %s at +%s", i, st.key.ID, st.after)
	}
}

// TestTouchKeyOnceUnderConcurrency: of many requests of one key at one instant, one writes.
func TestTouchKeyOnceUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	fake := newAdminFake()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	svc := NewService(ServiceConfig{Store: fake, Now: func() time.Time { return now }})
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, svc.TouchKey(ctx, Key{ID: "key_busy"}))
		}()
	}
	wg.Wait()
	assert.Len(t, fake.touches, 1)
}

// TestTouchKeyReportsAFailedWrite: the caller learns that the last use was not recorded (to log
// it), and the next write waits its minute as after a success, so that a failing database is
// not asked on every request.
func TestTouchKeyReportsAFailedWrite(t *testing.T) {
	ctx := context.Background()
	fake := newAdminFake()
	fake.touchErr = errors.New("disk full")
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	svc := NewService(ServiceConfig{Store: fake, Now: func() time.Time { return now }})
	assert.EqualError(t, svc.TouchKey(ctx, Key{ID: "key_1"}), "disk full")
	now = now.Add(time.Second)
	assert.NoError(t, svc.TouchKey(ctx, Key{ID: "key_1"}))
	assert.Len(t, fake.touches, 1)
}

func TestKeysAdminOnly(t *testing.T) {
	ctx := context.Background()
	for _, by := range []Principal{{KeyID: "k", Role: RoleManager}, {KeyID: "k", Role: RoleTechnician}, {KeyID: "k", Role: RoleSeller, SellerID: "sl_1"}} {
		t.Run(string(by.Role), func(t *testing.T) {
			fake := newAdminFake(Seller{ID: "sl_1", Name: "One"})
			svc := NewService(ServiceConfig{Store: fake})
			_, _, err := svc.CreateKey(ctx, by, Key{Name: "x", Role: RoleAdmin})
			assert.ErrorIs(t, err, ErrForbidden)
			_, _, err = svc.Keys(ctx, by, Page{})
			assert.ErrorIs(t, err, ErrForbidden)
			assert.ErrorIs(t, svc.RevokeKey(ctx, by, "key_1"), ErrForbidden)
			assert.Zero(t, fake.count("CreateKey"), "nothing reaches the store (the fake has no Keys nor RevokeKey: a call would panic)")
		})
	}
}
