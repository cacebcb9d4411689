package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
)

type eventRow struct {
	ID       string    `gorm:"column:id;primaryKey"`
	At       time.Time `gorm:"column:at"`
	KeyID    string    `gorm:"column:key_id"`
	Role     string    `gorm:"column:role"`
	Action   string    `gorm:"column:action"`
	Entity   string    `gorm:"column:entity"`
	EntityID string    `gorm:"column:entity_id"`
}

func (eventRow) TableName() string { return "events" }

func (r eventRow) domain() audit.Event {
	return audit.Event{ID: r.ID, At: r.At.UTC(), KeyID: r.KeyID, Role: audit.Role(r.Role),
		Action: r.Action, Entity: r.Entity, EntityID: r.EntityID}
}

// record appends one event to the trail inside the caller's transaction, so that a write and
// the record of it land together or not at all.
func (s *Store) record(tx *gorm.DB, by audit.Principal, action, entity string, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	now := s.now()
	rows := make([]eventRow, len(ids))
	for i, id := range ids {
		rows[i] = eventRow{ID: s.newID("ev"), At: now, KeyID: by.KeyID, Role: string(by.Role),
			Action: action, Entity: entity, EntityID: id}
	}
	return tx.CreateInBatches(rows, 500).Error
}

// EventFilter is audit.EventFilter.
type EventFilter = audit.EventFilter

// Events lists the trail oldest first.
func (s *Store) Events(ctx context.Context, f EventFilter, p Page) ([]audit.Event, string, error) {
	q := s.read.WithContext(ctx).Model(&eventRow{})
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.KeyID != "" {
		q = q.Where("key_id = ?", f.KeyID)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To)
	}
	var rows []eventRow
	next, err := applyPage(p, q, &rows, false)
	if err != nil {
		return nil, "", translate(err, "events")
	}
	out := make([]audit.Event, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}
