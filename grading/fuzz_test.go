package grading_test

import (
	"math"
	"slices"
	"testing"

	"github.com/refurbqa/refurbqa/grading"
)

// fuzzBytes hands out the fuzzer's bytes one at a time, then zeros. Every builder choice maps
// 0 to the pristine value, so a short input is a mostly pristine device and the fuzzer explores
// from there.
type fuzzBytes struct{ b []byte }

func (r *fuzzBytes) next() byte {
	if len(r.b) == 0 {
		return 0
	}
	x := r.b[0]
	r.b = r.b[1:]
	return x
}

// fuzzInspection builds an inspection from fuzz input. Most inputs are valid, a few choices are
// deliberately invalid so that Validate is exercised on the same path.
func fuzzInspection(ps grading.Protocols, r *fuzzBytes, imei, serial string) grading.Inspection {
	in := grading.Inspection{Device: grading.Device{Brand: "Acme", Model: "One"}}

	c := r.next()
	in.Device.Category = grading.Categories[int(c)%len(grading.Categories)]
	if c == 255 {
		in.Device.Category = "watch"
	}
	switch r.next() % 4 {
	case 0:
		in.Device.IMEI = "356938035643809"
	case 1:
		in.Device.IMEI = ""
	case 2:
		in.Device.IMEI = "490154203237518"
	case 3:
		in.Device.IMEI = imei
	}
	switch r.next() % 4 {
	case 0:
		in.Device.Serial = ""
	case 1:
		in.Device.Serial = "C02XK0AB-CD12"
	case 2:
		in.Device.Serial = serial
	case 3:
		in.Device.Serial = "bad serial"
	}
	if s := r.next(); s == 255 {
		in.Device.StorageGB = -1
	} else {
		in.Device.StorageGB = int(s) * 16
	}

	p := ps[grading.Smartphone]
	if q, ok := ps.Get(in.Device.Category); ok {
		p = q
	}
	in.Functional = map[string]grading.Outcome{}
	for _, t := range p.Tests {
		switch r.next() % 6 {
		case 0, 1:
			in.Functional[t.Code] = grading.Pass
		case 2:
			in.Functional[t.Code] = grading.Fail
		case 3:
			in.Functional[t.Code] = grading.NotTested
		case 4:
			in.Functional[t.Code] = grading.NotApplicable
		case 5:
			// absent
		}
	}
	switch r.next() {
	case 254:
		in.Functional["teleport"] = grading.Pass
	case 255:
		in.Functional["power_on"] = "broken"
	}

	hb := uint16(r.next())<<8 | uint16(r.next())
	switch hb {
	case 0xFFFF:
		in.Battery.HealthPct = math.NaN()
	case 0xFFFE:
		in.Battery.HealthPct = math.Inf(1)
	default:
		// 100 down to -1.99 in steps of 0.01: every boundary, and a few invalid values.
		in.Battery.HealthPct = float64(10000-int(hb%10200)) / 100
	}
	in.Battery.Genuine = r.next()%4 != 3
	if cb := r.next(); cb != 0 {
		n := int(cb) - 2
		in.Battery.CycleCount = &n
	}

	in.Cosmetic.Screen = fuzzZone(r, true)
	in.Cosmetic.Body = fuzzZone(r, false)

	flags := r.next()
	in.Compliance = grading.Compliance{
		ActivationLock:     flags&1 != 0,
		LiquidDamage:       flags&2 != 0,
		DataErased:         flags&4 == 0,
		FactoryReset:       flags&8 == 0,
		OSUpToDate:         flags&16 == 0,
		MarkingsIntact:     flags&32 == 0,
		DisplayLikeForLike: flags&64 == 0,
	}
	statuses := []grading.IMEIStatus{grading.IMEIClean, grading.IMEINotApplicable, grading.IMEIUnknown,
		grading.IMEIBlacklisted, grading.IMEIFinanced, "stolen"}
	in.Compliance.IMEIStatus = statuses[int(r.next())%len(statuses)]

	pb := r.next()
	in.Parts = grading.Parts{NonGenuine: []string{}, Disclosed: flags&128 == 0}
	for i, name := range grading.PartNames {
		if pb&(1<<i) != 0 {
			in.Parts.NonGenuine = append(in.Parts.NonGenuine, name)
		}
	}
	if pb&128 != 0 {
		in.Parts.NonGenuine = append(in.Parts.NonGenuine, "gizmo")
	}
	return in
}

