package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// The admin's pages (console.md, Admin): users, and API keys. A new user's one-time password
// and a new key's token are shown once, on the answer to the form that made them, and kept
// nowhere but in their hashes.

// adminPageSize is the number of users or keys on a page.
const adminPageSize = 50

// usersPage is the users page: the list, the form to create one, and what the last action
// made (a one-time password shown once).
type usersPage struct {
	Users    []audit.User
	Next     string
	Form     *form
	Roles    []audit.Role
	Secret   string // a one-time password, shown once
	SecretOf audit.User
	Notice   string
}

func (c *Console) users(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	return c.renderUsers(w, r, s, http.StatusOK, &usersPage{Form: newForm(nil)})
}

func (c *Console) renderUsers(w http.ResponseWriter, r *http.Request, s *signedIn, status int, page *usersPage) error {
	users, next, err := c.svc.Users(r.Context(), s.principal(), audit.Page{Limit: adminPageSize, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	page.Users, page.Next, page.Roles = users, next, audit.Roles
	return c.render(w, r, s, status, "admin_users", "Users", page)
}

// createUser is POST /console/admin/users: the new user's one-time password is on the answer.
func (c *Console) createUser(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := r.ParseForm(); err != nil {
		return audit.Invalid([]grading.FieldError{{Field: "", Message: "the form could not be read"}})
	}
	v := r.PostForm
	page := &usersPage{Form: newForm(v)}
	in := audit.NewUser{Email: v.Get("email"), Name: v.Get("name"), Role: audit.Role(v.Get("role")), SellerID: strings.TrimSpace(v.Get("seller_id"))}
	u, password, err := c.svc.CreateUser(r.Context(), s.principal(), in)
	var ve *audit.ValidationError
	switch {
	case errors.As(err, &ve):
		page.Form.setErrors(ve.Errors, "", fieldIn("email", "name", "role", "seller_id"))
		return c.renderUsers(w, r, s, http.StatusUnprocessableEntity, page)
	case errors.Is(err, audit.ErrConflict):
		page.Form.Errors["email"] = "a user already has this email"
		return c.renderUsers(w, r, s, http.StatusConflict, page)
	case errors.Is(err, audit.ErrNotFound) && in.SellerID != "":
		page.Form.Errors["seller_id"] = "no seller has this id"
		return c.renderUsers(w, r, s, http.StatusUnprocessableEntity, page)
	case err != nil:
		return err
	}
	page.Form, page.Secret, page.SecretOf = newForm(nil), password, u
	page.Notice = "User " + u.Email + " created."
	return c.renderUsers(w, r, s, http.StatusCreated, page)
}

// disableUser is POST /console/admin/users/{id}/disable: the user's password is refused from
// now on, and its sessions end at their next request.
func (c *Console) disableUser(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	id := r.PathValue("id")
	if id == s.User.ID {
		return c.renderUsers(w, r, s, http.StatusConflict, &usersPage{Form: newForm(nil),
			Notice: "You cannot disable yourself: ask another admin."})
	}
	if _, err := c.svc.DisableUser(r.Context(), s.principal(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/admin/users", http.StatusSeeOther)
	return nil
}

// resetPassword is POST /console/admin/users/{id}/reset-password: a new one-time password,
// shown on the answer.
func (c *Console) resetPassword(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	id := r.PathValue("id")
	u, err := c.svc.FindUser(r.Context(), s.principal(), id)
	if err != nil {
		return err
	}
	password, err := c.svc.ResetPassword(r.Context(), s.principal(), id, "")
	if err != nil {
		return err
	}
	return c.renderUsers(w, r, s, http.StatusOK, &usersPage{Form: newForm(nil), Secret: password, SecretOf: u,
		Notice: "New password of " + u.Email + "."})
}

// keysPage is the API keys page.
type keysPage struct {
	Keys   []audit.Key
	Next   string
	Form   *form
	Roles  []audit.Role
	Token  string // a new key's token, shown once
	Key    audit.Key
	Notice string
}

func (c *Console) keys(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	return c.renderKeys(w, r, s, http.StatusOK, &keysPage{Form: newForm(nil)})
}

func (c *Console) renderKeys(w http.ResponseWriter, r *http.Request, s *signedIn, status int, page *keysPage) error {
	keys, next, err := c.svc.Keys(r.Context(), s.principal(), audit.Page{Limit: adminPageSize, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	page.Keys, page.Next, page.Roles = keys, next, audit.Roles
	return c.render(w, r, s, status, "admin_keys", "API keys", page)
}

// createKey is POST /console/admin/keys: the new key's token is on the answer, this once.
func (c *Console) createKey(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := r.ParseForm(); err != nil {
		return audit.Invalid([]grading.FieldError{{Field: "", Message: "the form could not be read"}})
	}
	v := r.PostForm
	page := &keysPage{Form: newForm(v)}
	rd := &reader{v: v}
	in := audit.Key{Name: v.Get("name"), Role: audit.Role(v.Get("role")), SellerID: strings.TrimSpace(v.Get("seller_id"))}
	if at, ok := rd.timestamp("expires_at", false); ok {
		in.ExpiresAt = &at
	}
	var ve *audit.ValidationError
	err := audit.Invalid(rd.problems)
	var key audit.Key
	var token string
	if err == nil {
		key, token, err = c.svc.CreateKey(r.Context(), s.principal(), in)
	}
	switch {
	case errors.As(err, &ve):
		page.Form.setErrors(ve.Errors, "", fieldIn("name", "role", "seller_id", "expires_at"))
		return c.renderKeys(w, r, s, http.StatusUnprocessableEntity, page)
	case errors.Is(err, audit.ErrNotFound) && in.SellerID != "":
		page.Form.Errors["seller_id"] = "no seller has this id"
		return c.renderKeys(w, r, s, http.StatusUnprocessableEntity, page)
	case err != nil:
		return err
	}
	page.Form, page.Token, page.Key = newForm(nil), token, key
	page.Notice = "Key " + key.Name + " created."
	return c.renderKeys(w, r, s, http.StatusCreated, page)
}

// revokeKey is POST /console/admin/keys/{id}/revoke.
func (c *Console) revokeKey(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := c.svc.RevokeKey(r.Context(), s.principal(), r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/admin/keys", http.StatusSeeOther)
	return nil
}

// fieldIn reports whether a field is one of names.
func fieldIn(names ...string) func(string) bool {
	return func(f string) bool {
		for _, n := range names {
			if f == n {
				return true
			}
		}
		return false
	}
}

// nextURL is the address of the next page of a list at path.
func nextURL(path, cursor string) string {
	return path + "?cursor=" + url.QueryEscape(cursor)
}
