package grading

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds of the free-form and counted inputs. They are exported so that the HTTP layer and its
// OpenAPI document state the same limits the engine enforces.
const (
	// MaxNameLength bounds device.brand and device.model, in characters.
	MaxNameLength = 100
	// MaxSerialLength bounds device.serial, in characters.
	MaxSerialLength = 64
	// MaxMarkCount bounds every cosmetic count. No real device carries more marks per zone; a
	// larger value is a typing or integration error, not an observation.
	MaxMarkCount = 10000
	// MaxVisibleFromCM bounds cosmetic.*.visible_from_cm, in whole centimetres (grading.md §3).
	MaxVisibleFromCM = 300
)

// Valid reports whether c is one of the categories of grading.md §1.
func (c Category) Valid() bool {
	switch c {
	case Smartphone, Tablet, Laptop:
		return true
	}
	return false
}

// Valid reports whether s is one of the three protocol severities; the protocol loader uses it
// to refuse a malformed protocol file.
func (s Severity) Valid() bool {
	switch s {
	case Critical, Minor, Optional:
		return true
	}
	return false
}

// Valid reports whether o is one of the four functional test outcomes.
func (o Outcome) Valid() bool {
	switch o {
	case Pass, Fail, NotTested, NotApplicable:
		return true
	}
	return false
}

// Valid reports whether s is one of the IMEI check results.
func (s IMEIStatus) Valid() bool {
	switch s {
	case IMEIClean, IMEIBlacklisted, IMEIFinanced, IMEIUnknown, IMEINotApplicable:
		return true
	}
	return false
}

// Valid reports whether m is a marketplace grade. The empty value (no grade) is not valid: it is
// the absence of a grade, which callers handle as null.
func (m Marketplace) Valid() bool {
	switch m {
	case Premium, Excellent, Good, Fair:
		return true
	}
	return false
}

// Validate checks an inspection against grading.md and the protocol of its category, and returns
// every invalid field at once, each named by its dotted JSON path (device.imei,
// functional.nfc, cosmetic.body.visible_from_cm, parts.non_genuine[2]…), sorted by field (with
// list indexes in numeric order) so that the same input always gives the same errors. It
// returns nil when the inspection is valid; Evaluate may only be called on a valid inspection.
//
// Where grading.md is silent:
//   - a field carries at most one error, its most basic problem;
//   - a device with no IMEI may carry any imei_status: not_applicable is the expected value,
//     but a serial-only device can still be checked against stolen-device registries, so clean,
//     blacklisted, financed or unknown stay meaningful. A device with an IMEI may not be
//     not_applicable. A smartphone without an IMEI gets the error on device.imei only;
//   - when neither an IMEI nor a serial is given, a non-smartphone gets the error on
//     device.serial (its natural identity);
//   - brand and model must hold a non-blank 1 to 100 characters;
//   - test codes cannot be checked against a protocol when the category is invalid or has no
//     protocol; only their outcomes are checked then;
//   - visible_from_cm is checked against the counts of its zone only when every count of that
//     zone is itself valid.
func Validate(in Inspection, ps Protocols) []FieldError {
	var v validation
	p, hasProtocol := v.device(in.Device, ps)
	v.functional(in.Device.Category, in.Functional, p, hasProtocol)
	v.battery(in.Battery)
	v.zone("cosmetic.screen", in.Cosmetic.Screen, true)
	v.zone("cosmetic.body", in.Cosmetic.Body, false)
	v.compliance(in.Compliance, in.Device)
	v.parts(in.Parts)
	if len(v.errs) == 0 {
		return nil
	}
	sort.SliceStable(v.errs, func(i, j int) bool { return naturalLess(v.errs[i].Field, v.errs[j].Field) })
	return v.errs
}

// validation collects field errors.
type validation struct {
	errs []FieldError
}

func (v *validation) add(field, message string) {
	v.errs = append(v.errs, FieldError{Field: field, Message: message})
}

func (v *validation) device(d Device, ps Protocols) (Protocol, bool) {
	var p Protocol
	hasProtocol := false
	switch {
	case !d.Category.Valid():
		v.add("device.category", "must be one of smartphone, tablet, laptop")
	default:
		p, hasProtocol = ps.Get(d.Category)
		if !hasProtocol {
			v.add("device.category", "has no functional test protocol")
		}
	}
	if !validName(d.Brand) {
		v.add("device.brand", "must be 1 to 100 characters")
	}
	if !validName(d.Model) {
		v.add("device.model", "must be 1 to 100 characters")
	}
	switch {
	case d.IMEI != "" && !ValidIMEI(d.IMEI):
		v.add("device.imei", "must be 15 digits with a valid check digit")
	case d.IMEI == "" && d.Category == Smartphone:
		v.add("device.imei", "is required for a smartphone")
	}
	switch {
	case d.Serial != "" && !validSerial(d.Serial):
		v.add("device.serial", "must be 1 to 64 letters, digits or '-'")
	case d.Serial == "" && d.IMEI == "" && d.Category != Smartphone:
		v.add("device.serial", "is required when the device has no IMEI")
	}
	if d.StorageGB < 0 {
		v.add("device.storage_gb", "must be 0 or more")
	}
	return p, hasProtocol
}

