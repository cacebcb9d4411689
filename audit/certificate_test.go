package audit

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/grading"
)

// certStore is the intake fake with the certificate ports: records by code, the chains of
// corrections the intake fake keeps, and codes given on demand.
type certStore struct {
	*intakeStore
	byCodeCalls int
	refCalls    int
	assigned    []string // "kind id code" of each AssignVerificationCode
}

func (f *certStore) CertifiedByCode(_ context.Context, code string) (Certified, error) {
	f.byCodeCalls++
	for _, r := range f.bench {
		if r.VerificationCode == code {
			return Certified{Kind: KindBenchTest, ID: r.ID, SellerID: r.SellerID, Lab: r.Lab, TestedAt: r.TestedAt, RecordedAt: r.CreatedAt,
				Inspection: r.Inspection, Grade: r.Grade, VerificationCode: code, SupersededBy: r.SupersededBy}, nil
		}
	}
	for _, r := range f.orders {
		if r.VerificationCode == code {
			return Certified{Kind: KindMysteryOrder, ID: r.ID, SellerID: r.SellerID, TestedAt: r.CreatedAt, RecordedAt: r.CreatedAt,
				Inspection: r.Inspection, Grade: r.Grade, VerificationCode: code, SupersededBy: r.SupersededBy}, nil
		}
	}
	return Certified{}, fmt.Errorf("code %s: %w", code, ErrNotFound)
}

func (f *certStore) RecordOfCode(ctx context.Context, code string) (RecordRef, error) {
	f.refCalls++
	c, err := f.CertifiedByCode(ctx, code)
	f.byCodeCalls--
	return RecordRef{Kind: c.Kind, ID: c.ID, SupersededBy: c.SupersededBy}, err
}

func (f *certStore) LatestCorrection(_ context.Context, kind RecordKind, id string) (Correction, error) {
	var last *Correction
	for {
		var next string
		var g grading.Grade
		var at time.Time
		if kind == KindBenchTest {
			next = f.bench[id].SupersededBy
			g, at = f.bench[next].Grade, f.bench[next].CreatedAt
		} else {
			next = f.orders[id].SupersededBy
			g, at = f.orders[next].Grade, f.orders[next].CreatedAt
		}
		if next == "" {
			break
		}
		last, id = &Correction{ID: next, Grade: g, CorrectedAt: at}, next
	}
	if last == nil {
		return Correction{}, fmt.Errorf("correction of %s: %w", id, ErrNotFound)
	}
	return *last, nil
}

func (f *certStore) AssignVerificationCode(_ context.Context, kind RecordKind, id, code string) (string, error) {
	f.assigned = append(f.assigned, fmt.Sprintf("%s %s %s", kind, id, code))
	r := f.bench[id]
	if r.VerificationCode == "" {
		r.VerificationCode = code
		f.bench[id] = r
	}
	return r.VerificationCode, nil
}

// certService is a service over a certStore of seller sl_01, whose random source is the
// stream given.
func certService(random []byte) (*Service, *certStore) {
	st := &certStore{intakeStore: newIntakeStore("sl_01")}
	return NewService(ServiceConfig{Store: st, Protocols: testProtocols(), Now: time.Now,
		Random: bytes.NewReader(random)}), st
}

// stream is n codes' worth of randomness: the bytes i, i+1, … of each code from first.
func stream(n int) []byte {
	var out []byte
	for i := range n * 10 {
		out = append(out, byte(i))
	}
	return out
}

