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

// reviewServer is the real binary on the demo data, with a manager and a user of one of the
// demo's sellers: it returns the server and that seller's id.
func reviewServer(t *testing.T) (*browsertest.Server, string) {
	t.Helper()
	srv := browsertest.NewServer(t)
	out := srv.Run(t, "", "demo")
	m := regexp.MustCompile(`(?m)^  (sl_[0-9a-z]+) `).FindStringSubmatch(out)
	require.NotNil(t, m, "the demo names its sellers worth a look:\n%s", out)
	srv.Run(t, techPassword+"\n", "users", "create", "--email", "manager@journey.example", "--name", "Journey manager",
		"--role", "manager", "--password-stdin")
	srv.Run(t, techPassword+"\n", "users", "create", "--email", "seller@journey.example", "--name", "Journey seller",
		"--role", "seller", "--seller", m[1], "--password-stdin")
	srv.Start(t)
	return srv, m[1]
}

// TestReviewJourney is console.md's manager and seller: the manager sees the overview, opens the
// review queue of the latest month, reads a draft and approves it with a comment, then finds the
// sellers by score and opens a seller's page with its trend; the seller sees its approved
// scorecards and their trend, opens one, downloads its PDF, and finds its draft "not found".
// With and without JavaScript.
func TestReviewJourney(t *testing.T) {
	browsertest.BothWays(t, func(t *testing.T, b *browsertest.Browser) {
		srv, seller := reviewServer(t)
		latest := time.Now().UTC().AddDate(0, -1, 0).Format("2006-01") // the demo leaves its last month in draft

		p := b.NewPage(t)
		signIn(t, p, srv.URL, "manager@journey.example")
		p.Step("overview")
		assert.Contains(t, p.BodyText(), "Sellers by latest tier")
		assert.Contains(t, p.BodyText(), "Drafts waiting for review")
		assert.Contains(t, p.BodyText(), "Environmental impact, "+latest, "the marketplace's impact of the last full month")

		require.Equal(t, 200, p.FollowLink("Review queue"))
		p.Step("review periods")
		require.Equal(t, 200, p.FollowLink(latest))
		p.Step("review queue")
		assert.Contains(t, p.BodyText(), "Drafts of "+latest)
		require.Equal(t, 200, p.FollowLink("Score"), "sort by score, worst first")
		assert.Contains(t, p.URL(), "sort=score")
		require.Equal(t, 200, p.Load(func() { p.Click(`table.list tbody tr:first-child a[href^="/console/scorecards/"]`) }))
		p.Step("draft scorecard")
		assert.Contains(t, p.BodyText(), "waiting for a manager's review")
		draft := p.URL()

		p.Focus(`textarea[name="comment"]`)
		p.Type("Read with the bench reports.")
		require.Equal(t, 200, p.Submit("Approve"))
		p.Step("approved")
		assert.Contains(t, p.BodyText(), "You approved this scorecard.")
		assert.Contains(t, p.BodyText(), "Read with the bench reports.")
		assert.Equal(t, 0, p.Count(`form[action$="/approve"]`), "no second approval")
		approvedOf, ok := p.Attr(`dl.facts a[href^="/console/sellers/"]`, "href")
		require.True(t, ok, "the scorecard names its seller")

		require.Equal(t, 200, p.FollowLink("Sellers"))
		p.Step("sellers")
		require.Equal(t, 200, p.FollowLink("Latest score"))
		p.Step("sellers by score")
		assert.Contains(t, p.URL(), "sort=score")
		require.Equal(t, 200, p.Navigate(srv.URL+"/console/sellers/"+seller))
		p.Step("seller")
		assert.Equal(t, 1, p.Count(`svg[role="img"]`), "the trend drawn by the server")
		own, ok := p.Attr(`tr:has(td.status-card-draft) th a`, "href")
		require.True(t, ok, "the seller has a draft of its latest month")

		s := b.NewPage(t)
		signIn(t, s, srv.URL, "seller@journey.example")
		s.Step("seller home")
		assert.Equal(t, 1, s.Count(`svg[role="img"]`), "its trend")
		require.Equal(t, 200, s.Load(func() { s.Click(`table tbody tr:first-child th a[href^="/console/scorecards/"]`) }))
		s.Step("seller scorecard")
		assert.Equal(t, 0, s.Count(`a[href^="/console/bench-tests/"]`), "no bench-test pages for a seller")
		dl := s.Download(func() { s.Click(`a[href$="/report.pdf"]`) })
		assert.True(t, strings.HasPrefix(string(dl.Data), "%PDF-"), "a PDF")
		assert.Equal(t, 404, s.Navigate(srv.URL+own), "its own draft is not found")
		s.Step("draft not found")
		if approvedOf != "/console/sellers/"+seller {
			assert.Equal(t, 404, s.Navigate(draft), "nor another seller's scorecard")
		} else {
			assert.Equal(t, 200, s.Navigate(draft), "the draft the manager approved is the seller's now")
		}
	})
}
