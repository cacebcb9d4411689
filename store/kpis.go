package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// kpiMonthRow is one row of kpi_months: one month of a seller's operations figures. A month is
// replaced as a whole by a later PUT or import, keeping its id.
type kpiMonthRow struct {
	ID                        string    `gorm:"column:id;primaryKey"`
	SellerID                  string    `gorm:"column:seller_id"`
	Month                     string    `gorm:"column:month"`
	Orders                    int       `gorm:"column:orders"`
	ShippedLate               int       `gorm:"column:shipped_late"`
	ValidTracking             int       `gorm:"column:valid_tracking"`
	CancelledBeforeShipment   int       `gorm:"column:cancelled_before_shipment"`
	TechnicalReturns30d       int       `gorm:"column:technical_returns_30d"`
	DefectiveOrders           int       `gorm:"column:defective_orders"`
	MessagesReceived          int       `gorm:"column:messages_received"`
	MessagesAnsweredWithin1BD int       `gorm:"column:messages_answered_within_1bd"`
	WarrantyClaims            int       `gorm:"column:warranty_claims"`
	WarrantyRemediedWithin5BD int       `gorm:"column:warranty_remedied_within_5bd"`
	WarrantyMonths            int       `gorm:"column:warranty_months"`
	UpdatedAt                 time.Time `gorm:"column:updated_at"`
}

func (kpiMonthRow) TableName() string { return "kpi_months" }

func (r kpiMonthRow) domain() audit.KPIMonth {
	return audit.KPIMonth{
		ID: r.ID, SellerID: r.SellerID, Month: r.Month,
		Orders: r.Orders, ShippedLate: r.ShippedLate, ValidTracking: r.ValidTracking,
		CancelledBeforeShipment: r.CancelledBeforeShipment, TechnicalReturns30d: r.TechnicalReturns30d,
		DefectiveOrders: r.DefectiveOrders, MessagesReceived: r.MessagesReceived,
		MessagesAnsweredWithin1BD: r.MessagesAnsweredWithin1BD, WarrantyClaims: r.WarrantyClaims,
		WarrantyRemediedWithin5BD: r.WarrantyRemediedWithin5BD, WarrantyMonths: r.WarrantyMonths,
		UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func (s *Store) newKPIMonthRow(k audit.KPIMonth, now time.Time) kpiMonthRow {
	return kpiMonthRow{
		ID: s.newID(audit.PrefixKPIMonth), SellerID: k.SellerID, Month: k.Month,
		Orders: k.Orders, ShippedLate: k.ShippedLate, ValidTracking: k.ValidTracking,
		CancelledBeforeShipment: k.CancelledBeforeShipment, TechnicalReturns30d: k.TechnicalReturns30d,
		DefectiveOrders: k.DefectiveOrders, MessagesReceived: k.MessagesReceived,
		MessagesAnsweredWithin1BD: k.MessagesAnsweredWithin1BD, WarrantyClaims: k.WarrantyClaims,
		WarrantyRemediedWithin5BD: k.WarrantyRemediedWithin5BD, WarrantyMonths: k.WarrantyMonths,
		UpdatedAt: microUTC(now),
	}
}

// kpiUpsert replaces the figures of a month that is already stored, keeping its id: one
// INSERT … ON CONFLICT (seller_id, month) DO UPDATE, atomic on both databases, so that two
// writers of the same month never fail on the unique constraint.
var kpiUpsert = clause.OnConflict{
	Columns:   []clause.Column{{Name: "seller_id"}, {Name: "month"}},
	DoUpdates: clause.AssignmentColumns(append(slices.Clone(audit.KPIFields), "updated_at")),
}

// Sizes of the statements of an import: 15 columns × 1000 rows and 10,000 ids stay far below
// the bound parameters SQLite (32766) and PostgreSQL (65535) accept.
const (
	kpiInsertRows = 1000
	idChunk       = 10_000
)

// PutKPIMonth stores a seller's figures of one month, replacing the month (and keeping its id)
// when it is already stored, and records the event ("create" or "update") in the same
// transaction. An unknown seller is audit.ErrNotFound; invalid figures are a
// *audit.ValidationError.
func (s *Store) PutKPIMonth(ctx context.Context, by audit.Principal, k audit.KPIMonth) (audit.KPIMonth, error) {
	if err := audit.Invalid(audit.ValidateKPIMonth(k)); err != nil {
		return audit.KPIMonth{}, err
	}
	if !storable(k.SellerID) {
		return audit.KPIMonth{}, fmt.Errorf("seller %q: %w", k.SellerID, audit.ErrNotFound)
	}
	row := s.newKPIMonthRow(k, s.now())
	newID := row.ID
	var stored kpiMonthRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.sellerExists(ctx, tx, k.SellerID); err != nil {
			return err
		}
		if err := tx.Clauses(kpiUpsert).Create(&row).Error; err != nil {
			return translate(err, "KPI month "+k.Month)
		}
		if err := tx.Take(&stored, "seller_id = ? AND month = ?", k.SellerID, k.Month).Error; err != nil {
			return translate(err, "KPI month "+k.Month)
		}
		action := "update"
		if stored.ID == newID {
			action = "create"
		}
		return s.record(tx, by, action, "kpi_month", stored.ID)
	})
	if err != nil {
		return audit.KPIMonth{}, err
	}
	return stored.domain(), nil
}

