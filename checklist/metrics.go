package checklist

// Catalogue lists every metric a charter rule may name (charter.md §2, then the lot metrics of
// lots.md §7), in the order of the charter, with its kind and meaning. It is the single vocabulary shared by the audit (which
// measures these values), rule compilation (which refuses any other name) and the API (which
// publishes it at /api/v1/metrics). Each call returns a fresh slice, so callers may keep or
// change it without affecting anybody else.
func Catalogue() []Metric {
	return []Metric{
		{"units", Count, "inspected units (not incomplete)"},
		{"functional_fail_rate", Rate, "share of units whose functional grade is not F0"},
		{"battery_below_80", Count, "units with battery health below 80"},
		{"battery_at_least_85_rate", Rate, "share of units with battery health ≥ 85"},
		{"undisclosed_parts", Count, "units with non-genuine parts that were not disclosed"},
		{"display_mismatch", Count, "units whose display is not like-for-like"},
		{"liquid_damage", Count, "units with liquid damage"},
		{"locked", Count, "units with an activation lock"},
		{"imei_blocked", Count, "units with IMEI status blacklisted or financed"},
		{"data_not_erased", Count, "units whose data was not erased"},
		{"software_ok_rate", Rate, "share of units factory reset and up to date"},
		{"markings_altered", Count, "units whose markings are not intact"},
		{"mystery_orders", Count, "mystery orders"},
		{"identity_mismatch", Count, "mystery orders whose device identity did not match the listing"},
		{"overgraded_rate", Rate, "share of mystery orders whose observed grade is below the listed grade"},
		{"shipped_damaged", Count, "mystery orders received with cosmetic grade D or E"},
		{"accessories_ok_rate", Rate, "share of mystery orders with the cable and charger as listed"},
		{"packaging_failures", Count, "mystery orders with inadequate packaging or transit damage"},
		{"low_charge_rate", Rate, "share of mystery orders delivered with less than 30% charge"},
		{"orders", Count, "orders in the KPI months"},
		{"late_shipment_rate", Rate, "shipped late ÷ orders"},
		{"valid_tracking_rate", Rate, "shipments with valid tracking ÷ orders"},
		{"cancellation_rate", Rate, "cancelled before shipment ÷ orders"},
		{"technical_return_rate", Rate, "technical returns within 30 days ÷ orders"},
		{"order_defect_rate", Rate, "defective orders ÷ orders"},
		{"messages", Count, "customer messages in the KPI months plus mystery-order service probes"},
		{"message_response_rate", Rate, "messages answered within one business day ÷ messages"},
		{"warranty_claims", Count, "warranty claims in the KPI months"},
		{"warranty_remedy_rate", Rate, "claims remedied within 5 business days ÷ claims"},
		{"warranty_months", Number, "the shortest warranty, in months, offered in the KPI months"},
		{"capa_due", Count, "corrective actions due in the period"},
		{"capa_overdue", Count, "corrective actions due in the period and not closed by their due date"},
		{"lots", Count, "the seller's device lots decided in the period"},
		{"lots_rejected", Count, "the seller's device lots decided in the period and rejected"},
		{"lot_rejection_rate", Rate, "lots_rejected ÷ lots"},
	}
}

