package audit

import (
	"time"

	"github.com/refurbqa/refurbqa/grading"
)

// KPIFields lists the monthly operations figures of a seller, in the order of api.md. They are
// the JSON fields of PUT /sellers/{id}/kpis/{month} and, after seller_id and month, the columns
// of the KPI import CSV. Treat it as read-only.
var KPIFields = []string{
	"orders",
	"shipped_late",
	"valid_tracking",
	"cancelled_before_shipment",
	"technical_returns_30d",
	"defective_orders",
	"messages_received",
	"messages_answered_within_1bd",
	"warranty_claims",
	"warranty_remedied_within_5bd",
	"warranty_months",
}

// Bounds of the KPI figures. MaxKPICount keeps sums over many months far from integer overflow
// and catches unit mistakes; MaxWarrantyMonths is ten years, beyond any consumer warranty.
const (
	MaxKPICount       = 1_000_000_000
	MaxWarrantyMonths = 120
	minMonthYear      = 2000
	maxMonthYear      = 2100
)

// kpiFieldCount is len(KPIFields), as a constant to size arrays; a test keeps them equal.
const kpiFieldCount = 11

// kpiField describes one KPI figure: where it lives in a KPIMonth, its upper bound and the
// index in KPIFields of the figure it is a part of (-1 for a whole), so that validation and
// the CSV reader share one definition of the figures.
type kpiField struct {
	name  string
	ptr   func(*KPIMonth) *int
	max   int
	whole int
}

// kpiFieldTable returns the KPI figures in the order of KPIFields. It is a function rather than
// a package variable so that nothing can change it.
func kpiFieldTable() [kpiFieldCount]kpiField {
	const orders, messages, claims = 0, 6, 8
	return [...]kpiField{
		{"orders", func(k *KPIMonth) *int { return &k.Orders }, MaxKPICount, -1},
		{"shipped_late", func(k *KPIMonth) *int { return &k.ShippedLate }, MaxKPICount, orders},
		{"valid_tracking", func(k *KPIMonth) *int { return &k.ValidTracking }, MaxKPICount, orders},
		{"cancelled_before_shipment", func(k *KPIMonth) *int { return &k.CancelledBeforeShipment }, MaxKPICount, orders},
		{"technical_returns_30d", func(k *KPIMonth) *int { return &k.TechnicalReturns30d }, MaxKPICount, orders},
		{"defective_orders", func(k *KPIMonth) *int { return &k.DefectiveOrders }, MaxKPICount, orders},
		{"messages_received", func(k *KPIMonth) *int { return &k.MessagesReceived }, MaxKPICount, -1},
		{"messages_answered_within_1bd", func(k *KPIMonth) *int { return &k.MessagesAnsweredWithin1BD }, MaxKPICount, messages},
		{"warranty_claims", func(k *KPIMonth) *int { return &k.WarrantyClaims }, MaxKPICount, -1},
		{"warranty_remedied_within_5bd", func(k *KPIMonth) *int { return &k.WarrantyRemediedWithin5BD }, MaxKPICount, claims},
		{"warranty_months", func(k *KPIMonth) *int { return &k.WarrantyMonths }, MaxWarrantyMonths, -1},
	}
}

// kpiUnknown marks the values a CSV row could not give (an empty or non-integer cell).
type kpiUnknown struct {
	month  bool
	fields [kpiFieldCount]bool // indexed like KPIFields
}

// ParseMonth parses a month written YYYY-MM (exactly seven characters, month 01 to 12, year
// 2000 to 2100) and returns midnight UTC of its first day. The year range refuses typos such as
// 0226 or 20266 that a calendar would otherwise accept.
func ParseMonth(s string) (time.Time, bool) {
	if len(s) != 7 || s[4] != '-' {
		return time.Time{}, false
	}
	year, month := 0, 0
	for i, c := range []byte(s) {
		if i == 4 {
			continue
		}
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		if i < 4 {
			year = year*10 + int(c-'0')
		} else {
			month = month*10 + int(c-'0')
		}
	}
	if year < minMonthYear || year > maxMonthYear || month < 1 || month > 12 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC), true
}

// ValidateKPIMonth returns every invalid field of a KPI month, named by its api.md field name
// and sorted, or nil when it is valid: month must be a real YYYY-MM, every figure an integer from
// 0 to MaxKPICount (warranty_months 0 to MaxWarrantyMonths), and no part may exceed its whole
// (shipped_late ≤ orders, messages_answered_within_1bd ≤ messages_received, …). The error of a
// part that exceeds its whole is reported on the part. The seller id is not checked here: the
// HTTP API takes it from the path and the CSV reader checks its own column.
func ValidateKPIMonth(k KPIMonth) []grading.FieldError {
	return validateKPIMonth(k, kpiUnknown{})
}

// validateKPIMonth is ValidateKPIMonth skipping the values marked in unknown (those a CSV
// cell could not give), including comparisons that involve them, so that one unreadable cell
// does not cause a cascade of spurious errors.
func validateKPIMonth(k KPIMonth, unknown kpiUnknown) []grading.FieldError {
	var errs fieldErrors
	if !unknown.month {
		if _, ok := ParseMonth(k.Month); !ok {
			errs.add("month", "must be a month written YYYY-MM, from 2000-01 to 2100-12")
		}
	}
	table := kpiFieldTable()
	var values [len(table)]int
	var fine [len(table)]bool // known and within bounds
	for i, f := range table {
		if unknown.fields[i] {
			continue
		}
		values[i] = *f.ptr(&k)
		if values[i] < 0 || values[i] > f.max {
			errs.add(f.name, "must be an integer from 0 to %d", f.max)
			continue
		}
		fine[i] = true
	}
	for i, f := range table {
		if f.whole < 0 || !fine[i] || !fine[f.whole] {
			continue
		}
		if values[i] > values[f.whole] {
			errs.add(f.name, "must not exceed %s (%d)", table[f.whole].name, values[f.whole])
		}
	}
	return errs.sorted()
}