func fuzzZone(r *fuzzBytes, screen bool) grading.Zone {
	count := func() int {
		switch v := r.next(); {
		case v == 255:
			return -1
		case v == 254:
			return grading.MaxMarkCount + 1
		case v >= 128:
			return int(v) - 128 // up to 125
		default:
			return int(v % 6)
		}
	}
	var z grading.Zone
	z.LightScratches = count()
	z.DeepScratches = count()
	if screen {
		if r.next() == 255 {
			z.Dents = 1 // invalid: no dents on the screen
		}
	} else {
		z.Dents = count()
	}
	z.Chips = count()
	z.Cracks = count()
	vb := r.next()
	marked := z.LightScratches > 0 || z.DeepScratches > 0 || z.Dents > 0 || z.Chips > 0 || z.Cracks > 0
	switch {
	case vb == 255:
		z.VisibleFromCM = 0 // invalid when marked
		if !marked {
			z.VisibleFromCM = 5 // invalid when unmarked
		}
	case vb == 254:
		z.VisibleFromCM = grading.MaxVisibleFromCM + 1
	case marked:
		z.VisibleFromCM = 1 + int(vb)*grading.MaxVisibleFromCM/253
		if vb < 60 {
			z.VisibleFromCM = 1 + int(vb) // every centimetre around 20 and 50
		}
	}
	return z
}

// clone deep-copies the parts of an inspection a mutation may change.
func clone(in grading.Inspection) grading.Inspection {
	out := in
	out.Functional = make(map[string]grading.Outcome, len(in.Functional))
	for k, v := range in.Functional {
		out.Functional[k] = v
	}
	out.Parts.NonGenuine = slices.Clone(in.Parts.NonGenuine)
	if in.Battery.CycleCount != nil {
		n := *in.Battery.CycleCount
		out.Battery.CycleCount = &n
	}
	return out
}

// worsen applies one change that can only make the device worse: a new mark, a farther
// visibility distance, a failed test that passed, a weaker battery, a blocking compliance
// finding or a non-genuine part. It reports false when the chosen change does not apply.
func worsen(in *grading.Inspection, p grading.Protocol, kind, pick, amount byte) bool {
	zone := &in.Cosmetic.Body
	if pick&1 == 0 {
		zone = &in.Cosmetic.Screen
	}
	switch kind % 7 {
	case 0: // one more mark
		fields := []*int{&zone.LightScratches, &zone.DeepScratches, &zone.Chips, &zone.Cracks, &zone.Dents}
		if zone == &in.Cosmetic.Screen {
			fields = fields[:4]
		}
		*fields[int(pick>>1)%len(fields)]++
		if zone.VisibleFromCM == 0 {
			zone.VisibleFromCM = 1
		}
	case 1: // the worst mark seen from farther away
		if zone.VisibleFromCM == 0 || zone.VisibleFromCM == grading.MaxVisibleFromCM {
			return false
		}
		zone.VisibleFromCM = min(grading.MaxVisibleFromCM, zone.VisibleFromCM+1+int(amount))
	case 2: // a passing test fails
		n := len(p.Tests)
		for i := 0; i < n; i++ {
			code := p.Tests[(int(pick)+i)%n].Code
			if in.Functional[code] == grading.Pass {
				in.Functional[code] = grading.Fail
				return true
			}
		}
		return false
	case 3: // a weaker battery
		if in.Battery.HealthPct == 0 {
			return false
		}
		in.Battery.HealthPct = max(0, in.Battery.HealthPct-0.01-float64(amount)/10)
	case 4: // the battery is found not genuine
		if !in.Battery.Genuine {
			return false
		}
		in.Battery.Genuine = false
	case 5: // a non-genuine part is found
		name := grading.PartNames[int(pick)%len(grading.PartNames)]
		if slices.Contains(in.Parts.NonGenuine, name) {
			return false
		}
		in.Parts.NonGenuine = append(in.Parts.NonGenuine, name)
	case 6: // a compliance finding
		switch pick % 6 {
		case 0:
			in.Compliance.ActivationLock = true
		case 1:
			in.Compliance.LiquidDamage = true
		case 2:
			in.Compliance.DataErased = false
		default:
			// Only from a status that blocks nothing: unknown is no better than blacklisted.
			if s := in.Compliance.IMEIStatus; s != grading.IMEIClean && s != grading.IMEINotApplicable {
				return false
			}
			in.Compliance.IMEIStatus = []grading.IMEIStatus{grading.IMEIUnknown, grading.IMEIBlacklisted, grading.IMEIFinanced}[pick%6-3]
		}
	}
	return true
}

