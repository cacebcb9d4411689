package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// benchTestRequest is the wire form of a bench test as submitted, decoded in one pass with its
// inspection. tested_at is read as text so that a malformed timestamp is reported on its
// field. The rules are the service's (audit.ValidateBenchTest); only what decoding alone can
// see is checked here (input).
type benchTestRequest struct {
	SellerID    string         `json:"seller_id"`
	Lab         string         `json:"lab"`
	TestedAt    string         `json:"tested_at"`
	ListedGrade *string        `json:"listed_grade"`
	ExternalID  *string        `json:"external_id"`
	Inspection  *inspectionDoc `json:"inspection"`
}

type batchRequest struct {
	Items []benchTestRequest `json:"items"`
}

// input makes the domain's bench test of a decoded request, with the problems only decoding
// can see: typeErrs (values of the wrong type, control characters), a malformed tested_at, a
// listed grade or external id that is neither a value nor null, an inspection missing, not
// valid UTF-8 as sent (raw), or left without one of its members.
func (r *benchTestRequest) input(typeErrs []grading.FieldError, raw json.RawMessage) audit.Input[audit.BenchTest] {
	if whole(typeErrs) {
		return audit.Input[audit.BenchTest]{Problems: typeErrs}
	}
	bt := audit.BenchTest{SellerID: r.SellerID, Lab: r.Lab, ExternalID: deref(r.ExternalID)}
	var errs []grading.FieldError
	flag := func(field, msg string) { errs = append(errs, grading.FieldError{Field: field, Message: msg}) }
	if r.TestedAt != "" {
		t, err := time.Parse(time.RFC3339, r.TestedAt)
		if err != nil {
			flag("tested_at", "must be an RFC 3339 timestamp")
		} else {
			bt.TestedAt = t.UTC()
		}
	}
	if r.ListedGrade != nil {
		bt.ListedGrade = grading.Marketplace(*r.ListedGrade)
		if !bt.ListedGrade.Valid() {
			flag("listed_grade", "must be one of premium, excellent, good, fair (or null)")
		}
	}
	if r.ExternalID != nil && *r.ExternalID == "" {
		flag("external_id", "must not be empty: omit it or send null when there is none")
	}
	var problems []grading.FieldError
	bt.Inspection, bt.Submitted, problems = inspectionInput(r.Inspection, raw, typeErrs, errs)
	return audit.Input[audit.BenchTest]{Value: bt, Problems: problems}
}

// inspectionInput reads the inspection of a bench test or mystery order: the domain value of
// doc, the document as sent (raw), and every problem of the document: typeErrs and errs (what
// decoding and the envelope's own checks found) with the inspection's. An inspection that is
// not valid UTF-8 as sent cannot be kept as evidence: it is refused as a whole, and what
// decoding found inside it goes.
func inspectionInput(doc *inspectionDoc, raw json.RawMessage, typeErrs, errs []grading.FieldError) (
	in grading.Inspection, sent []byte, problems []grading.FieldError) {
	switch {
	case len(raw) > 0 && !utf8.Valid(raw):
		kept := typeErrs[:0:0]
		for _, f := range typeErrs {
			if f.Field != "inspection" && !strings.HasPrefix(f.Field, "inspection.") {
				kept = append(kept, f)
			}
		}
		typeErrs, errs = kept, append(errs, grading.FieldError{Field: "inspection", Message: "must be valid UTF-8"})
	case doc == nil:
		errs = append(errs, grading.FieldError{Field: "inspection", Message: "is required"})
	default:
		in, sent, errs = doc.domain(), raw, append(errs, doc.missing("inspection.")...)
	}
	return in, sent, decodingProblems(audit.Invalid(typeErrs), errs)
}

// whole reports whether decoding refused the document as a whole (a batch item that is not an
// object): nothing else about it can be said.
func whole(errs []grading.FieldError) bool {
	return len(errs) == 1 && errs[0].Field == ""
}

// problemsOf returns the field errors of a validation error (nil for nil).
func problemsOf(err error) []grading.FieldError {
	var ve *audit.ValidationError
	if errors.As(err, &ve) {
		return ve.Errors
	}
	return nil
}

// decodeBenchTest decodes one bench test document in one pass; a body that is malformed JSON
// or not an object is refused as a whole.
func decodeBenchTest(body []byte) (audit.Input[audit.BenchTest], error) {
	var req benchTestRequest
	typeErr, err := wire.Decode(body, &req)
	if err != nil {
		return audit.Input[audit.BenchTest]{}, err
	}
	return req.input(problemsOf(typeErr), submittedInspection(body)), nil
}

