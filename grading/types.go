// Package grading is the pure device-grading engine of refurbqa: it turns what a lab technician
// observed on one device (an Inspection) into a functional, a cosmetic and a marketplace grade,
// a status and the reasons behind every step down, following the normative rules of ruleset
// 2026.1 (shared/spec/grading.md). It performs no I/O and reads no clock, so the same inspection
// always gives the same grade and a stored grade can be defended years later.
package grading

// Ruleset is the version of the grading rules implemented by this package. Every stored grade
// records it; a future ruleset gets a new version and stored grades are never recomputed.
const Ruleset = "2026.1"

// Category is a kind of device; each category has its own functional test protocol.
type Category string

// The device categories.
const (
	Smartphone Category = "smartphone"
	Tablet     Category = "tablet"
	Laptop     Category = "laptop"
)

// Categories lists every category in a stable order.
var Categories = []Category{Smartphone, Tablet, Laptop}

// Severity says how much a failed functional test weighs.
type Severity string

// Functional test severities. Only optional tests may be not_applicable.
const (
	Critical Severity = "critical"
	Minor    Severity = "minor"
	Optional Severity = "optional"
)

// Outcome is the result of one functional test.
type Outcome string

// Functional test outcomes. A protocol test missing from a submission counts as NotTested.
const (
	Pass          Outcome = "pass"
	Fail          Outcome = "fail"
	NotTested     Outcome = "not_tested"
	NotApplicable Outcome = "not_applicable"
)

// Test is one entry of a protocol.
type Test struct {
	Code     string
	Severity Severity
}

// Protocol is the fixed list of functional tests of a category, in display order.
type Protocol struct {
	Category Category
	Tests    []Test
}

// Protocols holds the protocol of every category. It is loaded once at startup (see
// checklist.LoadProtocols) and passed to whoever validates or grades, never kept in a global.
type Protocols map[Category]Protocol

// IMEIStatus is the result of the IMEI database check.
type IMEIStatus string

// IMEI statuses. NotApplicableIMEI is only for a device that has no IMEI.
const (
	IMEIClean         IMEIStatus = "clean"
	IMEIBlacklisted   IMEIStatus = "blacklisted"
	IMEIFinanced      IMEIStatus = "financed"
	IMEIUnknown       IMEIStatus = "unknown"
	IMEINotApplicable IMEIStatus = "not_applicable"
)

// Part names that may be reported as replaced with non-original parts.
var PartNames = []string{"screen", "battery", "back_glass", "camera", "charging_port", "housing", "other"}

// Device identifies the inspected device.
type Device struct {
	Category  Category
	Brand     string
	Model     string
	IMEI      string // 15 digits with a Luhn check digit, or empty
	Serial    string // 1-64 letters, digits and '-', or empty
	StorageGB int    // 0 when not recorded
}

// Battery is the battery measurement. HealthPct is a percentage of design capacity.
type Battery struct {
	HealthPct  float64
	CycleCount *int // optional
	Genuine    bool
}

// Zone holds the cosmetic marks counted on one zone (screen or body) under standard light.
type Zone struct {
	LightScratches int
	DeepScratches  int
	Dents          int
	Chips          int
	Cracks         int
	VisibleFromCM  int
}

// Cosmetic is the cosmetic inspection of both zones.
type Cosmetic struct {
	Screen Zone
	Body   Zone
}

// Compliance holds the compliance checks; some of them block any sale.
type Compliance struct {
	ActivationLock     bool
	IMEIStatus         IMEIStatus
	LiquidDamage       bool
	DataErased         bool
	FactoryReset       bool
	OSUpToDate         bool
	MarkingsIntact     bool
	DisplayLikeForLike bool
}

// Parts records parts replaced with non-original ones and whether the listing disclosed them.
type Parts struct {
	NonGenuine []string
	Disclosed  bool
}

// Inspection is everything a technician logged about one device.
type Inspection struct {
	Device     Device
	Functional map[string]Outcome
	Battery    Battery
	Cosmetic   Cosmetic
	Compliance Compliance
	Parts      Parts
}

// Status says whether and how a device may be sold.
type Status string

// Device statuses, in the order of precedence of grading.md §5.
const (
	Rejected    Status = "rejected"
	Incomplete  Status = "incomplete"
	NotSellable Status = "not_sellable"
	Sellable    Status = "sellable"
)

// Functional is the functional grade; the empty value means no grade (incomplete).
type Functional string

// Functional grades, F0 best.
const (
	F0 Functional = "F0"
	F1 Functional = "F1"
	F2 Functional = "F2"
	F3 Functional = "F3"
)

// Cosmetic grades, A best.
type CosmeticGrade string

// The cosmetic grades.
const (
	CosmeticA CosmeticGrade = "A"
	CosmeticB CosmeticGrade = "B"
	CosmeticC CosmeticGrade = "C"
	CosmeticD CosmeticGrade = "D"
	CosmeticE CosmeticGrade = "E"
)

// Marketplace is a listing grade; the empty value means the device may not be listed.
type Marketplace string

// Marketplace grades, best first.
const (
	Premium   Marketplace = "premium"
	Excellent Marketplace = "excellent"
	Good      Marketplace = "good"
	Fair      Marketplace = "fair"
)

// Reason explains one rule that lowered a grade or set the status.
type Reason struct {
	Code    string
	Message string
}

// Grade is the result of grading one inspection.
type Grade struct {
	Ruleset     string
	Status      Status
	Functional  Functional // empty when incomplete
	Cosmetic    CosmeticGrade
	Marketplace Marketplace // empty unless Status is Sellable
	Reasons     []Reason
}

// Match compares an observed marketplace grade with the listed one (grading.md §7).
type Match string

// Grade-accuracy outcomes.
const (
	MatchEqual  Match = "match"
	Overgraded  Match = "overgraded"
	Undergraded Match = "undergraded"
)

// FieldError names one invalid input field by its dotted JSON path
// (for example "cosmetic.screen.cracks") and says what is wrong with it.
type FieldError struct {
	Field   string
	Message string
}
