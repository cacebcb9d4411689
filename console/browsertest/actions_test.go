package browsertest_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/console/browsertest"
)

// TestActionJourney is the rest of console.md's manager, seller and admin: the manager audits a
// period for a seller and opens the draft it made; the seller of an open corrective action signs
// in and submits a plan; the manager closes the action with a note; the seller sees the note;
// the admin creates a user, who then signs in. With and without JavaScript.
func TestActionJourney(t *testing.T) {
	browsertest.BothWays(t, func(t *testing.T, b *browsertest.Browser) {
		srv, seller := reviewServer(t)
		srv.Run(t, techPassword+"\n", "users", "create", "--email", "admin@journey.example", "--name", "Journey admin",
			"--role", "admin", "--password-stdin")
		now := time.Now().UTC()
		month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)

		// The manager audits last month for one seller and follows the run to its draft.
		m := b.NewPage(t)
		signIn(t, m, srv.URL, "manager@journey.example")
		require.Equal(t, 200, m.FollowLink("Audit"))
		m.Step("audit form")
		m.Fill("seller_id", seller)
		m.Fill("period_start", month.AddDate(0, -1, 0).Format("2006-01-02"))
		m.Fill("period_end", month.Format("2006-01-02"))
		require.Equal(t, 200, m.Submit("Run the audit"))
		require.Regexp(t, `/console/audits/[^/]+$`, m.URL())
		m.WaitText("Draft scorecards") // the page follows the run: polled with JavaScript, reloaded without
		m.Step("audit done")
		require.Equal(t, 200, m.Load(func() { m.Click(`#scorecards a[href^="/console/scorecards/"]`) }))
		m.Step("audited draft")
		assert.Contains(t, m.BodyText(), "waiting for a manager's review")

		// An open corrective action, and a user of its seller.
		require.Equal(t, 200, m.Navigate(srv.URL+"/console/corrective-actions?status=open"))
		m.Step("open actions")
		require.Equal(t, 200, m.Load(func() { m.Click(`table tbody tr:first-child th a[href^="/console/corrective-actions/"]`) }))
		action := m.URL()
		href, ok := m.Attr(`dl.facts a[href^="/console/sellers/"]`, "href")
		require.True(t, ok, "the action names its seller")
		owner := strings.TrimPrefix(href, "/console/sellers/")
		srv.Run(t, techPassword+"\n", "users", "create", "--email", "owner@journey.example", "--name", "Action owner",
			"--role", "seller", "--seller", owner, "--password-stdin")

		s := b.NewPage(t)
		signIn(t, s, srv.URL, "owner@journey.example")
		require.Equal(t, 200, s.FollowLink("Corrective actions"))
		s.Step("seller actions")
		require.Equal(t, 200, s.Navigate(action))
		s.Step("seller action")
		s.Focus(`textarea[name="root_cause"]`)
		s.Type("A batch of batteries from one supplier.")
		s.Press(browsertest.Tab)
		require.Equal(t, "actions", s.Focused().Name, "Tab goes from the root cause to the actions")
		s.Type("Supplier changed; every battery of the batch tested again.")
		require.Equal(t, 200, s.Submit("Submit the plan"))
		s.Step("plan submitted")
		assert.Contains(t, s.BodyText(), "A batch of batteries from one supplier.")
		assert.Equal(t, 0, s.Count(`form[action$="/close"]`), "a seller cannot close its action")

		require.Equal(t, 200, m.Navigate(action))
		m.Step("plan to verify")
		assert.Contains(t, m.BodyText(), "Supplier changed")
		m.Focus(`textarea[name="note"]`)
		m.Type("Checked 20 devices of the new batch at the bench.")
		require.Equal(t, 200, m.Submit("Close the action"))
		m.Step("closed")
		assert.Contains(t, m.BodyText(), "closed")

		require.Equal(t, 200, s.Navigate(action))
		s.Step("seller sees the note")
		assert.Contains(t, s.BodyText(), "Checked 20 devices of the new batch at the bench.")

		// The admin creates a user, who signs in with the one-time password.
		a := b.NewPage(t)
		signIn(t, a, srv.URL, "admin@journey.example")
		require.Equal(t, 200, a.FollowLink("Users"))
		a.Step("users")
		a.Fill("email", "new.tech@journey.example")
		a.Fill("name", "New technician")
		a.Fill("role", "technician")
		require.Equal(t, 201, a.Submit("Create the user"))
		a.Step("user created")
		pw := regexp.MustCompile(`^\S+$`).FindString(a.Text("code.token"))
		require.NotEmpty(t, pw, "the one-time password is shown")

		n := b.NewPage(t)
		require.Equal(t, 200, n.Navigate(srv.URL+"/console/signin"))
		n.Fill("email", "new.tech@journey.example")
		n.Fill("password", pw)
		require.Equal(t, 200, n.Submit("Sign in"))
		n.Step("new user home")
		assert.Contains(t, n.BodyText(), "Welcome, New technician")
	})
}
