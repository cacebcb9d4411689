package reports

import (
	"bytes"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/reports/pdftest"
)

// pageFooters returns the "Page N of M" footers found in extracted text, in order.
func pageFooters(text string) [][2]int {
	var out [][2]int
	for _, m := range regexp.MustCompile(`Page (\d+) of (\d+)`).FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		total, _ := strconv.Atoi(m[2])
		out = append(out, [2]int{n, total})
	}
	return out
}

// assertPages checks that every page carries its footer, numbered 1..N of N.
func assertPages(t *testing.T, text string) int {
	t.Helper()
	footers := pageFooters(text)
	require.NotEmpty(t, footers, "no page footer in the text")
	total := len(footers)
	for i, f := range footers {
		assert.Equal(t, [2]int{i + 1, total}, f, "footer of page %d", i+1)
	}
	assert.Equal(t, total, strings.Count(text, "\f"), "one footer per page")
	return total
}

// squash removes the layout whitespace pdftotext adds, so that text wrapped over several
// lines can still be found.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestRenderText(t *testing.T) {
	tests := []struct {
		name   string
		seller string
		want   []string // must appear in the squashed text (wrapped names are checked word by word)
	}{
		{"polish", "Łódź Serwis Żółć", []string{"Łódź Serwis Żółć"}},
		{"greek", "Ελληνικά Ανακαίνιση", []string{"Ελληνικά Ανακαίνιση"}},
		{"cyrillic", "Ремонт Телефонов Москва", []string{"Ремонт Телефонов Москва"}},
		{"long name wraps", strings.Repeat("Reconditionnement Électronique Général ", 6) + "SARL",
			[]string{"Reconditionnement", "Électronique", "Général", "SARL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := typicalFixture()
			f.sellerName = tt.seller
			in := buildInput(f)
			m := NewModel(in)
			text := pdftest.Text(t, render(t, m))
			flat := squash(text)

			for _, w := range tt.want {
				assert.Contains(t, flat, w)
			}
			for _, c := range charter2026() {
				assert.Contains(t, text, c.code)
			}
			assert.Contains(t, text, "78.9", "score")
			assert.Contains(t, text, "Probation", "tier")
			assert.Contains(t, text, "2026-07-01 – 2026-09-30", "period with its inclusive last day")
			assert.Contains(t, text, "refurbqa seller quality programme")
			assert.Contains(t, text, "−18.6 points", "change since the previous scorecard")

			// Every evidence identity is masked: the last 4 digits only.
			for _, id := range in.Scorecard.Result.Points[0].Evidence {
				full := in.Evidence[id].Identity
				require.Len(t, full, 15)
				assert.Contains(t, text, "•••••••••••"+full[11:])
				assert.NotContains(t, text, full)
				assert.NotContains(t, text, full[:11])
			}
			assertPages(t, text)
		})
	}
}

func TestRenderSections(t *testing.T) {
	text := squash(pdftest.Text(t, render(t, NewModel(buildInput(typicalFixture())))))
	// The sections come in the order of report.md.
	order := []string{"Summary", "Score trend", "All charter points", "Failed points in detail",
		"Grade accuracy", "Corrective actions"}
	rest := text
	for _, s := range order {
		i := strings.Index(rest, s)
		require.GreaterOrEqual(t, i, 0, "%s missing or out of order", s)
		rest = rest[i+len(s):]
	}
	for _, s := range []string{
		"functional_fail_rate == 0", "overgraded_rate <= 0.05", "(at most 5%)", // expectations
		"8 of 14 orders arrived as listed, 5 overgraded, 1 undergraded.", // accuracy
		"Plan submitted", "2026-10-18", // actions
		"MO-2026-00003", "not delivered", // order evidence
	} {
		assert.Contains(t, text, s)
	}
	assert.NotContains(t, text, "QC02 Battery above the 80% floor critical Open", "closed actions are left out")
}

func TestRenderEmptyAndFirstScorecard(t *testing.T) {
	tests := []struct {
		name string
		f    fixture
		want []string
	}{
		{"first scorecard, nothing failed", fixture{sellerName: "Nowy Sprzedawca"},
			[]string{"First scorecard", "No charter point failed in this period.", "No mystery orders were inspected",
				"No corrective action is open.", "Every evaluated charter point passed.", "100.0", "Trusted"}},
		{"nothing evaluated", fixture{sellerName: "Empty", insufficient: allCodes()},
			[]string{"—", "Insufficient data", "No charter point could be evaluated", "no score"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf := render(t, NewModel(buildInput(tt.f)))
			text := squash(pdftest.Text(t, pdf))
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
			pdftest.Check(t, pdf)
		})
	}
}

