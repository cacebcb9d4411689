package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
)

// userRow is a row of users; its password hash is read by UserByEmail alone.
type userRow struct {
	ID           string     `gorm:"column:id;primaryKey"`
	Email        string     `gorm:"column:email"`
	Name         string     `gorm:"column:name"`
	Role         string     `gorm:"column:role"`
	SellerID     *string    `gorm:"column:seller_id"`
	PasswordHash string     `gorm:"column:password_hash"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
	DisabledAt   *time.Time `gorm:"column:disabled_at"`
}

func (userRow) TableName() string { return "users" }

func (r userRow) domain() audit.User {
	u := audit.User{ID: r.ID, Email: r.Email, Name: r.Name, Role: audit.Role(r.Role),
		CreatedAt: r.CreatedAt.UTC(), DisabledAt: utcPtr(r.DisabledAt), Disabled: r.DisabledAt != nil}
	if r.SellerID != nil {
		u.SellerID = *r.SellerID
	}
	return u
}

// CreateUser stores a user, whose rules the service checked, with its password hash. A taken
// email is audit.ErrConflict; the schema refuses a seller id that names no seller, and a role
// and seller that disagree.
func (s *Store) CreateUser(ctx context.Context, by audit.Principal, in audit.User, passwordHash []byte) (audit.User, error) {
	row := userRow{ID: s.newID("usr"), Email: in.Email, Name: in.Name, Role: string(in.Role),
		SellerID: optional(in.SellerID), PasswordHash: string(passwordHash), CreatedAt: s.now()}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "user "+in.Email)
		}
		return s.record(tx, by, "create", "user", row.ID)
	})
	if err != nil {
		return audit.User{}, err
	}
	return row.domain(), nil
}

// User returns the user of an id, or audit.ErrNotFound.
func (s *Store) User(ctx context.Context, id string) (audit.User, error) {
	var row userRow
	if err := s.read.WithContext(ctx).Take(&row, "id = ?", id).Error; err != nil {
		return audit.User{}, translate(err, "user "+id)
	}
	return row.domain(), nil
}

// UserByEmail returns the user of a normalised email with its password hash, or
// audit.ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (audit.User, []byte, error) {
	var row userRow
	if err := s.read.WithContext(ctx).Take(&row, "email = ?", email).Error; err != nil {
		return audit.User{}, nil, translate(err, "user "+email)
	}
	return row.domain(), []byte(row.PasswordHash), nil
}

// Users lists every user in creation order.
func (s *Store) Users(ctx context.Context, p Page) ([]audit.User, string, error) {
	var rows []userRow
	next, err := applyPage(p, s.read.WithContext(ctx).Model(&userRow{}), &rows, false)
	if err != nil {
		return nil, "", translate(err, "users")
	}
	out := make([]audit.User, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

// DisableUser disables user id and returns it. Disabling a disabled user is a no-op (no
// event); an unknown user is audit.ErrNotFound.
func (s *Store) DisableUser(ctx context.Context, by audit.Principal, id string) (audit.User, error) {
	var row userRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&row, "id = ?", id).Error; err != nil {
			return translate(err, "user "+id)
		}
		if row.DisabledAt != nil {
			return nil
		}
		now := s.now()
		if err := tx.Model(&userRow{}).Where("id = ?", id).Update("disabled_at", now).Error; err != nil {
			return translate(err, "user "+id)
		}
		row.DisabledAt = &now
		return s.record(tx, by, "disable", "user", id)
	})
	if err != nil {
		return audit.User{}, err
	}
	return row.domain(), nil
}

// SetPasswordHash replaces the password hash of user id; an unknown user is
// audit.ErrNotFound.
func (s *Store) SetPasswordHash(ctx context.Context, by audit.Principal, id string, hash []byte) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("id = ?", id).Update("password_hash", string(hash))
		if res.Error != nil {
			return translate(res.Error, "user "+id)
		}
		if res.RowsAffected == 0 {
			return translate(gorm.ErrRecordNotFound, "user "+id)
		}
		return s.record(tx, by, "reset_password", "user", id)
	})
}
