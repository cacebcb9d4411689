package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// The charter (console.md, Quality manager): the active charter and every published version,
// readable by every role as in the API, and the managers' publishing of a new version from its
// JSON, the document of POST /api/v1/charters. A charter that does not compile comes back with
// every problem beside the document; a rule's problem shows the rule with a marker at the line
// and column the compiler names.

// maxCharterFile is the largest charter document accepted: a charter of the default's size is
// a few kilobytes.
const maxCharterFile = 1 << 20

// chartersPageSize is the length of a page of the list of versions.
const chartersPageSize = 50

// charterPoint is a point of a published charter with the threshold its scorecards show.
type charterPoint struct {
	checklist.Point
	Threshold string
}

// charterView is one published version as its pages show it.
type charterView struct {
	Version audit.CharterVersion
	Points  []charterPoint
}

// charterView compiles cv (once per version, cached) for the thresholds of its points.
func (c *Console) charterView(cv audit.CharterVersion) (charterView, error) {
	compiled, err := c.programs.Get(cv.Charter)
	if err != nil {
		return charterView{}, fmt.Errorf("charter %s no longer compiles: %v", cv.Charter.Version, err)
	}
	v := charterView{Version: cv, Points: make([]charterPoint, len(cv.Charter.Points))}
	for i, p := range cv.Charter.Points {
		v.Points[i] = charterPoint{Point: p, Threshold: compiled.Threshold(i)}
	}
	return v, nil
}

// charterPage is the page of the active charter.
type charterPage struct {
	Charter       charterView
	Versions      []audit.CharterVersion
	VersionsNext  string
	VersionsLater bool
	Metrics       []checklist.Metric
	// Publish is the form of a new version, nil when the reader may not publish.
	Publish *publishForm
}

// publishForm is the form of a new charter version and the problems of the one sent.
type publishForm struct {
	Form     *form
	Problems []charterProblem
}

// charterProblem is one problem of a charter sent for publishing, placed where it is.
type charterProblem struct {
	// Field is the JSON path the problem is at ("points[3].rule"); Point names the point
	// (its code, or its path when it has none) and What the member of the point.
	Field, Point, What string
	Message            string
	// Line and Column are the place in a rule the compiler names (0 when none); Before, At
	// and After are that line of the rule cut around the column, and Caret a line that points
	// at it.
	Line, Column      int
	Before, At, After string
	Caret             string
}

// activeCharter is GET /console/charter (?cursor= a page of versions, ?from= a version whose
// JSON starts the publishing form).
func (c *Console) activeCharter(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	var pf *publishForm
	if c.may(s, "POST /console/charters") {
		pf = &publishForm{Form: newForm(nil)}
		if from := r.URL.Query().Get("from"); from != "" {
			cv, err := c.svc.Charter(r.Context(), from)
			if err != nil {
				return err
			}
			doc, err := charterJSON(cv.Charter)
			if err != nil {
				return err
			}
			pf.Form.Values.Set("document", doc)
		}
	}
	return c.renderCharter(w, r, s, http.StatusOK, pf)
}

// charterJSON is the document of c as a person edits it: indented, and with the rules'
// operators as they are written ("&&", not "\u0026\u0026").
func charterJSON(c checklist.Charter) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(checklist.NewDocument(c)); err != nil {
		return "", err
	}
	return b.String(), nil
}

// renderCharter renders the page of the active charter with the publishing form pf.
func (c *Console) renderCharter(w http.ResponseWriter, r *http.Request, s *signedIn, status int, pf *publishForm) error {
	cv, err := c.svc.ActiveCharter(r.Context())
	if err != nil {
		return err
	}
	view, err := c.charterView(cv)
	if err != nil {
		return err
	}
	cursor := r.URL.Query().Get("cursor")
	versions, next, err := c.svc.Charters(r.Context(), audit.Page{Limit: chartersPageSize, Cursor: cursor})
	if err != nil {
		return err
	}
	page := charterPage{Charter: view, Versions: versions, VersionsLater: cursor != "",
		Metrics: c.svc.MetricCatalogue(), Publish: pf}
	if next != "" {
		page.VersionsNext = "/console/charter?cursor=" + queryEscape(next) + "#versions"
	}
	return c.render(w, r, s, status, "charter", "Charter "+cv.Charter.Version, page)
}

// versionPage is the page of one charter version.
type versionPage struct {
	Charter    charterView
	MayPublish bool
}

// charterVersion is GET /console/charters/{version}.
func (c *Console) charterVersion(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	cv, err := c.svc.Charter(r.Context(), r.PathValue("version"))
	if err != nil {
		return err
	}
	view, err := c.charterView(cv)
	if err != nil {
		return err
	}
	page := versionPage{Charter: view, MayPublish: c.may(s, "POST /console/charters")}
	return c.render(w, r, s, http.StatusOK, "charter_version", "Charter "+cv.Charter.Version, page)
}

// charterRequest is a charter sent for publishing: the document of the API, with its
// activate member.
type charterRequest struct {
	checklist.Document
	Activate bool `json:"activate"`
}

