package store

import (
	"encoding/json"
	"fmt"

	"github.com/refurbqa/refurbqa/grading"
)

// gradedColumns are the columns bench tests and mystery orders share: the device, its grade and
// every flag the charter metrics aggregate with SQL. Both row types embed them, so that they are
// written and read back by one piece of code.
type gradedColumns struct {
	Category           string  `gorm:"column:category"`
	Brand              string  `gorm:"column:brand"`
	Model              string  `gorm:"column:model"`
	IMEI               string  `gorm:"column:imei"`
	Serial             string  `gorm:"column:serial"`
	Ruleset            string  `gorm:"column:ruleset"`
	Status             string  `gorm:"column:status"`
	Functional         *string `gorm:"column:functional"`
	Cosmetic           string  `gorm:"column:cosmetic"`
	Marketplace        *string `gorm:"column:marketplace"`
	Reasons            string  `gorm:"column:reasons"`
	BatteryHealth      float64 `gorm:"column:battery_health"`
	BatteryGenuine     bool    `gorm:"column:battery_genuine"`
	NonGenuineParts    bool    `gorm:"column:non_genuine_parts"`
	PartsDisclosed     bool    `gorm:"column:parts_disclosed"`
	ActivationLock     bool    `gorm:"column:activation_lock"`
	IMEIStatus         string  `gorm:"column:imei_status"`
	LiquidDamage       bool    `gorm:"column:liquid_damage"`
	DataErased         bool    `gorm:"column:data_erased"`
	FactoryReset       bool    `gorm:"column:factory_reset"`
	OSUpToDate         bool    `gorm:"column:os_up_to_date"`
	MarkingsIntact     bool    `gorm:"column:markings_intact"`
	DisplayLikeForLike bool    `gorm:"column:display_like_for_like"`
}

// newGradedColumns derives the shared columns of a graded inspection.
func newGradedColumns(in grading.Inspection, g grading.Grade) gradedColumns {
	c := in.Compliance
	return gradedColumns{
		Category:           string(in.Device.Category),
		Brand:              in.Device.Brand,
		Model:              in.Device.Model,
		IMEI:               in.Device.IMEI,
		Serial:             in.Device.Serial,
		Ruleset:            g.Ruleset,
		Status:             string(g.Status),
		Functional:         optional(g.Functional),
		Cosmetic:           string(g.Cosmetic),
		Marketplace:        optional(g.Marketplace),
		Reasons:            encodeReasons(g.Reasons),
		BatteryHealth:      in.Battery.HealthPct,
		BatteryGenuine:     in.Battery.Genuine,
		NonGenuineParts:    len(in.Parts.NonGenuine) > 0,
		PartsDisclosed:     in.Parts.Disclosed,
		ActivationLock:     c.ActivationLock,
		IMEIStatus:         string(c.IMEIStatus),
		LiquidDamage:       c.LiquidDamage,
		DataErased:         c.DataErased,
		FactoryReset:       c.FactoryReset,
		OSUpToDate:         c.OSUpToDate,
		MarkingsIntact:     c.MarkingsIntact,
		DisplayLikeForLike: c.DisplayLikeForLike,
	}
}

// grade reads the grade back; what names the record in errors. The inspection itself is read
// from its document (decodeInspection): these columns are what SQL aggregates.
func (r gradedColumns) grade(what string) (grading.Grade, error) {
	var reasons []reasonDoc
	if err := json.Unmarshal([]byte(r.Reasons), &reasons); err != nil {
		return grading.Grade{}, fmt.Errorf("%s: stored reasons: %w", what, err)
	}
	g := grading.Grade{Ruleset: r.Ruleset, Status: grading.Status(r.Status), Functional: grading.Functional(deref(r.Functional)),
		Cosmetic: grading.CosmeticGrade(r.Cosmetic), Marketplace: grading.Marketplace(deref(r.Marketplace)),
		Reasons: make([]grading.Reason, len(reasons))}
	for i, rs := range reasons {
		g.Reasons[i] = grading.Reason{Code: rs.Code, Message: rs.Message}
	}
	return g, nil
}
