package browsertest_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/console/browsertest"
)

// techPassword is the password of the journeys' users.
const techPassword = "bench password 2026"

// demoServer is the real binary on a database with the demo data, and a user of role: its
// email. It returns the server and the id of a demo seller.
func demoServer(t *testing.T, role string) (*browsertest.Server, string, string) {
	t.Helper()
	srv := browsertest.NewServer(t)
	out := srv.Run(t, "", "demo")
	m := regexp.MustCompile(`(?m)^  (sl_[0-9a-z]+) `).FindStringSubmatch(out)
	require.NotNil(t, m, "the demo names its sellers worth a look:\n%s", out)
	email := role + "@journey.example"
	srv.Run(t, techPassword+"\n", "users", "create", "--email", email, "--name", "Journey "+role, "--role", role, "--password-stdin")
	srv.Start(t)
	return srv, m[1], email
}

// signIn signs in on the sign-in page the console sends a signed-out person to.
func signIn(t *testing.T, p *browsertest.Page, base, email string) {
	t.Helper()
	require.Equal(t, 200, p.Navigate(base+"/console/"))
	require.True(t, strings.HasPrefix(p.URL(), base+"/console/signin"), "a signed-out person is sent to sign in: %s", p.URL())
	p.Step("sign-in")
	p.Focus(`input[name="email"]`)
	p.Type(email)
	p.Press(browsertest.Tab)
	assert.Equal(t, "password", p.Focused().Name, "Tab goes from the email to the password")
	p.Type(techPassword)
	require.Equal(t, 200, p.Load(func() { p.Press(browsertest.Enter) }), "Enter signs in")
	require.Equal(t, base+"/console/", p.URL())
}

// TestTechnicianJourney is console.md's technician: signs in, fills a smartphone bench test with
// the keyboard, sees the grade change when a crack is entered, saves it; then opens the other
// pages of the bench. With and without JavaScript.
func TestTechnicianJourney(t *testing.T) {
	browsertest.BothWays(t, func(t *testing.T, b *browsertest.Browser) {
		srv, seller, email := demoServer(t, "technician")
		p := b.NewPage(t)
		signIn(t, p, srv.URL, email)
		p.Step("home")
		assert.Contains(t, p.BodyText(), "Start a bench test")

		// The first step: the seller and the category.
		p.Fill("seller_id", seller)
		p.Focus(`input[name="category"][value="smartphone"]`)
		p.Press(browsertest.Space)
		require.Equal(t, 200, p.Submit("Open the form"))
		require.Contains(t, p.URL(), "/console/bench-tests/new?seller_id="+seller)
		p.Step("bench-test form")
		assert.Contains(t, p.BodyText(), "Functional tests (smartphone protocol)")

		// The device, typed, moving with Tab.
		p.Focus(`input[name="device.brand"]`)
		p.Type("Apple")
		p.Press(browsertest.Tab)
		require.Equal(t, "device.model", p.Focused().Name, "Tab goes from the brand to the model")
		p.Type("iPhone 13")
		p.Press(browsertest.Tab)
		require.Equal(t, "device.imei", p.Focused().Name)
		p.Type("490154203237518")

		// Every test passes, in one step from the keyboard.
		p.Focus("#all-pass")
		if b.JavaScript() {
			p.Press(browsertest.Space)
		} else {
			require.Equal(t, 200, p.Load(func() { p.Press(browsertest.Space) }), "without JavaScript, All pass is a submit button")
		}
		assert.Equal(t, 0, p.Count(`fieldset.test:not(:has(input[value="pass"]:checked))`), "every test set to pass")

		// Battery, compliance and parts: radio buttons answered with the keyboard.
		p.Focus(`input[name="battery.health_pct"]`)
		p.Type("92")
		for _, yes := range []string{"battery.genuine", "compliance.data_erased", "compliance.factory_reset", "compliance.os_up_to_date",
			"compliance.markings_intact", "compliance.display_like_for_like", "parts.disclosed"} {
			p.Focus(`input[name="` + yes + `"][value="true"]`)
			p.Press(browsertest.Space)
		}
		for _, no := range []string{"compliance.activation_lock", "compliance.liquid_damage"} {
			p.Focus(`input[name="` + no + `"][value="false"]`)
			p.Press(browsertest.Space)
		}
		p.Fill("compliance.imei_status", "clean")
		p.Focus(`input[name="lab"]`)
		p.Type("Journey bench")
		p.Fill("external_id", "JR-1")

		grade := func() string {
			if !b.JavaScript() {
				require.Equal(t, 200, p.Submit("Preview"))
			}
			return p.Text("#grade")
		}
		if b.JavaScript() {
			p.WaitText("No rule lowered the grade.")
		}
		before := grade()
		assert.Contains(t, before, "sellable")
		assert.Contains(t, before, "premium")
		p.Step("graded premium")

		// A crack on the screen, seen from 30 cm: the grade follows.
		p.Fill("cosmetic.screen.cracks", "1")
		p.Fill("cosmetic.screen.visible_from_cm", "30")
		if b.JavaScript() {
			p.WaitText("Cosmetic\nE")
		}
		after := grade()
		assert.Regexp(t, `Cosmetic\s+E`, after, "a crack makes the device cosmetic E")
		assert.NotContains(t, after, "premium")
		p.Step("graded after a crack")

		require.Equal(t, 200, p.Submit("Save"))
		require.Regexp(t, `/console/bench-tests/bt_[0-9a-z]+$`, p.URL())
		p.Step("saved bench test")
		assert.Contains(t, p.BodyText(), "Journey bench")
		assert.Regexp(t, `Cosmetic\s+E`, p.Text(".grade"))

		// The rest of the bench.
		for _, page := range []struct{ link, text string }{
			{"Mystery order", "New mystery order"},
			{"Batch upload", "Batch upload"},
			{"Recent work", "JR-1"},
		} {
			require.Equal(t, 200, p.FollowLink(page.link), page.link)
			assert.Contains(t, p.BodyText(), page.text)
			p.Step(page.link)
		}
	})
}
