package reports

import (
	"fmt"
	"io"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/reports/pdfdoc"
)

// Renderer lays report models out as PDF documents. It is created once and shared: it holds
// the document kit (the fonts and the set of characters they can draw), which is costly to
// work out, and it is never modified after NewRenderer, so any number of goroutines may call
// Render at once.
type Renderer struct {
	kit *pdfdoc.Kit
}

// NewRenderer prepares the fonts once for every report the Renderer will draw.
func NewRenderer() (*Renderer, error) {
	kit, err := pdfdoc.NewKit()
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	return &Renderer{kit: kit}, nil
}

// Render writes the report of m as a PDF to w with a throwaway Renderer. It is convenient for
// a single report; code that renders many should create one Renderer and reuse it.
func Render(w io.Writer, m Model, generated time.Time) error {
	r, err := NewRenderer()
	if err != nil {
		return err
	}
	return r.Render(w, m, generated)
}

// Render writes the report of m as a PDF to w. generated is printed as the date of the report
// and stamped as the document's creation and modification dates, so the same model and date
// always give byte-identical output; it must not be zero, because the output would then no
// longer be reproducible.
func (r *Renderer) Render(w io.Writer, m Model, generated time.Time) (err error) {
	if generated.IsZero() {
		return fmt.Errorf("reports: generation date is required: %w", audit.ErrInvalid)
	}
	defer func() {
		// A bug in the PDF code must not take down a server that renders reports in the
		// background.
		if p := recover(); p != nil {
			err = fmt.Errorf("reports: render %s: %v", m.ScorecardID, p)
		}
	}()
	d := r.newReport(m, generated.UTC())
	d.header()
	d.summary()
	d.trend()
	d.pointsTable()
	d.marketplace()
	d.failedPoints()
	d.accuracy()
	d.lots()
	d.actions()
	if err := d.Output(w); err != nil {
		return fmt.Errorf("reports: render %s: %w", m.ScorecardID, err)
	}
	return nil
}