func validName(s string) bool {
	return strings.TrimSpace(s) != "" && utf8.RuneCountInString(s) <= MaxNameLength
}

func validSerial(s string) bool {
	if len(s) == 0 || len(s) > MaxSerialLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (v *validation) functional(c Category, results map[string]Outcome, p Protocol, hasProtocol bool) {
	// Field paths are built only for errors: a valid inspection costs no allocation here.
	for code, o := range results {
		var t Test
		if hasProtocol {
			var ok bool
			if t, ok = p.Lookup(code); !ok {
				v.add("functional."+code, "is not in the "+string(c)+" protocol")
				continue
			}
		}
		switch {
		case !o.Valid():
			v.add("functional."+code, "must be one of pass, fail, not_tested, not_applicable")
		case hasProtocol && o == NotApplicable && t.Severity != Optional:
			v.add("functional."+code, "may be not_applicable only for an optional test, and this test is "+string(t.Severity))
		}
	}
}

func (v *validation) battery(b Battery) {
	// The negated comparison also rejects NaN, which compares false to everything.
	if !(b.HealthPct >= 0 && b.HealthPct <= 100) {
		v.add("battery.health_pct", "must be between 0 and 100")
	}
	if b.CycleCount != nil && *b.CycleCount < 0 {
		v.add("battery.cycle_count", "must be 0 or more")
	}
}

func (v *validation) zone(prefix string, z Zone, screen bool) {
	countsValid := true
	count := func(name string, n int) {
		if n < 0 || n > MaxMarkCount {
			v.add(prefix+"."+name, "must be between 0 and "+strconv.Itoa(MaxMarkCount))
			countsValid = false
		}
	}
	count("light_scratches", z.LightScratches)
	count("deep_scratches", z.DeepScratches)
	if screen {
		if z.Dents != 0 {
			v.add(prefix+".dents", "must be 0: dents are logged on the body only")
			countsValid = false
		}
	} else {
		count("dents", z.Dents)
	}
	count("chips", z.Chips)
	count("cracks", z.Cracks)

	const visible = ".visible_from_cm"
	switch {
	case z.VisibleFromCM < 0 || z.VisibleFromCM > MaxVisibleFromCM:
		v.add(prefix+visible, "must be between 0 and "+strconv.Itoa(MaxVisibleFromCM))
	case !countsValid:
		// The counts are wrong; whether the distance agrees with them cannot be judged.
	case z.marked() && z.VisibleFromCM == 0:
		v.add(prefix+visible, "must be greater than 0 when the zone has a mark")
	case !z.marked() && z.VisibleFromCM != 0:
		v.add(prefix+visible, "must be 0 when the zone has no mark")
	}
}

func (v *validation) compliance(c Compliance, d Device) {
	switch {
	case !c.IMEIStatus.Valid():
		v.add("compliance.imei_status", "must be one of clean, blacklisted, financed, unknown, not_applicable")
	case c.IMEIStatus == IMEINotApplicable && d.IMEI != "":
		v.add("compliance.imei_status", "may be not_applicable only for a device with no IMEI")
	}
}

func (v *validation) parts(p Parts) {
	field := func(i int) string { return "parts.non_genuine[" + strconv.Itoa(i) + "]" }
	for i, name := range p.NonGenuine {
		if !validPart(name) {
			v.add(field(i), "must be one of "+strings.Join(PartNames, ", "))
			continue
		}
		for _, prev := range p.NonGenuine[:i] {
			if prev == name {
				v.add(field(i), "repeats "+strconv.Quote(name))
				break
			}
		}
	}
}

func validPart(name string) bool {
	for _, p := range PartNames {
		if p == name {
			return true
		}
	}
	return false
}

// marked reports whether the zone has any mark, whatever its kind.
func (z Zone) marked() bool {
	return z.LightScratches > 0 || z.DeepScratches > 0 || z.Dents > 0 || z.Chips > 0 || z.Cracks > 0
}

// naturalLess orders field paths as text, except that runs of digits compare as numbers, so that
// parts.non_genuine[2] comes before parts.non_genuine[10].
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			na, ra := digitRun(a)
			nb, rb := digitRun(b)
			ta, tb := strings.TrimLeft(na, "0"), strings.TrimLeft(nb, "0")
			if len(ta) != len(tb) {
				return len(ta) < len(tb)
			}
			if ta != tb {
				return ta < tb
			}
			if na != nb {
				return na < nb
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitRun(s string) (run, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}
