package console

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/httpapi/wire"
)

// form is a submitted form as the person typed it, with the errors of its fields, so that a
// refused form comes back with every value kept and each error next to its field. Field
// names are the dotted names of the API's JSON (console.md, "Addresses and forms").
type form struct {
	Values url.Values
	Errors map[string]string // field → message
	// Other are the errors of no field on the form, shown above it.
	Other []grading.FieldError
	// idPrefix tells the element ids of this form's fields from those of another form on the
	// same page with fields of the same names (a list's filter and a create form).
	idPrefix string
}

func newForm(v url.Values) *form {
	if v == nil {
		v = url.Values{}
	}
	return &form{Values: v, Errors: map[string]string{}}
}

// V is the value typed in a field ("" when none).
func (f *form) V(name string) string { return f.Values.Get(name) }

// Is reports whether value is among the values of a field (a chosen radio button, a ticked
// box).
func (f *form) Is(name, value string) bool {
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// E is the error of a field ("" when none).
func (f *form) E(name string) string { return f.Errors[name] }

// ID is the element id of a field: its name with dots as dashes, so that CSS and fragment
// links need no escaping.
func (f *form) ID(name string) string { return "f-" + f.idPrefix + strings.ReplaceAll(name, ".", "-") }

// HasErrors reports whether any field or the form itself has an error.
func (f *form) HasErrors() bool { return len(f.Errors) > 0 || len(f.Other) > 0 }

// ErrorList is every error of the form, fields first in the order of known, for the summary
// at its top that links to each field.
func (f *form) ErrorList() []grading.FieldError {
	out := make([]grading.FieldError, 0, len(f.Errors)+len(f.Other))
	for name, msg := range f.Errors {
		out = append(out, grading.FieldError{Field: name, Message: msg})
	}
	sortFields(out)
	return append(out, f.Other...)
}

// setErrors places the errors of a validation error on the form's fields: prefix is taken off
// each path first ("inspection." of a bench test, whose form has the inspection's fields at
// the top level). An error whose field is not on the form is shown above it.
func (f *form) setErrors(errs []grading.FieldError, prefix string, onForm func(string) bool) {
	for _, e := range errs {
		name := strings.TrimPrefix(e.Field, prefix)
		if i := strings.IndexByte(name, '['); i >= 0 {
			name = name[:i] // parts.non_genuine[2] → the part boxes
		}
		if !onForm(name) {
			f.Other = append(f.Other, e)
			continue
		}
		if prev, ok := f.Errors[name]; ok {
			f.Errors[name] = prev + "; " + e.Message
		} else {
			f.Errors[name] = e.Message
		}
	}
}

func sortFields(errs []grading.FieldError) {
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && errs[j].Field < errs[j-1].Field; j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

// reader turns the text fields of a form into typed values, collecting a problem at the field
// of every value that is missing or unreadable, at its path in the API's document (prefix
// "inspection." for the inspection of a bench test).
type reader struct {
	v        url.Values
	prefix   string
	problems []grading.FieldError
}

func (r *reader) problem(field, msg string) {
	r.problems = append(r.problems, grading.FieldError{Field: r.prefix + field, Message: msg})
}

func (r *reader) text(name string) string { return strings.TrimSpace(r.v.Get(name)) }

// required is a text that must be given.
func (r *reader) required(name string) string {
	s := r.text(name)
	if s == "" {
		r.problem(name, "is required")
	}
	return s
}

// integer is a whole number; an empty field is a problem when required, zero otherwise.
func (r *reader) integer(name string, required bool) (int, bool) {
	s := r.text(name)
	if s == "" {
		if required {
			r.problem(name, "is required")
		}
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		r.problem(name, "must be a whole number")
		return 0, false
	}
	return n, true
}

// number is a decimal number, required.
func (r *reader) number(name string) float64 {
	s := r.text(name)
	if s == "" {
		r.problem(name, "is required")
		return 0
	}
	n, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil {
		r.problem(name, "must be a number")
		return 0
	}
	return n
}

// boolean is a required yes or no, sent as true or false.
func (r *reader) boolean(name string) bool {
	switch r.text(name) {
	case "true":
		return true
	case "false":
		return false
	case "":
		r.problem(name, "choose yes or no")
	default:
		r.problem(name, "must be yes or no")
	}
	return false
}

// timestamp is a date and time in UTC as a datetime-local field sends it (seconds optional),
// or an RFC 3339 timestamp.
func (r *reader) timestamp(name string, required bool) (time.Time, bool) {
	s := r.text(name)
	if s == "" {
		if required {
			r.problem(name, "is required")
		}
		return time.Time{}, false
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			// Microseconds, what both databases store, as the API keeps them: the figures
			// derived at intake are those of the stored times.
			return t.UTC().Truncate(time.Microsecond), true
		}
	}
	r.problem(name, "must be a date and time such as 2026-03-01T14:30")
	return time.Time{}, false
}

// optionalTime is a timestamp that may be left empty (null in the API: never shipped, never
// answered).
func (r *reader) optionalTime(name string) *time.Time {
	t, ok := r.timestamp(name, false)
	if !ok {
		return nil
	}
	return &t
}

// inspection reads the inspection fields of a form (bench test and mystery order alike). A
// functional test left unanswered is not tested, as in the API.
func (r *reader) inspection() grading.Inspection {
	var in grading.Inspection
	in.Device.Category = grading.Category(r.required("device.category"))
	in.Device.Brand = r.required("device.brand")
	in.Device.Model = r.required("device.model")
	in.Device.IMEI = r.text("device.imei")
	in.Device.Serial = r.text("device.serial")
	in.Device.StorageGB, _ = r.integer("device.storage_gb", false)

	in.Functional = map[string]grading.Outcome{}
	for name, vals := range r.v {
		code, ok := strings.CutPrefix(name, "functional.")
		if !ok || len(vals) == 0 || vals[len(vals)-1] == "" {
			continue
		}
		in.Functional[code] = grading.Outcome(vals[len(vals)-1])
	}

	in.Battery.HealthPct = r.number("battery.health_pct")
	if n, ok := r.integer("battery.cycle_count", false); ok {
		in.Battery.CycleCount = &n
	}
	in.Battery.Genuine = r.boolean("battery.genuine")

	zone := func(name string) grading.Zone {
		p := "cosmetic." + name + "."
		var z grading.Zone
		z.LightScratches, _ = r.integer(p+"light_scratches", true)
		z.DeepScratches, _ = r.integer(p+"deep_scratches", true)
		z.Dents, _ = r.integer(p+"dents", true)
		z.Chips, _ = r.integer(p+"chips", true)
		z.Cracks, _ = r.integer(p+"cracks", true)
		z.VisibleFromCM, _ = r.integer(p+"visible_from_cm", true)
		return z
	}
	in.Cosmetic.Screen, in.Cosmetic.Body = zone("screen"), zone("body")

	c := &in.Compliance
	c.ActivationLock = r.boolean("compliance.activation_lock")
	c.IMEIStatus = grading.IMEIStatus(r.required("compliance.imei_status"))
	c.LiquidDamage = r.boolean("compliance.liquid_damage")
	c.DataErased = r.boolean("compliance.data_erased")
	c.FactoryReset = r.boolean("compliance.factory_reset")
	c.OSUpToDate = r.boolean("compliance.os_up_to_date")
	c.MarkingsIntact = r.boolean("compliance.markings_intact")
	c.DisplayLikeForLike = r.boolean("compliance.display_like_for_like")

	in.Parts.NonGenuine = []string{}
	for _, p := range r.v["parts.non_genuine"] {
		if p = strings.TrimSpace(p); p != "" {
			in.Parts.NonGenuine = append(in.Parts.NonGenuine, p)
		}
	}
	in.Parts.Disclosed = r.boolean("parts.disclosed")
	return in
}

// benchTestInput reads a bench-test form into the input the service records, with every
// problem reading it found at its path in the API's document.
func benchTestInput(v url.Values) audit.Input[audit.BenchTest] {
	r := &reader{v: v}
	bt := audit.BenchTest{SellerID: r.text("seller_id"), Lab: r.text("lab"), ExternalID: r.text("external_id")}
	bt.TestedAt, _ = r.timestamp("tested_at", true)
	if g := r.text("listed_grade"); g != "" {
		bt.ListedGrade = grading.Marketplace(g)
	}
	r.prefix = "inspection."
	bt.Inspection = r.inspection()
	bt.Submitted = evidence(bt.Inspection)
	return audit.Input[audit.BenchTest]{Value: bt, Problems: r.problems}
}

// inspectionInput reads only the inspection of a form, for a preview of its grade.
func inspectionInput(v url.Values) audit.Input[grading.Inspection] {
	r := &reader{v: v}
	in := r.inspection()
	return audit.Input[grading.Inspection]{Value: in, Problems: r.problems}
}

// mysteryOrderInput reads a mystery-order form into the input the service records. The
// service probe is optional: it is there when either of its times is given.
func mysteryOrderInput(v url.Values) audit.Input[audit.MysteryOrder] {
	r := &reader{v: v}
	mo := audit.MysteryOrder{SellerID: r.text("seller_id"), OrderRef: r.text("order_ref"),
		ListedGrade: grading.Marketplace(r.text("listed_grade"))}
	mo.OrderedAt, _ = r.timestamp("ordered_at", true)
	mo.ShippedAt = r.optionalTime("shipped_at")
	mo.DeliveredAt = r.optionalTime("delivered_at")
	l := &mo.Logistics
	l.PackagingAdequate = r.boolean("logistics.packaging_adequate")
	l.TransitDamage = r.boolean("logistics.transit_damage")
	l.ChargeOnArrivalPct = r.number("logistics.charge_on_arrival_pct")
	l.CableIncluded = r.boolean("logistics.cable_included")
	l.ChargerAsListed = r.boolean("logistics.charger_as_listed")
	mo.IdentityMatchesListing = r.boolean("identity_matches_listing")
	if r.text("service_probe.question_sent_at") != "" || r.text("service_probe.answered_at") != "" {
		sent, _ := r.timestamp("service_probe.question_sent_at", false)
		mo.ServiceProbe = &audit.ServiceProbe{QuestionSentAt: sent, AnsweredAt: r.optionalTime("service_probe.answered_at")}
	}
	r.prefix = "inspection."
	mo.Inspection = r.inspection()
	mo.Submitted = evidence(mo.Inspection)
	return audit.Input[audit.MysteryOrder]{Value: mo, Problems: r.problems}
}

// evidence is the document a form's inspection amounts to, in the API's JSON, kept beside the
// record as the evidence its grade is defended against later, whichever adapter took it.
func evidence(in grading.Inspection) []byte {
	doc, err := wire.EncodeInspection(in)
	if err != nil {
		return nil // a value JSON cannot encode (NaN); the service refuses it anyway
	}
	return doc
}

// The form values of stored records, the inverse of the readers above, so that the form of a
// correction starts from every value of the record it corrects.

// formTime is an instant as a datetime-local field holds it, in UTC: to the minute when it has
// no seconds, else to the millisecond, the finest a browser's field keeps (a finer instant,
// which only the API can record, is corrected to its millisecond).
func formTime(t time.Time) string {
	t = t.UTC()
	if t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04")
	}
	return t.Format("2006-01-02T15:04:05.999")
}

