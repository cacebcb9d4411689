package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
)

type charterRow struct {
	Version   string    `gorm:"column:version;primaryKey"`
	Document  string    `gorm:"column:document"`
	CreatedAt time.Time `gorm:"column:created_at"`
	CreatedBy string    `gorm:"column:created_by"`
}

func (charterRow) TableName() string { return "charters" }

type activationRow struct {
	ID          string    `gorm:"column:id;primaryKey"`
	Version     string    `gorm:"column:version"`
	ActivatedAt time.Time `gorm:"column:activated_at"`
	ActivatedBy string    `gorm:"column:activated_by"`
}

func (activationRow) TableName() string { return "charter_activations" }

// charterDoc is how a charter is kept in the database: its points as JSON, never updated. It
// is the store's own format, not the API's (checklist.Document), so that the API may rename a
// field without a data migration; the version is the row's key, not part of the document.
type charterDoc struct {
	Points []charterPointDoc `json:"points"`
}

type charterPointDoc struct {
	Code         string `json:"code"`
	Title        string `json:"title"`
	Area         string `json:"area"`
	Severity     string `json:"severity"`
	Weight       int    `json:"weight"`
	Rule         string `json:"rule"`
	Metric       string `json:"metric"`
	SampleMetric string `json:"sample_metric"`
	MinSamples   int    `json:"min_samples"`
}

// CharterVersion is audit.CharterVersion.
type CharterVersion = audit.CharterVersion

func encodeCharter(c checklist.Charter) (string, error) {
	doc := charterDoc{Points: make([]charterPointDoc, len(c.Points))}
	for i, p := range c.Points {
		doc.Points[i] = charterPointDoc{Code: p.Code, Title: p.Title, Area: p.Area, Severity: string(p.Severity),
			Weight: p.Weight, Rule: p.Rule, Metric: p.Metric, SampleMetric: p.SampleMetric, MinSamples: p.MinSamples}
	}
	b, err := json.Marshal(doc)
	return string(b), err
}

func (r charterRow) domain() (checklist.Charter, error) {
	var doc charterDoc
	if err := json.Unmarshal([]byte(r.Document), &doc); err != nil {
		return checklist.Charter{}, fmt.Errorf("charter %s: stored document: %w", r.Version, err)
	}
	c := checklist.Charter{Version: r.Version, Points: make([]checklist.Point, len(doc.Points))}
	for i, p := range doc.Points {
		c.Points[i] = checklist.Point{Code: p.Code, Title: p.Title, Area: p.Area, Severity: checklist.Severity(p.Severity),
			Weight: p.Weight, Rule: p.Rule, Metric: p.Metric, SampleMetric: p.SampleMetric, MinSamples: p.MinSamples}
	}
	return c, nil
}

// PublishCharter stores a new charter version, which must already have compiled; versions are
// unique (audit.ErrConflict on a repeat) and immutable. With activate it becomes the active one.
func (s *Store) PublishCharter(ctx context.Context, by audit.Principal, c checklist.Charter, activate bool) error {
	doc, err := encodeCharter(c)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		row := charterRow{Version: c.Version, Document: doc, CreatedAt: s.now(), CreatedBy: by.KeyID}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "charter "+c.Version)
		}
		if err := s.record(tx, by, "publish", "charter", c.Version); err != nil {
			return err
		}
		if !activate {
			return nil
		}
		return s.activate(tx, by, c.Version)
	})
}

func (s *Store) activate(tx *gorm.DB, by audit.Principal, version string) error {
	a := activationRow{ID: s.newID("act"), Version: version, ActivatedAt: s.now(), ActivatedBy: by.KeyID}
	if err := tx.Create(&a).Error; err != nil {
		return translate(err, "charter "+version)
	}
	return s.record(tx, by, "activate", "charter", version)
}

// EnsureDefaultCharter publishes and activates c when the database has no charter at all, so
// that a fresh installation can audit at once. It is a no-op otherwise.
func (s *Store) EnsureDefaultCharter(ctx context.Context, by audit.Principal, c checklist.Charter) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&charterRow{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		doc, err := encodeCharter(c)
		if err != nil {
			return err
		}
		row := charterRow{Version: c.Version, Document: doc, CreatedAt: s.now(), CreatedBy: by.KeyID}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := s.record(tx, by, "publish", "charter", c.Version); err != nil {
			return err
		}
		return s.activate(tx, by, c.Version)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil // another instance published it first
	}
	return translate(err, "default charter")
}

func (s *Store) activeVersion(db *gorm.DB) (string, error) {
	var a activationRow
	err := db.Order("activated_at DESC, id DESC").Take(&a).Error
	if err != nil {
		return "", translate(err, "active charter")
	}
	return a.Version, nil
}

// Charter returns one published version.
func (s *Store) Charter(ctx context.Context, version string) (CharterVersion, error) {
	db := s.read.WithContext(ctx)
	var row charterRow
	if err := db.Take(&row, "version = ?", version).Error; err != nil {
		return CharterVersion{}, translate(err, "charter "+version)
	}
	active, err := s.activeVersion(db)
	if err != nil && !errors.Is(err, audit.ErrNotFound) {
		return CharterVersion{}, err
	}
	c, err := row.domain()
	if err != nil {
		return CharterVersion{}, err
	}
	return CharterVersion{Charter: c, Active: active == version, CreatedAt: row.CreatedAt.UTC(), CreatedBy: row.CreatedBy}, nil
}

// ActiveCharter returns the charter audits use when none is named.
func (s *Store) ActiveCharter(ctx context.Context) (CharterVersion, error) {
	v, err := s.activeVersion(s.read.WithContext(ctx))
	if err != nil {
		return CharterVersion{}, err
	}
	return s.Charter(ctx, v)
}

// Charters returns one page of the published versions, oldest first. Versions are few (a
// handful a year), so every one is read and the page cut here; the cursor is the position of
// the next item.
func (s *Store) Charters(ctx context.Context, p Page) ([]CharterVersion, string, error) {
	from := 0
	if p.Cursor != "" {
		pos, err := DecodeCursor(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		if from, err = strconv.Atoi(pos); err != nil || from < 0 {
			return nil, "", audit.BadCursor()
		}
	}
	db := s.read.WithContext(ctx)
	var rows []charterRow
	if err := db.Order("created_at, version").Find(&rows).Error; err != nil {
		return nil, "", translate(err, "charters")
	}
	active, err := s.activeVersion(db)
	if err != nil && !errors.Is(err, audit.ErrNotFound) {
		return nil, "", err
	}
	from = min(from, len(rows))
	to := min(from+pageLimit(p), len(rows))
	out := make([]CharterVersion, 0, to-from)
	for _, r := range rows[from:to] {
		c, err := r.domain()
		if err != nil {
			return nil, "", err
		}
		out = append(out, CharterVersion{Charter: c, Active: r.Version == active, CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy})
	}
	next := ""
	if to < len(rows) {
		next = EncodeCursor(strconv.Itoa(to))
	}
	return out, next, nil
}
