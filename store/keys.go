package store

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
)

// TokenPrefix starts every API token, so that leaked tokens are easy to recognise and scan for.
const TokenPrefix = "rfq_"

type keyRow struct {
	ID         string     `gorm:"column:id;primaryKey"`
	Name       string     `gorm:"column:name"`
	Role       string     `gorm:"column:role"`
	SellerID   *string    `gorm:"column:seller_id"`
	TokenHash  []byte     `gorm:"column:token_hash"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	ExpiresAt  *time.Time `gorm:"column:expires_at"`
	LastUsedAt *time.Time `gorm:"column:last_used_at"`
	RevokedAt  *time.Time `gorm:"column:revoked_at"`
}

func (keyRow) TableName() string { return "api_keys" }

func (r keyRow) domain() audit.Key {
	k := audit.Key{ID: r.ID, Name: r.Name, Role: audit.Role(r.Role), CreatedAt: r.CreatedAt.UTC(),
		ExpiresAt: utcPtr(r.ExpiresAt), LastUsedAt: utcPtr(r.LastUsedAt), RevokedAt: utcPtr(r.RevokedAt)}
	if r.SellerID != nil {
		k.SellerID = *r.SellerID
	}
	return k
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func newToken(r io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// CreateKey creates an API key, whose role and seller the service checked, and returns it with
// its token, which is never stored: only its SHA-256 hash is (tokens carry 256 random bits, so a
// fast hash is enough). The schema refuses a seller id that names no seller, and a seller id on
// a key of another role than seller or none on a seller key.
func (s *Store) CreateKey(ctx context.Context, by audit.Principal, in audit.Key) (audit.Key, string, error) {
	token, err := newToken(s.random)
	if err != nil {
		return audit.Key{}, "", fmt.Errorf("token: %w", err)
	}
	row := keyRow{ID: s.newID("key"), Name: in.Name, Role: string(in.Role), SellerID: optional(in.SellerID),
		TokenHash: hashToken(token), CreatedAt: s.now(), ExpiresAt: in.ExpiresAt}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "key")
		}
		return s.record(tx, by, "create", "api_key", row.ID)
	})
	if err != nil {
		return audit.Key{}, "", err
	}
	return row.domain(), token, nil
}

// Authenticate finds the live key of a token. An unknown, revoked or expired token is
// audit.ErrUnauthorized. The hash is looked up by index and then compared in constant time.
//
// It runs on every authenticated request, so it skips GORM's query building and runs one
// prepared statement on the read pool. The row is read afresh every time (no cache), so a
// revoked key is refused on its very next request on every instance sharing the database.
func (s *Store) Authenticate(ctx context.Context, token string) (audit.Key, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 128 {
		return audit.Key{}, audit.ErrUnauthorized
	}
	h := hashToken(token)
	stmt, err := s.prepared(ctx, authQuery)
	if err != nil {
		return audit.Key{}, translate(err, "key")
	}
	var (
		row                        keyRow
		seller                     sql.NullString
		expires, lastUsed, revoked sql.NullTime
	)
	qctx := ctx
	if s.driver == SQLite {
		// A point read of the unique token index on a WAL reader never waits for a lock and
		// ends in microseconds: without the request's cancellation the driver binds and steps
		// the statement in one call and arms no interrupt, which is a tenth of an
		// authenticated read's cost. PostgreSQL keeps the request's deadline: its network
		// can stall.
		qctx = context.WithoutCancel(ctx)
	}
	err = stmt.QueryRowContext(qctx, h).Scan(&row.ID, &row.Name, &row.Role, &seller, &row.TokenHash,
		&row.CreatedAt, &expires, &lastUsed, &revoked)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return audit.Key{}, audit.ErrUnauthorized
		}
		return audit.Key{}, translate(err, "key")
	}
	if subtle.ConstantTimeCompare(row.TokenHash, h) != 1 {
		return audit.Key{}, audit.ErrUnauthorized
	}
	if seller.Valid {
		row.SellerID = &seller.String
	}
	row.ExpiresAt, row.LastUsedAt, row.RevokedAt = nullTime(expires), nullTime(lastUsed), nullTime(revoked)
	now := s.now()
	if row.RevokedAt != nil || (row.ExpiresAt != nil && !now.Before(*row.ExpiresAt)) {
		return audit.Key{}, audit.ErrUnauthorized
	}
	return row.domain(), nil
}

// authQuery reads the key of a token hash (the one parameter).
var authQuery = preparedQuery{name: "authenticate",
	sql: "SELECT id, name, role, seller_id, token_hash, created_at, expires_at, last_used_at, revoked_at " +
		"FROM api_keys WHERE token_hash = ?"}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

// TouchKey records when a key was last used.
func (s *Store) TouchKey(ctx context.Context, id string, at time.Time) error {
	release := s.turn.wait(ctx)
	defer release()
	return translate(s.write.WithContext(ctx).Model(&keyRow{}).Where("id = ?", id).
		Update("last_used_at", at).Error, "key "+id)
}

// RevokeKey revokes a key; its token is refused from the next request on. Revoking a revoked
// key is a no-op; an unknown key is audit.ErrNotFound.
func (s *Store) RevokeKey(ctx context.Context, by audit.Principal, id string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var row keyRow
		if err := tx.Take(&row, "id = ?", id).Error; err != nil {
			return translate(err, "key "+id)
		}
		if row.RevokedAt != nil {
			return nil
		}
		if err := tx.Model(&keyRow{}).Where("id = ?", id).Update("revoked_at", s.now()).Error; err != nil {
			return translate(err, "key "+id)
		}
		return s.record(tx, by, "revoke", "api_key", id)
	})
}

// Keys lists every key (without tokens), in creation order.
func (s *Store) Keys(ctx context.Context, p Page) ([]audit.Key, string, error) {
	var rows []keyRow
	next, err := applyPage(p, s.read.WithContext(ctx).Model(&keyRow{}), &rows, false)
	if err != nil {
		return nil, "", translate(err, "keys")
	}
	out := make([]audit.Key, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}
