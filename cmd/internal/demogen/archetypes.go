package demogen

// Archetype is the kind of refurbisher a demo seller behaves like. Each one leaves its own
// fingerprint in the evidence, so that the scorecards of a demo show every tier for a reason a
// quality manager would recognise.
type Archetype string

// The archetypes, in the order the summary lists them.
const (
	// Exemplary sellers test everything, replace worn batteries with genuine ones, grade
	// conservatively and answer customers quickly: trusted.
	Exemplary Archetype = "exemplary"
	// OverGrader lists devices better than they are: overgraded and damaged mystery orders,
	// more minor faults and returns: mostly probation.
	OverGrader Archetype = "over-grader"
	// BatteryCheat sells worn batteries (below 80 and 85%) and fits non-genuine replacements
	// without saying so: suspend.
	BatteryCheat Archetype = "battery cheat"
	// LCDSwapper fits cheap LCD panels in OLED phones without disclosing them: probation.
	LCDSwapper Archetype = "LCD swapper"
	// SlowShipper ships late, cancels, loses tracking and packs badly: watch.
	SlowShipper Archetype = "slow shipper"
	// PoorAfterSales answers messages late, does not honour warranties and has many returns:
	// watch.
	PoorAfterSales Archetype = "poor after-sales"
	// BrandNew joined during the last month and has too little data to be scored:
	// insufficient data.
	BrandNew Archetype = "brand-new"
)

// Archetypes lists every archetype in summary order.
var Archetypes = []Archetype{Exemplary, OverGrader, BatteryCheat, LCDSwapper, SlowShipper, PoorAfterSales, BrandNew}

// batteryPolicy is how a seller deals with worn batteries before listing a device.
type batteryPolicy struct {
	replaceBelow float64 // batteries below this health are replaced…
	miss         float64 // …except for this share, which slip through
	genuine      float64 // share of replacements that are genuine parts
	disclosed    float64 // share of non-genuine replacements disclosed in the listing
	cheap        float64 // share of units fitted with a cheap battery whatever their health
	mean         float64 // mean health of the used batteries it buys (88 when zero)
}

// kpiProfile holds the monthly operations rates of a seller.
type kpiProfile struct {
	late, tracking, cancel, returns, defects float64 // shares of orders
	messages                                 float64 // customer messages per order
	respond                                  float64 // share answered within one business day
	claims                                   float64 // warranty claims per order
	remedy                                   float64 // share of claims remedied within 5 business days
	shortWarranty                            float64 // share of months offering 6 months instead of 12
}

// profile is everything that makes an archetype behave as it does.
type profile struct {
	weight float64 // share of sellers, for draws beyond the one of each archetype
	volume float64 // bench tests, relative to an average seller

	fault       float64 // multiplier on the per-test failure rates of testFailRate
	minorFault  float64 // extra multiplier on minor tests (faults an optimistic grader waves through)
	screenFault float64 // extra multiplier on display and touchscreen (cheap panels)
	compliance  float64 // multiplier on the compliance failure rates
	softwareBad float64 // share of units not factory reset or not up to date

	battery batteryPolicy

	screenSwap    float64 // share of units with an aftermarket screen
	swapLikeFor   bool    // whether aftermarket screens are like-for-like (OLED for OLED)
	swapDisclosed float64 // share of aftermarket screens disclosed

	cosmetic  [5]float64 // A..E weights of stock
	listNoise float64    // mystery orders honestly listed one class too good
	overgrade float64    // mystery orders deliberately listed better than they are
	damaged   float64    // mystery orders arriving heavily worn (cosmetic D)
	orders    float64    // mystery orders per month in demo mode (the team buys more from suspects)

	dispatchLate   float64 // mystery orders not shipped within one business day
	packagingBad   float64
	transitDamage  float64
	lowCharge      float64
	accessoriesBad float64
	identityBad    float64
	probeLate      float64 // service probes answered late…
	probeNever     float64 // …or never

	kpi kpiProfile

	planShare, closeOnTime, closeLate float64 // corrective actions answered, closed in time, closed late
}

