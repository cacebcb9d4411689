package reports

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/grading"
	"github.com/refurbqa/refurbqa/reports/pdftest"
)

const (
	certIMEI   = "356938035643809" // a valid Luhn IMEI: only 3809 may ever be printed
	certURL    = "https://quality.example.com/verify/K7Q2-M9XD-4TPA-R8VW"
	certCode   = "K7Q2-M9XD-4TPA-R8VW"
	certSerial = "C02ZX4A7MD6T"
)

func protocols(t testing.TB) grading.Protocols {
	t.Helper()
	ps, err := checklist.LoadProtocols()
	require.NoError(t, err)
	return ps
}

// passAll records every test of a category's protocol as passed.
func passAll(p grading.Protocol) map[string]grading.Outcome {
	m := map[string]grading.Outcome{}
	for _, tc := range p.Tests {
		m[tc.Code] = grading.Pass
	}
	return m
}

// certBenchTest is a graded bench test of an iPhone with light wear on its body: excellent.
func certBenchTest(t testing.TB) audit.BenchTest {
	t.Helper()
	p := protocols(t)[grading.Smartphone]
	cycles := 312
	in := grading.Inspection{
		Device:     grading.Device{Category: grading.Smartphone, Brand: "Apple", Model: "iPhone 13", IMEI: certIMEI, StorageGB: 128},
		Functional: passAll(p),
		Battery:    grading.Battery{HealthPct: 88.5, CycleCount: &cycles, Genuine: true},
		Cosmetic:   grading.Cosmetic{Body: grading.Zone{LightScratches: 2, VisibleFromCM: 15}},
		Compliance: grading.Compliance{IMEIStatus: grading.IMEIClean, DataErased: true, FactoryReset: true,
			OSUpToDate: true, MarkingsIntact: true, DisplayLikeForLike: true},
	}
	bt := audit.BenchTest{
		ID: "bt_01kcert000000000000000000000", SellerID: "sel_01kseller00000000000000000000",
		Lab: "Łódź Refurb Lab – bench 3", TestedAt: time.Date(2026, 11, 3, 14, 20, 0, 0, time.UTC),
		Inspection: in, CreatedAt: time.Date(2026, 11, 3, 14, 25, 7, 0, time.UTC),
	}
	audit.DeriveBenchTest(&bt, p)
	require.Equal(t, grading.Excellent, bt.Grade.Marketplace, "fixture")
	return bt
}

func renderCertificate(t testing.TB, c Certificate) []byte {
	t.Helper()
	r, err := NewRenderer()
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, r.WriteCertificate(&buf, c))
	return buf.Bytes()
}

func TestCertificateText(t *testing.T) {
	bt := certBenchTest(t)
	c := CertificateOf(bt, certURL, certCode)
	pdf := renderCertificate(t, c)
	text := pdftest.Text(t, pdf)
	flat := squash(text)

	assert.Equal(t, 1, strings.Count(text, "\f"), "one page")
	for _, want := range []string{
		// the device
		"Apple iPhone 13", "Smartphone", "128 GB", "IMEI •••••••••••3809",
		// the grade and what it means
		"Excellent", "no mark on the screen, and any light scratch on the body cannot be seen from 20 cm away",
		// the cosmetic grade and each zone in words
		"B · Light wear", "SCREEN No marks", "BODY 2 light scratches · visible from 15 cm",
		// the battery
		"88.5% of its original capacity · genuine", "312 charge cycles",
		// the functional tests by outcome
		"F0 · fully functional", "PASSED (21)", "Front camera", "Powers on", "Wi-Fi", "NFC",
		// the compliance checks passed, and no part replaced
		"Compliance checks passed", "No activation or carrier lock", "IMEI clean", "No liquid damage",
		"Previous owner's data erased", "Factory reset", "Software up to date", "Original markings intact",
		"Display like-for-like", "All original parts",
		// the lab, the test date, the ruleset, the record
		"Łódź Refurb Lab – bench 3", "2026-11-03", "2026.1", "bt_01kcert000000000000000000000",
		// the verification code and address
		certCode, certURL,
	} {
		assert.Contains(t, flat, want)
	}
	assert.NotContains(t, flat, "FAILED (", "no test failed")
	assert.NotContains(t, flat, "NOT APPLICABLE (")
	assert.NotContains(t, flat, "NOT PASSED")

	// The full IMEI is nowhere: not in the text, not in the bytes, the streams uncompressed
	// and the properties (UTF-16 hex strings) included.
	assert.NotContains(t, text, certIMEI)
	assert.NotContains(t, text, certIMEI[:11])
	pdftest.Check(t, pdf)
	raw := uncompressed(t, pdf)
	for _, b := range [][]byte{pdf, raw} {
		assert.False(t, bytes.Contains(b, []byte(certIMEI[:11])))
		assert.False(t, bytes.Contains(bytes.ToUpper(b), []byte(utf16Hex(certIMEI[:11]))))
	}
	assert.True(t, bytes.Contains(bytes.ToUpper(raw), []byte(utf16Hex("Apple iPhone 13"))), "the check reads the properties: the title is there")
}

