package reports

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// This file is the device grade certificate's model (transparency.md §1): what a buyer is
// shown about one inspected device, in values and in the words printed for them. The PDF
// (certificate_render.go) and the public verification page print the same Certificate, so
// the wording lives here once.

// The sources of a certificate.
const (
	SourceBenchTest    = "bench_test"
	SourceMysteryOrder = "mystery_order"
)

// MysteryOrderLab is the lab printed on the certificate of a mystery order: the marketplace's
// own quality team inspected the device when it arrived.
const MysteryOrderLab = "Marketplace quality team"

// Certificate is what the grade certificate of one stored bench test or mystery order shows.
// It holds no seller contact and no full IMEI or serial: only the last four characters of the
// device's identity ever enter it, so nothing built from it can leak the rest.
type Certificate struct {
	RecordID string // the bench test's or mystery order's id
	Source   string // SourceBenchTest or SourceMysteryOrder

	Device CertificateDevice

	// The grades as stored with the record (the rules of Ruleset).
	Status      grading.Status
	Marketplace grading.Marketplace // empty unless the device is sellable
	Functional  grading.Functional  // empty when the inspection is incomplete
	Cosmetic    grading.CosmeticGrade
	// GradeLabel names the marketplace grade ("Excellent"), or says why there is none ("Not
	// for sale"); GradeMeaning is the sentence that tells a buyer what it means.
	GradeLabel, GradeMeaning string
	// FunctionalLabel and CosmeticLabel are the two grades in words ("F0 · fully functional",
	// "B · Light wear").
	FunctionalLabel, CosmeticLabel string
	Zones                          []ZoneCondition // screen, then body

	Battery BatteryCondition

	// Tests are the functional tests' results grouped by outcome: passed, failed, not
	// tested, not applicable; groups without a test are left out.
	Tests []TestGroup

	// CompliancePassed and ComplianceFailed name the compliance checks in words, in a fixed
	// order; a device without an IMEI has no IMEI check.
	CompliancePassed, ComplianceFailed []string

	// NonGenuineParts names the parts replaced with non-original ones; empty when none.
	// PartsDisclosed says whether the listing disclosed them.
	NonGenuineParts []string
	PartsDisclosed  bool

	Lab      string
	TestedAt time.Time // the day of the test (bench tests) or of the inspection on arrival (mystery orders)
	Ruleset  string

	// Code is the record's verification code, and VerifyURL the public address that shows
	// it (GET /verify/{code}); the QR code on the certificate encodes VerifyURL.
	Code, VerifyURL string

	// Issued is printed as the certificate's date and stamped as the PDF's creation date:
	// the same Certificate always gives the same bytes. CertificateOf sets it to the day the
	// record was stored, so a record's certificate never changes; a caller may set another.
	Issued time.Time

	// Correction is the grade that stands now when the record has been superseded by a
	// correction; nil when it has not (and always from CertificateOf).
	Correction *CertificateCorrection
}

// CertificateDevice is the device as the certificate shows it.
type CertificateDevice struct {
	Category      grading.Category
	CategoryLabel string // "Smartphone"
	Brand, Model  string
	StorageGB     int    // 0 when not recorded
	StorageLabel  string // "128 GB", or empty when not recorded
	// IdentityKind is "IMEI" or "Serial number"; Identity is that identity masked to its last
	// four characters ("•••••••••••1234"); both are empty when the record has neither.
	IdentityKind, Identity string
}

// ZoneCondition is one cosmetic zone in words.
type ZoneCondition struct {
	Zone  string // "Screen" or "Body"
	Marks string // "No marks" or "2 light scratches, 1 chip · visible from 30 cm"
}

// BatteryCondition is the battery as measured.
type BatteryCondition struct {
	HealthPct  float64
	Genuine    bool
	CycleCount *int
	// Summary is the battery in words: "92% of its original capacity · genuine battery ·
	// 312 charge cycles".
	Summary string
}

// TestGroup is the functional tests of one outcome.
type TestGroup struct {
	Outcome grading.Outcome
	Label   string   // "Passed"
	Tests   []string // the tests in words, sorted
}

