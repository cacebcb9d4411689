// Package sampling is the pure lot-inspection engine of refurbqa (shared/spec/lots.md §2–§5,
// §8): ISO 2859-1 single sampling by attributes, indexed by AQL, with the switching rules
// between normal and tightened inspection. It turns a lot's size, inspection level, AQLs and
// severity into a plan, judges sampled units by class, decides a lot from its counted samples,
// and moves a stream between normal, tightened and discontinued inspection.
//
// It performs no I/O and reads no clock: randomness comes in as an io.Reader and every state a
// store must keep (a lot's Plan and Tally, a stream's Stream) is a value of plain fields, so that
// the same inputs always give the same decision and a stored decision can be defended later.
package sampling

import (
	"errors"
	"fmt"
)

// Lot sizes a lot may state (lots.md §1). A lot of one item is not sampled, and the upper bound
// keeps sample positions and 100 % inspection within what a lab can pull.
const (
	MinLotSize = 2
	MaxLotSize = 1_000_000
)

// Level is the inspection level of ISO 2859-1: a higher level samples more of the same lot,
// for a buyer who needs more assurance.
type Level string

// The inspection levels; DefaultLevel is the standard's general level when a lot states none.
const (
	LevelI       Level = "I"
	LevelII      Level = "II"
	LevelIII     Level = "III"
	DefaultLevel       = LevelII
)

// Valid reports whether l is one of the three levels.
func (l Level) Valid() bool { return l.index() >= 0 }

func (l Level) index() int {
	switch l {
	case LevelI:
		return 0
	case LevelII:
		return 1
	case LevelIII:
		return 2
	default:
		return -1
	}
}

// AQL is an acceptable quality limit in hundredths of a percent (AQL1_5 is 150, "1.5 %"). It is
// an integer so that a value read from the API or the database compares exactly with the table's
// columns, never through floating-point equality.
type AQL int

// The AQLs this system offers (lots.md §1), in the order of the plan tables' columns.
const (
	AQL0_65 AQL = 65
	AQL1_0  AQL = 100
	AQL1_5  AQL = 150
	AQL2_5  AQL = 250
	AQL4_0  AQL = 400
	AQL6_5  AQL = 650
)

// aqls lists the offered AQLs in column order.
var aqls = [6]AQL{AQL0_65, AQL1_0, AQL1_5, AQL2_5, AQL4_0, AQL6_5}

// AQLOf returns the AQL whose percentage is p (0.65, 1, 1.5, 2.5, 4, 6.5), as the API states it,
// and false for any other value.
func AQLOf(p float64) (AQL, bool) {
	for _, a := range aqls {
		if a.Percent() == p {
			return a, true
		}
	}
	return 0, false
}

// Percent is the AQL as a percentage of nonconforming units, as the API shows it.
func (a AQL) Percent() float64 { return float64(a) / 100 }

// String writes the AQL as the standard's column headings do: 0.65, 1.0, 1.5, 2.5, 4.0, 6.5.
func (a AQL) String() string {
	if a%10 == 0 {
		return fmt.Sprintf("%d.%d", a/100, a/10%10)
	}
	return fmt.Sprintf("%d.%02d", a/100, a%100)
}

// Valid reports whether a is one of the offered AQLs.
func (a AQL) Valid() bool { return a.index() >= 0 }

func (a AQL) index() int {
	for i, v := range aqls {
		if v == a {
			return i
		}
	}
	return -1
}

// AQLs are the AQLs of a lot's two graded classes; critical has none, it tolerates no
// nonconforming unit whatever the AQLs.
type AQLs struct {
	Major AQL
	Minor AQL
}

// DefaultAQLs are the AQLs of a lot that states none (lots.md §1): major 2.5, minor 4.0.
func DefaultAQLs() AQLs { return AQLs{Major: AQL2_5, Minor: AQL4_0} }

// Severity is the inspection a lot is planned under. It is the stream's state when the lot is
// created and never changes afterwards, so a lot's plan is fixed once its sample is drawn.
type Severity string

// The severities offered. Reduced inspection is not (lots.md §5).
const (
	Normal    Severity = "normal"
	Tightened Severity = "tightened"
)

// Valid reports whether s is normal or tightened.
func (s Severity) Valid() bool { return s.index() >= 0 }

func (s Severity) index() int {
	switch s {
	case Normal:
		return 0
	case Tightened:
		return 1
	default:
		return -1
	}
}

// CodeLetter is the sample size code letter of Table I, A to R without I and O.
type CodeLetter string

// Valid reports whether c is one of the sixteen code letters.
func (c CodeLetter) Valid() bool { return c.index() >= 0 }

