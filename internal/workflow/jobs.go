package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/sop"
)

// Handlers are the engine's job handlers, for the job runner.
func (e *Engine) Handlers() map[string]jobs.Handler {
	return map[string]jobs.Handler{JobProvision: e.provision, JobAccountTest: e.accountTest, JobLifecycle: e.lifecycle, JobClaim: e.claimJob,
		JobDNSCreate: e.dnsCreate, JobDNSTest: e.dnsTest, JobDNSRemove: e.dnsRemove, JobRegistry: e.registry}
}

// runningOfKind finds the request's running step of a kind (kind "": of any lifecycle
// kind); ok is false when there is
// none (the job already did its work, or the request moved on).
func (e *Engine) runningOfKind(ctx context.Context, requestID int64, kind sop.Kind) (request.Request, request.Step, bool, error) {
	r, err := e.Store.Request(ctx, requestID)
	if err != nil {
		if errors.Is(err, errs.ErrNotFound) {
			return r, request.Step{}, false, nil
		}
		return r, request.Step{}, false, err
	}
	steps, err := e.Store.StepsOf(ctx, requestID)
	if err != nil {
		return r, request.Step{}, false, err
	}
	st, ok := request.Running(steps)
	if kind == "" && ok && sop.Kind(st.Kind).Lifecycle() {
		kind = sop.Kind(st.Kind)
	}
	if !ok || st.Kind != string(kind) || st.Status != request.StepWorking {
		return r, st, false, nil
	}
	return r, st, true, nil
}

// onServer finds the request whose current step is of kind ("" for any) and the tenant's
// mail server, and takes one of the server's call slots: what every job that calls the
// server does first. ok is false when the step has moved on (nothing to do); release
// gives the slot back.
func (e *Engine) onServer(ctx context.Context, requestID int64, kind sop.Kind) (r request.Request, st request.Step, ms MailServer, release func(), ok bool, err error) {
	if r, st, ok, err = e.runningOfKind(ctx, requestID, kind); err != nil || !ok {
		return r, st, ms, nil, ok, err
	}
	if ms, err = e.Mailboxes(r.TenantID); err != nil {
		return r, st, ms, nil, false, jobs.Permanent(err)
	}
	if release, err = ms.take(ctx); err != nil {
		return r, st, ms, nil, false, err
	}
	return r, st, ms, release, true, nil
}

func owner(r request.Request) string { return fmt.Sprintf("request:%d", r.ID) }

// provision creates the request's mailbox. It is idempotent: the password is chosen and
// sealed once, before the server is called, so a run after a crash between the server's
// reply and our commit sends the same password for the same owner, and the server
// answers "already yours" rather than making a second mailbox.
func (e *Engine) provision(ctx context.Context, j jobs.Job) error {
	r, st, ms, release, ok, err := e.onServer(ctx, j.Ref, sop.KindProvision)
	if err != nil || !ok {
		return err
	}
	defer release()
	password, err := e.password(ctx, r, ms)
	if err != nil {
		return err
	}
	if err := e.checkCapacity(ctx, ms, r); err != nil {
		return err
	}
	err = ms.Server.Create(ctx, mailbox.New{Address: r.MailboxAddress(), Name: e.ownerName(ctx, r), Password: password,
		QuotaBytes: ms.DefaultQuota, Owner: owner(r), MustChange: true})
	note := "Akun " + r.MailboxAddress() + " dibuat"
	var warn *mailbox.PolicyWarning
	switch {
	case errors.As(err, &warn):
		// The password is set; the server reports it breaks its policy.
		note += ". Peringatan server: " + warn.Message
	case errors.Is(err, mailbox.ErrTaken), errors.Is(err, mailbox.ErrNoSuchDomain),
		errors.Is(err, mailbox.ErrNotAllowed), errors.Is(err, mailbox.ErrPasswordPolicy):
		// Retrying cannot help until staff choose another address or the operator
		// grants what the error names: shown on the step, with its retry.
		return jobs.Permanent(err)
	case err != nil:
		return err
	}
	// A mailbox that existed already for this owner (a run before ours committed) was
	// given this password and the first-login change mark again by Create: no separate
	// SetPassword, which would clear that mark. The registry records the mailbox with the
	// step's end: the server has confirmed it.
	return e.completeAuto(ctx, r, st, request.StepDone, note, "mailbox.create", func(ctx context.Context) error {
		return e.register(ctx, r, ms)
	})
}

// claimJob does a claim's confirmation step (sop.KindClaim) with a call slot of the
// tenant's mail server.
func (e *Engine) claimJob(ctx context.Context, j jobs.Job) error {
	r, st, ms, release, ok, err := e.onServer(ctx, j.Ref, sop.KindClaim)
	if err != nil || !ok {
		return err
	}
	defer release()
	return e.claim(ctx, r, st, ms)
}

