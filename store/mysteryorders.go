package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// mysteryOrderRow is one row of mystery_orders: the order as submitted (the inspection in the
// store's own document, and the document as the client sent it), what the team observed on
// delivery, and every figure derived at intake, in columns, so that audits count with SQL what
// was observed then instead of re-deriving it later.
type mysteryOrderRow struct {
	ID              string     `gorm:"column:id;primaryKey"`
	SellerID        string     `gorm:"column:seller_id"`
	OrderRef        string     `gorm:"column:order_ref"`
	OrderedAt       time.Time  `gorm:"column:ordered_at"`
	ShippedAt       *time.Time `gorm:"column:shipped_at"`
	DeliveredAt     *time.Time `gorm:"column:delivered_at"`
	ListedGrade     string     `gorm:"column:listed_grade"`
	TechnicianKeyID string     `gorm:"column:technician_key_id"`
	Supersedes      *string    `gorm:"column:supersedes"`
	// VerificationCode is NULL only in rows stored before migration 12, as for bench tests.
	VerificationCode       *string       `gorm:"column:verification_code"`
	Inspection             string        `gorm:"column:inspection"`
	Submitted              string        `gorm:"column:submitted"`
	PackagingAdequate      bool          `gorm:"column:packaging_adequate"`
	TransitDamage          bool          `gorm:"column:transit_damage"`
	ChargeOnArrivalPct     float64       `gorm:"column:charge_on_arrival_pct"`
	CableIncluded          bool          `gorm:"column:cable_included"`
	ChargerAsListed        bool          `gorm:"column:charger_as_listed"`
	IdentityMatchesListing bool          `gorm:"column:identity_matches_listing"`
	ProbeSentAt            *time.Time    `gorm:"column:probe_sent_at"`
	ProbeAnsweredAt        *time.Time    `gorm:"column:probe_answered_at"`
	Graded                 gradedColumns `gorm:"embedded"`
	GradeMatch             string        `gorm:"column:grade_match"`
	ShippedWithin1BD       bool          `gorm:"column:shipped_within_1bd"`
	PackagingFailure       bool          `gorm:"column:packaging_failure"`
	LowCharge              bool          `gorm:"column:low_charge"`
	AccessoriesOK          bool          `gorm:"column:accessories_ok"`
	ProbeAnsweredInTime    *bool         `gorm:"column:probe_answered_in_time"`
	CreatedAt              time.Time     `gorm:"column:created_at"`
	// SupersededBy is computed on read (mysteryOrderColumns); it is never written.
	SupersededBy *string `gorm:"column:superseded_by;->"`
}

func (mysteryOrderRow) TableName() string { return "mystery_orders" }

// mysteryOrderColumns selects a row with the id of the correction that superseded it, if any.
// Corrections form a chain (a superseded mystery order cannot be corrected again), so there is
// at most one.
const mysteryOrderColumns = "mystery_orders.*, (SELECT c.id FROM mystery_orders c WHERE c.supersedes = mystery_orders.id) AS superseded_by"

// MysteryOrderRecord is audit.MysteryOrderRecord.
type MysteryOrderRecord = audit.MysteryOrderRecord

// microUTC keeps an instant in UTC to the microsecond, which both databases hold exactly, so
// that what is answered at creation is what is read back later.
func microUTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func microUTCPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := microUTC(*t)
	return &u
}

