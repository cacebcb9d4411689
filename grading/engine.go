package grading

import (
	"strconv"
	"strings"
)

// testPowerOn is the test whose failure makes a device non-functional (F3) whatever else holds.
const testPowerOn = "power_on"

// Reason codes. They are stable identifiers that stored grades, reports and clients rely on;
// messages may be reworded, codes may not. Every reason names one rule of grading.md that
// lowered a grade or set the status:
//
// Compliance findings that set the status (§5), listed first:
//   - activation_lock: an activation, FRP, MDM or carrier lock remains (rejected)
//   - liquid_damage: liquid-damage indicator triggered or corrosion found (rejected)
//   - imei_blacklisted: the IMEI is reported lost or stolen (rejected)
//   - imei_financed: the IMEI is under an unpaid finance agreement (rejected)
//   - data_not_erased: no certified data erasure (rejected)
//   - imei_unknown: the IMEI check gave no answer; listed only when it is what makes the device
//     incomplete, i.e. when the device is not rejected anyway
//
// Functional findings (§4), in protocol order:
//   - test_failed.<code>: a critical or minor test failed (test_failed.power_on makes it F3).
//     Every failed critical or minor test is listed, not only the worst, so the refurbisher
//     sees everything to repair. A failed optional test lowers no grade and gives no reason.
//   - test_not_tested.<code>: a critical or minor test was not tested or is missing, which
//     leaves the functional grade incomplete. Not listed when power_on failed: a device that
//     does not start cannot be tested further and F3 does not depend on those tests.
//   - battery_below_80: battery health below 80 % (F2), listed whenever it holds
//
// Cosmetic findings (§3): only the marks that decided the cosmetic grade, that is those that
// break the condition of the grade just above it, screen before body:
//   - cosmetic.body.light_scratches: why B and not A
//   - cosmetic.screen.light_scratches, cosmetic.body.deep_scratches, cosmetic.body.dents,
//     cosmetic.body.chips, cosmetic.body.visible_from_cm (50 cm or more): why C and not B
//   - cosmetic.screen.deep_scratches, cosmetic.screen.chips, cosmetic.body.dents (more than
//     3): why D and not C
//   - cosmetic.screen.cracks, cosmetic.body.cracks: why E and not D
//
// Marketplace findings (§5), only for a sellable device, when they keep it from a better grade:
//   - battery_below_90, battery_not_genuine, parts_non_genuine: a cosmetic-A device is not
//     premium
//   - cosmetic.body.visible_from_cm: a cosmetic-B device is good and not excellent, its body
//     marks being visible from 20 cm or more
//
// The status not_sellable and incomplete (from the functional grade) are explained by the
// functional and cosmetic reasons; they get no reason of their own.
const (
	ReasonActivationLock    = "activation_lock"
	ReasonLiquidDamage      = "liquid_damage"
	ReasonIMEIBlacklisted   = "imei_blacklisted"
	ReasonIMEIFinanced      = "imei_financed"
	ReasonDataNotErased     = "data_not_erased"
	ReasonIMEIUnknown       = "imei_unknown"
	ReasonTestFailedPrefix  = "test_failed."
	ReasonNotTestedPrefix   = "test_not_tested."
	ReasonBatteryBelow80    = "battery_below_80"
	ReasonBatteryBelow90    = "battery_below_90"
	ReasonBatteryNotGenuine = "battery_not_genuine"
	ReasonPartsNonGenuine   = "parts_non_genuine"
	ReasonScreenLight       = "cosmetic.screen.light_scratches"
	ReasonScreenDeep        = "cosmetic.screen.deep_scratches"
	ReasonScreenChips       = "cosmetic.screen.chips"
	ReasonScreenCracks      = "cosmetic.screen.cracks"
	ReasonBodyLight         = "cosmetic.body.light_scratches"
	ReasonBodyDeep          = "cosmetic.body.deep_scratches"
	ReasonBodyDents         = "cosmetic.body.dents"
	ReasonBodyChips         = "cosmetic.body.chips"
	ReasonBodyCracks        = "cosmetic.body.cracks"
	ReasonBodyVisibleFromCM = "cosmetic.body.visible_from_cm"
)

// Thresholds of grading.md §3-§5.
const (
	// minFunctionalBattery is the battery health below which a device is F2.
	minFunctionalBattery = 80
	// minPremiumBattery is the battery health a premium device needs.
	minPremiumBattery = 90
	// maxBodyVisibleB is the body visibility distance from which a device is no longer B.
	maxBodyVisibleB = 50
	// maxBodyVisibleExcellent is the body visibility distance from which a device is no
	// longer excellent.
	maxBodyVisibleExcellent = 20
	// maxBodyDentsC is the largest number of body dents a C device may have.
	maxBodyDentsC = 3
)

