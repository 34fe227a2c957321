package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/surel-id/surel/internal/errs"
)

// InviteTTL is how long the link that lets an invited person set a first password works.
const InviteTTL = 72 * time.Hour

// InviteInput names a person whose account someone else opens: a tenant admin adding
// staff, or the operator on the command line.
type InviteInput struct {
	FirstName string
	LastName  string
	Email     string
}

// Normalize trims the names and puts the e-mail in its stored form.
func (in *InviteInput) Normalize() {
	in.FirstName = squash(in.FirstName)
	in.LastName = squash(in.LastName)
	in.Email = NormalizeEmail(in.Email)
}

// Validate checks the names and the e-mail as registration does.
func (in InviteInput) Validate() error {
	var fs errs.Fields
	checkName(&fs, "first_name", in.FirstName, true)
	checkName(&fs, "last_name", in.LastName, false)
	checkEmail(&fs, "email", in.Email)
	return fs.Err()
}

// EnsureActive finds the account of in.Email or opens it, active, so that it can be given
// staff roles; created tells which. passwordHash is the new account's (from Hasher; an
// unusable random one when its owner is to set theirs through IssueResetLink). A pending
// account found gets passwordHash too and is activated: whoever registered it never
// proved the address, so their password must not open a staff account. An active
// account keeps its password. Run it inside a Tx.
func (s *Service) EnsureActive(ctx context.Context, t Tenant, in InviteInput, passwordHash string) (u User, created bool, err error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return u, false, err
	}
	now := s.Now().UTC()
	u, err = s.Store.UserByEmail(ctx, t.ID, in.Email)
	switch {
	case err == nil && u.Status == StatusActive:
		return u, false, nil
	case err == nil:
		if err := s.Store.SetPassword(ctx, u.ID, passwordHash, now); err != nil {
			return u, false, err
		}
		if err := s.Store.ActivateUser(ctx, u.ID, now); err != nil {
			return u, false, err
		}
		if err := s.Store.UseTokensOf(ctx, u.ID, PurposeActivate, now); err != nil {
			return u, false, err
		}
		u.PasswordHash, u.Status, u.ActivatedAt = passwordHash, StatusActive, now
		return u, false, nil
	case !errors.Is(err, ErrNotFound):
		return u, false, fmt.Errorf("ensure account: %w", err)
	}
	username, err := s.freeUsername(ctx, t.ID, usernameBase(in.FirstName, in.LastName))
	if err != nil {
		return u, false, fmt.Errorf("ensure account: %w", err)
	}
	u = User{TenantID: t.ID, Username: username, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
		PasswordHash: passwordHash, Status: StatusActive, Lang: langOf(ctx), CreatedAt: now, ActivatedAt: now, PasswordChangedAt: now}
	if err := s.Store.CreateUser(ctx, &u); err != nil {
		return u, false, fmt.Errorf("ensure account: %w", err)
	}
	if err := s.Store.ActivateUser(ctx, u.ID, now); err != nil {
		return u, false, err
	}
	return u, true, nil
}

// IssueResetLink makes a password-reset link secret for u valid for ttl (the page at
// /lupa-password/SECRET), retiring earlier ones; the caller mails it.
func (s *Service) IssueResetLink(ctx context.Context, u User, ttl time.Duration) (string, error) {
	return s.issueLink(ctx, u, PurposeReset, ttl, s.Now().UTC())
}

// ClaimInvite is what the claim invitation of a collective request's row names.
type ClaimInvite struct {
	Address  string // the new mailbox
	Number   string // the request's number
	Instansi string // the OPD that asked
}

// InviteToClaim mails the employee u, whose mailbox an OPD's collective request made, an
// invitation to claim it in the portal, in the caller's transaction: a walk-in record
// gets a link to set its first password (the reset link that makes it a portal account,
// as a walk-in claim does), an existing portal account the way to sign in. The mail
// carries no password: the request's page reveals it once, to u.
func (s *Service) InviteToClaim(ctx context.Context, t Tenant, u User, in ClaimInvite) error {
	data := map[string]any{"Name": u.DisplayName(), "Username": u.Username, "Address": in.Address, "Number": in.Number,
		"Instansi": in.Instansi, "Tenant": t.Name, "Hours": int(InviteTTL.Hours()), "URL": "", "Login": t.Link("/masuk")}
	if u.Status == StatusWalkIn {
		secret, err := s.issueLink(ctx, u, PurposeReset, InviteTTL, s.Now().UTC())
		if err != nil {
			return fmt.Errorf("claim invitation: %w", err)
		}
		data["URL"] = t.Link("/lupa-password/" + secret)
	}
	return s.Mail.Send(ctx, Mail{TenantID: t.ID, To: u.Email, Lang: u.Lang, Template: "collective_claim", Data: data})
}
