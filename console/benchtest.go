package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// The technician's bench test (console.md, Technician): choose the seller and the category,
// then a form built from that category's protocol, with the grade shown as it is filled (by
// the script, from previewBenchTest) and on the Preview button without it.

// testRow is one functional test of the form.
type testRow struct {
	Code     string
	Label    string
	Severity grading.Severity
	AllowNA  bool // only optional tests may be not applicable
}

// inspectionForm is the inspection part of a bench-test or mystery-order form.
type inspectionForm struct {
	Form         *form
	Category     grading.Category
	Tests        []testRow
	Parts        []string
	IMEIStatuses []grading.IMEIStatus
	Grades       []grading.Marketplace
	// Grade is the grade of the form as filled, nil until it can be graded; Missing are the
	// inspection's problems that keep it from being graded.
	Grade   *grading.Grade
	Missing []grading.FieldError
}

// benchPage is the bench-test form page.
type benchPage struct {
	Inspection *inspectionForm
	Seller     audit.Seller
}

// choosePage is the first step: the seller and the category.
type choosePage struct {
	Form       *form
	Sellers    []audit.Seller // every seller when there are few enough for a list; else none
	Categories []grading.Category
}

// maxSellerChoices is the most sellers offered as a list; with more, the technician types the
// seller's id (the page must stay small on a marketplace of thousands).
const maxSellerChoices = 200

func label(code string) string {
	s := strings.ReplaceAll(code, "_", " ")
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// newInspectionForm builds the inspection part of a form for the protocol of category.
func newInspectionForm(f *form, p grading.Protocol) *inspectionForm {
	in := &inspectionForm{Form: f, Category: p.Category, Parts: grading.PartNames,
		IMEIStatuses: []grading.IMEIStatus{grading.IMEIClean, grading.IMEIBlacklisted, grading.IMEIFinanced, grading.IMEIUnknown, grading.IMEINotApplicable},
		Grades:       []grading.Marketplace{grading.Premium, grading.Excellent, grading.Good, grading.Fair}}
	for _, t := range p.Tests {
		in.Tests = append(in.Tests, testRow{Code: t.Code, Label: label(t.Code), Severity: t.Severity, AllowNA: t.Severity == grading.Optional})
	}
	return in
}

// onInspectionForm reports whether a field of the domain's inspection is a field of the form.
func (in *inspectionForm) onForm(extra ...string) func(string) bool {
	return func(name string) bool {
		if code, ok := strings.CutPrefix(name, "functional."); ok {
			for _, t := range in.Tests {
				if t.Code == code {
					return true
				}
			}
			return false
		}
		for _, e := range extra {
			if name == e {
				return true
			}
		}
		return inspectionFields[name]
	}
}

// inspectionFields are the fields of the inspection part of every form.
var inspectionFields = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range []string{"device.category", "device.brand", "device.model", "device.imei", "device.serial",
		"device.storage_gb", "battery.health_pct", "battery.cycle_count", "battery.genuine",
		"compliance.activation_lock", "compliance.imei_status", "compliance.liquid_damage", "compliance.data_erased",
		"compliance.factory_reset", "compliance.os_up_to_date", "compliance.markings_intact",
		"compliance.display_like_for_like", "parts.non_genuine", "parts.disclosed"} {
		m[f] = true
	}
	for _, z := range []string{"screen", "body"} {
		for _, c := range []string{"light_scratches", "deep_scratches", "dents", "chips", "cracks", "visible_from_cm"} {
			m["cosmetic."+z+"."+c] = true
		}
	}
	return m
}()

// benchTestFields are the fields of a bench test around its inspection.
var benchTestFields = []string{"seller_id", "lab", "tested_at", "listed_grade", "external_id"}

