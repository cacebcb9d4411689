// Package audit is the domain centre of refurbqa: sellers, API keys and roles, bench tests,
// mystery orders, monthly KPIs, the facts aggregated from them, seller scorecards and the
// corrective actions that approval opens. It holds the rules (business days, intake
// derivations, validation, scorecard review) and imports neither the database nor HTTP.
package audit

import (
	"errors"
	"strconv"
	"time"

	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

// The error vocabulary of refurbqa. Adapters wrap these with context and match them with
// errors.Is; httpapi turns them into status codes in one table.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid")
	ErrForbidden    = errors.New("forbidden")
	ErrUnauthorized = errors.New("unauthorized")
)

// ValidationError lists every invalid field of an input. It matches ErrInvalid.
type ValidationError struct {
	Errors []grading.FieldError
}

func (e *ValidationError) Error() string {
	if len(e.Errors) == 0 {
		return "invalid input"
	}
	msg := e.Errors[0].Field + ": " + e.Errors[0].Message
	if n := len(e.Errors) - 1; n > 0 {
		msg += " (and " + strconv.Itoa(n) + " more)"
	}
	return msg
}

// Is makes a ValidationError match ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns a *ValidationError for errs, or nil when errs is empty.
func Invalid(errs []grading.FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	return &ValidationError{Errors: errs}
}

// SupersededError refuses to act on a draft scorecard that a later audit of the same seller,
// period and charter version replaced, and names the scorecard that did, so that a client can
// move on to the current one. It matches ErrConflict.
type SupersededError struct {
	ID string // the superseded scorecard
	By string // the scorecard that replaced it
}

func (e *SupersededError) Error() string {
	return "scorecard " + e.ID + " is superseded by scorecard " + e.By + ", a later audit of the same seller, period and charter version"
}

// Is makes a SupersededError match ErrConflict.
func (e *SupersededError) Is(target error) bool { return target == ErrConflict }

// Role is what an API key may do.
type Role string

// The roles of api.md.
const (
	RoleAdmin      Role = "admin"
	RoleManager    Role = "manager"
	RoleTechnician Role = "technician"
	RoleSeller     Role = "seller"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleManager, RoleTechnician, RoleSeller}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleManager, RoleTechnician, RoleSeller:
		return true
	}
	return false
}

