package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/store"
)

// maxBatchItems bounds a batch of bench tests (api.md: 1 to 1000 items).
const maxBatchItems = 1000

// benchTestRequest is the wire form of a bench test as submitted. The inspection is kept as the
// raw bytes the client sent, which are stored as they are: a grade can be defended years later
// only against the very document it was computed from. tested_at is read as text so that a
// malformed timestamp is reported on its field. The fields are checked by
// audit.ValidateBenchTest, so they carry no validator tags.
type benchTestRequest struct {
	SellerID    string          `json:"seller_id"`
	Lab         string          `json:"lab"`
	TestedAt    string          `json:"tested_at"`
	ListedGrade *string         `json:"listed_grade"`
	ExternalID  *string         `json:"external_id"`
	Inspection  json.RawMessage `json:"inspection"`
}

type batchRequest struct {
	Items []json.RawMessage `json:"items"`
}

// benchTestJSON is the wire form of a stored bench test.
type benchTestJSON struct {
	ID              string          `json:"id"`
	SellerID        string          `json:"seller_id"`
	Lab             string          `json:"lab"`
	TestedAt        time.Time       `json:"tested_at"`
	ListedGrade     *string         `json:"listed_grade"`
	ExternalID      *string         `json:"external_id"`
	TechnicianKeyID string          `json:"technician_key_id"`
	Supersedes      *string         `json:"supersedes"`
	SupersededBy    *string         `json:"superseded_by"`
	Inspection      json.RawMessage `json:"inspection"`
	Grade           gradeJSON       `json:"grade"`
	GradeMatch      *string         `json:"grade_match"`
	CreatedAt       time.Time       `json:"created_at"`
}

