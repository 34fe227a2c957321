package staff

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/sop"
)

// ErrNotFound is what Member answers for an account that holds no role.
var ErrNotFound = errs.ErrNotFound

// PurposeLogin is the purpose of the token that carries a login between the password and
// the second factor.
const PurposeLogin = "mfa"

// LoginTTL bounds the time between the password and the second factor.
const LoginTTL = 5 * time.Minute

// MFA is a member's TOTP second factor as stored.
type MFA struct {
	UserID int64
	// SecretEnc is the base32 secret sealed with the service's Key (see seal).
	SecretEnc string
	CreatedAt time.Time
	// EnabledAt is zero while the enrolment waits for its first code.
	EnabledAt time.Time
	// LastStep is the newest time step accepted: codes of it and earlier steps are spent.
	LastStep int64
}

// Store is the persistence the staff service needs. Methods called with the ctx given to
// Tx's fn run in that transaction.
type Store interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error

	// StaffMember is the account with its roles; ErrNotFound when it holds none.
	StaffMember(ctx context.Context, userID int64) (Member, error)
	// StaffMembers lists a tenant's members by name.
	StaffMembers(ctx context.Context, tenantID int64) ([]Member, error)
	// SetStaffRoles makes roles the account's roles in the tenant, keeping the grant
	// time of those it already held; by is 0 for the operator.
	SetStaffRoles(ctx context.Context, userID, tenantID int64, roles []sop.Role, by int64, at time.Time) error

	MFA(ctx context.Context, userID int64) (MFA, error)
	SaveMFA(ctx context.Context, m MFA) error
	// DeleteMFA removes the second factor and the recovery codes.
	DeleteMFA(ctx context.Context, userID int64) error
	// UseTOTPStep records step as spent if it is newer than the last one; false if not.
	UseTOTPStep(ctx context.Context, userID, step int64) (bool, error)
	SetRecoveryCodes(ctx context.Context, userID int64, hashes []string) error
	// UseRecoveryCode spends an unused code; false if there is none with that hash.
	UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error)
	UnusedRecoveryCodes(ctx context.Context, userID int64) (int, error)

	UserByID(ctx context.Context, id int64) (account.User, error)
	CreateToken(ctx context.Context, t *account.Token) error
	TokenByHash(ctx context.Context, purpose, hash string) (account.Token, error)
	UseToken(ctx context.Context, id int64, at time.Time) (bool, error)
	UseTokensOf(ctx context.Context, userID int64, purpose string, at time.Time) error
	account.FailureCounter
	DeleteUserSessions(ctx context.Context, userID int64, except string) error
}

// Limits bound guessing of second-factor codes.
type Limits struct {
	// MaxAttempts wrong codes lock the member's second factor for LockFor.
	MaxAttempts int
	LockFor     time.Duration
}

// Service manages staff: roles, the TOTP second factor with its recovery codes, and the
// step of the login between password and second factor.
type Service struct {
	Store    Store
	Accounts *account.Service // opens accounts, hashes passwords, issues set-password links
	Mail     account.Mailer
	// Key seals the TOTP secrets: 32 bytes derived from the deployment's secret key.
	Key    []byte
	Limits Limits
	// Audit records staff management and staff sign-ins; nil records nothing.
	Audit audit.Writer
	Now   func() time.Time
}

// record writes a staff action to the audit trail; by nil is the operator at the command
// line.
func (s *Service) record(ctx context.Context, tenantID int64, by *Member, action string, userID int64, detail string) error {
	if s.Audit == nil {
		return nil
	}
	a := audit.Operator
	if by != nil {
		a = by.Actor()
	}
	return s.Audit.Record(ctx, a.Entry(tenantID, action, audit.Object("user", userID), detail))
}

// RecordLogin writes a staff member's completed sign-in (password and second factor)
// to the audit trail, with the address it came from.
func (s *Service) RecordLogin(ctx context.Context, m Member, ip string) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, m.Actor().From(ip).Entry(m.TenantID, "login.staff", audit.Object("user", m.UserID), ""))
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) limits() Limits {
	l := s.Limits
	if l.MaxAttempts <= 0 {
		l.MaxAttempts = 5
	}
	if l.LockFor <= 0 {
		l.LockFor = 15 * time.Minute
	}
	return l
}

