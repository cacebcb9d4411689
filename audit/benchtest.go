package audit

import "github.com/refurbqa/refurbqa/grading"

// ValidateBenchTest returns every invalid field of a bench test as submitted, sorted by dotted
// JSON path, or nil when it is valid. The inspection is checked by grading.Validate against ps
// and its errors are placed under "inspection.". The listed grade is optional because a lab
// testing stock does not always know under which grade a device will be listed.
func ValidateBenchTest(bt BenchTest, ps grading.Protocols) []grading.FieldError {
	var errs fieldErrors
	errs.line("seller_id", bt.SellerID, maxExternalLen)
	errs.line("lab", bt.Lab, maxRefLen)
	if bt.TestedAt.IsZero() {
		errs.add("tested_at", "is required")
	}
	if bt.ListedGrade != "" && !bt.ListedGrade.Valid() {
		errs.add("listed_grade", "must be one of premium, excellent, good, fair")
	}
	errs.optionalLine("external_id", bt.ExternalID, maxExternalLen)
	errs.addPrefixed("inspection.", grading.Validate(bt.Inspection, ps))
	return errs.sorted()
}

// DeriveBenchTest grades a valid bench test under protocol p and, when a listed grade was
// recorded, compares the observed marketplace grade with it; GradeMatch stays empty otherwise,
// so that bench tests without a listing never count for or against grade accuracy.
func DeriveBenchTest(bt *BenchTest, p grading.Protocol) {
	bt.Grade = grading.Evaluate(bt.Inspection, p)
	bt.GradeMatch = ""
	if bt.ListedGrade != "" {
		bt.GradeMatch = grading.Compare(bt.Grade.Marketplace, bt.ListedGrade)
	}
}