// CertificateOf is the certificate of a stored bench test. verifyURL is the public address of
// the record's verification page and code its verification code.
func CertificateOf(b audit.BenchTest, verifyURL, code string) Certificate {
	return CertificateOfView(audit.NewCertificate(audit.Certified{Kind: audit.KindBenchTest, ID: b.ID, SellerID: b.SellerID,
		Lab: b.Lab, TestedAt: b.TestedAt, RecordedAt: cmp.Or(b.CreatedAt, b.TestedAt), Inspection: b.Inspection,
		Grade: b.Grade, VerificationCode: code}, nil, nil), verifyURL)
}

// CertificateOfOrder is the certificate of a stored mystery order: the device bought
// anonymously and inspected by the marketplace's quality team when it arrived.
func CertificateOfOrder(o audit.MysteryOrder, verifyURL, code string) Certificate {
	return CertificateOfView(audit.NewCertificate(audit.Certified{Kind: audit.KindMysteryOrder, ID: o.ID, SellerID: o.SellerID,
		TestedAt: o.CreatedAt, RecordedAt: o.CreatedAt, Inspection: o.Inspection, Grade: o.Grade, VerificationCode: code}, nil, nil),
		verifyURL)
}

// CertificateOfView words what the domain's certificate of a record holds (audit.Certificate,
// its identity masked already): the one model of the PDF and of the public verification's page
// and JSON, which therefore say the same thing in the same words. verifyURL is the public
// address of the record's verification; the code is printed with its dashes. It is issued on
// the day the record was stored, so that a record's certificate never changes.
func CertificateOfView(v audit.Certificate, verifyURL string) Certificate {
	d := v.Device
	c := Certificate{
		RecordID: v.RecordID,
		Source:   SourceBenchTest,
		Device: CertificateDevice{
			Category:      d.Category,
			CategoryLabel: categoryLabel(d.Category),
			Brand:         strings.TrimSpace(d.Brand),
			Model:         strings.TrimSpace(d.Model),
			StorageGB:     d.StorageGB,
			Identity:      d.Identifier,
		},
		Status:          v.Grade.Status,
		Marketplace:     v.Grade.Marketplace,
		Functional:      v.Grade.Functional,
		Cosmetic:        v.Grade.Cosmetic,
		FunctionalLabel: functionalLabel(v.Grade.Functional),
		CosmeticLabel:   cosmeticLabel(v.Grade.Cosmetic),
		Zones: []ZoneCondition{
			{Zone: "Screen", Marks: zoneMarks(v.Cosmetic.Screen)},
			{Zone: "Body", Marks: zoneMarks(v.Cosmetic.Body)},
		},
		Battery: BatteryCondition{
			HealthPct:  v.Battery.HealthPct,
			Genuine:    v.Battery.Genuine,
			CycleCount: v.Battery.CycleCount,
			Summary:    batterySummary(v.Battery),
		},
		Tests:          testGroups(v.Functional),
		PartsDisclosed: v.Parts.Disclosed,
		Lab:            v.Lab,
		TestedAt:       v.TestedAt.UTC(),
		Ruleset:        v.Grade.Ruleset,
		Code:           audit.FormatVerificationCode(v.Code),
		VerifyURL:      verifyURL,
		Issued:         cmp.Or(v.RecordedAt, v.TestedAt).UTC(),
	}
	if v.Kind == audit.KindMysteryOrder {
		c.Source, c.Lab = SourceMysteryOrder, MysteryOrderLab
	}
	if d.StorageGB > 0 {
		c.Device.StorageLabel = strconv.Itoa(d.StorageGB) + " GB"
	}
	switch d.IdentifierKind {
	case "imei":
		c.Device.IdentityKind = "IMEI"
	case "serial":
		c.Device.IdentityKind = "Serial number"
	}
	c.GradeLabel, c.GradeMeaning = gradeWords(v.Grade)
	c.CompliancePassed, c.ComplianceFailed = complianceWords(v.Compliance)
	for _, p := range v.Parts.NonGenuine {
		c.NonGenuineParts = append(c.NonGenuineParts, partLabel(p))
	}
	if k := v.Correction; k != nil {
		cc := &CertificateCorrection{Status: k.Grade.Status, Marketplace: k.Grade.Marketplace,
			Functional: k.Grade.Functional, Cosmetic: k.Grade.Cosmetic, CorrectedAt: k.CorrectedAt.UTC(),
			FunctionalLabel: functionalLabel(k.Grade.Functional), CosmeticLabel: cosmeticLabel(k.Grade.Cosmetic)}
		cc.GradeLabel, cc.GradeMeaning = gradeWords(k.Grade)
		c.Correction = cc
	}
	return c
}

