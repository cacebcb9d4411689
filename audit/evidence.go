package audit

import (
	"time"

	"github.com/refurbqa/refurbqa/grading"
)

// DeviceEvidence is a bench-tested or mystery-ordered device as it stands behind a failed point
// of a scorecard: who it is, when it was seen and how it graded. It is read without the
// inspection document, so that the hundreds of devices behind a bad scorecard stay cheap to
// show; a feedback report needs nothing more of them.
type DeviceEvidence struct {
	ID          string // the bench test or mystery order
	Brand       string
	Model       string
	IMEI        string // empty when the device has none
	Serial      string
	At          time.Time // tested_at of a bench test, ordered_at of a mystery order
	Status      grading.Status
	Functional  grading.Functional // empty when the inspection was incomplete
	Cosmetic    grading.CosmeticGrade
	Marketplace grading.Marketplace // empty unless Status is sellable
	// OrderRef and DeliveredAt are a mystery order's; a bench test has neither.
	OrderRef    string
	DeliveredAt *time.Time // nil when not delivered
}

// OrderGrade is a mystery order's listed grade beside the grade its inspection found: all that
// the grade-accuracy matrix of a report reads of an order.
type OrderGrade struct {
	ID          string
	SellerID    string
	ListedGrade grading.Marketplace // empty (or unknown) when the listing named none
	Status      grading.Status      // the grading status observed
	Marketplace grading.Marketplace // the grade observed; empty unless Status is sellable
	Supersedes  string              // the order this one corrects; empty when none
}
