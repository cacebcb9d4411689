package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// mysteryOrderRequest is the wire form of a mystery order as submitted (api.md, Mystery
// orders), decoded in one pass with its inspection. Times are read as text so that a malformed
// timestamp is reported on its own field. The rules are the service's
// (audit.ValidateMysteryOrder); the observations, which have no safe default, are pointers
// that must be sent (missing).
type mysteryOrderRequest struct {
	SellerID               string               `json:"seller_id"`
	OrderRef               string               `json:"order_ref"`
	OrderedAt              string               `json:"ordered_at"`
	ShippedAt              *string              `json:"shipped_at"`
	DeliveredAt            *string              `json:"delivered_at"`
	ListedGrade            string               `json:"listed_grade"`
	Inspection             *inspectionDoc       `json:"inspection"`
	Logistics              *logisticsRequest    `json:"logistics"`
	IdentityMatchesListing *bool                `json:"identity_matches_listing"`
	ServiceProbe           *serviceProbeRequest `json:"service_probe"`
}

type logisticsRequest struct {
	PackagingAdequate  *bool    `json:"packaging_adequate"`
	TransitDamage      *bool    `json:"transit_damage"`
	ChargeOnArrivalPct *float64 `json:"charge_on_arrival_pct"`
	CableIncluded      *bool    `json:"cable_included"`
	ChargerAsListed    *bool    `json:"charger_as_listed"`
}

// missing lists the observations left out or sent as null, sorted by path.
func (r *mysteryOrderRequest) missing() []grading.FieldError {
	var errs []grading.FieldError
	miss := func(field string) { errs = append(errs, grading.FieldError{Field: field, Message: "is required"}) }
	if r.IdentityMatchesListing == nil {
		miss("identity_matches_listing")
	}
	if l := r.Logistics; l == nil {
		miss("logistics")
	} else {
		for _, f := range []struct {
			set  bool
			name string
		}{{l.CableIncluded != nil, "cable_included"}, {l.ChargeOnArrivalPct != nil, "charge_on_arrival_pct"},
			{l.ChargerAsListed != nil, "charger_as_listed"}, {l.PackagingAdequate != nil, "packaging_adequate"},
			{l.TransitDamage != nil, "transit_damage"}} {
			if !f.set {
				miss("logistics." + f.name)
			}
		}
	}
	return errs
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
	Inspection                  *inspectionDoc    `json:"inspection"`
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

// toMysteryOrderJSON presents a stored mystery order; its inspection is encoded from the
// domain value in the API's form, whatever form the store keeps it in.
func toMysteryOrderJSON(r audit.MysteryOrderRecord) mysteryOrderJSON {
	l := r.Logistics
	out := mysteryOrderJSON{
		ID: r.ID, SellerID: r.SellerID, OrderRef: r.OrderRef,
		OrderedAt: r.OrderedAt, ShippedAt: r.ShippedAt, DeliveredAt: r.DeliveredAt,
		ListedGrade: string(r.ListedGrade), Inspection: inspectionWire(r.Inspection),
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
	errs []grading.FieldError
}

func (t *moTimes) flag(field, msg string) {
	t.errs = append(t.errs, grading.FieldError{Field: field, Message: msg})
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

// decodeMysteryOrder decodes a mystery order document in one pass into the domain's value,
// with the problems only decoding can see: values of the wrong type, malformed times, missing
// observations and an inspection missing, not valid UTF-8 as sent, or left without one of its
// members. A body that is malformed JSON or not an object is refused as a whole.
func decodeMysteryOrder(body []byte) (audit.Input[audit.MysteryOrder], error) {
	var req mysteryOrderRequest
	typeErr, err := wire.Decode(body, &req)
	if err != nil {
		return audit.Input[audit.MysteryOrder]{}, err
	}
	times := &moTimes{}
	mo := audit.MysteryOrder{
		SellerID: req.SellerID, OrderRef: req.OrderRef,
		OrderedAt:   times.parse("ordered_at", req.OrderedAt),
		ShippedAt:   times.optional("shipped_at", req.ShippedAt),
		DeliveredAt: times.optional("delivered_at", req.DeliveredAt),
		ListedGrade: grading.Marketplace(req.ListedGrade),
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
	var problems []grading.FieldError
	mo.Inspection, mo.Submitted, problems = inspectionInput(req.Inspection, submittedInspection(body),
		problemsOf(typeErr), append(times.errs, req.missing()...))
	return audit.Input[audit.MysteryOrder]{Value: mo, Problems: problems}, nil
}

func (s *Server) createMysteryOrder(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	in, err := decodeMysteryOrder(body)
	if err != nil {
		return err
	}
	rec, err := s.svc.RecordMysteryOrder(c.Request().Context(), mustPrincipal(c), in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, toMysteryOrderJSON(rec))
}

// correctMysteryOrder stores a correction of a mystery order: a new record of the same order
// that supersedes the old one, which is never changed; both stay visible.
func (s *Server) correctMysteryOrder(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	in, err := decodeMysteryOrder(body)
	if err != nil {
		return err
	}
	rec, err := s.svc.CorrectMysteryOrder(c.Request().Context(), mustPrincipal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, toMysteryOrderJSON(rec))
}

func (s *Server) getMysteryOrder(c echo.Context) error {
	rec, err := s.svc.MysteryOrder(c.Request().Context(), mustPrincipal(c), c.Param("id"))
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
	f := audit.MysteryOrderFilter{SellerID: q.str("seller_id", 128)}
	f.From, f.To = q.period()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.svc.MysteryOrders(c.Request().Context(), mustPrincipal(c), f, page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, toMysteryOrderJSON))
}
