package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
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
	out := make([]protocolJSON, 0, len(grading.Categories))
	for _, cat := range grading.Categories {
		if p, ok := s.protocols.Get(cat); ok {
			out = append(out, toProtocolJSON(p))
		}
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) getProtocol(c echo.Context) error {
	cat := grading.Category(c.Param("category"))
	p, ok := s.protocols.Get(cat)
	if !ok {
		return fmt.Errorf("protocol %q: %w", cat, audit.ErrNotFound)
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
	in, err := s.decodeInspection(body, "", requiredInspection(c))
	if err != nil {
		return err
	}
	p, _ := s.protocols.Get(in.Device.Category) // a valid inspection has a protocol
	return writeJSON(c, http.StatusOK, toGradeJSON(grading.Evaluate(in, p)))
}

// decodeInspection decodes one inspection document and checks all of it: JSON types, required
// fields (validator tags) and every rule of grading.md, reporting every invalid field at once
// under prefix ("" for a body that is the inspection, "inspection." inside a bench test). A
// field of the wrong JSON type is reported as such, not as missing.
func (s *Server) decodeInspection(raw []byte, prefix string, validate func(any) error) (grading.Inspection, error) {
	whole := strings.TrimSuffix(prefix, ".")
	if whole == "" {
		whole = "body"
	}
	if !utf8.Valid(raw) {
		return grading.Inspection{}, audit.Invalid(fieldErr(whole, "must be valid UTF-8"))
	}
	var doc inspectionDoc
	typeErr, err := decodeLenient(raw, &doc)
	if err != nil {
		return grading.Inspection{}, renameWhole(err, whole)
	}
	tagErr := validate(&doc)
	var ve *audit.ValidationError
	if tagErr != nil && !errors.As(tagErr, &ve) {
		return grading.Inspection{}, tagErr
	}
	if ve != nil {
		tagErr = audit.Invalid(prefixFields(prefix, ve.Errors))
	}
	typeErr = prefixInvalid(prefix, typeErr)
	in, err := s.checkInspection(&doc, prefix, tagErr)
	err = dropUnjudgeable(err, &doc, prefix, typeErr)
	return in, withTypeErrors(typeErr, err)
}

// dropUnjudgeable removes the finding that a zone's visible_from_cm disagrees with its counts
// when one of those counts is missing or was of the wrong type (and so is already reported):
// the counts are unknown, so whether the distance agrees with them cannot be judged, as
// grading.Validate itself does for counts out of range. A distance out of range stays reported.
func dropUnjudgeable(err error, doc *inspectionDoc, prefix string, typeErr error) error {
	var ve *audit.ValidationError
	if doc.Cosmetic == nil || !errors.As(err, &ve) {
		return err
	}
	// A value of the wrong type may leave its pointer set to a zero value: it is unknown too.
	mistyped := map[string]bool{}
	var te *audit.ValidationError
	if errors.As(typeErr, &te) {
		for _, f := range te.Errors {
			mistyped[f.Field] = true
		}
	}
	skip := map[string]bool{}
	for name, z := range map[string]*zoneDoc{"screen": doc.Cosmetic.Screen, "body": doc.Cosmetic.Body} {
		if z == nil || z.VisibleFromCM == nil || *z.VisibleFromCM < 0 || *z.VisibleFromCM > grading.MaxVisibleFromCM {
			continue
		}
		path := prefix + "cosmetic." + name + "."
		for _, c := range []struct {
			v     *int
			field string
		}{{z.LightScratches, "light_scratches"}, {z.DeepScratches, "deep_scratches"}, {z.Dents, "dents"}, {z.Chips, "chips"}, {z.Cracks, "cracks"}} {
			if c.v == nil || mistyped[path+c.field] {
				skip[path+"visible_from_cm"] = true
			}
		}
	}
	if len(skip) == 0 {
		return err
	}
	kept := make([]grading.FieldError, 0, len(ve.Errors))
	for _, f := range ve.Errors {
		if !skip[f.Field] {
			kept = append(kept, f)
		}
	}
	return audit.Invalid(kept)
}

// renameWhole moves the errors that decodeJSON names "body" (the document as a whole) to
// the name of the document in its request.
func renameWhole(err error, whole string) error {
	var ve *audit.ValidationError
	if whole == "body" || !errors.As(err, &ve) {
		return err
	}
	out := make([]grading.FieldError, len(ve.Errors))
	for i, f := range ve.Errors {
		if f.Field == "body" {
			f.Field = whole
		}
		out[i] = f
	}
	return audit.Invalid(out)
}

// prefixInvalid prefixes the fields of a validation error.
func prefixInvalid(prefix string, err error) error {
	var ve *audit.ValidationError
	if prefix == "" || !errors.As(err, &ve) {
		return err
	}
	return audit.Invalid(prefixFields(prefix, ve.Errors))
}