// Every kind of record, including the worst one for the layout, stays on one page and shows
// its grade's words, its identity masked, and what failed.
func TestCertificateRecords(t *testing.T) {
	ps := protocols(t)
	long := strings.Repeat("Reconditionnement Général ", 3) + "SARL"
	tests := []struct {
		name  string
		edit  func(bt *audit.BenchTest)
		want  []string
		never []string
	}{
		{"premium, serial only", func(bt *audit.BenchTest) {
			bt.Inspection.Device = grading.Device{Category: grading.Laptop, Brand: "Lenovo", Model: "ThinkPad T14s Gen 3", Serial: certSerial, StorageGB: 512}
			bt.Inspection.Functional = passAll(ps[grading.Laptop])
			bt.Inspection.Cosmetic = grading.Cosmetic{}
			bt.Inspection.Battery = grading.Battery{HealthPct: 96, Genuine: true}
			bt.Inspection.Compliance.IMEIStatus = grading.IMEINotApplicable
		}, []string{"Premium", "Like new: not a single mark", "A · Like new", "Laptop", "512 GB", "Serial number ••••••••MD6T",
			"96% of its original capacity"}, []string{certSerial, "IMEI •"}},
		{"tablet without a flash", func(bt *audit.BenchTest) {
			bt.Inspection.Device = grading.Device{Category: grading.Tablet, Brand: "Apple", Model: "iPad Air (5th generation) Wi-Fi", Serial: certSerial, StorageGB: 64}
			bt.Inspection.Functional = passAll(ps[grading.Tablet])
			bt.Inspection.Functional["flash"] = grading.NotApplicable
			bt.Inspection.Compliance.IMEIStatus = grading.IMEINotApplicable
		}, []string{"Excellent", "Tablet", "64 GB", "NOT APPLICABLE (1) Flash"}, []string{certSerial, "IMEI •"}},
		{"rejected: activation lock, non-genuine parts", func(bt *audit.BenchTest) {
			bt.Inspection.Compliance.ActivationLock = true
			bt.Inspection.Parts = grading.Parts{NonGenuine: []string{"screen", "charging_port"}, Disclosed: false}
		}, []string{"Not for sale", "must not be sold", "NOT PASSED", "An activation or carrier lock remains",
			"Non-genuine: Screen, Charging port", "(not disclosed in the listing)"}, []string{certIMEI}},
		{"not sellable: a failed test and a cracked screen", func(bt *audit.BenchTest) {
			bt.Inspection.Functional["rear_camera"] = grading.Fail
			bt.Inspection.Cosmetic.Screen = grading.Zone{Cracks: 1, Chips: 2, VisibleFromCM: 200}
		}, []string{"Not for sale", "cannot be listed in any grade", "F2 · major fault", "E · Cracked",
			"2 chips, 1 crack · visible from 200 cm", "FAILED (1) Rear camera"}, nil},
		{"incomplete", func(bt *audit.BenchTest) {
			bt.Inspection.Functional["gps"] = grading.NotTested
			bt.Inspection.Battery.HealthPct = 72
		}, []string{"Not graded", "The inspection is incomplete", "NOT TESTED (1) GPS", "72% of its original capacity"}, nil},
		{"worst case for the layout", func(bt *audit.BenchTest) {
			bt.Lab = long + " " + long
			bt.Inspection.Device.Brand, bt.Inspection.Device.Model = long, long
			for code := range bt.Inspection.Functional {
				bt.Inspection.Functional[code] = []grading.Outcome{grading.Pass, grading.Fail, grading.NotTested, grading.NotApplicable}[len(code)%4]
			}
			bt.Inspection.Compliance = grading.Compliance{ActivationLock: true, IMEIStatus: grading.IMEIFinanced, LiquidDamage: true}
			bt.Inspection.Parts = grading.Parts{NonGenuine: grading.PartNames, Disclosed: true}
			bt.Inspection.Cosmetic = grading.Cosmetic{
				Screen: grading.Zone{LightScratches: 12, DeepScratches: 9, Chips: 4, Cracks: 2, VisibleFromCM: 300},
				Body:   grading.Zone{LightScratches: 30, DeepScratches: 20, Dents: 7, Chips: 5, Cracks: 3, VisibleFromCM: 300},
			}
		}, []string{"Not for sale", "IMEI financed", "Liquid damage found", "(disclosed in the listing)",
			"The IMEI or serial number is shown by its last four characters only."}, []string{certIMEI}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bt := certBenchTest(t)
			tt.edit(&bt)
			audit.DeriveBenchTest(&bt, ps[bt.Inspection.Device.Category])
			pdf := renderCertificate(t, CertificateOf(bt, certURL, certCode))
			text := pdftest.Text(t, pdf)
			flat := squash(text)
			assert.Equal(t, 1, strings.Count(text, "\f"), "one page")
			for _, w := range tt.want {
				assert.Contains(t, flat, w)
			}
			raw := bytes.ToUpper(uncompressed(t, pdf))
			for _, w := range tt.never {
				assert.NotContains(t, flat, w)
				assert.False(t, bytes.Contains(raw, bytes.ToUpper([]byte(w))), "%q in the PDF's bytes", w)
				assert.False(t, bytes.Contains(raw, []byte(utf16Hex(w))), "%q in the PDF's properties", w)
			}
			// The last line of the page is still on it.
			assert.Contains(t, flat, "last four characters only.")
			assert.Contains(t, flat, certCode)
		})
	}
}

