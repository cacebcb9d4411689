package checklist

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
)

// defaultCharterJSON is charter version 2026.1 of charter.md §3, kept as data rather than Go
// code so that it has exactly the shape of a charter published through the API.
//
//go:embed charter_2026.1.json
var defaultCharterJSON []byte

// DefaultCharterVersion is the version of the charter DefaultCharter returns.
const DefaultCharterVersion = "2026.1"

// Weight returns the weight a point of severity s carries in the score: critical 8, major 4,
// minor 2 (charter.md §3). It is 0 for an unknown severity, which Compile refuses.
func (s Severity) Weight() int {
	switch s {
	case Critical:
		return 8
	case Major:
		return 4
	case Minor:
		return 2
	}
	return 0
}

// DefaultCharter returns the charter refurbqa ships with (version 2026.1), which a fresh
// installation activates before any charter is published. It is parsed from the embedded data on
// every call, so each caller owns its copy; an error means the embedded file is broken, which
// the package tests rule out.
func DefaultCharter() (Charter, error) {
	var doc Document
	dec := json.NewDecoder(bytes.NewReader(defaultCharterJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return Charter{}, fmt.Errorf("default charter: %w", err)
	}
	return doc.Charter(), nil
}

// Document is the published form of a charter, the snake_case JSON of api.md ("Charter"): the
// form in which the default charter is embedded and in which the HTTP API takes and shows
// every version, so that the shipped charter is exactly a charter one could publish. It lives
// apart from Charter because the domain types carry no encoding tags; the database keeps a
// format of its own (package store), so that this form may change without a data migration.
type Document struct {
	Version string          `json:"version"`
	Points  []DocumentPoint `json:"points"`
}

// DocumentPoint is one Point in a Document.
type DocumentPoint struct {
	Code         string `json:"code"`
	Title        string `json:"title"`
	Area         string `json:"area"`
	Severity     string `json:"severity"`
	Weight       int    `json:"weight"`
	Rule         string `json:"rule"`
	Metric       string `json:"metric"`
	SampleMetric string `json:"sample_metric"`
	MinSamples   int    `json:"min_samples"`
}

// NewDocument returns the published form of c.
func NewDocument(c Charter) Document {
	d := Document{Version: c.Version, Points: make([]DocumentPoint, len(c.Points))}
	for i, p := range c.Points {
		d.Points[i] = DocumentPoint{Code: p.Code, Title: p.Title, Area: p.Area, Severity: string(p.Severity),
			Weight: p.Weight, Rule: p.Rule, Metric: p.Metric, SampleMetric: p.SampleMetric, MinSamples: p.MinSamples}
	}
	return d
}

// Charter returns the charter d holds, unchecked: Compile is the gate of a charter's validity.
func (d Document) Charter() Charter {
	c := Charter{Version: d.Version, Points: make([]Point, len(d.Points))}
	for i, p := range d.Points {
		c.Points[i] = Point{Code: p.Code, Title: p.Title, Area: p.Area, Severity: Severity(p.Severity),
			Weight: p.Weight, Rule: p.Rule, Metric: p.Metric, SampleMetric: p.SampleMetric, MinSamples: p.MinSamples}
	}
	return c
}
