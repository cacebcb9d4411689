package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/sampling"
)

// lotStreamRow is one row of lot_streams: a source of lots and its switching state.
type lotStreamRow struct {
	ID           string     `gorm:"column:id;primaryKey"`
	Kind         string     `gorm:"column:kind"`
	SourceKey    string     `gorm:"column:source_key"`
	SellerID     *string    `gorm:"column:seller_id"`
	Supplier     *string    `gorm:"column:supplier"`
	PartType     *string    `gorm:"column:part_type"`
	State        string     `gorm:"column:state"`
	Run          int        `gorm:"column:run"`
	Rejections   int        `gorm:"column:rejections"`
	LotsDecided  int        `gorm:"column:lots_decided"`
	LotsRejected int        `gorm:"column:lots_rejected"`
	ResumedAt    *time.Time `gorm:"column:resumed_at"`
	ResumedBy    *string    `gorm:"column:resumed_by"`
	ResumeNote   *string    `gorm:"column:resume_note"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
}

func (lotStreamRow) TableName() string { return "lot_streams" }

// sourceKey names the source of a stream once: a seller of devices, or a supplier's part type.
// The part type comes first and has no ":" so that no two suppliers' keys collide.
func sourceKey(k audit.LotStream) string {
	if k.Kind == audit.LotDevices {
		return "devices:" + k.SellerID
	}
	return "parts:" + string(k.PartType) + ":" + k.Supplier
}

func (r lotStreamRow) domain() audit.LotStream {
	return audit.LotStream{ID: r.ID, Kind: audit.LotKind(r.Kind), SellerID: deref(r.SellerID), Supplier: deref(r.Supplier),
		PartType: audit.PartType(deref(r.PartType)),
		Stream: sampling.Stream{State: sampling.State(r.State), Run: r.Run, Rejections: r.Rejections,
			Decided: r.LotsDecided, Rejected: r.LotsRejected},
		ResumedAt: utcPtr(r.ResumedAt), ResumedBy: deref(r.ResumedBy), ResumeNote: deref(r.ResumeNote),
		CreatedAt: r.CreatedAt.UTC()}
}

// streamState is the columns of a stream's switching state, as written after a change.
func streamState(st audit.LotStream) map[string]any {
	s := st.Stream
	return map[string]any{"state": string(s.Current()), "run": s.Run, "rejections": s.Rejections,
		"lots_decided": s.Decided, "lots_rejected": s.Rejected,
		"resumed_at": microUTCPtr(st.ResumedAt), "resumed_by": optional(st.ResumedBy), "resume_note": optional(st.ResumeNote)}
}

// lotRow is one row of lots: what the lot states, its plan's inputs (the plan itself is
// recomputed from them with package sampling) and its tally. Its sample positions are a row of
// lot_positions, so that the row every sample reads and rewrites stays a few hundred bytes.
type lotRow struct {
	ID                    string     `gorm:"column:id;primaryKey"`
	Kind                  string     `gorm:"column:kind"`
	StreamID              string     `gorm:"column:stream_id"`
	LotRef                string     `gorm:"column:lot_ref"`
	LotSize               int        `gorm:"column:lot_size"`
	Level                 string     `gorm:"column:inspection_level"`
	Severity              string     `gorm:"column:severity"`
	AQLMajor              int        `gorm:"column:aql_major"`
	AQLMinor              int        `gorm:"column:aql_minor"`
	SellerID              *string    `gorm:"column:seller_id"`
	ListedGrade           string     `gorm:"column:listed_grade"`
	Supplier              *string    `gorm:"column:supplier"`
	PartType              *string    `gorm:"column:part_type"`
	ReceivedAt            time.Time  `gorm:"column:received_at"`
	CodeLetter            string     `gorm:"column:code_letter"`
	SampleSize            int        `gorm:"column:sample_size"`
	SamplesReceived       int        `gorm:"column:samples_received"`
	CriticalInspected     int        `gorm:"column:critical_inspected"`
	CriticalNonconforming int        `gorm:"column:critical_nonconforming"`
	MajorInspected        int        `gorm:"column:major_inspected"`
	MajorNonconforming    int        `gorm:"column:major_nonconforming"`
	MinorInspected        int        `gorm:"column:minor_inspected"`
	MinorNonconforming    int        `gorm:"column:minor_nonconforming"`
	Decision              string     `gorm:"column:decision"`
	DecidedAt             *time.Time `gorm:"column:decided_at"`
	CreatedAt             time.Time  `gorm:"column:created_at"`
	CreatedBy             string     `gorm:"column:created_by"`
}

func (lotRow) TableName() string { return "lots" }

// lotColumns are the columns of lotRow, in the order of lotRow.fields.
const lotColumns = "id, kind, stream_id, lot_ref, lot_size, inspection_level, severity, aql_major, aql_minor, " +
	"seller_id, listed_grade, supplier, part_type, received_at, code_letter, sample_size, samples_received, " +
	"critical_inspected, critical_nonconforming, major_inspected, major_nonconforming, minor_inspected, " +
	"minor_nonconforming, decision, decided_at, created_at, created_by"

// fields are the destinations of a scan of lotColumns.
func (r *lotRow) fields() []any {
	return []any{&r.ID, &r.Kind, &r.StreamID, &r.LotRef, &r.LotSize, &r.Level, &r.Severity, &r.AQLMajor, &r.AQLMinor,
		&r.SellerID, &r.ListedGrade, &r.Supplier, &r.PartType, &r.ReceivedAt, &r.CodeLetter, &r.SampleSize, &r.SamplesReceived,
		&r.CriticalInspected, &r.CriticalNonconforming, &r.MajorInspected, &r.MajorNonconforming, &r.MinorInspected,
		&r.MinorNonconforming, &r.Decision, &r.DecidedAt, &r.CreatedAt, &r.CreatedBy}
}

func newLotRow(l audit.Lot) lotRow {
	r := lotRow{ID: l.ID, Kind: string(l.Kind), StreamID: l.StreamID, LotRef: l.LotRef, LotSize: l.Plan.LotSize,
		Level: string(l.Level), Severity: string(l.Plan.Severity), AQLMajor: int(l.AQL.Major), AQLMinor: int(l.AQL.Minor),
		SellerID: optional(l.SellerID), ListedGrade: string(l.ListedGrade), Supplier: optional(l.Supplier),
		PartType: optional(string(l.PartType)), ReceivedAt: microUTC(l.ReceivedAt), CodeLetter: string(l.Plan.CodeLetter),
		SampleSize: l.Plan.SampleSize, Decision: string(l.Decision),
		DecidedAt: microUTCPtr(l.DecidedAt), CreatedAt: microUTC(l.CreatedAt), CreatedBy: l.CreatedBy}
	r.setTally(l.Tally)
	return r
}

func (r *lotRow) setTally(t sampling.Tally) {
	r.SamplesReceived = t.Received
	r.CriticalInspected, r.CriticalNonconforming = t.Critical.Inspected, t.Critical.Nonconforming
	r.MajorInspected, r.MajorNonconforming = t.Major.Inspected, t.Major.Nonconforming
	r.MinorInspected, r.MinorNonconforming = t.Minor.Inspected, t.Minor.Nonconforming
}

func (r lotRow) domain() (audit.Lot, error) {
	what := "lot " + r.ID
	aql := sampling.AQLs{Major: sampling.AQL(r.AQLMajor), Minor: sampling.AQL(r.AQLMinor)}
	plan, err := sampling.NewPlan(r.LotSize, sampling.Level(r.Level), aql, sampling.Severity(r.Severity))
	if err != nil {
		return audit.Lot{}, fmt.Errorf("%s: stored plan: %w", what, err)
	}
	return audit.Lot{ID: r.ID, Kind: audit.LotKind(r.Kind), StreamID: r.StreamID, LotRef: r.LotRef,
		Level: sampling.Level(r.Level), AQL: aql, SellerID: deref(r.SellerID), ListedGrade: grading.Marketplace(r.ListedGrade),
		Supplier: deref(r.Supplier), PartType: audit.PartType(deref(r.PartType)), ReceivedAt: r.ReceivedAt.UTC(),
		Plan: plan,
		Tally: sampling.Tally{Received: r.SamplesReceived,
			Critical: sampling.Count{Inspected: r.CriticalInspected, Nonconforming: r.CriticalNonconforming},
			Major:    sampling.Count{Inspected: r.MajorInspected, Nonconforming: r.MajorNonconforming},
			Minor:    sampling.Count{Inspected: r.MinorInspected, Nonconforming: r.MinorNonconforming}},
		Decision: sampling.Decision(r.Decision), DecidedAt: utcPtr(r.DecidedAt), CreatedAt: r.CreatedAt.UTC(),
		CreatedBy: r.CreatedBy}, nil
}

// lotSampleRow is one row of lot_samples; defects are the store's own JSON document.
type lotSampleRow struct {
	ID          string    `gorm:"column:id;primaryKey"`
	LotID       string    `gorm:"column:lot_id"`
	Number      int       `gorm:"column:number"`
	BenchTestID *string   `gorm:"column:bench_test_id"`
	Serial      string    `gorm:"column:serial"`
	Defects     string    `gorm:"column:defects"`
	Critical    bool      `gorm:"column:critical"`
	Major       bool      `gorm:"column:major"`
	Minor       bool      `gorm:"column:minor"`
	CreatedAt   time.Time `gorm:"column:created_at"`
	CreatedBy   string    `gorm:"column:created_by"`
}

func (lotSampleRow) TableName() string { return "lot_samples" }

// storedDefect is a defect in the store's document of a sample's defects.
type storedDefect struct {
	Class string `json:"c"`
	Code  string `json:"k"`
	Note  string `json:"n,omitempty"`
}

func (r lotSampleRow) domain() (audit.LotSample, error) {
	var ds []storedDefect
	if err := json.Unmarshal([]byte(r.Defects), &ds); err != nil {
		return audit.LotSample{}, fmt.Errorf("lot sample %s: stored defects: %w", r.ID, err)
	}
	defects := make([]audit.Defect, len(ds))
	for i, d := range ds {
		defects[i] = audit.Defect{Class: sampling.Class(d.Class), Code: d.Code, Note: d.Note}
	}
	return audit.LotSample{ID: r.ID, LotID: r.LotID, Number: r.Number, BenchTestID: deref(r.BenchTestID),
		Serial: r.Serial, Defects: defects, Unit: sampling.Unit{Critical: r.Critical, Major: r.Major, Minor: r.Minor},
		CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy}, nil
}

// holdStream returns the stream of key locked, creating it on normal inspection when its
// source has none; a stream created here is reported by created. Two transactions creating
// the same stream meet at the unique source_key: the second waits for the first (PostgreSQL)
// or runs after it (SQLite), then finds its row.
func (s *Store) holdStream(tx *gorm.DB, key audit.LotStream) (row lotStreamRow, created bool, err error) {
	sk := sourceKey(key)
	find := func() error {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, "source_key = ?", sk).Error
	}
	err = find()
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return row, false, translate(err, "lot stream")
	}
	row = lotStreamRow{ID: s.newID(audit.PrefixLotStream), Kind: string(key.Kind), SourceKey: sk,
		SellerID: optional(key.SellerID), Supplier: optional(key.Supplier), PartType: optional(string(key.PartType)),
		State: string(sampling.StateNormal), CreatedAt: microUTC(s.now())}
	res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "source_key"}}, DoNothing: true}).Create(&row)
	if res.Error != nil {
		return row, false, translate(res.Error, "lot stream")
	}
	if res.RowsAffected == 1 {
		return row, true, nil
	}
	row = lotStreamRow{}
	return row, false, translate(find(), "lot stream")
}

// CreateLot implements audit.LotStore: in one transaction it holds (or creates) the lot's
// stream, has build make the lot at the stream's state, and stores it, with the events of the
// stream (when new) and of the lot.
func (s *Store) CreateLot(ctx context.Context, by audit.Principal, key audit.LotStream,
	build func(st audit.LotStream, now time.Time) (audit.Lot, error)) (audit.Lot, error) {
	var out audit.Lot
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if key.Kind == audit.LotDevices {
			if err := s.sellerExists(ctx, tx, key.SellerID); err != nil {
				return err
			}
		}
		st, created, err := s.holdStream(tx, key)
		if err != nil {
			return err
		}
		if created {
			if err := s.record(tx, by, "create", "lot_stream", st.ID); err != nil {
				return err
			}
		}
		l, err := build(st.domain(), microUTC(s.now()))
		if err != nil {
			return err
		}
		l.ID, l.StreamID = s.newID(audit.PrefixLot), st.ID
		row := newLotRow(l)
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, fmt.Sprintf("lot %q of stream %s", l.LotRef, st.ID))
		}
		pos, err := encodePositions(l.Positions)
		if err != nil {
			return err
		}
		if err := tx.Create(&lotPositionsRow{LotID: row.ID, Positions: pos}).Error; err != nil {
			return translate(err, "lot positions "+row.ID)
		}
		if out, err = row.domain(); err != nil {
			return err
		}
		out.Positions = slices.Clone(l.Positions)
		return s.record(tx, by, "create", "lot", row.ID)
	})
	if err != nil {
		return audit.Lot{}, err
	}
	s.positions.put(out.ID, out.Positions)
	return out, nil
}

// The statements of a sample's write (AddLotSample), prepared once on the write pool: the
// hot path of mass testing, so it goes through database/sql without GORM's query building.
var (
	lotForSampleSQL = preparedQuery{name: "lot-for-sample",
		sql: "SELECT " + lotColumns + " FROM lots WHERE id = ?"}
	lotForSamplePostgres = preparedQuery{name: "lot-for-sample-locked",
		sql: "SELECT " + lotColumns + " FROM lots WHERE id = ? FOR UPDATE"}
	insertLotSampleSQL = preparedQuery{name: "insert-lot-sample",
		sql: "INSERT INTO lot_samples (id, lot_id, number, bench_test_id, serial, defects, critical, major, minor, " +
			"created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"}
	updateLotTallySQL = preparedQuery{name: "update-lot-tally",
		sql: "UPDATE lots SET samples_received = ?, critical_inspected = ?, critical_nonconforming = ?, " +
			"major_inspected = ?, major_nonconforming = ?, minor_inspected = ?, minor_nonconforming = ?, " +
			"decision = ?, decided_at = ? WHERE id = ?"}
	insertEventSQL = preparedQuery{name: "insert-event",
		sql: "INSERT INTO events (id, at, key_id, role, action, entity, entity_id) VALUES (?, ?, ?, ?, ?, ?, ?)"}
)

// sampleStmts are the prepared statements of a sample's write.
type sampleStmts struct {
	lot, insert, tally, event *sql.Stmt
}

// sampleWrite returns the statements of a sample's write. It must not run inside a write on
// SQLite: preparing takes the one writer connection.
func (s *Store) sampleWrite(ctx context.Context) (sampleStmts, error) {
	lotQ := lotForSampleSQL
	if s.driver == Postgres {
		lotQ = lotForSamplePostgres // SQLite's immediate transaction holds the lot already
	}
	var out sampleStmts
	for _, p := range []struct {
		dst **sql.Stmt
		q   preparedQuery
	}{{&out.lot, lotQ}, {&out.insert, insertLotSampleSQL}, {&out.tally, updateLotTallySQL}, {&out.event, insertEventSQL}} {
		st, err := s.preparedWrite(ctx, p.q)
		if err != nil {
			return sampleStmts{}, err
		}
		*p.dst = st
	}
	return out, nil
}

// AddLotSample implements audit.LotStore. The lot row is held first and, only when the sample
// decides the lot, its stream second (the order of every writer that holds both); the sample
// is numbered from the lot's tally as held, and the unique indexes on (lot_id, number) and
// bench_test_id are the last word on a number or a bench test taken. A sample reads the lot
// row (never its positions nor the other samples), inserts its own row and its event and
// rewrites the lot's tally — four prepared statements — and, when the lot is decided, the
// stream row and the decision's events: the cost does not grow with the samples already in.
// On SQLite it goes through the group commit, so that the samples a lab logs at once share one
// COMMIT (and one fsync): each is still all or nothing, under its own savepoint, and sees the
// tally of the ones before it in the group. The positions of the lot answered come from the
// cache (or one read, the first time after a start), after the write.
func (s *Store) AddLotSample(ctx context.Context, by audit.Principal, id string,
	add func(l audit.Lot, stream func() (audit.LotStream, error), now time.Time) (audit.Lot, audit.LotSample, audit.LotStream, error)) (audit.Lot, audit.LotSample, error) {
	if !storable(id) {
		return audit.Lot{}, audit.LotSample{}, fmt.Errorf("lot %q: %w", id, audit.ErrNotFound)
	}
	stmts, err := s.sampleWrite(ctx)
	if err != nil {
		return audit.Lot{}, audit.LotSample{}, err
	}
	var lot audit.Lot
	var sample audit.LotSample
	err = s.groupTx(ctx, 1, func(tx *gorm.DB) error {
		sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
		if !ok {
			return errors.New("store: a sample is written in a transaction")
		}
		txc := tx.Statement.Context
		var lr lotRow
		if err := sqlTx.StmtContext(txc, stmts.lot).QueryRowContext(txc, id).Scan(lr.fields()...); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("lot %s: %w", id, audit.ErrNotFound)
			}
			return translate(s.driverError(err), "lot "+id)
		}
		before, err := lr.domain()
		if err != nil {
			return err
		}
		var sr lotStreamRow
		held := false
		stream := func() (audit.LotStream, error) {
			if !held {
				if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&sr, "id = ?", lr.StreamID).Error; err != nil {
					return audit.LotStream{}, translate(err, "lot stream "+lr.StreamID)
				}
				held = true
			}
			return sr.domain(), nil
		}
		now := microUTC(s.now())
		l, smp, st, err := add(before, stream, now)
		if err != nil {
			return err
		}
		if l.Decided() && !held {
			return fmt.Errorf("lot %s: decided without its stream held", id)
		}
		ds := make([]storedDefect, len(smp.Defects))
		for i, d := range smp.Defects {
			ds[i] = storedDefect{Class: string(d.Class), Code: d.Code, Note: d.Note}
		}
		doc, err := json.Marshal(ds)
		if err != nil {
			return err
		}
		sampleID := s.newID(audit.PrefixLotSample)
		_, err = sqlTx.StmtContext(txc, stmts.insert).ExecContext(txc, sampleID, id, smp.Number,
			optional(smp.BenchTestID), smp.Serial, string(doc), smp.Unit.Critical, smp.Unit.Major, smp.Unit.Minor,
			microUTC(smp.CreatedAt), smp.CreatedBy)
		if err != nil {
			err = s.driverError(err)
			if errors.Is(err, gorm.ErrDuplicatedKey) && smp.BenchTestID != "" {
				return fmt.Errorf("bench test %s is already a sample of a lot: %w", smp.BenchTestID, audit.ErrConflict)
			}
			return translate(err, fmt.Sprintf("sample %d of lot %s", smp.Number, id))
		}
		n := newLotRow(l)
		_, err = sqlTx.StmtContext(txc, stmts.tally).ExecContext(txc, n.SamplesReceived,
			n.CriticalInspected, n.CriticalNonconforming, n.MajorInspected, n.MajorNonconforming,
			n.MinorInspected, n.MinorNonconforming, n.Decision, n.DecidedAt, id)
		if err != nil {
			return translate(s.driverError(err), "lot "+id)
		}
		_, err = sqlTx.StmtContext(txc, stmts.event).ExecContext(txc, s.newID(audit.PrefixEvent), s.now(),
			by.KeyID, string(by.Role), "create", "lot_sample", sampleID)
		if err != nil {
			return translate(s.driverError(err), "event of sample "+sampleID)
		}
		if l.Decided() {
			if err := s.record(tx, by, string(l.Decision), "lot", id); err != nil {
				return err
			}
			if err := tx.Model(&lotStreamRow{}).Where("id = ?", sr.ID).Updates(streamState(st)).Error; err != nil {
				return translate(err, "lot stream "+sr.ID)
			}
			if st.Stream.Current() != sr.domain().Stream.Current() {
				if err := s.record(tx, by, "switch_"+string(st.Stream.Current()), "lot_stream", sr.ID); err != nil {
					return err
				}
			}
		}
		defects := make([]audit.Defect, len(smp.Defects))
		copy(defects, smp.Defects)
		lot = l
		sample = audit.LotSample{ID: sampleID, LotID: id, Number: smp.Number, BenchTestID: smp.BenchTestID,
			Serial: smp.Serial, Defects: defects, Unit: smp.Unit, CreatedAt: microUTC(smp.CreatedAt), CreatedBy: smp.CreatedBy}
		return nil
	})
	if err != nil {
		return audit.Lot{}, audit.LotSample{}, err
	}
	one := []audit.Lot{lot}
	if err := s.withPositions(ctx, one); err != nil {
		return audit.Lot{}, audit.LotSample{}, err
	}
	return one[0], sample, nil
}

// driverError is err of a statement run without GORM, in GORM's vocabulary
// (gorm.ErrDuplicatedKey, gorm.ErrForeignKeyViolated…) as translate expects it.
func (s *Store) driverError(err error) error {
	if t, ok := s.write.Dialector.(gorm.ErrorTranslator); ok {
		return t.Translate(err)
	}
	return err
}

// Lot implements audit.LotStore.
func (s *Store) Lot(ctx context.Context, id string) (audit.Lot, error) {
	if !storable(id) {
		return audit.Lot{}, fmt.Errorf("lot %q: %w", id, audit.ErrNotFound)
	}
	var row lotRow
	if err := s.read.WithContext(ctx).Take(&row, "id = ?", id).Error; err != nil {
		return audit.Lot{}, translate(err, "lot "+id)
	}
	l, err := row.domain()
	if err != nil {
		return audit.Lot{}, err
	}
	one := []audit.Lot{l}
	if err := s.withPositions(ctx, one); err != nil {
		return audit.Lot{}, err
	}
	return one[0], nil
}

// Lots implements audit.LotStore: lots in creation order (or the reverse), as f narrows them.
func (s *Store) Lots(ctx context.Context, f audit.LotFilter, p Page) ([]audit.Lot, string, error) {
	if !storable(f.SellerID) || !storable(f.Supplier) {
		if _, err := DecodeCursor(p.Cursor); err != nil {
			return nil, "", err
		}
		return []audit.Lot{}, "", nil
	}
	q := lotsWhere(s.read.WithContext(ctx).Table("lots"), f)
	var rows []lotRow
	next, err := applyPage(p, q, &rows, f.NewestFirst)
	if err != nil {
		return nil, "", translate(err, "lots")
	}
	out := make([]audit.Lot, len(rows))
	for i, r := range rows {
		if out[i], err = r.domain(); err != nil {
			return nil, "", err
		}
	}
	if err := s.withPositions(ctx, out); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// CountLots implements audit.LotStore in one COUNT of the lots Lots would list.
func (s *Store) CountLots(ctx context.Context, f audit.LotFilter) (int, error) {
	if !storable(f.SellerID) || !storable(f.Supplier) {
		return 0, nil
	}
	var n int64
	if err := lotsWhere(s.read.WithContext(ctx).Table("lots"), f).Count(&n).Error; err != nil {
		return 0, translate(err, "lots")
	}
	return int(n), nil
}

// lotsWhere narrows q, a new query of the lots table, to the lots f keeps.
func lotsWhere(q *gorm.DB, f audit.LotFilter) *gorm.DB {
	if f.Kind != "" {
		q = q.Where("lots.kind = ?", string(f.Kind))
	}
	if f.SellerID != "" {
		q = q.Where("lots.seller_id = ?", f.SellerID)
	}
	if f.Supplier != "" {
		q = q.Where("lots.supplier = ?", f.Supplier)
	}
	if f.Decision != "" {
		q = q.Where("lots.decision = ?", string(f.Decision))
	}
	if f.DecidedOnly {
		q = q.Where("lots.decision IN ?", []string{string(sampling.Accepted), string(sampling.Rejected)})
	}
	if !f.From.IsZero() {
		q = q.Where("lots.received_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("lots.received_at < ?", f.To.UTC())
	}
	if !f.DecidedFrom.IsZero() {
		q = q.Where("lots.decided_at >= ?", f.DecidedFrom.UTC())
	}
	if !f.DecidedTo.IsZero() {
		q = q.Where("lots.decided_at < ?", f.DecidedTo.UTC())
	}
	return q
}

// LotSamples implements audit.LotStore: the samples of a lot by number, the cursor holding
// the number of the last one served.
func (s *Store) LotSamples(ctx context.Context, lotID string, p Page) ([]audit.LotSample, string, error) {
	after, err := DecodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	from := 0
	if after != "" {
		if from, err = strconv.Atoi(after); err != nil || from < 1 {
			return nil, "", audit.BadCursor()
		}
	}
	n := pageLimit(p)
	var rows []lotSampleRow
	err = s.read.WithContext(ctx).Where("lot_id = ? AND number > ?", lotID, from).
		Order("number").Limit(n + 1).Find(&rows).Error
	if err != nil {
		return nil, "", translate(err, "lot samples")
	}
	next := ""
	if len(rows) > n {
		rows = rows[:n]
		next = EncodeCursor(strconv.Itoa(rows[n-1].Number))
	}
	out := make([]audit.LotSample, len(rows))
	for i, r := range rows {
		if out[i], err = r.domain(); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// LotStreams implements audit.LotStore.
func (s *Store) LotStreams(ctx context.Context, f audit.LotStreamFilter, p Page) ([]audit.LotStream, string, error) {
	q := s.read.WithContext(ctx).Table("lot_streams")
	if f.Kind != "" {
		q = q.Where("lot_streams.kind = ?", string(f.Kind))
	}
	if f.SellerID != "" {
		q = q.Where("lot_streams.seller_id = ?", f.SellerID)
	}
	if f.Supplier != "" {
		q = q.Where("lot_streams.supplier = ?", f.Supplier)
	}
	var rows []lotStreamRow
	next, err := applyPage(p, q, &rows, false)
	if err != nil {
		return nil, "", translate(err, "lot streams")
	}
	out := make([]audit.LotStream, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

// ChangeLotStream implements audit.LotStore, holding the stream row while change decides.
func (s *Store) ChangeLotStream(ctx context.Context, by audit.Principal, id, action string,
	change func(st audit.LotStream, now time.Time) (audit.LotStream, error)) (audit.LotStream, error) {
	if !storable(id) {
		return audit.LotStream{}, fmt.Errorf("lot stream %q: %w", id, audit.ErrNotFound)
	}
	var out audit.LotStream
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row lotStreamRow
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, "id = ?", id).Error; err != nil {
			return translate(err, "lot stream "+id)
		}
		st, err := change(row.domain(), microUTC(s.now()))
		if err != nil {
			return err
		}
		if err := tx.Model(&lotStreamRow{}).Where("id = ?", id).Updates(streamState(st)).Error; err != nil {
			return translate(err, "lot stream "+id)
		}
		if err := tx.Take(&row, "id = ?", id).Error; err != nil {
			return translate(err, "lot stream "+id)
		}
		out = row.domain()
		return s.record(tx, by, action, "lot_stream", id)
	})
	if err != nil {
		return audit.LotStream{}, err
	}
	return out, nil
}

// supplierRow is one group of the supplier summary.
type supplierRow struct {
	Supplier     string `gorm:"column:supplier"`
	PartType     string `gorm:"column:part_type"`
	LotsDecided  int    `gorm:"column:lots_decided"`
	LotsRejected int    `gorm:"column:lots_rejected"`
	Samples      int    `gorm:"column:samples"`
	Critical     int    `gorm:"column:critical"`
	Major        int    `gorm:"column:major"`
	Minor        int    `gorm:"column:minor"`
}

// SupplierSummaries implements audit.LotStore in two grouped queries: the lots decided, and
// the samples of those lots, per supplier and part type.
func (s *Store) SupplierSummaries(ctx context.Context, from, to time.Time) ([]audit.SupplierSummary, error) {
	scope := func(q *gorm.DB) *gorm.DB {
		q = q.Where("lots.kind = ? AND lots.decided_at IS NOT NULL", string(audit.LotParts))
		if !from.IsZero() {
			q = q.Where("lots.decided_at >= ?", from.UTC())
		}
		if !to.IsZero() {
			q = q.Where("lots.decided_at < ?", to.UTC())
		}
		return q
	}
	db := s.read.WithContext(ctx)
	var lots []supplierRow
	err := scope(db.Table("lots")).Select("lots.supplier, lots.part_type, COUNT(*) AS lots_decided, " +
		"SUM(CASE WHEN lots.decision = 'rejected' THEN 1 ELSE 0 END) AS lots_rejected").
		Group("lots.supplier, lots.part_type").Order("lots.supplier, lots.part_type").Scan(&lots).Error
	if err != nil {
		return nil, translate(err, "supplier summary")
	}
	var samples []supplierRow
	err = scope(db.Table("lot_samples").Joins("JOIN lots ON lots.id = lot_samples.lot_id")).
		Select("lots.supplier, lots.part_type, COUNT(*) AS samples, " +
			"SUM(CASE WHEN lot_samples.critical THEN 1 ELSE 0 END) AS critical, " +
			"SUM(CASE WHEN lot_samples.major THEN 1 ELSE 0 END) AS major, " +
			"SUM(CASE WHEN lot_samples.minor THEN 1 ELSE 0 END) AS minor").
		Group("lots.supplier, lots.part_type").Scan(&samples).Error
	if err != nil {
		return nil, translate(err, "supplier summary")
	}
	type key struct{ supplier, partType string }
	bySource := make(map[key]supplierRow, len(samples))
	for _, r := range samples {
		bySource[key{r.Supplier, r.PartType}] = r
	}
	out := make([]audit.SupplierSummary, len(lots))
	for i, r := range lots {
		smp := bySource[key{r.Supplier, r.PartType}]
		out[i] = audit.SupplierSummary{Supplier: r.Supplier, PartType: audit.PartType(r.PartType),
			LotsDecided: r.LotsDecided, LotsRejected: r.LotsRejected,
			Samples: smp.Samples, Critical: smp.Critical, Major: smp.Major, Minor: smp.Minor}
	}
	return out, nil
}