func TestCertificateOfOrder(t *testing.T) {
	bt := certBenchTest(t)
	o := audit.MysteryOrder{
		ID: "mo_01kcert000000000000000000000", SellerID: bt.SellerID, OrderRef: "MO-2026-00042",
		OrderedAt: time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC), Inspection: bt.Inspection, Grade: bt.Grade,
		CreatedAt: time.Date(2026, 10, 24, 9, 0, 0, 0, time.UTC),
	}
	c := CertificateOfOrder(o, certURL, certCode)
	assert.Equal(t, SourceMysteryOrder, c.Source)
	assert.Equal(t, MysteryOrderLab, c.Lab)
	assert.Equal(t, o.CreatedAt, c.TestedAt)
	flat := squash(pdftest.Text(t, renderCertificate(t, c)))
	for _, w := range []string{"MYSTERY ORDER", "mo_01kcert000000000000000000000", MysteryOrderLab, "2026-10-24", "Excellent"} {
		assert.Contains(t, flat, w)
	}
	assert.NotContains(t, flat, "MO-2026-00042", "the order reference is the marketplace's, not the buyer's")
}

// The model never holds the full identity, so nothing built from it (the verification page
// too) can show it.
func TestCertificateOfMasksIdentity(t *testing.T) {
	bt := certBenchTest(t)
	c := CertificateOf(bt, certURL, certCode)
	assert.Equal(t, "IMEI", c.Device.IdentityKind)
	assert.Equal(t, "•••••••••••3809", c.Device.Identity)
	bt.Inspection.Device.IMEI, bt.Inspection.Device.Serial = "", "AB12"
	c = CertificateOf(bt, certURL, certCode)
	assert.Equal(t, "Serial number", c.Device.IdentityKind)
	assert.Equal(t, "AB12", c.Device.Identity, "four characters are all shown")
	assert.Equal(t, bt.CreatedAt, c.Issued, "issued on the day the record was stored: its certificate never changes")
}

