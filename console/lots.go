package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/sampling"
)

// Lot inspection by sampling (console.md, Technician → Lots; lots.md): the list of lots with
// its filters and the form that creates a lot, and a lot's page with its plan, its sample
// positions, each class's count against its acceptance and rejection numbers, the decision,
// the samples, the form that adds the next one while the lot is undecided, and the state of
// its stream, which a manager resumes when it is discontinued. Who sees which lot is the
// service's decision: a seller its own decided device lots only, any other being not found,
// exactly as in the API.

// Page sizes of the lot pages.
const (
	lotsPageSize    = 50
	sellerLotsPage  = 25  // a seller's lots on the managers' seller page
	samplesPageSize = 100 // a lot's samples on its page
	// benchCandidates is how many of the seller's newest bench tests are read for the sample
	// form's suggestions, maxCandidates how many of them are offered.
	benchCandidates  = 100
	maxCandidates    = 50
	listedCandidates = 10 // of them, in the table beside the field
	// defectRows is the number of defect rows a parts sample form starts with; moreRows the
	// number each "More defect rows" adds, up to maxDefectRows (the domain's limit).
	defectRows    = 3
	moreRows      = 3
	maxDefectRows = 100
)

// The choices of the lot forms, in the order the standard lists them.
var (
	lotKinds     = []audit.LotKind{audit.LotDevices, audit.LotParts}
	lotDecisions = []sampling.Decision{sampling.Pending, sampling.Accepted, sampling.Rejected}
	lotLevels    = []sampling.Level{sampling.LevelI, sampling.LevelII, sampling.LevelIII}
	lotAQLs      = []string{"0.65", "1.0", "1.5", "2.5", "4.0", "6.5"}
	lotGrades    = []grading.Marketplace{grading.Premium, grading.Excellent, grading.Good, grading.Fair}
)

// lotFields are the fields of the create-lot form, where the domain's errors are placed.
var lotFields = []string{"kind", "lot_ref", "lot_size", "inspection_level", "aql.major", "aql.minor",
	"seller_id", "listed_grade", "supplier", "part_type", "received_at"}

// lotRow is a lot of a list with the name of its seller (device lots).
type lotRow struct {
	audit.Lot
	SellerName string
}

// lotsPage is a page of the list of lots, its filter and, for the staff, the form that creates
// a lot.
type lotsPage struct {
	Filter    *form
	Kinds     []string
	Decisions []string
	// Staff says whether the filter offers kind, seller and supplier (a seller's list is its
	// own decided device lots).
	Staff   bool
	Sellers []audit.Seller // the seller field's choices, nil when there are too many to list
	// SellerPages says whether seller names link to the managers' seller pages.
	SellerPages bool
	Rows        []lotRow
	Next, First string
	Later       bool
	// New is the create-lot form, nil when the person may not create lots.
	New *newLotForm
}

// newLotForm is the form that creates a lot, with the choices of its lists.
type newLotForm struct {
	Form      *form
	Sellers   []audit.Seller
	Levels    []string
	AQLs      []string
	Grades    []string
	PartTypes []string
}

