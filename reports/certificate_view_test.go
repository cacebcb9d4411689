package reports

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// The domain's certificate of a record, worded, is the certificate of the record: one model
// for the PDF and the public verification. The view's protocol completes the tests (a test
// the record left out is not tested), its canonical code is printed with its dashes, a
// mystery order is the quality team's, and a superseded record carries the grade that stands
// in the same words.
func TestCertificateOfView(t *testing.T) {
	bt := certBenchTest(t)
	ps := protocols(t)
	view := audit.NewCertificate(audit.Certified{Kind: audit.KindBenchTest, ID: bt.ID, SellerID: bt.SellerID, Lab: bt.Lab,
		TestedAt: bt.TestedAt, RecordedAt: bt.CreatedAt, Inspection: bt.Inspection, Grade: bt.Grade,
		VerificationCode: "K7Q2M9XD4TPAR8VW"}, ps, nil)
	assert.Equal(t, CertificateOf(bt, certURL, certCode), CertificateOfView(view, certURL))

	delete(bt.Inspection.Functional, "nfc")
	view = audit.NewCertificate(audit.Certified{Kind: audit.KindBenchTest, Inspection: bt.Inspection, Grade: bt.Grade}, ps, nil)
	c := CertificateOfView(view, certURL)
	require.Len(t, c.Tests, 2)
	assert.Equal(t, TestGroup{Outcome: grading.NotTested, Label: "Not tested", Tests: []string{"NFC"}}, c.Tests[1])

	view.Kind, view.Lab = audit.KindMysteryOrder, ""
	c = CertificateOfView(view, certURL)
	assert.Equal(t, SourceMysteryOrder, c.Source)
	assert.Equal(t, MysteryOrderLab, c.Lab)
	assert.Nil(t, c.Correction)

	cracked := certBenchTest(t).Inspection
	cracked.Cosmetic.Screen = grading.Zone{Cracks: 1, VisibleFromCM: 100}
	g := grading.Evaluate(cracked, ps[grading.Smartphone])
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	view.Correction = &audit.CertificateCorrection{Grade: g, CorrectedAt: at}
	c = CertificateOfView(view, certURL)
	label, meaning := gradeWords(g)
	assert.Equal(t, &CertificateCorrection{Status: grading.NotSellable, Functional: grading.F0, Cosmetic: grading.CosmeticE,
		GradeLabel: label, GradeMeaning: meaning, FunctionalLabel: "F0 · fully functional", CosmeticLabel: "E · Cracked",
		CorrectedAt: at}, c.Correction)
	assert.Equal(t, "Not for sale", label)
}
