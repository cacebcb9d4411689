package demogen

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/refurbqa/refurbqa/grading"
)

// deviceModel is one model of the catalogue, with what decides its optional tests.
type deviceModel struct {
	category grading.Category
	brand    string
	model    string
	storage  []int
	oled     bool    // an LCD panel in it is not like-for-like
	cellular float64 // share of units with a modem (tablets; smartphones always, laptops never)
	flash    bool    // tablets: has a flash
	bio      bool    // tablets and laptops: has biometrics
	touch    bool    // laptops: has a touchscreen
	weight   float64 // share of the stock
}

// catalogue is the stock of a European refurbisher, smartphones first.
var catalogue = []deviceModel{
	{grading.Smartphone, "Apple", "iPhone 11", []int{64, 128}, false, 1, true, true, true, 10},
	{grading.Smartphone, "Apple", "iPhone 12", []int{64, 128, 256}, true, 1, true, true, true, 11},
	{grading.Smartphone, "Apple", "iPhone 12 mini", []int{64, 128}, true, 1, true, true, true, 3},
	{grading.Smartphone, "Apple", "iPhone 13", []int{128, 256}, true, 1, true, true, true, 12},
	{grading.Smartphone, "Apple", "iPhone 13 Pro", []int{128, 256, 512}, true, 1, true, true, true, 5},
	{grading.Smartphone, "Apple", "iPhone 14", []int{128, 256}, true, 1, true, true, true, 7},
	{grading.Smartphone, "Apple", "iPhone 15", []int{128, 256}, true, 1, true, true, true, 4},
	{grading.Smartphone, "Samsung", "Galaxy S21", []int{128, 256}, true, 1, true, true, true, 5},
	{grading.Smartphone, "Samsung", "Galaxy S22", []int{128, 256}, true, 1, true, true, true, 5},
	{grading.Smartphone, "Samsung", "Galaxy S23", []int{128, 256}, true, 1, true, true, true, 3},
	{grading.Smartphone, "Samsung", "Galaxy A54", []int{128, 256}, true, 1, true, true, true, 4},
	{grading.Smartphone, "Google", "Pixel 7", []int{128, 256}, true, 1, true, true, true, 3},
	{grading.Smartphone, "Google", "Pixel 8", []int{128, 256}, true, 1, true, true, true, 2},
	{grading.Smartphone, "Xiaomi", "Redmi Note 12", []int{64, 128}, false, 1, true, true, true, 3},
	{grading.Tablet, "Apple", "iPad (9th generation)", []int{64, 256}, false, 0.3, false, true, true, 5},
	{grading.Tablet, "Apple", "iPad Air (5th generation)", []int{64, 256}, false, 0.3, false, true, true, 3},
	{grading.Tablet, "Apple", "iPad Pro 11 (4th generation)", []int{128, 256, 512}, false, 0.4, true, true, true, 2},
	{grading.Tablet, "Samsung", "Galaxy Tab S8", []int{128, 256}, false, 0.25, true, true, true, 2},
	{grading.Tablet, "Lenovo", "Tab P11", []int{64, 128}, false, 0.1, false, false, true, 1},
	{grading.Laptop, "Apple", "MacBook Air M1", []int{256, 512}, false, 0, false, true, false, 4},
	{grading.Laptop, "Apple", "MacBook Pro 14 (2021)", []int{512, 1024}, false, 0, false, true, false, 2},
	{grading.Laptop, "Lenovo", "ThinkPad T14 Gen 2", []int{256, 512}, false, 0, false, true, false, 2},
	{grading.Laptop, "Lenovo", "ThinkPad X1 Carbon Gen 9", []int{512}, false, 0, false, true, true, 1},
	{grading.Laptop, "Dell", "XPS 13 9310", []int{256, 512}, false, 0, false, true, true, 1},
	{grading.Laptop, "HP", "EliteBook 840 G8", []int{256, 512}, false, 0, false, false, false, 1},
}