// publishCharter is POST /console/charters (multipart: document, the JSON typed or pasted;
// file, the same as a file, which wins when given; activate, true to make the new version the
// one audits use). A refused charter comes back in the form, its problems beside it.
func (c *Console) publishCharter(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	pf := &publishForm{Form: newForm(nil)}
	refuse := func(status int, problems ...charterProblem) error {
		pf.Problems = problems
		pf.Form.Errors["document"] = "the charter was not published"
		return c.renderCharter(w, r, s, status, pf)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCharterFile+1<<20)
	if err := r.ParseMultipartForm(maxCharterFile); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return refuse(http.StatusUnprocessableEntity, charterProblem{Field: "document", Message: fmt.Sprintf("is larger than %d MiB", maxCharterFile>>20)})
		}
		return refuse(http.StatusUnprocessableEntity, charterProblem{Field: "document", Message: "the form could not be read"})
	}
	if r.MultipartForm == nil {
		if err := r.ParseForm(); err != nil {
			return refuse(http.StatusUnprocessableEntity, charterProblem{Field: "document", Message: "the form could not be read"})
		}
	}
	doc := multiline(r.PostFormValue("document"))
	activate := r.PostFormValue("activate") == "true"
	if file, _, err := r.FormFile("file"); err == nil {
		body, rerr := io.ReadAll(io.LimitReader(file, maxCharterFile+1))
		file.Close()
		switch {
		case rerr != nil:
			return rerr
		case len(body) > maxCharterFile:
			return refuse(http.StatusUnprocessableEntity, charterProblem{Field: "document", Message: fmt.Sprintf("is larger than %d MiB", maxCharterFile>>20)})
		case len(strings.TrimSpace(string(body))) > 0:
			doc = string(body)
		}
	}
	pf.Form.Values.Set("document", doc)
	if activate {
		pf.Form.Values.Set("activate", "true")
	}

	var req charterRequest
	typeErr, err := wire.Decode([]byte(doc), &req)
	if err == nil {
		err = typeErr
	}
	if err != nil {
		var ve *audit.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		return refuse(http.StatusUnprocessableEntity, charterProblems(ve.Errors, req.Document)...)
	}
	cv, err := c.svc.PublishCharter(r.Context(), s.principal(), req.Charter(), activate || req.Activate)
	var ce *checklist.CompileError
	switch {
	case errors.As(err, &ce):
		return refuse(http.StatusUnprocessableEntity, charterProblems(ce.Errors, req.Document)...)
	case errors.Is(err, audit.ErrConflict):
		return refuse(http.StatusConflict, charterProblem{Field: "version", What: "version", Message: err.Error()})
	case err != nil:
		return err
	}
	msg := "Charter version " + cv.Charter.Version + " was published."
	if cv.Active {
		msg = "Charter version " + cv.Charter.Version + " was published and is now the active charter."
	}
	c.flash(r, msg)
	http.Redirect(w, r, "/console/charters/"+url.PathEscape(cv.Charter.Version), http.StatusSeeOther)
	return nil
}

// charterProblems places each problem of a charter sent for publishing: at its point, and for
// a rule at the line and column its message ends with ("QC04: unknown name foo (1:5)").
func charterProblems(errs []grading.FieldError, doc checklist.Document) []charterProblem {
	out := make([]charterProblem, 0, len(errs))
	for _, e := range errs {
		p := charterProblem{Field: e.Field, What: e.Field, Message: e.Message}
		if e.Field == "body" {
			p.Field, p.What = "document", ""
		}
		rest, ok := strings.CutPrefix(e.Field, "points[")
		idx, member, ok2 := strings.Cut(rest, "].")
		i, err := strconv.Atoi(idx)
		if !ok || !ok2 || err != nil || i < 0 || i >= len(doc.Points) {
			out = append(out, p)
			continue
		}
		pt := doc.Points[i]
		p.Point, p.What = pt.Code, member
		label := pt.Code
		if label == "" {
			p.Point, label = "points["+idx+"]", "points["+idx+"]"
		}
		p.Message = strings.TrimPrefix(p.Message, label+": ")
		if member == "rule" {
			p.mark(pt.Rule)
		}
		out = append(out, p)
	}
	return out
}

// mark takes the "(line:column)" off the end of the problem's message and cuts that line of
// rule around the column.
func (p *charterProblem) mark(rule string) {
	open := strings.LastIndex(p.Message, " (")
	if open < 0 || !strings.HasSuffix(p.Message, ")") {
		return
	}
	lineText, colText, ok := strings.Cut(p.Message[open+2:len(p.Message)-1], ":")
	line, err1 := strconv.Atoi(lineText)
	col, err2 := strconv.Atoi(colText)
	lines := strings.Split(rule, "\n")
	if !ok || err1 != nil || err2 != nil || line < 1 || line > len(lines) || col < 1 {
		return
	}
	p.Message, p.Line, p.Column = p.Message[:open], line, col
	runes := []rune(strings.TrimSuffix(lines[line-1], "\r"))
	at := min(col-1, len(runes))
	p.Before, p.At = string(runes[:at]), " " // a fault at the end of the line
	if at < len(runes) {
		p.At, p.After = string(runes[at]), string(runes[at+1:])
	}
	var caret strings.Builder
	for _, r := range runes[:at] {
		if r == '\t' {
			caret.WriteRune('\t') // so that the caret lines up under a tab
		} else {
			caret.WriteRune(' ')
		}
	}
	p.Caret = caret.String() + "^"
}