// newMysteryOrderRow builds the row of a validated, derived mystery order. The store assigns
// its id, its creation time and its technician (the key that submitted it), and a
// verification code when it comes without one.
func (s *Store) newMysteryOrderRow(by audit.Principal, mo audit.MysteryOrder) (mysteryOrderRow, error) {
	in, g, l := mo.Inspection, mo.Grade, mo.Logistics
	doc, err := encodeInspection(in)
	if err != nil {
		return mysteryOrderRow{}, fmt.Errorf("mystery order: %w: %w", err, audit.ErrInvalid)
	}
	code, err := s.verificationCode(mo.VerificationCode)
	if err != nil {
		return mysteryOrderRow{}, err
	}
	row := mysteryOrderRow{
		VerificationCode:       &code,
		ID:                     s.newID(audit.PrefixMysteryOrder),
		SellerID:               mo.SellerID,
		OrderRef:               mo.OrderRef,
		OrderedAt:              microUTC(mo.OrderedAt),
		ShippedAt:              microUTCPtr(mo.ShippedAt),
		DeliveredAt:            microUTCPtr(mo.DeliveredAt),
		ListedGrade:            string(mo.ListedGrade),
		TechnicianKeyID:        by.KeyID,
		Supersedes:             optional(mo.Supersedes),
		Inspection:             doc,
		Submitted:              string(mo.Submitted),
		PackagingAdequate:      l.PackagingAdequate,
		TransitDamage:          l.TransitDamage,
		ChargeOnArrivalPct:     l.ChargeOnArrivalPct,
		CableIncluded:          l.CableIncluded,
		ChargerAsListed:        l.ChargerAsListed,
		IdentityMatchesListing: mo.IdentityMatchesListing,
		Graded:                 newGradedColumns(in, g),
		GradeMatch:             string(mo.GradeMatch),
		ShippedWithin1BD:       mo.ShippedWithinOneBusinessDay,
		PackagingFailure:       mo.PackagingFailure,
		LowCharge:              mo.LowCharge,
		AccessoriesOK:          mo.AccessoriesOK,
		ProbeAnsweredInTime:    mo.ProbeAnsweredInTime,
		CreatedAt:              microUTC(s.now()),
	}
	if sp := mo.ServiceProbe; sp != nil {
		sent := microUTC(sp.QuestionSentAt)
		row.ProbeSentAt = &sent
		row.ProbeAnsweredAt = microUTCPtr(sp.AnsweredAt)
	}
	return row, nil
}

func (r mysteryOrderRow) record() (MysteryOrderRecord, error) {
	what := "mystery order " + r.ID
	g, err := r.Graded.grade(what)
	if err != nil {
		return MysteryOrderRecord{}, err
	}
	in, err := decodeInspection(r.Inspection)
	if err != nil {
		return MysteryOrderRecord{}, fmt.Errorf("%s: stored inspection: %w", what, err)
	}
	mo := audit.MysteryOrder{
		ID: r.ID, SellerID: r.SellerID, OrderRef: r.OrderRef, OrderedAt: r.OrderedAt.UTC(),
		ShippedAt: utcPtr(r.ShippedAt), DeliveredAt: utcPtr(r.DeliveredAt),
		ListedGrade: grading.Marketplace(r.ListedGrade), Inspection: in, Submitted: submitted(r.Submitted),
		Logistics: audit.Logistics{PackagingAdequate: r.PackagingAdequate, TransitDamage: r.TransitDamage,
			ChargeOnArrivalPct: r.ChargeOnArrivalPct, CableIncluded: r.CableIncluded, ChargerAsListed: r.ChargerAsListed},
		IdentityMatchesListing: r.IdentityMatchesListing,
		TechnicianKeyID:        r.TechnicianKeyID, Supersedes: deref(r.Supersedes), VerificationCode: deref(r.VerificationCode),
		Grade: g, GradeMatch: grading.Match(r.GradeMatch),
		ShippedWithinOneBusinessDay: r.ShippedWithin1BD, PackagingFailure: r.PackagingFailure,
		LowCharge: r.LowCharge, AccessoriesOK: r.AccessoriesOK, ProbeAnsweredInTime: r.ProbeAnsweredInTime,
		CreatedAt: r.CreatedAt.UTC(),
	}
	if r.ProbeSentAt != nil {
		mo.ServiceProbe = &audit.ServiceProbe{QuestionSentAt: r.ProbeSentAt.UTC(), AnsweredAt: utcPtr(r.ProbeAnsweredAt)}
	}
	return MysteryOrderRecord{MysteryOrder: mo, SupersededBy: deref(r.SupersededBy)}, nil
}

// CreateMysteryOrder stores a validated mystery order whose derived fields have been computed
// (audit.DeriveMysteryOrder), and records the event in the same transaction. An unknown seller
// is audit.ErrNotFound; an order_ref the seller already used is audit.ErrConflict (the unique
// index mystery_orders_ref decides, so that two racing submissions cannot both win).
func (s *Store) CreateMysteryOrder(ctx context.Context, by audit.Principal, mo audit.MysteryOrder) (MysteryOrderRecord, error) {
	mo.Supersedes = ""
	row, err := s.newMysteryOrderRow(by, mo)
	if err != nil {
		return MysteryOrderRecord{}, err
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.sellerExists(ctx, tx, mo.SellerID); err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, fmt.Sprintf("mystery order %q of seller %s", mo.OrderRef, mo.SellerID))
		}
		return s.record(tx, by, "create", "mystery_order", row.ID)
	})
	if err != nil {
		return MysteryOrderRecord{}, err
	}
	return row.record()
}

