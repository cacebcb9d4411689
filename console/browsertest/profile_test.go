package browsertest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/console/browsertest"
)

// TestPublicProfileJourney is transparency.md §2 as people meet it: a manager opens a seller's
// page, follows the link to its public quality profile (a page for buyers, checked with
// axe-core and html-validate like every console page), hides it, finds it "not found", and
// shows it again. With and without JavaScript.
func TestPublicProfileJourney(t *testing.T) {
	browsertest.BothWays(t, func(t *testing.T, b *browsertest.Browser) {
		srv, seller := reviewServer(t)
		p := b.NewPage(t)
		signIn(t, p, srv.URL, "manager@journey.example")
		require.Equal(t, 200, p.Navigate(srv.URL+"/console/sellers/"+seller))
		p.Step("seller with its public profile shown")
		assert.Contains(t, p.Text("#profile"), "Shown: anyone may read")

		require.Equal(t, 200, p.FollowLink("public quality profile"))
		p.Step("public profile")
		assert.Equal(t, srv.URL+"/public/sellers/"+seller, p.URL())
		assert.Contains(t, p.Title(), "quality profile · refurbqa")
		assert.Equal(t, "Latest approved scorecard", p.Text("main h2"))
		assert.Contains(t, p.BodyText(), "Score trend")
		assert.Equal(t, 1, p.Count(`img[src$="/badge.svg"]`), "the seller's badge")
		assert.Equal(t, 25, p.Count("main table:first-of-type tbody tr"), "every charter point")

		require.Equal(t, 200, p.Navigate(srv.URL+"/console/sellers/"+seller))
		require.Equal(t, 200, p.Submit("Hide the public profile"))
		p.Step("seller with its public profile hidden")
		assert.Contains(t, p.Text("#profile"), "Hidden: the public profile and the badge of this seller answer")
		assert.Equal(t, 404, p.Navigate(srv.URL+"/public/sellers/"+seller), "hidden")

		require.Equal(t, 200, p.Navigate(srv.URL+"/console/sellers/"+seller))
		require.Equal(t, 200, p.Submit("Show the public profile"))
		assert.Contains(t, p.Text("#profile"), "Shown: anyone may read")
		assert.Equal(t, 200, p.Navigate(srv.URL+"/public/sellers/"+seller))
	})
}
