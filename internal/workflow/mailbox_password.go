package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
)

// MailboxPassword is the owner's "Ganti password email" form (journey 7, the tutorial of
// seed 004). surel never keeps a mailbox's password, so it cannot ask for the current
// one: the owner confirms with their portal password instead.
type MailboxPassword struct {
	Portal    string // the signed-in user's portal password (re-authentication)
	Password  string // the new mailbox password
	Password2 string // the same again
	IP        string
}

// Verifier checks a password against its stored hash: the account service's hasher
// (passwd.Hasher), which bounds how many verifications run at once.
type Verifier interface {
	Verify(ctx context.Context, encoded, password string) (ok, rehash bool, err error)
}

// ChangeMailboxPassword sets a new password on the mailbox of a finished request, through
// the tenant's mail server driver, for the request's owner only (anyone else gets
// NotFound). The new password follows the tenant's portal password policy and may not
// contain the address's local part. Where the server keeps a must-change mark (sqlmail),
// setting the password clears it. The change is audited and the owner told by
// notification and e-mail; neither carries the password.
func (e *Engine) ChangeMailboxPassword(ctx context.Context, u account.User, requestID int64, in MailboxPassword) error {
	r, err := e.Store.Request(ctx, requestID)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && r.UserID != u.ID) {
		return errs.New(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	if r.Status != request.Done || r.Mailbox == "" {
		return errs.New(errs.Conflict, "mailpw.not_ready")
	}
	t, ok := e.Tenant(r.TenantID)
	if !ok {
		return fmt.Errorf("workflow: tenant %d not configured", r.TenantID)
	}
	address := r.MailboxAddress()
	if err := checkMailboxPassword(t.Policy, u, r.Mailbox, in); err != nil {
		return err
	}
	ok, _, err = e.Portal.Verify(ctx, u.PasswordHash, in.Portal)
	if err != nil {
		return fmt.Errorf("change mailbox password: %w", err)
	}
	if !ok {
		var fs errs.Fields
		fs.Add("portal_password", "password_wrong")
		return fs.Err()
	}
	ms, err := e.Mailboxes(r.TenantID)
	if err != nil {
		return fmt.Errorf("change mailbox password: %w", err)
	}
	// The owner waits on the page: the server's answer is bounded well inside the HTTP
	// server's write timeout, so a stalled server gives an error page, not a hang.
	ctx, cancel := context.WithTimeout(ctx, PageCallTimeout)
	defer cancel()
	if err := e.checkServerPolicy(ctx, ms, r, in.Password); err != nil {
		return err
	}
	info, err := ms.Server.Get(ctx, address)
	if errors.Is(err, mailbox.ErrNoSuchMailbox) {
		return errs.New(errs.Conflict, "mailpw.no_mailbox")
	}
	if err != nil {
		return fmt.Errorf("change mailbox password: %w", err)
	}
	_, k, _ := e.Requests.Form(r.Service, r.Kind)
	if info.Owner != "" && info.Owner != owner(r) && !(k.Claim && !strings.HasPrefix(info.Owner, "request:")) {
		// The address was given to someone else's mailbox outside surel: not this
		// request's to change. (A claimed mailbox predates surel: a mark the server
		// keeps that is not surel's says nothing; the registry, which staff confirmed,
		// says whose it is.)
		return errs.New(errs.Conflict, "mailpw.no_mailbox")
	}
	// The driver writes through its own connection (a remote server, or sqlmail's own
	// pool): outside the transaction, as provisioning does.
	err = ms.Server.SetPassword(ctx, address, in.Password)
	var warn *mailbox.PolicyWarning
	if errors.As(err, &warn) {
		// Set, although the server's own policy (stricter than the portal's) objects:
		// the owner's password works; the operator reads why in the log.
		if e.Log != nil {
			e.Log.WarnContext(ctx, "mailbox password set against the server's policy", "request", r.ID, "mailbox", address, "server", warn.Message)
		}
		err = nil
	}
	if err != nil {
		if errors.Is(err, mailbox.ErrNoSuchMailbox) {
			return errs.New(errs.Conflict, "mailpw.no_mailbox")
		}
		return fmt.Errorf("change mailbox password: %w", err)
	}
	now := e.now()
	at := sop.Stamp(now, time.UTC)
	if def, _, err := e.Book.Workflow(ctx, t.SOPRef()); err == nil {
		at = def.Stamp(now)
	}
	err = e.Store.Tx(ctx, func(ctx context.Context) error {
		if err := e.record(ctx, audit.User(u.ID, u.DisplayName()).From(in.IP), "mailbox.password", r, address); err != nil {
			return err
		}
		return e.tell(ctx, t, r, "mailpw.notif", "mailbox_password_changed",
			map[string]any{"Webmail": ms.Webmail, "At": at}, now)
	})
	if err != nil {
		// The server has the new password already; say so in the log, for whoever
		// reconciles the trail.
		if e.Log != nil {
			e.Log.ErrorContext(ctx, "mailbox password changed but not recorded", "request", r.ID, "mailbox", address, "err", err)
		}
		return fmt.Errorf("change mailbox password: %w", err)
	}
	return nil
}

// checkServerPolicy refuses, as a field error naming the rule, a new password that the
// mail server's own policy refuses (Zimbra's class of service, stricter than the
// portal's): Zimbra would set it anyway for surel's admin and only say so
// (SetPassword.java:95-114), leaving the owner with a password their server's policy
// forbids. A policy surel may not read is no reason to refuse: the log says what to
// grant.
func (e *Engine) checkServerPolicy(ctx context.Context, ms MailServer, r request.Request, password string) error {
	p, ok := ms.Server.(mailbox.PasswordPolicer)
	if !ok {
		return nil
	}
	policy, err := p.PasswordPolicy(ctx, r.Domain)
	if err != nil {
		if e.Log != nil {
			e.Log.WarnContext(ctx, "mail server password policy unknown: the owner's new password is not checked against it", "request", r.ID, "err", err)
		}
		return nil
	}
	var pe *mailbox.PolicyError
	if !errors.As(policy.Check(password), &pe) {
		return nil
	}
	var fs errs.Fields
	if pe.Rule == "char" {
		fs.Add("mail_password", "server_char", string(pe.Char))
	} else {
		fs.Add("mail_password", "server_"+pe.Rule, pe.N)
	}
	return fs.Err()
}

// checkMailboxPassword gives the rules the form breaks, by field: the portal password is
// required, the new one follows the tenant's policy (the one the portal's own passwords
// follow) and may not contain the mailbox's local part, and the two copies agree.
func checkMailboxPassword(p account.Policy, u account.User, local string, in MailboxPassword) error {
	var fs errs.Fields
	if in.Portal == "" {
		fs.Add("portal_password", "required")
	}
	p.CheckPassword(&fs, "mail_password", in.Password, u.FirstName, u.LastName, u.Email, u.Username, local)
	if !fs.Has("mail_password") && len(local) >= 3 && strings.Contains(strings.ToLower(in.Password), strings.ToLower(local)) {
		fs.Add("mail_password", "password_personal")
	}
	if in.Password2 == "" {
		fs.Add("mail_password2", "required")
	} else if !fs.Has("mail_password") && in.Password2 != in.Password {
		fs.Add("mail_password2", "password_match")
	}
	return fs.Err()
}