func allCodes() map[string]bool {
	m := map[string]bool{}
	for _, c := range charter2026() {
		m[c.code] = true
	}
	return m
}

func TestRenderQPDFCheck(t *testing.T) {
	pdftest.Check(t, render(t, NewModel(buildInput(typicalFixture()))))
}

func TestRenderDeterministic(t *testing.T) {
	in := buildInput(typicalFixture())
	first := render(t, NewModel(in))

	// The same input given in another order (history, orders, actions) and rendered by
	// another renderer, in another goroutine, gives the same bytes.
	shuffled := in
	shuffled.History = reversed(in.History)
	shuffled.Orders = reversed(in.Orders)
	shuffled.Actions = reversed(in.Actions)
	for i := 0; i < 3; i++ {
		assert.True(t, bytes.Equal(first, render(t, NewModel(shuffled))), "render %d differs", i)
	}

	// Another generation date changes the document.
	var other bytes.Buffer
	r, err := NewRenderer()
	require.NoError(t, err)
	require.NoError(t, r.Render(&other, NewModel(in), generated().AddDate(0, 0, 1)))
	assert.False(t, bytes.Equal(first, other.Bytes()))
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func TestRenderConcurrent(t *testing.T) {
	r, err := NewRenderer()
	require.NoError(t, err)
	m := NewModel(buildInput(typicalFixture()))
	var want bytes.Buffer
	require.NoError(t, r.Render(&want, m, generated()))

	const workers = 8
	got := make([][]byte, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			errs[i] = r.Render(&buf, m, generated())
			got[i] = buf.Bytes()
		}()
	}
	wg.Wait()
	for i := 0; i < workers; i++ {
		require.NoError(t, errs[i])
		assert.True(t, bytes.Equal(want.Bytes(), got[i]), "worker %d", i)
	}
}

// stressFixture is a report far above the typical one: every point failed, with 20 evidence
// records each (500 rows), 40 orders and 25 open actions.
func stressFixture() fixture {
	f := fixture{sellerName: "Stress Test Refurb GmbH", failed: map[string]int{}, missing: 1, history: 5, orders: 40, actions: 25}
	for _, c := range charter2026() {
		f.failed[c.code] = 20 // 25 × 20 = 500 evidence rows
	}
	return f
}

func TestRenderStress(t *testing.T) {
	in := buildInput(stressFixture())
	m := NewModel(in)
	rows := 0
	for _, fp := range m.Failed {
		rows += len(fp.Evidence)
	}
	require.Equal(t, 500, rows)
	require.Len(t, m.Failed, 25)

	pdf := render(t, m)
	pdftest.Check(t, pdf)
	text := pdftest.Text(t, pdf)
	pages := assertPages(t, text)
	assert.Greater(t, pages, 15)

	for _, fp := range m.Failed {
		for _, e := range fp.Evidence {
			switch {
			case !e.Found:
				assert.Contains(t, text, e.ID, "unresolved evidence is shown by id")
			case e.Kind == EvidenceOrder:
				assert.Contains(t, text, e.OrderRef)
				assert.NotContains(t, text, e.Identity)
			default:
				assert.Contains(t, text, "•••••••••••"+e.Identity[11:])
				assert.NotContains(t, text, e.Identity)
			}
		}
	}
	// Each device identity is distinct, so each masked one appears exactly once.
	masked := regexp.MustCompile(`•{11}\d{4}`).FindAllString(text, -1)
	assert.Len(t, masked, 500-25, "one masked identity per resolved row")

	// The evidence header row is repeated on every page that continues a table.
	continued := strings.Count(text, "— evidence (continued)")
	assert.Greater(t, continued, 5)
	assert.Equal(t, len(m.Failed)+continued, strings.Count(text, "IMEI / serial"))
}

func TestRenderUnsupportedRunes(t *testing.T) {
	tests := []struct {
		name, seller, want string
	}{
		{"emoji", "Łódź 📱 Serwis 🔧", "Łódź ? Serwis ?"},
		{"control characters and invalid UTF-8", "Tab\tName\x00\xff end", "Tab Name? end"},
		{"unsupported script", "修理 Repairs ᚠ", "?? Repairs ?"},
		{"braces are text", "Seller {nb}", "Seller {nb}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := typicalFixture()
			f.sellerName = tt.seller
			in := buildInput(f)
			in.Scorecard.Result.Points[0].Title = "Fully functional 🚀"
			m := NewModel(in)
			var buf bytes.Buffer
			require.NotPanics(t, func() { require.NoError(t, Render(&buf, m, generated())) })
			pdftest.Check(t, buf.Bytes())
			text := pdftest.Text(t, buf.Bytes())
			assert.Contains(t, text, tt.want)
			assert.Contains(t, text, "Fully functional ?")
			assertPages(t, text)
		})
	}
}

