package reports_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/reports"
)

// The verification address: the public URL (its path kept, its final slash not) and the code
// with its dashes; without a public URL, the request's origin; without either, the path alone.
func TestVerificationURL(t *testing.T) {
	const code = "7K3MQ9XD2R4TVW8H"
	for raw, want := range map[string]string{
		"https://qa.example.com":         "https://qa.example.com/verify/7K3M-Q9XD-2R4T-VW8H",
		"https://qa.example.com/":        "https://qa.example.com/verify/7K3M-Q9XD-2R4T-VW8H",
		"http://qa.example.com:8080/qa/": "http://qa.example.com:8080/qa/verify/7K3M-Q9XD-2R4T-VW8H",
	} {
		u, err := reports.ParsePublicURL(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, want, reports.VerificationURL(u, "http://ignored.example", code), raw)
	}
	assert.Equal(t, "http://127.0.0.1:8080/verify/7K3M-Q9XD-2R4T-VW8H", reports.VerificationURL(nil, "http://127.0.0.1:8080", code))
	assert.Equal(t, "/verify/7K3M-Q9XD-2R4T-VW8H", reports.VerificationURL(nil, "", code))

	u, err := reports.ParsePublicURL("")
	assert.NoError(t, err)
	assert.Nil(t, u, "no public URL")
	for _, bad := range []string{"qa.example.org", "ftp://qa.example.org", "https://", "https://qa.example.org/?x=1",
		"https://u@qa.example.org", "https://qa.example.org/#f", "https://qa.example.org/%zz", "https://qa.example.org/?"} {
		_, err := reports.ParsePublicURL(bad)
		assert.Error(t, err, bad)
	}
}

// A request's origin is its Host only when that is a plain host name or address with an
// optional port; https only over TLS.
func TestOrigin(t *testing.T) {
	for _, host := range []string{"api.example.org:8443", "127.0.0.1:8080", "[::1]:8080", "localhost", "x.example:65535"} {
		assert.Equal(t, "http://"+host, reports.Origin(host, false), host)
		assert.Equal(t, "https://"+host, reports.Origin(host, true), host)
	}
	for _, host := range []string{`evil.example"><script>alert(1)</script>`, "a b", "x.example:80:80", "x.example:http",
		"", "[::1", "[]:80", "user@x.example", "x.example:", "x.example:1234567", "x.example/path"} {
		assert.Empty(t, reports.Origin(host, false), "Host %q", host)
	}
}

// failing is a certificate writer that fails after writing a little.
type failing struct{}

func (failing) WriteCertificate(w io.Writer, _ reports.Certificate) error {
	_, _ = io.WriteString(w, "%PDF-half")
	return errors.New("disk on fire")
}

// DrawCertificate gives the whole file, the same bytes for the same certificate, or an error
// naming the certificate and never half a file; the file is named after the printed code.
func TestDrawCertificate(t *testing.T) {
	r, err := reports.NewRenderer()
	require.NoError(t, err)
	day := time.Date(2026, 10, 2, 7, 0, 0, 0, time.UTC)
	v := audit.Certificate{Kind: audit.KindBenchTest, RecordID: "bt_1", Code: "7K3MQ9XD2R4TVW8H", TestedAt: day, RecordedAt: day}
	first, err := reports.DrawCertificate(r, v, "https://qa.example.com/verify/7K3M-Q9XD-2R4T-VW8H")
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(first, []byte("%PDF-")))
	again, err := reports.DrawCertificate(r, v, "https://qa.example.com/verify/7K3M-Q9XD-2R4T-VW8H")
	require.NoError(t, err)
	assert.Equal(t, first, again)
	other, err := reports.DrawCertificate(r, v, "https://elsewhere.example/verify/7K3M-Q9XD-2R4T-VW8H")
	require.NoError(t, err)
	assert.NotEqual(t, first, other, "the address is in the file (its QR code)")

	pdf, err := reports.DrawCertificate(failing{}, v, "")
	assert.Nil(t, pdf)
	assert.ErrorContains(t, err, "certificate 7K3M-Q9XD-2R4T-VW8H: disk on fire")

	assert.Equal(t, "certificate-7K3M-Q9XD-2R4T-VW8H.pdf", reports.CertificateFileName("7K3MQ9XD2R4TVW8H"))
}