func formTimePtr(v url.Values, name string, t *time.Time) {
	if t != nil {
		v.Set(name, formTime(*t))
	}
}

func formNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// inspectionValues sets the inspection fields of in on v.
func inspectionValues(v url.Values, in grading.Inspection) {
	d := in.Device
	v.Set("device.category", string(d.Category))
	v.Set("device.brand", d.Brand)
	v.Set("device.model", d.Model)
	v.Set("device.imei", d.IMEI)
	v.Set("device.serial", d.Serial)
	if d.StorageGB != 0 {
		v.Set("device.storage_gb", strconv.Itoa(d.StorageGB))
	}
	for code, o := range in.Functional {
		v.Set("functional."+code, string(o))
	}
	v.Set("battery.health_pct", formNumber(in.Battery.HealthPct))
	if n := in.Battery.CycleCount; n != nil {
		v.Set("battery.cycle_count", strconv.Itoa(*n))
	}
	v.Set("battery.genuine", strconv.FormatBool(in.Battery.Genuine))
	for name, z := range map[string]grading.Zone{"screen": in.Cosmetic.Screen, "body": in.Cosmetic.Body} {
		p := "cosmetic." + name + "."
		for count, n := range map[string]int{"light_scratches": z.LightScratches, "deep_scratches": z.DeepScratches,
			"dents": z.Dents, "chips": z.Chips, "cracks": z.Cracks, "visible_from_cm": z.VisibleFromCM} {
			v.Set(p+count, strconv.Itoa(n))
		}
	}
	c := in.Compliance
	for name, b := range map[string]bool{"activation_lock": c.ActivationLock, "liquid_damage": c.LiquidDamage,
		"data_erased": c.DataErased, "factory_reset": c.FactoryReset, "os_up_to_date": c.OSUpToDate,
		"markings_intact": c.MarkingsIntact, "display_like_for_like": c.DisplayLikeForLike} {
		v.Set("compliance."+name, strconv.FormatBool(b))
	}
	v.Set("compliance.imei_status", string(c.IMEIStatus))
	v["parts.non_genuine"] = append([]string(nil), in.Parts.NonGenuine...)
	v.Set("parts.disclosed", strconv.FormatBool(in.Parts.Disclosed))
}