// Roles lists the roles staff can hold (every role but the applicant's), in form order.
func Roles() []sop.Role {
	var out []sop.Role
	for _, r := range sop.AllRoles() {
		if r != sop.RolePemohon {
			out = append(out, r)
		}
	}
	return out
}

// OrderRoles sorts roles in the order of Roles, as lists of them are shown.
func OrderRoles(rs []sop.Role) {
	order := Roles()
	slices.SortFunc(rs, func(a, b sop.Role) int { return slices.Index(order, a) - slices.Index(order, b) })
}

// normRoles orders roles as Roles does, without duplicates, refusing unknown ones.
func normRoles(field string, rs []sop.Role) ([]sop.Role, error) {
	var out []sop.Role
	for _, r := range Roles() {
		if slices.Contains(rs, r) {
			out = append(out, r)
		}
	}
	for _, r := range rs {
		if !slices.Contains(out, r) {
			var fs errs.Fields
			fs.Add(field, "staff_role_unknown", string(r))
			return nil, fs.Err()
		}
	}
	return out, nil
}

// Member is the staff member behind an account; ErrNotFound when it holds no role.
func (s *Service) Member(ctx context.Context, userID int64) (Member, error) {
	return s.Store.StaffMember(ctx, userID)
}

// List is a tenant's staff, by name.
func (s *Service) List(ctx context.Context, tenantID int64) ([]Member, error) {
	return s.Store.StaffMembers(ctx, tenantID)
}

// admin checks that by may manage the staff of tenant t.
func admin(t account.Tenant, by *Member) error {
	if by == nil || by.TenantID != t.ID || !by.Has(sop.RoleTenantAdmin) {
		return errs.New(errs.Forbidden, "staff.forbidden")
	}
	return nil
}

// AddInput is a new staff member.
type AddInput struct {
	FirstName string
	LastName  string
	Email     string
	Roles     []sop.Role
	// Password is the account's first password (the command line); empty mails a link
	// to set one instead.
	Password string
}

