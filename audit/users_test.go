package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// userFake adds an in-memory UserStore to adminFake (sellers), keeping each user's hash and
// the writes it was asked for.
type userFake struct {
	*adminFake
	users  map[string]User   // by id
	hashes map[string][]byte // user id → password hash
	writes []string          // "action id" of each write
	n      int
}

func newUserFake(sellers ...Seller) *userFake {
	return &userFake{adminFake: newAdminFake(sellers...), users: map[string]User{}, hashes: map[string][]byte{}}
}

func (f *userFake) CreateUser(_ context.Context, _ Principal, in User, hash []byte) (User, error) {
	for _, u := range f.users {
		if u.Email == in.Email {
			return User{}, fmt.Errorf("user %s: %w", in.Email, ErrConflict)
		}
	}
	f.n++
	in.ID = fmt.Sprintf("usr_%d", f.n)
	f.users[in.ID], f.hashes[in.ID] = in, hash
	f.writes = append(f.writes, "create "+in.ID)
	return in, nil
}

func (f *userFake) User(_ context.Context, id string) (User, error) {
	u, ok := f.users[id]
	if !ok {
		return User{}, fmt.Errorf("user %s: %w", id, ErrNotFound)
	}
	return u, nil
}

func (f *userFake) UserByEmail(_ context.Context, email string) (User, []byte, error) {
	for _, u := range f.users {
		if u.Email == email {
			return u, f.hashes[u.ID], nil
		}
	}
	return User{}, nil, fmt.Errorf("user %s: %w", email, ErrNotFound)
}

func (f *userFake) Users(context.Context, Page) ([]User, string, error) {
	var out []User
	for i := 1; i <= f.n; i++ {
		out = append(out, f.users[fmt.Sprintf("usr_%d", i)])
	}
	return out, "", nil
}

func (f *userFake) DisableUser(_ context.Context, _ Principal, id string) (User, error) {
	u := f.users[id]
	u.Disabled = true
	f.users[id] = u
	f.writes = append(f.writes, "disable "+id)
	return u, nil
}

func (f *userFake) SetPasswordHash(_ context.Context, _ Principal, id string, hash []byte) error {
	f.hashes[id] = hash
	f.writes = append(f.writes, "reset_password "+id)
	return nil
}

func newUserService(f *userFake) *Service {
	return NewService(ServiceConfig{Store: f, PasswordCost: bcrypt.MinCost, Now: func() time.Time { return time.Unix(0, 0) }})
}