// claim is the confirmation step of a claim ("Klaim Akun Email", its own flow under
// services: klaim): staff have verified that the applicant owns the mailbox the server
// already has, so the registry records the applicant as its owner (MatchClaim), after
// the server confirmed the mailbox is there and is no other request's. Nothing changes
// on the server: no password is set or handed over, and the portal's mailbox
// self-service works for it from then on.
func (e *Engine) claim(ctx context.Context, r request.Request, st request.Step, ms MailServer) error {
	if e.Registry == nil {
		return jobs.Permanent(errors.New("no registry to record the claim in"))
	}
	address := r.MailboxAddress()
	info, err := ms.Server.Get(ctx, address)
	switch {
	case errors.Is(err, mailbox.ErrNoSuchMailbox):
		return jobs.Permanent(fmt.Errorf("%s is not on the mail server: %w", address, err))
	case err != nil:
		return err
	case strings.HasPrefix(info.Owner, "request:") && info.Owner != owner(r):
		// surel made it for another request: that one's applicant owns it.
		return jobs.Permanent(fmt.Errorf("%s was made by surel for %s: %w", address, info.Owner, mailbox.ErrTaken))
	}
	u, err := e.Store.UserByID(ctx, r.UserID)
	if err != nil {
		return err
	}
	entry := roster.Entry{NIP: r.Values["nip"], Name: u.DisplayName(), Instansi: r.Values["instansi"], Unit: r.Values["satuan_kerja"]}
	if e.Requests.Roster != nil {
		if x, err := e.Requests.Roster.RosterEntry(ctx, r.TenantID, entry.NIP); err == nil {
			entry = x
		} else if !errors.Is(err, errs.ErrNotFound) {
			return err
		}
	}
	note := "Akun " + address + " dicatat sebagai milik pemohon (klaim); akun di mail server tidak diubah"
	return e.completeAuto(ctx, r, st, request.StepDone, note, "mailbox.claim", func(ctx context.Context) error {
		_, err := e.Registry.Claim(ctx, u, address, entry, audit.System, "klaim "+r.Number)
		if errs.CodeOf(err) == errs.Conflict {
			return jobs.Permanent(err)
		}
		return err
	})
}

// register records the mailbox the server made for r in the registry, in the caller's
// transaction: the applicant is its owner, the request's form gives the NIP, instansi
// and unit. An institutional request's mailbox is Kind institutional, its owner the
// responsible PNS.
func (e *Engine) register(ctx context.Context, r request.Request, ms MailServer) error {
	if e.Registry == nil {
		return nil
	}
	kind := registry.Personal
	if _, k, err := e.Requests.Form(r.Service, r.Kind); err == nil && k.Institutional {
		// The applicant is the responsible PNS: the registry's owner, with their NIP and
		// name, the mailbox's unit the form's nama_unit.
		kind = registry.Institutional
	}
	_, err := e.Registry.Created(ctx, registry.Mailbox{TenantID: r.TenantID, Address: r.MailboxAddress(), OwnerID: r.UserID, Kind: kind,
		Name: e.ownerName(ctx, r), NIP: r.Values["nip"], Instansi: r.Values["instansi"], Unit: r.Unit(),
		RequestID: r.ID, QuotaBytes: ms.DefaultQuota}, audit.System)
	return err
}

// completeAuto ends an automatic step with the job's outcome, enters the next step and
// records it, in one transaction with also (if not nil); a step already ended by an
// earlier run is no error.
func (e *Engine) completeAuto(ctx context.Context, r request.Request, st request.Step, status request.StepStatus, note, action string, also func(ctx context.Context) error) error {
	t, _ := e.Tenant(r.TenantID)
	def, cal, err := e.Book.ServiceWorkflow(ctx, t.SOPRef(), r.Service)
	if err != nil {
		return err
	}
	def = def.Flow(r.Service)
	h := request.History{Store: e.Store, Cal: cal}
	now := e.now()
	err = e.Store.Tx(ctx, func(ctx context.Context) error {
		if err := h.End(ctx, &st, audit.System, status, note, now); err != nil {
			return err
		}
		if err := e.advance(ctx, h, t, &r, def, st.Key, now); err != nil {
			return err
		}
		if also != nil {
			if err := also(ctx); err != nil {
				return err
			}
		}
		return e.record(ctx, audit.System, action, r, note)
	})
	if errors.Is(err, ErrAlreadyDone) {
		return nil
	}
	return err
}

