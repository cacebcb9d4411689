package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/store"
)

// mysteryOrderRequest is the wire form of a mystery order as submitted (api.md, Mystery
// orders). The inspection is kept as the raw bytes the client sent, which are stored as they
// are. Times are read as text so that a malformed timestamp is reported on its own field. Text
// fields and times are checked by audit.ValidateMysteryOrder; the observations, which have no
// safe default, are pointers that the validator requires.
type mysteryOrderRequest struct {
	SellerID               string               `json:"seller_id"`
	OrderRef               string               `json:"order_ref"`
	OrderedAt              string               `json:"ordered_at"`
	ShippedAt              *string              `json:"shipped_at"`
	DeliveredAt            *string              `json:"delivered_at"`
	ListedGrade            string               `json:"listed_grade"`
	Inspection             json.RawMessage      `json:"inspection"`
	Logistics              *logisticsRequest    `json:"logistics" validate:"required"`
	IdentityMatchesListing *bool                `json:"identity_matches_listing" validate:"required"`
	ServiceProbe           *serviceProbeRequest `json:"service_probe"`
}

type logisticsRequest struct {
	PackagingAdequate  *bool    `json:"packaging_adequate" validate:"required"`
	TransitDamage      *bool    `json:"transit_damage" validate:"required"`
	ChargeOnArrivalPct *float64 `json:"charge_on_arrival_pct" validate:"required"`
	CableIncluded      *bool    `json:"cable_included" validate:"required"`
	ChargerAsListed    *bool    `json:"charger_as_listed" validate:"required"`
}

type serviceProbeRequest struct {
	QuestionSentAt string  `json:"question_sent_at"`
	AnsweredAt     *string `json:"answered_at"`
}

// mysteryOrderJSON is the wire form of a stored mystery order: what was submitted, the
// technician who submitted it, and every figure derived at intake.
type mysteryOrderJSON struct {
	ID                          string            `json:"id"`
	SellerID                    string            `json:"seller_id"`
	OrderRef                    string            `json:"order_ref"`
	OrderedAt                   time.Time         `json:"ordered_at"`
	ShippedAt                   *time.Time        `json:"shipped_at"`
	DeliveredAt                 *time.Time        `json:"delivered_at"`
	ListedGrade                 string            `json:"listed_grade"`
	Inspection                  json.RawMessage   `json:"inspection"`
	Logistics                   logisticsJSON     `json:"logistics"`
	IdentityMatchesListing      bool              `json:"identity_matches_listing"`
	ServiceProbe                *serviceProbeJSON `json:"service_probe"`
	TechnicianKeyID             string            `json:"technician_key_id"`
	Grade                       gradeJSON         `json:"grade"`
	GradeMatch                  string            `json:"grade_match"`
	ShippedWithinOneBusinessDay bool              `json:"shipped_within_one_business_day"`
	PackagingFailure            bool              `json:"packaging_failure"`
	LowCharge                   bool              `json:"low_charge"`
	AccessoriesOK               bool              `json:"accessories_ok"`
	ProbeAnsweredInTime         *bool             `json:"probe_answered_in_time"`
	Supersedes                  *string           `json:"supersedes"`
	SupersededBy                *string           `json:"superseded_by"`
	CreatedAt                   time.Time         `json:"created_at"`
}

type logisticsJSON struct {
	PackagingAdequate  bool    `json:"packaging_adequate"`
	TransitDamage      bool    `json:"transit_damage"`
	ChargeOnArrivalPct float64 `json:"charge_on_arrival_pct"`
	CableIncluded      bool    `json:"cable_included"`
	ChargerAsListed    bool    `json:"charger_as_listed"`
}

type serviceProbeJSON struct {
	QuestionSentAt time.Time  `json:"question_sent_at"`
	AnsweredAt     *time.Time `json:"answered_at"`
}