// The intake gives every record its code, from the service's random source, once it is valid:
// a single bench test, each of a batch, a correction (a code of its own; the corrected record
// keeps its code), a mystery order and its correction. A source that fails stores nothing.
func TestIntakeGivesVerificationCodes(t *testing.T) {
	ctx := context.Background()
	svc, st := certService(stream(6))
	codes := []string{"000G40R40M30E209", "185GR38E1W8124GK", "2GAHC5RR34D1P70X"}

	bad := validBenchTest(t)
	bad.Lab = ""
	_, _, err := svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: bad})
	require.ErrorIs(t, err, ErrInvalid)

	in := validBenchTest(t)
	in.VerificationCode = "ZZZZZZZZZZZZZZZZ" // the service's to give, not the input's
	rec, _, err := svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: in})
	require.NoError(t, err)
	assert.Equal(t, codes[0], rec.VerificationCode, "the first code of the stream: an invalid input draws none")

	batch := []Input[BenchTest]{{Value: validBenchTest(t)}, {Value: bad}, {Value: validBenchTest(t)}}
	batch[0].Value.ExternalID, batch[2].Value.ExternalID = "B-1", "B-2"
	res, err := svc.RecordBenchTests(ctx, technician, batch)
	require.NoError(t, err)
	assert.Equal(t, codes[1], st.bench[res[0].ID].VerificationCode)
	assert.Equal(t, BatchInvalid, res[1].Outcome)
	assert.Equal(t, codes[2], st.bench[res[2].ID].VerificationCode)

	corr, err := svc.CorrectBenchTest(ctx, technician, rec.ID, Input[BenchTest]{Value: validBenchTest(t)})
	require.NoError(t, err)
	assert.NotEqual(t, rec.VerificationCode, corr.VerificationCode)
	canonical, ok := ParseVerificationCode(corr.VerificationCode)
	assert.True(t, ok && canonical == corr.VerificationCode)
	assert.Equal(t, codes[0], st.bench[rec.ID].VerificationCode, "the corrected record keeps its code")

	mo, err := svc.RecordMysteryOrder(ctx, technician, Input[MysteryOrder]{Value: validMysteryOrder(t)})
	require.NoError(t, err)
	moFix, err := svc.CorrectMysteryOrder(ctx, technician, mo.ID, Input[MysteryOrder]{Value: validMysteryOrder(t)})
	require.NoError(t, err)
	assert.NotEmpty(t, mo.VerificationCode)
	assert.NotEqual(t, mo.VerificationCode, moFix.VerificationCode)

	// The stream is used up: the next record cannot have a code, so it is not stored.
	writes := st.writes
	other := validBenchTest(t)
	other.ExternalID = "LAST"
	_, _, err = svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: other})
	assert.ErrorContains(t, err, "verification code randomness")
	_, err = svc.RecordMysteryOrder(ctx, technician, Input[MysteryOrder]{Value: validMysteryOrder(t)})
	assert.ErrorContains(t, err, "verification code randomness")
	assert.Equal(t, writes, st.writes, "nothing stored without a code")

	failing := NewService(ServiceConfig{Store: st, Protocols: testProtocols(), Random: iotest.ErrReader(assert.AnError)})
	_, err = failing.RecordBenchTests(ctx, technician, []Input[BenchTest]{{Value: other}})
	assert.ErrorIs(t, err, assert.AnError)
	assert.Equal(t, writes, st.writes)
}

func TestMaskIdentifier(t *testing.T) {
	tests := []struct{ in, want string }{
		{"356938035643809", "•••••••••••3809"},
		{"F2LXK0ABCD", "••••••ABCD"},
		{"ABCDE", "•BCDE"},
		{"ABCD", "ABCD"}, // its last 4 characters are all of it
		{"A", "A"},
		{"", ""},
		{strings.Repeat("X", 60) + "1234", strings.Repeat("•", 12) + "1234"},
	}
	for _, tt := range tests {
		got := MaskIdentifier(tt.in)
		assert.Equal(t, tt.want, got, "%q", tt.in)
		if len(tt.in) > 4 {
			assert.NotContains(t, got, tt.in[:len(tt.in)-4])
		}
	}
}

// A certificate holds the facts transparency.md §1 lists, and nothing of the seller: the
// device with its IMEI masked (its serial when it has no IMEI), the grade without its reasons,
// each zone's marks, the battery, every test of the protocol (one left out is not tested), the
// compliance checks, the parts, the lab, the dates and the ruleset.
func TestNewCertificate(t *testing.T) {
	in := pristineInspection()
	in.Functional = map[string]grading.Outcome{"power_on": grading.Pass, "flash": grading.Fail, "extra": grading.Pass} // display left out
	in.Cosmetic.Body = grading.Zone{LightScratches: 2, VisibleFromCM: 15}
	in.Compliance.OSUpToDate = false
	in.Parts = grading.Parts{NonGenuine: []string{"battery", "screen"}, Disclosed: true}
	g := grading.Evaluate(in, testProtocol())
	require.NotEmpty(t, g.Reasons)
	at := time.Date(2026, 10, 2, 9, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	stored := at.Add(time.Hour)
	c := Certified{Kind: KindBenchTest, ID: "bt_1", SellerID: "sl_01", Lab: "Lyon lab 2", TestedAt: at, RecordedAt: stored,
		Inspection: in, Grade: g, VerificationCode: "7K3MQ9XD2R4TVW8H"}

	cert := NewCertificate(c, testProtocols(), nil)
	noReasons := g
	noReasons.Reasons = nil
	assert.Equal(t, Certificate{
		Kind: KindBenchTest, RecordID: "bt_1", Code: "7K3MQ9XD2R4TVW8H",
		Device: CertificateDevice{Category: grading.Smartphone, Brand: "Apple", Model: "iPhone 13", StorageGB: 128,
			IdentifierKind: "imei", Identifier: "•••••••••••3809"},
		Grade:    noReasons,
		Cosmetic: in.Cosmetic, Battery: in.Battery,
		Functional: map[string]grading.Outcome{"power_on": grading.Pass, "display": grading.NotTested,
			"flash": grading.Fail, "extra": grading.Pass},
		Compliance: in.Compliance,
		Parts:      grading.Parts{NonGenuine: []string{"battery", "screen"}, Disclosed: true},
		Lab:        "Lyon lab 2", TestedAt: at.UTC(), RecordedAt: stored.UTC(),
	}, cert)
	assert.NotContains(t, fmt.Sprintf("%+v", cert), "356938035643809", "the full IMEI is nowhere")
	assert.NotContains(t, fmt.Sprintf("%+v", cert), "sl_01", "nor the seller")
	cert.Parts.NonGenuine[0] = "camera"
	assert.Equal(t, "battery", in.Parts.NonGenuine[0], "the certificate has parts of its own")

	// Without an IMEI, the serial; without a protocol, the tests as recorded.
	in.Device.IMEI = ""
	cert = NewCertificate(Certified{Kind: KindMysteryOrder, Inspection: in, Grade: grading.Evaluate(in, testProtocol())}, nil, nil)
	assert.Equal(t, CertificateDevice{Category: grading.Smartphone, Brand: "Apple", Model: "iPhone 13", StorageGB: 128,
		IdentifierKind: "serial", Identifier: "••••••ABCD"}, cert.Device)
	assert.Equal(t, in.Functional, cert.Functional)
	in.Device.Serial = ""
	cert = NewCertificate(Certified{Inspection: in}, nil, nil)
	assert.Equal(t, "", cert.Device.IdentifierKind+cert.Device.Identifier, "neither")

	// Superseded: the grade that stands now, without its reasons.
	corrAt := time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC)
	cg := grading.Evaluate(crackedInspection(), testProtocol())
	require.NotEmpty(t, cg.Reasons)
	cert = NewCertificate(c, testProtocols(), &Correction{ID: "bt_2", Grade: cg, CorrectedAt: corrAt})
	cg.Reasons = nil
	assert.Equal(t, &CertificateCorrection{Grade: cg, CorrectedAt: corrAt}, cert.Correction)
}

