package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// What the two inspection records of the technician, bench tests and mystery orders, share at
// the console (console.md, Technician): the first step that chooses the seller and the
// category, a form built from that category's protocol whose grade is shown as it is filled
// (by the script, from previewBenchTest) and on the Preview button without it, the save with
// every refusal beside its field, and corrections that start from the stored record.

// recordKind is what differs between the two records on their shared pages.
type recordKind struct {
	// Name is what a person calls a record of the kind.
	Name string
	// Path is the address of the kind's pages: Path/new, Path/{id}, Path/{id}/correct.
	Path string
	// template is the form's page.
	template string
	// fields are the record's own form fields around its inspection, where the domain's
	// errors of those fields are placed.
	fields []string
}

// The two kinds of inspection record.
var (
	benchTests = recordKind{Name: "bench test", Path: "/console/bench-tests", template: "benchtest_form",
		fields: []string{"seller_id", "lab", "tested_at", "listed_grade", "external_id"}}
	mysteryOrders = recordKind{Name: "mystery order", Path: "/console/mystery-orders", template: "mysteryorder_form",
		fields: []string{"seller_id", "order_ref", "ordered_at", "shipped_at", "delivered_at", "listed_grade",
			"logistics.packaging_adequate", "logistics.transit_damage", "logistics.charge_on_arrival_pct",
			"logistics.cable_included", "logistics.charger_as_listed", "identity_matches_listing",
			"service_probe.question_sent_at", "service_probe.answered_at"}}
)

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

// formPage is the page of a record's form: a new record, or the correction of a stored one.
type formPage struct {
	Kind       recordKind
	Inspection *inspectionForm
	Seller     audit.Seller
	// Corrects is the id of the record that a correction corrects; empty for a new record.
	Corrects string
	// conflictAt is the field of a conflict the person can fix on the form (a mystery order's
	// order_ref the seller already used); empty when a conflict is the problem page's.
	conflictAt, conflictMessage string
}

// Action is where the form posts.
func (p *formPage) Action() string {
	if p.Corrects != "" {
		return p.Kind.Path + "/" + p.Corrects + "/corrections"
	}
	return p.Kind.Path
}

// Title is the page's title and heading.
func (p *formPage) Title() string {
	if p.Corrects != "" {
		return "Correct " + p.Kind.Name + " " + p.Corrects
	}
	return "New " + p.Kind.Name
}

// choosePage is the first step: the seller and the category.
type choosePage struct {
	Kind       recordKind
	Form       *form
	Sellers    []audit.Seller // every seller when there are few enough for a list; else none
	Categories []grading.Category
}

// maxSellerChoices is the most sellers offered as a list; with more, the technician types the
// seller's id (the page must stay small on a marketplace of thousands).
const maxSellerChoices = 200

func label(code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	s := strings.ReplaceAll(code, "_", " ")
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// labels are the names in words of the codes whose words are not just the code's: initialisms
// and brand spellings.
var labels = map[string]string{
	"wifi": "Wi-Fi", "gps": "GPS", "nfc": "NFC", "sim_reader": "SIM reader", "usb_ports": "USB ports",
	"imei": "IMEI", "os_up_to_date": "OS up to date",
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

// onForm reports whether a field of the domain's inspection, or one of extra, is a field of
// the form.
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
		for _, c := range zoneCounts {
			m["cosmetic."+z+"."+c] = true
		}
	}
	return m
}()

// zoneCounts are the fields of a cosmetic zone.
var zoneCounts = []string{"light_scratches", "deep_scratches", "dents", "chips", "cracks", "visible_from_cm"}

// newRecordValues are the values a new record's form starts from: its seller and category,
// and no cosmetic mark.
func newRecordValues(seller audit.Seller, p grading.Protocol) url.Values {
	v := url.Values{"seller_id": {seller.ID}, "device.category": {string(p.Category)}}
	for _, z := range []string{"screen", "body"} {
		for _, n := range zoneCounts {
			v.Set("cosmetic."+z+"."+n, "0")
		}
	}
	return v
}

