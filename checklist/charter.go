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
	var doc charterDoc
	dec := json.NewDecoder(bytes.NewReader(defaultCharterJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return Charter{}, fmt.Errorf("default charter: %w", err)
	}
	c := Charter{Version: doc.Version, Points: make([]Point, len(doc.Points))}
	for i, p := range doc.Points {
		c.Points[i] = Point{
			Code:         p.Code,
			Title:        p.Title,
			Area:         p.Area,
			Severity:     Severity(p.Severity),
			Weight:       p.Weight,
			Rule:         p.Rule,
			Metric:       p.Metric,
			SampleMetric: p.SampleMetric,
			MinSamples:   p.MinSamples,
		}
	}
	return c, nil
}

// charterDoc is the file format of an embedded charter: the same snake_case shape as the API
// (api.md, Charter). It lives apart from Charter because domain types carry no encoding tags.
type charterDoc struct {
	Version string     `json:"version"`
	Points  []pointDoc `json:"points"`
}

type pointDoc struct {
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