// CertificateCorrection is the grade that stands after the certified record was corrected,
// in words as the certificate's own. The public verification shows it; the PDF is the
// certificate as it was issued.
type CertificateCorrection struct {
	Status                         grading.Status
	Marketplace                    grading.Marketplace
	Functional                     grading.Functional
	Cosmetic                       grading.CosmeticGrade
	GradeLabel, GradeMeaning       string
	FunctionalLabel, CosmeticLabel string
	CorrectedAt                    time.Time
}

// categoryLabel names a device category for people.
func categoryLabel(c grading.Category) string {
	switch c {
	case grading.Smartphone:
		return "Smartphone"
	case grading.Tablet:
		return "Tablet"
	case grading.Laptop:
		return "Laptop"
	}
	return humanize(string(c))
}

// marketplaceLabel names a marketplace grade for people.
func marketplaceLabel(m grading.Marketplace) string {
	switch m {
	case grading.Premium:
		return "Premium"
	case grading.Excellent:
		return "Excellent"
	case grading.Good:
		return "Good"
	case grading.Fair:
		return "Fair"
	}
	return humanize(string(m))
}

// gradeWords names the marketplace grade and says what it means to a buyer, or, for a device
// that may not be listed, why it has no grade. Every sellable grade is fully functional
// (functional grade F0) and passed every compliance check that blocks a sale (grading.md §5).
func gradeWords(g grading.Grade) (label, meaning string) {
	switch g.Status {
	case grading.Sellable:
		switch g.Marketplace {
		case grading.Premium:
			return "Premium", "Like new: not a single mark on the screen or the body, a genuine battery holding at least 90% of its original capacity, only original parts, and fully functional."
		case grading.Excellent:
			return "Excellent", "Close to new: no mark on the screen, and any light scratch on the body cannot be seen from 20 cm away; fully functional."
		case grading.Good:
			return "Good", "Lightly used: no mark on the screen, and only light scratches on the body that cannot be seen from 50 cm away; fully functional."
		case grading.Fair:
			return "Fair", "Visibly used: light scratches on the screen, and scratches, chips or up to three dents on the body, but no crack; fully functional."
		}
		return marketplaceLabel(g.Marketplace), "Fully functional."
	case grading.Rejected:
		return "Not for sale", "This device must not be sold: it failed a compliance check that blocks any sale (an activation lock, liquid damage, a blocked or financed IMEI, or data not erased)."
	case grading.Incomplete:
		return "Not graded", "The inspection is incomplete (a required test was not run, or the IMEI could not be checked), so the device has no grade."
	case grading.NotSellable:
		return "Not for sale", "This device cannot be listed in any grade: it has a functional fault (" + functionalLabel(g.Functional) + ") or heavy wear (" + cosmeticLabel(g.Cosmetic) + ")."
	}
	return "Not graded", "The device has no grade."
}

// functionalLabel names a functional grade with its meaning (grading.md §4).
func functionalLabel(f grading.Functional) string {
	switch f {
	case grading.F0:
		return "F0 · fully functional"
	case grading.F1:
		return "F1 · minor fault"
	case grading.F2:
		return "F2 · major fault"
	case grading.F3:
		return "F3 · non-functional"
	case "":
		return "incomplete"
	}
	return string(f)
}

// cosmeticLabel names a cosmetic grade with its name (grading.md §3).
func cosmeticLabel(g grading.CosmeticGrade) string {
	names := map[grading.CosmeticGrade]string{
		grading.CosmeticA: "Like new", grading.CosmeticB: "Light wear", grading.CosmeticC: "Moderate wear",
		grading.CosmeticD: "Heavy wear", grading.CosmeticE: "Cracked",
	}
	if n, ok := names[g]; ok {
		return string(g) + " · " + n
	}
	return cmp.Or(string(g), dash)
}

