package httpapi

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// maxImportErrors caps the errors listed in the answer of a refused KPI import: a file whose
// every row is wrong would otherwise answer a document as large as itself. A final entry says
// how many more rows were bad.
const maxImportErrors = 1000

// kpiRequest is the body of PUT /sellers/{id}/kpis/{month}: the eleven figures of api.md, all
// required (pointers, so that a missing figure is an error rather than a silent zero). Their
// ranges and the part ≤ whole rules are audit.ValidateKPIMonth's.
type kpiRequest struct {
	Orders                    *int `json:"orders" validate:"required"`
	ShippedLate               *int `json:"shipped_late" validate:"required"`
	ValidTracking             *int `json:"valid_tracking" validate:"required"`
	CancelledBeforeShipment   *int `json:"cancelled_before_shipment" validate:"required"`
	TechnicalReturns30d       *int `json:"technical_returns_30d" validate:"required"`
	DefectiveOrders           *int `json:"defective_orders" validate:"required"`
	MessagesReceived          *int `json:"messages_received" validate:"required"`
	MessagesAnsweredWithin1BD *int `json:"messages_answered_within_1bd" validate:"required"`
	WarrantyClaims            *int `json:"warranty_claims" validate:"required"`
	WarrantyRemediedWithin5BD *int `json:"warranty_remedied_within_5bd" validate:"required"`
	WarrantyMonths            *int `json:"warranty_months" validate:"required"`
}

// kpiMonthJSON is the wire form of a stored KPI month.
type kpiMonthJSON struct {
	ID                        string    `json:"id"`
	SellerID                  string    `json:"seller_id"`
	Month                     string    `json:"month"`
	Orders                    int       `json:"orders"`
	ShippedLate               int       `json:"shipped_late"`
	ValidTracking             int       `json:"valid_tracking"`
	CancelledBeforeShipment   int       `json:"cancelled_before_shipment"`
	TechnicalReturns30d       int       `json:"technical_returns_30d"`
	DefectiveOrders           int       `json:"defective_orders"`
	MessagesReceived          int       `json:"messages_received"`
	MessagesAnsweredWithin1BD int       `json:"messages_answered_within_1bd"`
	WarrantyClaims            int       `json:"warranty_claims"`
	WarrantyRemediedWithin5BD int       `json:"warranty_remedied_within_5bd"`
	WarrantyMonths            int       `json:"warranty_months"`
	UpdatedAt                 time.Time `json:"updated_at"`
}

func toKPIMonthJSON(k audit.KPIMonth) kpiMonthJSON {
	return kpiMonthJSON{
		ID: k.ID, SellerID: k.SellerID, Month: k.Month,
		Orders: k.Orders, ShippedLate: k.ShippedLate, ValidTracking: k.ValidTracking,
		CancelledBeforeShipment: k.CancelledBeforeShipment, TechnicalReturns30d: k.TechnicalReturns30d,
		DefectiveOrders: k.DefectiveOrders, MessagesReceived: k.MessagesReceived,
		MessagesAnsweredWithin1BD: k.MessagesAnsweredWithin1BD, WarrantyClaims: k.WarrantyClaims,
		WarrantyRemediedWithin5BD: k.WarrantyRemediedWithin5BD, WarrantyMonths: k.WarrantyMonths,
		UpdatedAt: k.UpdatedAt,
	}
}

// figures names every figure of the request by its JSON field.
func (r *kpiRequest) figures() map[string]**int {
	return map[string]**int{
		"orders": &r.Orders, "shipped_late": &r.ShippedLate, "valid_tracking": &r.ValidTracking,
		"cancelled_before_shipment": &r.CancelledBeforeShipment, "technical_returns_30d": &r.TechnicalReturns30d,
		"defective_orders": &r.DefectiveOrders, "messages_received": &r.MessagesReceived,
		"messages_answered_within_1bd": &r.MessagesAnsweredWithin1BD, "warranty_claims": &r.WarrantyClaims,
		"warranty_remedied_within_5bd": &r.WarrantyRemediedWithin5BD, "warranty_months": &r.WarrantyMonths,
	}
}