// password is the request's mailbox password: the sealed one if chosen before, else a
// new one, sealed and committed before any server sees it. A new one follows the
// server's password policy where the driver can read it (Zimbra's class of service,
// which CreateAccount enforces), else the default generator's.
//
// A sealed password can go stale between two runs: sealed under a secret key since
// replaced (`surel key adopt`: it no longer opens), or chosen before the server's
// policy was readable or changed (CreateAccount would refuse it for ever, and each retry
// would send it again). Such a one is replaced by a new one within the policy, sealed
// over the old (so two runs agree on one), before the server is called. That is safe
// however far the earlier run got: a create for the same owner sets the password it is
// given, so the applicant is handed the one the server has.
func (e *Engine) password(ctx context.Context, r request.Request, ms MailServer) (string, error) {
	c, err := e.Store.Credential(ctx, r.ID)
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return "", err
	}
	found := err == nil
	if found && c.Sealed == "" {
		return "", jobs.Permanent(fmt.Errorf("credential of request %d already revealed", r.ID))
	}
	policy, known := e.serverPolicy(ctx, r, ms)
	if found {
		pw, err := e.Seal.Open(c.Sealed, owner(r))
		switch {
		case err != nil:
			e.logStale(ctx, r, "the sealed password no longer opens (secret key replaced)")
		case known && policy.Check(pw) != nil:
			e.logStale(ctx, r, "the sealed password breaks the server's policy: "+policy.Check(pw).Error())
		default:
			return pw, nil
		}
	}
	pw := e.NewPassword()
	if known {
		if pw, err = policy.Generate(r.Mailbox); err != nil {
			return "", err
		}
	}
	sealed := e.Seal.Seal(pw, owner(r))
	if found {
		if _, err := e.Store.ResealCredential(ctx, r.ID, c.Sealed, sealed); err != nil {
			return "", err
		}
	} else if err := e.Store.PutCredential(ctx, Credential{RequestID: r.ID, Address: r.MailboxAddress(), Sealed: sealed, CreatedAt: e.now()}); err != nil {
		return "", err
	}
	// Another run may have raced us to it: use whatever was stored.
	c, err = e.Store.Credential(ctx, r.ID)
	if err != nil {
		return "", err
	}
	if c.Sealed == "" {
		return "", jobs.Permanent(fmt.Errorf("credential of request %d already revealed", r.ID))
	}
	return e.Seal.Open(c.Sealed, owner(r))
}

// serverPolicy reads the server's password policy for r's domain where the driver can
// (mailbox.PasswordPolicer); known is false otherwise. Unreadable (a right missing) is
// no failure: the default generator fits the usual policies, the log says what to grant.
func (e *Engine) serverPolicy(ctx context.Context, r request.Request, ms MailServer) (mailbox.PasswordPolicy, bool) {
	p, ok := ms.Server.(mailbox.PasswordPolicer)
	if !ok {
		return mailbox.PasswordPolicy{}, false
	}
	policy, err := p.PasswordPolicy(ctx, r.Domain)
	if err != nil {
		if e.Log != nil {
			e.Log.WarnContext(ctx, "mail server password policy unknown", "request", r.ID, "err", err)
		}
		return policy, false
	}
	return policy, true
}

func (e *Engine) logStale(ctx context.Context, r request.Request, why string) {
	if e.Log != nil {
		e.Log.WarnContext(ctx, "mailbox password sealed again", "request", r.ID, "why", why)
	}
}

// checkCapacity refuses a new mailbox past the tenant's limits, with the figures (a
// mailbox that exists already for this request is not new).
func (e *Engine) checkCapacity(ctx context.Context, ms MailServer, r request.Request) error {
	if ms.Limits.MaxAccounts == 0 && ms.Limits.TotalQuota == 0 {
		return nil
	}
	if info, err := ms.Server.Get(ctx, r.MailboxAddress()); err == nil && info.Owner == owner(r) {
		return nil
	}
	c, err := ms.Server.Capacity(ctx, r.Domain)
	if err != nil {
		return err
	}
	if err := ms.Limits.Check(c, ms.DefaultQuota); err != nil {
		return jobs.Permanent(err)
	}
	return nil
}

func (e *Engine) ownerName(ctx context.Context, r request.Request) string {
	u, err := e.Store.UserByID(ctx, r.UserID)
	if err != nil {
		return ""
	}
	return u.DisplayName()
}

