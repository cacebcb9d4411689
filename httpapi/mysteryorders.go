package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

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
	Inspection                  *wire.Inspection  `json:"inspection"`
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
	certificateLinksJSON
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

// mysteryOrderJSONFor returns how the answers to request r present a stored mystery order:
// its inspection encoded from the domain value in the API's form, whatever form the store
// keeps it in, and its certificate's code and addresses as the certificate itself prints them.
func (s *Server) mysteryOrderJSONFor(r *http.Request) func(audit.MysteryOrderRecord) mysteryOrderJSON {
	return func(rec audit.MysteryOrderRecord) mysteryOrderJSON {
		l := rec.Logistics
		out := mysteryOrderJSON{
			ID: rec.ID, SellerID: rec.SellerID, OrderRef: rec.OrderRef,
			OrderedAt: rec.OrderedAt, ShippedAt: rec.ShippedAt, DeliveredAt: rec.DeliveredAt,
			ListedGrade: string(rec.ListedGrade), Inspection: wire.InspectionOf(rec.Inspection),
			Logistics: logisticsJSON{PackagingAdequate: l.PackagingAdequate, TransitDamage: l.TransitDamage,
				ChargeOnArrivalPct: l.ChargeOnArrivalPct, CableIncluded: l.CableIncluded, ChargerAsListed: l.ChargerAsListed},
			IdentityMatchesListing: rec.IdentityMatchesListing,
			TechnicianKeyID:        rec.TechnicianKeyID,
			Grade:                  toGradeJSON(rec.Grade), GradeMatch: string(rec.GradeMatch),
			ShippedWithinOneBusinessDay: rec.ShippedWithinOneBusinessDay,
			PackagingFailure:            rec.PackagingFailure, LowCharge: rec.LowCharge, AccessoriesOK: rec.AccessoriesOK,
			ProbeAnsweredInTime: rec.ProbeAnsweredInTime,
			Supersedes:          optString(rec.Supersedes), SupersededBy: optString(rec.SupersededBy),
			CreatedAt:            rec.CreatedAt,
			certificateLinksJSON: s.certificateLinks(r, recordPath(mysteryOrdersPath, rec.ID), rec.VerificationCode),
		}
		if sp := rec.ServiceProbe; sp != nil {
			out.ServiceProbe = &serviceProbeJSON{QuestionSentAt: sp.QuestionSentAt, AnsweredAt: sp.AnsweredAt}
		}
		return out
	}
}

func (s *Server) createMysteryOrder(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	in, err := wire.DecodeMysteryOrder(body)
	if err != nil {
		return err
	}
	rec, err := s.svc.RecordMysteryOrder(c.Request().Context(), mustPrincipal(c), in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, s.mysteryOrderJSONFor(c.Request())(rec))
}

// correctMysteryOrder stores a correction of a mystery order: a new record of the same order
// that supersedes the old one, which is never changed; both stay visible.
func (s *Server) correctMysteryOrder(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	in, err := wire.DecodeMysteryOrder(body)
	if err != nil {
		return err
	}
	rec, err := s.svc.CorrectMysteryOrder(c.Request().Context(), mustPrincipal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, s.mysteryOrderJSONFor(c.Request())(rec))
}

func (s *Server) getMysteryOrder(c echo.Context) error {
	rec, err := s.svc.MysteryOrder(c.Request().Context(), mustPrincipal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, s.mysteryOrderJSONFor(c.Request())(rec))
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
	return writeJSON(c, http.StatusOK, newList(items, next, s.mysteryOrderJSONFor(c.Request())))
}
