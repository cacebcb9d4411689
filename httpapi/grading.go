package httpapi

import (
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// protocolJSON is the wire form of a functional test protocol, from which lab tools build their
// forms.
type protocolJSON struct {
	Category string             `json:"category"`
	Tests    []protocolTestJSON `json:"tests"`
}

type protocolTestJSON struct {
	Code     string `json:"code"`
	Severity string `json:"severity"`
}

func toProtocolJSON(p grading.Protocol) protocolJSON {
	out := protocolJSON{Category: string(p.Category), Tests: make([]protocolTestJSON, len(p.Tests))}
	for i, t := range p.Tests {
		out.Tests[i] = protocolTestJSON{Code: t.Code, Severity: string(t.Severity)}
	}
	return out
}

// listProtocols answers every protocol, in the category order of grading.md.
func (s *Server) listProtocols(c echo.Context) error {
	ps := s.svc.Protocols()
	out := make([]protocolJSON, 0, len(grading.Categories))
	for _, cat := range grading.Categories {
		if p, ok := ps.Get(cat); ok {
			out = append(out, toProtocolJSON(p))
		}
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) getProtocol(c echo.Context) error {
	p, err := s.svc.Protocol(grading.Category(c.Param("category")))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toProtocolJSON(p))
}

// previewGrade grades an inspection without storing anything, so that a technician sees the
// grade (and every reason) before committing a bench test.
func (s *Server) previewGrade(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	in, err := decodeInspection(body)
	if err != nil {
		return err
	}
	g, err := s.svc.PreviewGrade(in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toGradeJSON(g))
}

// decodeInspection decodes an inspection sent on its own (the body of a preview), in one pass:
// a body that is not valid UTF-8, malformed JSON or not an object is refused as a whole;
// otherwise the values of the wrong type and the members left out are the input's problems,
// which the service answers with the rules of grading.md.
func decodeInspection(body []byte) (audit.Input[grading.Inspection], error) {
	if !utf8.Valid(body) {
		return audit.Input[grading.Inspection]{}, audit.Invalid(fieldErr("body", "must be valid UTF-8"))
	}
	var doc inspectionDoc
	typeErr, err := wire.Decode(body, &doc)
	if err != nil {
		return audit.Input[grading.Inspection]{}, err
	}
	return audit.Input[grading.Inspection]{Value: doc.domain(), Problems: decodingProblems(typeErr, doc.missing(""))}, nil
}

// decodingProblems joins what decoding a document found: the values of the wrong type
// (typeErr, from wire.Decode) and the other problems, of which those at or under a value of
// the wrong type are left out (that value was dropped: "is required" would mislead).
func decodingProblems(typeErr error, others []grading.FieldError) []grading.FieldError {
	var ve *audit.ValidationError
	if errors.As(wire.WithTypeErrors(typeErr, audit.Invalid(others)), &ve) {
		return ve.Errors
	}
	return nil
}
