package wire

import (
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
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
	Inspection             *Inspection          `json:"inspection"`
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

// DecodeMysteryOrder decodes a mystery order document (POST /api/v1/mystery-orders, and a
// correction) in one pass into the domain's value, with the problems only decoding can see:
// values of the wrong type, malformed times, missing observations and an inspection missing,
// not valid UTF-8 as sent, or left without one of its members; the service answers them
// together with its own rules. A body that is malformed JSON or not an object is refused as a
// whole (err, a validation error on "body").
func DecodeMysteryOrder(body []byte) (audit.Input[audit.MysteryOrder], error) {
	var req mysteryOrderRequest
	typeErr, err := Decode(body, &req)
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