// texts are the values of a list of choices as the form sends them.
func texts[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// lots is GET /console/lots?kind=&seller_id=&supplier=&decision=&decided=&cursor=: the lots
// the person may see, newest first, 50 a page (decided: the month, YYYY-MM, in which they were
// decided), and for the staff the form that creates a lot.
func (c *Console) lots(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	page, status, err := c.lotsPage(r, s)
	if err != nil {
		return err
	}
	if page.New != nil {
		page.New.Form = newForm(url.Values{"inspection_level": {string(sampling.DefaultLevel)},
			"aql.major": {sampling.DefaultAQLs().Major.String()}, "aql.minor": {sampling.DefaultAQLs().Minor.String()},
			"received_at": {inputTime(c.now())}})
	}
	return c.render(w, r, s, status, "lots", "Lots", page)
}

// lotsPage reads the list of lots of the request's filter; a filter the domain cannot read
// comes back with its errors beside its fields and status 422.
func (c *Console) lotsPage(r *http.Request, s *signedIn) (*lotsPage, int, error) {
	staff := s.User.Role != audit.RoleSeller
	names := []string{"decision", "decided", "cursor"}
	if staff {
		names = append(names, "kind", "seller_id", "supplier")
	}
	q := listParams(r.URL.Query(), names...)
	filter := listParams(q, "kind", "seller_id", "supplier", "decision", "decided")
	page := &lotsPage{Filter: newForm(filter), Kinds: texts(lotKinds), Decisions: texts(lotDecisions), Staff: staff,
		SellerPages: managerPages(s), Later: q.Get("cursor") != ""}
	page.Filter.idPrefix = "filter-"
	if !staff {
		page.Decisions = texts([]sampling.Decision{sampling.Accepted, sampling.Rejected})
	}
	if enc := filter.Encode(); enc != "" {
		page.First = "/console/lots?" + enc
	} else {
		page.First = "/console/lots"
	}
	if staff {
		var err error
		if page.Sellers, err = c.sellerChoices(r, s); err != nil {
			return nil, 0, err
		}
	}
	if c.may(s, "POST /console/lots") {
		page.New = &newLotForm{Sellers: page.Sellers, Levels: texts(lotLevels), AQLs: lotAQLs,
			Grades: texts(lotGrades), PartTypes: texts(audit.PartTypes)}
	}
	f, problems := lotFilter(filter)
	if len(problems) > 0 {
		page.Filter.setErrors(problems, "", func(string) bool { return true })
		return page, http.StatusUnprocessableEntity, nil
	}
	items, next, err := c.svc.Lots(r.Context(), s.principal(), f, audit.Page{Limit: lotsPageSize, Cursor: q.Get("cursor")})
	var ve *audit.ValidationError
	if errors.As(err, &ve) {
		page.Filter.setErrors(ve.Errors, "", func(name string) bool { return filter.Has(name) })
		return page, http.StatusUnprocessableEntity, nil
	}
	if err != nil {
		return nil, 0, err
	}
	if next != "" {
		page.Next = pageURL("/console/lots", filter, "cursor", next)
	}
	if page.Rows, err = c.lotRows(r, s, items); err != nil {
		return nil, 0, err
	}
	return page, http.StatusOK, nil
}

// lotFilter reads the list's filter, with a problem at every field it cannot read.
func lotFilter(v url.Values) (audit.LotFilter, []grading.FieldError) {
	f := audit.LotFilter{Kind: audit.LotKind(v.Get("kind")), SellerID: v.Get("seller_id"), Supplier: v.Get("supplier"),
		Decision: sampling.Decision(v.Get("decision")), NewestFirst: true}
	var problems []grading.FieldError
	if f.Kind != "" && !f.Kind.Valid() {
		problems = append(problems, grading.FieldError{Field: "kind", Message: "must be devices or parts"})
	}
	if f.Decision != "" && !slices.Contains(lotDecisions, f.Decision) {
		problems = append(problems, grading.FieldError{Field: "decision", Message: "must be pending, accepted or rejected"})
	}
	if m := v.Get("decided"); m != "" {
		start, err := time.Parse("2006-01", m)
		if err != nil {
			problems = append(problems, grading.FieldError{Field: "decided", Message: "must be a month such as 2026-03"})
		} else {
			f.DecidedFrom, f.DecidedTo = start, start.AddDate(0, 1, 0)
		}
	}
	for _, name := range []string{"seller_id", "supplier"} {
		if msg := audit.TextProblem(v.Get(name), false); msg != "" {
			problems = append(problems, grading.FieldError{Field: name, Message: msg})
		}
	}
	return f, problems
}

// lotRows are lots with the names of their sellers.
func (c *Console) lotRows(r *http.Request, s *signedIn, lots []audit.Lot) ([]lotRow, error) {
	names := map[string]string{}
	rows := make([]lotRow, len(lots))
	for i, l := range lots {
		rows[i].Lot = l
		if l.SellerID == "" {
			continue
		}
		name, ok := names[l.SellerID]
		if !ok {
			seller, err := c.svc.Seller(r.Context(), s.principal(), l.SellerID)
			if err != nil {
				return nil, err
			}
			name, names[l.SellerID] = seller.Name, seller.Name
		}
		rows[i].SellerName = name
	}
	return rows, nil
}

// lotInput reads a create-lot form into the lot the service creates, with every problem
// reading it found at its field.
func lotInput(v url.Values) audit.Input[audit.NewLot] {
	r := &reader{v: v}
	n := audit.NewLot{Kind: audit.LotKind(r.text("kind")), LotRef: r.text("lot_ref"),
		Level: sampling.Level(r.text("inspection_level")), SellerID: r.text("seller_id"),
		ListedGrade: grading.Marketplace(r.text("listed_grade")), Supplier: r.text("supplier"),
		PartType: audit.PartType(r.text("part_type"))}
	n.LotSize, _ = r.integer("lot_size", true)
	for _, a := range []struct {
		name string
		dst  **float64
	}{{"aql.major", &n.AQLMajor}, {"aql.minor", &n.AQLMinor}} {
		if r.text(a.name) == "" {
			continue // the default
		}
		p := r.number(a.name)
		*a.dst = &p
	}
	n.ReceivedAt, _ = r.timestamp("received_at", true)
	return audit.Input[audit.NewLot]{Value: n, Problems: r.problems}
}

// createLot is POST /console/lots: the lot is created on its stream and the person goes to
// its page (303) to pull its samples. A refusal comes back on the list with every value kept
// and each error beside its field: a lot_ref the stream has already at lot_ref, a stream that
// is discontinued above the form.
func (c *Console) createLot(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := r.ParseForm(); err != nil {
		return audit.Invalid([]grading.FieldError{{Field: "", Message: "the form could not be read"}})
	}
	l, err := c.svc.CreateLot(r.Context(), s.principal(), lotInput(r.PostForm))
	var ve *audit.ValidationError
	switch {
	case err == nil:
		c.flash(r, "The lot was created: pull the items at its sample positions and add them as samples.")
		http.Redirect(w, r, "/console/lots/"+l.ID, http.StatusSeeOther)
		return nil
	case !errors.As(err, &ve) && !errors.Is(err, audit.ErrConflict):
		return err
	}
	page, _, perr := c.lotsPage(r, s)
	if perr != nil {
		return perr
	}
	page.New.Form = newForm(r.PostForm)
	f := page.New.Form
	if ve != nil {
		f.setErrors(ve.Errors, "", func(name string) bool { return slices.Contains(lotFields, name) })
		return c.render(w, r, s, http.StatusUnprocessableEntity, "lots", "Lots", page)
	}
	discontinued, derr := c.discontinued(r, s, lotInput(r.PostForm).Value)
	if derr != nil {
		return derr
	}
	if discontinued {
		f.Other = []grading.FieldError{{Message: "This stream is discontinued: it takes no new lot until a quality manager resumes it from the page of one of its lots."}}
	} else {
		f.Errors["lot_ref"] = "this stream has a lot with this reference already"
	}
	return c.render(w, r, s, http.StatusConflict, "lots", "Lots", page)
}

// discontinued reports whether the stream the new lot n would join is discontinued, which is
// the one conflict of a new lot other than its lot_ref.
func (c *Console) discontinued(r *http.Request, s *signedIn, n audit.NewLot) (bool, error) {
	st, err := c.streamOf(r, s, n.Kind, n.SellerID, n.Supplier, func(st audit.LotStream) bool {
		return n.Kind == audit.LotDevices || st.PartType == n.PartType
	})
	if err != nil || st == nil {
		return false, err
	}
	return st.Stream.Current() == sampling.StateDiscontinued, nil
}

// streamOf is the stream of a source that match keeps (a supplier has one per part type), nil
// when there is none.
func (c *Console) streamOf(r *http.Request, s *signedIn, kind audit.LotKind, sellerID, supplier string, match func(audit.LotStream) bool) (*audit.LotStream, error) {
	f := audit.LotStreamFilter{Kind: kind, SellerID: sellerID, Supplier: supplier}
	if kind == audit.LotDevices {
		f.Supplier = ""
	} else {
		f.SellerID = ""
	}
	p := audit.Page{Limit: len(audit.PartTypes) + 1}
	for {
		streams, next, err := c.svc.LotStreams(r.Context(), s.principal(), f, p)
		if err != nil {
			return nil, err
		}
		for i := range streams {
			if match(streams[i]) {
				return &streams[i], nil
			}
		}
		if next == "" {
			return nil, nil
		}
		p.Cursor = next
	}
}

// classRow is one class of nonconformity of a lot as its page shows it.
type classRow struct {
	Class sampling.Class
	audit.LotClass
}

// sampleRow is one sample of a lot with the classes it is nonconforming in, in words.
type sampleRow struct {
	audit.LotSample
	Classes []sampling.Class
}

// candidate is a bench test of the lot's seller that may be added as a sample, with how it
// would count.
type candidate struct {
	audit.BenchTestRecord
	Classes []sampling.Class
}

// defectRow is one row of a parts sample form.
type defectRow struct {
	Class, Code, Note string // the field names
}

// lotPage is the page of one lot.
type lotPage struct {
	Lot         audit.Lot
	Seller      *audit.Seller
	SellerPages bool
	Classes     []classRow
	// Positions are the sample positions, in order; Done is how many samples are in.
	Positions []int
	Samples   []sampleRow
	// SamplesNext and SamplesFirst page the samples.
	SamplesNext, SamplesFirst string
	// Stream is the lot's stream, nil for a person who may not read streams (sellers).
	Stream *audit.LotStream
	// Resume is the manager's form that resumes a discontinued stream, nil otherwise.
	Resume *form
	// Sample is the form of the next sample, nil when the lot takes none or the person may not
	// add one; Candidates the seller's bench tests it suggests (device lots), Rows its defect
	// rows (parts lots).
	Sample     *form
	Candidates []candidate
	// Listed are the first of Candidates, shown in a table beside the field.
	Listed []candidate
	Rows   []defectRow
	// BenchTests says whether bench test ids link to their pages.
	BenchTests bool
	// Conflict is why the sample just sent was refused when no field is to blame (the lot was
	// decided or completed meanwhile).
	Conflict string
}

// Discontinued reports whether the lot's stream takes no new lot.
func (p *lotPage) Discontinued() bool {
	return p.Stream != nil && p.Stream.Stream.Current() == sampling.StateDiscontinued
}

// Next is the number of the next sample.
func (p *lotPage) Next() int { return p.Lot.Tally.Received + 1 }

// lot is GET /console/lots/{id}?samples=: the lot, its plan, its samples a page at a time, and
// the forms its reader may send.
func (c *Console) lot(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	page, err := c.lotPage(r, s, r.PathValue("id"), nil, nil)
	if err != nil {
		return err
	}
	return c.renderLot(w, r, s, http.StatusOK, page)
}

// lotPage reads lot id as s may see it with its samples (the page ?samples= names) and its
// stream; sample and resume are the forms as sent, nil for fresh ones.
func (c *Console) lotPage(r *http.Request, s *signedIn, id string, sample, resume *form) (*lotPage, error) {
	ctx, by := r.Context(), s.principal()
	l, err := c.svc.Lot(ctx, by, id)
	if err != nil {
		return nil, err
	}
	page := &lotPage{Lot: l, SellerPages: managerPages(s), Positions: l.Positions,
		BenchTests: c.may(s, "GET /console/bench-tests/{id}")}
	for _, cl := range sampling.Classes() {
		page.Classes = append(page.Classes, classRow{Class: cl, LotClass: l.Class(cl)})
	}
	if l.SellerID != "" {
		seller, err := c.svc.Seller(ctx, by, l.SellerID)
		if err != nil {
			return nil, err
		}
		page.Seller = &seller
	}
	cursor := r.URL.Query().Get("samples")
	samples, next, err := c.svc.LotSamples(ctx, by, id, audit.Page{Limit: samplesPageSize, Cursor: cursor})
	if err != nil {
		return nil, err
	}
	for _, smp := range samples {
		page.Samples = append(page.Samples, sampleRow{LotSample: smp, Classes: unitClasses(smp.Unit)})
	}
	base := "/console/lots/" + id
	if next != "" {
		page.SamplesNext = base + "?samples=" + queryEscape(next) + "#samples"
	}
	if cursor != "" {
		page.SamplesFirst = base + "#samples"
	}
	if s.User.Role != audit.RoleSeller {
		if page.Stream, err = c.streamOf(r, s, l.Kind, l.SellerID, l.Supplier, func(st audit.LotStream) bool {
			return st.ID == l.StreamID
		}); err != nil {
			return nil, err
		}
	}
	if page.Discontinued() && c.may(s, "POST /console/lots/{id}/stream/resume") {
		page.Resume = resume
		if page.Resume == nil {
			page.Resume = newForm(nil)
		}
	}
	if !l.Decided() && l.Tally.Received < l.Plan.SampleSize && c.may(s, "POST /console/lots/{id}/samples") {
		page.Sample = sample
		if page.Sample == nil {
			page.Sample = newForm(nil)
		}
		if l.Kind == audit.LotDevices {
			if page.Candidates, err = c.candidates(r, s, l); err != nil {
				return nil, err
			}
			page.Listed = page.Candidates[:min(len(page.Candidates), listedCandidates)]
		} else {
			page.Rows = defectRowsOf(page.Sample.Values)
		}
	}
	return page, nil
}

func (c *Console) renderLot(w http.ResponseWriter, r *http.Request, s *signedIn, status int, page *lotPage) error {
	return c.render(w, r, s, status, "lot", "Lot "+page.Lot.LotRef, page)
}

// unitClasses are the classes a sampled unit is nonconforming in, gravest first.
func unitClasses(u sampling.Unit) []sampling.Class {
	var out []sampling.Class
	for _, cl := range sampling.Classes() {
		if u.Nonconforming(cl) {
			out = append(out, cl)
		}
	}
	return out
}

// candidates are the newest bench tests of the seller of device lot l that it may take as a
// sample: in force (not corrected), judgeable (not incomplete), and not among its samples
// already; each with the classes it would be nonconforming in under the lot's listed grade.
func (c *Console) candidates(r *http.Request, s *signedIn, l audit.Lot) ([]candidate, error) {
	ctx, by := r.Context(), s.principal()
	taken := map[string]bool{}
	samples, err := audit.All(func(p audit.Page) ([]audit.LotSample, string, error) {
		return c.svc.LotSamples(ctx, by, l.ID, p)
	})
	if err != nil {
		return nil, err
	}
	for _, smp := range samples {
		taken[smp.BenchTestID] = true
	}
	tests, _, err := c.svc.BenchTests(ctx, by, audit.BenchTestFilter{SellerID: l.SellerID, NewestFirst: true},
		audit.Page{Limit: benchCandidates})
	if err != nil {
		return nil, err
	}
	var out []candidate
	for _, bt := range tests {
		u, ok := sampling.JudgeDevice(bt.Grade, l.ListedGrade)
		if !ok || bt.SupersededBy != "" || taken[bt.ID] {
			continue
		}
		out = append(out, candidate{BenchTestRecord: bt, Classes: unitClasses(u)})
		if len(out) == maxCandidates {
			break
		}
	}
	return out, nil
}

// defectField is the form field of row i of a parts sample form ("defects.2.code"), which is
// also where the domain places the errors of the defect at index 2.
func defectField(i int, name string) string { return "defects." + strconv.Itoa(i) + "." + name }

// defectRowsOf are the defect rows of a parts sample form as sent: as many as the form had
// ("defect_rows", at least defectRows), and more when the person asked for more.
func defectRowsOf(v url.Values) []defectRow {
	n, err := strconv.Atoi(v.Get("defect_rows"))
	if err != nil || n < defectRows {
		n = defectRows
	}
	if v.Get("action") == "more" {
		n += moreRows
	}
	n = min(n, maxDefectRows)
	rows := make([]defectRow, n)
	for i := range rows {
		rows[i] = defectRow{Class: defectField(i, "class"), Code: defectField(i, "code"), Note: defectField(i, "note")}
	}
	return rows
}

// sampleInput reads a sample form of a lot of kind into the sample the service adds. A parts
// form's empty defect rows are left out (none filled: a conforming part); at returns the row of
// each defect, so that an error of the defect at index k goes beside row at[k].
func sampleInput(kind audit.LotKind, v url.Values) (in audit.Input[audit.NewLotSample], at []int) {
	r := &reader{v: v}
	if kind == audit.LotDevices {
		in.Value.BenchTestID = r.text("bench_test_id")
		return in, nil
	}
	in.Value.Serial = r.text("serial")
	in.Value.Defects = []audit.Defect{}
	for i := range defectRowsOf(url.Values{"defect_rows": {v.Get("defect_rows")}}) {
		d := audit.Defect{Class: sampling.Class(r.text(defectField(i, "class"))), Code: r.text(defectField(i, "code")),
			Note: multiline(strings.TrimSpace(v.Get(defectField(i, "note"))))}
		if d.Class == "" && d.Code == "" && d.Note == "" {
			continue
		}
		in.Value.Defects = append(in.Value.Defects, d)
		at = append(at, i)
	}
	in.Problems = r.problems
	return in, at
}

// onRows moves the errors of the defects at their index in the sample (defects.k.code) to
// their row of the form (defects.at[k].code).
func onRows(errs []grading.FieldError, at []int) []grading.FieldError {
	out := make([]grading.FieldError, len(errs))
	for i, e := range errs {
		out[i] = e
		rest, ok := strings.CutPrefix(e.Field, "defects.")
		if !ok {
			continue
		}
		k, field, ok := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(k); ok && err == nil && n >= 0 && n < len(at) {
			out[i].Field = defectField(at[n], field)
		}
	}
	return out
}

// addLotSample is POST /console/lots/{id}/samples: the next sample of the lot (a bench test of
// its seller, or a part with its defects), then its page again (303) with the new count and,
// once decided, the decision. "More defect rows" (action=more) gives a parts form more rows
// and stores nothing. A refusal comes back on the lot's page with the values kept and each
// error beside its field; a bench test sampled in another lot already is said at its field.
func (c *Console) addLotSample(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := r.ParseForm(); err != nil {
		return audit.Invalid([]grading.FieldError{{Field: "", Message: "the form could not be read"}})
	}
	id := r.PathValue("id")
	l, err := c.svc.Lot(r.Context(), s.principal(), id)
	if err != nil {
		return err
	}
	sent := newForm(r.PostForm)
	if l.Kind == audit.LotParts && r.PostForm.Get("action") == "more" {
		sent.Values.Set("defect_rows", strconv.Itoa(len(defectRowsOf(r.PostForm))))
		sent.Values.Del("action")
		page, err := c.lotPage(r, s, id, sent, nil)
		if err != nil {
			return err
		}
		return c.renderLot(w, r, s, http.StatusOK, page)
	}
	in, at := sampleInput(l.Kind, r.PostForm)
	after, sample, err := c.svc.AddLotSample(r.Context(), s.principal(), id, in)
	var ve *audit.ValidationError
	switch {
	case err == nil:
		msg := fmt.Sprintf("Sample %d was added.", sample.Number)
		if after.Decided() {
			msg += " The lot is decided: " + string(after.Decision) + "."
		}
		c.flash(r, msg)
		http.Redirect(w, r, "/console/lots/"+id, http.StatusSeeOther)
		return nil
	case errors.As(err, &ve):
		sent.setErrors(onRows(ve.Errors, at), "", func(name string) bool {
			return name == "bench_test_id" || name == "serial" || name == "defects" || strings.HasPrefix(name, "defects.")
		})
		page, perr := c.lotPage(r, s, id, sent, nil)
		if perr != nil {
			return perr
		}
		return c.renderLot(w, r, s, http.StatusUnprocessableEntity, page)
	case !errors.Is(err, audit.ErrConflict):
		return err
	}
	// A conflict: the lot was decided or completed meanwhile, or the bench test is a sample
	// of a lot already, which is all that is left when the lot still takes samples.
	page, perr := c.lotPage(r, s, id, sent, nil)
	if perr != nil {
		return perr
	}
	if page.Sample != nil && l.Kind == audit.LotDevices {
		sent.Errors["bench_test_id"] = "is a sample of a lot already: a bench test counts in one lot only"
	} else {
		page.Conflict = err.Error()
	}
	return c.renderLot(w, r, s, http.StatusConflict, page)
}

// resumeStream is POST /console/lots/{id}/stream/resume (note): a manager puts the lot's
// discontinued stream back on tightened inspection, and the lot's page says so (303).
func (c *Console) resumeStream(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := r.ParseForm(); err != nil {
		return audit.Invalid(nil)
	}
	id := r.PathValue("id")
	l, err := c.svc.Lot(r.Context(), s.principal(), id)
	if err != nil {
		return err
	}
	note := multiline(r.PostForm.Get("note"))
	_, err = c.svc.ResumeStream(r.Context(), s.principal(), l.StreamID, note)
	var ve *audit.ValidationError
	if errors.As(err, &ve) {
		sent := newForm(url.Values{"note": {note}})
		sent.setErrors(ve.Errors, "", func(name string) bool { return name == "note" })
		page, perr := c.lotPage(r, s, id, nil, sent)
		if perr != nil {
			return perr
		}
		return c.renderLot(w, r, s, http.StatusUnprocessableEntity, page)
	}
	if err != nil {
		return err
	}
	c.flash(r, "The stream was resumed on tightened inspection: it takes new lots again.")
	http.Redirect(w, r, "/console/lots/"+id, http.StatusSeeOther)
	return nil
}

// rejectedLots is the line of the managers' overview on the lots rejected this month (UTC),
// linking to them.
type rejectedLots struct {
	Month string // YYYY-MM
	Count int
	Href  string
}

// rejectedThisMonth counts the lots rejected in the current month, of every kind and source.
func (c *Console) rejectedThisMonth(r *http.Request, s *signedIn) (*rejectedLots, error) {
	now := c.now().UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	n, err := c.svc.CountLots(r.Context(), s.principal(), audit.LotFilter{Decision: sampling.Rejected,
		DecidedFrom: start, DecidedTo: start.AddDate(0, 1, 0)})
	if err != nil {
		return nil, err
	}
	month := start.Format("2006-01")
	return &rejectedLots{Month: month, Count: n,
		Href: "/console/lots?" + url.Values{"decision": {string(sampling.Rejected)}, "decided": {month}}.Encode()}, nil
}

// sellerLots is one page of a seller's device lots on the managers' seller page.
type sellerLots struct {
	Rows        []lotRow
	Next, First string
	// All is the list of lots filtered to the seller.
	All string
}

// sellerLotsOf reads the page at cursor of the device lots of seller, newest first; base and
// q are the seller page's address and parameters, which its links keep.
func (c *Console) sellerLotsOf(r *http.Request, s *signedIn, seller audit.Seller, base string, q url.Values) (*sellerLots, error) {
	items, next, err := c.svc.Lots(r.Context(), s.principal(), audit.LotFilter{Kind: audit.LotDevices, SellerID: seller.ID, NewestFirst: true},
		audit.Page{Limit: sellerLotsPage, Cursor: q.Get("lots")})
	if err != nil {
		return nil, err
	}
	out := &sellerLots{Rows: make([]lotRow, len(items)),
		All: "/console/lots?" + url.Values{"kind": {string(audit.LotDevices)}, "seller_id": {seller.ID}}.Encode()}
	for i, l := range items {
		out.Rows[i] = lotRow{Lot: l, SellerName: seller.Name}
	}
	if next != "" {
		out.Next = pageURL(base, q, "lots", next) + "#lots"
	}
	if q.Get("lots") != "" {
		out.First = pageURL(base, q, "lots", "") + "#lots"
	}
	return out, nil
}
