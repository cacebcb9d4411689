package console

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
)

//go:embed templates
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// The console's own refusals, beside the domain's.
var (
	// errNoPage is an address under /console/ that is no page.
	errNoPage = fmt.Errorf("no such page: %w", audit.ErrNotFound)
	// errOtherArea is a page of another role's area.
	errOtherArea = fmt.Errorf("this page is not part of your role's work: %w", audit.ErrForbidden)
	// errCrossOrigin is a state-changing request sent by another site.
	errCrossOrigin = fmt.Errorf("this form was sent from another site: %w", audit.ErrForbidden)
)

// pages are the parsed templates, one set per page: the layout, the shared partials and the
// page's own file, so that every page defines its blocks without clashing with another's.
type pages struct {
	byName map[string]*template.Template
	// partials alone, for the fragments that the script swaps into a page.
	partials *template.Template
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	if p.partials, err = template.New("partials").Funcs(funcs).ParseFS(templateFS, "templates/partials/*.html"); err != nil {
		return nil, fmt.Errorf("console partials: %w", err)
	}
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/partials/*.html", file)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// funcs are the helpers templates may call.
var funcs = template.FuncMap{
	"date":      func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"datetime":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"inputTime": inputTime,
	"words":     func(s string) string { return strings.ReplaceAll(s, "_", " ") },
	"dict":      dict,
	"nextURL":   nextURL,
	"list":      func(v ...string) []string { return v },
	"label":     label,
	"zoneLabel": func(count string) string {
		if count == "visible_from_cm" {
			return "Visible from (cm)"
		}
		return label(count)
	},
	"score": formatScore,
	// tierName and tierClass take a tier or a plain string ("": never approved).
	"tierName":  func(t any) string { return tierName(checklist.Tier(fmt.Sprint(t))) },
	"tierClass": func(t any) string { return string(cmp.Or(checklist.Tier(fmt.Sprint(t)), audit.TierNone)) },
	"period":    periodLabel,
	"reviewURL": reviewURL,
	"add":       func(a, b float64) float64 { return a + b },
	"sub":       func(a, b float64) float64 { return a - b },
	"inc":       func(a, b int) int { return a + b },
	"neg":       func(a float64) float64 { return -a },
	// lastDay is the last day of a period, whose End is the midnight after it.
	"lastDay": func(end time.Time) string { return end.UTC().AddDate(0, 0, -1).Format("2006-01-02") },
}

// inputTime is t as a datetime-local field shows it, in UTC.
func inputTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04")
}

// dict builds a map from alternating keys and values, so that a partial can be called with
// several named arguments.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// view is what every page template receives: the page's own data in Data, and what the
// layout needs around it.
type view struct {
	Title  string
	User   *audit.User
	Nav    []navItem
	Assets *assets
	Data   any
	// Flash is the outcome of the form the person sent just before this page (flash), shown
	// once at its top.
	Flash string
	// Refresh, when not zero, reloads the page after that many seconds when the script does not
	// run (a page that follows work going on, refresher).
	Refresh int
}

// refresher is the data of a page that follows work going on: RefreshAfter is how many
// seconds until the page should be loaded again, 0 once there is nothing more to follow.
type refresher interface{ RefreshAfter() int }

// flashKey is the session entry of the flash message.
const flashKey = "flash"

// flash keeps msg for the next page the person sees, the one a successful form redirects to
// (post/redirect/get), which shows it once.
func (c *Console) flash(r *http.Request, msg string) {
	c.sessions(r).Put(r.Context(), flashKey, msg)
}

// navItem is one entry of the navigation.
type navItem struct {
	Label   string
	Href    string
	Current bool
}

// navigation is every entry of the navigation, each with the route that it opens: a person
// sees only the entries whose route their role may use. managerLabel names the entry for
// managers and admins when their page differs (their home is the overview).
var navigation = []struct {
	label, managerLabel, href, route string
}{
	{"Home", "Overview", "/console/", "GET /console/{$}"},
	{"Sellers", "", "/console/sellers", "GET /console/sellers"},
	{"Review queue", "", "/console/review", "GET /console/review"},
	{"Corrective actions", "", "/console/corrective-actions", "GET /console/corrective-actions"},
	{"Audit", "", "/console/audits", "GET /console/audits"},
	{"KPIs", "", "/console/kpis", "GET /console/kpis"},
	{"Charter", "", "/console/charter", "GET /console/charter"},
	{"Bench test", "", "/console/bench-tests/new", "GET /console/bench-tests/new"},
	{"Batch upload", "", "/console/bench-tests/batch", "GET /console/bench-tests/batch"},
	{"Mystery order", "", "/console/mystery-orders/new", "GET /console/mystery-orders/new"},
	{"Lots", "", "/console/lots", "GET /console/lots"},
	{"Recent work", "", "/console/work", "GET /console/work"},
	{"Users", "", "/console/admin/users", "GET /console/admin/users"},
	{"API keys", "", "/console/admin/keys", "GET /console/admin/keys"},
}

// nav is the navigation of a person on the page at current.
func (c *Console) nav(s *signedIn, current string) []navItem {
	if s == nil || s.User == nil {
		return nil
	}
	var out []navItem
	for _, n := range navigation {
		if c.rules[n.route].allows(s.User.Role) {
			label := n.label
			if n.managerLabel != "" && managerRole(s.User.Role) {
				label = n.managerLabel
			}
			out = append(out, navItem{Label: label, Href: n.href, Current: n.href == current})
		}
	}
	return out
}

// managerRole reports whether role works as a quality manager (managers and admins).
func managerRole(role audit.Role) bool { return role == audit.RoleManager || role == audit.RoleAdmin }

// render writes page name with status. The page is rendered whole before anything is sent,
// so a template error is a clean 500 rather than half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, s *signedIn, status int, name, title string, data any) error {
	t, ok := c.pages.byName[name]
	if !ok {
		return fmt.Errorf("console: no template %q", name)
	}
	v := view{Title: title, Nav: c.nav(s, r.URL.Path), Assets: c.assets, Data: data}
	if s != nil {
		v.User = s.User
	}
	if v.User != nil {
		v.Flash = c.sessions(r).PopString(r.Context(), flashKey)
	}
	if rf, ok := data.(refresher); ok {
		v.Refresh = rf.RefreshAfter()
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return fmt.Errorf("console: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
	return nil
}

// fragment writes the partial template name alone, for the script to put into the page.
func (c *Console) fragment(w http.ResponseWriter, r *http.Request, name string, data any) error {
	var buf bytes.Buffer
	if err := c.pages.partials.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("console: render fragment %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
	return nil
}

// problem is the data of the problem page.
type problem struct {
	Status int
	Title  string
	Detail string
	Fields []grading.FieldError
	// Next is the page to go on to, when there is one (the scorecard that replaced a
	// superseded draft).
	Next *navItem
}

// fail answers err with the problem page of its kind: the one table of the console that maps
// the domain's errors to status codes, the same mapping as the API's. A person who is signed
// out (or whose session ended) is sent to sign in.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *signedIn, err error) {
	p := problem{Status: http.StatusInternalServerError, Title: "Something went wrong",
		Detail: "The page could not be shown. Please try again; if it keeps happening, tell an administrator."}
	var ve *audit.ValidationError
	var se *audit.SupersededError
	switch {
	case errors.Is(err, audit.ErrUnauthorized):
		http.Redirect(w, r, signinURL(r), http.StatusSeeOther)
		return
	case errors.Is(err, audit.ErrNotFound):
		p = problem{Status: http.StatusNotFound, Title: "Not found",
			Detail: "There is no such page, or it is not yours to see."}
	case errors.Is(err, errCrossOrigin):
		p = problem{Status: http.StatusForbidden, Title: "Refused",
			Detail: "This form was sent from another site, so nothing was changed. Open the page in the console and send it from there."}
	case errors.Is(err, audit.ErrForbidden):
		p = problem{Status: http.StatusForbidden, Title: "Not allowed",
			Detail: "Your role may not use this page."}
	case errors.As(err, &se):
		p = problem{Status: http.StatusConflict, Title: "Superseded", Detail: se.Error(),
			Next: &navItem{Label: "Open scorecard " + se.By, Href: "/console/scorecards/" + se.By}}
	case errors.Is(err, audit.ErrConflict):
		p = problem{Status: http.StatusConflict, Title: "Conflict", Detail: err.Error()}
	case errors.As(err, &ve):
		p = problem{Status: http.StatusUnprocessableEntity, Title: "Invalid input",
			Detail: "Some values were refused:", Fields: ve.Errors}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		p = problem{Status: http.StatusServiceUnavailable, Title: "Too slow",
			Detail: "The page took too long to prepare. Please try again in a moment."}
	}
	if p.Status >= 500 {
		c.log.Error("console error", "path", r.URL.Path, "err", err)
	}
	if rerr := c.render(w, r, s, p.Status, "problem", p.Title, p); rerr != nil {
		c.log.Error("console problem page", "err", rerr)
		http.Error(w, p.Title, p.Status)
	}
}

// assets are the console's own stylesheet and script, embedded, each served under a name
// that carries its content hash so that browsers may cache it for good.
type assets struct {
	byName map[string]asset
	// CSS and JS are the addresses of the stylesheet and the script.
	CSS, JS string
}

type asset struct {
	body        []byte
	contentType string
	etag        string
}

func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]asset{}}
	for _, f := range []struct{ name, ctype string }{
		{"console.css", "text/css; charset=utf-8"},
		{"console.js", "text/javascript; charset=utf-8"},
	} {
		body, err := assetFS.ReadFile("assets/" + f.name)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		a.byName[f.name] = asset{body: body, contentType: f.ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	a.CSS = "/console/assets/console.css?v=" + strings.Trim(a.byName["console.css"].etag, `"`)
	a.JS = "/console/assets/console.js?v=" + strings.Trim(a.byName["console.js"].etag, `"`)
	return a, nil
}

// asset serves one embedded asset, with a strong entity tag; a request that names its
// current hash may keep it for a year.
func (c *Console) asset(w http.ResponseWriter, r *http.Request, _ *signedIn) error {
	a, ok := c.assets.byName[r.PathValue("name")]
	if !ok {
		return errNoPage
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", a.etag)
	if r.URL.Query().Get("v") == strings.Trim(a.etag, `"`) {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
	return nil
}

func queryEscape(s string) string { return url.QueryEscape(s) }