var catalogueWeights = func() []float64 {
	w := make([]float64, len(catalogue))
	for i, m := range catalogue {
		w[i] = m.weight
	}
	return w
}()

// testFailRate is the share of units of an average refurbisher's stock that fail each test,
// before the seller's own quality (profile.fault) scales it: worn ports, buttons and batteries
// fail far more often than radios.
var testFailRate = map[string]float64{
	"power_on": 0.0005, "display": 0.004, "touchscreen": 0.004, "buttons": 0.008, "earpiece": 0.002,
	"loudspeaker": 0.004, "microphone": 0.003, "front_camera": 0.002, "rear_camera": 0.003, "flash": 0.002,
	"vibration": 0.002, "proximity_sensor": 0.003, "motion_sensors": 0.001, "biometrics": 0.005,
	"wifi": 0.001, "bluetooth": 0.001, "cellular": 0.002, "sim_reader": 0.003, "gps": 0.0005, "nfc": 0.001,
	"charging_port": 0.010, "keyboard": 0.008, "trackpad": 0.004, "usb_ports": 0.005,
	"storage_health": 0.003, "memory": 0.001, "keyboard_backlight": 0.004,
}

// Compliance failure rates per unit of an average refurbisher, scaled by profile.compliance.
const (
	rateLocked        = 0.0008
	rateBlacklisted   = 0.0003
	rateFinanced      = 0.0003
	rateIMEIUnknown   = 0.002 // not scaled: the lookup service was down
	rateLiquid        = 0.0008
	rateNotErased     = 0.0006
	rateMarkings      = 0.0015
	rateNotTested     = 0.002 // a technician skipped a test: the unit is incomplete
	rateOtherPartSwap = 0.02  // a non-genuine back glass, charging port or camera
)

// cosmetic classes A..E as indexes.
const (
	classA = iota
	classB
	classC
	classD
	classE
)

// unit is one device as the seller has it, before anyone lists or ships it.
type unit struct {
	model deviceModel
	in    grading.Inspection
}

// newUnit builds one inspected device of a seller with profile p, of cosmetic class class.
func (g *Generator) newUnit(r *rand.Rand, p profile, class int) unit {
	m := catalogue[pick(r, catalogueWeights)]
	var in grading.Inspection
	in.Device = grading.Device{Category: m.category, Brand: m.brand, Model: m.model,
		StorageGB: m.storage[r.IntN(len(m.storage))]}
	hasModem := m.category == grading.Smartphone || m.category == grading.Tablet && chance(r, m.cellular)
	if hasModem {
		in.Device.IMEI = randomIMEI(r, m.brand)
	}
	if m.category != grading.Smartphone || chance(r, 0.5) {
		in.Device.Serial = randomSerial(r, m.brand)
	}

	// Parts first: a cheap screen makes display and touch faults likelier.
	var nonGenuine []string
	disclosed := true
	likeForLike := true
	swapped := chance(r, p.screenSwap)
	if swapped {
		nonGenuine = append(nonGenuine, "screen")
		if !p.swapLikeFor && m.oled {
			likeForLike = false
		}
		disclosed = disclosed && chance(r, p.swapDisclosed)
	}
	if chance(r, rateOtherPartSwap) {
		nonGenuine = append(nonGenuine, []string{"back_glass", "charging_port", "camera", "housing"}[r.IntN(4)])
		disclosed = disclosed && chance(r, max(p.swapDisclosed, 0.9))
	}

	in.Battery, nonGenuine, disclosed = batteryOf(r, p.battery, nonGenuine, disclosed)
	in.Parts = grading.Parts{NonGenuine: nonGenuine, Disclosed: disclosed}
	if in.Parts.NonGenuine == nil {
		in.Parts.NonGenuine = []string{}
	}

	in.Functional = g.functional(r, p, m, hasModem, swapped)
	in.Cosmetic = cosmeticOf(r, class)
	in.Compliance = complianceOf(r, p, in.Device.IMEI != "")
	in.Compliance.DisplayLikeForLike = likeForLike
	return unit{model: m, in: in}
}

