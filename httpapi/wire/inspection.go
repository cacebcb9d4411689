package wire

import (
	"encoding/json"
	"errors"
	"unicode/utf8"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// Inspection is the wire form of an inspection (api.md, Inspections): what a client sends in a
// bench test, a mystery order or a grade preview, and what the API answers inside a stored
// one. Pointers mark the members a client must send: a missing one is a problem (missing),
// never a silent zero. The service then checks every rule of grading.md (grading.Validate) on
// the domain value, and both are answered together.
type Inspection struct {
	Device     *Device           `json:"device"`
	Functional map[string]string `json:"functional"`
	Battery    *Battery          `json:"battery"`
	Cosmetic   *Cosmetic         `json:"cosmetic"`
	Compliance *Compliance       `json:"compliance"`
	Parts      *Parts            `json:"parts"`
}

// Device is the device member of an Inspection; IMEI, serial and storage are optional on the
// wire, and which category needs an IMEI is the domain's rule.
type Device struct {
	Category  *string `json:"category"`
	Brand     *string `json:"brand"`
	Model     *string `json:"model"`
	IMEI      string  `json:"imei,omitempty"`
	Serial    string  `json:"serial,omitempty"`
	StorageGB int     `json:"storage_gb,omitempty"`
}

// Battery is the battery member of an Inspection; the cycle count is optional.
type Battery struct {
	HealthPct  *float64 `json:"health_pct"`
	CycleCount *int     `json:"cycle_count,omitempty"`
	Genuine    *bool    `json:"genuine"`
}

// Zone is one cosmetic zone of an Inspection (screen or body): its defect counts and the
// distance they are visible from, each required.
type Zone struct {
	LightScratches *int `json:"light_scratches"`
	DeepScratches  *int `json:"deep_scratches"`
	Dents          *int `json:"dents"`
	Chips          *int `json:"chips"`
	Cracks         *int `json:"cracks"`
	VisibleFromCM  *int `json:"visible_from_cm"`
}

// Cosmetic is the cosmetic member of an Inspection: its two zones.
type Cosmetic struct {
	Screen *Zone `json:"screen"`
	Body   *Zone `json:"body"`
}

// Compliance is the compliance member of an Inspection, every observation required: none
// has a safe default.
type Compliance struct {
	ActivationLock     *bool   `json:"activation_lock"`
	IMEIStatus         *string `json:"imei_status"`
	LiquidDamage       *bool   `json:"liquid_damage"`
	DataErased         *bool   `json:"data_erased"`
	FactoryReset       *bool   `json:"factory_reset"`
	OSUpToDate         *bool   `json:"os_up_to_date"`
	MarkingsIntact     *bool   `json:"markings_intact"`
	DisplayLikeForLike *bool   `json:"display_like_for_like"`
}

// Parts is the parts member of an Inspection: the non-genuine parts (an empty list when
// there are none) and whether they were disclosed.
type Parts struct {
	NonGenuine []string `json:"non_genuine"`
	Disclosed  *bool    `json:"disclosed"`
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// domain converts the document to a grading.Inspection; missing parts become zero values,
// which the required-field check has already reported.
func (d *Inspection) domain() grading.Inspection {
	var in grading.Inspection
	if d == nil {
		return in
	}
	if d.Device != nil {
		in.Device = grading.Device{Category: grading.Category(deref(d.Device.Category)), Brand: deref(d.Device.Brand),
			Model: deref(d.Device.Model), IMEI: d.Device.IMEI, Serial: d.Device.Serial, StorageGB: d.Device.StorageGB}
	}
	if d.Functional != nil {
		in.Functional = make(map[string]grading.Outcome, len(d.Functional))
		for k, v := range d.Functional {
			in.Functional[k] = grading.Outcome(v)
		}
	}
	if d.Battery != nil {
		in.Battery = grading.Battery{HealthPct: deref(d.Battery.HealthPct), CycleCount: d.Battery.CycleCount, Genuine: deref(d.Battery.Genuine)}
	}
	if d.Cosmetic != nil {
		in.Cosmetic = grading.Cosmetic{Screen: d.Cosmetic.Screen.domain(), Body: d.Cosmetic.Body.domain()}
	}
	if c := d.Compliance; c != nil {
		in.Compliance = grading.Compliance{ActivationLock: deref(c.ActivationLock), IMEIStatus: grading.IMEIStatus(deref(c.IMEIStatus)),
			LiquidDamage: deref(c.LiquidDamage), DataErased: deref(c.DataErased), FactoryReset: deref(c.FactoryReset),
			OSUpToDate: deref(c.OSUpToDate), MarkingsIntact: deref(c.MarkingsIntact), DisplayLikeForLike: deref(c.DisplayLikeForLike)}
	}
	if d.Parts != nil {
		in.Parts = grading.Parts{NonGenuine: d.Parts.NonGenuine, Disclosed: deref(d.Parts.Disclosed)}
	}
	return in
}

func (z *Zone) domain() grading.Zone {
	if z == nil {
		return grading.Zone{}
	}
	return grading.Zone{LightScratches: deref(z.LightScratches), DeepScratches: deref(z.DeepScratches), Dents: deref(z.Dents),
		Chips: deref(z.Chips), Cracks: deref(z.Cracks), VisibleFromCM: deref(z.VisibleFromCM)}
}

// EncodeInspection renders a domain inspection in the wire form of the API, for programs that
// build inspections in Go (demo data, the load tool) and must store or send them as a client
// would. Functional tests are written in sorted order.
func EncodeInspection(in grading.Inspection) ([]byte, error) {
	return json.Marshal(InspectionOf(in))
}

// InspectionOf is the wire form of a domain inspection, every member present, for the answers
// that carry one (a stored bench test or mystery order): the API's form, whatever form the
// store keeps it in.
func InspectionOf(in grading.Inspection) *Inspection {
	cat, brand, model := string(in.Device.Category), in.Device.Brand, in.Device.Model
	status := string(in.Compliance.IMEIStatus)
	c := in.Compliance
	zone := func(z grading.Zone) *Zone {
		return &Zone{LightScratches: &z.LightScratches, DeepScratches: &z.DeepScratches, Dents: &z.Dents,
			Chips: &z.Chips, Cracks: &z.Cracks, VisibleFromCM: &z.VisibleFromCM}
	}
	fn := make(map[string]string, len(in.Functional))
	for k, v := range in.Functional {
		fn[k] = string(v)
	}
	parts := in.Parts.NonGenuine
	if parts == nil {
		parts = []string{}
	}
	health, genuine, disclosed := in.Battery.HealthPct, in.Battery.Genuine, in.Parts.Disclosed
	return &Inspection{
		Device:     &Device{Category: &cat, Brand: &brand, Model: &model, IMEI: in.Device.IMEI, Serial: in.Device.Serial, StorageGB: in.Device.StorageGB},
		Functional: fn,
		Battery:    &Battery{HealthPct: &health, CycleCount: in.Battery.CycleCount, Genuine: &genuine},
		Cosmetic:   &Cosmetic{Screen: zone(in.Cosmetic.Screen), Body: zone(in.Cosmetic.Body)},
		Compliance: &Compliance{ActivationLock: &c.ActivationLock, IMEIStatus: &status, LiquidDamage: &c.LiquidDamage,
			DataErased: &c.DataErased, FactoryReset: &c.FactoryReset, OSUpToDate: &c.OSUpToDate,
			MarkingsIntact: &c.MarkingsIntact, DisplayLikeForLike: &c.DisplayLikeForLike},
		Parts: &Parts{NonGenuine: parts, Disclosed: &disclosed},
	}
}

// missing lists every member of the document that a client must send and left out or sent as
// null, at its path under prefix ("inspection." inside a bench test), sorted by path. A member
// under a missing one is not listed: the missing one says it all.
func (d *Inspection) missing(prefix string) []grading.FieldError {
	var errs []grading.FieldError
	miss := func(field string) {
		errs = append(errs, grading.FieldError{Field: prefix + field, Message: "is required"})
	}
	if d.Battery == nil {
		miss("battery")
	} else {
		if d.Battery.Genuine == nil {
			miss("battery.genuine")
		}
		if d.Battery.HealthPct == nil {
			miss("battery.health_pct")
		}
	}
	if c := d.Compliance; c == nil {
		miss("compliance")
	} else {
		for _, f := range []struct {
			set  bool
			name string
		}{{c.ActivationLock != nil, "activation_lock"}, {c.DataErased != nil, "data_erased"},
			{c.DisplayLikeForLike != nil, "display_like_for_like"}, {c.FactoryReset != nil, "factory_reset"},
			{c.IMEIStatus != nil, "imei_status"}, {c.LiquidDamage != nil, "liquid_damage"},
			{c.MarkingsIntact != nil, "markings_intact"}, {c.OSUpToDate != nil, "os_up_to_date"}} {
			if !f.set {
				miss("compliance." + f.name)
			}
		}
	}
	if d.Cosmetic == nil {
		miss("cosmetic")
	} else {
		zone := func(name string, z *Zone) {
			if z == nil {
				miss("cosmetic." + name)
				return
			}
			for _, f := range []struct {
				v    *int
				name string
			}{{z.Chips, "chips"}, {z.Cracks, "cracks"}, {z.DeepScratches, "deep_scratches"}, {z.Dents, "dents"},
				{z.LightScratches, "light_scratches"}, {z.VisibleFromCM, "visible_from_cm"}} {
				if f.v == nil {
					miss("cosmetic." + name + "." + f.name)
				}
			}
		}
		zone("body", d.Cosmetic.Body)
		zone("screen", d.Cosmetic.Screen)
	}
	if d.Device == nil {
		miss("device")
	} else {
		if d.Device.Brand == nil {
			miss("device.brand")
		}
		if d.Device.Category == nil {
			miss("device.category")
		}
		if d.Device.Model == nil {
			miss("device.model")
		}
	}
	if d.Functional == nil {
		miss("functional")
	}
	if d.Parts == nil {
		miss("parts")
	} else {
		if d.Parts.Disclosed == nil {
			miss("parts.disclosed")
		}
		if d.Parts.NonGenuine == nil {
			miss("parts.non_genuine")
		}
	}
	return errs
}

// DecodeInspection decodes an inspection sent on its own (the body of a grade preview), in one
// pass: a body that is not valid UTF-8, malformed JSON or not an object is refused as a whole;
// otherwise the values of the wrong type and the members left out are the input's problems,
// which the service answers with the rules of grading.md.
func DecodeInspection(body []byte) (audit.Input[grading.Inspection], error) {
	if !utf8.Valid(body) {
		return audit.Input[grading.Inspection]{}, audit.Invalid([]grading.FieldError{{Field: "body", Message: "must be valid UTF-8"}})
	}
	var doc Inspection
	typeErr, err := Decode(body, &doc)
	if err != nil {
		return audit.Input[grading.Inspection]{}, err
	}
	return audit.Input[grading.Inspection]{Value: doc.domain(), Problems: decodingProblems(typeErr, doc.missing(""))}, nil
}

// decodingProblems joins what decoding a document found: the values of the wrong type
// (typeErr, from Decode) and the other problems, of which those at or under a value of the
// wrong type are left out (that value was dropped: "is required" would mislead).
func decodingProblems(typeErr error, others []grading.FieldError) []grading.FieldError {
	var ve *audit.ValidationError
	if errors.As(WithTypeErrors(typeErr, audit.Invalid(others)), &ve) {
		return ve.Errors
	}
	return nil
}
