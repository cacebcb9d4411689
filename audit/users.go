package audit

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/refurbqa/refurbqa/grading"
)

// Password rules of console.md, "People and sign-in".
const (
	// MinPasswordLen is the fewest characters a password may have.
	MinPasswordLen = 12
	// MaxPasswordBytes is the most bytes a password may have: bcrypt reads no further, so a
	// longer password would be silently cut rather than checked whole.
	MaxPasswordBytes = 72
	// GeneratedPasswordLen is the length of a generated one-time password (26 base32
	// characters from crypto/rand: 130 random bits).
	GeneratedPasswordLen = 26
	// DefaultPasswordCost is the bcrypt cost of stored password hashes: a fraction of a second
	// per sign-in on a server, thousands of times the work of a fast hash for a guesser.
	DefaultPasswordCost = 12
	// maxEmailLen is the longest address SMTP carries (RFC 5321, path limit).
	maxEmailLen = 254
	// maxUserNameLen is the most characters of a user's name.
	maxUserNameLen = 200
)

// User is an account of a person (API keys are for machines): one of the four roles, bound to
// a seller when, and only when, the role is seller. Its password hash never leaves the store
// port, so no User value can leak it into a log or an answer.
type User struct {
	ID         string
	Email      string // normalised: trimmed and lower-cased
	Name       string
	Role       Role
	SellerID   string // seller role only
	Disabled   bool
	DisabledAt *time.Time
	CreatedAt  time.Time
}

// Principal returns the caller that a signed-in user is. Its KeyID is the user's id, which the
// event trail records as the author of the user's writes.
func (u User) Principal() Principal {
	return Principal{KeyID: u.ID, Role: u.Role, SellerID: u.SellerID}
}

// NewUser is what an admin gives to create a user. An empty Password asks for a generated
// one-time password.
type NewUser struct {
	Email    string
	Name     string
	Role     Role
	SellerID string
	Password string
}

// ErrBadCredentials is the one answer to a refused sign-in, whether the email is unknown, the
// password wrong or the user disabled, so that the answer never tells whether an account
// exists. It matches ErrUnauthorized.
var ErrBadCredentials = fmt.Errorf("email or password is wrong: %w", ErrUnauthorized)

// passwords hashes and checks passwords at one bcrypt cost, and holds a dummy hash at that
// cost so that checking the password of an unknown email costs as much as a known one's.
type passwords struct {
	cost  int
	once  sync.Once
	dummy []byte
	err   error
}

func (p *passwords) hash(password string) ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte(password), p.cost)
}

// dummyHash returns a hash of a random password at the service's cost, made once.
func (p *passwords) dummyHash() ([]byte, error) {
	p.once.Do(func() { p.dummy, p.err = p.hash(rand.Text()) })
	return p.dummy, p.err
}

// NormalizeEmail trims and lower-cases an email address, the form in which it is stored and
// looked up, so that "Ana@Lab.example " signs in as "ana@lab.example".
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// EmailProblem says what is wrong with a normalised email address, or "" when nothing is: a
// bare address (no display name, no angle brackets) that net/mail parses to itself.
func EmailProblem(email string) string {
	if email == "" {
		return "is required"
	}
	if p := TextProblem(email, false); p != "" {
		return p
	}
	if len(email) > maxEmailLen {
		return fmt.Sprintf("must be at most %d bytes", maxEmailLen)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return "must be an email address such as name@example.com"
	}
	return ""
}

// UserNameProblem says what is wrong with a user's name (trimmed), or "" when nothing is: 1
// to 200 characters on one line.
func UserNameProblem(name string) string {
	if p := TextProblem(name, false); p != "" {
		return p
	}
	if n := utf8.RuneCountInString(name); n < 1 || n > maxUserNameLen {
		return fmt.Sprintf("must be 1 to %d characters", maxUserNameLen)
	}
	return ""
}

// PasswordProblem says what is wrong with a password, or "" when nothing is: at least
// MinPasswordLen characters, at most MaxPasswordBytes bytes, valid UTF-8 without control
// characters (a password is typed, or read as one line).
func PasswordProblem(password string) string {
	if p := TextProblem(password, false); p != "" {
		return p
	}
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return fmt.Sprintf("must be at least %d characters", MinPasswordLen)
	}
	if len(password) > MaxPasswordBytes {
		return fmt.Sprintf("must be at most %d bytes", MaxPasswordBytes)
	}
	return ""
}

// mayManageUsers refuses every caller but an admin: only an admin manages accounts.
func mayManageUsers(by Principal) error {
	if by.Role != RoleAdmin {
		return fmt.Errorf("only an admin manages users: %w", ErrForbidden)
	}
	return nil
}