// functional draws the outcome of every test of the unit's protocol.
func (g *Generator) functional(r *rand.Rand, p profile, m deviceModel, hasModem, swapped bool) map[string]grading.Outcome {
	proto := g.cfg.Protocols[m.category]
	out := make(map[string]grading.Outcome, len(proto.Tests))
	dead := chance(r, testFailRate["power_on"]*p.fault*4)
	for _, t := range proto.Tests {
		if t.Severity == grading.Optional && !applicable(t.Code, m, hasModem) {
			out[t.Code] = grading.NotApplicable
			continue
		}
		switch {
		case t.Code == "power_on":
			out[t.Code] = grading.Pass
			if dead {
				out[t.Code] = grading.Fail
			}
			continue
		case dead:
			// Nothing else can be tested on a device that does not start.
			out[t.Code] = grading.NotTested
			if t.Severity == grading.Optional {
				out[t.Code] = grading.NotApplicable
			}
			continue
		case t.Severity != grading.Optional && chance(r, rateNotTested):
			out[t.Code] = grading.NotTested
			continue
		}
		rate := testFailRate[t.Code] * p.fault
		if t.Severity == grading.Minor {
			rate *= p.minorFault
		}
		if t.Code == "display" || t.Code == "touchscreen" {
			rate *= p.screenFault
			if swapped {
				rate *= 3
			}
		}
		out[t.Code] = grading.Pass
		if chance(r, rate) {
			out[t.Code] = grading.Fail
		}
	}
	return out
}

// applicable says whether an optional test applies to a unit: a Wi-Fi tablet has no modem,
// most laptops no touchscreen.
func applicable(code string, m deviceModel, hasModem bool) bool {
	switch code {
	case "cellular", "sim_reader", "gps":
		return hasModem
	case "nfc":
		return hasModem && m.brand == "Samsung"
	case "flash":
		return m.flash
	case "biometrics":
		return m.bio
	case "touchscreen":
		return m.touch
	}
	return true
}

// batteryOf draws the battery of a unit: a used battery's health is beta-like around 88 with a
// long tail of worn ones; the seller replaces those below its threshold (with a genuine part or
// not) except for the few it misses.
func batteryOf(r *rand.Rand, pol batteryPolicy, parts []string, disclosed bool) (grading.Battery, []string, bool) {
	mean := pol.mean
	if mean == 0 {
		mean = 88
	}
	health := mean + 4.5*r.NormFloat64()
	if chance(r, 0.1) {
		health -= 8 * r.ExpFloat64()
	}
	health = clamp(health, 55, 100)
	replace := health < pol.replaceBelow && !chance(r, pol.miss)
	if replace || chance(r, pol.cheap) {
		genuine := chance(r, pol.genuine)
		health = uniform(r, 95, 100)
		cycles := between(r, 0, 25)
		if !genuine {
			parts = append(parts, "battery")
			disclosed = disclosed && chance(r, pol.disclosed)
		}
		return grading.Battery{HealthPct: round1(health), CycleCount: &cycles, Genuine: genuine}, parts, disclosed
	}
	cycles := max(0, int(math.Round((100-health)*28+40*r.NormFloat64())))
	return grading.Battery{HealthPct: round1(health), CycleCount: &cycles, Genuine: true}, parts, disclosed
}

// complianceOf draws the compliance checks of a unit.
func complianceOf(r *rand.Rand, p profile, hasIMEI bool) grading.Compliance {
	c := grading.Compliance{
		ActivationLock: chance(r, rateLocked*p.compliance),
		IMEIStatus:     grading.IMEIClean,
		LiquidDamage:   chance(r, rateLiquid*p.compliance),
		DataErased:     !chance(r, rateNotErased*p.compliance),
		FactoryReset:   true,
		OSUpToDate:     true,
		MarkingsIntact: !chance(r, rateMarkings*p.compliance),
	}
	if chance(r, p.softwareBad) {
		if chance(r, 0.3) {
			c.FactoryReset = false
		} else {
			c.OSUpToDate = false
		}
	}
	switch {
	case !hasIMEI:
		c.IMEIStatus = grading.IMEINotApplicable
	case chance(r, rateBlacklisted*p.compliance):
		c.IMEIStatus = grading.IMEIBlacklisted
	case chance(r, rateFinanced*p.compliance):
		c.IMEIStatus = grading.IMEIFinanced
	case chance(r, rateIMEIUnknown):
		c.IMEIStatus = grading.IMEIUnknown
	}
	return c
}

