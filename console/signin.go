package console

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"

	"github.com/refurbqa/refurbqa/audit"
)

// signinData is the sign-in form: the email typed is kept, the password never.
type signinData struct {
	Email string
	Next  string
	Error string
}

func (c *Console) signinForm(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	next := safeNext(r.URL.Query().Get("next"))
	if s.User != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return c.render(w, r, s, http.StatusOK, "signin", "Sign in", signinData{Next: next})
}

// signin checks an email and password. Every refusal reads the same, whether the email is
// unknown, the password wrong or the user disabled; a throttled attempt is refused before the
// password is even checked, with the time to wait. On success the session gets a new id
// (so a session id planted before sign-in is worthless after it) and the person goes on to
// the page they asked for.
func (c *Console) signin(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := r.ParseForm(); err != nil {
		return audit.Invalid(nil)
	}
	email, password := r.PostForm.Get("email"), r.PostForm.Get("password")
	data := signinData{Email: email, Next: safeNext(r.PostForm.Get("next"))}
	account, address := audit.NormalizeEmail(email), clientAddress(r)
	if wait := c.throttle.wait(account, address); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		data.Error = fmt.Sprintf("Too many failed sign-ins. Wait %s, then try again.", waitWords(secs))
		return c.render(w, r, s, http.StatusTooManyRequests, "signin", "Sign in", data)
	}
	u, err := c.svc.CheckPassword(r.Context(), email, password)
	if errors.Is(err, audit.ErrBadCredentials) {
		c.throttle.fail(account, address)
		data.Error = "The email or the password is wrong."
		return c.render(w, r, s, http.StatusUnauthorized, "signin", "Sign in", data)
	}
	if err != nil {
		return err
	}
	c.throttle.succeed(account)
	sm := c.sessions(r)
	if err := sm.RenewToken(r.Context()); err != nil {
		return err
	}
	now := c.now().Unix()
	sm.Put(r.Context(), sessionUserKey, u.ID)
	sm.Put(r.Context(), sessionSignedInKey, now)
	sm.Put(r.Context(), sessionSeenKey, now)
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
	return nil
}

// signout ends the session on the server, not only in the browser.
func (c *Console) signout(w http.ResponseWriter, r *http.Request, _ *signedIn) error {
	if err := c.sessions(r).Destroy(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
	return nil
}

// clientAddress is the address the request came from. Forwarding headers are not trusted,
// as by the API: a client could claim any address to escape its throttle.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// waitWords says a wait in words: "1 second", "40 seconds", "15 minutes".
func waitWords(secs int) string {
	switch {
	case secs == 1:
		return "1 second"
	case secs < 120:
		return strconv.Itoa(secs) + " seconds"
	default:
		return strconv.Itoa(int(math.Ceil(float64(secs)/60))) + " minutes"
	}
}
