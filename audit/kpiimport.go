package audit

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/refurbqa/refurbqa/grading"
)

// kpiProgressEvery is how many rows an import reads between two progress reports (and two
// looks at its context).
const kpiProgressEvery = 10_000

// PutKPIMonth stores a seller's figures of one month, replacing the month (and keeping its id)
// when it is already stored. Invalid figures are a *ValidationError (ValidateKPIMonth's); an
// unknown seller is ErrNotFound.
func (s *Service) PutKPIMonth(ctx context.Context, by Principal, k KPIMonth) (KPIMonth, error) {
	if err := Invalid(ValidateKPIMonth(k)); err != nil {
		return KPIMonth{}, err
	}
	return s.store.PutKPIMonth(ctx, by, k)
}

// KPIMonths lists the KPI months of a seller in month order; an unknown seller, or another
// seller's months asked by a seller principal, is ErrNotFound.
func (s *Service) KPIMonths(ctx context.Context, by Principal, sellerID string, p Page) ([]KPIMonth, string, error) {
	if err := by.OwnSeller(sellerID, "seller "+sellerID); err != nil {
		return nil, "", err
	}
	return s.store.KPIMonths(ctx, sellerID, p)
}

// ImportKPIs imports the KPI CSV of api.md from r, all rows or none: every row is checked first
// (by KPIReader, plus one look-up of the distinct seller ids for sellers that do not exist),
// and when any row is invalid nothing is imported and the answer is a *ValidationError holding
// one error per bad row, in line order: its field is "line N: column" of the row's first
// problem, and its message also lists the row's other problems. A header that misses, repeats or
// adds a column, or a file of more than MaxKPIRows rows, is a *ValidationError too.
//
// Otherwise every month is stored at once (a month already stored is replaced, keeping its id;
// one "import" event each), and ImportKPIs returns the number of months imported. progress,
// when not nil, is called with the number of rows read every 10,000 rows and once at the end of
// the reading. The HTTP API and the command line both import through here.
func (s *Service) ImportKPIs(ctx context.Context, by Principal, r io.Reader, progress func(rows int)) (int, error) {
	rows, err := readKPIs(ctx, r, progress)
	if err != nil {
		return 0, err
	}
	known, err := s.store.KnownSellers(ctx, rows.sellers())
	if err != nil {
		return 0, err
	}
	if err := rows.check(known); err != nil {
		return 0, err
	}
	if len(rows.good) == 0 {
		return 0, nil
	}
	if err := s.store.ImportKPIMonths(ctx, by, rows.good); err != nil {
		return 0, err
	}
	return len(rows.good), nil
}

// kpiRows is what reading a KPI CSV found: the valid rows and the problems of the others.
type kpiRows struct {
	good     []KPIMonth
	goodLine []int
	bad      []badKPIRow
}

// badKPIRow is a row with problems; seller is its seller id when it can still be looked up.
type badKPIRow struct {
	line   int
	seller string
	errs   []grading.FieldError
}

// readKPIs reads and checks every row of a KPI CSV, without the store.
func readKPIs(ctx context.Context, r io.Reader, progress func(int)) (*kpiRows, error) {
	kr, err := NewKPIReader(r)
	if err != nil {
		return nil, err
	}
	out := &kpiRows{}
	n := 0
	for {
		k, errs, err := kr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		n++
		if n%kpiProgressEvery == 0 {
			if progress != nil {
				progress(n)
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if len(errs) == 0 {
			out.good = append(out.good, k)
			out.goodLine = append(out.goodLine, kr.Line())
			continue
		}
		bad := badKPIRow{line: kr.Line(), errs: errs, seller: k.SellerID}
		prefix := "line " + strconv.Itoa(bad.line) + ": "
		for _, e := range errs {
			if e.Field == prefix+"seller_id" || !strings.HasPrefix(e.Field, prefix) {
				bad.seller = "" // no usable seller id, or a malformed row
			}
		}
		out.bad = append(out.bad, bad)
	}
	if progress != nil && (n == 0 || n%kpiProgressEvery != 0) {
		progress(n)
	}
	return out, nil
}

// sellers returns the distinct seller ids the rows name, sorted.
func (rs *kpiRows) sellers() []string {
	set := map[string]struct{}{}
	for _, k := range rs.good {
		set[k.SellerID] = struct{}{}
	}
	for _, b := range rs.bad {
		if b.seller != "" {
			set[b.seller] = struct{}{}
		}
	}
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// check adds an error to every row whose seller does not exist and returns the errors of every
// bad row, one per row in line order, or nil when every row is valid.
func (rs *kpiRows) check(known map[string]bool) error {
	unknown := func(line int) grading.FieldError {
		return grading.FieldError{Field: "line " + strconv.Itoa(line) + ": seller_id", Message: "no seller has this id"}
	}
	byLine := make(map[int][]grading.FieldError, len(rs.bad))
	lines := make([]int, 0, len(rs.bad))
	for _, b := range rs.bad {
		errs := b.errs
		if b.seller != "" && !known[b.seller] {
			errs = append(errs, unknown(b.line))
		}
		byLine[b.line] = errs
		lines = append(lines, b.line)
	}
	for i, k := range rs.good {
		if !known[k.SellerID] {
			line := rs.goodLine[i]
			byLine[line] = []grading.FieldError{unknown(line)}
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	slices.Sort(lines)
	out := make([]grading.FieldError, len(lines))
	for i, line := range lines {
		out[i] = oneRowError(byLine[line])
	}
	return Invalid(out)
}

// oneRowError folds the problems of one row into one error: the first problem names the field,
// and the message lists the others, so that a file with many bad rows answers one error each.
func oneRowError(errs []grading.FieldError) grading.FieldError {
	slices.SortStableFunc(errs, func(a, b grading.FieldError) int { return strings.Compare(a.Field, b.Field) })
	first := errs[0]
	if len(errs) == 1 {
		return first
	}
	var sb strings.Builder
	sb.WriteString(first.Message)
	sb.WriteString(" (also ")
	for i, e := range errs[1:] {
		if i > 0 {
			sb.WriteString("; ")
		}
		_, col, found := strings.Cut(e.Field, ": ")
		if !found {
			col = e.Field
		}
		sb.WriteString(col + ": " + e.Message)
	}
	sb.WriteString(")")
	return grading.FieldError{Field: first.Field, Message: sb.String()}
}