// benchTestValues are the form values of a stored bench test.
func benchTestValues(bt audit.BenchTest) url.Values {
	v := url.Values{"seller_id": {bt.SellerID}, "lab": {bt.Lab}, "tested_at": {formTime(bt.TestedAt)},
		"listed_grade": {string(bt.ListedGrade)}, "external_id": {bt.ExternalID}}
	inspectionValues(v, bt.Inspection)
	return v
}

// mysteryOrderValues are the form values of a stored mystery order.
func mysteryOrderValues(mo audit.MysteryOrder) url.Values {
	l := mo.Logistics
	v := url.Values{"seller_id": {mo.SellerID}, "order_ref": {mo.OrderRef}, "ordered_at": {formTime(mo.OrderedAt)},
		"listed_grade":                    {string(mo.ListedGrade)},
		"logistics.packaging_adequate":    {strconv.FormatBool(l.PackagingAdequate)},
		"logistics.transit_damage":        {strconv.FormatBool(l.TransitDamage)},
		"logistics.charge_on_arrival_pct": {formNumber(l.ChargeOnArrivalPct)},
		"logistics.cable_included":        {strconv.FormatBool(l.CableIncluded)},
		"logistics.charger_as_listed":     {strconv.FormatBool(l.ChargerAsListed)},
		"identity_matches_listing":        {strconv.FormatBool(mo.IdentityMatchesListing)}}
	formTimePtr(v, "shipped_at", mo.ShippedAt)
	formTimePtr(v, "delivered_at", mo.DeliveredAt)
	if sp := mo.ServiceProbe; sp != nil {
		v.Set("service_probe.question_sent_at", formTime(sp.QuestionSentAt))
		formTimePtr(v, "service_probe.answered_at", sp.AnsweredAt)
	}
	inspectionValues(v, mo.Inspection)
	return v
}
