package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/grading"
)

// Device grade certificates (transparency.md §1): every stored bench test and mystery order
// has one, for the buyer of that device, and anybody holding its verification code may check
// it. What a certificate holds is decided here, once, for every adapter: the PDF of staff and
// sellers and the public verification show the same facts (package reports words them), and
// none ever holds what the buyer must not see (the seller, the device's full IMEI or serial,
// the grade's reasons).

// RecordKind names the kind of record a certificate is of.
type RecordKind string

// The records that have certificates.
const (
	KindBenchTest    RecordKind = "bench_test"
	KindMysteryOrder RecordKind = "mystery_order"
)

// Certified is a stored record as a certificate reads it: the store's answer to a verification
// code, and what the service makes of a bench test or mystery order read by id.
type Certified struct {
	Kind       RecordKind
	ID         string
	SellerID   string
	Lab        string // empty for a mystery order, which the marketplace's quality team inspects
	TestedAt   time.Time
	RecordedAt time.Time // when the record was stored
	Inspection grading.Inspection
	// Grade is the record's grade; the store may leave its Reasons out, which no certificate
	// shows.
	Grade grading.Grade
	// VerificationCode is the record's code in canonical form; empty only for a record that
	// an older release stored after the migration that gave every record one, until the
	// store gives it one (AssignVerificationCode).
	VerificationCode string
	SupersededBy     string // the correction that superseded the record; empty when none
}

// RecordRef names the record of a verification code, and the correction that superseded it
// (empty when none).
type RecordRef struct {
	Kind         RecordKind
	ID           string
	SupersededBy string
}

// Correction is the record at the end of a chain of corrections: the one that stands.
type Correction struct {
	ID          string
	Grade       grading.Grade
	CorrectedAt time.Time // when the correction was recorded
}

// Certificate is what a device's certificate shows, as facts (package reports words them, for
// the PDF and the public verification alike), and all that the public verification of its code
// shows: the record's kind and id, its verification code, the device with its IMEI or serial
// masked, its grade, the cosmetic marks of each zone, its battery, every functional test's
// outcome, its compliance checks, its parts, who tested it, when, under which ruleset, and,
// when the record has been corrected since, the grade that stands now. It holds nothing of the
// seller and never the device's full identity.
type Certificate struct {
	Kind     RecordKind
	RecordID string
	Code     string // canonical (16 characters); FormatVerificationCode for people
	Device   CertificateDevice
	// Grade is the record's grade, without its reasons.
	Grade    grading.Grade
	Cosmetic grading.Cosmetic
	Battery  grading.Battery
	// Functional is the outcome of every test of the category's protocol, a test the record
	// does not list being not_tested (as grading counts it), and of any other test it lists.
	Functional map[string]grading.Outcome
	Compliance grading.Compliance
	Parts      grading.Parts
	Lab        string // empty for a mystery order
	TestedAt   time.Time
	RecordedAt time.Time // when the record was stored: the certificate's issue date
	// Correction is the grade that stands now when the record has been superseded by a
	// correction (the last of the chain); nil when it has not.
	Correction *CertificateCorrection
}

// CertificateDevice is the device of a certificate, identified only by the last characters of
// its IMEI or serial.
type CertificateDevice struct {
	Category  grading.Category
	Brand     string
	Model     string
	StorageGB int // 0 when not recorded
	// IdentifierKind is "imei" or "serial": the IMEI when the device has one, else its serial;
	// empty when it has neither.
	IdentifierKind string
	// Identifier is that IMEI or serial masked to its last 4 characters (MaskIdentifier).
	Identifier string
}

// CertificateCorrection is the grade that stands after the certified record was corrected.
type CertificateCorrection struct {
	Grade       grading.Grade // without its reasons
	CorrectedAt time.Time
}