// The certificate of a record by id: staff any, a seller its own devices' only (404 for
// another's, as for the record); a record that has no code yet is given one, once.
func TestCertificateByID(t *testing.T) {
	ctx := context.Background()
	svc, st := certService(stream(4))
	rec, _, err := svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: validBenchTest(t)})
	require.NoError(t, err)
	mo, err := svc.RecordMysteryOrder(ctx, technician, Input[MysteryOrder]{Value: validMysteryOrder(t)})
	require.NoError(t, err)
	otherSeller := Principal{KeyID: "key_s2", Role: RoleSeller, SellerID: "sl_02"}

	for _, by := range []Principal{technician, sellerOne, {KeyID: "m", Role: RoleManager}} {
		cert, err := svc.BenchTestCertificate(ctx, by, rec.ID)
		require.NoError(t, err, by.Role)
		assert.Equal(t, rec.VerificationCode, cert.Code)
		assert.Equal(t, rec.Lab, cert.Lab)
		assert.Equal(t, rec.TestedAt, cert.TestedAt)
		cert, err = svc.MysteryOrderCertificate(ctx, by, mo.ID)
		require.NoError(t, err, by.Role)
		assert.Equal(t, mo.VerificationCode, cert.Code)
		assert.Equal(t, KindMysteryOrder, cert.Kind)
	}
	_, err = svc.BenchTestCertificate(ctx, otherSeller, rec.ID)
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = svc.MysteryOrderCertificate(ctx, otherSeller, mo.ID)
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = svc.BenchTestCertificate(ctx, technician, "bt_missing")
	assert.ErrorIs(t, err, ErrNotFound)

	// A record an older release stored without a code.
	old := st.bench[rec.ID]
	old.ID, old.VerificationCode = "bt_old", ""
	st.bench["bt_old"] = old
	cert, err := svc.BenchTestCertificate(ctx, technician, "bt_old")
	require.NoError(t, err)
	assert.Equal(t, "2GAHC5RR34D1P70X", cert.Code, "the service's next code")
	again, err := svc.BenchTestCertificate(ctx, technician, "bt_old")
	require.NoError(t, err)
	assert.Equal(t, cert.Code, again.Code, "fixed once given")
	assert.Equal(t, []string{"bench_test bt_old 2GAHC5RR34D1P70X"}, st.assigned)
}