func toMysteryOrderJSON(r store.MysteryOrderRecord) mysteryOrderJSON {
	l := r.Logistics
	raw := json.RawMessage(r.Submitted)
	if len(raw) == 0 {
		raw = json.RawMessage("null")
	}
	out := mysteryOrderJSON{
		ID: r.ID, SellerID: r.SellerID, OrderRef: r.OrderRef,
		OrderedAt: r.OrderedAt, ShippedAt: r.ShippedAt, DeliveredAt: r.DeliveredAt,
		ListedGrade: string(r.ListedGrade), Inspection: raw,
		Logistics: logisticsJSON{PackagingAdequate: l.PackagingAdequate, TransitDamage: l.TransitDamage,
			ChargeOnArrivalPct: l.ChargeOnArrivalPct, CableIncluded: l.CableIncluded, ChargerAsListed: l.ChargerAsListed},
		IdentityMatchesListing: r.IdentityMatchesListing,
		TechnicianKeyID:        r.TechnicianKeyID,
		Grade:                  toGradeJSON(r.Grade), GradeMatch: string(r.GradeMatch),
		ShippedWithinOneBusinessDay: r.ShippedWithinOneBusinessDay,
		PackagingFailure:            r.PackagingFailure, LowCharge: r.LowCharge, AccessoriesOK: r.AccessoriesOK,
		ProbeAnsweredInTime: r.ProbeAnsweredInTime,
		Supersedes:          optString(r.Supersedes), SupersededBy: optString(r.SupersededBy),
		CreatedAt: r.CreatedAt,
	}
	if sp := r.ServiceProbe; sp != nil {
		out.ServiceProbe = &serviceProbeJSON{QuestionSentAt: sp.QuestionSentAt, AnsweredAt: sp.AnsweredAt}
	}
	return out
}

// moTimes parses the timestamps of a mystery order, flagging each malformed one on its field.
// Instants are kept in UTC to the microsecond, what both databases store, so that the figures
// derived at intake are those of the stored times.
type moTimes struct {
	errs    []grading.FieldError
	flagged map[string]bool
}

func (t *moTimes) flag(field, msg string) {
	t.errs = append(t.errs, grading.FieldError{Field: field, Message: msg})
	t.flagged[field] = true
}

func (t *moTimes) parse(field, v string) time.Time {
	if v == "" {
		return time.Time{} // the domain reports a missing time
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.flag(field, "must be an RFC 3339 timestamp")
		return time.Time{}
	}
	return at.UTC().Truncate(time.Microsecond)
}

func (t *moTimes) optional(field string, v *string) *time.Time {
	if v == nil {
		return nil
	}
	if *v == "" {
		t.flag(field, "must be an RFC 3339 timestamp or null")
		return nil
	}
	at := t.parse(field, *v)
	if at.IsZero() {
		return nil
	}
	return &at
}

// decodeMysteryOrder decodes and checks a mystery order document and derives its figures.
// Every invalid field is reported at once: JSON types, required observations (validator
// tags), malformed times, the envelope (audit.ValidateMysteryOrder), the inspection
// (decodeInspection, under "inspection.") and, when anything else is wrong, an unknown
// seller_id too, so that one answer names every bad field.
func (s *Server) decodeMysteryOrder(c echo.Context) (audit.MysteryOrder, error) {
	body, err := readJSONBody(c)
	if err != nil {
		return audit.MysteryOrder{}, err
	}
	var req mysteryOrderRequest
	typeErr, err := decodeLenient(body, &req)
	if err != nil {
		return audit.MysteryOrder{}, err
	}
	times := &moTimes{flagged: map[string]bool{}}
	mo := audit.MysteryOrder{
		SellerID: req.SellerID, OrderRef: req.OrderRef,
		OrderedAt:   times.parse("ordered_at", req.OrderedAt),
		ShippedAt:   times.optional("shipped_at", req.ShippedAt),
		DeliveredAt: times.optional("delivered_at", req.DeliveredAt),
		ListedGrade: grading.Marketplace(req.ListedGrade),
		Submitted:   req.Inspection,
	}
	if l := req.Logistics; l != nil {
		mo.Logistics = audit.Logistics{PackagingAdequate: deref(l.PackagingAdequate), TransitDamage: deref(l.TransitDamage),
			ChargeOnArrivalPct: deref(l.ChargeOnArrivalPct), CableIncluded: deref(l.CableIncluded), ChargerAsListed: deref(l.ChargerAsListed)}
	}
	mo.IdentityMatchesListing = deref(req.IdentityMatchesListing)
	if sp := req.ServiceProbe; sp != nil {
		mo.ServiceProbe = &audit.ServiceProbe{
			QuestionSentAt: times.parse("service_probe.question_sent_at", sp.QuestionSentAt),
			AnsweredAt:     times.optional("service_probe.answered_at", sp.AnsweredAt),
		}
	}

	tagErr := c.Validate(&req)
	var tv *audit.ValidationError
	if tagErr != nil && !errors.As(tagErr, &tv) {
		return audit.MysteryOrder{}, tagErr
	}
	missing := map[string]bool{}
	if tv != nil {
		for _, f := range tv.Errors {
			missing[f.Field] = true
		}
	}
	var inspErr error
	if len(req.Inspection) == 0 || bytes.Equal(req.Inspection, []byte("null")) {
		times.flag("inspection", "is required")
	} else {
		mo.Inspection, inspErr = s.decodeInspection(req.Inspection, "inspection.", c.Validate)
	}
	errs := times.errs
	for _, f := range audit.ValidateMysteryOrder(mo, s.protocols) {
		// The inspection was checked above, with the JSON types and required fields that the
		// domain cannot see; a malformed time was reported on its field already.
		if strings.HasPrefix(f.Field, "inspection.") || times.flagged[f.Field] || missing[f.Field] || coveredBy(missing, f.Field) {
			continue
		}
		errs = append(errs, f)
	}
	err = withTypeErrors(typeErr, mergeInvalid(audit.Invalid(errs), tagErr, inspErr))
	if err != nil {
		return audit.MysteryOrder{}, s.withUnknownSeller(c, err, mo.SellerID)
	}
	p, _ := s.protocols.Get(mo.Inspection.Device.Category) // a valid inspection has a protocol
	audit.DeriveMysteryOrder(&mo, p)
	return mo, nil
}