// statusRank orders statuses by how sellable they are. incomplete and not_sellable rank alike:
// testing more of an incomplete device (power_on fails) may make it not sellable, which is no
// improvement, and an unknown IMEI may make a not sellable device incomplete.
func statusRank(s grading.Status) int {
	switch s {
	case grading.Sellable:
		return 2
	case grading.NotSellable, grading.Incomplete:
		return 1
	default:
		return 0
	}
}

// functionalNoBetter reports whether after is no better than before. Incomplete has no rank:
// it may only stay incomplete or become F3 (power_on found failing).
func functionalNoBetter(before, after grading.Functional) bool {
	if before == "" {
		return after == "" || after == grading.F3
	}
	return after != "" && after >= before // "F0" < "F1" < "F2" < "F3"
}

func checkGrade(t *testing.T, in grading.Inspection, g grading.Grade) {
	t.Helper()
	if g.Ruleset != grading.Ruleset {
		t.Fatalf("ruleset %q", g.Ruleset)
	}
	if (g.Marketplace != "") != (g.Status == grading.Sellable) {
		t.Fatalf("marketplace %q with status %s", g.Marketplace, g.Status)
	}
	if g.Marketplace != "" && !g.Marketplace.Valid() {
		t.Fatalf("marketplace %q", g.Marketplace)
	}
	cracked := in.Cosmetic.Screen.Cracks > 0 || in.Cosmetic.Body.Cracks > 0
	if cracked && (g.Status == grading.Sellable || g.Cosmetic != grading.CosmeticE) {
		t.Fatalf("cracked device graded %s / %s", g.Status, g.Cosmetic)
	}
	if g.Functional == "" && g.Status != grading.Rejected && g.Status != grading.Incomplete {
		t.Fatalf("no functional grade with status %s", g.Status)
	}
	if g.Cosmetic < grading.CosmeticA || g.Cosmetic > grading.CosmeticE || len(g.Cosmetic) != 1 {
		t.Fatalf("cosmetic %q", g.Cosmetic)
	}
	best := g.Status == grading.Sellable && g.Functional == grading.F0 && g.Cosmetic == grading.CosmeticA &&
		g.Marketplace == grading.Premium
	if best != (len(g.Reasons) == 0) {
		t.Fatalf("grade %+v: every step down needs a reason, and only a step down", g)
	}
	if g.Reasons == nil {
		t.Fatal("nil reasons")
	}
	seen := map[string]bool{}
	for _, r := range g.Reasons {
		if r.Code == "" || r.Message == "" || seen[r.Code] {
			t.Fatalf("bad or repeated reason %+v in %+v", r, g.Reasons)
		}
		seen[r.Code] = true
	}
}

// seed describes a fuzz input in the terms of fuzzInspection, so seeds read as devices.
type seed struct {
	category, imei, serial, storage byte
	outcomes                        map[string]byte // by test code; 0 pass, 2 fail, 3 not_tested, 4 not_applicable, 5 absent
	extra                           byte
	health                          float64 // 0 means 100
	genuine, cycles                 byte
	screen, body                    [6]byte // light, deep, dents, chips, cracks, visibility byte
	flags, imeiStatus, parts        byte
	kind, pick, amount              byte // the worsening applied
}