// benchTestForm is GET /console/bench-tests/new: the first step, or, once the seller and the
// category are known (?seller_id=&category=), the form of that category's protocol.
func (c *Console) benchTestForm(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	q := r.URL.Query()
	sellerID, category := strings.TrimSpace(q.Get("seller_id")), q.Get("category")
	if q.Has("device.category") && category == "" {
		category = q.Get("device.category")
	}
	seller, p, f, err := c.chosen(r, s, sellerID, category)
	if err != nil {
		return err
	}
	if f != nil {
		return c.chooser(w, r, s, f, http.StatusOK)
	}
	v := url.Values{"seller_id": {seller.ID}, "device.category": {string(p.Category)},
		"tested_at": {inputTime(c.now())}}
	if lab := c.sessions(r).GetString(r.Context(), sessionLabKey); lab != "" {
		v.Set("lab", lab)
	}
	for _, z := range []string{"screen", "body"} {
		for _, n := range []string{"light_scratches", "deep_scratches", "dents", "chips", "cracks", "visible_from_cm"} {
			v.Set("cosmetic."+z+"."+n, "0")
		}
	}
	page := benchPage{Inspection: newInspectionForm(newForm(v), p), Seller: seller}
	return c.render(w, r, s, http.StatusOK, "benchtest_form", "New bench test", page)
}

// sessionLabKey remembers the lab of the technician's last saved bench test, to fill in the
// next form.
const sessionLabKey = "lab"

// chosen checks the seller and category of the first step. When either is missing or wrong,
// it returns the first step's form with the errors (and no error).
func (c *Console) chosen(r *http.Request, s *signedIn, sellerID, category string) (audit.Seller, grading.Protocol, *form, error) {
	f := newForm(url.Values{"seller_id": {sellerID}, "category": {category}})
	if sellerID == "" && category == "" {
		return audit.Seller{}, grading.Protocol{}, f, nil
	}
	var seller audit.Seller
	var err error
	if sellerID == "" {
		f.Errors["seller_id"] = "is required"
	} else if seller, err = c.svc.Seller(r.Context(), s.principal(), sellerID); errors.Is(err, audit.ErrNotFound) {
		f.Errors["seller_id"] = "no seller has this id"
	} else if err != nil {
		return audit.Seller{}, grading.Protocol{}, nil, err
	}
	p, perr := c.svc.Protocol(grading.Category(category))
	if perr != nil {
		f.Errors["category"] = "choose smartphone, tablet or laptop"
	}
	if f.HasErrors() {
		return audit.Seller{}, grading.Protocol{}, f, nil
	}
	return seller, p, nil, nil
}

func (c *Console) chooser(w http.ResponseWriter, r *http.Request, s *signedIn, f *form, status int) error {
	page := choosePage{Form: f, Categories: grading.Categories}
	sellers, next, err := c.svc.Sellers(r.Context(), s.principal(), audit.Page{Limit: maxSellerChoices})
	if err != nil {
		return err
	}
	if next == "" {
		page.Sellers = sellers
	}
	if f.HasErrors() {
		status = http.StatusUnprocessableEntity
	}
	return c.render(w, r, s, status, "benchtest_choose", "New bench test", page)
}