// profiles holds the profile of every archetype. The rates are per device or per order and
// were chosen so that a month of data puts each archetype in its tier with a little noise, as
// real sellers are.
var profiles = map[Archetype]profile{
	Exemplary: {
		weight: 0.40, volume: 1.1,
		fault: 0.02, minorFault: 1, screenFault: 1, compliance: 0.1, softwareBad: 0.004,
		battery:    batteryPolicy{replaceBelow: 85, miss: 0.004, genuine: 0.9, disclosed: 1},
		screenSwap: 0.03, swapLikeFor: true, swapDisclosed: 1,
		cosmetic:  [5]float64{0.30, 0.45, 0.20, 0.04, 0.01},
		listNoise: 0.01, orders: 1.6,
		dispatchLate: 0.05, packagingBad: 0.005, transitDamage: 0.002, lowCharge: 0.005, accessoriesBad: 0.005, identityBad: 0.002,
		probeLate: 0.03, probeNever: 0.005,
		kpi:       kpiProfile{late: 0.012, tracking: 0.993, cancel: 0.007, returns: 0.013, defects: 0.0025, messages: 0.3, respond: 0.965, claims: 0.012, remedy: 0.99},
		planShare: 0.98, closeOnTime: 0.95, closeLate: 0.03,
	},
	OverGrader: {
		weight: 0.10, volume: 1.0,
		fault: 0.05, minorFault: 12, screenFault: 1, compliance: 0.4, softwareBad: 0.02,
		battery:    batteryPolicy{replaceBelow: 84, miss: 0.03, genuine: 0.6, disclosed: 0.9},
		screenSwap: 0.06, swapLikeFor: true, swapDisclosed: 0.9,
		cosmetic:  [5]float64{0.15, 0.35, 0.30, 0.15, 0.05},
		listNoise: 0.02, overgrade: 0.4, damaged: 0.3, orders: 4,
		dispatchLate: 0.1, packagingBad: 0.02, transitDamage: 0.01, lowCharge: 0.03, accessoriesBad: 0.08, identityBad: 0.03,
		probeLate: 0.08, probeNever: 0.02,
		kpi:       kpiProfile{late: 0.02, tracking: 0.985, cancel: 0.012, returns: 0.038, defects: 0.012, messages: 0.35, respond: 0.93, claims: 0.02, remedy: 0.95},
		planShare: 0.8, closeOnTime: 0.6, closeLate: 0.2,
	},
	BatteryCheat: {
		weight: 0.09, volume: 1.0,
		fault: 0.04, minorFault: 1, screenFault: 1, compliance: 0.4, softwareBad: 0.015,
		battery:    batteryPolicy{replaceBelow: 74, miss: 0.1, genuine: 0, disclosed: 0.2, cheap: 0.25, mean: 83},
		screenSwap: 0.06, swapLikeFor: true, swapDisclosed: 0.9,
		cosmetic:  [5]float64{0.22, 0.43, 0.25, 0.08, 0.02},
		listNoise: 0.03, orders: 2.5,
		dispatchLate: 0.1, packagingBad: 0.02, transitDamage: 0.01, lowCharge: 0.04, accessoriesBad: 0.02, identityBad: 0.01,
		probeLate: 0.08, probeNever: 0.02,
		kpi:       kpiProfile{late: 0.02, tracking: 0.985, cancel: 0.012, returns: 0.04, defects: 0.012, messages: 0.35, respond: 0.92, claims: 0.025, remedy: 0.92, shortWarranty: 0.1},
		planShare: 0.7, closeOnTime: 0.4, closeLate: 0.2,
	},
	LCDSwapper: {
		weight: 0.08, volume: 1.0,
		fault: 0.03, minorFault: 1, screenFault: 6, compliance: 0.4, softwareBad: 0.015,
		battery:    batteryPolicy{replaceBelow: 85, miss: 0.02, genuine: 0.6, disclosed: 0.9},
		screenSwap: 0.4, swapLikeFor: false, swapDisclosed: 0.3,
		cosmetic:  [5]float64{0.22, 0.43, 0.25, 0.08, 0.02},
		listNoise: 0.03, orders: 2.5,
		dispatchLate: 0.1, packagingBad: 0.02, transitDamage: 0.01, lowCharge: 0.03, accessoriesBad: 0.02, identityBad: 0.03,
		probeLate: 0.08, probeNever: 0.02,
		kpi:       kpiProfile{late: 0.02, tracking: 0.985, cancel: 0.012, returns: 0.045, defects: 0.015, messages: 0.35, respond: 0.92, claims: 0.025, remedy: 0.93, shortWarranty: 0.1},
		planShare: 0.7, closeOnTime: 0.45, closeLate: 0.2,
	},
	SlowShipper: {
		weight: 0.13, volume: 0.9,
		fault: 0.03, minorFault: 1, screenFault: 1, compliance: 0.3, softwareBad: 0.01,
		battery:    batteryPolicy{replaceBelow: 85, miss: 0.01, genuine: 0.75, disclosed: 0.98},
		screenSwap: 0.05, swapLikeFor: true, swapDisclosed: 0.98,
		cosmetic:  [5]float64{0.22, 0.43, 0.25, 0.08, 0.02},
		listNoise: 0.02, orders: 2.5,
		dispatchLate: 0.7, packagingBad: 0.25, transitDamage: 0.08, lowCharge: 0.25, accessoriesBad: 0.12, identityBad: 0.01,
		probeLate: 0.1, probeNever: 0.02,
		kpi:       kpiProfile{late: 0.085, tracking: 0.9, cancel: 0.045, returns: 0.018, defects: 0.018, messages: 0.4, respond: 0.93, claims: 0.015, remedy: 0.96},
		planShare: 0.6, closeOnTime: 0.3, closeLate: 0.3,
	},
	PoorAfterSales: {
		weight: 0.12, volume: 0.9,
		fault: 0.03, minorFault: 1, screenFault: 1, compliance: 0.3, softwareBad: 0.01,
		battery:    batteryPolicy{replaceBelow: 85, miss: 0.01, genuine: 0.7, disclosed: 0.98},
		screenSwap: 0.05, swapLikeFor: true, swapDisclosed: 0.98,
		cosmetic:  [5]float64{0.22, 0.43, 0.25, 0.08, 0.02},
		listNoise: 0.02, orders: 2.5,
		dispatchLate: 0.1, packagingBad: 0.02, transitDamage: 0.01, lowCharge: 0.03, accessoriesBad: 0.03, identityBad: 0.01,
		probeLate: 0.4, probeNever: 0.15,
		kpi:       kpiProfile{late: 0.02, tracking: 0.98, cancel: 0.012, returns: 0.05, defects: 0.022, messages: 0.45, respond: 0.68, claims: 0.03, remedy: 0.55, shortWarranty: 0.5},
		planShare: 0.4, closeOnTime: 0.15, closeLate: 0.2,
	},
	BrandNew: {
		weight: 0.08, volume: 0.25,
		fault: 0.03, minorFault: 1, screenFault: 1, compliance: 0.3, softwareBad: 0.01,
		battery:    batteryPolicy{replaceBelow: 85, miss: 0.01, genuine: 0.8, disclosed: 1},
		screenSwap: 0.04, swapLikeFor: true, swapDisclosed: 1,
		cosmetic:  [5]float64{0.25, 0.45, 0.22, 0.06, 0.02},
		listNoise: 0.02, orders: 0,
		dispatchLate: 0.1, packagingBad: 0.02, transitDamage: 0.01, lowCharge: 0.03, accessoriesBad: 0.02, identityBad: 0.01,
		probeLate: 0.05, probeNever: 0.01,
		kpi:       kpiProfile{late: 0.02, tracking: 0.97, cancel: 0.015, returns: 0.02, defects: 0.008, messages: 0.3, respond: 0.9, claims: 0.01, remedy: 0.95},
		planShare: 0.9, closeOnTime: 0.8, closeLate: 0.1,
	},
}

// ExpectedTier is the tier an archetype usually ends in; the summary prefers sellers that do.
func ExpectedTier(a Archetype) string {
	switch a {
	case Exemplary:
		return "trusted"
	case OverGrader, LCDSwapper:
		return "probation"
	case BatteryCheat:
		return "suspend"
	case SlowShipper, PoorAfterSales:
		return "watch"
	case BrandNew:
		return "insufficient_data"
	}
	return ""
}
