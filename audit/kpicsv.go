package audit

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/refurbqa/refurbqa/grading"
)

// MaxKPIRows is the most data rows a KPI import may hold: a few thousand sellers times a few
// years of months, with room to spare, while keeping one import a bounded amount of work.
const MaxKPIRows = 100_000

// KPIReader reads the KPI import CSV of api.md one row at a time, so that a large import is
// checked without holding the file in memory. The header row names seller_id, month and every
// field of KPIFields exactly once, in any order (names are case-sensitive; surrounding spaces
// are ignored); a UTF-8 byte order mark before it is tolerated because spreadsheet programs
// write one. Errors are reported by CSV line number (the header is normally line 1) as fields
// "line N: column", or "line N" for a problem of the whole row.
type KPIReader struct {
	csv       *csv.Reader
	columns   int                // fields per record
	sellerCol int                // record index of seller_id
	monthCol  int                // record index of month
	fieldCols [kpiFieldCount]int // record index of each KPIFields column
	rows      int
	line      int            // line where the row last returned by Next starts
	seen      map[string]int // seller_id and month → line of their first row
	err       error          // sticky fatal error
}

// NewKPIReader reads and checks the header row of a KPI CSV. A header that misses, repeats or
// adds a column is refused with a *ValidationError (matching ErrInvalid) listing every such
// column as "line 1: <column>"; an empty input misses every column. Read failures of r are
// returned as they are.
func NewKPIReader(r io.Reader) (*KPIReader, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\uFEFF" {
		if _, err := br.Discard(3); err != nil {
			return nil, fmt.Errorf("KPI CSV: %w", err)
		}
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // field counts are checked per row, as row errors
	cr.ReuseRecord = true

	header, err := cr.Read()
	line := 1
	var pe *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		header = nil
	case errors.As(err, &pe):
		return nil, Invalid([]grading.FieldError{{
			Field:   "line " + strconv.Itoa(pe.StartLine),
			Message: "malformed CSV header: " + pe.Err.Error(),
		}})
	case err != nil:
		return nil, fmt.Errorf("KPI CSV header: %w", err)
	default:
		line, _ = cr.FieldPos(0)
	}

	want := make(map[string]bool, len(KPIFields)+2)
	for _, name := range append([]string{"seller_id", "month"}, KPIFields...) {
		want[name] = true
	}
	prefix := "line " + strconv.Itoa(line) + ": "
	var errs fieldErrors
	found := make(map[string]int, len(header)) // name → record index
	for i, name := range header {
		name = strings.TrimSpace(name)
		_, dup := found[name]
		switch {
		case name == "":
			errs.add(prefix+"column "+strconv.Itoa(i+1), "column name is empty")
		case !want[name]:
			errs.add(prefix+name, "unknown column")
		case dup:
			errs.add(prefix+name, "duplicate column")
		default:
			found[name] = i
		}
	}
	for name := range want {
		if _, ok := found[name]; !ok {
			errs.add(prefix+name, "missing column")
		}
	}
	if err := Invalid(errs.sorted()); err != nil {
		return nil, err
	}
	kr := &KPIReader{
		csv:       cr,
		columns:   len(header),
		sellerCol: found["seller_id"],
		monthCol:  found["month"],
		seen:      make(map[string]int),
	}
	for i, name := range KPIFields {
		kr.fieldCols[i] = found[name]
	}
	return kr, nil
}

// Next returns the next data row and every problem found in it, with fields named
// "line N: column" (or "line N" for a malformed row or a wrong number of fields). A row with
// problems does not stop the reading: callers collect the errors of every row and decide. A
// row whose seller_id and month repeat an earlier row is an error of its month, because an
// import that silently kept only one of two different figures would be wrong half the time.
// At the end Next returns io.EOF; the error is otherwise non-nil only when reading cannot go
// on: a read failure of the input or more than MaxKPIRows rows (a *ValidationError).
func (r *KPIReader) Next() (KPIMonth, []grading.FieldError, error) {
	if r.err != nil {
		return KPIMonth{}, nil, r.err
	}
	rec, err := r.csv.Read()
	var pe *csv.ParseError
	line := 0
	switch {
	case errors.Is(err, io.EOF):
		r.err = io.EOF
		return KPIMonth{}, nil, io.EOF
	case errors.As(err, &pe):
		line = pe.StartLine
	case err != nil:
		r.err = fmt.Errorf("KPI CSV: %w", err)
		return KPIMonth{}, nil, r.err
	default:
		line, _ = r.csv.FieldPos(0)
	}
	lineName := "line " + strconv.Itoa(line)
	r.line = line

	r.rows++
	if r.rows > MaxKPIRows {
		r.err = Invalid([]grading.FieldError{{
			Field:   lineName,
			Message: fmt.Sprintf("too many rows: at most %d data rows per import", MaxKPIRows),
		}})
		return KPIMonth{}, nil, r.err
	}
	if pe != nil {
		return KPIMonth{}, []grading.FieldError{{Field: lineName, Message: "malformed CSV: " + pe.Err.Error()}}, nil
	}
	if len(rec) != r.columns {
		return KPIMonth{}, []grading.FieldError{{
			Field:   lineName,
			Message: fmt.Sprintf("has %d fields, want %d", len(rec), r.columns),
		}}, nil
	}
	return r.parseRow(rec, line)
}

// Line returns the CSV line number where the row last returned by Next starts (0 before the
// first row), so that a caller checking a valid row further (for example that its seller
// exists) can report its finding at the same "line N: column" place as the reader's own errors.
func (r *KPIReader) Line() int { return r.line }

// parseRow turns one record of the right length into a KPIMonth and its errors.
func (r *KPIReader) parseRow(rec []string, line int) (KPIMonth, []grading.FieldError, error) {
	var k KPIMonth
	var errs fieldErrors
	k.SellerID = strings.TrimSpace(rec[r.sellerCol])
	errs.line("seller_id", k.SellerID, maxExternalLen)
	k.Month = strings.TrimSpace(rec[r.monthCol])

	var unknown kpiUnknown
	for i, f := range kpiFieldTable() {
		cell := strings.TrimSpace(rec[r.fieldCols[i]])
		if cell == "" {
			errs.add(f.name, "is required")
			unknown.fields[i] = true
			continue
		}
		v, err := strconv.Atoi(cell)
		if err != nil {
			errs.add(f.name, "must be an integer from 0 to %d", f.max)
			unknown.fields[i] = true
			continue
		}
		*f.ptr(&k) = v
	}
	errs = append(errs, validateKPIMonth(k, unknown)...)

	if len(errs) == 0 {
		key := k.SellerID + "\x00" + k.Month
		if first, ok := r.seen[key]; ok {
			errs.add("month", "repeats seller_id and month of line %d", first)
		} else {
			r.seen[key] = line
		}
	}

	out := errs.sorted()
	for i := range out {
		out[i].Field = "line " + strconv.Itoa(line) + ": " + out[i].Field
	}
	return k, out, nil
}