// newRecordForm is GET Path/new of kind: the first step, or, once the seller and the category
// are known (?seller_id=&category=), the form of that category's protocol, filled in from
// defaults.
func (c *Console) newRecordForm(w http.ResponseWriter, r *http.Request, s *signedIn, kind recordKind, defaults func(url.Values)) error {
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
		return c.chooser(w, r, s, kind, f, http.StatusOK)
	}
	v := newRecordValues(seller, p)
	defaults(v)
	page := &formPage{Kind: kind, Inspection: newInspectionForm(newForm(v), p), Seller: seller}
	return c.renderForm(w, r, s, http.StatusOK, page)
}

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

// choices is the first step of kind with a blank form, for a page that offers it (home).
func (c *Console) choices(r *http.Request, s *signedIn, kind recordKind, f *form) (*choosePage, error) {
	page := &choosePage{Kind: kind, Form: f, Categories: grading.Categories}
	var err error
	if page.Sellers, err = c.sellerChoices(r, s); err != nil {
		return nil, err
	}
	return page, nil
}

// sellerChoices is every seller when there are at most maxSellerChoices, for a seller field
// offered as a list, and none when there are more: the field is then typed (the "seller-field"
// partial draws either).
func (c *Console) sellerChoices(r *http.Request, s *signedIn) ([]audit.Seller, error) {
	sellers, next, err := c.svc.Sellers(r.Context(), s.principal(), audit.Page{Limit: maxSellerChoices})
	if err != nil || next != "" {
		return nil, err
	}
	return sellers, nil
}

// chooser renders the first step of kind.
func (c *Console) chooser(w http.ResponseWriter, r *http.Request, s *signedIn, kind recordKind, f *form, status int) error {
	page, err := c.choices(r, s, kind, f)
	if err != nil {
		return err
	}
	if f.HasErrors() {
		status = http.StatusUnprocessableEntity
	}
	return c.render(w, r, s, status, "choose", "New "+kind.Name, page)
}

// postedForm reads a posted record form of kind: its values, the seller and the protocol of
// the category it names. When either is wrong, the first step is rendered with the errors and
// the returned page is nil.
func (c *Console) postedForm(w http.ResponseWriter, r *http.Request, s *signedIn, kind recordKind) (*formPage, error) {
	if err := r.ParseForm(); err != nil {
		return nil, audit.Invalid([]grading.FieldError{{Field: "", Message: "the form could not be read"}})
	}
	v := r.PostForm
	seller, p, chooseForm, err := c.chosen(r, s, strings.TrimSpace(v.Get("seller_id")), v.Get("device.category"))
	if err != nil {
		return nil, err
	}
	if chooseForm != nil {
		return nil, c.chooser(w, r, s, kind, chooseForm, http.StatusUnprocessableEntity)
	}
	return &formPage{Kind: kind, Inspection: newInspectionForm(newForm(v), p), Seller: seller}, nil
}