// zoneMarks says in words what marks a zone has and from how far the most visible one shows.
func zoneMarks(z grading.Zone) string {
	var parts []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, strconv.Itoa(n)+" "+many)
		}
	}
	add(z.LightScratches, "light scratch", "light scratches")
	add(z.DeepScratches, "deep scratch", "deep scratches")
	add(z.Dents, "dent", "dents")
	add(z.Chips, "chip", "chips")
	add(z.Cracks, "crack", "cracks")
	if len(parts) == 0 {
		return "No marks"
	}
	s := strings.Join(parts, ", ")
	if z.VisibleFromCM > 0 {
		s += " · visible from " + strconv.Itoa(z.VisibleFromCM) + " cm"
	}
	return s
}

// batterySummary says in words how healthy the battery is.
func batterySummary(b grading.Battery) string {
	s := formatHealth(b.HealthPct) + " of its original capacity"
	if b.Genuine {
		s += " · genuine battery"
	} else {
		s += " · non-genuine battery"
	}
	if b.CycleCount != nil {
		if *b.CycleCount == 1 {
			s += " · 1 charge cycle"
		} else {
			s += " · " + strconv.Itoa(*b.CycleCount) + " charge cycles"
		}
	}
	return s
}

// outcomeLabels are the outcomes in the order the certificate groups them, with their words.
var outcomeOrder = []grading.Outcome{grading.Pass, grading.Fail, grading.NotTested, grading.NotApplicable}

// outcomeLabel names a functional test outcome for people.
func outcomeLabel(o grading.Outcome) string {
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
	return humanize(string(o))
}

// testGroups groups the recorded functional tests by outcome, each group sorted by name.
func testGroups(results map[string]grading.Outcome) []TestGroup {
	var groups []TestGroup
	for _, o := range outcomeOrder {
		var tests []string
		for code, got := range results {
			if got == o {
				tests = append(tests, testLabel(code))
			}
		}
		if len(tests) == 0 {
			continue
		}
		slices.Sort(tests)
		groups = append(groups, TestGroup{Outcome: o, Label: outcomeLabel(o), Tests: tests})
	}
	return groups
}

// testLabel names a functional test of the protocols (checklist/protocols.json) for people.
func testLabel(code string) string {
	switch code {
	case "power_on":
		return "Powers on"
	case "gps":
		return "GPS"
	case "nfc":
		return "NFC"
	case "wifi":
		return "Wi-Fi"
	case "sim_reader":
		return "SIM reader"
	case "usb_ports":
		return "USB ports"
	case "storage_health":
		return "Storage health"
	}
	return humanize(code)
}

// partLabel names a replaced part (grading.PartNames) for people.
func partLabel(p string) string {
	if p == "other" {
		return "Other part"
	}
	return humanize(p)
}

// humanize turns a snake_case code into words with a capital: "front_camera" → "Front camera".
func humanize(code string) string {
	s := strings.ReplaceAll(strings.TrimSpace(code), "_", " ")
	if s == "" {
		return dash
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// complianceWords names the compliance checks the device passed and those it did not, in the
// order of grading.md §2. The IMEI check is left out for a device that has no IMEI.
func complianceWords(c grading.Compliance) (passed, failed []string) {
	check := func(ok bool, pass, fail string) {
		if ok {
			passed = append(passed, pass)
		} else {
			failed = append(failed, fail)
		}
	}
	check(!c.ActivationLock, "No activation or carrier lock", "An activation or carrier lock remains")
	switch c.IMEIStatus {
	case grading.IMEINotApplicable:
	case grading.IMEIClean:
		passed = append(passed, "IMEI clean: not reported lost, stolen or financed")
	default:
		failed = append(failed, "IMEI "+strings.ReplaceAll(string(c.IMEIStatus), "_", " "))
	}
	check(!c.LiquidDamage, "No liquid damage", "Liquid damage found")
	check(c.DataErased, "Previous owner's data erased", "Data not erased")
	check(c.FactoryReset, "Factory reset", "Not factory reset")
	check(c.OSUpToDate, "Software up to date", "Software not up to date")
	check(c.MarkingsIntact, "Original markings intact", "Markings altered")
	check(c.DisplayLikeForLike, "Display like-for-like", "Display not like-for-like")
	return passed, failed
}
