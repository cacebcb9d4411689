package audit

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/grading"
)

// The exact conversion factors of the units the marketplace publishes its figures in.
const (
	kgPerLb  = 0.45359237
	gPerOz   = 28.349523125
	lPerUSGa = 3.785411784
)

// roundTo rounds v to the given number of decimals.
func roundTo(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}

// phoneFactors is the default version: a factor for smartphones only.
func phoneFactors(t *testing.T) ImpactFactors {
	t.Helper()
	f, err := DefaultImpactFactors()
	require.NoError(t, err)
	return f
}

// withLaptops adds a laptop factor to f, as an operator would publish it.
func withLaptops(f ImpactFactors) ImpactFactors {
	f.Version = "2027.1"
	f.Factors = append(f.Factors, ImpactFactor{Category: grading.Laptop, Source: "a study",
		PerDevice: ImpactFigures{CO2eKg: 300, EwasteKg: 2, RawMaterialsKg: 1000, WaterL: 190000}})
	return f
}

// TestDefaultImpactFactors: the shipped version is the marketplace's published figures per
// smartphone, in kilograms and litres exactly as stated beside the imperial figures, which
// convert to them at the precision stated; tablets and laptops have none.
func TestDefaultImpactFactors(t *testing.T) {
	f := phoneFactors(t)
	assert.Equal(t, DefaultImpactFactorsVersion, f.Version)
	require.Len(t, f.Factors, 1)
	phone, ok := f.Factor(grading.Smartphone)
	require.True(t, ok)
	assert.Equal(t, ImpactFigures{CO2eKg: 77.31, EwasteKg: 0.1783, RawMaterialsKg: 243.60, WaterL: 77000}, phone.PerDevice)
	assert.Contains(t, phone.Source, "170.44 lb")
	for _, c := range []grading.Category{grading.Tablet, grading.Laptop} {
		_, ok := f.Factor(c)
		assert.False(t, ok, "%s has no default factor", c)
	}

	// The stated metric figures are the published imperial ones converted, at the precision
	// they are stated with: 77.31 kg, 178.3 g, 243.60 kg, 77,000 L.
	for _, tc := range []struct {
		name      string
		published float64
		per       float64
		decimals  int
		stated    float64
	}{
		{"170.44 lb CO2e", 170.44, kgPerLb, 2, phone.PerDevice.CO2eKg},
		{"6.29 oz e-waste, in grams", 6.29, gPerOz, 1, phone.PerDevice.EwasteKg * 1000},
		{"537.05 lb raw materials", 537.05, kgPerLb, 2, phone.PerDevice.RawMaterialsKg},
		{"20,341.24 US gal water", 20341.24, lPerUSGa, 0, phone.PerDevice.WaterL},
	} {
		assert.InDelta(t, tc.stated, roundTo(tc.published*tc.per, tc.decimals), 1e-9, tc.name)
	}

	// The published form round-trips.
	again, err := CheckImpactFactors(Input[ImpactFactorsDocument]{Value: NewImpactFactorsDocument(f)})
	require.NoError(t, err)
	assert.Equal(t, f, again)
}

