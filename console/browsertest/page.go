package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// actionTimeout bounds each thing a page does (a navigation, a click, a wait for a text): it
// only stops a test that would otherwise hang, with a message saying what it waited for.
const actionTimeout = 30 * time.Second

// Page is one person in a journey: a tab in a browser context of its own, so its cookies (its
// session) are its own. Every method fails the test it was made for when the page does not do
// what the method expects, saying what the page holds instead; use it from that test's
// goroutine only.
type Page struct {
	t         testing.TB
	b         *Browser
	ctx       context.Context
	frame     cdp.FrameID // the main frame; its id is the target's
	downloads string

	mu sync.Mutex
	// document is the request of the main frame's current document, whose body (the HTML the
	// server sent, not the DOM scripts may have changed since) Step saves.
	document   network.RequestID
	exceptions []string // uncaught exceptions of the page's scripts since the last step
}

// NewPage opens a tab in a fresh browser context (no cookies) for the test t, a test of the
// browser's or one of its subtests, and closes it at the end of t.
func (b *Browser) NewPage(t testing.TB) *Page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil { // opens the tab, bound to ctx (no deadline)
		cancel()
		t.Fatalf("browsertest: open a page: %v", err)
	}
	c := chromedp.FromContext(ctx)
	p := &Page{t: t, b: b, ctx: ctx, frame: cdp.FrameID(c.Target.TargetID), downloads: t.TempDir()}
	t.Cleanup(func() {
		if err := chromedp.Cancel(ctx); err != nil {
			t.Logf("browsertest: close a page: %v", err)
		}
		cancel()
	})
	if err := chromedp.Listen(ctx, p.listen); err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	steps := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(b.width, b.height)}
	if !b.javaScript {
		steps = append(steps, scripts(false))
	}
	p.do("set the page up", steps...)
	p.do("allow downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior:         browser.SetDownloadBehaviorBehaviorAllowAndName,
			BrowserContextID: c.BrowserContextID,
			DownloadPath:     p.downloads,
			EventsEnabled:    new(true),
		})
		return err
	}))
	return p
}

// scripts switches the page's script execution on or off.
func scripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// listen follows the page's events in the order the browser sends them (chromedp.Listen): which
// document the main frame shows, and the uncaught exceptions of its scripts.
func (p *Page) listen(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *page.EventFrameNavigated:
		// A document's main request has the id of its loader; a download never commits.
		if ev.Frame.ParentID == "" && ev.Frame.ID == p.frame {
			p.document = network.RequestID(ev.Frame.LoaderID)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text = d.Exception.Description
		}
		p.exceptions = append(p.exceptions, fmt.Sprintf("%s:%d: %s", d.URL, d.LineNumber+1, text))
	}
}

// Context is the page's chromedp context, for what the helpers do not do:
// chromedp.Run(p.Context(), ...). It has no deadline.
func (p *Page) Context() context.Context { return p.ctx }

// do runs steps within actionTimeout, and fails the test with what when one fails.
func (p *Page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// evaluate runs the JavaScript expression in the page (even with the page's scripts off: it
// comes from the test, not from the page) and decodes its value into T.
func evaluate[T any](p *Page, what, expression string, opts ...chromedp.EvaluateOption) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expression, opts...))
	if err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// call is the JavaScript expression that calls the function fn with args, each given as JSON.
func call(fn string, args ...any) string {
	js := make([]string, len(args))
	for i, a := range args {
		b, err := json.Marshal(a)
		if err != nil {
			panic(err) // only strings and numbers are given
		}
		js[i] = string(b)
	}
	return "(" + fn + ")(" + strings.Join(js, ", ") + ")"
}

// Navigate loads url, waits until the page has loaded and returns the HTTP status of its
// document (200, or 404 for an address the person may not see).
func (p *Page) Navigate(url string) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		p.t.Fatalf("navigate to %s: %v", url, err)
	}
	if resp == nil {
		p.t.Fatalf("navigate to %s: no document loaded", url)
	}
	return int(resp.Status)
}