func TestCertificateDeterministic(t *testing.T) {
	c := CertificateOf(certBenchTest(t), certURL, certCode)
	first := renderCertificate(t, c)
	r, err := NewRenderer()
	require.NoError(t, err)
	var wg sync.WaitGroup
	got := make([][]byte, 4)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			assert.NoError(t, r.WriteCertificate(&buf, c))
			got[i] = buf.Bytes()
		}()
	}
	wg.Wait()
	for i, g := range got {
		assert.True(t, bytes.Equal(first, g), "render %d differs", i)
	}
	// The functional results come from a map: another order of insertion gives the same bytes.
	again := certBenchTest(t)
	again.Inspection.Functional = map[string]grading.Outcome{}
	for code, o := range certBenchTest(t).Inspection.Functional {
		again.Inspection.Functional[code] = o
	}
	assert.True(t, bytes.Equal(first, renderCertificate(t, CertificateOf(again, certURL, certCode))))

	other := c
	other.Issued = c.Issued.AddDate(0, 0, 1)
	assert.False(t, bytes.Equal(first, renderCertificate(t, other)), "another date, another document")
	assert.Regexp(t, regexp.MustCompile(`/CreationDate\s*\(D:20261103142507`), string(first))
}

func TestCertificateRequires(t *testing.T) {
	r, err := NewRenderer()
	require.NoError(t, err)
	c := CertificateOf(certBenchTest(t), certURL, certCode)
	for name, edit := range map[string]func(*Certificate){
		"issue date":       func(c *Certificate) { c.Issued = time.Time{} },
		"verification URL": func(c *Certificate) { c.VerifyURL = " " },
		"code":             func(c *Certificate) { c.Code = "" },
	} {
		t.Run(name, func(t *testing.T) {
			cc := c
			edit(&cc)
			err := r.WriteCertificate(&bytes.Buffer{}, cc)
			assert.ErrorIs(t, err, audit.ErrInvalid)
		})
	}
}

// The QR code decodes to the verification address: the page is rendered to an image with
// pdftoppm and read back with zbarimg, as a buyer's phone would.
func TestCertificateQRCode(t *testing.T) {
	zbar := pdftest.Tool(t, "zbarimg", "zbar-tools")
	ppm := pdftest.Tool(t, "pdftoppm", "poppler-utils")
	for _, url := range []string{certURL, "http://127.0.0.1:8080/verify/ABCD-EFGH-JKLM-NPQR-STUV"} {
		t.Run(url, func(t *testing.T) {
			c := CertificateOf(certBenchTest(t), url, certCode)
			pdf := pdftest.Write(t, renderCertificate(t, c))
			prefix := filepath.Join(t.TempDir(), "page")
			out, err := exec.Command(ppm, "-png", "-r", "150", "-singlefile", pdf, prefix).CombinedOutput()
			require.NoError(t, err, string(out))
			cmd := exec.Command(zbar, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", prefix+".png")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr // zbarimg may complain there that it finds no D-Bus
			out, err = cmd.Output()
			require.NoError(t, err, stderr.String())
			assert.Equal(t, url, strings.TrimSpace(string(out)))
		})
	}
}

// uncompressed is a PDF with every stream decompressed (qpdf --qdf), so that a test can look
// for a text in the bytes a reader sees.
func uncompressed(t testing.TB, pdf []byte) []byte {
	t.Helper()
	bin := pdftest.Tool(t, "qpdf", "qpdf")
	out := filepath.Join(t.TempDir(), "qdf.pdf")
	msg, err := exec.Command(bin, "--qdf", "--object-streams=disable", pdftest.Write(t, pdf), out).CombinedOutput()
	require.NoError(t, err, string(msg))
	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	return raw
}

// utf16Hex is s as the upper-case hex of its UTF-16BE code units, as PDF properties hold it.
func utf16Hex(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "%04X", r)
	}
	return b.String()
}

// BenchmarkCertificate renders the certificate of a typical bench test with a renderer
// created once, as the endpoint does. Target: at most 5 ms of CPU per certificate.
func BenchmarkCertificate(b *testing.B) {
	c := CertificateOf(certBenchTest(b), certURL, certCode)
	benchRender(b, "KiB/certificate", func(r *Renderer, w io.Writer) error { return r.WriteCertificate(w, c) })
}