// TestImpactCounts holds the inputs of an estimate to the audit's reading of a period (charter.md
// §1): units dated in [start, end) at both edges, incomplete ones left out, corrections counted
// by their own date instead of what they supersede, mystery orders' inspections counted as
// units; the KPI months that start inside the period, in a period that starts mid-month.
func TestImpactCounts(t *testing.T) {
	p := Period{Start: at(t, "2026-07-15T00:00:00Z"), End: at(t, "2026-10-01T00:00:00Z")}
	us := time.Microsecond
	in := at(t, "2026-08-10T10:00:00Z")
	unit := func(id string, when time.Time, c grading.Category, change func(*Unit)) Unit {
		u := flawlessUnit()
		u.ID, u.At, u.Category = id, when, c
		if change != nil {
			change(&u)
		}
		return u
	}
	order := func(id string, when time.Time, c grading.Category, change func(*Unit)) Order {
		o := flawlessOrder()
		o.Unit = unit(id, when, c, change)
		return o
	}
	incomplete := func(u *Unit) { u.Status, u.Functional = grading.Incomplete, "" }
	tests := []struct {
		name string
		r    Records
		want ImpactInput
	}{
		{"nothing", Records{}, ImpactInput{}},
		{"the start is in, the end is out", Records{Units: []Unit{
			unit("bt_1", p.Start, grading.Smartphone, nil),
			unit("bt_2", p.Start.Add(-us), grading.Smartphone, nil),
			unit("bt_3", p.End.Add(-us), grading.Tablet, nil),
			unit("bt_4", p.End, grading.Laptop, nil),
		}}, ImpactInput{Units: map[grading.Category]int{grading.Smartphone: 1, grading.Tablet: 1}}},
		{"incomplete units are left out", Records{Units: []Unit{
			unit("bt_1", in, grading.Smartphone, incomplete),
			unit("bt_2", in, grading.Laptop, nil),
		}, Orders: []Order{order("mo_1", in, grading.Tablet, incomplete)}},
			ImpactInput{Units: map[grading.Category]int{grading.Laptop: 1}}},
		{"only incomplete units: no mix", Records{Units: []Unit{unit("bt_1", in, grading.Smartphone, incomplete)}},
			ImpactInput{}},
		{"corrections count by their own date, instead of what they supersede", Records{Units: []Unit{
			unit("bt_1", in, grading.Smartphone, nil),
			unit("bt_2", in, grading.Tablet, func(u *Unit) { u.Supersedes = "bt_1" }),
			unit("bt_3", in, grading.Laptop, nil),
			unit("bt_4", p.End, grading.Laptop, func(u *Unit) { u.Supersedes = "bt_3" }),
			unit("bt_5", p.Start.Add(-time.Hour), grading.Smartphone, nil),
			unit("bt_6", in, grading.Smartphone, func(u *Unit) { u.Supersedes = "bt_5" }),
		}}, ImpactInput{Units: map[grading.Category]int{grading.Tablet: 1, grading.Smartphone: 1}}},
		{"mystery orders' inspections are units, by ordered_at", Records{Orders: []Order{
			order("mo_1", p.Start, grading.Smartphone, nil),
			order("mo_2", p.End, grading.Smartphone, nil),
			order("mo_3", in, grading.Laptop, nil),
			order("mo_4", in, grading.Tablet, func(u *Unit) { u.Supersedes = "mo_3" }),
		}}, ImpactInput{Units: map[grading.Category]int{grading.Smartphone: 1, grading.Tablet: 1}}},
		{"KPI months that start inside the period", Records{KPIMonths: []KPIMonth{
			{ID: "km_1", Month: "2026-07", Orders: 1000}, // starts before the 15th: out
			{ID: "km_2", Month: "2026-08", Orders: 100},
			{ID: "km_3", Month: "2026-09", Orders: 20},
			{ID: "km_4", Month: "2026-10", Orders: 3000}, // starts at the end: out
		}}, ImpactInput{Orders: 120}},
		{"orders without units", Records{KPIMonths: []KPIMonth{{ID: "km_2", Month: "2026-08", Orders: 7}}},
			ImpactInput{Orders: 7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, ImpactCounts(p, tc.r))
		})
	}
}