// submit does what the action of a posted record form says: save (call save, then go to the
// page it names), preview (grade it, store nothing) or all_pass (set every test to pass, then
// preview). A refusal of the domain comes back as the form, every value kept and every error
// beside its field.
func (c *Console) submit(w http.ResponseWriter, r *http.Request, s *signedIn, page *formPage, save func(url.Values) (string, error)) error {
	in := page.Inspection
	v := in.Form.Values
	switch v.Get("action") {
	case "all_pass":
		for _, t := range in.Tests {
			v.Set("functional."+t.Code, string(grading.Pass))
		}
		in.preview(c.svc)
		return c.renderForm(w, r, s, http.StatusOK, page)
	case "preview":
		in.preview(c.svc)
		status := http.StatusOK
		if in.Form.HasErrors() {
			status = http.StatusUnprocessableEntity
		}
		return c.renderForm(w, r, s, status, page)
	case "save":
	default:
		in.Form.Other = []grading.FieldError{{Field: "action", Message: "choose Preview or Save"}}
		return c.renderForm(w, r, s, http.StatusUnprocessableEntity, page)
	}
	to, err := save(v)
	var ve *audit.ValidationError
	switch {
	case errors.As(err, &ve):
		in.Form.setErrors(ve.Errors, "inspection.", in.onForm(page.Kind.fields...))
		in.preview(c.svc)
		return c.renderForm(w, r, s, http.StatusUnprocessableEntity, page)
	case page.conflictAt != "" && errors.Is(err, audit.ErrConflict):
		in.Form.Errors[page.conflictAt] = page.conflictMessage
		in.preview(c.svc)
		return c.renderForm(w, r, s, http.StatusConflict, page)
	case err != nil:
		return err
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (c *Console) renderForm(w http.ResponseWriter, r *http.Request, s *signedIn, status int, page *formPage) error {
	return c.render(w, r, s, status, page.Kind.template, page.Title(), page)
}

// preview grades the form as filled. Problems of the inspection that keep it from being
// graded are listed with the grade panel, and placed beside their fields unless the fields
// already have an error of their own.
func (in *inspectionForm) preview(svc *audit.Service) {
	g, err := svc.PreviewGrade(inspectionInput(in.Form.Values))
	var ve *audit.ValidationError
	switch {
	case errors.As(err, &ve):
		in.Missing = ve.Errors
		if !in.Form.HasErrors() {
			in.Form.setErrors(ve.Errors, "", in.onForm())
		}
	case err == nil:
		in.Grade = &g
	}
}

// previewBenchTest is POST /console/bench-tests/preview, the live preview of the script on
// every inspection form (a mystery order's too: the same inspection): the grade panel of the
// form as filled, as an HTML fragment that replaces the panel. It stores nothing.
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

// storedRecord is what the correction pages need of a stored record of either kind: who and
// what it inspected, whether it was corrected already, and every value of it for the form.
type storedRecord struct {
	ID, SellerID, SupersededBy string
	Category                   grading.Category
	Values                     url.Values
}

// loadRecord reads the stored record id of a kind, as the principal of s may see it.
type loadRecord func(r *http.Request, s *signedIn, id string) (storedRecord, error)

// saveCorrection stores the correction, the values v, of the stored record id of a kind and
// answers the correction's id.
type saveCorrection func(r *http.Request, s *signedIn, id string, v url.Values) (string, error)

// correctionForm is GET kind.Path/{id}/correct: the form filled with every value of the stored
// record.
func (c *Console) correctionForm(kind recordKind, load loadRecord) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *signedIn) error {
		rec, err := load(r, s, r.PathValue("id"))
		if err != nil {
			return err
		}
		page, err := c.correction(r, s, kind, rec, rec.Values)
		if err != nil {
			return err
		}
		return c.renderForm(w, r, s, http.StatusOK, page)
	}
}

// correct is POST kind.Path/{id}/corrections: save stores the correction of the stored record
// with the posted values, and the page goes to it.
func (c *Console) correct(kind recordKind, load loadRecord, save saveCorrection) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *signedIn) error {
		rec, err := load(r, s, r.PathValue("id"))
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return audit.Invalid([]grading.FieldError{{Field: "", Message: "the form could not be read"}})
		}
		page, err := c.correction(r, s, kind, rec, r.PostForm)
		if err != nil {
			return err
		}
		return c.submit(w, r, s, page, func(v url.Values) (string, error) {
			id, err := save(r, s, rec.ID, v)
			if err != nil {
				return "", err
			}
			return kind.Path + "/" + id, nil
		})
	}
}

// correction is the form page of a correction of the stored record rec of kind: the form of the
// protocol of the record's category, filled with v (every value of the stored record, or the
// values posted). A record already corrected is not corrected again: the answer is the
// service's refusal, naming the correction to correct instead (409), before anything is
// filled in, as the service itself refuses it when the correction is saved.
func (c *Console) correction(r *http.Request, s *signedIn, kind recordKind, rec storedRecord, v url.Values) (*formPage, error) {
	if rec.SupersededBy != "" {
		return nil, audit.AlreadyCorrected(kind.Name, rec.ID, rec.SupersededBy)
	}
	seller, err := c.svc.Seller(r.Context(), s.principal(), rec.SellerID)
	if err != nil {
		return nil, err
	}
	p, err := c.svc.Protocol(rec.Category)
	if err != nil {
		return nil, err
	}
	return &formPage{Kind: kind, Inspection: newInspectionForm(newForm(v), p), Seller: seller, Corrects: rec.ID}, nil
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