// Load runs action, which makes the page load another document (a click on a link, a submit
// button, Enter in a form field), waits until that document has loaded (after any redirect)
// and returns its HTTP status:
//
//	status := p.Load(func() { p.Press(browsertest.Enter) })
//
// An action that loads nothing fails the test after actionTimeout.
func (p *Page) Load(action func()) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Func(func(context.Context, *chromedp.Target) error {
		action()
		return nil
	}))
	if err != nil {
		p.t.Fatalf("wait for the page to load (from %s): %v", p.URL(), err)
	}
	if resp == nil {
		p.t.Fatalf("the action loaded no document (from %s)", p.URL())
	}
	return int(resp.Status)
}

// Submit clicks the submit button whose text (or value, for <input type="submit">) is label,
// as a person does, waits for the page the form's answer loads (after any redirect, such as the
// 303 after a POST) and returns its HTTP status.
func (p *Page) Submit(label string) int {
	p.t.Helper()
	lit := xpathLiteral(label)
	xpath := `//button[(not(@type) or @type="submit") and normalize-space(.)=` + lit + `]` +
		` | //input[(@type="submit" or @type="image") and @value=` + lit + `]`
	p.requireXPath(xpath, "submit button labelled %q", label)
	return p.Load(func() { p.do(fmt.Sprintf("click the submit button %q", label), chromedp.Click(chromedp.Search(xpath))) })
}

// FollowLink clicks the first link whose text is text, waits for the page it leads to and
// returns its HTTP status.
func (p *Page) FollowLink(text string) int {
	p.t.Helper()
	xpath := `//a[@href and normalize-space(.)=` + xpathLiteral(text) + `]`
	p.requireXPath(xpath, "link %q", text)
	return p.Load(func() { p.do(fmt.Sprintf("click the link %q", text), chromedp.Click(chromedp.Search(xpath))) })
}

// requireXPath fails the test at once, listing the page's buttons and links, when nothing
// matches xpath (chromedp would wait for it until actionTimeout).
func (p *Page) requireXPath(xpath, format string, args ...any) {
	p.t.Helper()
	n := evaluate[int](p, "find "+fmt.Sprintf(format, args...), call(
		`x => document.evaluate(x, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null).snapshotLength`, xpath))
	if n == 0 {
		controls := evaluate[[]string](p, "list the buttons and links", `Array.from(document.querySelectorAll("a[href], button, input[type=submit]"),`+
			` e => e.tagName.toLowerCase() + " " + JSON.stringify((e.innerText || e.value || "").trim()))`)
		p.t.Fatalf("no %s on %s; it has: %s", fmt.Sprintf(format, args...), p.URL(), strings.Join(controls, ", "))
	}
}

// xpathLiteral is s as an XPath string literal (XPath 1.0 has no escapes: a string with both
// kinds of quotes is a concat()).
func xpathLiteral(s string) string {
	switch {
	case !strings.Contains(s, `"`):
		return `"` + s + `"`
	case !strings.Contains(s, `'`):
		return `'` + s + `'`
	}
	parts := strings.Split(s, `"`)
	for i, part := range parts {
		parts[i] = `"` + part + `"`
	}
	return "concat(" + strings.Join(parts, `, '"', `) + ")"
}

