// Package checklist holds the rules that refurbqa checks against: the functional test
// protocols of each device category and the seller quality charter (its points, the metric
// catalogue they are written over, rule compilation and evaluation into scores and tiers).
// Both ship as embedded data, so a new charter version can be published without a release.
package checklist

// Severity is the weight class of a charter point.
type Severity string

// Charter point severities and their weights: critical 8, major 4, minor 2.
const (
	Critical Severity = "critical"
	Major    Severity = "major"
	Minor    Severity = "minor"
)

// Point is one point of the charter. Rule is an expression over the metric catalogue that must
// yield a boolean; the point is evaluated only when SampleMetric reaches MinSamples.
type Point struct {
	Code         string
	Title        string
	Area         string
	Severity     Severity
	Weight       int
	Rule         string
	Metric       string // the primary metric: the first metric named in Rule
	SampleMetric string
	MinSamples   int
}

// Charter is one version of the quality charter.
type Charter struct {
	Version string
	Points  []Point
}

// MetricKind says how a metric is measured.
type MetricKind string

// Metric kinds: a count of records, a rate (fraction 0..1), or another number.
const (
	Count  MetricKind = "count"
	Rate   MetricKind = "rate"
	Number MetricKind = "number"
)

// Metric is one entry of the metric catalogue.
type Metric struct {
	Name        string
	Kind        MetricKind
	Description string
}

// Metrics are the measured values of one seller over one period, with the evidence (record ids)
// behind each metric that has any.
type Metrics struct {
	Values   map[string]float64
	Evidence map[string][]string
}

// PointStatus is the outcome of one point.
type PointStatus string

// Point outcomes.
const (
	PointPass             PointStatus = "pass"
	PointFail             PointStatus = "fail"
	PointInsufficientData PointStatus = "insufficient_data"
)

// PointResult is one evaluated point as a scorecard shows it.
type PointResult struct {
	Code      string
	Title     string
	Area      string
	Severity  Severity
	Weight    int
	Status    PointStatus
	Metric    string
	Value     float64
	Threshold string // e.g. "== 0", ">= 0.95"
	Samples   int
	Evidence  []string
}

// Tier is a seller's standing, derived from its score and critical failures.
type Tier string

// Tiers, in the order of precedence of charter.md §4.
const (
	TierInsufficientData Tier = "insufficient_data"
	TierSuspend          Tier = "suspend"
	TierProbation        Tier = "probation"
	TierWatch            Tier = "watch"
	TierTrusted          Tier = "trusted"
)

// Result is a whole evaluated charter.
type Result struct {
	Points          []PointResult // every point, in charter order
	Score           *float64      // nil when nothing was evaluated
	Tier            Tier
	EvaluatedPoints int
	FailedPoints    int
	FailedCritical  int
}
