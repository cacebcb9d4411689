package sampling

import (
	"errors"
	"fmt"

	"github.com/refurbqa/refurbqa/grading"
)

// Unit is one sampled unit as judged: whether it is nonconforming in each class. Counts are of
// nonconforming units, not of defects, so a unit with three minor defects counts once in minor.
type Unit struct {
	Critical bool
	Major    bool
	Minor    bool
}

// Nonconforming reports whether u is nonconforming in class c.
func (u Unit) Nonconforming(c Class) bool {
	switch c {
	case Critical:
		return u.Critical
	case Major:
		return u.Major
	case Minor:
		return u.Minor
	default:
		return false
	}
}

// Conforming reports whether u is nonconforming in no class.
func (u Unit) Conforming() bool { return !u.Critical && !u.Major && !u.Minor }

// JudgeDevice judges a bench test's stored grade as a sampled unit of a device lot (lots.md
// §2): critical when rejected or cosmetic E; major when F2 or F3, or when the lot states a listed
// grade and the device is overgraded against it (grading.Compare, so an unsellable device is
// overgraded against any listing); minor when F1 or cosmetic D. It returns false for an
// incomplete bench test, which cannot be judged and is refused as a sample.
func JudgeDevice(g grading.Grade, listed grading.Marketplace) (Unit, bool) {
	if g.Status == grading.Incomplete {
		return Unit{}, false
	}
	return Unit{
		Critical: g.Status == grading.Rejected || g.Cosmetic == grading.CosmeticE,
		Major: g.Functional == grading.F2 || g.Functional == grading.F3 ||
			(listed != "" && grading.Compare(g.Marketplace, listed) == grading.Overgraded),
		Minor: g.Functional == grading.F1 || g.Cosmetic == grading.CosmeticD,
	}, true
}

// JudgePart judges a sampled part from the classes of its logged defects (lots.md §2): it is
// nonconforming in each class one of them names, and conforming when there are none. An unknown
// class is an error rather than ignored, since ignoring it would pass a defective part.
func JudgePart(defects []Class) (Unit, error) {
	var u Unit
	for i, c := range defects {
		switch c {
		case Critical:
			u.Critical = true
		case Major:
			u.Major = true
		case Minor:
			u.Minor = true
		default:
			return Unit{}, fmt.Errorf("%w: defect %d: class %q", ErrInput, i, c)
		}
	}
	return u, nil
}

// Decision is the state of a class or of a whole lot.
type Decision string

// The decisions. A lot is decided once it is accepted or rejected, and is closed from then on.
const (
	Pending  Decision = "pending"
	Accepted Decision = "accepted"
	Rejected Decision = "rejected"
)

// Count is what a class has seen: how many of its samples are in and how many of those are
// nonconforming in the class. Only the samples numbered 1..SampleSize of the class's plan count.
type Count struct {
	Inspected     int
	Nonconforming int
}

// Decide decides a class from its count (lots.md §4): rejected as soon as the nonconforming
// units reach Reject, even before its sample is complete; accepted only once all SampleSize
// samples are in with at most Accept nonconforming; pending otherwise.
func (cp ClassPlan) Decide(c Count) Decision {
	switch {
	case c.Nonconforming >= cp.Reject:
		return Rejected
	case c.Inspected >= cp.SampleSize && c.Nonconforming <= cp.Accept:
		return Accepted
	default:
		return Pending
	}
}

// Tally is what a lot has received: the number of samples in and each class's count. A store
// keeps it as plain fields beside the Plan and replaces it with what Record returns.
type Tally struct {
	Received int
	Critical Count
	Major    Count
	Minor    Count
}

// For returns the count of class c; an unknown class gets the zero Count.
func (t Tally) For(c Class) Count {
	switch c {
	case Critical:
		return t.Critical
	case Major:
		return t.Major
	case Minor:
		return t.Minor
	default:
		return Count{}
	}
}

// Decide decides the lot (lots.md §4): rejected as soon as any class is rejected, accepted when
// every class is accepted, pending otherwise.
func (p Plan) Decide(t Tally) Decision {
	d := Accepted
	for _, c := range Classes() {
		switch p.For(c).Decide(t.For(c)) {
		case Rejected:
			return Rejected
		case Pending:
			d = Pending
		}
	}
	return d
}

// Count adds u to t as the sample numbered t.Received+1, counting it only in the classes whose
// plan covers that number. It applies no closing rule; Record is what a lot's use case calls.
func (p Plan) Count(t Tally, u Unit) Tally {
	t.Received++
	add := func(cp ClassPlan, c *Count, nonconforming bool) {
		if t.Received > cp.SampleSize {
			return
		}
		c.Inspected++
		if nonconforming {
			c.Nonconforming++
		}
	}
	add(p.Critical, &t.Critical, u.Critical)
	add(p.Major, &t.Major, u.Major)
	add(p.Minor, &t.Minor, u.Minor)
	return t
}

// ErrDecided is returned by Record for a lot already accepted or rejected: a decided lot is
// closed, so its decision can never change (the API answers 409).
var ErrDecided = errors.New("sampling: the lot is decided")

// ErrComplete is returned by Record for a sample beyond the lot's sample size (409).
var ErrComplete = errors.New("sampling: the lot's sample is complete")

// Record adds u to a pending lot's tally as its next sample and returns the new tally; the lot's
// decision is then p.Decide of it. It refuses a sample to a decided lot and one beyond the
// sample size, leaving t as it was.
func (p Plan) Record(t Tally, u Unit) (Tally, error) {
	if d := p.Decide(t); d != Pending {
		return t, fmt.Errorf("%w (%s)", ErrDecided, d)
	}
	if t.Received >= p.SampleSize {
		return t, fmt.Errorf("%w (%d samples)", ErrComplete, p.SampleSize)
	}
	return p.Count(t, u), nil
}