func toBenchTestJSON(r store.BenchTestRecord) benchTestJSON {
	return benchTestJSON{
		ID: r.ID, SellerID: r.SellerID, Lab: r.Lab, TestedAt: r.TestedAt,
		ListedGrade: optString(r.ListedGrade), ExternalID: optString(r.ExternalID),
		TechnicianKeyID: r.TechnicianKeyID, Supersedes: optString(r.Supersedes), SupersededBy: optString(r.SupersededBy),
		Inspection: json.RawMessage(r.Submitted), Grade: toGradeJSON(r.Grade), GradeMatch: optString(r.GradeMatch),
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

// decodeBenchTest decodes and checks one bench test document and derives its grade. Every
// invalid field is reported at once: JSON types, the envelope (audit.ValidateBenchTest) and the
// inspection (decodeInspection, under "inspection."). whole names the document in errors about
// it as a whole ("body", or "item" inside a batch).
func (s *Server) decodeBenchTest(raw []byte, whole string, validate func(any) error) (audit.BenchTest, error) {
	var req benchTestRequest
	typeErr, err := decodeLenient(raw, &req)
	if err != nil {
		return audit.BenchTest{}, renameWhole(err, whole)
	}
	return s.checkBenchTest(&req, typeErr, validate)
}

// checkBenchTest checks a decoded bench test (typeErr: the wrong JSON types decoding found)
// and derives its grade.
func (s *Server) checkBenchTest(req *benchTestRequest, typeErr error, validate func(any) error) (audit.BenchTest, error) {
	bt := audit.BenchTest{SellerID: req.SellerID, Lab: req.Lab, ExternalID: deref(req.ExternalID), Submitted: req.Inspection}
	var errs []grading.FieldError
	flagged := map[string]bool{}
	flag := func(field, msg string) {
		errs = append(errs, grading.FieldError{Field: field, Message: msg})
		flagged[field] = true
	}
	if req.TestedAt != "" {
		t, perr := time.Parse(time.RFC3339, req.TestedAt)
		if perr != nil {
			flag("tested_at", "must be an RFC 3339 timestamp")
		} else {
			bt.TestedAt = t.UTC()
		}
	}
	if req.ListedGrade != nil {
		bt.ListedGrade = grading.Marketplace(*req.ListedGrade)
		if !bt.ListedGrade.Valid() {
			flag("listed_grade", "must be one of premium, excellent, good, fair (or null)")
		}
	}
	if req.ExternalID != nil && *req.ExternalID == "" {
		flag("external_id", "must not be empty: omit it or send null when there is none")
	}
	var inspErr error
	if len(req.Inspection) == 0 || bytes.Equal(req.Inspection, []byte("null")) {
		flag("inspection", "is required")
	} else {
		bt.Inspection, inspErr = s.decodeInspection(req.Inspection, "inspection.", validate)
	}
	for _, f := range audit.ValidateBenchTest(bt, s.protocols) {
		// The inspection was checked above, with the JSON types and required fields that the
		// domain cannot see; its findings under a missing field would only repeat it.
		if strings.HasPrefix(f.Field, "inspection.") || flagged[f.Field] {
			continue
		}
		errs = append(errs, f)
	}
	if err := withTypeErrors(typeErr, mergeInvalid(audit.Invalid(errs), inspErr)); err != nil {
		return audit.BenchTest{}, err
	}
	p, _ := s.protocols.Get(bt.Inspection.Device.Category) // a valid inspection has a protocol
	audit.DeriveBenchTest(&bt, p)
	return bt, nil
}

func (s *Server) createBenchTest(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	bt, err := s.decodeBenchTest(body, "body", c.Validate)
	if err != nil {
		return err
	}
	rec, created, err := s.store.CreateBenchTest(c.Request().Context(), mustPrincipal(c), bt)
	if err != nil {
		return sellerRefError(err, "seller_id")
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
	bt, err := s.decodeBenchTest(body, "body", c.Validate)
	if err != nil {
		return err
	}
	rec, err := s.store.CorrectBenchTest(c.Request().Context(), mustPrincipal(c), c.Param("id"), bt)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, toBenchTestJSON(rec))
}

// createBenchTests is the intake of mass testing: every item is decoded and checked on its own
// (one item's wrong JSON type makes only that item invalid), and every valid one is stored in
// one transaction with batch inserts.
func (s *Server) createBenchTests(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	var (
		results []batchResultJSON
		valid   []audit.BenchTest
		at      []int // index in the request of each valid item
	)
	invalid := func(i int, err error) error {
		var ve *audit.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		results[i].Status, results[i].Errors = "invalid", problemFields(ve.Errors)
		return nil
	}
	// The usual batch has no value of a wrong JSON type anywhere: one decode of the whole body
	// then serves every item. Otherwise each item is decoded on its own, so that a wrong type
	// makes only its own item invalid (encoding/json reports one type error per document).
	var fast struct {
		Items []benchTestRequest `json:"items"`
	}
	typeErr, err := decodeLenient(body, &fast)
	if err != nil {
		return err
	}
	if typeErr == nil {
		if err := checkBatchSize(len(fast.Items)); err != nil {
			return err
		}
		results = make([]batchResultJSON, len(fast.Items))
		for i := range fast.Items {
			results[i] = batchResultJSON{Index: i}
			bt, err := s.checkBenchTest(&fast.Items[i], nil, c.Validate)
			if err != nil {
				if err := invalid(i, err); err != nil {
					return err
				}
				continue
			}
			valid, at = append(valid, bt), append(at, i)
		}
	} else {
		var req batchRequest
		if err := decodeJSON(body, &req); err != nil {
			return err
		}
		if err := checkBatchSize(len(req.Items)); err != nil {
			return err
		}
		results = make([]batchResultJSON, len(req.Items))
		for i, raw := range req.Items {
			results[i] = batchResultJSON{Index: i}
			bt, err := s.decodeBenchTest(raw, "item", c.Validate)
			if err != nil {
				if err := invalid(i, err); err != nil {
					return err
				}
				continue
			}
			valid, at = append(valid, bt), append(at, i)
		}
	}
	if len(valid) > 0 {
		stored, err := s.store.CreateBenchTests(c.Request().Context(), mustPrincipal(c), valid)
		if err != nil {
			return err
		}
		for j, r := range stored {
			res := &results[at[j]]
			switch r.Outcome {
			case store.BatchUnknownSeller:
				res.Status, res.Errors = "invalid", []problemField{{Field: "seller_id", Message: "no seller has this id"}}
			default:
				id := r.ID
				res.Status, res.ID = string(r.Outcome), &id
			}
		}
	}
	for i := range results {
		if results[i].Errors == nil {
			results[i].Errors = []problemField{}
		}
	}
	return writeJSON(c, http.StatusOK, batchResponse{Results: results})
}

func checkBatchSize(n int) error {
	if n < 1 || n > maxBatchItems {
		return audit.Invalid(fieldErr("items", "must hold 1 to 1000 bench tests"))
	}
	return nil
}

func problemFields(errs []grading.FieldError) []problemField {
	out := make([]problemField, len(errs))
	for i, f := range errs {
		out[i] = problemField{Field: f.Field, Message: f.Message}
	}
	return out
}

func (s *Server) getBenchTest(c echo.Context) error {
	rec, err := s.store.BenchTest(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toBenchTestJSON(rec))
}

// listBenchTests lists bench tests, optionally of one seller and tested in [from, to).
func (s *Server) listBenchTests(c echo.Context) error {
	q := newQuery(c)
	page := q.page()
	f := store.BenchTestFilter{SellerID: q.str("seller_id", 128)}
	f.From, f.To = q.period()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.store.BenchTests(c.Request().Context(), f, page)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, newList(items, next, toBenchTestJSON))
}