// Evaluate grades one inspection under ruleset 2026.1 (grading.md §3-§6): functional grade,
// cosmetic grade, status, marketplace grade (set only when sellable) and the reasons behind
// every step down, in a stable order (compliance, functional in protocol order, battery,
// cosmetic screen then body, marketplace). A pristine, fully functional device gets premium and
// no reason; Reasons is never nil, so it encodes as an empty list.
//
// Evaluate is a pure function: it assumes in has passed Validate against the protocols, and p
// is the protocol of in.Device.Category. Test results that are not in p are ignored. As
// grading.md §4 names only critical and minor tests, a failed optional test lowers no grade;
// an optional test that is not tested or missing does not make the grade incomplete.
// factory_reset, os_up_to_date, markings_intact, display_like_for_like and parts.disclosed
// do not enter the grade: they feed the seller charter.
func Evaluate(in Inspection, p Protocol) Grade {
	var rs reasonList

	// §5 rule 1: findings that block any sale. They are listed first: they matter most.
	c := in.Compliance
	rejected := false
	if c.ActivationLock {
		rs.add(ReasonActivationLock, "an activation, FRP, MDM or carrier lock remains")
		rejected = true
	}
	if c.LiquidDamage {
		rs.add(ReasonLiquidDamage, "the liquid-damage indicator is triggered or corrosion was found")
		rejected = true
	}
	switch c.IMEIStatus {
	case IMEIBlacklisted:
		rs.add(ReasonIMEIBlacklisted, "the IMEI is blacklisted")
		rejected = true
	case IMEIFinanced:
		rs.add(ReasonIMEIFinanced, "the IMEI is under an unpaid finance agreement")
		rejected = true
	}
	if !c.DataErased {
		rs.add(ReasonDataNotErased, "the data has not been erased with a certified erasure")
		rejected = true
	}
	imeiUnknown := c.IMEIStatus == IMEIUnknown
	if imeiUnknown && !rejected {
		rs.add(ReasonIMEIUnknown, "the IMEI status is unknown: check it again before any sale")
	}

	functional := functionalGrade(&rs, in, p)
	cosmetic := cosmeticGrade(&rs, in.Cosmetic)

	g := Grade{Ruleset: Ruleset, Functional: functional, Cosmetic: cosmetic}
	switch {
	case rejected:
		g.Status = Rejected
	case functional == "" || imeiUnknown:
		g.Status = Incomplete
	case functional != F0 || cosmetic == CosmeticD || cosmetic == CosmeticE:
		g.Status = NotSellable
	default:
		g.Status = Sellable
		g.Marketplace = marketplaceGrade(&rs, in, cosmetic)
	}
	g.Reasons = rs
	if g.Reasons == nil {
		g.Reasons = []Reason{}
	}
	return g
}

// functionalGrade applies grading.md §4 and adds the functional reasons.
func functionalGrade(rs *reasonList, in Inspection, p Protocol) Functional {
	powerOff := in.Functional[testPowerOn] == Fail
	missing, criticalFailed, minorFailed := false, false, false
	for _, t := range p.Tests {
		if t.Severity == Optional {
			continue
		}
		switch in.Functional[t.Code] {
		case Pass:
		case Fail:
			if t.Severity == Critical {
				criticalFailed = true
			} else {
				minorFailed = true
			}
			rs.add(ReasonTestFailedPrefix+t.Code, string(t.Severity)+" test "+t.Code+" failed")
		default:
			// not_tested, missing, or anything Validate would refuse: never a pass.
			missing = true
			if !powerOff {
				rs.add(ReasonNotTestedPrefix+t.Code, string(t.Severity)+" test "+t.Code+" was not tested")
			}
		}
	}
	lowBattery := in.Battery.HealthPct < minFunctionalBattery
	if lowBattery {
		rs.add(ReasonBatteryBelow80, "battery health "+pct(in.Battery.HealthPct)+" is below 80%")
	}
	switch {
	case powerOff:
		return F3
	case missing:
		return ""
	case criticalFailed || lowBattery:
		return F2
	case minorFailed:
		return F1
	default:
		return F0
	}
}

