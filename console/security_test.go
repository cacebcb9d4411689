package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/console"
)

func TestForgedPostIsRefused(t *testing.T) {
	h := newHarness(t)
	c := h.signedIn(audit.RoleTechnician)
	for name, headers := range map[string][]string{
		"another site, as a browser marks it": {"Sec-Fetch-Site", "cross-site"},
		"another origin":                      {"Sec-Fetch-Site", "", "Origin", "http://evil.example"},
	} {
		t.Run(name, func(t *testing.T) {
			res := c.post("/console/bench-tests", h.goodPhone(t), headers...)
			assert.Equal(t, http.StatusForbidden, res.status)
			assert.Contains(t, res.body, "sent from another site")
			out := c.post("/console/signout", url.Values{}, headers...)
			assert.Equal(t, http.StatusForbidden, out.status, "not even sign-out")
		})
	}
	list, _, err := h.svc.BenchTests(context.Background(), system, audit.BenchTestFilter{}, audit.Page{})
	require.NoError(t, err)
	assert.Empty(t, list, "a forged POST changes nothing")
	assert.Equal(t, http.StatusOK, c.get("/console/").status, "and the session is still there")
	assert.Equal(t, http.StatusSeeOther, c.post("/console/bench-tests", h.goodPhone(t)).status, "the same form from the console's own page is stored")
}

func TestSignInThrottle(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	h := newHarness(t, func(cfg *console.Config) { cfg.Now = func() time.Time { return at } })
	known, unknown := h.users[audit.RoleTechnician].Email, "nobody@refurbqa.test"
	answers := map[string][]int{}
	for _, email := range []string{known, unknown} {
		c := h.client()
		for range 6 {
			answers[email] = append(answers[email], c.signIn(email, "wrong password, long enough").status)
		}
	}
	want := []int{401, 401, 401, 401, 401, 401}
	assert.Equal(t, want, answers[known], "five free failures, the sixth is refused as wrong and counted")
	assert.Equal(t, answers[known], answers[unknown], "an unknown email is throttled exactly like a known one")

	c := h.client()
	res := c.signIn(known, password)
	assert.Equal(t, http.StatusTooManyRequests, res.status, "after six failures even the right password must wait")
	secs, err := strconv.Atoi(res.header.Get("Retry-After"))
	require.NoError(t, err)
	assert.Equal(t, 1, secs)
	assert.Contains(t, res.body, "Too many failed sign-ins")
	other := c.signIn(unknown, password)
	assert.Equal(t, res.status, other.status)
	assert.Equal(t, res.header.Get("Retry-After"), other.header.Get("Retry-After"))
}
