package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// benchTestRow is one row of bench_tests: the envelope, the inspection in the store's own
// document (inspectionDoc), the document the client submitted, kept as it was sent, and every
// derived figure the charter metrics read, in columns, so that audits aggregate with SQL
// instead of decoding documents.
type benchTestRow struct {
	ID              string    `gorm:"column:id;primaryKey"`
	SellerID        string    `gorm:"column:seller_id"`
	Lab             string    `gorm:"column:lab"`
	TestedAt        time.Time `gorm:"column:tested_at"`
	ListedGrade     *string   `gorm:"column:listed_grade"`
	ExternalID      *string   `gorm:"column:external_id"`
	TechnicianKeyID string    `gorm:"column:technician_key_id"`
	Supersedes      *string   `gorm:"column:supersedes"`
	// VerificationCode is NULL only in rows stored before migration 12, until Migrate gives
	// them one (assignMissingCodes).
	VerificationCode *string       `gorm:"column:verification_code"`
	Inspection       string        `gorm:"column:inspection"`
	Submitted        string        `gorm:"column:submitted"`
	Graded           gradedColumns `gorm:"embedded"`
	GradeMatch       *string       `gorm:"column:grade_match"`
	CreatedAt        time.Time     `gorm:"column:created_at"`
	// SupersededBy is computed on read (benchTestColumns); it is never written.
	SupersededBy *string `gorm:"column:superseded_by;->"`
}

func (benchTestRow) TableName() string { return "bench_tests" }

// benchTestColumns selects a row with the id of the correction that superseded it, if any.
// Corrections form a chain (a superseded bench test cannot be corrected again), so there is at
// most one.
const benchTestColumns = "bench_tests.*, (SELECT c.id FROM bench_tests c WHERE c.supersedes = bench_tests.id) AS superseded_by"

// benchTestInsertRows is the number of rows per INSERT of a batch: 36 columns × 100 rows stays
// far below the bound parameters SQLite (32766) and PostgreSQL (65535) accept, while one
// statement per 100 devices keeps the per-row overhead low.
const benchTestInsertRows = 100

// onExternalConflict makes an insert that repeats a stored (seller_id, external_id) a no-op,
// matching the partial unique index bench_tests_external, so that concurrent submissions of the
// same lab record never fail: the loser reads the winner back.
var onExternalConflict = clause.OnConflict{
	Columns:     []clause.Column{{Name: "seller_id"}, {Name: "external_id"}},
	TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "external_id IS NOT NULL AND supersedes IS NULL"}}},
	DoNothing:   true,
}

// BenchTestRecord is audit.BenchTestRecord.
type BenchTestRecord = audit.BenchTestRecord

type reasonDoc struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func encodeReasons(rs []grading.Reason) string {
	if len(rs) == 0 {
		return "[]"
	}
	docs := make([]reasonDoc, len(rs))
	for i, r := range rs {
		docs[i] = reasonDoc{Code: r.Code, Message: r.Message}
	}
	b, _ := json.Marshal(docs) // strings only: cannot fail
	return string(b)
}

func optional[T ~string](v T) *string {
	if v == "" {
		return nil
	}
	s := string(v)
	return &s
}

