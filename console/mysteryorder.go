package console

import (
	"net/http"
	"net/url"

	"github.com/refurbqa/refurbqa/audit"
)

// The technician's mystery order (console.md, Technician): the same inspection form as a bench
// test (record.go) plus the order, the logistics observed on delivery and the optional service
// probe.

// mysteryOrderForm is GET /console/mystery-orders/new.
func (c *Console) mysteryOrderForm(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	return c.newRecordForm(w, r, s, mysteryOrders, func(url.Values) {})
}

// orderRefTaken is the refusal of an order_ref the seller already used, shown beside it.
const orderRefTaken = "this seller already has a mystery order with this reference: open it from your recent work to correct it"

// createMysteryOrder is POST /console/mystery-orders: save stores the mystery order and goes to
// it.
func (c *Console) createMysteryOrder(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	page, err := c.postedForm(w, r, s, mysteryOrders)
	if page == nil {
		return err
	}
	page.conflictAt, page.conflictMessage = "order_ref", orderRefTaken
	return c.submit(w, r, s, page, func(v url.Values) (string, error) {
		rec, err := c.svc.RecordMysteryOrder(r.Context(), s.principal(), mysteryOrderInput(v))
		if err != nil {
			return "", err
		}
		return mysteryOrders.Path + "/" + rec.ID, nil
	})
}

// mysteryOrderView is the page of one mystery order.
type mysteryOrderView struct {
	Kind   recordKind
	Rec    audit.MysteryOrderRecord
	Seller audit.Seller
	Tests  []testResult
	// ProbeInTime says in words whether the service probe was answered in time.
	ProbeInTime  string
	LowChargePct int
	// Certificate is the record's grade certificate: its code and links.
	Certificate certificateView
}

// mysteryOrder is GET /console/mystery-orders/{id}: one mystery order, its grade and every
// reason, what intake derived from it, and its certificate.
func (c *Console) mysteryOrder(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	rec, err := c.svc.MysteryOrder(r.Context(), s.principal(), r.PathValue("id"))
	if err != nil {
		return err
	}
	seller, err := c.svc.Seller(r.Context(), s.principal(), rec.SellerID)
	if err != nil {
		return err
	}
	p, _ := c.svc.Protocol(rec.Inspection.Device.Category)
	cert, err := c.certificate(r, mysteryOrders, rec.ID, rec.VerificationCode, func() (audit.Certificate, error) {
		return c.svc.MysteryOrderCertificate(r.Context(), s.principal(), rec.ID)
	})
	if err != nil {
		return err
	}
	v := mysteryOrderView{Kind: mysteryOrders, Rec: rec, Seller: seller, Tests: results(p, rec.Inspection),
		ProbeInTime: "no probe sent", LowChargePct: audit.LowChargePct, Certificate: cert}
	if in := rec.ProbeAnsweredInTime; in != nil {
		v.ProbeInTime = map[bool]string{true: "yes", false: "no"}[*in]
	}
	return c.render(w, r, s, http.StatusOK, "mysteryorder", "Mystery order "+rec.ID, v)
}

// storedMysteryOrder reads the mystery order id for its correction pages (record.go).
func (c *Console) storedMysteryOrder(r *http.Request, s *signedIn, id string) (storedRecord, error) {
	rec, err := c.svc.MysteryOrder(r.Context(), s.principal(), id)
	if err != nil {
		return storedRecord{}, err
	}
	return storedRecord{ID: rec.ID, SellerID: rec.SellerID, SupersededBy: rec.SupersededBy,
		Category: rec.Inspection.Device.Category, Values: mysteryOrderValues(rec.MysteryOrder)}, nil
}

// saveMysteryOrderCorrection stores the correction of the mystery order id
// (audit.Service.CorrectMysteryOrder).
func (c *Console) saveMysteryOrderCorrection(r *http.Request, s *signedIn, id string, v url.Values) (string, error) {
	fixed, err := c.svc.CorrectMysteryOrder(r.Context(), s.principal(), id, mysteryOrderInput(v))
	return fixed.ID, err
}