// ruleEnv is the typed environment rules are compiled against and run on. Being a struct (not
// a map), it lets the expr checker refuse any name outside the catalogue when a charter is
// published, and type every metric as float64 so that a rule such as `units + 1` is known not
// to yield a boolean. The expr tags must be exactly the catalogue names; a test keeps them in
// step. It deliberately has no methods: expr would expose them to rules as callable names.
type ruleEnv struct {
	Units                float64 `expr:"units"`
	FunctionalFailRate   float64 `expr:"functional_fail_rate"`
	BatteryBelow80       float64 `expr:"battery_below_80"`
	BatteryAtLeast85Rate float64 `expr:"battery_at_least_85_rate"`
	UndisclosedParts     float64 `expr:"undisclosed_parts"`
	DisplayMismatch      float64 `expr:"display_mismatch"`
	LiquidDamage         float64 `expr:"liquid_damage"`
	Locked               float64 `expr:"locked"`
	IMEIBlocked          float64 `expr:"imei_blocked"`
	DataNotErased        float64 `expr:"data_not_erased"`
	SoftwareOKRate       float64 `expr:"software_ok_rate"`
	MarkingsAltered      float64 `expr:"markings_altered"`
	MysteryOrders        float64 `expr:"mystery_orders"`
	IdentityMismatch     float64 `expr:"identity_mismatch"`
	OvergradedRate       float64 `expr:"overgraded_rate"`
	ShippedDamaged       float64 `expr:"shipped_damaged"`
	AccessoriesOKRate    float64 `expr:"accessories_ok_rate"`
	PackagingFailures    float64 `expr:"packaging_failures"`
	LowChargeRate        float64 `expr:"low_charge_rate"`
	Orders               float64 `expr:"orders"`
	LateShipmentRate     float64 `expr:"late_shipment_rate"`
	ValidTrackingRate    float64 `expr:"valid_tracking_rate"`
	CancellationRate     float64 `expr:"cancellation_rate"`
	TechnicalReturnRate  float64 `expr:"technical_return_rate"`
	OrderDefectRate      float64 `expr:"order_defect_rate"`
	Messages             float64 `expr:"messages"`
	MessageResponseRate  float64 `expr:"message_response_rate"`
	WarrantyClaims       float64 `expr:"warranty_claims"`
	WarrantyRemedyRate   float64 `expr:"warranty_remedy_rate"`
	WarrantyMonths       float64 `expr:"warranty_months"`
	CAPADue              float64 `expr:"capa_due"`
	CAPAOverdue          float64 `expr:"capa_overdue"`
	Lots                 float64 `expr:"lots"`
	LotsRejected         float64 `expr:"lots_rejected"`
	LotRejectionRate     float64 `expr:"lot_rejection_rate"`
}

// fillEnv loads the measured values into e. It is written out field by field, rather than by
// reflection, because it runs once per seller and audit and sits on the evaluation hot path. A
// metric missing from values reads as 0, as the audit leaves out metrics it has nothing for.
func fillEnv(e *ruleEnv, values map[string]float64) {
	*e = ruleEnv{
		Units:                values["units"],
		FunctionalFailRate:   values["functional_fail_rate"],
		BatteryBelow80:       values["battery_below_80"],
		BatteryAtLeast85Rate: values["battery_at_least_85_rate"],
		UndisclosedParts:     values["undisclosed_parts"],
		DisplayMismatch:      values["display_mismatch"],
		LiquidDamage:         values["liquid_damage"],
		Locked:               values["locked"],
		IMEIBlocked:          values["imei_blocked"],
		DataNotErased:        values["data_not_erased"],
		SoftwareOKRate:       values["software_ok_rate"],
		MarkingsAltered:      values["markings_altered"],
		MysteryOrders:        values["mystery_orders"],
		IdentityMismatch:     values["identity_mismatch"],
		OvergradedRate:       values["overgraded_rate"],
		ShippedDamaged:       values["shipped_damaged"],
		AccessoriesOKRate:    values["accessories_ok_rate"],
		PackagingFailures:    values["packaging_failures"],
		LowChargeRate:        values["low_charge_rate"],
		Orders:               values["orders"],
		LateShipmentRate:     values["late_shipment_rate"],
		ValidTrackingRate:    values["valid_tracking_rate"],
		CancellationRate:     values["cancellation_rate"],
		TechnicalReturnRate:  values["technical_return_rate"],
		OrderDefectRate:      values["order_defect_rate"],
		Messages:             values["messages"],
		MessageResponseRate:  values["message_response_rate"],
		WarrantyClaims:       values["warranty_claims"],
		WarrantyRemedyRate:   values["warranty_remedy_rate"],
		WarrantyMonths:       values["warranty_months"],
		CAPADue:              values["capa_due"],
		CAPAOverdue:          values["capa_overdue"],
		Lots:                 values["lots"],
		LotsRejected:         values["lots_rejected"],
		LotRejectionRate:     values["lot_rejection_rate"],
	}
}
