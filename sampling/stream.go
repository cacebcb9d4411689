package sampling

import (
	"errors"
	"fmt"
)

// State is where a stream stands in the switching rules (lots.md §5).
type State string

// The stream states. Discontinued is not a severity: a discontinued stream plans no lot.
const (
	StateNormal       State = "normal"
	StateTightened    State = "tightened"
	StateDiscontinued State = "discontinued"
)

// Valid reports whether s is one of the three states.
func (s State) Valid() bool {
	return s == StateNormal || s == StateTightened || s == StateDiscontinued
}

// Stream is the switching state of one stream of lots (a seller's device lots, or one
// supplier's parts of one type). Every field is a plain value that a store keeps as a column
// and hands back unchanged; the zero Stream is a new stream, on normal inspection.
type Stream struct {
	// State is the current state; the empty State is a new stream, on normal inspection.
	State State
	// Run is the number of acceptances in a row made in the current state, since the stream
	// entered it or since the last rejection made in it. On normal it tells how far back the
	// last rejection lies; on tightened five of them return the stream to normal.
	Run int
	// Rejections is the number of rejections made since the stream entered its current state:
	// on normal, whether the second one of a window of five can be reached at all; on
	// tightened, five of them discontinue the stream.
	Rejections int
	// Decided and Rejected count every decision the stream has ever taken, in any state.
	Decided  int
	Rejected int
}

// Current is the state s stands in, normal for a new stream.
func (s Stream) Current() State {
	if s.State == "" {
		return StateNormal
	}
	return s.State
}

// ErrDiscontinued is returned by Severity for a discontinued stream, which accepts no new lot
// until a manager resumes it (409).
var ErrDiscontinued = errors.New("sampling: the stream is discontinued")

// ErrNotDiscontinued is returned by Resume for a stream that is not discontinued (409).
var ErrNotDiscontinued = errors.New("sampling: the stream is not discontinued")

// Severity is the severity a lot created now is planned under: the stream's state, which the lot
// keeps whatever the stream does afterwards.
func (s Stream) Severity() (Severity, error) {
	switch s.Current() {
	case StateNormal:
		return Normal, nil
	case StateTightened:
		return Tightened, nil
	case StateDiscontinued:
		return "", ErrDiscontinued
	default:
		return "", fmt.Errorf("%w: stream state %q", ErrInput, s.State)
	}
}

// Record moves the stream by one lot decision, taken in the order decisions were made
// (lots.md §5). The decision counts toward the rule of the state the stream is in now, whatever
// severity the lot was planned under:
//   - on normal, a rejection with another rejection among the 4 decisions before it (made on
//     normal since the stream last entered normal) switches to tightened;
//   - on tightened, the 5th acceptance in a row switches back to normal, and the 5th rejection
//     since the stream entered tightened (not necessarily in a row) discontinues it;
//   - on discontinued, a decision of a lot created before the stream was discontinued counts in
//     the totals only: that state has no rule and only Resume leaves it.
//
// A pending decision is not a decision and is refused.
func (s Stream) Record(d Decision) (Stream, error) {
	if d != Accepted && d != Rejected {
		return s, fmt.Errorf("%w: decision %q", ErrInput, d)
	}
	cur := s.Current()
	if !cur.Valid() {
		return s, fmt.Errorf("%w: stream state %q", ErrInput, s.State)
	}
	s.State = cur
	s.Decided++
	if d == Rejected {
		s.Rejected++
	}
	switch cur {
	case StateNormal:
		if d == Accepted {
			s.Run++
			break
		}
		// The last rejection on normal lies Run+1 decisions back: within the 4 before this one
		// when Run is at most 3.
		if s.Rejections > 0 && s.Run <= 3 {
			return s.enter(StateTightened), nil
		}
		s.Rejections++
		s.Run = 0
	case StateTightened:
		if d == Accepted {
			s.Run++
			if s.Run == 5 {
				return s.enter(StateNormal), nil
			}
			break
		}
		s.Run = 0
		s.Rejections++
		if s.Rejections == 5 {
			return s.enter(StateDiscontinued), nil
		}
	}
	return s, nil
}

// Resume puts a discontinued stream back on tightened inspection, as a manager does once the
// source has corrected its process; the tightened rules count afresh from there.
func (s Stream) Resume() (Stream, error) {
	if s.Current() != StateDiscontinued {
		return s, fmt.Errorf("%w (%s)", ErrNotDiscontinued, s.Current())
	}
	return s.enter(StateTightened), nil
}

// enter moves s into state with the counts of the state's rules at zero, since each rule counts
// only what happened since the stream entered the state.
func (s Stream) enter(state State) Stream {
	s.State, s.Run, s.Rejections = state, 0, 0
	return s
}
