package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// benchTestJSON is the wire form of a stored bench test.
type benchTestJSON struct {
	ID              string           `json:"id"`
	SellerID        string           `json:"seller_id"`
	Lab             string           `json:"lab"`
	TestedAt        time.Time        `json:"tested_at"`
	ListedGrade     *string          `json:"listed_grade"`
	ExternalID      *string          `json:"external_id"`
	TechnicianKeyID string           `json:"technician_key_id"`
	Supersedes      *string          `json:"supersedes"`
	SupersededBy    *string          `json:"superseded_by"`
	Inspection      *wire.Inspection `json:"inspection"`
	Grade           gradeJSON        `json:"grade"`
	GradeMatch      *string          `json:"grade_match"`
	CreatedAt       time.Time        `json:"created_at"`
	certificateLinksJSON
}

// benchTestJSONFor returns how the answers to request r present a stored bench test: its
// inspection encoded from the domain value in the API's form, whatever form the store keeps it
// in, and its certificate's code and addresses as the certificate itself prints them.
func (s *Server) benchTestJSONFor(r *http.Request) func(audit.BenchTestRecord) benchTestJSON {
	return func(rec audit.BenchTestRecord) benchTestJSON {
		return benchTestJSON{
			ID: rec.ID, SellerID: rec.SellerID, Lab: rec.Lab, TestedAt: rec.TestedAt,
			ListedGrade: optString(rec.ListedGrade), ExternalID: optString(rec.ExternalID),
			TechnicianKeyID: rec.TechnicianKeyID, Supersedes: optString(rec.Supersedes), SupersededBy: optString(rec.SupersededBy),
			Inspection: wire.InspectionOf(rec.Inspection), Grade: toGradeJSON(rec.Grade), GradeMatch: optString(rec.GradeMatch),
			CreatedAt:            rec.CreatedAt,
			certificateLinksJSON: s.certificateLinks(r, recordPath(benchTestsPath, rec.ID), rec.VerificationCode),
		}
	}
}

type batchResultJSON struct {
	Index  int            `json:"index"`
	Status string         `json:"status"`
	ID     *string        `json:"id"`
	Errors []problemField `json:"errors"` // empty unless invalid
}

type batchResponse struct {
	Results []batchResultJSON `json:"results"`
}

func (s *Server) createBenchTest(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	in, err := wire.DecodeBenchTest(body)
	if err != nil {
		return err
	}
	rec, created, err := s.svc.RecordBenchTest(c.Request().Context(), mustPrincipal(c), in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK // the same lab record again: the stored one, unchanged
	}
	return writeJSON(c, status, s.benchTestJSONFor(c.Request())(rec))
}

// correctBenchTest stores a correction of a bench test: a new record that supersedes the old
// one, which is never changed; both stay visible.
func (s *Server) correctBenchTest(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	in, err := wire.DecodeBenchTest(body)
	if err != nil {
		return err
	}
	rec, err := s.svc.CorrectBenchTest(c.Request().Context(), mustPrincipal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, s.benchTestJSONFor(c.Request())(rec))
}

// createBenchTests is the intake of mass testing. The whole batch is decoded in one pass, and a
// value of the wrong type makes only its own item invalid (wire.DecodeBenchTestBatch); the
// service checks every item and stores every valid one in one transaction.
func (s *Server) createBenchTests(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	items, err := wire.DecodeBenchTestBatch(body)
	if err != nil {
		return err
	}
	results, err := s.svc.RecordBenchTests(c.Request().Context(), mustPrincipal(c), items)
	if err != nil {
		return err
	}
	out := batchResponse{Results: make([]batchResultJSON, len(results))}
	for i, r := range results {
		res := batchResultJSON{Index: i, Status: string(r.Outcome), Errors: make([]problemField, len(r.Errors))}
		if r.ID != "" {
			id := r.ID
			res.ID = &id
		}
		for j, f := range r.Errors {
			if f.Field == "" {
				f.Field = "item" // the item as a whole
			}
			res.Errors[j] = problemField{Field: f.Field, Message: f.Message}
		}
		out.Results[i] = res
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) getBenchTest(c echo.Context) error {
	rec, err := s.svc.BenchTest(c.Request().Context(), mustPrincipal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, s.benchTestJSONFor(c.Request())(rec))
}

// listBenchTests lists bench tests, optionally of one seller and tested in [from, to).
func (s *Server) listBenchTests(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	f := audit.BenchTestFilter{SellerID: q.str("seller_id", 128)}
	f.From, f.To = q.period()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.svc.BenchTests(c.Request().Context(), mustPrincipal(c), f, page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, s.benchTestJSONFor(c.Request())))
}