// CorrectMysteryOrder stores mo as a correction of the mystery order oldID: a new record whose
// Supersedes names the old one, which stays as it was. Corrections form a chain: a mystery
// order that was already corrected, even by a correction stored a moment before by a
// concurrent writer, is audit.AlreadyCorrected (ErrConflict), naming the correction to correct
// instead. The rules that need no lock (a correction is of the same seller and order_ref) are
// the service's.
func (s *Store) CorrectMysteryOrder(ctx context.Context, by audit.Principal, oldID string, mo audit.MysteryOrder) (MysteryOrderRecord, error) {
	if !storable(oldID) {
		return MysteryOrderRecord{}, fmt.Errorf("mystery order %q: %w", oldID, audit.ErrNotFound)
	}
	mo.Supersedes = oldID
	row, err := s.newMysteryOrderRow(by, mo)
	if err != nil {
		return MysteryOrderRecord{}, err
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var old mysteryOrderRow
		// The lock serialises concurrent corrections of one record on PostgreSQL; SQLite's
		// single immediate writer already does.
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Take(&old, "id = ?", oldID).Error
		if err != nil {
			return translate(err, "mystery order "+oldID)
		}
		var later []string
		if err := tx.Model(&mysteryOrderRow{}).Where("supersedes = ?", oldID).Limit(1).Pluck("id", &later).Error; err != nil {
			return translate(err, "mystery order "+oldID)
		}
		if len(later) > 0 {
			return audit.AlreadyCorrected("mystery order", oldID, later[0])
		}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "mystery order")
		}
		return s.record(tx, by, "correct", "mystery_order", row.ID)
	})
	if err != nil {
		return MysteryOrderRecord{}, err
	}
	return row.record()
}

// MysteryOrder returns one mystery order.
func (s *Store) MysteryOrder(ctx context.Context, id string) (MysteryOrderRecord, error) {
	if !storable(id) {
		return MysteryOrderRecord{}, fmt.Errorf("mystery order %q: %w", id, audit.ErrNotFound)
	}
	var row mysteryOrderRow
	err := s.read.WithContext(ctx).Table("mystery_orders").Select(mysteryOrderColumns).
		Where("mystery_orders.id = ?", id).Take(&row).Error
	if err != nil {
		return MysteryOrderRecord{}, translate(err, "mystery order "+id)
	}
	return row.record()
}

// MysteryOrderFilter is audit.MysteryOrderFilter.
type MysteryOrderFilter = audit.MysteryOrderFilter

// MysteryOrders lists mystery orders in creation order (newest first when f.NewestFirst),
// corrections and the records they corrected alike. A seller or technician id no record can
// hold lists nothing. A list of one technician's reads the index mystery_orders_technician.
func (s *Store) MysteryOrders(ctx context.Context, f MysteryOrderFilter, p Page) ([]MysteryOrderRecord, string, error) {
	if !storable(f.SellerID) || !storable(f.TechnicianKeyID) {
		if _, err := DecodeCursor(p.Cursor); err != nil {
			return nil, "", err
		}
		return nil, "", nil
	}
	q := s.read.WithContext(ctx).Table("mystery_orders").Select(mysteryOrderColumns)
	if f.SellerID != "" {
		q = q.Where("mystery_orders.seller_id = ?", f.SellerID)
	}
	if f.TechnicianKeyID != "" {
		q = q.Where("mystery_orders.technician_key_id = ?", f.TechnicianKeyID)
	}
	if !f.From.IsZero() {
		q = q.Where("mystery_orders.ordered_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("mystery_orders.ordered_at < ?", f.To.UTC())
	}
	var rows []mysteryOrderRow
	next, err := applyPage(p, q, &rows, f.NewestFirst)
	if err != nil {
		return nil, "", translate(err, "mystery orders")
	}
	out := make([]MysteryOrderRecord, len(rows))
	for i, r := range rows {
		if out[i], err = r.record(); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}
