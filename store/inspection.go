package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/refurbqa/refurbqa/grading"
)

// inspectionDoc is how the store keeps an inspection (the inspection column of bench_tests and
// mystery_orders): a document of its own, written from a grading.Inspection and read back into
// one, never a copy of an API's JSON, so that the API can rename a field without a data
// migration. Its member names are those the API's inspection had when rows stored the document
// as submitted (migration 00005 kept those rows, whose documents read as this one); from now on
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

// encodeInspection writes the stored document of an inspection: what json.Marshal would make of
// inspectionDoc, written out by hand because batch ingest, a hot path, writes one per device
// (TestStoredInspectionRoundTrips reads every one back through inspectionDoc). It fails only on
// a battery health that is not a finite number, which no valid inspection holds.
func encodeInspection(in grading.Inspection) (string, error) {
	b := in.Battery
	if math.IsNaN(b.HealthPct) || math.IsInf(b.HealthPct, 0) {
		return "", fmt.Errorf("inspection: battery health %v is not a number", b.HealthPct)
	}
	d, c := in.Device, in.Compliance
	buf := make([]byte, 0, 640+24*len(in.Functional))
	buf = append(buf, `{"device":{"category":`...)
	buf = appendJSONString(buf, string(d.Category))
	buf = append(buf, `,"brand":`...)
	buf = appendJSONString(buf, d.Brand)
	buf = append(buf, `,"model":`...)
	buf = appendJSONString(buf, d.Model)
	if d.IMEI != "" {
		buf = append(buf, `,"imei":`...)
		buf = appendJSONString(buf, d.IMEI)
	}
	if d.Serial != "" {
		buf = append(buf, `,"serial":`...)
		buf = appendJSONString(buf, d.Serial)
	}
	if d.StorageGB != 0 {
		buf = append(buf, `,"storage_gb":`...)
		buf = strconv.AppendInt(buf, int64(d.StorageGB), 10)
	}
	buf = append(buf, `},"functional":{`...)
	codes := make([]string, 0, len(in.Functional))
	for code := range in.Functional {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for i, code := range codes {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, code)
		buf = append(buf, ':')
		buf = appendJSONString(buf, string(in.Functional[code]))
	}
	buf = append(buf, `},"battery":{"health_pct":`...)
	buf = strconv.AppendFloat(buf, b.HealthPct, 'g', -1, 64)
	if b.CycleCount != nil {
		buf = append(buf, `,"cycle_count":`...)
		buf = strconv.AppendInt(buf, int64(*b.CycleCount), 10)
	}
	buf = append(buf, `,"genuine":`...)
	buf = strconv.AppendBool(buf, b.Genuine)
	buf = append(buf, `},"cosmetic":{"screen":`...)
	buf = appendZone(buf, in.Cosmetic.Screen)
	buf = append(buf, `,"body":`...)
	buf = appendZone(buf, in.Cosmetic.Body)
	buf = append(buf, `},"compliance":{"activation_lock":`...)
	buf = strconv.AppendBool(buf, c.ActivationLock)
	buf = append(buf, `,"imei_status":`...)
	buf = appendJSONString(buf, string(c.IMEIStatus))
	for _, f := range []struct {
		name string
		v    bool
	}{{"liquid_damage", c.LiquidDamage}, {"data_erased", c.DataErased}, {"factory_reset", c.FactoryReset},
		{"os_up_to_date", c.OSUpToDate}, {"markings_intact", c.MarkingsIntact}, {"display_like_for_like", c.DisplayLikeForLike}} {
		buf = append(buf, ',', '"')
		buf = append(buf, f.name...)
		buf = append(buf, '"', ':')
		buf = strconv.AppendBool(buf, f.v)
	}
	buf = append(buf, `},"parts":{"non_genuine":`...)
	if in.Parts.NonGenuine == nil {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, '[')
		for i, p := range in.Parts.NonGenuine {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, p)
		}
		buf = append(buf, ']')
	}
	buf = append(buf, `,"disclosed":`...)
	buf = strconv.AppendBool(buf, in.Parts.Disclosed)
	buf = append(buf, "}}"...)
	return string(buf), nil
}

func appendZone(buf []byte, z grading.Zone) []byte {
	for i, f := range []struct {
		name string
		v    int
	}{{"light_scratches", z.LightScratches}, {"deep_scratches", z.DeepScratches}, {"dents", z.Dents},
		{"chips", z.Chips}, {"cracks", z.Cracks}, {"visible_from_cm", z.VisibleFromCM}} {
		if i == 0 {
			buf = append(buf, '{')
		} else {
			buf = append(buf, ',')
		}
		buf = append(buf, '"')
		buf = append(buf, f.name...)
		buf = append(buf, '"', ':')
		buf = strconv.AppendInt(buf, int64(f.v), 10)
	}
	return append(buf, '}')
}

// appendJSONString appends s as a JSON string, escaping what JSON requires (quotes,
// backslashes, control characters) and, like json.Marshal, replacing invalid UTF-8 with
// U+FFFD, which both databases can store.
func appendJSONString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				buf = append(buf, `\ufffd`...)
			} else {
				buf = append(buf, s[i:i+n]...)
			}
			i += n
			continue
		}
		switch {
		case c == '"' || c == '\\':
			buf = append(buf, '\\', c)
		case c < 0x20:
			buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			buf = append(buf, c)
		}
		i++
	}
	return append(buf, '"')
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