// benchTestJSON is the wire form of a stored bench test.
type benchTestJSON struct {
	ID              string         `json:"id"`
	SellerID        string         `json:"seller_id"`
	Lab             string         `json:"lab"`
	TestedAt        time.Time      `json:"tested_at"`
	ListedGrade     *string        `json:"listed_grade"`
	ExternalID      *string        `json:"external_id"`
	TechnicianKeyID string         `json:"technician_key_id"`
	Supersedes      *string        `json:"supersedes"`
	SupersededBy    *string        `json:"superseded_by"`
	Inspection      *inspectionDoc `json:"inspection"`
	Grade           gradeJSON      `json:"grade"`
	GradeMatch      *string        `json:"grade_match"`
	CreatedAt       time.Time      `json:"created_at"`
}

// toBenchTestJSON presents a stored bench test; its inspection is encoded from the domain value
// in the API's form, whatever form the store keeps it in.
func toBenchTestJSON(r audit.BenchTestRecord) benchTestJSON {
	return benchTestJSON{
		ID: r.ID, SellerID: r.SellerID, Lab: r.Lab, TestedAt: r.TestedAt,
		ListedGrade: optString(r.ListedGrade), ExternalID: optString(r.ExternalID),
		TechnicianKeyID: r.TechnicianKeyID, Supersedes: optString(r.Supersedes), SupersededBy: optString(r.SupersededBy),
		Inspection: inspectionWire(r.Inspection), Grade: toGradeJSON(r.Grade), GradeMatch: optString(r.GradeMatch),
		CreatedAt: r.CreatedAt,
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
	in, err := decodeBenchTest(body)
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
	return writeJSON(c, status, toBenchTestJSON(rec))
}

// correctBenchTest stores a correction of a bench test: a new record that supersedes the old
// one, which is never changed; both stay visible.
func (s *Server) correctBenchTest(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	in, err := decodeBenchTest(body)
	if err != nil {
		return err
	}
	rec, err := s.svc.CorrectBenchTest(c.Request().Context(), mustPrincipal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, toBenchTestJSON(rec))
}

// createBenchTests is the intake of mass testing. The whole batch is decoded in one pass, and a
// value of the wrong type makes only its own item invalid; the service checks every item and
// stores every valid one in one transaction.
func (s *Server) createBenchTests(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	var req batchRequest
	typeErr, err := wire.Decode(body, &req)
	if err != nil {
		return err
	}
	perItem, rest := itemProblems(problemsOf(typeErr), len(req.Items))
	if err := audit.Invalid(rest); err != nil {
		return err // "items" itself is not an array
	}
	raws := submittedInspections(body)
	items := make([]audit.Input[audit.BenchTest], len(req.Items))
	for i := range req.Items {
		var raw json.RawMessage
		if i < len(raws) {
			raw = raws[i]
		}
		items[i] = req.Items[i].input(perItem[i], raw)
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

// itemProblems sorts the problems of decoding a batch into those of each of its n items, at
// their paths in the item ("" for the item itself), and the rest.
func itemProblems(errs []grading.FieldError, n int) (perItem [][]grading.FieldError, rest []grading.FieldError) {
	perItem = make([][]grading.FieldError, n)
	for _, f := range errs {
		i, path, ok := itemPath(f.Field)
		if !ok || i >= n {
			rest = append(rest, f)
			continue
		}
		perItem[i] = append(perItem[i], grading.FieldError{Field: path, Message: f.Message})
	}
	return perItem, rest
}

// itemPath splits "items[12].lab" into 12 and "lab", and "items[12]" into 12 and "".
func itemPath(field string) (int, string, bool) {
	rest, ok := strings.CutPrefix(field, "items[")
	if !ok {
		return 0, "", false
	}
	num, path, ok := strings.Cut(rest, "]")
	if !ok {
		return 0, "", false
	}
	i, err := strconv.Atoi(num)
	if err != nil || i < 0 {
		return 0, "", false
	}
	if path == "" {
		return i, "", true
	}
	path, ok = strings.CutPrefix(path, ".")
	return i, path, ok
}

func (s *Server) getBenchTest(c echo.Context) error {
	rec, err := s.svc.BenchTest(c.Request().Context(), mustPrincipal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toBenchTestJSON(rec))
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
	return writeJSON(c, http.StatusOK, newList(items, next, toBenchTestJSON))
}
