package browsertest_test

import (
	"fmt"
	"html/template"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/console/browsertest"
)

// fixturePDF is a small PDF file that the fixture serves for download.
const fixturePDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/MediaBox[0 0 10 10]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

// fixtureLayout is the accessible, valid page every fixture page is; a page's .Body goes in main.
const fixtureLayout = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
{{.Body}}
</main>
</body>
</html>
`

// fixtureForm is a form like the console's: fields named by the API's dotted paths, a select,
// radio buttons, a checkbox, a textarea, a date, and two submit buttons (action=preview first).
// Its script writes into #script, so a test sees whether scripts ran.
const fixtureForm = `<p id="script">JavaScript did not run.</p>
<script>document.getElementById("script").textContent = "JavaScript ran.";</script>
<form method="post" action="/submit">
<p><label for="lab">Lab</label> <input id="lab" name="lab" type="text"></p>
<p><label for="category">Category</label>
<select id="category" name="device.category"><option value="">Choose</option><option value="laptop">Laptop</option><option value="smartphone">Smartphone</option></select></p>
<fieldset><legend>Wi-Fi works</legend>
<input id="wifi-yes" name="functional.wifi" type="radio" value="true"> <label for="wifi-yes">Yes</label>
<input id="wifi-no" name="functional.wifi" type="radio" value="false"> <label for="wifi-no">No</label>
</fieldset>
<p><input id="part-screen" name="parts.non_genuine" type="checkbox" value="screen"> <label for="part-screen">Screen not genuine</label></p>
<p><label for="tested">Tested on</label> <input id="tested" name="tested_at" type="date"></p>
<p><label for="notes">Notes</label> <textarea id="notes" name="notes"></textarea></p>
<p><button type="submit" name="action" value="preview">Preview</button> <button type="submit" name="action" value="save">Save</button></p>
</form>
<p><a id="report" href="/report.pdf">Download the report</a></p>
<p><a id="inline" href="/inline.pdf">Read the report</a></p>
<p><a href="/form">Start again</a></p>`

// fixture serves the pages that the harness's helpers are tested on.
func fixture(t *testing.T) string {
	t.Helper()
	layout := template.Must(template.New("page").Parse(fixtureLayout))
	render := func(w http.ResponseWriter, status int, title string, body template.HTML) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		if err := layout.Execute(w, map[string]any{"Title": title, "Body": body}); err != nil {
			t.Error(err)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
		render(w, http.StatusOK, "Bench test", fixtureForm)
	})
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.PostForm.Get("action") == "save" {
			http.Redirect(w, r, "/saved?"+r.PostForm.Encode(), http.StatusSeeOther)
			return
		}
		render(w, http.StatusUnprocessableEntity, "Preview", formValues(r.PostForm))
	})
	mux.HandleFunc("GET /saved", func(w http.ResponseWriter, r *http.Request) {
		render(w, http.StatusOK, "Saved", formValues(r.URL.Query())+`<p><a href="/form">Start again</a></p>`)
	})
	mux.HandleFunc("GET /report.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="report-2026-q3.pdf"`)
		_, _ = io.WriteString(w, fixturePDF)
	})
	mux.HandleFunc("GET /inline.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = io.WriteString(w, fixturePDF)
	})
	mux.HandleFunc("GET /tall", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		for i := range 120 {
			fmt.Fprintf(&b, "<p>Line %d of a page longer than the screen.</p>\n", i+1)
		}
		render(w, http.StatusOK, "Tall", template.HTML(b.String()))
	})
	mux.HandleFunc("GET /broken", func(w http.ResponseWriter, r *http.Request) {
		// An image without alt text (axe: image-alt, critical), and a paragraph left open
		// (html-validate: no-implicit-close).
		render(w, http.StatusOK, "Broken", `<p>An image: <img src="/pixel.png"></p><div><p>Unclosed</div>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// formValues lists the submitted fields, one "name=value" per list item, sorted by name.
func formValues(v map[string][]string) template.HTML {
	var b strings.Builder
	b.WriteString("<ul>")
	for _, name := range []string{"action", "device.category", "functional.wifi", "lab", "notes", "parts.non_genuine", "tested_at"} {
		for _, value := range v[name] {
			fmt.Fprintf(&b, "<li>%s=%s</li>", template.HTMLEscapeString(name), template.HTMLEscapeString(value))
		}
	}
	b.WriteString("</ul>")
	return template.HTML(b.String())
}

// TestForm: Fill, Check, Submit and the steps of a form, with and without JavaScript, and
// whether the page's scripts ran.
func TestForm(t *testing.T) {
	base := fixture(t)
	browsertest.BothWays(t, func(t *testing.T, b *browsertest.Browser) {
		p := b.NewPage(t)
		require.Equal(t, 200, p.Navigate(base+"/form"))
		if b.JavaScript() {
			assert.Equal(t, "JavaScript ran.", p.Text("#script"))
		} else {
			assert.Equal(t, "JavaScript did not run.", p.Text("#script"))
		}
		p.Step("empty form")

		p.Fill("lab", "Lyon bench 3")
		p.Fill("lab", "Lyon bench 4") // a second Fill replaces the text
		p.Fill("device.category", "smartphone")
		p.Fill("functional.wifi", "false")
		p.Check("parts.non_genuine", "screen", true)
		p.Fill("tested_at", "2026-11-23")
		p.Fill("notes", "Scratch on the back")
		assert.Equal(t, "Lyon bench 4", p.FieldValue("lab"))
		assert.Equal(t, "smartphone", p.FieldValue("device.category"))
		assert.Equal(t, "2026-11-23", p.FieldValue("tested_at"))
		p.Step("filled form")

		assert.Equal(t, 422, p.Submit("Preview"))
		assert.Equal(t, "Preview", p.Text("h1"))
		for _, want := range []string{"action=preview", "device.category=smartphone", "functional.wifi=false",
			"lab=Lyon bench 4", "notes=Scratch on the back", "parts.non_genuine=screen", "tested_at=2026-11-23"} {
			assert.Contains(t, p.BodyText(), want)
		}
		p.Step("preview")

		require.Equal(t, 200, p.Navigate(base+"/form"))
		p.Fill("lab", "Paris")
		p.Check("parts.non_genuine", "screen", true)
		p.Check("parts.non_genuine", "screen", false)
		assert.Equal(t, 200, p.Submit("Save"), "the status of the page the 303 leads to")
		assert.Equal(t, "Saved", p.Text("h1"))
		assert.True(t, strings.HasPrefix(p.URL(), base+"/saved?"), p.URL())
		assert.Contains(t, p.BodyText(), "action=save")
		assert.NotContains(t, p.BodyText(), "parts.non_genuine", "a checkbox checked and unchecked again is not sent")
		p.Step("saved")

		assert.Equal(t, 200, p.FollowLink("Start again"))
		assert.Equal(t, "Bench test", p.Title())
	})
}

// TestKeyboard: a form filled and submitted with the keyboard only, in tab order.
func TestKeyboard(t *testing.T) {
	base := fixture(t)
	browsertest.BothWays(t, func(t *testing.T, b *browsertest.Browser) {
		p := b.NewPage(t)
		p.Navigate(base + "/form")
		assert.Equal(t, "body", p.Focused().Tag, "nothing has the focus on a new page")

		p.Press(browsertest.Tab)
		assert.Equal(t, "lab", p.Focused().Name)
		p.Type("Keyboard bench")
		p.Press(browsertest.Tab)
		assert.Equal(t, browsertest.Element{Tag: "select", Name: "device.category", ID: "category", Text: ""}, p.Focused(),
			"the value of the first option, Choose, is empty")
		p.Press(browsertest.ArrowDown)
		assert.Equal(t, "laptop", p.FieldValue("device.category"), "ArrowDown on a closed select picks the next option")
		p.Press(browsertest.Tab)
		assert.Equal(t, "functional.wifi", p.Focused().Name)
		p.Press(browsertest.Space)
		p.Press(browsertest.Tab)
		assert.Equal(t, "parts.non_genuine", p.Focused().Name)
		p.Press(browsertest.Space)
		p.Press(browsertest.ShiftTab)
		assert.Equal(t, "functional.wifi", p.Focused().Name, "Shift+Tab goes back")
		p.Press(browsertest.Tab, browsertest.Tab)
		assert.Equal(t, "tested_at", p.Focused().Name)
		// Tab goes through the parts of a date field (month, day, year, picker) before it leaves.
		for i := 0; i < 6 && p.Focused().Name == "tested_at"; i++ {
			p.Press(browsertest.Tab)
		}
		assert.Equal(t, "notes", p.Focused().Name)
		p.Type("Typed")
		p.Press(browsertest.Tab, browsertest.Tab)
		assert.Equal(t, browsertest.Element{Tag: "button", Name: "action", Type: "submit", Text: "Save"}, p.Focused())

		assert.Equal(t, 200, p.Load(func() { p.Press(browsertest.Enter) }), "Enter on the Save button submits with action=save")
		for _, want := range []string{"action=save", "lab=Keyboard bench", "device.category=laptop",
			"functional.wifi=true", "parts.non_genuine=screen", "notes=Typed"} {
			assert.Contains(t, p.BodyText(), want)
		}
		p.Step("saved with the keyboard")

		p.Navigate(base + "/form")
		p.Press(browsertest.Tab)
		p.Type("Enter in a text field")
		assert.Equal(t, 422, p.Load(func() { p.Press(browsertest.Enter) }), "Enter in a field submits with the first button, Preview")
		assert.Contains(t, p.BodyText(), "action=preview")
	})
}

// TestDownload: a PDF served as an attachment is downloaded whole, with its file name.
func TestDownload(t *testing.T) {
	base := fixture(t)
	browsertest.BothWays(t, func(t *testing.T, b *browsertest.Browser) {
		p := b.NewPage(t)
		p.Navigate(base + "/form")
		dl := p.Download(func() { p.Click("#report") })
		assert.Equal(t, "report-2026-q3.pdf", dl.Name)
		assert.Equal(t, base+"/report.pdf", dl.URL)
		assert.Equal(t, fixturePDF, string(dl.Data))
		assert.Equal(t, base+"/form", p.URL(), "a download leaves the page where it is")

		p.Focus("#report")
		dl = p.Download(func() { p.Press(browsertest.Enter) })
		assert.Equal(t, fixturePDF, string(dl.Data), "Enter on the link downloads too")
	})
}

// TestFullPageScreenshot: a step's screenshot holds the whole page, not only what the viewport
// shows.
func TestFullPageScreenshot(t *testing.T) {
	base := fixture(t)
	root := t.TempDir()
	t.Setenv("REFURBQA_SCREENSHOTS", root)
	p := browsertest.NewBrowser(t, browsertest.WithViewport(768, 600)).NewPage(t)
	p.Navigate(base + "/tall")
	p.Step("tall")
	f, err := os.Open(filepath.Join(root, "TestFullPageScreenshot", "01-tall.png"))
	require.NoError(t, err)
	defer f.Close()
	img, err := png.DecodeConfig(f)
	require.NoError(t, err)
	assert.InDelta(t, 768, img.Width, 20, "the viewport's width, less a scroll bar")
	assert.Greater(t, img.Height, 3000, "120 paragraphs are taller than the viewport's 600 pixels")
}

// recorder is a testing.TB whose failures are recorded instead of failing the test, so that a
// test can check that the harness fails a test when it should. Fatal ends the goroutine, as
// it does in a test; run recorded code with recorder.run.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errors) > 0
}

func (r *recorder) failures() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errors, "\n")
}

// run runs f on a goroutine of its own, where a Fatal of r ends f only.
func (r *recorder) run(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

// TestChecksFail: a page that breaks the rules fails the test — axe-core at its step, naming the
// rule and the element; html-validate at the end of the test, naming the file, line and rule —
// and a PDF shown inline is no download.
func TestChecksFail(t *testing.T) {
	base := fixture(t)
	root := t.TempDir()
	t.Setenv("REFURBQA_SCREENSHOTS", root)
	for mode, opts := range map[string][]browsertest.Option{"javascript": nil, "no-javascript": {browsertest.WithoutJavaScript()}} {
		rec := &recorder{}
		var name string
		t.Run(mode, func(t *testing.T) {
			rec.TB, name = t, t.Name()
			rec.run(func() {
				p := browsertest.NewBrowser(rec, opts...).NewPage(rec)
				p.Navigate(base + "/broken")
				p.Step("broken")
			})
			assert.Contains(t, rec.failures(), `step "broken"`)
			assert.Contains(t, rec.failures(), "image-alt (critical): Images must have alternative text")
			assert.Contains(t, rec.failures(), `img  <img src="/pixel.png">`, "the element's selector and HTML")
			assert.NotContains(t, rec.failures(), "html-validate", "html-validate runs at the end of the test")
		})
		// The subtest's clean-up, which closed its browser, validated the page it saved.
		saved := filepath.Join(root, filepath.FromSlash(name), "01-broken.html")
		assert.Contains(t, rec.failures(), saved+":11:46: Element <p> is implicitly closed by parent </div> (no-implicit-close)")
		assert.Contains(t, rec.failures(), saved+`:11:15: <img> is missing required "alt" attribute (wcag/h37)`)
	}

	b := browsertest.NewBrowser(t)
	rec := &recorder{TB: t}
	p := b.NewPage(rec)
	p.Navigate(base + "/form")
	rec.run(func() { p.Download(func() { p.Click("#inline") }) })
	assert.Contains(t, rec.failures(), "the action showed the page "+base+"/inline.pdf (application/pdf) instead of downloading it")

	rec = &recorder{TB: t}
	p = b.NewPage(rec)
	p.Navigate(base + "/form")
	rec.run(func() { p.Fill("parts.non_genuine", "screen") })
	assert.Contains(t, rec.failures(), `"parts.non_genuine" is a checkbox: use Check`)
	rec.run(func() { p.Fill("device.category", "tablet") })
	assert.Contains(t, rec.failures(), `the select "device.category" has no option with the value "tablet"; the values are ["","laptop","smartphone"]`)
	rec.run(func() { p.Submit("Send") })
	assert.Contains(t, rec.failures(), `no submit button labelled "Send" on `+base+`/form; it has: `)
}

// TestServerRun: the commands of the server run against its database, with standard input.
func TestServerRun(t *testing.T) {
	srv := browsertest.NewServer(t)
	out := srv.Run(t, "a-long-enough-password\n", "users", "create", "--email", "ada@example.com",
		"--name", "Ada", "--role", "manager", "--password-stdin")
	assert.Empty(t, out, "with --password-stdin nothing is printed")
	assert.Contains(t, srv.Run(t, "", "users", "list"), "ada@example.com")
	assert.Empty(t, srv.URL, "not serving before Start")
	srv.Start(t)
	assert.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	res, err := http.Get(srv.URL + "/healthz")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
}
