package wire

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// benchTestRequest is the wire form of a bench test as submitted, decoded in one pass with its
// inspection. tested_at is read as text so that a malformed timestamp is reported on its
// field. The rules are the service's (audit.ValidateBenchTest); only what decoding alone can
// see is checked here (input).
type benchTestRequest struct {
	SellerID    string      `json:"seller_id"`
	Lab         string      `json:"lab"`
	TestedAt    string      `json:"tested_at"`
	ListedGrade *string     `json:"listed_grade"`
	ExternalID  *string     `json:"external_id"`
	Inspection  *Inspection `json:"inspection"`
}

// batchRequest is the wire form of a batch of bench tests (POST /api/v1/bench-tests/batch).
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
func inspectionInput(doc *Inspection, raw json.RawMessage, typeErrs, errs []grading.FieldError) (
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

// DecodeBenchTest decodes one bench test document (POST /api/v1/bench-tests, and a correction)
// in one pass into the domain's bench test, with the problems only decoding can see, which the
// service answers together with its own rules. A body that is malformed JSON or not an object
// is refused as a whole (err, a validation error on "body").
func DecodeBenchTest(body []byte) (audit.Input[audit.BenchTest], error) {
	var req benchTestRequest
	typeErr, err := Decode(body, &req)
	if err != nil {
		return audit.Input[audit.BenchTest]{}, err
	}
	return req.input(problemsOf(typeErr), submittedInspection(body)), nil
}

// DecodeBenchTestBatch decodes a batch of bench tests, {"items": [...]} as POST
// /api/v1/bench-tests/batch reads it, in one pass into one input per item, in order: a value
// of the wrong type makes only its own item invalid. Each item's problems are at their paths
// in the item ("lab", "inspection.battery.health_pct"); an item that is not an object has the
// one problem of field "" (the item as a whole). The inputs go as they are to
// audit.Service.RecordBenchTests, whose result per item is then the API's answer per item.
// err is for the batch as a whole: a body that is malformed JSON or not an object, or whose
// items member is not an array. How many items a batch holds is the service's rule.
func DecodeBenchTestBatch(body []byte) ([]audit.Input[audit.BenchTest], error) {
	var req batchRequest
	typeErr, err := Decode(body, &req)
	if err != nil {
		return nil, err
	}
	perItem, rest := itemProblems(problemsOf(typeErr), len(req.Items))
	if err := audit.Invalid(rest); err != nil {
		return nil, err // "items" itself is not an array
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
	return items, nil
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
