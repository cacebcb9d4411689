package audit

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/refurbqa/refurbqa/grading"
)

// Device grade certificates (transparency.md §1): every stored bench test and mystery order
// has one, for the buyer of that device, and anybody holding its verification code may check
// it. The certificate is built here, once, for every adapter: the PDF of staff and sellers and
// the public verification page show the same thing, and neither ever holds what the buyer must
// not see (the seller's contact, the device's full IMEI or serial, the lab's reasons and
// evidence).

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

// Certificate is what a device's certificate shows, and all that the public verification of
// its code shows: the device with its IMEI or serial masked, its grades in words, its battery,
// its functional tests grouped by outcome, the compliance checks it passed, its non-genuine
// parts, who tested it and when under which ruleset, its verification code, and, when the
// record has been corrected since, the grade that now stands.
type Certificate struct {
	Kind   RecordKind
	Code   string // canonical (16 characters); FormatVerificationCode for people
	Device CertificateDevice
	// Status and Marketplace are the device's status and listing grade (empty unless
	// sellable); Meaning says in a sentence what they mean.
	Status      grading.Status
	Marketplace grading.Marketplace
	Meaning     string
	Functional  grading.Functional // empty when incomplete
	Cosmetic    grading.CosmeticGrade
	// CosmeticName is the cosmetic grade's name ("Light wear").
	CosmeticName string
	// Zones are the screen, then the body, each with its marks and their words.
	Zones          []ZoneReport
	BatteryHealth  float64 // percentage of design capacity
	BatteryGenuine bool
	// Tests are the functional tests of the category's protocol grouped by outcome: passed,
	// failed, not tested, not applicable, each group in protocol order; empty groups are left
	// out.
	Tests []TestGroup
	// CompliancePassed are the compliance checks the device passed, in the order of
	// grading.md §2.
	CompliancePassed []Check
	// NonGenuineParts are the parts replaced with non-original ones (grading.PartNames), in
	// the order recorded; empty when none.
	NonGenuineParts []string
	Lab             string // empty for a mystery order
	TestedAt        time.Time
	Ruleset         string
	// Correction is the grade that now stands when the record has been superseded by a
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
	// IdentifierKind is "imei" or "serial": the IMEI when the device has one, else its serial.
	IdentifierKind string
	// Identifier is that IMEI or serial masked to its last characters (MaskIdentifier).
	Identifier string
}

// ZoneReport is one cosmetic zone of a certificate.
type ZoneReport struct {
	Zone  string // "screen" or "body"
	Marks grading.Zone
	Words string // ZoneWords(Marks)
}

// TestGroup is the functional tests of one outcome.
type TestGroup struct {
	Outcome grading.Outcome
	Words   string  // OutcomeWords(Outcome)
	Tests   []Check // each test's code and name (TestName)
}

// Check is one named item of a certificate: a functional test or a compliance check, by its
// code, with its words.
type Check struct {
	Code  string
	Words string
}

// CertificateCorrection is the grade that stands after the certified record was corrected.
type CertificateCorrection struct {
	Status       grading.Status
	Marketplace  grading.Marketplace
	Meaning      string
	Functional   grading.Functional
	Cosmetic     grading.CosmeticGrade
	CosmeticName string
	CorrectedAt  time.Time
}