// KPIMonths lists the KPI months of a seller in month order. An unknown seller is
// audit.ErrNotFound. The cursor names the last month served, so the order holds across pages
// whatever order the months were stored in.
func (s *Store) KPIMonths(ctx context.Context, sellerID string, p Page) ([]audit.KPIMonth, string, error) {
	after, err := decodeMonthCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	if !storable(sellerID) {
		return nil, "", fmt.Errorf("seller %q: %w", sellerID, audit.ErrNotFound)
	}
	db := s.read.WithContext(ctx)
	if err := s.sellerExists(ctx, db, sellerID); err != nil {
		return nil, "", err
	}
	q := db.Model(&kpiMonthRow{}).Where("seller_id = ?", sellerID)
	if after != "" {
		q = q.Where("month > ?", after)
	}
	n := pageLimit(p)
	var rows []kpiMonthRow
	if err := q.Order("month").Limit(n + 1).Find(&rows).Error; err != nil {
		return nil, "", translate(err, "KPI months")
	}
	next := ""
	if len(rows) > n {
		rows = rows[:n]
		next = EncodeCursor(strings.ReplaceAll(rows[n-1].Month, "-", ""))
	}
	out := make([]audit.KPIMonth, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

// decodeMonthCursor reads a cursor of KPIMonths: the last month served, written YYYYMM.
func decodeMonthCursor(c string) (string, error) {
	raw, err := DecodeCursor(c)
	if err != nil || raw == "" {
		return "", err
	}
	if len(raw) == 6 {
		month := raw[:4] + "-" + raw[4:]
		if _, ok := audit.ParseMonth(month); ok {
			return month, nil
		}
	}
	return "", badCursor()
}

// kpiKey names one month of one seller.
type kpiKey struct{ seller, month string }

// ImportKPIs imports the KPI CSV of api.md from r: every row is checked first (by
// audit.KPIReader, plus one query over the distinct seller ids for sellers that do not exist),
// and when any row is invalid nothing is imported and the answer is a *audit.ValidationError
// holding one error per bad row, in line order: its field is "line N: column" of the row's first
// problem, and its message also lists the row's other problems. A header that misses, repeats or
// adds a column, or a file of more than audit.MaxKPIRows rows, is a *audit.ValidationError too.
//
// Otherwise every row is applied in one transaction with batched upserts (a month already
// stored is replaced, keeping its id) and one event per imported month ("import", batch
// inserted), and ImportKPIs returns the number of months imported. progress, when not nil, is
// called with the number of rows read every 10,000 rows and once at the end of the reading.
// The HTTP API and the command line both import through here, so the rules are written once.
func (s *Store) ImportKPIs(ctx context.Context, by audit.Principal, r io.Reader, progress func(rows int)) (int, error) {
	rows, err := readKPIs(ctx, r, progress)
	if err != nil {
		return 0, err
	}
	known, err := s.knownSellerSet(ctx, rows.sellers())
	if err != nil {
		return 0, err
	}
	if err := rows.check(known); err != nil {
		return 0, err
	}
	if len(rows.good) == 0 {
		return 0, nil
	}
	now := s.now()
	insert := make([]kpiMonthRow, len(rows.good))
	for i, k := range rows.good {
		insert[i] = s.newKPIMonthRow(k, now)
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(kpiUpsert).CreateInBatches(insert, kpiInsertRows).Error; err != nil {
			return translate(err, "KPI months")
		}
		ids, err := kpiMonthIDs(tx, rows.good)
		if err != nil {
			return err
		}
		return s.record(tx, by, "import", "kpi_month", ids...)
	})
	if err != nil {
		return 0, err
	}
	return len(insert), nil
}

// kpiRows is what reading a KPI CSV found: the valid rows and the problems of the others.
type kpiRows struct {
	good     []audit.KPIMonth
	goodLine []int
	bad      []badKPIRow
}

// badKPIRow is a row with problems; seller is its seller id when it can still be looked up.
type badKPIRow struct {
	line   int
	seller string
	errs   []grading.FieldError
}

// readKPIs reads and checks every row of a KPI CSV, without touching the database.
func readKPIs(ctx context.Context, r io.Reader, progress func(int)) (*kpiRows, error) {
	kr, err := audit.NewKPIReader(r)
	if err != nil {
		return nil, err
	}
	out := &kpiRows{}
	n := 0
	for {
		k, errs, err := kr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		n++
		if n%10_000 == 0 {
			if progress != nil {
				progress(n)
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if len(errs) == 0 {
			out.good = append(out.good, k)
			out.goodLine = append(out.goodLine, kr.Line())
			continue
		}
		bad := badKPIRow{line: kr.Line(), errs: errs, seller: k.SellerID}
		prefix := "line " + strconv.Itoa(bad.line) + ": "
		for _, e := range errs {
			if e.Field == prefix+"seller_id" || !strings.HasPrefix(e.Field, prefix) {
				bad.seller = "" // no usable seller id, or a malformed row
			}
		}
		out.bad = append(out.bad, bad)
	}
	if progress != nil && (n == 0 || n%10_000 != 0) {
		progress(n)
	}
	return out, nil
}

// sellers returns the distinct seller ids the rows name.
func (rs *kpiRows) sellers() []string {
	set := map[string]struct{}{}
	for _, k := range rs.good {
		set[k.SellerID] = struct{}{}
	}
	for _, b := range rs.bad {
		if b.seller != "" {
			set[b.seller] = struct{}{}
		}
	}
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// check adds an error to every row whose seller does not exist and returns the errors of every
// bad row, one per row in line order, or nil when every row is valid.
func (rs *kpiRows) check(known map[string]struct{}) error {
	unknown := func(line int) grading.FieldError {
		return grading.FieldError{Field: "line " + strconv.Itoa(line) + ": seller_id", Message: "no seller has this id"}
	}
	byLine := make(map[int][]grading.FieldError, len(rs.bad))
	lines := make([]int, 0, len(rs.bad))
	for _, b := range rs.bad {
		errs := b.errs
		if _, ok := known[b.seller]; b.seller != "" && !ok {
			errs = append(errs, unknown(b.line))
		}
		byLine[b.line] = errs
		lines = append(lines, b.line)
	}
	for i, k := range rs.good {
		if _, ok := known[k.SellerID]; !ok {
			line := rs.goodLine[i]
			byLine[line] = []grading.FieldError{unknown(line)}
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	slices.Sort(lines)
	out := make([]grading.FieldError, len(lines))
	for i, line := range lines {
		out[i] = oneRowError(byLine[line])
	}
	return audit.Invalid(out)
}

// oneRowError folds the problems of one row into one error: the first problem names the field,
// and the message lists the others, so that a file with many bad rows answers one error each.
func oneRowError(errs []grading.FieldError) grading.FieldError {
	slices.SortStableFunc(errs, func(a, b grading.FieldError) int { return strings.Compare(a.Field, b.Field) })
	first := errs[0]
	if len(errs) == 1 {
		return first
	}
	var sb strings.Builder
	sb.WriteString(first.Message)
	sb.WriteString(" (also ")
	for i, e := range errs[1:] {
		if i > 0 {
			sb.WriteString("; ")
		}
		_, col, found := strings.Cut(e.Field, ": ")
		if !found {
			col = e.Field
		}
		sb.WriteString(col + ": " + e.Message)
	}
	sb.WriteString(")")
	return grading.FieldError{Field: first.Field, Message: sb.String()}
}

// knownSellerSet returns which of ids name a seller: one query for any realistic import,
// chunked only beyond idChunk distinct sellers.
func (s *Store) knownSellerSet(ctx context.Context, ids []string) (map[string]struct{}, error) {
	out := make(map[string]struct{}, len(ids))
	db := s.read.WithContext(ctx)
	for chunk := range slices.Chunk(ids, idChunk) {
		var found []string
		if err := db.Model(&sellerRow{}).Where("id IN ?", chunk).Pluck("id", &found).Error; err != nil {
			return nil, translate(err, "sellers")
		}
		for _, id := range found {
			out[id] = struct{}{}
		}
	}
	return out, nil
}

// kpiMonthIDs returns the ids of the stored months of ks, in the order of ks: new months got
// the id of their insert, replaced ones kept theirs.
func kpiMonthIDs(tx *gorm.DB, ks []audit.KPIMonth) ([]string, error) {
	sellerSet, monthSet := map[string]struct{}{}, map[string]struct{}{}
	for _, k := range ks {
		sellerSet[k.SellerID] = struct{}{}
		monthSet[k.Month] = struct{}{}
	}
	sellers := make([]string, 0, len(sellerSet))
	for id := range sellerSet {
		sellers = append(sellers, id)
	}
	months := make([]string, 0, len(monthSet))
	for m := range monthSet {
		months = append(months, m)
	}
	slices.Sort(sellers)
	ids := make(map[kpiKey]string, len(ks))
	for monthChunk := range slices.Chunk(months, idChunk/2) {
		for sellerChunk := range slices.Chunk(sellers, idChunk) {
			var found []struct {
				ID       string `gorm:"column:id"`
				SellerID string `gorm:"column:seller_id"`
				Month    string `gorm:"column:month"`
			}
			err := tx.Model(&kpiMonthRow{}).Select("id", "seller_id", "month").
				Where("seller_id IN ? AND month IN ?", sellerChunk, monthChunk).Find(&found).Error
			if err != nil {
				return nil, translate(err, "KPI months")
			}
			for _, f := range found {
				ids[kpiKey{f.SellerID, f.Month}] = f.ID
			}
		}
	}
	out := make([]string, 0, len(ks))
	for _, k := range ks {
		id, ok := ids[kpiKey{k.SellerID, k.Month}]
		if !ok {
			return nil, fmt.Errorf("KPI month %s of seller %s: not found after import", k.Month, k.SellerID)
		}
		out = append(out, id)
	}
	return out, nil
}
