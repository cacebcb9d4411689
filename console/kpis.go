package console

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/refurbqa/refurbqa/audit"
)

// The month's KPI upload (console.md, Quality manager): the CSV of POST /api/v1/kpis/import,
// imported by the same use case, all rows or none. A refused file lists every bad line with
// the column at fault and what is wrong; nothing of it is stored.

// maxKPIFile is the largest KPI file accepted, the API's body limit.
const maxKPIFile = 10 << 20

// maxKPIProblems is the most bad lines a refused file lists, as the API's answer lists (a file
// whose every line is wrong would otherwise make a page as large as itself); the page says how
// many more there were.
const maxKPIProblems = 1000

// kpiProblem is one bad line of a refused file.
type kpiProblem struct {
	Line int
	// Column is the column at fault; empty for a problem of the whole line.
	Column  string
	Message string
}

// kpiPage is the upload form and, after a refused upload, the bad lines of the file.
type kpiPage struct {
	Form     *form
	Columns  []string
	FileName string
	Problems []kpiProblem
	// Unlisted is how many bad lines were left out of Problems.
	Unlisted int
}

func newKPIPage() kpiPage {
	return kpiPage{Form: newForm(nil), Columns: append([]string{"seller_id", "month"}, audit.KPIFields...)}
}

// kpiForm is GET /console/kpis.
func (c *Console) kpiForm(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	return c.render(w, r, s, http.StatusOK, "kpis", "KPIs", newKPIPage())
}

// importKPIs is POST /console/kpis, the multipart field file a KPI CSV: on success the person
// is sent back to the form, which says how many months were imported; a refused file answers
// 422 with its bad lines.
func (c *Console) importKPIs(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	page := newKPIPage()
	refuse := func(msg string) error {
		page.Form.Errors["file"] = msg
		return c.render(w, r, s, http.StatusUnprocessableEntity, "kpis", "KPIs", page)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxKPIFile+1<<20)
	file, header, err := r.FormFile("file")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return refuse(fmt.Sprintf("is larger than %d MiB", maxKPIFile>>20))
	case err != nil:
		return refuse("choose the month's KPI file (CSV)")
	}
	defer file.Close()
	page.FileName = header.Filename
	body := &limitedReader{r: file, left: maxKPIFile}
	n, err := c.svc.ImportKPIs(r.Context(), s.principal(), body, nil)
	if body.over {
		return refuse(fmt.Sprintf("is larger than %d MiB", maxKPIFile>>20))
	}
	var ve *audit.ValidationError
	if errors.As(err, &ve) {
		for i, e := range ve.Errors {
			if i == maxKPIProblems {
				page.Unlisted = len(ve.Errors) - i
				break
			}
			page.Problems = append(page.Problems, kpiProblemOf(e.Field, e.Message))
		}
		page.Form.Errors["file"] = badLinesText(len(ve.Errors))
		return c.render(w, r, s, http.StatusUnprocessableEntity, "kpis", "KPIs", page)
	}
	if err != nil {
		return err
	}
	switch n {
	case 0:
		c.flash(r, header.Filename+" holds no rows: nothing was imported.")
	case 1:
		c.flash(r, header.Filename+": 1 month imported.")
	default:
		c.flash(r, fmt.Sprintf("%s: %d months imported.", header.Filename, n))
	}
	http.Redirect(w, r, "/console/kpis", http.StatusSeeOther)
	return nil
}

// badLinesText is the error of a refused file, beside its field.
func badLinesText(n int) string {
	if n == 1 {
		return "has 1 bad line, listed below: nothing was imported"
	}
	return fmt.Sprintf("has %d bad lines, listed below: nothing was imported", n)
}

// kpiProblemOf reads a problem of the import, whose field is "line N: column" or "line N".
func kpiProblemOf(field, msg string) kpiProblem {
	rest, ok := strings.CutPrefix(field, "line ")
	if !ok {
		return kpiProblem{Column: field, Message: msg}
	}
	num, column, _ := strings.Cut(rest, ": ")
	line, err := strconv.Atoi(num)
	if err != nil {
		return kpiProblem{Column: field, Message: msg}
	}
	return kpiProblem{Line: line, Column: column, Message: msg}
}

// limitedReader reads at most left bytes of r and notes whether r held more, so that a file
// over the limit is refused as too large rather than read as cut short.
type limitedReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			l.over = true
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// errTooLarge stops reading a file over its limit.
var errTooLarge = errors.New("file too large")