// Key is an API key. Only a hash of its token is ever stored.
type Key struct {
	ID         string
	Name       string
	Role       Role
	SellerID   string // set only for RoleSeller
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Principal is the authenticated caller of a request.
type Principal struct {
	KeyID    string
	Role     Role
	SellerID string
}

// Seller is a refurbisher that signed the charter.
type Seller struct {
	ID           string
	Name         string
	Country      string
	ContactEmail string
	CreatedAt    time.Time
}

// BenchTest is the lab test of one device from a seller's stock. It is never updated in place:
// a correction is a new bench test whose Supersedes names the old one.
type BenchTest struct {
	ID              string
	SellerID        string
	Lab             string
	TestedAt        time.Time
	ListedGrade     grading.Marketplace // empty when unknown
	ExternalID      string              // the lab's own id, unique per seller; empty when none
	TechnicianKeyID string
	Supersedes      string // id of the bench test this one corrects; empty when none
	// VerificationCode is the code of the record's certificate (verification.go), canonical:
	// given at intake and never changed. The store gives one to a record that comes without.
	VerificationCode string
	Inspection       grading.Inspection
	// Submitted is the inspection document exactly as the client sent it, kept beside
	// Inspection as evidence: a grade can be defended years later only against the very
	// document it was computed from. Nothing reads it back into Inspection. It is empty for
	// records that were not submitted as a document (generated data).
	Submitted  []byte
	Grade      grading.Grade
	GradeMatch grading.Match // empty without a listed grade
	CreatedAt  time.Time
}

// Logistics is what the quality team observed about delivery of a mystery order.
type Logistics struct {
	PackagingAdequate  bool
	TransitDamage      bool
	ChargeOnArrivalPct float64
	CableIncluded      bool
	ChargerAsListed    bool
}

// ServiceProbe is a customer question sent to the seller during a mystery order.
type ServiceProbe struct {
	QuestionSentAt time.Time
	AnsweredAt     *time.Time // nil when never answered
}

// MysteryOrder is a device bought anonymously and inspected on arrival. The fields after
// ServiceProbe are derived at intake and stored; it is never updated in place.
type MysteryOrder struct {
	ID                     string
	SellerID               string
	OrderRef               string
	OrderedAt              time.Time
	ShippedAt              *time.Time
	DeliveredAt            *time.Time
	ListedGrade            grading.Marketplace
	Inspection             grading.Inspection
	Submitted              []byte // the inspection document exactly as sent, as for BenchTest
	Logistics              Logistics
	IdentityMatchesListing bool
	ServiceProbe           *ServiceProbe
	TechnicianKeyID        string
	Supersedes             string
	// VerificationCode is the code of the record's certificate, as for BenchTest.
	VerificationCode string

	Grade                       grading.Grade
	GradeMatch                  grading.Match
	ShippedWithinOneBusinessDay bool
	PackagingFailure            bool
	LowCharge                   bool
	AccessoriesOK               bool
	ProbeAnsweredInTime         *bool // nil without a service probe
	CreatedAt                   time.Time
}

// KPIMonth is one month of a seller's operations figures.
type KPIMonth struct {
	ID                        string
	SellerID                  string
	Month                     string // YYYY-MM
	Orders                    int
	ShippedLate               int
	ValidTracking             int
	CancelledBeforeShipment   int
	TechnicalReturns30d       int
	DefectiveOrders           int
	MessagesReceived          int
	MessagesAnsweredWithin1BD int
	WarrantyClaims            int
	WarrantyRemediedWithin5BD int
	WarrantyMonths            int
	UpdatedAt                 time.Time
}

// Period is a half-open range of dates [Start, End), both at midnight UTC.
type Period struct {
	Start time.Time
	End   time.Time
}

// Facts are the figures of one seller over one period, aggregated from stored records, from
// which the charter metrics are computed. Slices hold the ids of the records behind a count
// (its evidence); a unit id is a bench-test or mystery-order id.
type Facts struct {
	// Inspected units (bench tests and mystery-order inspections, incomplete ones left out).
	Units            int
	FunctionalFail   []string // functional grade other than F0
	BatteryBelow80   []string
	BatteryBelow85   []string // complement of battery_at_least_85
	UndisclosedParts []string
	DisplayMismatch  []string
	LiquidDamage     []string
	Locked           []string
	IMEIBlocked      []string
	DataNotErased    []string
	SoftwareNotOK    []string // not factory reset or not up to date
	MarkingsAltered  []string

	// Mystery orders.
	MysteryOrders     int
	IdentityMismatch  []string
	Overgraded        []string
	ShippedDamaged    []string // cosmetic D or E
	AccessoriesNotOK  []string
	PackagingFailures []string
	LowCharge         []string
	Probes            int      // service probes sent
	ProbesAnswered    int      // probes answered within one business day
	ProbesLate        []string // mystery orders whose probe was not answered in time

	// KPI months.
	KPIMonths                 []string
	Orders                    int
	ShippedLate               int
	ValidTracking             int
	CancelledBeforeShipment   int
	TechnicalReturns30d       int
	DefectiveOrders           int
	MessagesReceived          int
	MessagesAnsweredWithin1BD int
	WarrantyClaims            int
	WarrantyRemediedWithin5BD int
	WarrantyMonths            *int // shortest offered; nil without KPI months

	// Corrective actions due in the period.
	CAPADue     []string
	CAPAOverdue []string

	// Device lots of the seller decided in the period (lots.md §7).
	Lots         int
	LotsRejected []string
}

// ScorecardStatus is the review state of a scorecard.
type ScorecardStatus string

// Scorecard states. A new scorecard is a draft; review makes it approved, and a re-audit of
// the same seller, period and charter version makes it superseded (kept, unchanged, naming its
// successor). Approved and superseded are final: an approved scorecard is never superseded
// and a superseded one is never approved.
const (
	Draft      ScorecardStatus = "draft"
	Approved   ScorecardStatus = "approved"
	Superseded ScorecardStatus = "superseded"
)

// Valid reports whether s is one of the scorecard states.
func (s ScorecardStatus) Valid() bool {
	switch s {
	case Draft, Approved, Superseded:
		return true
	}
	return false
}

// Review records the approval of a scorecard.
type Review struct {
	ApprovedBy string // key id
	Comment    string
	ApprovedAt time.Time
}

// Scorecard is the result of auditing one seller over one period against one charter version.
type Scorecard struct {
	ID             string
	SellerID       string
	Period         Period
	CharterVersion string
	Status         ScorecardStatus
	Result         checklist.Result
	Review         *Review
	// SupersededBy is the id of the draft that replaced this one; empty unless Status is
	// Superseded.
	SupersededBy string
	CreatedAt    time.Time
}

// ActionStatus is the state of a corrective action.
type ActionStatus string

// Corrective-action states: open → plan_submitted → closed.
const (
	ActionOpen          ActionStatus = "open"
	ActionPlanSubmitted ActionStatus = "plan_submitted"
	ActionClosed        ActionStatus = "closed"
)

// Plan is a seller's answer to a corrective action.
type Plan struct {
	RootCause   string
	Actions     string
	SubmittedAt time.Time
	SubmittedBy string // key id
}

// CorrectiveAction is opened by approving a scorecard with a failed critical or major point.
type CorrectiveAction struct {
	ID          string
	SellerID    string
	ScorecardID string
	PointCode   string
	Severity    checklist.Severity
	Status      ActionStatus
	DueAt       time.Time
	Plan        *Plan
	ClosingNote string
	ClosedAt    *time.Time
	ClosedBy    string
	CreatedAt   time.Time
}

// Overdue reports whether the action was not closed by its due date, as seen at now.
func (a CorrectiveAction) Overdue(now time.Time) bool {
	if a.ClosedAt != nil {
		return a.ClosedAt.After(a.DueAt)
	}
	return now.After(a.DueAt)
}

// Event is one entry of the append-only trail of writes.
type Event struct {
	ID       string
	At       time.Time
	KeyID    string
	Role     Role
	Action   string // e.g. "create", "approve", "revoke"
	Entity   string // e.g. "seller", "bench_test"
	EntityID string
}