func TestCreateUserRules(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		in     NewUser
		is     error    // nil: created
		fields []string // the fields of a *ValidationError
	}{
		{name: "a technician", in: NewUser{Email: "ana@lab.example", Name: "Ana", Role: RoleTechnician}},
		{name: "a seller user names an existing seller", in: NewUser{Email: "s@x.example", Name: "S", Role: RoleSeller, SellerID: "sl_1"}},
		{name: "a seller user without a seller", in: NewUser{Email: "s@x.example", Name: "S", Role: RoleSeller}, is: ErrInvalid, fields: []string{"seller_id"}},
		{name: "a manager with a seller", in: NewUser{Email: "m@x.example", Name: "M", Role: RoleManager, SellerID: "sl_1"}, is: ErrInvalid, fields: []string{"seller_id"}},
		{name: "a seller that does not exist", in: NewUser{Email: "s@x.example", Name: "S", Role: RoleSeller, SellerID: "sl_missing"}, is: ErrNotFound},
		{name: "an unknown role", in: NewUser{Email: "a@x.example", Name: "A", Role: "owner"}, is: ErrInvalid, fields: []string{"role"}},
		{name: "a password of 12 characters", in: NewUser{Email: "a@x.example", Name: "A", Role: RoleAdmin, Password: "123456789012"}},
		{name: "a password of 12 characters, not bytes", in: NewUser{Email: "a@x.example", Name: "A", Role: RoleAdmin, Password: "éééééééééééé"}},
		{name: "a password of 11 characters", in: NewUser{Email: "a@x.example", Name: "A", Role: RoleAdmin, Password: "12345678901"}, is: ErrInvalid, fields: []string{"password"}},
		{name: "a password of 72 bytes", in: NewUser{Email: "a@x.example", Name: "A", Role: RoleAdmin, Password: strings.Repeat("p", 72)}},
		{name: "a password of 73 bytes", in: NewUser{Email: "a@x.example", Name: "A", Role: RoleAdmin, Password: strings.Repeat("p", 73)}, is: ErrInvalid, fields: []string{"password"}},
		{name: "a name of 200 characters", in: NewUser{Email: "a@x.example", Name: strings.Repeat("é", 200), Role: RoleAdmin}},
		{name: "a name of 201 characters", in: NewUser{Email: "a@x.example", Name: strings.Repeat("é", 201), Role: RoleAdmin}, is: ErrInvalid, fields: []string{"name"}},
		{name: "an empty name", in: NewUser{Email: "a@x.example", Name: "  ", Role: RoleAdmin}, is: ErrInvalid, fields: []string{"name"}},
		{name: "a name with a control character", in: NewUser{Email: "a@x.example", Name: "A\tB", Role: RoleAdmin}, is: ErrInvalid, fields: []string{"name"}},
		{name: "not an email", in: NewUser{Email: "ana", Name: "A", Role: RoleAdmin}, is: ErrInvalid, fields: []string{"email"}},
		{name: "an email with a display name", in: NewUser{Email: "Ana <ana@x.example>", Name: "A", Role: RoleAdmin}, is: ErrInvalid, fields: []string{"email"}},
		{name: "every field at once", in: NewUser{Email: "", Name: "", Role: "", Password: "short"}, is: ErrInvalid, fields: []string{"email", "name", "password", "role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newUserFake(Seller{ID: "sl_1", Name: "S"})
			u, password, err := newUserService(f).CreateUser(ctx, testAdmin, tt.in)
			if tt.is == nil {
				require.NoError(t, err)
				assert.Equal(t, []string{"create " + u.ID}, f.writes)
				if tt.in.Password != "" {
					assert.Equal(t, tt.in.Password, password)
				}
				assert.NoError(t, bcrypt.CompareHashAndPassword(f.hashes[u.ID], []byte(password)), "the hash is of the password returned")
				return
			}
			require.ErrorIs(t, err, tt.is)
			assert.Empty(t, f.writes, "nothing stored")
			if tt.fields != nil {
				var ve *ValidationError
				require.True(t, errors.As(err, &ve))
				var got []string
				for _, fe := range ve.Errors {
					got = append(got, fe.Field)
				}
				assert.Equal(t, tt.fields, got)
			}
		})
	}
}

func TestCreateUserNormalisesAndGenerates(t *testing.T) {
	ctx := context.Background()
	f := newUserFake()
	svc := newUserService(f)
	u, password, err := svc.CreateUser(ctx, testAdmin, NewUser{Email: "  Ana@Lab.Example ", Name: " Ana ", Role: RoleTechnician})
	require.NoError(t, err)
	assert.Equal(t, "ana@lab.example", u.Email)
	assert.Equal(t, "Ana", u.Name)
	assert.GreaterOrEqual(t, len(password), 16)
	assert.Empty(t, PasswordProblem(password), "a generated password obeys the rules")
	_, other, err := svc.CreateUser(ctx, testAdmin, NewUser{Email: "bo@lab.example", Name: "Bo", Role: RoleTechnician})
	require.NoError(t, err)
	assert.NotEqual(t, password, other, "generated from a random source")
	assert.NotContains(t, string(f.hashes[u.ID]), password, "only a hash is stored")

	_, _, err = svc.CreateUser(ctx, testAdmin, NewUser{Email: "ANA@lab.example", Name: "Ana 2", Role: RoleManager})
	assert.ErrorIs(t, err, ErrConflict, "the normalised email is taken")
}

func TestUsersAdminOnly(t *testing.T) {
	ctx := context.Background()
	for _, by := range []Principal{{KeyID: "k", Role: RoleManager}, {KeyID: "k", Role: RoleTechnician}, {KeyID: "k", Role: RoleSeller, SellerID: "sl_1"}} {
		t.Run(string(by.Role), func(t *testing.T) {
			f := newUserFake(Seller{ID: "sl_1"})
			svc := newUserService(f)
			u, _, err := svc.CreateUser(ctx, testAdmin, NewUser{Email: "a@x.example", Name: "A", Role: RoleTechnician})
			require.NoError(t, err)
			f.writes = nil
			_, _, err = svc.CreateUser(ctx, by, NewUser{Email: "b@x.example", Name: "B", Role: RoleTechnician})
			assert.ErrorIs(t, err, ErrForbidden)
			_, _, err = svc.Users(ctx, by, Page{})
			assert.ErrorIs(t, err, ErrForbidden)
			_, err = svc.FindUser(ctx, by, u.ID)
			assert.ErrorIs(t, err, ErrForbidden)
			_, err = svc.DisableUser(ctx, by, u.ID)
			assert.ErrorIs(t, err, ErrForbidden)
			_, err = svc.ResetPassword(ctx, by, u.ID, "")
			assert.ErrorIs(t, err, ErrForbidden)
			assert.Empty(t, f.writes)
		})
	}
}