// submitted is the document a client submitted, as stored: nil when there was none.
func submitted(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// newBenchTestRow builds the row of a validated, derived bench test. The store assigns its id,
// its creation time and its technician (the key that submitted it); times are kept in UTC to
// the microsecond, which both databases hold exactly, so that what is answered at creation is
// what is read back later. A bench test that comes without a verification code (the intake
// service gives one; generated data does not) gets one here.
func (s *Store) newBenchTestRow(by audit.Principal, bt audit.BenchTest) (benchTestRow, error) {
	in, g := bt.Inspection, bt.Grade
	doc, err := encodeInspection(in)
	if err != nil {
		return benchTestRow{}, fmt.Errorf("bench test: %w: %w", err, audit.ErrInvalid)
	}
	code, err := s.verificationCode(bt.VerificationCode)
	if err != nil {
		return benchTestRow{}, err
	}
	return benchTestRow{
		VerificationCode: &code,
		ID:               s.newID(audit.PrefixBenchTest),
		SellerID:         bt.SellerID,
		Lab:              bt.Lab,
		TestedAt:         bt.TestedAt.UTC().Truncate(time.Microsecond),
		ListedGrade:      optional(bt.ListedGrade),
		ExternalID:       optional(bt.ExternalID),
		TechnicianKeyID:  by.KeyID,
		Supersedes:       optional(bt.Supersedes),
		Inspection:       doc,
		Submitted:        string(bt.Submitted),
		Graded:           newGradedColumns(in, g),
		GradeMatch:       optional(bt.GradeMatch),
		CreatedAt:        s.now().UTC().Truncate(time.Microsecond),
	}, nil
}

func (r benchTestRow) record() (BenchTestRecord, error) {
	what := "bench test " + r.ID
	g, err := r.Graded.grade(what)
	if err != nil {
		return BenchTestRecord{}, err
	}
	in, err := decodeInspection(r.Inspection)
	if err != nil {
		return BenchTestRecord{}, fmt.Errorf("%s: stored inspection: %w", what, err)
	}
	bt := audit.BenchTest{
		ID: r.ID, SellerID: r.SellerID, Lab: r.Lab, TestedAt: r.TestedAt.UTC(),
		ListedGrade: grading.Marketplace(deref(r.ListedGrade)), ExternalID: deref(r.ExternalID),
		TechnicianKeyID: r.TechnicianKeyID, Supersedes: deref(r.Supersedes), VerificationCode: deref(r.VerificationCode),
		Inspection: in, Submitted: submitted(r.Submitted), Grade: g, GradeMatch: grading.Match(deref(r.GradeMatch)),
		CreatedAt: r.CreatedAt.UTC(),
	}
	return BenchTestRecord{BenchTest: bt, SupersededBy: deref(r.SupersededBy)}, nil
}

// CreateBenchTest stores a validated bench test whose grade has been derived
// (audit.DeriveBenchTest). It is idempotent on (seller, external id): when the seller already
// has a bench test with that external id, nothing is stored and the stored one is returned with
// created false, even when two submissions race. An unknown seller is audit.ErrNotFound.
func (s *Store) CreateBenchTest(ctx context.Context, by audit.Principal, bt audit.BenchTest) (BenchTestRecord, bool, error) {
	bt.Supersedes = ""
	row, err := s.newBenchTestRow(by, bt)
	if err != nil {
		return BenchTestRecord{}, false, err
	}
	created := true
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.sellerExists(ctx, tx, bt.SellerID); err != nil {
			return err
		}
		res := tx.Clauses(onExternalConflict).Create(&row)
		if res.Error != nil {
			return translate(res.Error, "bench test")
		}
		if res.RowsAffected == 1 {
			return s.record(tx, by, "create", "bench_test", row.ID)
		}
		created = false
		var stored benchTestRow
		err := tx.Table("bench_tests").Select(benchTestColumns).
			Where("seller_id = ? AND external_id = ? AND external_id IS NOT NULL AND supersedes IS NULL", row.SellerID, deref(row.ExternalID)).
			Take(&stored).Error
		row = stored
		return translate(err, "bench test")
	})
	if err != nil {
		return BenchTestRecord{}, false, err
	}
	rec, err := row.record()
	return rec, created, err
}

// CorrectBenchTest stores bt as a correction of the bench test oldID: a new record whose
// Supersedes names the old one, which stays as it was. Corrections form a chain: a bench test
// that was already corrected, even by a correction stored a moment before by a concurrent
// writer, is audit.AlreadyCorrected (ErrConflict), naming the correction to correct instead.
// The rules that need no lock (a correction is of the same seller) are the service's.
func (s *Store) CorrectBenchTest(ctx context.Context, by audit.Principal, oldID string, bt audit.BenchTest) (BenchTestRecord, error) {
	if !storable(oldID) {
		return BenchTestRecord{}, fmt.Errorf("bench test %q: %w", oldID, audit.ErrNotFound)
	}
	bt.Supersedes = oldID
	row, err := s.newBenchTestRow(by, bt)
	if err != nil {
		return BenchTestRecord{}, err
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		var old benchTestRow
		// The lock serialises concurrent corrections of one record on PostgreSQL; SQLite's
		// single immediate writer already does.
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Take(&old, "id = ?", oldID).Error
		if err != nil {
			return translate(err, "bench test "+oldID)
		}
		var later []string
		if err := tx.Model(&benchTestRow{}).Where("supersedes = ?", oldID).Limit(1).Pluck("id", &later).Error; err != nil {
			return translate(err, "bench test "+oldID)
		}
		if len(later) > 0 {
			return audit.AlreadyCorrected("bench test", oldID, later[0])
		}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "bench test")
		}
		return s.record(tx, by, "correct", "bench_test", row.ID)
	})
	if err != nil {
		return BenchTestRecord{}, err
	}
	return row.record()
}