// accountTest logs in to the new mailbox (seed 003 step 4). With no IMAP server
// configured the step says so ("not tested") instead of pretending.
func (e *Engine) accountTest(ctx context.Context, j jobs.Job) error {
	r, st, ms, release, ok, err := e.onServer(ctx, j.Ref, sop.KindAccountTest)
	if err != nil || !ok {
		return err
	}
	defer release()
	status, note := request.StepNotTested, "Server IMAP belum dikonfigurasi: login tidak diuji"
	if _, k, err := e.Requests.Form(r.Service, r.Kind); err == nil && k.Claim {
		// A claim sets no password: there is nothing surel could log in with.
		return e.completeAuto(ctx, r, st, request.StepNotTested, "Klaim akun yang sudah ada: tidak ada password baru untuk diuji", "mailbox.test", nil)
	}
	if ms.Test != nil {
		c, err := e.Store.Credential(ctx, r.ID)
		if err != nil {
			return err
		}
		if c.Sealed == "" {
			return jobs.Permanent(fmt.Errorf("credential of request %d already revealed: cannot test", r.ID))
		}
		pw, err := e.Seal.Open(c.Sealed, owner(r))
		if err != nil {
			return jobs.Permanent(err)
		}
		status, note = request.StepDone, "Pengujian akun "+r.MailboxAddress()+" berhasil"
		switch err := ms.Test(ctx, r.MailboxAddress(), pw); {
		case errors.Is(err, mailbox.ErrPasswordChangePending):
			// The server checked the password and found it right; it wants a new one
			// before the first session, as surel asked at create.
			note = "Pengujian akun " + r.MailboxAddress() + " berhasil: kata sandi benar; server meminta kata sandi baru pada login pertama (kotak masuk belum dapat dibuka sebelum itu)"
		case err != nil:
			return fmt.Errorf("account test of %s: %w", r.MailboxAddress(), err)
		}
	}
	return e.completeAuto(ctx, r, st, status, note, "mailbox.test", nil)
}

// JobDied marks the automatic step of a job that gave up as failed, with the server's
// error, so staff see it on the request and in the inbox (marked, with its filter) and
// can retry; it tells the step role's holders and their superior, and the applicant that
// the request is delayed (not why in the server's words). For the job runner's OnDead, in
// the transaction that buries the job.
func (e *Engine) JobDied(ctx context.Context, j jobs.Job) error {
	kind, ok := stepOfJob(j.Kind)
	if !ok && j.Kind != JobLifecycle {
		return nil
	}
	r, st, ok, err := e.runningOfKind(ctx, j.Ref, kind)
	if err != nil || !ok {
		return err
	}
	t, _ := e.Tenant(r.TenantID)
	now := e.now()
	return e.Store.Tx(ctx, func(ctx context.Context) error {
		// Failing changes no clock: the history needs no calendar.
		if err := (request.History{Store: e.Store}).Fail(ctx, &st, j.LastError); err != nil {
			return err
		}
		if err := e.record(ctx, audit.System, "job.dead", r, j.Kind+": "+j.LastError); err != nil {
			return err
		}
		roles := []sop.Role{sop.Role(st.Role)}
		if up, ok, err := e.superior(ctx, r.TenantID, sop.Role(st.Role)); err != nil {
			return err
		} else if ok {
			roles = append(roles, up)
		}
		if err := e.tellStaff(ctx, t, r, st, "task_failed", roles, map[string]any{"Error": j.LastError}); err != nil {
			return err
		}
		return e.tell(ctx, t, r, "notif.delayed", "request_delayed", nil, now)
	})
}

// tellStaff mails the holders of each of roles about step st of r (the holders of a role
// nobody holds are skipped), each once.
func (e *Engine) tellStaff(ctx context.Context, t account.Tenant, r request.Request, st request.Step, template string, roles []sop.Role, data map[string]any) error {
	seen := map[int64]bool{}
	for _, role := range roles {
		to, err := e.Store.StaffWithRole(ctx, r.TenantID, string(role))
		if err != nil {
			return err
		}
		for _, p := range to {
			if seen[p.UserID] {
				continue
			}
			seen[p.UserID] = true
			d := map[string]any{"Name": p.Name, "Number": r.Number, "Step": st.Name, "Role": sop.Role(st.Role).Label(p.Lang),
				"URL": t.Link(fmt.Sprintf("/kantor/permohonan/%d", r.ID)), "Tenant": t.Name}
			for k, v := range data {
				d[k] = v
			}
			if err := e.Mail.Send(ctx, notify.Mail{TenantID: r.TenantID, To: p.Email, Lang: p.Lang, Template: template, Data: d}); err != nil {
				return err
			}
		}
	}
	return nil
}

// superior is the nearest role above role (Head) that someone in the tenant holds.
func (e *Engine) superior(ctx context.Context, tenantID int64, role sop.Role) (sop.Role, bool, error) {
	for _, up := range Head(role) {
		to, err := e.Store.StaffWithRole(ctx, tenantID, string(up))
		if err != nil {
			return "", false, err
		}
		if len(to) > 0 {
			return up, true, nil
		}
	}
	return "", false, nil
}