// TestEstimateImpact: orders × share devices per category, not rounded; each estimated
// category's impact is its devices × its factor, exactly the stated figures per phone; a
// category without a factor shows its devices and no impact; totals sum the estimated
// categories and are null only when none is; without an inspected unit nothing is estimated.
func TestEstimateImpact(t *testing.T) {
	p := Period{Start: at(t, "2026-07-01T00:00:00Z"), End: at(t, "2026-10-01T00:00:00Z")}
	phones := phoneFactors(t)
	phone := phones.Factors[0].PerDevice
	fig := func(f ImpactFigures) *ImpactFigures { return &f }
	units := func(kv ...any) map[grading.Category]int {
		m := map[grading.Category]int{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(grading.Category)] = kv[i+1].(int)
		}
		return m
	}
	// The shares of 1 and 2 units in 3, and the devices of 10 orders, as computed at run time
	// (constant expressions would be exact).
	one, two, three, ten := 1.0, 2.0, 3.0, 10.0
	third, twoThirds := one/three, two/three
	tests := []struct {
		name    string
		in      ImpactInput
		factors ImpactFactors
		want    ImpactEstimate
	}{
		{"no inspected unit: mix unknown, nothing estimated", ImpactInput{Orders: 120}, phones,
			ImpactEstimate{Orders: 120, OrdersWithoutMix: 120, Categories: []CategoryImpact{}}},
		{"nothing at all", ImpactInput{}, phones, ImpactEstimate{Categories: []CategoryImpact{}}},
		{"one phone sold: exactly the stated figures", ImpactInput{Orders: 1, Units: units(grading.Smartphone, 3)}, phones,
			ImpactEstimate{Orders: 1, Units: 3, Categories: []CategoryImpact{
				{Category: grading.Smartphone, Units: 3, Share: 1, Devices: 1,
					Impact: fig(ImpactFigures{CO2eKg: 77.31, EwasteKg: 0.1783, RawMaterialsKg: 243.60, WaterL: 77000})}},
				Totals: fig(ImpactFigures{CO2eKg: 77.31, EwasteKg: 0.1783, RawMaterialsKg: 243.60, WaterL: 77000})}},
		{"units but zero orders: estimated, and zero", ImpactInput{Units: units(grading.Smartphone, 2, grading.Tablet, 2)}, phones,
			ImpactEstimate{Units: 4, Categories: []CategoryImpact{
				{Category: grading.Smartphone, Units: 2, Share: 0.5, Devices: 0, Impact: fig(ImpactFigures{})},
				{Category: grading.Tablet, Units: 2, Share: 0.5, Devices: 0}},
				Totals: fig(ImpactFigures{})}},
		{"a mix: tablets shown, not estimated; totals of the phones", ImpactInput{Orders: 200, Units: units(grading.Smartphone, 3, grading.Tablet, 1)}, phones,
			ImpactEstimate{Orders: 200, Units: 4, Categories: []CategoryImpact{
				{Category: grading.Smartphone, Units: 3, Share: 0.75, Devices: 150, Impact: fig(phone.Times(150))},
				{Category: grading.Tablet, Units: 1, Share: 0.25, Devices: 50}},
				Totals: fig(phone.Times(150)), NotEstimatedDevices: 50}},
		{"devices are not rounded", ImpactInput{Orders: 10, Units: units(grading.Smartphone, 1, grading.Laptop, 2)}, phones,
			ImpactEstimate{Orders: 10, Units: 3, Categories: []CategoryImpact{
				{Category: grading.Smartphone, Units: 1, Share: third, Devices: ten * third, Impact: fig(phone.Times(ten * third))},
				{Category: grading.Laptop, Units: 2, Share: twoThirds, Devices: ten * twoThirds}},
				Totals: fig(phone.Times(ten * third)), NotEstimatedDevices: ten * twoThirds}},
		{"only categories without a factor: totals null", ImpactInput{Orders: 40, Units: units(grading.Tablet, 1, grading.Laptop, 1)}, phones,
			ImpactEstimate{Orders: 40, Units: 2, Categories: []CategoryImpact{
				{Category: grading.Tablet, Units: 1, Share: 0.5, Devices: 20},
				{Category: grading.Laptop, Units: 1, Share: 0.5, Devices: 20}},
				NotEstimatedDevices: 40}},
		{"once laptops have a factor, they are estimated", ImpactInput{Orders: 40, Units: units(grading.Tablet, 1, grading.Laptop, 1)}, withLaptops(phones),
			ImpactEstimate{Orders: 40, Units: 2, Categories: []CategoryImpact{
				{Category: grading.Tablet, Units: 1, Share: 0.5, Devices: 20},
				{Category: grading.Laptop, Units: 1, Share: 0.5, Devices: 20, Impact: fig(ImpactFigures{CO2eKg: 6000, EwasteKg: 40, RawMaterialsKg: 20000, WaterL: 3.8e6})}},
				Totals: fig(ImpactFigures{CO2eKg: 6000, EwasteKg: 40, RawMaterialsKg: 20000, WaterL: 3.8e6}), NotEstimatedDevices: 20}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Period, tc.want.SellerID, tc.want.Factors = p, "sl_1", tc.factors
			assert.Equal(t, tc.want, EstimateImpact(p, "sl_1", tc.in, tc.factors))
		})
	}

	// A hundred phones: the stated figures times a hundred, to the floating-point rounding of
	// one multiplication.
	e := EstimateImpact(p, "sl_1", ImpactInput{Orders: 100, Units: units(grading.Smartphone, 9)}, phones)
	require.NotNil(t, e.Totals)
	assert.InDelta(t, 7731.0, e.Totals.CO2eKg, 1e-9)
	assert.InDelta(t, 17.83, e.Totals.EwasteKg, 1e-9)
	assert.InDelta(t, 24360.0, e.Totals.RawMaterialsKg, 1e-9)
	assert.InDelta(t, 7.7e6, e.Totals.WaterL, 1e-6)
}