// forget drops the figures that a type error named: encoding/json leaves a zero behind them,
// which is not what the client sent.
func (r *kpiRequest) forget(typeErr error) {
	var ve *audit.ValidationError
	if !errors.As(typeErr, &ve) {
		return
	}
	figures := r.figures()
	for _, f := range ve.Errors {
		if p, ok := figures[f.Field]; ok {
			*p = nil
		}
	}
}

// deref is the value of a figure, zero when it was not sent.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// domain converts the request to a KPI month. A missing figure (already reported) is given the
// value that cannot make another figure wrong: the largest value for a whole, zero for anything
// else, so that "shipped_late must not exceed orders" is never said about an orders figure that
// was not sent.
func (r *kpiRequest) domain(sellerID, month string) audit.KPIMonth {
	whole := func(p *int) int {
		if p == nil {
			return audit.MaxKPICount
		}
		return *p
	}
	return audit.KPIMonth{
		SellerID: sellerID, Month: month,
		Orders: whole(r.Orders), ShippedLate: deref(r.ShippedLate), ValidTracking: deref(r.ValidTracking),
		CancelledBeforeShipment: deref(r.CancelledBeforeShipment), TechnicalReturns30d: deref(r.TechnicalReturns30d),
		DefectiveOrders: deref(r.DefectiveOrders), MessagesReceived: whole(r.MessagesReceived),
		MessagesAnsweredWithin1BD: deref(r.MessagesAnsweredWithin1BD), WarrantyClaims: whole(r.WarrantyClaims),
		WarrantyRemediedWithin5BD: deref(r.WarrantyRemediedWithin5BD), WarrantyMonths: deref(r.WarrantyMonths),
	}
}

// putKPIMonth stores (or replaces) one month of a seller's operations figures.
func (s *Server) putKPIMonth(c echo.Context) error {
	sellerID := c.Param("id")
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	var req kpiRequest
	typeErr, err := wire.Decode(body, &req)
	if err != nil {
		return err
	}
	req.forget(typeErr)
	tagErr := c.Validate(&req)
	k := req.domain(sellerID, c.Param("month"))
	if typeErr != nil || tagErr != nil {
		// One answer names every invalid field: the figures missing or of the wrong type, and
		// what the domain says of the others (PutKPIMonth's checks, run here instead).
		if err := wire.WithTypeErrors(typeErr, wire.MergeInvalid(tagErr, audit.Invalid(audit.ValidateKPIMonth(k)))); err != nil {
			return err
		}
	}
	stored, err := s.svc.PutKPIMonth(c.Request().Context(), mustPrincipal(c), k)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toKPIMonthJSON(stored))
}

// listKPIMonths lists a seller's KPI months in month order.
func (s *Server) listKPIMonths(c echo.Context) error {
	sellerID := c.Param("id")
	q := newQuery(c)
	page := q.page()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.svc.KPIMonths(c.Request().Context(), mustPrincipal(c), sellerID, page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, toKPIMonthJSON))
}

type importJSON struct {
	Imported int `json:"imported"`
}

// importKPIs imports a KPI CSV (api.md): all rows or none. The body is streamed through the
// service's import, which checks every row before writing anything.
func (s *Server) importKPIs(c echo.Context) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "text/csv" {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType,
			fmt.Sprintf("a KPI import is sent as text/csv, not %q", ct))
	}
	n, err := s.svc.ImportKPIs(c.Request().Context(), mustPrincipal(c), c.Request().Body, nil)
	if err != nil {
		return capErrors(err, maxImportErrors)
	}
	return writeJSON(c, http.StatusOK, importJSON{Imported: n})
}

// capErrors keeps the first max errors of a validation error and says how many were left out.
func capErrors(err error, max int) error {
	var ve *audit.ValidationError
	if !errors.As(err, &ve) || len(ve.Errors) <= max {
		return err
	}
	out := append([]grading.FieldError(nil), ve.Errors[:max]...)
	out = append(out, grading.FieldError{Field: "body",
		Message: fmt.Sprintf("and %d more invalid rows, not listed; nothing was imported", len(ve.Errors)-max)})
	return audit.Invalid(out)
}