// Verify: any form of a code finds its record, which shows what its certificate shows; a
// superseded one shows the end of its chain of corrections; a code that names nothing, or
// cannot be a code, is ErrNotFound (the latter without asking the store).
func TestVerify(t *testing.T) {
	ctx := context.Background()
	svc, st := certService(append(stream(2), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
	rec, _, err := svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: validBenchTest(t)})
	require.NoError(t, err)
	require.Equal(t, "000G40R40M30E209", rec.VerificationCode)

	for _, form := range []string{"000G40R40M30E209", "000G-40R4-0M30-E209", "oooG-4oR4-om3o-e2o9"} {
		cert, err := svc.Verify(ctx, form)
		require.NoError(t, err, form)
		assert.Equal(t, NewCertificate(Certified{Kind: KindBenchTest, ID: rec.ID, SellerID: rec.SellerID, Lab: rec.Lab,
			TestedAt: rec.TestedAt, RecordedAt: rec.CreatedAt, Inspection: rec.Inspection, Grade: rec.Grade, VerificationCode: rec.VerificationCode},
			testProtocols(), nil), cert)
		assert.Nil(t, cert.Correction)
	}

	calls := st.byCodeCalls
	for _, code := range []string{"", "000G40R40M30E20", "000G40R40M30E2U9", "bt_" + rec.ID} {
		_, err := svc.Verify(ctx, code)
		assert.ErrorIs(t, err, ErrNotFound, "%q", code)
	}
	assert.Equal(t, calls, st.byCodeCalls, "what cannot be a code is not looked up")
	_, err = svc.Verify(ctx, "ZZZZZZZZZZZZZZZZ")
	assert.ErrorIs(t, err, ErrNotFound, "a code nobody has")

	c1, err := svc.CorrectBenchTest(ctx, technician, rec.ID, Input[BenchTest]{Value: validBenchTest(t)})
	require.NoError(t, err)
	cracked := validBenchTest(t)
	cracked.Inspection = crackedInspection()
	c2, err := svc.CorrectBenchTest(ctx, technician, c1.ID, Input[BenchTest]{Value: cracked})
	require.NoError(t, err)
	cert, err := svc.Verify(ctx, rec.VerificationCode)
	require.NoError(t, err)
	assert.Equal(t, rec.Grade.Marketplace, cert.Grade.Marketplace, "the certificate's own grade")
	require.NotNil(t, cert.Correction, "superseded")
	assert.Equal(t, c2.Grade.Status, cert.Correction.Grade.Status, "by the end of the chain")
	assert.Equal(t, grading.CosmeticE, cert.Correction.Grade.Cosmetic)
	mid, err := svc.Verify(ctx, c1.VerificationCode)
	require.NoError(t, err)
	require.NotNil(t, mid.Correction)
	assert.Equal(t, grading.NotSellable, mid.Correction.Grade.Status)
	last, err := svc.Verify(ctx, "ZZZZ-ZZZZ-ZZZZ-ZZZZ")
	require.NoError(t, err, "the last correction has the last code of the stream")
	assert.Nil(t, last.Correction)
}

// The state of a verification changes exactly when what it shows does: with each correction
// of the chain, and not otherwise; VerifyWithState answers the state it showed, and
// VerificationState reads no contents to say it.
func TestVerificationState(t *testing.T) {
	ctx := context.Background()
	svc, st := certService(stream(4))
	rec, _, err := svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: validBenchTest(t)})
	require.NoError(t, err)
	other, _, err := svc.RecordBenchTest(ctx, technician, Input[BenchTest]{Value: func() BenchTest {
		bt := validBenchTest(t)
		bt.ExternalID = "OTHER"
		return bt
	}()})
	require.NoError(t, err)

	_, first, err := svc.VerifyWithState(ctx, rec.VerificationCode)
	require.NoError(t, err)
	calls := st.byCodeCalls
	again, err := svc.VerificationState(ctx, FormatVerificationCode(rec.VerificationCode))
	require.NoError(t, err)
	assert.Equal(t, first, again, "nothing changed")
	assert.Equal(t, calls, st.byCodeCalls, "no contents read")
	assert.Equal(t, 1, st.refCalls)
	otherState, err := svc.VerificationState(ctx, other.VerificationCode)
	require.NoError(t, err)
	assert.NotEqual(t, first, otherState, "another record")

	c1, err := svc.CorrectBenchTest(ctx, technician, rec.ID, Input[BenchTest]{Value: validBenchTest(t)})
	require.NoError(t, err)
	second, err := svc.VerificationState(ctx, rec.VerificationCode)
	require.NoError(t, err)
	assert.NotEqual(t, first, second, "corrected")
	_, shown, err := svc.VerifyWithState(ctx, rec.VerificationCode)
	require.NoError(t, err)
	assert.Equal(t, second, shown)
	_, err = svc.CorrectBenchTest(ctx, technician, c1.ID, Input[BenchTest]{Value: validBenchTest(t)})
	require.NoError(t, err)
	third, err := svc.VerificationState(ctx, rec.VerificationCode)
	require.NoError(t, err)
	assert.NotEqual(t, second, third, "corrected again, further down the chain")

	for _, code := range []string{"", "nope", "ZZZZZZZZZZZZZZZZ"} {
		_, err := svc.VerificationState(ctx, code)
		assert.ErrorIs(t, err, ErrNotFound, code)
	}
}