// TestSumImpact: the marketplace is the sum of each seller's estimate, which is not the
// estimate of the pooled mix. Seller A sold 100 devices and inspected 1 phone; seller B sold
// 100 and inspected 9 tablets. Summed: 100 phones and 100 tablets. The pooled mix (10 % phones)
// would have said 20 phones and 180 tablets. A seller without inspected units adds its orders,
// outside every category; one without anything adds nothing.
func TestSumImpact(t *testing.T) {
	p := Period{Start: at(t, "2026-07-01T00:00:00Z"), End: at(t, "2026-10-01T00:00:00Z")}
	f := phoneFactors(t)
	phone := f.Factors[0].PerDevice
	inputs := map[string]ImpactInput{
		"sl_a": {Orders: 100, Units: map[grading.Category]int{grading.Smartphone: 1}},
		"sl_b": {Orders: 100, Units: map[grading.Category]int{grading.Tablet: 9}},
		"sl_c": {Orders: 55},
		"sl_d": {},
	}
	got := SumImpact(p, inputs, f)
	want := ImpactEstimate{Period: p, Orders: 255, Units: 10, OrdersWithoutMix: 55, Factors: f,
		Categories: []CategoryImpact{
			{Category: grading.Smartphone, Units: 1, Share: 0.5, Devices: 100, Impact: ptr(phone.Times(100))},
			{Category: grading.Tablet, Units: 9, Share: 0.5, Devices: 100},
		},
		Totals: ptr(phone.Times(100)), NotEstimatedDevices: 100}
	assert.Equal(t, want, got)

	pooled := EstimateImpact(p, "", ImpactInput{Orders: 200, Units: map[grading.Category]int{grading.Smartphone: 1, grading.Tablet: 9}}, f)
	assert.InDelta(t, 20, pooled.Categories[0].Devices, 1e-9)
	assert.NotEqual(t, pooled.Categories[0].Devices, got.Categories[0].Devices, "the pooled mix is another estimate")

	// Without any order, the shares are those of the pooled inspected units.
	zero := SumImpact(p, map[string]ImpactInput{
		"sl_a": {Units: map[grading.Category]int{grading.Smartphone: 1}},
		"sl_b": {Units: map[grading.Category]int{grading.Tablet: 3}},
	}, f)
	require.Len(t, zero.Categories, 2)
	assert.Equal(t, 0.25, zero.Categories[0].Share)
	assert.Equal(t, 0.75, zero.Categories[1].Share)
	assert.Equal(t, &ImpactFigures{}, zero.Totals)

	// Nobody: nothing estimated.
	none := SumImpact(p, map[string]ImpactInput{}, f)
	assert.Equal(t, ImpactEstimate{Period: p, Factors: f, Categories: []CategoryImpact{}}, none)
}