// The words of the certificate, which the verification page prints too.
func TestCertificateWords(t *testing.T) {
	t.Run("grades", func(t *testing.T) {
		tests := []struct {
			g             grading.Grade
			label, starts string
		}{
			{grading.Grade{Status: grading.Sellable, Marketplace: grading.Premium}, "Premium", "Like new: not a single mark"},
			{grading.Grade{Status: grading.Sellable, Marketplace: grading.Excellent}, "Excellent", "Close to new: no mark on the screen"},
			{grading.Grade{Status: grading.Sellable, Marketplace: grading.Good}, "Good", "Lightly used: no mark on the screen"},
			{grading.Grade{Status: grading.Sellable, Marketplace: grading.Fair}, "Fair", "Visibly used:"},
			{grading.Grade{Status: grading.Rejected, Functional: grading.F0, Cosmetic: grading.CosmeticA}, "Not for sale", "This device must not be sold"},
			{grading.Grade{Status: grading.NotSellable, Functional: grading.F1, Cosmetic: grading.CosmeticB}, "Not for sale", "This device cannot be listed in any grade: it has a functional fault (F1 · minor fault)"},
			{grading.Grade{Status: grading.Incomplete, Cosmetic: grading.CosmeticA}, "Not graded", "The inspection is incomplete"},
		}
		for _, tt := range tests {
			label, meaning := gradeWords(tt.g)
			assert.Equal(t, tt.label, label, "%+v", tt.g)
			assert.True(t, strings.HasPrefix(meaning, tt.starts), "%+v: %s", tt.g, meaning)
			assert.True(t, strings.HasSuffix(meaning, "."), "a sentence: %s", meaning)
		}
	})
	t.Run("zones", func(t *testing.T) {
		assert.Equal(t, "No marks", zoneMarks(grading.Zone{}))
		assert.Equal(t, "1 light scratch · visible from 10 cm", zoneMarks(grading.Zone{LightScratches: 1, VisibleFromCM: 10}))
		assert.Equal(t, "3 deep scratches, 1 dent, 2 chips, 1 crack · visible from 120 cm",
			zoneMarks(grading.Zone{DeepScratches: 3, Dents: 1, Chips: 2, Cracks: 1, VisibleFromCM: 120}))
	})
	t.Run("battery", func(t *testing.T) {
		one := 1
		assert.Equal(t, "88.5% of its original capacity · genuine battery", batterySummary(grading.Battery{HealthPct: 88.5, Genuine: true}))
		assert.Equal(t, "79.9% of its original capacity · non-genuine battery · 1 charge cycle", batterySummary(grading.Battery{HealthPct: 79.94, CycleCount: &one}))
	})
	t.Run("tests", func(t *testing.T) {
		groups := testGroups(map[string]grading.Outcome{"wifi": grading.Pass, "front_camera": grading.Pass, "gps": grading.Fail, "flash": grading.NotApplicable, "nfc": grading.NotTested})
		assert.Equal(t, []TestGroup{
			{Outcome: grading.Pass, Label: "Passed", Tests: []string{"Front camera", "Wi-Fi"}},
			{Outcome: grading.Fail, Label: "Failed", Tests: []string{"GPS"}},
			{Outcome: grading.NotTested, Label: "Not tested", Tests: []string{"NFC"}},
			{Outcome: grading.NotApplicable, Label: "Not applicable", Tests: []string{"Flash"}},
		}, groups)
	})
	t.Run("compliance", func(t *testing.T) {
		passed, failed := complianceWords(grading.Compliance{IMEIStatus: grading.IMEIUnknown, DataErased: true, OSUpToDate: true})
		assert.Equal(t, []string{"No activation or carrier lock", "No liquid damage", "Previous owner's data erased", "Software up to date"}, passed)
		assert.Equal(t, []string{"IMEI unknown", "Not factory reset", "Markings altered", "Display not like-for-like"}, failed)
		passed, _ = complianceWords(grading.Compliance{IMEIStatus: grading.IMEINotApplicable})
		assert.NotContains(t, strings.Join(passed, " "), "IMEI", "a device without an IMEI has no IMEI check")
	})
}