// cosmeticGrade applies grading.md §3 and adds the reasons that decided the grade: the marks
// that break the condition of the grade just above.
func cosmeticGrade(rs *reasonList, c Cosmetic) CosmeticGrade {
	s, b := c.Screen, c.Body
	switch {
	case !s.marked() && !b.marked():
		return CosmeticA
	case !s.marked() && b.DeepScratches == 0 && b.Dents == 0 && b.Chips == 0 && b.Cracks == 0 &&
		b.VisibleFromCM < maxBodyVisibleB:
		rs.count(ReasonBodyLight, b.LightScratches, "light scratch", "light scratches", "on the body")
		return CosmeticB
	case s.DeepScratches == 0 && s.Chips == 0 && s.Cracks == 0 && b.Cracks == 0 && b.Dents <= maxBodyDentsC:
		rs.count(ReasonScreenLight, s.LightScratches, "light scratch", "light scratches", "on the screen")
		rs.count(ReasonBodyDeep, b.DeepScratches, "deep scratch", "deep scratches", "on the body")
		rs.count(ReasonBodyDents, b.Dents, "dent", "dents", "on the body")
		rs.count(ReasonBodyChips, b.Chips, "chip", "chips", "on the body")
		if b.VisibleFromCM >= maxBodyVisibleB {
			rs.add(ReasonBodyVisibleFromCM, "body marks visible from "+strconv.Itoa(b.VisibleFromCM)+" cm, 50 cm or more")
		}
		return CosmeticC
	case s.Cracks == 0 && b.Cracks == 0:
		rs.count(ReasonScreenDeep, s.DeepScratches, "deep scratch", "deep scratches", "on the screen")
		rs.count(ReasonScreenChips, s.Chips, "chip", "chips", "on the screen")
		if b.Dents > maxBodyDentsC {
			rs.add(ReasonBodyDents, strconv.Itoa(b.Dents)+" dents on the body, more than 3")
		}
		return CosmeticD
	default:
		rs.count(ReasonScreenCracks, s.Cracks, "crack", "cracks", "on the screen")
		rs.count(ReasonBodyCracks, b.Cracks, "crack", "cracks", "on the body")
		return CosmeticE
	}
}

// marketplaceGrade applies the marketplace table of grading.md §5 to a sellable device (cosmetic
// A, B or C) and adds the reasons that kept it from the grade just above.
func marketplaceGrade(rs *reasonList, in Inspection, cosmetic CosmeticGrade) Marketplace {
	b := in.Battery
	switch cosmetic {
	case CosmeticA:
		if b.HealthPct >= minPremiumBattery && b.Genuine && len(in.Parts.NonGenuine) == 0 {
			return Premium
		}
		if b.HealthPct < minPremiumBattery {
			rs.add(ReasonBatteryBelow90, "battery health "+pct(b.HealthPct)+" is below the 90% premium needs")
		}
		if !b.Genuine {
			rs.add(ReasonBatteryNotGenuine, "the battery is not genuine, premium needs a genuine one")
		}
		if len(in.Parts.NonGenuine) > 0 {
			rs.add(ReasonPartsNonGenuine, "non-genuine parts ("+strings.Join(in.Parts.NonGenuine, ", ")+"), premium needs original parts")
		}
		// Cosmetic A has no mark, so body.visible_from_cm is 0: excellent holds.
		return Excellent
	case CosmeticB:
		if in.Cosmetic.Body.VisibleFromCM < maxBodyVisibleExcellent {
			return Excellent
		}
		rs.add(ReasonBodyVisibleFromCM, "body marks visible from "+strconv.Itoa(in.Cosmetic.Body.VisibleFromCM)+" cm, excellent needs less than 20 cm")
		return Good
	case CosmeticC:
		return Fair
	default:
		// Not reached for a sellable device; no listing grade is the safe answer.
		return ""
	}
}

// reasonList collects reasons; the first one reserves room for a few more, so a typical grade
// costs one allocation for the list.
type reasonList []Reason

func (l *reasonList) add(code, message string) {
	if *l == nil {
		*l = make([]Reason, 0, 8)
	}
	*l = append(*l, Reason{Code: code, Message: message})
}

// count adds a reason for n marks of one kind, when there is any.
func (l *reasonList) count(code string, n int, singular, plural, where string) {
	if n <= 0 {
		return
	}
	noun := plural
	if n == 1 {
		noun = singular
	}
	l.add(code, strconv.Itoa(n)+" "+noun+" "+where)
}

// pct formats a battery health percentage for a message, e.g. "79.99%". It cuts (never rounds)
// after two decimals, so a value below a threshold never reads as the threshold itself.
func pct(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s) > i+3 {
		s = strings.TrimRight(s[:i+3], "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s + "%"
}
