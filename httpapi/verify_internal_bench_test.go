package httpapi

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/reports"
)

// BenchmarkVerifyPage measures what a verification not kept yet spends drawing its page.
func BenchmarkVerifyPage(b *testing.B) {
	pages, err := parsePages()
	require.NoError(b, err)
	ps, err := checklist.LoadProtocols()
	require.NoError(b, err)
	fn := map[string]grading.Outcome{}
	for _, tc := range ps[grading.Smartphone].Tests {
		fn[tc.Code] = grading.Pass
	}
	fn["nfc"] = grading.Fail
	in := grading.Inspection{Device: grading.Device{Category: grading.Smartphone, Brand: "Apple", Model: "iPhone 13",
		IMEI: "356938035643809", StorageGB: 128}, Functional: fn, Battery: grading.Battery{HealthPct: 91.5, Genuine: true},
		Cosmetic:   grading.Cosmetic{Body: grading.Zone{LightScratches: 2, VisibleFromCM: 15}},
		Compliance: grading.Compliance{IMEIStatus: grading.IMEIClean, DataErased: true, FactoryReset: true, OSUpToDate: true, MarkingsIntact: true, DisplayLikeForLike: true},
		Parts:      grading.Parts{NonGenuine: []string{"battery"}}}
	cert := reports.CertificateOfView(audit.NewCertificate(audit.Certified{Kind: audit.KindBenchTest, Lab: "Lyon lab 2", TestedAt: time.Now(),
		Inspection: in, Grade: grading.Evaluate(in, ps[grading.Smartphone]), VerificationCode: "7K3MQ9XD2R4TVW8H"}, ps, nil),
		"https://qa.example.com/verify/7K3M-Q9XD-2R4T-VW8H")
	b.ReportAllocs()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := pages.ExecuteTemplate(&buf, "verify", newVerifyPage(cert)); err != nil {
			b.Fatal(err)
		}
	}
}