func TestRenderOversizedText(t *testing.T) {
	long := strings.Repeat("Ünbroken", 400) // 3200 characters without a space
	tests := []struct {
		name  string
		apply func(in *Input)
	}{
		{"seller name", func(in *Input) { in.Seller.Name = strings.Repeat("Serwis Żółć ", 300) }},
		{"point title", func(in *Input) { in.Scorecard.Result.Points[0].Title = long }},
		{"evidence note and model", func(in *Input) {
			id := in.Scorecard.Result.Points[0].Evidence[1]
			e := in.Evidence[id]
			e.Model, e.Note = long, strings.Repeat("note ", 2000)
			in.Evidence[id] = e
		}},
		{"threshold", func(in *Input) {
			in.Scorecard.Result.Points[0].Threshold = "== 0 && " + strings.Repeat("locked == 0 && ", 40) + "true"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := buildInput(typicalFixture())
			tt.apply(&in)
			pdf := render(t, NewModel(in))
			pdftest.Check(t, pdf)
			text := pdftest.Text(t, pdf)
			assertPages(t, text)
			for _, c := range charter2026()[1:] {
				assert.Contains(t, text, c.code)
			}
		})
	}
}

func TestRenderRequiresGenerationDate(t *testing.T) {
	var zero time.Time
	err := Render(io.Discard, NewModel(buildInput(typicalFixture())), zero)
	require.Error(t, err, "a zero date would leave the document undated and not reproducible")
	assert.ErrorIs(t, err, audit.ErrInvalid)
}

// BenchmarkReport renders the typical report of the performance target: 25 points, 40
// evidence rows, a six-point trend, with a renderer created once as a server would.
func BenchmarkReport(b *testing.B) {
	in := buildInput(typicalFixture())
	m := NewModel(in)
	rows := 0
	for _, fp := range m.Failed {
		rows += len(fp.Evidence)
	}
	if len(m.Points) != 25 || rows != 40 || len(m.Trend) != 6 {
		b.Fatalf("fixture is not typical: %d points, %d rows, %d trend points", len(m.Points), rows, len(m.Trend))
	}
	benchRender(b, "KiB/report", func(r *Renderer, w io.Writer) error { return r.Render(w, m, generated()) })
}

// BenchmarkReportLarge renders the stress report (25 failed points, 500 evidence rows, about
// 20 pages): the marketplace-scale scorecards cover twelve months, and their reports run from
// 9 to 77 pages, so the typical report alone says little about refurbqa reports --scorecards all.
func BenchmarkReportLarge(b *testing.B) {
	m := NewModel(buildInput(stressFixture()))
	benchRender(b, "KiB/report", func(r *Renderer, w io.Writer) error { return r.Render(w, m, generated()) })
}

// benchRender draws a document with draw again and again, with a renderer made once as a
// server makes it, and reports the CPU time per document, GC included (the performance targets
// are CPU time: wall time is skewed when the machine is shared), and the document's size in
// unit.
func benchRender(b *testing.B, unit string, draw func(r *Renderer, w io.Writer) error) {
	r, err := NewRenderer()
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	n := 0
	start := cpuTime()
	for b.Loop() {
		buf.Reset()
		if err := draw(r, &buf); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(buf.Len())/1024, unit)
}

// BenchmarkNewRenderer measures the one-off cost that Renderer saves on every report.
func BenchmarkNewRenderer(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewRenderer(); err != nil {
			b.Fatal(err)
		}
	}
}

// A draft says it is not for the seller; a superseded draft also names the scorecard that
// replaced it; an approved scorecard carries no banner.
func TestRenderStatusBanner(t *testing.T) {
	tests := []struct {
		status     audit.ScorecardStatus
		by         string
		want, gone []string
	}{
		{audit.Approved, "", []string{"Approved"}, []string{"Not for distribution", "Superseded"}},
		{audit.Draft, "", []string{"Draft — not yet approved by the quality team. Not for distribution to the seller."}, []string{"Superseded"}},
		{audit.Superseded, "sc_01knext0000000000000000000000", []string{"Superseded",
			"Superseded by sc_01knext0000000000000000000000 — never approved. Not for distribution to the seller."}, []string{"not yet approved"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			in := buildInput(typicalFixture())
			in.Scorecard.Status, in.Scorecard.SupersededBy = tt.status, tt.by
			if tt.status != audit.Approved {
				in.Scorecard.Review = nil
			}
			m := NewModel(in)
			assert.Equal(t, tt.by, m.SupersededBy)
			text := squash(pdftest.Text(t, render(t, m)))
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
			for _, w := range tt.gone {
				assert.NotContains(t, text, w)
			}
		})
	}
}