// cosmeticOf draws the marks of both zones for a cosmetic class (A..E), so that grading gives
// back that class: A no mark; B light body wear seen from under 50 cm; C light screen
// scratches or body dents, deep scratches and chips; D deep screen scratches, chips or many
// dents; E a crack.
func cosmeticOf(r *rand.Rand, class int) grading.Cosmetic {
	var c grading.Cosmetic
	s, b := &c.Screen, &c.Body
	switch class {
	case classA:
	case classB:
		b.LightScratches = between(r, 1, 4)
		b.VisibleFromCM = between(r, 5, 45)
		if chance(r, 0.5) {
			b.VisibleFromCM = between(r, 5, 19)
		}
	case classC:
		b.LightScratches = between(r, 0, 5)
		switch r.IntN(3) {
		case 0:
			s.LightScratches = between(r, 1, 3)
			s.VisibleFromCM = between(r, 10, 60)
		case 1:
			b.DeepScratches = between(r, 1, 2)
			b.Chips = between(r, 0, 1)
		default:
			b.Dents = between(r, 1, 3)
		}
	case classD:
		b.LightScratches = between(r, 2, 8)
		switch r.IntN(3) {
		case 0:
			s.DeepScratches = between(r, 1, 3)
			s.VisibleFromCM = between(r, 50, 150)
		case 1:
			s.Chips = between(r, 1, 2)
			s.VisibleFromCM = between(r, 30, 120)
		default:
			b.Dents = between(r, 4, 7)
		}
	default:
		if chance(r, 0.6) {
			s.Cracks = 1
			s.VisibleFromCM = between(r, 100, 300)
		} else {
			b.Cracks = between(r, 1, 2)
		}
		b.LightScratches = between(r, 1, 6)
	}
	if marks(*b) > 0 && b.VisibleFromCM == 0 {
		b.VisibleFromCM = between(r, 20, 120)
	}
	if marks(*s) > 0 && s.VisibleFromCM == 0 {
		s.VisibleFromCM = between(r, 20, 120)
	}
	return c
}

func marks(z grading.Zone) int {
	return z.LightScratches + z.DeepScratches + z.Dents + z.Chips + z.Cracks
}

// randomIMEI returns a valid IMEI: an 8-digit type allocation code of the brand's usual range,
// 6 serial digits and the Luhn check digit.
func randomIMEI(r *rand.Rand, brand string) string {
	var b [15]byte
	prefix := "35"
	if brand == "Samsung" || brand == "Xiaomi" {
		prefix = "86"
	}
	copy(b[:], prefix)
	for i := 2; i < 14; i++ {
		b[i] = byte('0' + r.IntN(10))
	}
	sum := 0
	for i := range 14 {
		d := int(b[i] - '0')
		// Luhn: double every second digit counting from the right of the full number, whose
		// check digit (position 14) is not doubled; so positions 13, 11, … are.
		if (14-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	b[14] = byte('0' + (10-sum%10)%10)
	return string(b[:])
}

// randomSerial returns a serial in the brand's style: letters and digits, 10 to 12 characters.
func randomSerial(r *rand.Rand, brand string) string {
	const alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
	n := 12
	switch brand {
	case "Samsung":
		n = 11
	case "Lenovo", "Dell", "HP":
		n = 10
	}
	var sb strings.Builder
	for range n {
		sb.WriteByte(alnum[r.IntN(len(alnum))])
	}
	return sb.String()
}
