package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/refurbqa/refurbqa/grading"
)

// Text length limits shared by the free-text inputs of the audit domain.
const (
	maxRefLen      = 64   // order_ref, lab
	maxExternalLen = 128  // external_id
	maxNoteLen     = 4000 // root_cause, actions, closing note, review comment
)

// TextProblem says what is wrong with a text value, or returns "" when nothing is. It is the
// one rule of every text that refurbqa accepts, from the API or the command line, so that the
// same value is refused on SQLite and PostgreSQL alike rather than stored by one and refused by
// the other (PostgreSQL text cannot hold NUL): a text must be valid UTF-8 and hold no control
// character (Unicode category Cc: U+0000–U+001F and U+007F–U+009F), since values end up in
// CSV exports, PDF reports and log lines. A multi-line free text (a plan, a closing note, a
// review comment) may hold line breaks and tabs (\n, \r, \t); a single-line text (a name, an
// id, a reference, a device's brand) none.
func TextProblem(v string, multiline bool) string {
	if !utf8.ValidString(v) {
		return "must be valid UTF-8"
	}
	for _, r := range v {
		if !unicode.IsControl(r) {
			continue
		}
		if !multiline {
			return "must not contain control characters"
		}
		if r != '\n' && r != '\r' && r != '\t' {
			return "must not contain control characters other than line breaks and tabs"
		}
	}
	return ""
}

// fieldErrors collects every invalid field of one input, so that a client learns about all of
// them in a single answer instead of fixing them one round trip at a time.
type fieldErrors []grading.FieldError

func (l *fieldErrors) add(field, format string, args ...any) {
	*l = append(*l, grading.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// sorted returns the errors ordered by field then message, so that answers and tests are
// deterministic whatever order the checks ran in. It returns nil when there is no error.
func (l fieldErrors) sorted() []grading.FieldError {
	if len(l) == 0 {
		return nil
	}
	out := slices.Clone([]grading.FieldError(l))
	sortFieldErrors(out)
	return out
}

func sortFieldErrors(errs []grading.FieldError) {
	slices.SortStableFunc(errs, func(a, b grading.FieldError) int {
		if c := cmp.Compare(a.Field, b.Field); c != 0 {
			return c
		}
		return cmp.Compare(a.Message, b.Message)
	})
}

// addPrefixed appends errs with prefix added to every field, which places the errors of a
// nested document (the inspection) at their dotted path in the enclosing one.
func (l *fieldErrors) addPrefixed(prefix string, errs []grading.FieldError) {
	for _, e := range errs {
		*l = append(*l, grading.FieldError{Field: prefix + e.Field, Message: e.Message})
	}
}

// line checks a required single-line text of 1 to max characters (Unicode code points). A
// value of only white space counts as missing, and control characters are refused because
// these values end up in CSV exports, PDF reports and log lines.
func (l *fieldErrors) line(field, v string, max int) {
	if strings.TrimSpace(v) == "" {
		l.add(field, "is required")
		return
	}
	l.optionalLine(field, v, max)
}

// optionalLine checks a single-line text that may be empty but is otherwise held to the same
// rules as line.
func (l *fieldErrors) optionalLine(field, v string, max int) {
	if v == "" {
		return
	}
	if !utf8.ValidString(v) {
		l.add(field, "must be valid UTF-8")
		return
	}
	if n := utf8.RuneCountInString(v); n > max {
		l.add(field, "must be at most %d characters, got %d", max, n)
	}
	if msg := TextProblem(v, false); msg != "" {
		l.add(field, "%s", msg)
	}
}

// text checks a required free text of 1 to max characters, where line breaks and tabs are
// allowed (a root-cause analysis is prose).
func (l *fieldErrors) text(field, v string, max int) {
	if strings.TrimSpace(v) == "" {
		l.add(field, "is required")
		return
	}
	l.optionalText(field, v, max)
}

// optionalText checks a free text that may be empty but is otherwise held to the rules of text.
func (l *fieldErrors) optionalText(field, v string, max int) {
	if v == "" {
		return
	}
	if !utf8.ValidString(v) {
		l.add(field, "must be valid UTF-8")
		return
	}
	if n := utf8.RuneCountInString(v); n > max {
		l.add(field, "must be at most %d characters, got %d", max, n)
	}
	if msg := TextProblem(v, true); msg != "" {
		l.add(field, "%s", msg)
	}
}