// BenchTestCertificate returns the certificate of bench test id: staff any, a seller those of
// its own devices (ErrNotFound otherwise, as for the bench test itself).
func (s *Service) BenchTestCertificate(ctx context.Context, by Principal, id string) (Certificate, error) {
	rec, err := s.BenchTest(ctx, by, id)
	if err != nil {
		return Certificate{}, err
	}
	c, _, err := s.certificate(ctx, Certified{Kind: KindBenchTest, ID: rec.ID, SellerID: rec.SellerID, Lab: rec.Lab,
		TestedAt: rec.TestedAt, RecordedAt: rec.CreatedAt, Inspection: rec.Inspection, Grade: rec.Grade,
		VerificationCode: rec.VerificationCode, SupersededBy: rec.SupersededBy})
	return c, err
}

// MysteryOrderCertificate returns the certificate of mystery order id: staff any, a seller
// those of its own devices (ErrNotFound otherwise). Its test date is the day the inspection
// on arrival was recorded.
func (s *Service) MysteryOrderCertificate(ctx context.Context, by Principal, id string) (Certificate, error) {
	rec, err := s.MysteryOrder(ctx, by, id)
	if err != nil {
		return Certificate{}, err
	}
	c, _, err := s.certificate(ctx, Certified{Kind: KindMysteryOrder, ID: rec.ID, SellerID: rec.SellerID,
		TestedAt: rec.CreatedAt, RecordedAt: rec.CreatedAt, Inspection: rec.Inspection, Grade: rec.Grade,
		VerificationCode: rec.VerificationCode, SupersededBy: rec.SupersededBy})
	return c, err
}

// Verify is the public verification of a certificate: anybody with its code, in any case,
// with or without dashes, gets what the certificate shows, and whether the record has since
// been superseded by a correction (with the grade that now stands). A code that names no
// record, or cannot be a code at all, is ErrNotFound, and so is the answer to anything else:
// no caller learns more than the certificate of the code it holds.
func (s *Service) Verify(ctx context.Context, code string) (Certificate, error) {
	c, _, err := s.VerifyWithState(ctx, code)
	return c, err
}

// VerificationState identifies what the verification of a code shows: the code's record and
// the record whose grade stands, the record itself or the last of its corrections. Records
// are never changed, so two verifications of one code show the same exactly when their states
// are equal, and an adapter may keep what it made of a verification (its encoded answer) for
// as long as VerificationState answers the same state, on this instance or after a correction
// stored by another. Its fields are unexported, so that no id reaches an answer.
type VerificationState struct {
	kind             RecordKind
	record, standing string
}

// VerifyWithState is Verify, with the state of what it shows.
func (s *Service) VerifyWithState(ctx context.Context, code string) (Certificate, VerificationState, error) {
	canonical, ok := ParseVerificationCode(code)
	if !ok {
		return Certificate{}, VerificationState{}, fmt.Errorf("verification code: %w", ErrNotFound)
	}
	c, err := s.store.CertifiedByCode(ctx, canonical)
	if err != nil {
		return Certificate{}, VerificationState{}, err
	}
	return s.certificate(ctx, c)
}

// VerificationState returns the state the verification of code shows now, reading none of
// the record's contents: one indexed read, and the chain of corrections only when the record
// was superseded. ErrNotFound as Verify.
func (s *Service) VerificationState(ctx context.Context, code string) (VerificationState, error) {
	canonical, ok := ParseVerificationCode(code)
	if !ok {
		return VerificationState{}, fmt.Errorf("verification code: %w", ErrNotFound)
	}
	ref, err := s.store.RecordOfCode(ctx, canonical)
	if err != nil {
		return VerificationState{}, err
	}
	st := VerificationState{kind: ref.Kind, record: ref.ID, standing: ref.ID}
	if ref.SupersededBy != "" {
		last, err := s.latestCorrection(ctx, ref)
		if err != nil {
			return VerificationState{}, err
		}
		st.standing = last.ID
	}
	return st, nil
}

// latestCorrection reads the correction that stands for a record that ref says was
// superseded.
func (s *Service) latestCorrection(ctx context.Context, ref RecordRef) (Correction, error) {
	last, err := s.store.LatestCorrection(ctx, ref.Kind, ref.ID)
	if errors.Is(err, ErrNotFound) {
		return Correction{}, fmt.Errorf("%s %s: superseded by %s, whose chain cannot be read: %w", ref.Kind, ref.ID, ref.SupersededBy, err)
	}
	return last, err
}

