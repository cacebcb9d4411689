package console_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

// TestProfileSwitch hides and shows a seller's public profile from the manager's seller page,
// through the domain's use case: the page says which, links to the public page, and the event
// trail names the manager.
func TestProfileSwitch(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	m := h.signedIn(audit.RoleManager)
	page := "/console/sellers/" + h.Own.ID
	form := func(public string) url.Values { return url.Values{"public": {public}} }

	res := m.get(page)
	require.Equal(t, http.StatusOK, res.status, res.body)
	sec := section(t, res.body, `<section aria-labelledby="profile-heading"`)
	assert.Contains(t, sec, "Shown: anyone may read")
	assert.Contains(t, sec, `<a href="/public/sellers/`+h.Own.ID+`">public quality profile</a>`)
	assert.Contains(t, sec, `<form method="post" action="/console/sellers/`+h.Own.ID+`/profile"><input type="hidden" name="public" value="false"/><button type="submit" class="secondary">Hide the public profile</button></form>`)

	res = m.post(page+"/profile", form("false"))
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	assert.Equal(t, page+"#profile", res.header.Get("Location"))
	set, err := h.svc.ProfileSetting(ctx, system, h.Own.ID)
	require.NoError(t, err)
	assert.False(t, set.Public, "hidden through the domain")
	_, err = h.svc.PublicProfile(ctx, h.Own.ID)
	assert.ErrorIs(t, err, audit.ErrNotFound)
	other, err := h.svc.ProfileSetting(ctx, system, h.Other.ID)
	require.NoError(t, err)
	assert.True(t, other.Public, "the other seller's profile is untouched")

	sec = section(t, m.get(page).body, `<section aria-labelledby="profile-heading"`)
	assert.Contains(t, sec, "Hidden: the public profile and the badge of this seller answer")
	assert.Contains(t, sec, `<input type="hidden" name="public" value="true"/><button type="submit">Show the public profile</button>`)
	assert.NotContains(t, sec, `<a href="/public/sellers/`)

	admin := h.signedIn(audit.RoleAdmin)
	res = admin.post(page+"/profile", form("true"))
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	set, err = h.svc.ProfileSetting(ctx, system, h.Own.ID)
	require.NoError(t, err)
	assert.True(t, set.Public)

	events, _, err := h.svc.Events(ctx, audit.EventFilter{Entity: "seller_profile", EntityID: h.Own.ID}, audit.Page{})
	require.NoError(t, err)
	require.Len(t, events, 2)
	assert.Equal(t, []string{"hide", "show"}, []string{events[0].Action, events[1].Action})
	assert.Equal(t, h.users[audit.RoleManager].ID, events[0].KeyID, "the trail names the user")
	assert.Equal(t, h.users[audit.RoleAdmin].ID, events[1].KeyID)

	// Refused: a value other than true or false, an unknown seller, another role, another site.
	for _, v := range []url.Values{{}, form(""), form("no"), form("TRUE")} {
		res := m.post(page+"/profile", v)
		assert.Equal(t, http.StatusUnprocessableEntity, res.status, "%v", v)
		assert.Contains(t, res.body, "must be true or false")
	}
	res = m.post("/console/sellers/sl_doesnotexist/profile", form("false"))
	assert.Equal(t, http.StatusNotFound, res.status)
	res = h.signedIn(audit.RoleTechnician).post(page+"/profile", form("false"))
	assert.Equal(t, http.StatusForbidden, res.status)
	res = m.post(page+"/profile", form("false"), "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, res.status)
	assert.Contains(t, res.body, "sent from another site")
	set, err = h.svc.ProfileSetting(ctx, system, h.Own.ID)
	require.NoError(t, err)
	assert.True(t, set.Public, "no refused post changed anything")
	events, _, err = h.svc.Events(ctx, audit.EventFilter{Entity: "seller_profile", EntityID: h.Own.ID}, audit.Page{})
	require.NoError(t, err)
	assert.Len(t, events, 2)
}
