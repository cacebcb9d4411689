package audit

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// TouchEvery bounds how often a key's last use is written: at most once a minute per key and
// process, so that reads stay reads (a key used a thousand times a minute costs one write).
const TouchEvery = time.Minute

// maxKeyNameLen is the most characters of a key's name.
const maxKeyNameLen = 200

// Principal returns the caller that k authenticates.
func (k Key) Principal() Principal {
	return Principal{KeyID: k.ID, Role: k.Role, SellerID: k.SellerID}
}

// CreateKey creates an API key and returns it with its token, which is shown this once and
// never again (only a hash of it is stored). The rules of api.md: a known role; a seller key
// names an existing seller (ErrNotFound otherwise, naming the seller) and a key of another
// role names none; an expiry, when given, lies in the future; a name of 1 to 200 characters
// on one line. Every broken rule is a field of one *ValidationError. Admin only.
func (s *Service) CreateKey(ctx context.Context, by Principal, in Key) (Key, string, error) {
	if err := mayManageKeys(by); err != nil {
		return Key{}, "", err
	}
	var errs fieldErrors
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		errs.add("name", "is required")
	case utf8.RuneCountInString(in.Name) > maxKeyNameLen:
		errs.add("name", "must be at most %d characters", maxKeyNameLen)
	case TextProblem(in.Name, false) != "":
		errs.add("name", "%s", TextProblem(in.Name, false))
	}
	switch {
	case !in.Role.Valid():
		errs.add("role", "must be admin, manager, technician or seller")
	case in.Role == RoleSeller && in.SellerID == "":
		errs.add("seller_id", "is required for the seller role")
	case in.Role != RoleSeller && in.SellerID != "":
		errs.add("seller_id", "is only for the seller role")
	}
	if in.ExpiresAt != nil {
		if !in.ExpiresAt.After(s.now()) {
			errs.add("expires_at", "must be in the future")
		}
		t := in.ExpiresAt.UTC()
		in.ExpiresAt = &t
	}
	if err := Invalid(errs.sorted()); err != nil {
		return Key{}, "", err
	}
	if in.SellerID != "" {
		if _, err := s.store.Seller(ctx, in.SellerID); err != nil {
			return Key{}, "", err
		}
	}
	return s.store.CreateKey(ctx, by, in)
}

// Keys lists every key, without tokens, in creation order. Admin only.
func (s *Service) Keys(ctx context.Context, by Principal, p Page) ([]Key, string, error) {
	if err := mayManageKeys(by); err != nil {
		return nil, "", err
	}
	return s.store.Keys(ctx, p)
}

// RevokeKey revokes a key: its token is refused from the next request on, on every instance
// sharing the database. Revoking a revoked key is a no-op; an unknown key is ErrNotFound.
// Admin only.
func (s *Service) RevokeKey(ctx context.Context, by Principal, id string) error {
	if err := mayManageKeys(by); err != nil {
		return err
	}
	return s.store.RevokeKey(ctx, by, id)
}

// mayManageKeys refuses every caller but an admin: keys grant every role, so only an admin
// hands them out or takes them back, whichever adapter asks.
func mayManageKeys(by Principal) error {
	if by.Role != RoleAdmin {
		return fmt.Errorf("only an admin manages API keys: %w", ErrForbidden)
	}
	return nil
}

// Authenticate returns the live key of a bearer token (its Principal is the caller). An
// unknown, revoked or expired token is ErrUnauthorized. The key is read afresh on every call,
// never cached, so that a revocation holds from the very next request. Callers that serve the
// request then call TouchKey.
func (s *Service) Authenticate(ctx context.Context, token string) (Key, error) {
	return s.store.Authenticate(ctx, token)
}

// TouchKey records that key, just authenticated, is in use now: its last use is written when
// TouchEvery has passed since the last write this process made for it, or since the last use
// the key carries when this process has made none. An error means the last use was not
// recorded; it must not refuse the request.
func (s *Service) TouchKey(ctx context.Context, key Key) error {
	now := s.now()
	if !s.touched.due(key, now) {
		return nil
	}
	return s.store.TouchKey(ctx, key.ID, now)
}

// touchLog remembers when this process last wrote each key's last use. Its zero value is
// ready for use; it is safe for concurrent use.
type touchLog struct {
	mu   sync.Mutex
	last map[string]time.Time // key id → last write
}

// due reports whether the last use of key should be written at now, and if so notes it as
// written, so that of concurrent requests one writes.
func (l *touchLog) due(key Key, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	last, seen := l.last[key.ID]
	if !seen && key.LastUsedAt != nil {
		last = *key.LastUsedAt
	}
	if now.Sub(last) < TouchEvery {
		return false
	}
	if l.last == nil {
		l.last = map[string]time.Time{}
	}
	l.last[key.ID] = now
	return true
}