// TestCheckImpactFactors: every problem of a version at its JSON path at once.
func TestCheckImpactFactors(t *testing.T) {
	good := func() ImpactFactorsDocument {
		return ImpactFactorsDocument{Version: "2027.1", Factors: []ImpactFactorDocument{
			{Category: "laptop", CO2eKg: ptr(300.0), EwasteKg: ptr(2.0), RawMaterialsKg: ptr(1000.0), WaterL: ptr(190000.0), Source: "study"},
			{Category: "smartphone", CO2eKg: ptr(77.31), EwasteKg: ptr(0.1783), RawMaterialsKg: ptr(243.6), WaterL: ptr(0.0), Source: "published"},
		}}
	}
	f, err := CheckImpactFactors(Input[ImpactFactorsDocument]{Value: good()})
	require.NoError(t, err)
	require.Len(t, f.Factors, 2)
	assert.Equal(t, grading.Smartphone, f.Factors[0].Category, "in the order of the categories")
	assert.Equal(t, grading.Laptop, f.Factors[1].Category)

	tests := []struct {
		name   string
		change func(*ImpactFactorsDocument)
		fields []string
	}{
		{"no version", func(d *ImpactFactorsDocument) { d.Version = "" }, []string{"version"}},
		{"a version that cannot be in a URL", func(d *ImpactFactorsDocument) { d.Version = "2027/1" }, []string{"version"}},
		{"a version too long", func(d *ImpactFactorsDocument) { d.Version = fmt.Sprintf("%033d", 1) }, []string{"version"}},
		{"no factor", func(d *ImpactFactorsDocument) { d.Factors = nil }, []string{"factors"}},
		{"an unknown category", func(d *ImpactFactorsDocument) { d.Factors[0].Category = "watch" }, []string{"factors[0].category"}},
		{"a repeated category", func(d *ImpactFactorsDocument) { d.Factors[1].Category = "laptop" }, []string{"factors[1].category"}},
		{"figures missing", func(d *ImpactFactorsDocument) { d.Factors[0].CO2eKg, d.Factors[1].WaterL = nil, nil },
			[]string{"factors[0].co2e_kg", "factors[1].water_l"}},
		{"negative and absurd figures", func(d *ImpactFactorsDocument) {
			d.Factors[0].EwasteKg, d.Factors[0].RawMaterialsKg = ptr(-0.001), ptr(MaxImpactFactor*10)
		}, []string{"factors[0].ewaste_kg", "factors[0].raw_materials_kg"}},
		{"no source", func(d *ImpactFactorsDocument) { d.Factors[1].Source = " " }, []string{"factors[1].source"}},
		{"a source on two lines", func(d *ImpactFactorsDocument) { d.Factors[1].Source = "a\nb" }, []string{"factors[1].source"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := good()
			tc.change(&d)
			_, err := CheckImpactFactors(Input[ImpactFactorsDocument]{Value: d})
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.fields, fields(ve.Errors))
		})
	}
	// Problems of the adapter come first and are kept.
	_, err = CheckImpactFactors(Input[ImpactFactorsDocument]{Value: good(),
		Problems: []grading.FieldError{{Field: "factors[0].water_l", Message: "must be a number"}}})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, []string{"factors[0].water_l"}, fields(ve.Errors))
}

// impactFake is the store of the impact use cases: two sellers, their inputs and the
// versions published, with the calls it answered.
type impactFake struct {
	Store
	factors []ImpactFactors
	inputs  map[string]ImpactInput
	asked   [][]string // the seller ids of each ImpactInputs call
}

func (f *impactFake) Seller(_ context.Context, id string) (Seller, error) {
	if id == "sl_own" || id == "sl_other" {
		return Seller{ID: id}, nil
	}
	return Seller{}, fmt.Errorf("seller %s: %w", id, ErrNotFound)
}

func (f *impactFake) ImpactFactors(_ context.Context, version string) (ImpactFactors, error) {
	for _, v := range f.factors {
		if v.Version == version {
			return v, nil
		}
	}
	return ImpactFactors{}, fmt.Errorf("impact factors %s: %w", version, ErrNotFound)
}

func (f *impactFake) LatestImpactFactors(context.Context) (ImpactFactors, error) {
	return f.factors[len(f.factors)-1], nil
}

func (f *impactFake) ImpactInputs(_ context.Context, _ Period, ids []string) (map[string]ImpactInput, error) {
	f.asked = append(f.asked, ids)
	out := map[string]ImpactInput{}
	for id, in := range f.inputs {
		if len(ids) == 0 || ids[0] == id {
			out[id] = in
		}
	}
	return out, nil
}

func (f *impactFake) PublishImpactFactors(_ context.Context, _ Principal, v ImpactFactors) error {
	for _, old := range f.factors {
		if old.Version == v.Version {
			return fmt.Errorf("impact factors %s: %w", v.Version, ErrConflict)
		}
	}
	f.factors = append(f.factors, v)
	return nil
}

