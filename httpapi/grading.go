package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

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
	in, err := wire.DecodeInspection(body)
	if err != nil {
		return err
	}
	g, err := s.svc.PreviewGrade(in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toGradeJSON(g))
}

// gradeJSON is the wire form of a grade.
type gradeJSON struct {
	Ruleset     string       `json:"ruleset"`
	Status      string       `json:"status"`
	Functional  *string      `json:"functional"`
	Cosmetic    string       `json:"cosmetic"`
	Marketplace *string      `json:"marketplace"`
	Reasons     []reasonJSON `json:"reasons"`
}

type reasonJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func optString[T ~string](v T) *string {
	if v == "" {
		return nil
	}
	s := string(v)
	return &s
}

func toGradeJSON(g grading.Grade) gradeJSON {
	out := gradeJSON{Ruleset: g.Ruleset, Status: string(g.Status), Functional: optString(g.Functional),
		Cosmetic: string(g.Cosmetic), Marketplace: optString(g.Marketplace), Reasons: make([]reasonJSON, len(g.Reasons))}
	for i, r := range g.Reasons {
		out.Reasons[i] = reasonJSON{Code: r.Code, Message: r.Message}
	}
	return out
}
