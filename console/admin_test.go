package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

var secretRE = regexp.MustCompile(`<code class="token">([^<]+)</code>`)

func TestAdminUsers(t *testing.T) {
	h := newHarness(t)
	admin := h.signedIn(audit.RoleAdmin)
	page := admin.get("/console/admin/users")
	require.Equal(t, http.StatusOK, page.status)
	for _, u := range h.users {
		assert.Contains(t, page.body, u.Email)
	}

	res := admin.post("/console/admin/users", url.Values{"email": {"Ana@Lab.example"}, "name": {"Ana"}, "role": {"technician"}})
	require.Equal(t, http.StatusCreated, res.status, res.body)
	m := secretRE.FindStringSubmatch(res.body)
	require.NotNil(t, m, "the one-time password is shown")
	ana := h.client()
	require.Equal(t, http.StatusSeeOther, ana.signIn("ana@lab.example", m[1]).status, "the new user signs in with it")
	assert.NotContains(t, admin.get("/console/admin/users").body, m[1], "and it is never shown again")

	dup := admin.post("/console/admin/users", url.Values{"email": {"ana@lab.example"}, "name": {"Ana 2"}, "role": {"manager"}})
	assert.Equal(t, http.StatusConflict, dup.status)
	assert.Contains(t, dup.body, `<p class="field-error" id="f-email-error">a user already has this email</p>`)
	assert.Contains(t, dup.body, `value="Ana 2"`, "the typed values are kept")

	bad := admin.post("/console/admin/users", url.Values{"email": {"not an email"}, "name": {""}, "role": {"seller"}})
	assert.Equal(t, http.StatusUnprocessableEntity, bad.status)
	for _, f := range []string{"email", "name", "seller_id"} {
		assert.Contains(t, bad.body, `id="f-`+f+`-error"`, f)
	}
	unknown := admin.post("/console/admin/users", url.Values{"email": {"s@x.example"}, "name": {"S"}, "role": {"seller"}, "seller_id": {"sl_nobody"}})
	assert.Contains(t, unknown.body, `<p class="field-error" id="f-seller_id-error">no seller has this id</p>`)

	// Reset: the new password works, the old one no longer.
	anaUser, err := h.svc.FindUser(context.Background(), system, "ana@lab.example")
	require.NoError(t, err)
	reset := admin.post("/console/admin/users/"+anaUser.ID+"/reset-password", url.Values{})
	require.Equal(t, http.StatusOK, reset.status)
	m2 := secretRE.FindStringSubmatch(reset.body)
	require.NotNil(t, m2)
	assert.NotEqual(t, m[1], m2[1])
	assert.Equal(t, http.StatusUnauthorized, h.client().signIn("ana@lab.example", m[1]).status)
	assert.Equal(t, http.StatusSeeOther, h.client().signIn("ana@lab.example", m2[1]).status)

	// Disable: her open session ends at its next request.
	require.Equal(t, http.StatusOK, ana.get("/console/").status)
	res = admin.post("/console/admin/users/"+anaUser.ID+"/disable", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.status)
	assert.Equal(t, http.StatusSeeOther, ana.get("/console/").status, "her session ended")
	assert.Equal(t, http.StatusUnauthorized, h.client().signIn("ana@lab.example", m2[1]).status)
	assert.Contains(t, admin.get("/console/admin/users").body, "disabled")

	self := admin.post("/console/admin/users/"+h.users[audit.RoleAdmin].ID+"/disable", url.Values{})
	assert.Equal(t, http.StatusConflict, self.status)
	assert.Contains(t, self.body, "You cannot disable yourself")
	assert.Equal(t, http.StatusNotFound, admin.post("/console/admin/users/usr_nobody/disable", url.Values{}).status)
}

func TestAdminKeys(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	admin := h.signedIn(audit.RoleAdmin)
	res := admin.post("/console/admin/keys", url.Values{"name": {"bench scanner"}, "role": {"technician"}})
	require.Equal(t, http.StatusCreated, res.status, res.body)
	m := secretRE.FindStringSubmatch(res.body)
	require.NotNil(t, m)
	key, err := h.svc.Authenticate(ctx, m[1])
	require.NoError(t, err, "the token shown is a working key")
	assert.Equal(t, audit.RoleTechnician, key.Role)
	list := admin.get("/console/admin/keys")
	assert.Contains(t, list.body, "bench scanner")
	assert.NotContains(t, list.body, m[1], "the token is shown once")

	bad := admin.post("/console/admin/keys", url.Values{"name": {""}, "role": {"manager"}, "seller_id": {h.Own.ID}, "expires_at": {"yesterday"}})
	assert.Equal(t, http.StatusUnprocessableEntity, bad.status)
	assert.Contains(t, bad.body, `id="f-expires_at-error"`)
	past := admin.post("/console/admin/keys", url.Values{"name": {"x"}, "role": {"seller"}, "seller_id": {h.Own.ID}, "expires_at": {"2001-01-01T00:00"}})
	assert.Contains(t, past.body, `<p class="field-error" id="f-expires_at-error">must be in the future</p>`)
	noSeller := admin.post("/console/admin/keys", url.Values{"name": {"x"}, "role": {"seller"}})
	assert.Contains(t, noSeller.body, `<p class="field-error" id="f-seller_id-error">is required for the seller role</p>`)

	res = admin.post("/console/admin/keys/"+key.ID+"/revoke", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.status)
	_, err = h.svc.Authenticate(ctx, m[1])
	assert.ErrorIs(t, err, audit.ErrUnauthorized, "revoked")
	assert.True(t, strings.Contains(admin.get("/console/admin/keys").body, "revoked"))
	assert.Equal(t, http.StatusNotFound, admin.post("/console/admin/keys/key_nobody/revoke", url.Values{}).status)
}