// createBenchTest is POST /console/bench-tests. Its action says what to do: save (store, then
// go to the new bench test; a lab id stored before goes to that bench test instead), preview
// (grade it, store nothing) or all_pass (set every test to pass, then preview).
func (c *Console) createBenchTest(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := r.ParseForm(); err != nil {
		return audit.Invalid([]grading.FieldError{{Field: "", Message: "the form could not be read"}})
	}
	v := r.PostForm
	seller, p, chooseForm, err := c.chosen(r, s, strings.TrimSpace(v.Get("seller_id")), v.Get("device.category"))
	if err != nil {
		return err
	}
	if chooseForm != nil {
		return c.chooser(w, r, s, chooseForm, http.StatusUnprocessableEntity)
	}
	page := benchPage{Inspection: newInspectionForm(newForm(v), p), Seller: seller}
	switch v.Get("action") {
	case "all_pass":
		for _, t := range p.Tests {
			v.Set("functional."+t.Code, string(grading.Pass))
		}
		page.Inspection.preview(c.svc)
		return c.render(w, r, s, http.StatusOK, "benchtest_form", "New bench test", page)
	case "preview":
		page.Inspection.preview(c.svc)
		status := http.StatusOK
		if page.Inspection.Form.HasErrors() {
			status = http.StatusUnprocessableEntity
		}
		return c.render(w, r, s, status, "benchtest_form", "New bench test", page)
	case "save":
	default:
		page.Inspection.Form.Other = []grading.FieldError{{Field: "action", Message: "choose Preview or Save"}}
		return c.render(w, r, s, http.StatusUnprocessableEntity, "benchtest_form", "New bench test", page)
	}
	in := benchTestInput(v)
	// The evidence kept beside the inspection is the document the form amounts to, in the
	// API's JSON: what a grade is defended against later, whichever adapter took it.
	if in.Value.Submitted, err = wire.EncodeInspection(in.Value.Inspection); err != nil {
		return err
	}
	rec, created, err := c.svc.RecordBenchTest(r.Context(), s.principal(), in)
	var ve *audit.ValidationError
	if errors.As(err, &ve) {
		page.Inspection.Form.setErrors(ve.Errors, "inspection.", page.Inspection.onForm(benchTestFields...))
		page.Inspection.preview(c.svc)
		return c.render(w, r, s, http.StatusUnprocessableEntity, "benchtest_form", "New bench test", page)
	}
	if err != nil {
		return err
	}
	c.sessions(r).Put(r.Context(), sessionLabKey, rec.Lab)
	to := "/console/bench-tests/" + rec.ID
	if !created {
		to += "?duplicate=1"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// preview grades the form as filled. Problems of the inspection that keep it from being
// graded are listed with the grade panel, and placed beside their fields unless the fields
// already have an error of their own.
func (page *inspectionForm) preview(svc *audit.Service) {
	g, err := svc.PreviewGrade(inspectionInput(page.Form.Values))
	var ve *audit.ValidationError
	switch {
	case errors.As(err, &ve):
		page.Missing = ve.Errors
		if !page.Form.HasErrors() {
			page.Form.setErrors(ve.Errors, "", page.onForm())
		}
	case err == nil:
		page.Grade = &g
	}
}

// previewBenchTest is POST /console/bench-tests/preview, the live preview of the script: the
// grade panel of the form as filled, as an HTML fragment that replaces the panel. It stores
// nothing.
func (c *Console) previewBenchTest(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := r.ParseForm(); err != nil {
		return audit.Invalid([]grading.FieldError{{Field: "", Message: "the form could not be read"}})
	}
	p, err := c.svc.Protocol(grading.Category(r.PostForm.Get("device.category")))
	if err != nil {
		return audit.Invalid([]grading.FieldError{{Field: "device.category", Message: "choose smartphone, tablet or laptop"}})
	}
	page := newInspectionForm(newForm(r.PostForm), p)
	page.preview(c.svc)
	return c.fragment(w, r, "grade", page)
}

// benchTestView is the page of one bench test.
type benchTestView struct {
	Rec       audit.BenchTestRecord
	Seller    audit.Seller
	Tests     []testResult
	Duplicate bool
}

// testResult is the outcome of one protocol test on a stored inspection.
type testResult struct {
	testRow
	Outcome grading.Outcome
}

// results lists every test of the protocol of in with its outcome (not tested when absent).
func results(p grading.Protocol, in grading.Inspection) []testResult {
	out := make([]testResult, 0, len(p.Tests))
	for _, t := range p.Tests {
		o, ok := in.Functional[t.Code]
		if !ok {
			o = grading.NotTested
		}
		out = append(out, testResult{testRow: testRow{Code: t.Code, Label: label(t.Code), Severity: t.Severity}, Outcome: o})
	}
	return out
}

// benchTest is GET /console/bench-tests/{id}: one bench test, its grade and every reason.
func (c *Console) benchTest(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	rec, err := c.svc.BenchTest(r.Context(), s.principal(), r.PathValue("id"))
	if err != nil {
		return err
	}
	seller, err := c.svc.Seller(r.Context(), s.principal(), rec.SellerID)
	if err != nil {
		return err
	}
	p, _ := c.svc.Protocol(rec.Inspection.Device.Category)
	v := benchTestView{Rec: rec, Seller: seller, Tests: results(p, rec.Inspection), Duplicate: r.URL.Query().Has("duplicate")}
	return c.render(w, r, s, http.StatusOK, "benchtest", "Bench test "+rec.ID, v)
}