// certificate builds the certificate of c, giving c a verification code first when it has
// none yet, and reading the correction that stands when c was superseded, with the state it
// shows.
func (s *Service) certificate(ctx context.Context, c Certified) (Certificate, VerificationState, error) {
	if c.VerificationCode == "" {
		code, err := NewVerificationCode(s.random)
		if err != nil {
			return Certificate{}, VerificationState{}, err
		}
		// The store keeps the code another request may have given the record a moment before.
		if c.VerificationCode, err = s.store.AssignVerificationCode(ctx, c.Kind, c.ID, code); err != nil {
			return Certificate{}, VerificationState{}, err
		}
	}
	st := VerificationState{kind: c.Kind, record: c.ID, standing: c.ID}
	var corr *Correction
	if c.SupersededBy != "" {
		last, err := s.latestCorrection(ctx, RecordRef{Kind: c.Kind, ID: c.ID, SupersededBy: c.SupersededBy})
		if err != nil {
			return Certificate{}, VerificationState{}, err
		}
		corr, st.standing = &last, last.ID
	}
	return NewCertificate(c, s.protocols, corr), st, nil
}

// NewCertificate builds the certificate of a record, its functional tests completed after the
// protocol of its category when ps has it (a test the record does not list counts as not
// tested, as in grading), with the correction that stands when it was superseded (nil when
// not).
func NewCertificate(c Certified, ps grading.Protocols, corr *Correction) Certificate {
	in := c.Inspection
	kind, id := identifier(in.Device)
	g := c.Grade
	g.Reasons = nil
	fn := make(map[string]grading.Outcome, len(in.Functional))
	if p, ok := ps.Get(in.Device.Category); ok {
		for _, t := range p.Tests {
			fn[t.Code] = grading.NotTested
		}
	}
	for code, o := range in.Functional {
		fn[code] = o
	}
	cert := Certificate{
		Kind: c.Kind, RecordID: c.ID, Code: c.VerificationCode,
		Device: CertificateDevice{Category: in.Device.Category, Brand: in.Device.Brand, Model: in.Device.Model,
			StorageGB: in.Device.StorageGB, IdentifierKind: kind, Identifier: MaskIdentifier(id)},
		Grade: g, Cosmetic: in.Cosmetic, Battery: in.Battery, Functional: fn, Compliance: in.Compliance,
		Parts: grading.Parts{NonGenuine: append([]string{}, in.Parts.NonGenuine...), Disclosed: in.Parts.Disclosed},
		Lab:   c.Lab, TestedAt: c.TestedAt.UTC(), RecordedAt: c.RecordedAt.UTC(),
	}
	if corr != nil {
		cg := corr.Grade
		cg.Reasons = nil
		cert.Correction = &CertificateCorrection{Grade: cg, CorrectedAt: corr.CorrectedAt.UTC()}
	}
	return cert
}

// identifier returns which identifier a certificate names a device by, and its value: the
// IMEI when the device has one, else its serial.
func identifier(d grading.Device) (kind, value string) {
	switch {
	case strings.TrimSpace(d.IMEI) != "":
		return "imei", strings.TrimSpace(d.IMEI)
	case strings.TrimSpace(d.Serial) != "":
		return "serial", strings.TrimSpace(d.Serial)
	}
	return "", ""
}

// maskRune hides a character of a masked identifier.
const maskRune = "•"

// maxMasked bounds the hidden characters shown of a long serial.
const maxMasked = 12

// MaskIdentifier masks an IMEI or serial to its last 4 characters ("•••••••••••3809" for a
// 15-digit IMEI; at most 12 dots), so that a buyer can find the device's identity on it while
// no certificate ever holds the rest; an identifier of 4 characters or fewer is its last 4.
// The seller reports mask identities by the same rule.
func MaskIdentifier(s string) string {
	r := []rune(s)
	n := len(r)
	if n <= 4 {
		return s
	}
	return strings.Repeat(maskRune, min(n-4, maxMasked)) + string(r[n-4:])
}