// TestServiceImpact: who may ask for which estimate, and with which factors.
func TestServiceImpact(t *testing.T) {
	phones := phoneFactors(t)
	fake := &impactFake{factors: []ImpactFactors{phones, withLaptops(phones)}, inputs: map[string]ImpactInput{
		"sl_own":   {Orders: 10, Units: map[grading.Category]int{grading.Laptop: 1}},
		"sl_other": {Orders: 30, Units: map[grading.Category]int{grading.Smartphone: 1}},
	}}
	svc := NewService(ServiceConfig{Store: fake})
	ctx := context.Background()
	manager := Principal{KeyID: "k_m", Role: RoleManager}
	own := Principal{KeyID: "k_s", Role: RoleSeller, SellerID: "sl_own"}
	q := func(seller, version string) ImpactQuery {
		return ImpactQuery{PeriodStart: "2026-07-01", PeriodEnd: "2026-10-01", SellerID: seller, FactorsVersion: version}
	}

	tests := []struct {
		name     string
		by       Principal
		q        ImpactQuery
		seller   string // of the answer
		orders   int
		version  string
		err      error
		badField string
	}{
		{"a manager, the marketplace", manager, q("", ""), "", 40, "2027.1", nil, ""},
		{"a manager, one seller", manager, q("sl_other", ""), "sl_other", 30, "2027.1", nil, ""},
		{"an admin, an older version", Principal{Role: RoleAdmin}, q("sl_own", "2026.1"), "sl_own", 10, "2026.1", nil, ""},
		{"a seller, itself by default", own, q("", ""), "sl_own", 10, "2027.1", nil, ""},
		{"a seller, itself by name", own, q("sl_own", ""), "sl_own", 10, "2027.1", nil, ""},
		{"a seller, another seller", own, q("sl_other", ""), "", 0, "", ErrNotFound, ""},
		{"a seller, a seller that does not exist", own, q("sl_nobody", ""), "", 0, "", ErrNotFound, ""},
		{"a technician", Principal{Role: RoleTechnician}, q("", ""), "", 0, "", ErrForbidden, ""},
		{"an unknown seller", manager, q("sl_nobody", ""), "", 0, "", ErrNotFound, ""},
		{"a seller id no record can hold", manager, q("sl\x00", ""), "", 0, "", ErrNotFound, ""},
		{"an unknown version", manager, q("", "1999.1"), "", 0, "", ErrNotFound, ""},
		{"a version no record can hold", manager, q("", "a/b"), "", 0, "", ErrNotFound, ""},
		{"no period", manager, ImpactQuery{}, "", 0, "", ErrInvalid, "period_end"},
		{"a period that runs backwards", manager, ImpactQuery{PeriodStart: "2026-10-01", PeriodEnd: "2026-07-01"}, "", 0, "", ErrInvalid, "period_end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := svc.Impact(ctx, tc.by, tc.q)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				if tc.badField != "" {
					var ve *ValidationError
					require.ErrorAs(t, err, &ve)
					assert.Contains(t, fields(ve.Errors), tc.badField)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.seller, e.SellerID)
			assert.Equal(t, tc.orders, e.Orders)
			assert.Equal(t, tc.version, e.Factors.Version)
			assert.Equal(t, Period{Start: at(t, "2026-07-01T00:00:00Z"), End: at(t, "2026-10-01T00:00:00Z")}, e.Period)
		})
	}
	// A seller's estimate reads its own inputs only; the marketplace's every seller's at once.
	fake.asked = nil
	_, err := svc.Impact(ctx, own, q("", ""))
	require.NoError(t, err)
	_, err = svc.Impact(ctx, manager, q("", ""))
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"sl_own"}, nil}, fake.asked)

	// Publishing: managers and admins; a version once.
	doc := NewImpactFactorsDocument(withLaptops(phones))
	doc.Version = "2027.2"
	_, err = svc.PublishImpactFactors(ctx, own, Input[ImpactFactorsDocument]{Value: doc})
	require.ErrorIs(t, err, ErrForbidden)
	_, err = svc.PublishImpactFactors(ctx, Principal{Role: RoleTechnician}, Input[ImpactFactorsDocument]{Value: doc})
	require.ErrorIs(t, err, ErrForbidden)
	got, err := svc.PublishImpactFactors(ctx, manager, Input[ImpactFactorsDocument]{Value: doc})
	require.NoError(t, err)
	assert.Equal(t, "2027.2", got.Version)
	_, err = svc.PublishImpactFactors(ctx, manager, Input[ImpactFactorsDocument]{Value: doc})
	require.ErrorIs(t, err, ErrConflict)
	assert.Contains(t, err.Error(), "already published")
	e, err := svc.Impact(ctx, own, q("", ""))
	require.NoError(t, err)
	assert.Equal(t, "2027.2", e.Factors.Version, "the version published last is in force")
	_, err = svc.ImpactFactors(ctx, "a b")
	require.ErrorIs(t, err, ErrNotFound)
}