func (c CodeLetter) index() int {
	for i, l := range letters {
		if l == c {
			return i
		}
	}
	return -1
}

// ErrInput is what Letter, Lookup and NewPlan return for an input outside lots.md's ranges.
// Callers validate a lot before planning it (with the Valid methods and the size bounds) and
// answer the client with their own field errors; reaching this error is a caller's bug.
var ErrInput = errors.New("sampling: invalid input")

// Letter returns the code letter of Table I for a lot of lotSize items inspected at level.
func Letter(lotSize int, level Level) (CodeLetter, error) {
	li := level.index()
	if li < 0 {
		return "", fmt.Errorf("%w: inspection level %q", ErrInput, level)
	}
	if lotSize < MinLotSize || lotSize > MaxLotSize {
		return "", fmt.Errorf("%w: lot size %d not in %d..%d", ErrInput, lotSize, MinLotSize, MaxLotSize)
	}
	row := 0
	for lotSize > lotSizeUpper[row] {
		row++
	}
	return letters[tableI[row][li]], nil
}

// ClassPlan is the single sampling plan of one class: inspect the first SampleSize samples,
// accept with at most Accept nonconforming units among them, reject at Reject.
type ClassPlan struct {
	SampleSize int
	Accept     int
	Reject     int
}

// Lookup returns the cell of the plan table of severity at code letter and AQL, as §8 prints it
// (before the 100 % inspection rule, which depends on the lot size).
func Lookup(severity Severity, letter CodeLetter, aql AQL) (ClassPlan, error) {
	si, ci, ai := severity.index(), letter.index(), aql.index()
	switch {
	case si < 0:
		return ClassPlan{}, fmt.Errorf("%w: severity %q", ErrInput, severity)
	case ci < 0:
		return ClassPlan{}, fmt.Errorf("%w: code letter %q", ErrInput, letter)
	case ai < 0:
		return ClassPlan{}, fmt.Errorf("%w: AQL %d", ErrInput, int(aql))
	}
	return plans[si][ci][ai], nil
}

// Class is a class of nonconformity (lots.md §2). A unit may be nonconforming in several.
type Class string

// The classes, from the gravest.
const (
	Critical Class = "critical"
	Major    Class = "major"
	Minor    Class = "minor"
)

// Classes lists the classes in a stable order, for callers that show or store one row each.
func Classes() [3]Class { return [3]Class{Critical, Major, Minor} }

// Valid reports whether c is one of the three classes.
func (c Class) Valid() bool { return c == Critical || c == Major || c == Minor }

// Plan is the sampling plan of one lot: what a store keeps beside the lot so that its decision
// never depends on tables read again later.
type Plan struct {
	LotSize    int
	Severity   Severity
	CodeLetter CodeLetter
	// SampleSize is the number of units to draw: the largest sample size of the classes.
	SampleSize int
	// Critical inspects the whole sample with Accept 0 and Reject 1, whatever the AQLs.
	Critical ClassPlan
	Major    ClassPlan
	Minor    ClassPlan
}

// For returns the plan of class c; an unknown class gets the zero ClassPlan.
func (p Plan) For(c Class) ClassPlan {
	switch c {
	case Critical:
		return p.Critical
	case Major:
		return p.Major
	case Minor:
		return p.Minor
	default:
		return ClassPlan{}
	}
}

// NewPlan plans a lot (lots.md §3): the code letter from the lot size and level, each graded
// class's plan from the severity's table at that letter and the class's AQL, a sample size
// larger than the lot cut down to the lot (100 % inspection, Accept and Reject unchanged), the
// lot's sample size the largest of its classes, and critical on that whole sample at 0/1.
func NewPlan(lotSize int, level Level, aql AQLs, severity Severity) (Plan, error) {
	letter, err := Letter(lotSize, level)
	if err != nil {
		return Plan{}, err
	}
	major, err := Lookup(severity, letter, aql.Major)
	if err != nil {
		return Plan{}, fmt.Errorf("major: %w", err)
	}
	minor, err := Lookup(severity, letter, aql.Minor)
	if err != nil {
		return Plan{}, fmt.Errorf("minor: %w", err)
	}
	major.SampleSize = min(major.SampleSize, lotSize)
	minor.SampleSize = min(minor.SampleSize, lotSize)
	n := max(major.SampleSize, minor.SampleSize)
	return Plan{
		LotSize:    lotSize,
		Severity:   severity,
		CodeLetter: letter,
		SampleSize: n,
		Critical:   ClassPlan{SampleSize: n, Accept: 0, Reject: 1},
		Major:      major,
		Minor:      minor,
	}, nil
}
