package store

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
)

type sellerRow struct {
	ID           string    `gorm:"column:id;primaryKey"`
	Name         string    `gorm:"column:name"`
	Country      string    `gorm:"column:country"`
	ContactEmail string    `gorm:"column:contact_email"`
	CreatedAt    time.Time `gorm:"column:created_at"`
}

func (sellerRow) TableName() string { return "sellers" }

func (r sellerRow) domain() audit.Seller {
	return audit.Seller{ID: r.ID, Name: r.Name, Country: r.Country, ContactEmail: r.ContactEmail, CreatedAt: r.CreatedAt.UTC()}
}

// CreateSeller registers a seller; the store assigns its id and creation time.
func (s *Store) CreateSeller(ctx context.Context, by audit.Principal, in audit.Seller) (audit.Seller, error) {
	row := sellerRow{ID: s.newID("sl"), Name: in.Name, Country: in.Country, ContactEmail: in.ContactEmail, CreatedAt: s.now()}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return s.record(tx, by, "create", "seller", row.ID)
	})
	if err != nil {
		return audit.Seller{}, translate(err, "seller")
	}
	return row.domain(), nil
}

// CreateSellers registers many sellers in one transaction (demo data, bulk onboarding).
func (s *Store) CreateSellers(ctx context.Context, by audit.Principal, in []audit.Seller) ([]audit.Seller, error) {
	rows := make([]sellerRow, len(in))
	ids := make([]string, len(in))
	for i, v := range in {
		rows[i] = sellerRow{ID: s.newID("sl"), Name: v.Name, Country: v.Country, ContactEmail: v.ContactEmail, CreatedAt: s.now()}
		ids[i] = rows[i].ID
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(rows, 200).Error; err != nil {
			return err
		}
		return s.record(tx, by, "create", "seller", ids...)
	})
	if err != nil {
		return nil, translate(err, "sellers")
	}
	out := make([]audit.Seller, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// Seller returns one seller.
func (s *Store) Seller(ctx context.Context, id string) (audit.Seller, error) {
	var row sellerRow
	if err := s.read.WithContext(ctx).Take(&row, "id = ?", id).Error; err != nil {
		return audit.Seller{}, translate(err, "seller "+id)
	}
	return row.domain(), nil
}

// Sellers lists sellers in creation order.
func (s *Store) Sellers(ctx context.Context, p Page) ([]audit.Seller, string, error) {
	var rows []sellerRow
	next, err := applyPage(p, s.read.WithContext(ctx).Model(&sellerRow{}), &rows, false)
	if err != nil {
		return nil, "", translate(err, "sellers")
	}
	out := make([]audit.Seller, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

// SellerIDs returns the id of every seller, in creation order.
func (s *Store) SellerIDs(ctx context.Context) ([]string, error) {
	var ids []string
	if err := s.read.WithContext(ctx).Model(&sellerRow{}).Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, translate(err, "sellers")
	}
	return ids, nil
}

// KnownSellers returns which of ids name a seller: one query for any realistic import,
// chunked only beyond idChunk distinct sellers.
func (s *Store) KnownSellers(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	db := s.read.WithContext(ctx)
	for chunk := range slices.Chunk(ids, idChunk) {
		var found []string
		if err := db.Model(&sellerRow{}).Where("id IN ?", chunk).Pluck("id", &found).Error; err != nil {
			return nil, translate(err, "sellers")
		}
		for _, id := range found {
			out[id] = true
		}
	}
	return out, nil
}

// sellerExists reports audit.ErrNotFound for an unknown seller.
func (s *Store) sellerExists(ctx context.Context, db *gorm.DB, id string) error {
	var n int64
	if err := db.WithContext(ctx).Model(&sellerRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return translate(err, "seller "+id)
	}
	if n == 0 {
		return translate(gorm.ErrRecordNotFound, "seller "+id)
	}
	return nil
}
