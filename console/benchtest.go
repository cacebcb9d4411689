package console

import (
	"net/http"
	"net/url"

	"github.com/refurbqa/refurbqa/audit"
)

// The technician's bench test (console.md, Technician): the shared record pages (record.go)
// with the bench test's own fields: lab, tested at (defaults to now), listed grade and the
// lab's own id.

// sessionLabKey remembers the lab of the technician's last saved bench test, to fill in the
// next form.
const sessionLabKey = "lab"

// benchTestForm is GET /console/bench-tests/new.
func (c *Console) benchTestForm(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	return c.newRecordForm(w, r, s, benchTests, func(v url.Values) {
		v.Set("tested_at", inputTime(c.now()))
		if lab := c.sessions(r).GetString(r.Context(), sessionLabKey); lab != "" {
			v.Set("lab", lab)
		}
	})
}

// createBenchTest is POST /console/bench-tests: save stores the bench test and goes to it; a
// lab id stored before goes to that bench test instead.
func (c *Console) createBenchTest(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	page, err := c.postedForm(w, r, s, benchTests)
	if page == nil {
		return err
	}
	return c.submit(w, r, s, page, func(v url.Values) (string, error) {
		rec, created, err := c.svc.RecordBenchTest(r.Context(), s.principal(), benchTestInput(v))
		if err != nil {
			return "", err
		}
		c.sessions(r).Put(r.Context(), sessionLabKey, rec.Lab)
		to := benchTests.Path + "/" + rec.ID
		if !created {
			to += "?duplicate=1"
		}
		return to, nil
	})
}

// benchTestView is the page of one bench test.
type benchTestView struct {
	Kind      recordKind
	Rec       audit.BenchTestRecord
	Seller    audit.Seller
	Tests     []testResult
	Duplicate bool
	// Certificate is the record's grade certificate: its code and links.
	Certificate certificateView
}

// benchTest is GET /console/bench-tests/{id}: one bench test, its grade and every reason, and
// its certificate.
func (c *Console) benchTest(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	rec, err := c.svc.BenchTest(r.Context(), s.principal(), r.PathValue("id"))
	if err != nil {
		return err
	}
	seller, err := c.svc.Seller(r.Context(), s.principal(), rec.SellerID)
	if err != nil {
		return err
	}
	p, _ := c.svc.Protocol(rec.Inspection.Device.Category)
	cert, err := c.certificate(r, benchTests, rec.ID, rec.VerificationCode, func() (audit.Certificate, error) {
		return c.svc.BenchTestCertificate(r.Context(), s.principal(), rec.ID)
	})
	if err != nil {
		return err
	}
	v := benchTestView{Kind: benchTests, Rec: rec, Seller: seller, Tests: results(p, rec.Inspection), Duplicate: r.URL.Query().Has("duplicate"),
		Certificate: cert}
	return c.render(w, r, s, http.StatusOK, "benchtest", "Bench test "+rec.ID, v)
}

// storedBenchTest reads the bench test id for its correction pages (record.go).
func (c *Console) storedBenchTest(r *http.Request, s *signedIn, id string) (storedRecord, error) {
	rec, err := c.svc.BenchTest(r.Context(), s.principal(), id)
	if err != nil {
		return storedRecord{}, err
	}
	return storedRecord{ID: rec.ID, SellerID: rec.SellerID, SupersededBy: rec.SupersededBy,
		Category: rec.Inspection.Device.Category, Values: benchTestValues(rec.BenchTest)}, nil
}

// saveBenchTestCorrection stores the correction of the bench test id
// (audit.Service.CorrectBenchTest).
func (c *Console) saveBenchTestCorrection(r *http.Request, s *signedIn, id string, v url.Values) (string, error) {
	fixed, err := c.svc.CorrectBenchTest(r.Context(), s.principal(), id, benchTestInput(v))
	return fixed.ID, err
}