// Batch outcomes are the domain's (audit.BatchOutcome).
type (
	BatchOutcome = audit.BatchOutcome
	BatchResult  = audit.BatchResult
)

// Outcomes of CreateBenchTests.
const (
	BatchCreated       = audit.BatchCreated
	BatchDuplicate     = audit.BatchDuplicate
	BatchUnknownSeller = audit.BatchUnknownSeller
)

type externalKey struct{ seller, external string }

// CreateBenchTests stores many validated, derived bench tests in one transaction, with batch
// inserts and one event insert: the intake path of mass testing. Unknown sellers and duplicate
// external ids (already stored, or repeated within items, where the first occurrence wins) are
// reported per item rather than failing the whole batch, with a fixed number of queries
// whatever the size of the batch: one for the sellers, before the write transaction, and one
// for the stored external ids, only when the insert skipped some (ON CONFLICT DO NOTHING), which
// also answers a duplicate stored by a concurrent writer a moment before.
func (s *Store) CreateBenchTests(ctx context.Context, by audit.Principal, items []audit.BenchTest) ([]BatchResult, error) {
	// Rows are built before the write lock is taken: the lock is held for database work only.
	// Their ids increase in item order, so a batch lists in the order it was submitted.
	rows := make([]benchTestRow, len(items))
	sellerSet := map[string]struct{}{}
	for i, bt := range items {
		bt.Supersedes = ""
		var err error
		if rows[i], err = s.newBenchTestRow(by, bt); err != nil {
			return nil, err
		}
		sellerSet[bt.SellerID] = struct{}{}
	}
	// Unknown sellers are found before the write transaction, through the read pool (sellers
	// are never deleted), so that the one writer is held for the inserts alone.
	known, err := knownSellers(s.read.WithContext(ctx), sellerSet)
	if err != nil {
		return nil, err
	}
	results := make([]BatchResult, len(items))
	first := map[externalKey]string{}
	insert := make([]benchTestRow, 0, len(rows))
	for i := range rows {
		r := &rows[i]
		if _, ok := known[r.SellerID]; !ok {
			results[i] = BatchResult{Outcome: BatchUnknownSeller}
			continue
		}
		if r.ExternalID != nil {
			k := externalKey{r.SellerID, *r.ExternalID}
			if id, ok := first[k]; ok {
				results[i] = BatchResult{Outcome: BatchDuplicate, ID: id}
				continue
			}
			first[k] = r.ID
		}
		results[i] = BatchResult{Outcome: BatchCreated, ID: r.ID}
		insert = append(insert, *r)
	}
	if len(insert) == 0 {
		return results, nil
	}
	// The write may be retried alone after a failed group commit: it starts from these results.
	planned := slices.Clone(results)
	err = s.groupTx(ctx, len(insert), func(tx *gorm.DB) error {
		copy(results, planned)
		res := tx.Clauses(onExternalConflict).CreateInBatches(insert, benchTestInsertRows)
		if res.Error != nil {
			return translate(res.Error, "bench tests")
		}
		if int(res.RowsAffected) < len(insert) {
			// Some external ids were stored already, earlier or by a concurrent writer: those
			// rows were skipped, and the stored records answer for them.
			if err := resolveDuplicates(tx, rows, known, results); err != nil {
				return err
			}
		}
		created := make([]string, 0, len(insert))
		for _, r := range results {
			if r.Outcome == BatchCreated {
				created = append(created, r.ID)
			}
		}
		return s.record(tx, by, "create", "bench_test", created...)
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// knownSellers returns which of the given seller ids exist, with one query.
func knownSellers(tx *gorm.DB, set map[string]struct{}) (map[string]struct{}, error) {
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	var found []string
	if err := tx.Model(&sellerRow{}).Where("id IN ?", ids).Pluck("id", &found).Error; err != nil {
		return nil, translate(err, "sellers")
	}
	out := make(map[string]struct{}, len(found))
	for _, id := range found {
		out[id] = struct{}{}
	}
	return out, nil
}

// storedExternal returns the ids of the stored original bench tests (corrections aside) that
// carry the (seller, external id) pairs of rows, with one query that the partial unique index
// bench_tests_external answers: one (seller_id = ? AND external_id IN (…)) term per seller.
func storedExternal(tx *gorm.DB, rows []benchTestRow, known map[string]struct{}) (map[externalKey]string, error) {
	bySeller := map[string][]string{}
	var order []string
	for _, r := range rows {
		if r.ExternalID == nil {
			continue
		}
		if _, ok := known[r.SellerID]; !ok {
			continue
		}
		if _, ok := bySeller[r.SellerID]; !ok {
			order = append(order, r.SellerID)
		}
		bySeller[r.SellerID] = append(bySeller[r.SellerID], *r.ExternalID)
	}
	out := map[externalKey]string{}
	if len(order) == 0 {
		return out, nil
	}
	var sb strings.Builder
	args := make([]any, 0, 2*len(order))
	for i, seller := range order {
		if i > 0 {
			sb.WriteString(" OR ")
		}
		sb.WriteString("(seller_id = ? AND external_id IN ?)")
		args = append(args, seller, bySeller[seller])
	}
	var found []struct {
		ID         string `gorm:"column:id"`
		SellerID   string `gorm:"column:seller_id"`
		ExternalID string `gorm:"column:external_id"`
	}
	err := tx.Table("bench_tests").Select("id", "seller_id", "external_id").
		Where("external_id IS NOT NULL AND supersedes IS NULL").
		Where(sb.String(), args...).
		Find(&found).Error
	if err != nil {
		return nil, translate(err, "bench tests")
	}
	for _, f := range found {
		out[externalKey{f.SellerID, f.ExternalID}] = f.ID
	}
	return out, nil
}

// resolveDuplicates reads the stored ids of the batch's external ids after an insert that
// skipped some rows (ON CONFLICT DO NOTHING), and turns every row that is not the stored one
// into a duplicate of it. Checking after the insert rather than before costs nothing in the
// usual case, a batch of new devices, and is also right when another writer got there first.
func resolveDuplicates(tx *gorm.DB, rows []benchTestRow, known map[string]struct{}, results []BatchResult) error {
	stored, err := storedExternal(tx, rows, known)
	if err != nil {
		return err
	}
	for i, r := range rows {
		if results[i].Outcome != BatchCreated || r.ExternalID == nil {
			continue
		}
		if id, ok := stored[externalKey{r.SellerID, *r.ExternalID}]; ok && id != r.ID {
			results[i] = BatchResult{Outcome: BatchDuplicate, ID: id}
		}
	}
	// A later row of the batch that was a duplicate of a row that lost its race points at the
	// winner too.
	for i, r := range rows {
		if results[i].Outcome != BatchDuplicate || r.ExternalID == nil {
			continue
		}
		if id, ok := stored[externalKey{r.SellerID, *r.ExternalID}]; ok {
			results[i].ID = id
		}
	}
	return nil
}

// storable reports whether s can be a parameter of a text column on both databases:
// PostgreSQL refuses NUL and invalid UTF-8, which an id or filter taken from a URL may hold. No
// stored value holds them, so a lookup with one finds nothing.
func storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// BenchTest returns one bench test.
func (s *Store) BenchTest(ctx context.Context, id string) (BenchTestRecord, error) {
	if !storable(id) {
		return BenchTestRecord{}, fmt.Errorf("bench test %q: %w", id, audit.ErrNotFound)
	}
	var row benchTestRow
	err := s.read.WithContext(ctx).Table("bench_tests").Select(benchTestColumns).Where("bench_tests.id = ?", id).Take(&row).Error
	if err != nil {
		return BenchTestRecord{}, translate(err, "bench test "+id)
	}
	return row.record()
}

// BenchTestFilter is audit.BenchTestFilter.
type BenchTestFilter = audit.BenchTestFilter

// BenchTests lists bench tests in creation order (newest first when f.NewestFirst),
// corrections and the records they corrected alike. A list of one technician's reads the index
// bench_tests_technician.
func (s *Store) BenchTests(ctx context.Context, f BenchTestFilter, p Page) ([]BenchTestRecord, string, error) {
	if !storable(f.SellerID) || !storable(f.TechnicianKeyID) {
		return nil, "", nil // no seller or technician has such an id
	}
	q := s.read.WithContext(ctx).Table("bench_tests").Select(benchTestColumns)
	if f.SellerID != "" {
		q = q.Where("bench_tests.seller_id = ?", f.SellerID)
	}
	if f.TechnicianKeyID != "" {
		q = q.Where("bench_tests.technician_key_id = ?", f.TechnicianKeyID)
	}
	if !f.From.IsZero() {
		q = q.Where("bench_tests.tested_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("bench_tests.tested_at < ?", f.To.UTC())
	}
	var rows []benchTestRow
	next, err := applyPage(p, q, &rows, f.NewestFirst)
	if err != nil {
		return nil, "", translate(err, "bench tests")
	}
	out := make([]BenchTestRecord, len(rows))
	for i, r := range rows {
		if out[i], err = r.record(); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}
