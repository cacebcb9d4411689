package audit

import (
	"encoding/base64"
	"time"

	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

// Page limits of every list.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Page asks for one page of a list: at most Limit items after the position in Cursor. Cursors
// are opaque to clients: EncodeCursor makes one from the position of the last item served (an
// id, a month), DecodeCursor reads it back, so that an adapter can refuse a cursor that no list
// made before it asks the store for anything.
type Page struct {
	Limit  int
	Cursor string
}

// All reads every item of a list, page by page at the largest page size, for the callers that
// need a whole list (an operator's listing, a report's corrective actions).
func All[T any](list func(Page) ([]T, string, error)) ([]T, error) {
	var out []T
	page := Page{Limit: MaxLimit}
	for {
		items, next, err := list(page)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		page.Cursor = next
	}
}

// EncodeCursor makes an opaque cursor from the position of the last item of a page.
func EncodeCursor(pos string) string {
	if pos == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(pos))
}

// DecodeCursor reads a cursor made by EncodeCursor. Anything else is a validation error of the
// cursor field.
func DecodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) == 0 || len(b) > 64 {
		return "", BadCursor()
	}
	for _, ch := range b {
		if !(ch == '_' || ch >= '0' && ch <= '9' || ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z') {
			return "", BadCursor()
		}
	}
	return string(b), nil
}

// BadCursor is the answer to a cursor that no list made, or that another list made: a
// validation error that names the cursor parameter.
func BadCursor() error {
	return Invalid([]grading.FieldError{{Field: "cursor", Message: "is not a cursor this API made"}})
}

// BenchTestRecord is a stored bench test with what only the store knows about it: the id of the
// correction that superseded it (empty when none). Bench tests are never updated in place; a
// correction is a new record and both stay visible. A record read back is whole: its
// Inspection is the complete inspection it was graded from, and Submitted the document the
// client sent, as it was sent.
type BenchTestRecord struct {
	BenchTest
	SupersededBy string
}

// MysteryOrderRecord is a stored mystery order with the id of the correction that superseded
// it (empty when none). Like a bench test it is read back whole: the complete Inspection, and
// the document the client sent in Submitted.
type MysteryOrderRecord struct {
	MysteryOrder
	SupersededBy string
}

// BatchOutcome says what became of one bench test of a batch.
type BatchOutcome string

// Outcomes of storing a batch of bench tests.
const (
	// BatchCreated: stored now.
	BatchCreated BatchOutcome = "created"
	// BatchDuplicate: the seller already has a bench test with this external id, stored
	// earlier or earlier in the same batch; nothing was stored and ID names that one.
	BatchDuplicate BatchOutcome = "duplicate"
	// BatchUnknownSeller: no seller has this seller id; nothing was stored. The store answers
	// it; the service reports such an item as BatchInvalid on seller_id.
	BatchUnknownSeller BatchOutcome = "unknown_seller"
	// BatchInvalid: the item broke a rule (Errors says which); nothing was stored.
	BatchInvalid BatchOutcome = "invalid"
)

// BatchResult is the outcome of one item of a batch of bench tests, in the order of the input.
type BatchResult struct {
	Outcome BatchOutcome
	ID      string               // the stored bench test (created or duplicate)
	Errors  []grading.FieldError // every problem of an invalid item
}

// BenchTestFilter narrows a list of bench tests. Zero fields do not filter.
type BenchTestFilter struct {
	SellerID string
	From, To time.Time // tested_at in [From, To)
	// TechnicianKeyID keeps the bench tests recorded by one principal (its KeyID: a key's id,
	// or a console user's id), for a technician's own recent work.
	TechnicianKeyID string
	// NewestFirst lists in reverse creation order, the cursor then moving to older records.
	NewestFirst bool
}

// MysteryOrderFilter narrows a list of mystery orders. Zero fields do not filter.
type MysteryOrderFilter struct {
	SellerID string
	From, To time.Time // ordered_at in [From, To)
	// TechnicianKeyID keeps the mystery orders recorded by one principal, as for bench tests.
	TechnicianKeyID string
	// NewestFirst lists in reverse creation order.
	NewestFirst bool
}

// ActionOverdue is the status filter of corrective actions that are overdue: not closed by
// their due date, as seen at the time of the request. It is never stored.
const ActionOverdue = "overdue"

// ActionFilter narrows a list of corrective actions. Zero fields do not filter.
type ActionFilter struct {
	SellerID    string
	ScorecardID string
	// Status is open, plan_submitted, closed or ActionOverdue.
	Status string
	// Now is the instant overdue is judged at; zero means the store's clock.
	Now time.Time
}

// ScorecardFilter narrows a list of scorecards. Zero fields do not filter, except Status: a
// list without a status holds the current scorecards, drafts and approved ones, and leaves out
// the superseded drafts, which only a list of status superseded holds.
type ScorecardFilter struct {
	SellerID string
	Status   ScorecardStatus // draft, approved or superseded; empty: draft or approved
	// From and To keep the scorecards whose whole period lies in [From, To).
	From, To time.Time
}

// EventFilter narrows the event trail. Zero fields do not filter.
type EventFilter struct {
	Entity   string
	EntityID string
	KeyID    string
	From, To time.Time // [From, To)
}

// CharterVersion is a published charter with its publication facts.
type CharterVersion struct {
	Charter   checklist.Charter
	Active    bool
	CreatedAt time.Time
	CreatedBy string
}

// AuditPhase names a step of an audit run, for progress reports.
type AuditPhase string

// The phases of an audit run, in order.
const (
	PhaseFacts      AuditPhase = "loading facts"
	PhaseEvaluating AuditPhase = "evaluating"
	PhaseSaving     AuditPhase = "saving"
)

// AuditResult is what one audit run wrote.
type AuditResult struct {
	// Scorecards are the new drafts, one per seller audited, in seller id order.
	Scorecards []Scorecard
}