// BenchTestCertificate returns the certificate of bench test id: staff any, a seller those of
// its own devices (ErrNotFound otherwise, as for the bench test itself).
func (s *Service) BenchTestCertificate(ctx context.Context, by Principal, id string) (Certificate, error) {
	rec, err := s.BenchTest(ctx, by, id)
	if err != nil {
		return Certificate{}, err
	}
	c, _, err := s.certificate(ctx, Certified{Kind: KindBenchTest, ID: rec.ID, SellerID: rec.SellerID, Lab: rec.Lab,
		TestedAt: rec.TestedAt, Inspection: rec.Inspection, Grade: rec.Grade,
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
		TestedAt: rec.CreatedAt, Inspection: rec.Inspection, Grade: rec.Grade,
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

// NewCertificate builds the certificate of a record, its functional tests grouped after the
// protocols of its category (a test the record does not list counts as not tested, as in
// grading), with the correction that stands when it was superseded (nil when not).
func NewCertificate(c Certified, ps grading.Protocols, corr *Correction) Certificate {
	in, g := c.Inspection, c.Grade
	kind, id := identifier(in.Device)
	cert := Certificate{
		Kind: c.Kind, Code: c.VerificationCode,
		Device: CertificateDevice{Category: in.Device.Category, Brand: in.Device.Brand, Model: in.Device.Model,
			StorageGB: in.Device.StorageGB, IdentifierKind: kind, Identifier: MaskIdentifier(id)},
		Status: g.Status, Marketplace: g.Marketplace, Meaning: GradeMeaning(g.Status, g.Marketplace),
		Functional: g.Functional, Cosmetic: g.Cosmetic, CosmeticName: CosmeticName(g.Cosmetic),
		Zones: []ZoneReport{
			{Zone: "screen", Marks: in.Cosmetic.Screen, Words: ZoneWords(in.Cosmetic.Screen)},
			{Zone: "body", Marks: in.Cosmetic.Body, Words: ZoneWords(in.Cosmetic.Body)},
		},
		BatteryHealth: in.Battery.HealthPct, BatteryGenuine: in.Battery.Genuine,
		Tests:            testGroups(in, ps),
		CompliancePassed: CompliancePassed(in.Compliance),
		NonGenuineParts:  append([]string{}, in.Parts.NonGenuine...),
		Lab:              c.Lab, TestedAt: c.TestedAt.UTC(), Ruleset: g.Ruleset,
	}
	if corr != nil {
		cg := corr.Grade
		cert.Correction = &CertificateCorrection{Status: cg.Status, Marketplace: cg.Marketplace,
			Meaning: GradeMeaning(cg.Status, cg.Marketplace), Functional: cg.Functional, Cosmetic: cg.Cosmetic,
			CosmeticName: CosmeticName(cg.Cosmetic), CorrectedAt: corr.CorrectedAt.UTC()}
	}
	return cert
}

// identifier returns which identifier a certificate names a device by, and its value: the
// IMEI when the device has one, else its serial.
func identifier(d grading.Device) (kind, value string) {
	switch {
	case d.IMEI != "":
		return "imei", d.IMEI
	case d.Serial != "":
		return "serial", d.Serial
	}
	return "", ""
}

// maskRune hides a character of a masked identifier.
const maskRune = "•"

// MaskIdentifier masks an IMEI or serial to its last 4 characters ("•••••••••••3809" for a
// 15-digit IMEI), keeping its length so that a buyer can compare it with the device. At least
// one character is always hidden: a serial of 4 characters or fewer shows all but its first.
func MaskIdentifier(s string) string {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	keep := min(4, n-1)
	r := []rune(s)
	return strings.Repeat(maskRune, n-keep) + string(r[n-keep:])
}

// testGroups groups the functional tests of in by outcome, in protocol order; tests the
// protocol does not list (none in a valid inspection) follow in code order.
func testGroups(in grading.Inspection, ps grading.Protocols) []TestGroup {
	var codes []string
	seen := map[string]bool{}
	if p, ok := ps.Get(in.Device.Category); ok {
		for _, t := range p.Tests {
			codes = append(codes, t.Code)
			seen[t.Code] = true
		}
	}
	var extra []string
	for code := range in.Functional {
		if !seen[code] {
			extra = append(extra, code)
		}
	}
	sort.Strings(extra)
	codes = append(codes, extra...)
	order := []grading.Outcome{grading.Pass, grading.Fail, grading.NotTested, grading.NotApplicable}
	groups := make([]TestGroup, len(order))
	for i, o := range order {
		groups[i] = TestGroup{Outcome: o, Words: OutcomeWords(o)}
	}
	for _, code := range codes {
		o, ok := in.Functional[code]
		if !ok {
			o = grading.NotTested
		}
		for i := range groups {
			if groups[i].Outcome == o {
				groups[i].Tests = append(groups[i].Tests, Check{Code: code, Words: TestName(code)})
			}
		}
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g.Tests) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// GradeMeaning says in one sentence what a device's marketplace grade means to its buyer
// (grading.md §5), or, without one, why the device may not be listed.
func GradeMeaning(st grading.Status, m grading.Marketplace) string {
	switch st {
	case grading.Rejected:
		return "Not for sale: the device failed a blocking compliance check (a lock, liquid damage, a blacklisted or financed IMEI, or data not erased)."
	case grading.Incomplete:
		return "Not graded: the inspection is incomplete (a required test was not done, or the IMEI status is unknown)."
	case grading.NotSellable:
		return "Not for sale under a marketplace grade: the device has a functional fault or heavy cosmetic wear."
	}
	switch m {
	case grading.Premium:
		return "Premium: like new and fully functional, with only original parts and a genuine battery at 90% or more of its design capacity."
	case grading.Excellent:
		return "Excellent: fully functional; no mark on the screen, and at most light scratches on the body that cannot be seen from 20 cm away."
	case grading.Good:
		return "Good: fully functional; no mark on the screen, and at most light scratches on the body that cannot be seen from 50 cm away."
	case grading.Fair:
		return "Fair: fully functional, with moderate wear: at most light scratches on the screen, and marks on the body but no crack."
	}
	return "No marketplace grade."
}

// CosmeticName is the name of a cosmetic grade (grading.md §3).
func CosmeticName(g grading.CosmeticGrade) string {
	switch g {
	case grading.CosmeticA:
		return "Like new"
	case grading.CosmeticB:
		return "Light wear"
	case grading.CosmeticC:
		return "Moderate wear"
	case grading.CosmeticD:
		return "Heavy wear"
	case grading.CosmeticE:
		return "Cracked"
	}
	return string(g)
}

// ZoneWords says in words what was found on one cosmetic zone: "No marks." or "2 light
// scratches and 1 dent; the most visible can be seen from 30 cm."
func ZoneWords(z grading.Zone) string {
	var marks []string
	for _, m := range []struct {
		n              int
		single, plural string
	}{
		{z.LightScratches, "light scratch", "light scratches"},
		{z.DeepScratches, "deep scratch", "deep scratches"},
		{z.Dents, "dent", "dents"},
		{z.Chips, "chip", "chips"},
		{z.Cracks, "crack", "cracks"},
	} {
		switch {
		case m.n == 1:
			marks = append(marks, "1 "+m.single)
		case m.n > 1:
			marks = append(marks, strconv.Itoa(m.n)+" "+m.plural)
		}
	}
	if len(marks) == 0 {
		return "No marks."
	}
	list := marks[0]
	if n := len(marks); n > 1 {
		list = strings.Join(marks[:n-1], ", ") + " and " + marks[n-1]
	}
	return list + "; the most visible can be seen from " + strconv.Itoa(z.VisibleFromCM) + " cm."
}

// OutcomeWords names a functional test outcome.
func OutcomeWords(o grading.Outcome) string {
	switch o {
	case grading.Pass:
		return "Passed"
	case grading.Fail:
		return "Failed"
	case grading.NotTested:
		return "Not tested"
	case grading.NotApplicable:
		return "Not applicable"
	}
	return string(o)
}

// testNames are the names of the functional tests of grading.md §1 whose code does not read
// as its name once its underscores are spaces.
var testNames = map[string]string{
	"wifi":       "Wi-Fi",
	"sim_reader": "SIM reader",
	"gps":        "GPS",
	"nfc":        "NFC",
	"usb_ports":  "USB ports",
}

// TestName names a functional test by its code ("front_camera" is "Front camera").
func TestName(code string) string {
	if n, ok := testNames[code]; ok {
		return n
	}
	return sentence(code)
}

// PartName names a part of grading.PartNames ("back_glass" is "Back glass").
func PartName(part string) string {
	if part == "other" {
		return "Other part"
	}
	return sentence(part)
}

// sentence turns a snake_case code into words with a capital first letter.
func sentence(code string) string {
	s := strings.ReplaceAll(code, "_", " ")
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

// CompliancePassed lists the compliance checks of c that the device passed, in the order of
// grading.md §2, each by its field name with its words. An IMEI status of not_applicable (a
// device without an IMEI) is no check passed.
func CompliancePassed(c grading.Compliance) []Check {
	var out []Check
	for _, ch := range []struct {
		passed bool
		code   string
		words  string
	}{
		{!c.ActivationLock, "activation_lock", "No activation, FRP, MDM or carrier lock"},
		{c.IMEIStatus == grading.IMEIClean, "imei_status", "IMEI clean in the IMEI database"},
		{!c.LiquidDamage, "liquid_damage", "No liquid damage"},
		{c.DataErased, "data_erased", "Data erased with a certified erasure"},
		{c.FactoryReset, "factory_reset", "Factory reset"},
		{c.OSUpToDate, "os_up_to_date", "Operating system up to date"},
		{c.MarkingsIntact, "markings_intact", "Markings intact"},
		{c.DisplayLikeForLike, "display_like_for_like", "Display of the original panel technology"},
	} {
		if ch.passed {
			out = append(out, Check{Code: ch.code, Words: ch.words})
		}
	}
	return out
}