// Add gives roles to the account of in.Email in tenant t, opening it if need be. by is
// the tenant admin doing it, nil for the operator on the command line. A new account
// without in.Password gets an unusable one and its owner a "staff_invite" mail with a
// link to set theirs; an existing active account keeps its password. created tells
// whether the account is new.
func (s *Service) Add(ctx context.Context, t account.Tenant, in AddInput, by *Member) (u account.User, created bool, err error) {
	if by != nil {
		if err := admin(t, by); err != nil {
			return u, false, err
		}
	}
	inv := account.InviteInput{FirstName: in.FirstName, LastName: in.LastName, Email: in.Email}
	inv.Normalize()
	err = inv.Validate()
	var fs errs.Fields
	if e, ok := errs.As(err); ok {
		fs = append(fs, e.Fields...)
	} else if err != nil {
		return u, false, err
	}
	roles, rerr := normRoles("staff_roles", in.Roles)
	if e, ok := errs.As(rerr); ok {
		fs = append(fs, e.Fields...)
	} else if len(roles) == 0 {
		fs.Add("staff_roles", "staff_roles_none")
	}
	if in.Password != "" {
		t.Policy.CheckPassword(&fs, "password", in.Password, inv.FirstName, inv.LastName, inv.Email)
	}
	if err := fs.Err(); err != nil {
		return u, false, err
	}
	pw := in.Password
	if pw == "" {
		pw = rand.Text() + rand.Text() // nobody knows it: the owner sets theirs by the link
	}
	hash, err := s.Accounts.Hasher.Hash(ctx, pw)
	if err != nil {
		return u, false, fmt.Errorf("add staff: %w", err)
	}
	var byID int64
	if by != nil {
		byID = by.UserID
	}
	now := s.now()
	err = s.Store.Tx(ctx, func(ctx context.Context) error {
		if u, created, err = s.Accounts.EnsureActive(ctx, t, inv, hash); err != nil {
			return err
		}
		if _, err := s.Store.StaffMember(ctx, u.ID); err == nil {
			return errs.New(errs.Conflict, "staff.exists", u.Email)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := s.Store.SetStaffRoles(ctx, u.ID, t.ID, roles, byID, now); err != nil {
			return err
		}
		if err := s.record(ctx, t.ID, by, "staff.add", u.ID, u.Email+" "+RoleList(roles)); err != nil {
			return err
		}
		if !created {
			// Signed in as an applicant, the person signs in again with a second factor.
			if err := s.Store.DeleteUserSessions(ctx, u.ID, ""); err != nil {
				return err
			}
		}
		if in.Password != "" {
			return nil
		}
		data := map[string]any{"Name": u.DisplayName(), "Username": u.Username, "Tenant": t.Name,
			"LoginURL": t.Link("/masuk"), "Hours": int(account.InviteTTL.Hours()), "URL": ""}
		if created || u.PasswordHash == hash {
			secret, err := s.Accounts.IssueResetLink(ctx, u, account.InviteTTL)
			if err != nil {
				return err
			}
			data["URL"] = t.Link("/lupa-password/" + secret)
		}
		return s.Mail.Send(ctx, account.Mail{TenantID: t.ID, To: u.Email, Lang: u.Lang, Template: "staff_invite", Data: data})
	})
	if err != nil {
		return u, false, fmt.Errorf("add staff: %w", err)
	}
	return u, created, nil
}

// SetRoles replaces the roles of a member of t. Only a tenant admin of t may; none may
// take the tenant admin role from themselves, so a tenant never locks itself out. No
// roles at all removes the account from the staff.
func (s *Service) SetRoles(ctx context.Context, t account.Tenant, userID int64, roles []sop.Role, by *Member) error {
	if err := admin(t, by); err != nil {
		return err
	}
	roles, err := normRoles("staff_roles", roles)
	if err != nil {
		return err
	}
	if userID == by.UserID && !slices.Contains(roles, sop.RoleTenantAdmin) {
		return errs.New(errs.Conflict, "staff.keep_admin")
	}
	return s.Store.Tx(ctx, func(ctx context.Context) error {
		u, err := s.Store.UserByID(ctx, userID)
		if errors.Is(err, ErrNotFound) || (err == nil && u.TenantID != t.ID) {
			return errs.New(errs.NotFound, "error.not_found")
		}
		if err != nil {
			return err
		}
		if err := s.Store.SetStaffRoles(ctx, userID, t.ID, roles, by.UserID, s.now()); err != nil {
			return err
		}
		if err := s.record(ctx, t.ID, by, "staff.roles", userID, u.Email+" "+RoleList(roles)); err != nil {
			return err
		}
		if len(roles) == 0 {
			// A former member signs in again as an applicant.
			return s.Store.DeleteUserSessions(ctx, userID, "")
		}
		return nil
	})
}

// ResetMFA removes a member's second factor and recovery codes and ends their sessions:
// at the next login they enrol again. Only a tenant admin of t may (by), or the operator
// (by nil).
func (s *Service) ResetMFA(ctx context.Context, t account.Tenant, userID int64, by *Member) error {
	if by != nil {
		if err := admin(t, by); err != nil {
			return err
		}
	}
	return s.Store.Tx(ctx, func(ctx context.Context) error {
		m, err := s.Store.StaffMember(ctx, userID)
		if errors.Is(err, ErrNotFound) || (err == nil && m.TenantID != t.ID) {
			return errs.New(errs.NotFound, "error.not_found")
		}
		if err != nil {
			return err
		}
		if err := s.Store.DeleteMFA(ctx, userID); err != nil {
			return err
		}
		if err := s.record(ctx, t.ID, by, "staff.reset_2fa", userID, m.Email); err != nil {
			return err
		}
		if err := s.Store.ClearLoginFailures(ctx, failKey(userID)); err != nil {
			return err
		}
		return s.Store.DeleteUserSessions(ctx, userID, "")
	})
}

// StartLogin records that u passed the password and must now pass the second factor: it
// returns the secret of a token valid LoginTTL, for a cookie.
func (s *Service) StartLogin(ctx context.Context, u account.User) (string, error) {
	secret, hash := account.NewSecret()
	now := s.now()
	err := s.Store.Tx(ctx, func(ctx context.Context) error {
		if err := s.Store.UseTokensOf(ctx, u.ID, PurposeLogin, now); err != nil {
			return err
		}
		return s.Store.CreateToken(ctx, &account.Token{UserID: u.ID, Purpose: PurposeLogin, Hash: hash, CreatedAt: now, ExpiresAt: now.Add(LoginTTL)})
	})
	if err != nil {
		return "", fmt.Errorf("start login: %w", err)
	}
	return secret, nil
}

// PendingLogin is the account waiting for its second factor under secret, in tenant t.
// Any problem (unknown, used, expired, another tenant, no longer staff) is
// errs.Unauthorized "mfa.expired": the person starts again with the password.
func (s *Service) PendingLogin(ctx context.Context, t account.Tenant, secret string) (account.User, Member, error) {
	expired := errs.New(errs.Unauthorized, "mfa.expired")
	if secret == "" {
		return account.User{}, Member{}, expired
	}
	tok, err := s.Store.TokenByHash(ctx, PurposeLogin, account.HashSecret(secret))
	if errors.Is(err, ErrNotFound) {
		return account.User{}, Member{}, expired
	}
	if err != nil {
		return account.User{}, Member{}, err
	}
	if !tok.UsedAt.IsZero() || s.now().After(tok.ExpiresAt) {
		return account.User{}, Member{}, expired
	}
	u, err := s.Store.UserByID(ctx, tok.UserID)
	if err != nil {
		return u, Member{}, err
	}
	m, err := s.Store.StaffMember(ctx, u.ID)
	if errors.Is(err, ErrNotFound) || (err == nil && (m.TenantID != t.ID || u.TenantID != t.ID)) {
		return u, m, expired
	}
	return u, m, err
}

// EndLogin spends the pending-login token, once the second factor passed.
func (s *Service) EndLogin(ctx context.Context, secret string) error {
	tok, err := s.Store.TokenByHash(ctx, PurposeLogin, account.HashSecret(secret))
	if err != nil {
		return fmt.Errorf("end login: %w", err)
	}
	if ok, err := s.Store.UseToken(ctx, tok.ID, s.now()); err != nil || !ok {
		if err == nil {
			err = errs.New(errs.Unauthorized, "mfa.expired")
		}
		return err
	}
	return nil
}

// Enrolled tells whether the member has a confirmed second factor.
func (s *Service) Enrolled(ctx context.Context, userID int64) (bool, error) {
	m, err := s.Store.MFA(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil && !m.EnabledAt.IsZero(), err
}

// RecoveryCodesLeft counts the member's unused recovery codes.
func (s *Service) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	return s.Store.UnusedRecoveryCodes(ctx, userID)
}

func failKey(userID int64) string { return "mfa:" + strconv.FormatInt(userID, 10) }

// attempt runs check under the lockout (account.Lockout): after Limits.MaxAttempts
// wrong codes within a while, the member's second factor is locked for Limits.LockFor.
// Each attempt is counted before its code is checked, so parallel guesses cannot pass
// the lock.
func (s *Service) attempt(ctx context.Context, userID int64, check func() (bool, error)) error {
	l := s.limits()
	ok, locked, err := account.Lockout{After: l.MaxAttempts, For: l.LockFor}.Try(ctx, s.Store, failKey(userID), s.now(), check)
	switch {
	case err != nil:
		return err
	case locked > 0:
		return &errs.Error{Code: errs.TooMany, Key: "mfa.locked", RetryAfter: locked}
	case !ok:
		return wrongCode()
	}
	return nil
}

func wrongCode() error {
	var fs errs.Fields
	fs.Add("otp", "mfa_wrong")
	return fs.Err()
}