func (s seed) bytes(ps grading.Protocols) []byte {
	b := []byte{s.category, s.imei, s.serial, s.storage}
	p := ps[grading.Smartphone]
	if q, ok := ps.Get(grading.Categories[int(s.category)%len(grading.Categories)]); ok && s.category != 255 {
		p = q
	}
	for _, t := range p.Tests {
		b = append(b, s.outcomes[t.Code])
	}
	hb := uint16(math.Round((100 - s.health) * 100))
	if s.health == 0 {
		hb = 0
	}
	b = append(b, s.extra, byte(hb>>8), byte(hb), s.genuine, s.cycles)
	b = append(b, s.screen[:]...)
	b = append(b, s.body[:]...)
	return append(b, s.flags, s.imeiStatus, s.parts, s.kind, s.pick, s.amount)
}

func FuzzEvaluate(f *testing.F) {
	ps := protocols(f)
	for _, s := range []seed{
		{}, // pristine smartphone
		{category: 2, imei: 1, serial: 1, outcomes: map[string]byte{"keyboard": 2}, health: 85,
			body: [6]byte{1, 0, 0, 0, 0, 19}, kind: 1, pick: 1}, // laptop, failed keyboard, B from 20 cm
		{category: 1, imei: 1, serial: 1, imeiStatus: 1, outcomes: map[string]byte{
			"flash": 4, "biometrics": 4, "cellular": 4, "sim_reader": 4, "gps": 4, "nfc": 4}, health: 90,
			screen: [6]byte{0, 0, 0, 0, 1, 200}, kind: 2}, // Wi-Fi tablet, cracked screen
		{health: 89.99, kind: 3, amount: 100},                                       // excellent, battery lowered to F2
		{health: 80, body: [6]byte{3, 0, 0, 0, 0, 48}, kind: 1, pick: 1, amount: 1}, // good, pushed to C
		{body: [6]byte{0, 0, 3, 0, 0, 30}, kind: 0, pick: 5},                        // C with 3 dents, one more
		{outcomes: map[string]byte{"power_on": 3, "gps": 2}, kind: 2},               // incomplete, then F3
		{imeiStatus: 2, kind: 6, pick: 0},                                           // IMEI unknown, then locked
		{flags: 7, imeiStatus: 4, parts: 127},                                       // every blocking finding and every part
		{category: 255, extra: 254, health: 200, imei: 3, serial: 2},                // invalid on purpose
	} {
		f.Add(s.bytes(ps), "12345", "S N")
	}

	f.Fuzz(func(t *testing.T, data []byte, imei, serial string) {
		r := &fuzzBytes{b: data}
		in := fuzzInspection(ps, r, imei, serial)
		errs := grading.Validate(in, ps)
		for i, e := range errs {
			if e.Field == "" || e.Message == "" {
				t.Fatalf("empty field error %+v", e)
			}
			if i > 0 && errs[i-1].Field == e.Field {
				t.Fatalf("field %s reported twice", e.Field)
			}
		}
		if errs != nil {
			return
		}
		p, ok := ps.Get(in.Device.Category)
		if !ok {
			t.Fatalf("valid category %q without a protocol", in.Device.Category)
		}
		g := grading.Evaluate(in, p)
		checkGrade(t, in, g)

		// Monotonicity: one more defect never improves any part of the grade.
		out := clone(in)
		if !worsen(&out, p, r.next(), r.next(), r.next()) || grading.Validate(out, ps) != nil {
			return
		}
		w := grading.Evaluate(out, p)
		checkGrade(t, out, w)
		if statusRank(w.Status) > statusRank(g.Status) || g.Status == grading.Rejected && w.Status != grading.Rejected {
			t.Fatalf("status improved from %s to %s\nbefore %+v\nafter  %+v", g.Status, w.Status, in, out)
		}
		if !functionalNoBetter(g.Functional, w.Functional) {
			t.Fatalf("functional improved from %q to %q", g.Functional, w.Functional)
		}
		if w.Cosmetic < g.Cosmetic {
			t.Fatalf("cosmetic improved from %s to %s\nbefore %+v\nafter  %+v", g.Cosmetic, w.Cosmetic, in.Cosmetic, out.Cosmetic)
		}
		if grading.Rank(w.Marketplace) > grading.Rank(g.Marketplace) {
			t.Fatalf("marketplace improved from %q to %q", g.Marketplace, w.Marketplace)
		}
	})
}