// CreateUser creates a user account and returns it with its password: the one given, or, when
// none is, a generated one-time password, shown this once (only its bcrypt hash is stored). The
// rules: a valid email, stored normalised and unique (ErrConflict when taken); a name of 1 to
// 200 characters; a known role; a seller user names an existing seller (ErrNotFound otherwise)
// and a user of another role names none; a password as PasswordProblem says. Admin only.
func (s *Service) CreateUser(ctx context.Context, by Principal, in NewUser) (User, string, error) {
	if err := mayManageUsers(by); err != nil {
		return User{}, "", err
	}
	u := User{Email: NormalizeEmail(in.Email), Name: strings.TrimSpace(in.Name), Role: in.Role, SellerID: in.SellerID}
	var errs fieldErrors
	if p := EmailProblem(u.Email); p != "" {
		errs.add("email", "%s", p)
	}
	if p := UserNameProblem(u.Name); p != "" {
		errs.add("name", "%s", p)
	}
	switch {
	case !u.Role.Valid():
		errs.add("role", "must be admin, manager, technician or seller")
	case u.Role == RoleSeller && u.SellerID == "":
		errs.add("seller_id", "is required for the seller role")
	case u.Role != RoleSeller && u.SellerID != "":
		errs.add("seller_id", "is only for the seller role")
	}
	if in.Password != "" {
		if p := PasswordProblem(in.Password); p != "" {
			errs.add("password", "%s", p)
		}
	}
	if err := Invalid(errs.sorted()); err != nil {
		return User{}, "", err
	}
	if u.SellerID != "" {
		if _, err := s.store.Seller(ctx, u.SellerID); err != nil {
			return User{}, "", err
		}
	}
	password := in.Password
	if password == "" {
		password = rand.Text()
	}
	hash, err := s.passwords.hash(password)
	if err != nil {
		return User{}, "", fmt.Errorf("password hash: %w", err)
	}
	created, err := s.store.CreateUser(ctx, by, u, hash)
	if err != nil {
		return User{}, "", err
	}
	return created, password, nil
}

// Users lists every user, in creation order, without their password hashes. Admin only.
func (s *Service) Users(ctx context.Context, by Principal, p Page) ([]User, string, error) {
	if err := mayManageUsers(by); err != nil {
		return nil, "", err
	}
	return s.store.Users(ctx, p)
}

// FindUser returns the user that ref names: an email (any text with an @, normalised) or an id.
// An unknown user is ErrNotFound. Admin only.
func (s *Service) FindUser(ctx context.Context, by Principal, ref string) (User, error) {
	if err := mayManageUsers(by); err != nil {
		return User{}, err
	}
	return s.findUser(ctx, ref)
}

func (s *Service) findUser(ctx context.Context, ref string) (User, error) {
	if strings.Contains(ref, "@") {
		u, _, err := s.store.UserByEmail(ctx, NormalizeEmail(ref))
		return u, err
	}
	return s.store.User(ctx, ref)
}

// DisableUser disables the user that ref names (an id or an email): its password is refused
// from then on. Disabling a disabled user is a no-op. Admin only.
func (s *Service) DisableUser(ctx context.Context, by Principal, ref string) (User, error) {
	if err := mayManageUsers(by); err != nil {
		return User{}, err
	}
	u, err := s.findUser(ctx, ref)
	if err != nil {
		return User{}, err
	}
	return s.store.DisableUser(ctx, by, u.ID)
}

// ResetPassword sets a new password for the user that ref names (an id or an email) and
// returns it: the one given, checked as PasswordProblem says, or a generated one-time password
// when none is. Admin only.
func (s *Service) ResetPassword(ctx context.Context, by Principal, ref, password string) (string, error) {
	if err := mayManageUsers(by); err != nil {
		return "", err
	}
	if password != "" {
		if p := PasswordProblem(password); p != "" {
			return "", Invalid([]grading.FieldError{{Field: "password", Message: p}})
		}
	}
	u, err := s.findUser(ctx, ref)
	if err != nil {
		return "", err
	}
	if password == "" {
		password = rand.Text()
	}
	hash, err := s.passwords.hash(password)
	if err != nil {
		return "", fmt.Errorf("password hash: %w", err)
	}
	if err := s.store.SetPasswordHash(ctx, by, u.ID, hash); err != nil {
		return "", err
	}
	return password, nil
}

// CheckPassword returns the user whose email and password these are, for signing in. Every
// refusal (unknown email, wrong password, disabled user) is ErrBadCredentials, and costs one
// bcrypt comparison whether or not the email exists (against a dummy hash when it does not),
// so that neither the answer nor its time tells whether an account exists.
func (s *Service) CheckPassword(ctx context.Context, email, password string) (User, error) {
	u, hash, err := s.store.UserByEmail(ctx, NormalizeEmail(email))
	known := err == nil
	switch {
	case errors.Is(err, ErrNotFound):
		if hash, err = s.passwords.dummyHash(); err != nil {
			return User{}, fmt.Errorf("password hash: %w", err)
		}
	case err != nil:
		return User{}, err
	}
	if len(password) > MaxPasswordBytes {
		// bcrypt refuses to compare these; compare something of the same cost instead.
		password = ""
	}
	match := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	if !known || !match || u.Disabled {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// SignedInUser returns the user that a console session names, read afresh on every request,
// so that disabling a user ends its sessions at once: a disabled or deleted user is
// ErrUnauthorized, exactly like a session that never existed.
func (s *Service) SignedInUser(ctx context.Context, id string) (User, error) {
	u, err := s.store.User(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return User{}, fmt.Errorf("session user %s: %w", id, ErrUnauthorized)
	case err != nil:
		return User{}, err
	case u.Disabled:
		return User{}, fmt.Errorf("session user %s is disabled: %w", id, ErrUnauthorized)
	}
	return u, nil
}
