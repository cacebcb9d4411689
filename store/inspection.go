package store

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/refurbqa/refurbqa/grading"
)

// inspectionDoc is how the store keeps an inspection (the inspection column of bench_tests and
// mystery_orders): a document of its own, written from a grading.Inspection and read back into
// one, never a copy of an API's JSON, so that the API can rename a field without a data
// migration. Its member names are those the API's inspection had when rows stored the document
// as submitted (migration 00006 kept those rows, whose documents read as this one); from now on
// they change only with a migration of their own. Every part is written; a part missing on
// read is a damaged row, not a zero value.
type inspectionDoc struct {
	Device     *deviceDoc        `json:"device"`
	Functional map[string]string `json:"functional"`
	Battery    *batteryDoc       `json:"battery"`
	Cosmetic   *cosmeticDoc      `json:"cosmetic"`
	Compliance *complianceDoc    `json:"compliance"`
	Parts      *partsDoc         `json:"parts"`
}

type deviceDoc struct {
	Category  string `json:"category"`
	Brand     string `json:"brand"`
	Model     string `json:"model"`
	IMEI      string `json:"imei,omitempty"`
	Serial    string `json:"serial,omitempty"`
	StorageGB int    `json:"storage_gb,omitempty"`
}

type batteryDoc struct {
	HealthPct  float64 `json:"health_pct"`
	CycleCount *int    `json:"cycle_count,omitempty"`
	Genuine    bool    `json:"genuine"`
}

type zoneDoc struct {
	LightScratches int `json:"light_scratches"`
	DeepScratches  int `json:"deep_scratches"`
	Dents          int `json:"dents"`
	Chips          int `json:"chips"`
	Cracks         int `json:"cracks"`
	VisibleFromCM  int `json:"visible_from_cm"`
}

type cosmeticDoc struct {
	Screen zoneDoc `json:"screen"`
	Body   zoneDoc `json:"body"`
}

type complianceDoc struct {
	ActivationLock     bool   `json:"activation_lock"`
	IMEIStatus         string `json:"imei_status"`
	LiquidDamage       bool   `json:"liquid_damage"`
	DataErased         bool   `json:"data_erased"`
	FactoryReset       bool   `json:"factory_reset"`
	OSUpToDate         bool   `json:"os_up_to_date"`
	MarkingsIntact     bool   `json:"markings_intact"`
	DisplayLikeForLike bool   `json:"display_like_for_like"`
}

type partsDoc struct {
	NonGenuine []string `json:"non_genuine"`
	Disclosed  bool     `json:"disclosed"`
}

// encodeInspection writes the stored document of an inspection. It fails only on a battery
// health that is not a finite number, which no valid inspection holds.
func encodeInspection(in grading.Inspection) (string, error) {
	fn := make(map[string]string, len(in.Functional))
	for code, o := range in.Functional {
		fn[code] = string(o)
	}
	d, b, c := in.Device, in.Battery, in.Compliance
	zone := func(z grading.Zone) zoneDoc {
		return zoneDoc{LightScratches: z.LightScratches, DeepScratches: z.DeepScratches, Dents: z.Dents,
			Chips: z.Chips, Cracks: z.Cracks, VisibleFromCM: z.VisibleFromCM}
	}
	doc := inspectionDoc{
		Device: &deviceDoc{Category: string(d.Category), Brand: d.Brand, Model: d.Model, IMEI: d.IMEI,
			Serial: d.Serial, StorageGB: d.StorageGB},
		Functional: fn,
		Battery:    &batteryDoc{HealthPct: b.HealthPct, CycleCount: b.CycleCount, Genuine: b.Genuine},
		Cosmetic:   &cosmeticDoc{Screen: zone(in.Cosmetic.Screen), Body: zone(in.Cosmetic.Body)},
		Compliance: &complianceDoc{ActivationLock: c.ActivationLock, IMEIStatus: string(c.IMEIStatus),
			LiquidDamage: c.LiquidDamage, DataErased: c.DataErased, FactoryReset: c.FactoryReset,
			OSUpToDate: c.OSUpToDate, MarkingsIntact: c.MarkingsIntact, DisplayLikeForLike: c.DisplayLikeForLike},
		Parts: &partsDoc{NonGenuine: in.Parts.NonGenuine, Disclosed: in.Parts.Disclosed},
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("inspection: %w", err)
	}
	return string(out), nil
}

// errPartMissing is a stored inspection document without one of its parts.
var errPartMissing = errors.New("a part is missing")

// decodeInspection reads a stored inspection document back.
func decodeInspection(s string) (grading.Inspection, error) {
	var doc inspectionDoc
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		return grading.Inspection{}, err
	}
	if doc.Device == nil || doc.Functional == nil || doc.Battery == nil || doc.Cosmetic == nil ||
		doc.Compliance == nil || doc.Parts == nil {
		return grading.Inspection{}, errPartMissing
	}
	fn := make(map[string]grading.Outcome, len(doc.Functional))
	for code, o := range doc.Functional {
		fn[code] = grading.Outcome(o)
	}
	d, b, c := doc.Device, doc.Battery, doc.Compliance
	zone := func(z zoneDoc) grading.Zone {
		return grading.Zone{LightScratches: z.LightScratches, DeepScratches: z.DeepScratches, Dents: z.Dents,
			Chips: z.Chips, Cracks: z.Cracks, VisibleFromCM: z.VisibleFromCM}
	}
	return grading.Inspection{
		Device: grading.Device{Category: grading.Category(d.Category), Brand: d.Brand, Model: d.Model, IMEI: d.IMEI,
			Serial: d.Serial, StorageGB: d.StorageGB},
		Functional: fn,
		Battery:    grading.Battery{HealthPct: b.HealthPct, CycleCount: b.CycleCount, Genuine: b.Genuine},
		Cosmetic:   grading.Cosmetic{Screen: zone(doc.Cosmetic.Screen), Body: zone(doc.Cosmetic.Body)},
		Compliance: grading.Compliance{ActivationLock: c.ActivationLock, IMEIStatus: grading.IMEIStatus(c.IMEIStatus),
			LiquidDamage: c.LiquidDamage, DataErased: c.DataErased, FactoryReset: c.FactoryReset,
			OSUpToDate: c.OSUpToDate, MarkingsIntact: c.MarkingsIntact, DisplayLikeForLike: c.DisplayLikeForLike},
		Parts: grading.Parts{NonGenuine: doc.Parts.NonGenuine, Disclosed: doc.Parts.Disclosed},
	}, nil
}