// Click clicks the first visible element that the CSS selector matches, with the mouse, and
// does not wait for any page to load (wrap it in Load when it does).
func (p *Page) Click(selector string) {
	p.t.Helper()
	p.requireCSS(selector)
	p.do("click "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// requireCSS fails the test at once when nothing matches the CSS selector.
func (p *Page) requireCSS(selector string) {
	p.t.Helper()
	if p.Count(selector) == 0 {
		p.t.Fatalf("nothing on %s matches %s", p.URL(), selector)
	}
}

// fieldScript prepares the form field named name for the value: a text field gets focus and is
// emptied, for the test to type the value with the keyboard; a select, or a field that takes no
// typing (date, time, colour, range), gets the value set, with the input and change events a
// person's choice fires; a radio button is found for a click. It answers what to do next, or
// why the field cannot take the value.
const fieldScript = `(name, value) => {
	const els = Array.from(document.getElementsByName(name)).filter(e => "form" in e);
	if (els.length === 0) return {error: "no form field named " + JSON.stringify(name)};
	const el = els[0], tag = el.tagName.toLowerCase(), type = (el.type || "").toLowerCase();
	const set = () => {
		el.value = value;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
	};
	if (type === "radio") {
		if (!els.some(e => e.value === value)) return {error: "no radio button " + JSON.stringify(name) + " with the value " + JSON.stringify(value) + "; the values are " + JSON.stringify(els.map(e => e.value))};
		return {next: "click"};
	}
	if (type === "checkbox") return {error: JSON.stringify(name) + " is a checkbox: use Check"};
	if (els.length > 1) return {error: els.length + " fields are named " + JSON.stringify(name)};
	if (tag === "select") {
		if (!Array.from(el.options).some(o => o.value === value)) return {error: "the select " + JSON.stringify(name) + " has no option with the value " + JSON.stringify(value) + "; the values are " + JSON.stringify(Array.from(el.options, o => o.value))};
		set();
		return {next: "done"};
	}
	if (tag === "textarea" || ["text", "email", "password", "search", "tel", "url", "number"].includes(type)) {
		el.focus();
		el.value = "";
		return {next: "type"};
	}
	set();
	if (el.value !== value) return {error: "the " + type + " field " + JSON.stringify(name) + " does not take the value " + JSON.stringify(value) + " (it holds " + JSON.stringify(el.value) + ")"};
	return {next: "done"};
}`

// fieldAnswer is what fieldScript answers: the next step, or why the field cannot take the
// value.
type fieldAnswer struct {
	Next  string `json:"next"` // "type", "click" or "done"
	Error string `json:"error"`
}

// Fill gives the form field named name the value, as a person does: a text field (input of type
// text, email, password, search, tel, url or number, or a textarea) is emptied and the value
// typed with the keyboard; a select gets the option with that value; a radio group the button
// with that value, clicked; a date, time or other field that takes no typing gets the value set.
// A checkbox takes Check.
func (p *Page) Fill(name, value string) {
	p.t.Helper()
	what := fmt.Sprintf("fill %s with %q", name, value)
	r := evaluate[fieldAnswer](p, what, call(fieldScript, name, value))
	switch {
	case r.Error != "":
		p.t.Fatalf("%s on %s: %s", what, p.URL(), r.Error)
	case r.Next == "type":
		p.do(what, chromedp.KeyEvent(value))
	case r.Next == "click":
		p.do(what, chromedp.Click(chromedp.CSS(attrSelector("input", "name", name)+attrSelector("", "value", value))))
	}
}

// attrSelector is the CSS selector tag[attr="value"], the value quoted for CSS.
func attrSelector(tag, attr, value string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\a `)
	return tag + "[" + attr + `="` + r.Replace(value) + `"]`
}

// Check clicks the checkbox named name with the value when it is not already as on says.
func (p *Page) Check(name, value string, on bool) {
	p.t.Helper()
	sel := attrSelector("input", "type", "checkbox") + attrSelector("", "name", name) + attrSelector("", "value", value)
	p.requireCSS(sel)
	checked := evaluate[bool](p, "read "+sel, call(`s => document.querySelector(s).checked`, sel))
	if checked != on {
		p.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
	}
}

// Key is a key of the keyboard that Press presses: keyboard-only use is a requirement
// (console.md, Principles).
type Key string

// The keys that moving through and operating a form needs.
const (
	Tab        Key = kb.Tab
	ShiftTab   Key = "shift+" + kb.Tab
	Enter      Key = kb.Enter
	Space      Key = " "
	Escape     Key = kb.Escape
	Backspace  Key = kb.Backspace
	ArrowUp    Key = kb.ArrowUp
	ArrowDown  Key = kb.ArrowDown
	ArrowLeft  Key = kb.ArrowLeft
	ArrowRight Key = kb.ArrowRight
)

// Press presses and releases keys, one after the other, on the element that has the focus. A
// key that loads a page (Enter in a form) goes in Load.
func (p *Page) Press(keys ...Key) {
	p.t.Helper()
	for _, k := range keys {
		what := fmt.Sprintf("press %q", string(k))
		if k == ShiftTab {
			p.do(what, chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
			continue
		}
		p.do(what, chromedp.KeyEvent(string(k)))
	}
}

// Type types text with the keyboard into the element that has the focus.
func (p *Page) Type(text string) {
	p.t.Helper()
	p.do(fmt.Sprintf("type %q", text), chromedp.KeyEvent(text))
}

// Element describes an element of the page: the one that has the keyboard focus (Focused).
type Element struct {
	Tag  string // "input", "button", "a"…; "body" when nothing has the focus
	Name string // its name attribute
	ID   string
	Type string // the type attribute of an input or button, lower-cased
	Text string // its visible text, trimmed; the value of a form field (input, select, textarea)
}

// Focused is the element that has the keyboard focus, to check where Tab leads.
func (p *Page) Focused() Element {
	p.t.Helper()
	return evaluate[Element](p, "read the focused element", `(() => {
		const e = document.activeElement || document.body;
		return {Tag: e.tagName.toLowerCase(), Name: e.getAttribute("name") || "", ID: e.id,
			Type: (e.getAttribute("type") || "").toLowerCase(),
			Text: (["INPUT", "SELECT", "TEXTAREA"].includes(e.tagName) ? e.value : e.innerText || "").trim()};
	})()`)
}

// Focus gives the keyboard focus to the first element the CSS selector matches, as Tab would
// when it gets there, so a test of one control need not tab through the page to reach it.
func (p *Page) Focus(selector string) {
	p.t.Helper()
	p.requireCSS(selector)
	p.do("focus "+selector, chromedp.Focus(chromedp.CSS(selector)))
}

// Count is the number of elements the CSS selector matches.
func (p *Page) Count(selector string) int {
	p.t.Helper()
	return evaluate[int](p, "count "+selector, call(`s => document.querySelectorAll(s).length`, selector))
}

// Text is the visible text of the first element the CSS selector matches; none fails the test.
func (p *Page) Text(selector string) string {
	p.t.Helper()
	p.requireCSS(selector)
	return evaluate[string](p, "read "+selector, call(`s => document.querySelector(s).innerText`, selector))
}

// Attr is the attribute name of the first element the CSS selector matches, and whether it has
// it; no element fails the test.
func (p *Page) Attr(selector, name string) (string, bool) {
	p.t.Helper()
	p.requireCSS(selector)
	v := evaluate[*string](p, "read "+selector, call(`(s, n) => document.querySelector(s).getAttribute(n)`, selector, name))
	if v == nil {
		return "", false
	}
	return *v, true
}

// FieldValue is the current value of the form field named name (the first, when several share
// it): what the person typed, or what the server kept in the form after a field error.
func (p *Page) FieldValue(name string) string {
	p.t.Helper()
	v := evaluate[*string](p, "read the field "+name, call(
		`n => { const e = Array.from(document.getElementsByName(n)).find(e => "form" in e); return e ? e.value : null }`, name))
	if v == nil {
		p.t.Fatalf("no form field named %q on %s", name, p.URL())
	}
	return *v
}

// BodyText is the visible text of the whole page, to check what a person sees and what they
// must not.
func (p *Page) BodyText() string {
	p.t.Helper()
	return evaluate[string](p, "read the page", `document.body ? document.body.innerText : ""`)
}

// URL is the address of the page's document.
func (p *Page) URL() string {
	p.t.Helper()
	return evaluate[string](p, "read the address", `location.href`)
}

// Title is the page's title.
func (p *Page) Title() string {
	p.t.Helper()
	return evaluate[string](p, "read the title", `document.title`)
}

// WaitText waits until the page's visible text contains text: after a script of the page
// changed it, or while a page loads. It fails the test after actionTimeout with what the page
// says instead.
func (p *Page) WaitText(text string) {
	p.t.Helper()
	deadline := time.Now().Add(actionTimeout)
	for {
		body := p.BodyText()
		if strings.Contains(body, text) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%q did not appear on %s within %v; the page says:\n%s", text, p.URL(), actionTimeout, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Download is a file the browser downloaded.
type Download struct {
	Name string // the file name the server suggested (Content-Disposition)
	URL  string
	Data []byte
}

// Download runs action, a click on a link or a button that downloads a file (such as a PDF
// report served with Content-Disposition: attachment), waits until the browser has saved it and
// returns it. An action that shows a page instead (a PDF served inline opens the viewer) fails
// the test.
func (p *Page) Download(action func()) Download {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	begins := chromedp.BrowserEvents(ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	navigated := make(chan string, 1)
	if err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*page.EventFrameNavigated); ok && ev.Frame.ID == p.frame {
			select {
			case navigated <- ev.Frame.URL + " (" + ev.Frame.MimeType + ")":
			default:
			}
		}
	}); err != nil {
		p.t.Fatalf("browsertest: %v", err)
	}
	began := make(chan browser.EventDownloadWillBegin, 1)
	go func() {
		for ev, err := range begins {
			if err != nil {
				return
			}
			if ev.FrameID == p.frame {
				began <- ev
				return
			}
		}
	}()

	action()
	var dl browser.EventDownloadWillBegin
	select {
	case dl = <-began:
	case page := <-navigated:
		p.t.Fatalf("the action showed the page %s instead of downloading it (serve it with Content-Disposition: attachment)", page)
	case <-ctx.Done():
		p.t.Fatalf("no download began within %v (on %s)", actionTimeout, p.URL())
	}
	for ev, err := range progress {
		if err != nil {
			p.t.Fatalf("the download of %s did not finish within %v: %v", dl.URL, actionTimeout, err)
		}
		if ev.GUID != dl.GUID {
			continue
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			p.t.Fatalf("the download of %s was canceled", dl.URL)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	data, err := os.ReadFile(filepath.Join(p.downloads, dl.GUID))
	if err != nil {
		p.t.Fatalf("read the download of %s: %v", dl.URL, err)
	}
	return Download{Name: dl.SuggestedFilename, URL: dl.URL, Data: data}
}

// Step records the page as a step of the journey, named name: a full-page screenshot
// NN-name.png and the HTML the server sent for the page, NN-name.html, in the test's folder
// (html-validate checks the HTML at the end of the test). It checks the page with axe-core and
// fails the test on every serious or critical violation of WCAG 2.x A or AA, naming the rule,
// its help and the elements; and on every uncaught exception of the page's scripts since the
// previous step.
func (p *Page) Step(name string) {
	p.t.Helper()
	base := p.b.out.next(name)
	p.mu.Lock()
	doc, exceptions := p.document, p.exceptions
	p.exceptions = nil
	p.mu.Unlock()
	if doc == "" {
		p.t.Fatalf("step %q: the page has loaded no document yet", name)
	}

	png, err := runFor(p, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("step %q: screenshot: %v", name, err)
	}
	if err := os.WriteFile(base+".png", png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	body, err := runFor(p, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, t, network.GetResponseBody, network.GetResponseBodyParams{RequestID: doc})
		return r.Body, err
	})
	if err != nil {
		p.t.Fatalf("step %q: the HTML of %s: %v", name, p.URL(), err)
	}
	if err := p.b.out.savePage(base+".html", body); err != nil {
		p.t.Fatal(err)
	}

	for _, v := range p.axe() {
		if v.blocking() {
			p.t.Errorf("step %q (%s): axe-core: %s", name, base+".png", v)
		} else {
			p.t.Logf("step %q: axe-core, not blocking: %s (%s): %s", name, v.ID, v.Impact, v.Help)
		}
	}
	for _, e := range exceptions {
		p.t.Errorf("step %q: uncaught exception in a script of the page: %s", name, e)
	}
}

// runFor runs a with actionTimeout.
func runFor[T any](p *Page, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// axe runs axe-core on the page and returns its violations. axe's promise needs timers, which
// do not run while the page's scripts are off, so a page without JavaScript has them on for the
// time of the check: the page's own scripts were never run and are not run by this.
func (p *Page) axe() []axeViolation {
	p.t.Helper()
	if !p.b.javaScript {
		p.do("switch scripts on for axe", scripts(true))
		defer p.do("switch scripts off again", scripts(false))
	}
	if !evaluate[bool](p, "look for axe", `typeof axe === "object"`) {
		evaluate[chromedp.Void](p, "inject axe-core", p.b.tools.axe+"\n;void 0")
	}
	raw := evaluate[[]byte](p, "run axe-core", axeScript(), chromedp.EvalAwaitPromise)
	var violations []axeViolation
	if err := json.Unmarshal(raw, &violations); err != nil {
		p.t.Fatalf("axe-core: %v\n%s", err, raw)
	}
	return violations
}