func TestCheckPassword(t *testing.T) {
	ctx := context.Background()
	f := newUserFake()
	svc := newUserService(f)
	u, _, err := svc.CreateUser(ctx, testAdmin, NewUser{Email: "ana@lab.example", Name: "Ana", Role: RoleTechnician, Password: "correct horse battery"})
	require.NoError(t, err)

	got, err := svc.CheckPassword(ctx, " ANA@lab.example", "correct horse battery")
	require.NoError(t, err)
	assert.Equal(t, u.ID, got.ID)
	assert.Equal(t, Principal{KeyID: u.ID, Role: RoleTechnician}, got.Principal())

	_, wrong := svc.CheckPassword(ctx, "ana@lab.example", "correct horse batterY")
	require.ErrorIs(t, wrong, ErrUnauthorized)
	_, unknown := svc.CheckPassword(ctx, "bo@lab.example", "correct horse battery")
	require.ErrorIs(t, unknown, ErrUnauthorized)
	assert.Equal(t, wrong.Error(), unknown.Error(), "an unknown email reads as a wrong password")
	_, long := svc.CheckPassword(ctx, "ana@lab.example", strings.Repeat("p", 100))
	assert.Equal(t, wrong.Error(), long.Error())

	_, err = svc.DisableUser(ctx, testAdmin, "Ana@Lab.example")
	require.NoError(t, err)
	_, disabled := svc.CheckPassword(ctx, "ana@lab.example", "correct horse battery")
	require.ErrorIs(t, disabled, ErrUnauthorized, "a disabled user is refused with the right password")
	assert.Equal(t, wrong.Error(), disabled.Error())
}

func TestResetPassword(t *testing.T) {
	ctx := context.Background()
	f := newUserFake()
	svc := newUserService(f)
	u, first, err := svc.CreateUser(ctx, testAdmin, NewUser{Email: "ana@lab.example", Name: "Ana", Role: RoleTechnician})
	require.NoError(t, err)

	_, err = svc.ResetPassword(ctx, testAdmin, u.ID, "12345678901")
	require.ErrorIs(t, err, ErrInvalid, "11 characters")
	_, err = svc.ResetPassword(ctx, testAdmin, "usr_missing", "")
	require.ErrorIs(t, err, ErrNotFound)
	_, err = svc.ResetPassword(ctx, testAdmin, "nobody@lab.example", "")
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, []string{"create " + u.ID}, f.writes)

	given, err := svc.ResetPassword(ctx, testAdmin, "ana@lab.example", "123456789012")
	require.NoError(t, err)
	assert.Equal(t, "123456789012", given)
	_, err = svc.CheckPassword(ctx, "ana@lab.example", first)
	assert.ErrorIs(t, err, ErrUnauthorized, "the old password no longer works")
	_, err = svc.CheckPassword(ctx, "ana@lab.example", given)
	assert.NoError(t, err)

	generated, err := svc.ResetPassword(ctx, testAdmin, u.ID, "")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(generated), 16)
	_, err = svc.CheckPassword(ctx, "ana@lab.example", generated)
	assert.NoError(t, err)
	assert.Equal(t, []string{"create " + u.ID, "reset_password " + u.ID, "reset_password " + u.ID}, f.writes)
}

func TestSignedInUser(t *testing.T) {
	ctx := context.Background()
	f := newUserFake()
	svc := newUserService(f)
	u, _, err := svc.CreateUser(ctx, testAdmin, NewUser{Email: "ana@lab.example", Name: "Ana", Role: RoleTechnician})
	require.NoError(t, err)

	got, err := svc.SignedInUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, u.ID, got.ID)

	_, err = svc.SignedInUser(ctx, "usr_missing")
	require.ErrorIs(t, err, ErrUnauthorized, "a session of a user that does not exist is no session")

	_, err = svc.DisableUser(ctx, testAdmin, u.ID)
	require.NoError(t, err)
	_, err = svc.SignedInUser(ctx, u.ID)
	require.ErrorIs(t, err, ErrUnauthorized, "disabling a user ends its sessions at once")
}
