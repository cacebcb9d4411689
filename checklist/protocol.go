package checklist

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/refurbqa/refurbqa/grading"
)

// protocolsJSON is the functional test protocol of every category, transcribed from the table
// of grading.md §1 in table order. It ships embedded so that the binary and its protocols can
// never disagree.
//
//go:embed protocols.json
var protocolsJSON []byte

// protocolFile is the shape of protocols.json; the domain types carry no JSON tags.
type protocolFile []struct {
	Category string `json:"category"`
	Tests    []struct {
		Code     string `json:"code"`
		Severity string `json:"severity"`
	} `json:"tests"`
}

// LoadProtocols parses the embedded functional test protocols. It checks them as strictly as a
// charter (known categories and severities, every category present, no repeated category or
// test code), because a mistake there would silently change every grade. Callers load the
// protocols once at startup and pass them to whoever validates or grades inspections.
func LoadProtocols() (grading.Protocols, error) {
	return parseProtocols(protocolsJSON)
}

func parseProtocols(data []byte) (grading.Protocols, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var file protocolFile
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("protocols: %w", err)
	}
	if dec.More() {
		return nil, errors.New("protocols: trailing data after the list")
	}
	ps := make(grading.Protocols, len(file))
	for _, fp := range file {
		c := grading.Category(fp.Category)
		if !c.Valid() {
			return nil, fmt.Errorf("protocols: unknown category %q", fp.Category)
		}
		if _, dup := ps[c]; dup {
			return nil, fmt.Errorf("protocols: category %s given twice", c)
		}
		if len(fp.Tests) == 0 {
			return nil, fmt.Errorf("protocols: %s: no tests", c)
		}
		p := grading.Protocol{Category: c, Tests: make([]grading.Test, 0, len(fp.Tests))}
		for _, ft := range fp.Tests {
			if ft.Code == "" {
				return nil, fmt.Errorf("protocols: %s: empty test code", c)
			}
			if _, dup := p.Lookup(ft.Code); dup {
				return nil, fmt.Errorf("protocols: %s: test %s given twice", c, ft.Code)
			}
			s := grading.Severity(ft.Severity)
			if !s.Valid() {
				return nil, fmt.Errorf("protocols: %s: test %s: unknown severity %q", c, ft.Code, ft.Severity)
			}
			p.Tests = append(p.Tests, grading.Test{Code: ft.Code, Severity: s})
		}
		ps[c] = p
	}
	for _, c := range grading.Categories {
		if _, ok := ps[c]; !ok {
			return nil, fmt.Errorf("protocols: category %s missing", c)
		}
	}
	return ps, nil
}
