package browsertest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/console/browsertest"
	"github.com/refurbqa/refurbqa/store"
)

// TestVerificationPage checks a certificate as its buyer does, on the real binary, with and
// without JavaScript: the form of /verify takes the code typed in lower case without its
// dashes and leads to the certificate's page, which shows the device with its IMEI masked,
// and an unknown code is a page that says so and offers the form again. Every page passes
// axe-core (each step) and html-validate (at the end of the test).
func TestVerificationPage(t *testing.T) {
	browsertest.BothWays(t, func(t *testing.T, b *browsertest.Browser) {
		srv := browsertest.NewServer(t)
		srv.Run(t, "", "demo", "--sellers", "1")
		st, err := store.Open(context.Background(), store.Config{Driver: store.SQLite, DSN: srv.DSN})
		require.NoError(t, err)
		bts, _, err := st.BenchTests(context.Background(), audit.BenchTestFilter{}, audit.Page{Limit: 1})
		require.NoError(t, err)
		require.NoError(t, st.Close())
		require.Len(t, bts, 1)
		bt := bts[0]
		srv.Start(t)

		p := b.NewPage(t)
		require.Equal(t, 200, p.Navigate(srv.URL+"/verify"))
		p.Step("verify form")
		assert.Equal(t, "Check a device grade certificate", p.Text("h1"))
		p.Fill("code", strings.ToLower(bt.VerificationCode))
		require.Equal(t, 200, p.Submit("Check"))
		p.Step("certificate")
		code := audit.FormatVerificationCode(bt.VerificationCode)
		assert.Equal(t, srv.URL+"/verify/"+code, p.URL())
		assert.Equal(t, "Device grade certificate "+code, p.Text("h1"))
		body := p.BodyText()
		assert.Contains(t, body, bt.Inspection.Device.Brand+" "+bt.Inspection.Device.Model)
		if imei := bt.Inspection.Device.IMEI; imei != "" {
			assert.NotContains(t, body, imei)
			assert.Contains(t, body, imei[len(imei)-4:])
		}

		require.Equal(t, 404, p.Navigate(srv.URL+"/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ"))
		p.Step("unknown code")
		assert.Equal(t, "Certificate not found", p.Text("h1"))
		p.Fill("code", code)
		require.Equal(t, 200, p.Submit("Check"), "the form again")
		assert.Equal(t, srv.URL+"/verify/"+code, p.URL())
	})
}