// withUnknownSeller adds "seller_id: no seller has this id" to the validation error of a
// request whose seller_id is well formed but names no seller, so that a client learns it
// together with the other problems rather than after fixing them.
func (s *Server) withUnknownSeller(c echo.Context, err error, sellerID string) error {
	var ve *audit.ValidationError
	if !errors.As(err, &ve) || !plausibleID(sellerID) {
		return err
	}
	for _, f := range ve.Errors {
		if f.Field == "seller_id" {
			return err
		}
	}
	if _, serr := s.store.Seller(c.Request().Context(), sellerID); !errors.Is(serr, audit.ErrNotFound) {
		return err
	}
	return mergeInvalid(err, audit.Invalid(fieldErr("seller_id", "no seller has this id")))
}

// plausibleID reports whether v could be an id at all: short, valid UTF-8, without control
// characters. Anything else names no record, so the database need not be asked.
func plausibleID(v string) bool {
	return v != "" && len(v) <= 128 && utf8.ValidString(v) && strings.IndexFunc(v, unicode.IsControl) < 0
}

func (s *Server) createMysteryOrder(c echo.Context) error {
	mo, err := s.decodeMysteryOrder(c)
	if err != nil {
		return err
	}
	rec, err := s.store.CreateMysteryOrder(c.Request().Context(), mustPrincipal(c), mo)
	if err != nil {
		return sellerRefError(err, "seller_id")
	}
	return writeJSON(c, http.StatusCreated, toMysteryOrderJSON(rec))
}

// correctMysteryOrder stores a correction of a mystery order: a new record of the same order
// that supersedes the old one, which is never changed; both stay visible.
func (s *Server) correctMysteryOrder(c echo.Context) error {
	mo, err := s.decodeMysteryOrder(c)
	if err != nil {
		return err
	}
	rec, err := s.store.CorrectMysteryOrder(c.Request().Context(), mustPrincipal(c), c.Param("id"), mo)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, toMysteryOrderJSON(rec))
}

func (s *Server) getMysteryOrder(c echo.Context) error {
	rec, err := s.store.MysteryOrder(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toMysteryOrderJSON(rec))
}

// listMysteryOrders lists mystery orders in creation order, optionally of one seller and
// ordered in [from, to).
func (s *Server) listMysteryOrders(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	f := store.MysteryOrderFilter{SellerID: q.str("seller_id", 128)}
	f.From, f.To = q.period()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.store.MysteryOrders(c.Request().Context(), f, page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, toMysteryOrderJSON))
}
