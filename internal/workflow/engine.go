package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/seal"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// Job kinds the engine enqueues and handles.
const (
	JobProvision   = "workflow.provision"
	JobAccountTest = "workflow.account_test"
	// JobLifecycle does a service's step on an existing mailbox (reset, deactivate,
	// reactivate, quota).
	JobLifecycle = "workflow.lifecycle"
	// JobClaim records a claimed mailbox's owner (sop.KindClaim).
	JobClaim = "workflow.claim"
)

// MailServer is a tenant's mail server and what the engine needs to know about it.
type MailServer struct {
	Server mailbox.Server
	// Test is the account test (seed 003 step 4): an IMAP login, and a delivery found
	// where LMTP is configured; nil when no IMAP server is configured.
	Test func(ctx context.Context, address, password string) error
	// Webmail is the link shown to the applicant with the new address.
	Webmail string
	Limits  mailbox.Limits
	// DefaultQuota is the quota of a new mailbox, bytes; 0 is the server's default.
	DefaultQuota int64
	// Retention is how long a deactivated mailbox is kept before its purge may be asked;
	// 0 is DefaultRetention.
	Retention time.Duration
	// Calls bounds the jobs calling the server at once in this process: a slot each;
	// nil is no bound.
	Calls chan struct{}
	// SyncAt is the time of day (HH:MM, the tenant's time zone) of the daily sync into
	// the registry (ScheduledSync); empty is none.
	SyncAt string
}

// PageCallTimeout bounds a mail server call made while a person waits on the page (the
// mailbox password change): the HTTP server gives up writing at 60 seconds.
const PageCallTimeout = 20 * time.Second

// take holds one of the server's call slots for a job until release; when all are
// taken for a moment the job is put back for later (jobs.Later), its attempt not
// counted, and its worker serves another server's job meanwhile.
func (ms MailServer) take(ctx context.Context) (release func(), err error) {
	if ms.Calls == nil {
		return func() {}, nil
	}
	t := time.NewTimer(200 * time.Millisecond)
	defer t.Stop()
	select {
	case ms.Calls <- struct{}{}:
		return func() { <-ms.Calls }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, jobs.Later(5 * time.Second)
	}
}

// Engine runs the back office. All fields but Log are required.
type Engine struct {
	Store Store
	// Book resolves each tenant's SOP and working calendar.
	Book *sop.Book
	// Requests is the applicant's side, for the address rule at the create step.
	Requests *request.Service
	Tenant   func(id int64) (account.Tenant, bool)
	Mail     account.Mailer
	Audit    audit.Writer
	Seal     *seal.Box
	// Reports writes the document of a report step (nil: the step only records who
	// completed it).
	Reports Reporter
	// OnCapacity hears every reading of a tenant's mail server capacity that succeeded
	// (the leader's snapshot, each minute; the capacity report keeps the day's last);
	// nil for none.
	OnCapacity func(ctx context.Context, tenantID int64, v CapacityView)
	// Mailboxes gives a tenant's mail server.
	Mailboxes func(tenantID int64) (MailServer, error)
	// Registry records the mailboxes the server confirmed; nil records none.
	Registry *registry.Service
	// Domains runs the domain services' steps (verification, desa.id, sub-domains); nil
	// when they are not offered.
	Domains *DomainWork
	// Portal checks an owner's portal password when they change their mailbox's
	// (ChangeMailboxPassword): the account service's hasher.
	Portal Verifier
	// NewPassword generates a mailbox's first password.
	NewPassword func() string
	Now         func() time.Time
	Log         *slog.Logger
}

func (e *Engine) now() time.Time {
	if e.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return e.Now().UTC().Truncate(time.Microsecond)
}

// Input is one staff action on a request's running step.
type Input struct {
	StepID  int64
	Action  Action
	Note    string
	Mailbox string // the agreed local part, at a provision step
	// Reference is the registry's reference of a desa.id name, at activation by hand.
	Reference string
	// Proof is the proof of payment at a payment step, checked and stored by the
	// caller; nil when none was sent.
	Proof *request.File
	IP    string
}

// Actions lists what staff may do at a step of the given kind, in the order the buttons
// show. Return and Refuse are available wherever a person decides.
func Actions(kind string) []Action {
	switch sop.Kind(kind) {
	case sop.KindManual, sop.KindCapacityCheck, sop.KindSubmit:
		return []Action{Forward, Return, Refuse}
	case sop.KindProvision:
		return []Action{Provision, Return, Refuse}
	case sop.KindDeliver:
		return []Action{Deliver}
	case sop.KindReport, sop.KindArchive:
		return []Action{Complete}
	case sop.KindVerifyInstansi, sop.KindPayment:
		return []Action{Forward, Return, Refuse}
	case sop.KindRegistry:
		return []Action{FileRegistry, Activate, Refuse}
	case sop.KindDNSCreate:
		return []Action{CreateDNS, Return, Refuse}
	case sop.KindDNSRemove:
		return []Action{RemoveDNS, Refuse}
	case sop.KindAccountTest, sop.KindDNSTest:
		return nil
	case sop.KindResetPassword, sop.KindDeactivate, sop.KindReactivate, sop.KindQuotaChange, sop.KindHandover, sop.KindClaim:
		return []Action{Execute, Return, Refuse}
	case sop.KindPurge:
		// Nobody to return a purge to: staff confirm it or refuse it (the mailbox stays).
		return []Action{Execute, Refuse}
	}
	return nil
}

func allowed(kind string, a Action) bool {
	for _, x := range Actions(kind) {
		if x == a {
			return true
		}
	}
	return false
}

// ErrAlreadyDone is returned to the second of two people acting on one step: the step's
// life (request.History) found it moved on.
var ErrAlreadyDone = request.ErrStepMoved

// Load reads a request for a staff member of its tenant; another tenant's request does
// not exist for them.
func (e *Engine) Load(ctx context.Context, m staff.Member, id int64) (request.Request, error) {
	r, err := e.Store.Request(ctx, id)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && !visible(m, r)) {
		return request.Request{}, errs.New(errs.NotFound, "error.not_found")
	}
	return r, err
}

// visible tells whether staff member m sees r: a sent request of their tenant.
func visible(m staff.Member, r request.Request) bool {
	return r.TenantID == m.TenantID && r.Status != request.Draft
}

// Act performs a staff action on the running step of a request.
func (e *Engine) Act(ctx context.Context, m staff.Member, requestID int64, in Input) (request.Request, error) {
	r, err := e.Load(ctx, m, requestID)
	if err != nil {
		return r, err
	}
	st, err := e.Store.Step(ctx, in.StepID)
	if err != nil || st.RequestID != r.ID {
		return r, errs.New(errs.NotFound, "error.not_found")
	}
	if !st.Running() {
		return r, ErrAlreadyDone
	}
	if !m.Has(sop.Role(st.Role)) {
		return r, errs.New(errs.Forbidden, "workflow.not_your_role", sop.Role(st.Role).Label("id"))
	}
	if f, failed := StepFailure(r, st); failed && !f.Retry && !slices.Contains(onFailed(st.Kind, f), in.Action) {
		// A conflict (a name the DNS server holds) is not retried: a person ends the step.
		return r, errs.New(errs.Conflict, "workflow.failed_conflict")
	}
	if in.Action == Retry {
		if st.Status != request.StepFailed {
			return r, ErrAlreadyDone
		}
	} else if !allowed(st.Kind, in.Action) {
		return r, errs.New(errs.Invalid, "workflow.bad_action")
	} else if st.Status == request.StepWorking {
		return r, ErrAlreadyDone
	}
	in.Note = strings.TrimSpace(in.Note)
	if (in.Action == Return || in.Action == Refuse) && in.Note == "" {
		var fs errs.Fields
		fs.Add("note", "required")
		return r, fs.Err()
	}
	t, ok := e.Tenant(r.TenantID)
	if !ok {
		return r, fmt.Errorf("workflow: tenant %d not configured", r.TenantID)
	}
	def, cal, err := e.Book.ServiceWorkflow(ctx, t.SOPRef(), r.Service)
	if err != nil {
		return r, err
	}
	def = def.Flow(r.Service)
	h := request.History{Store: e.Store, Cal: cal}
	if in.Action == Provision {
		if in.Mailbox, err = e.Requests.CheckMailbox(ctx, t, in.Mailbox, r.ID, request.FieldMailbox); err != nil {
			return r, err
		}
	}
	if in.Action == Activate {
		if in.Reference, err = checkReference(in.Reference); err != nil {
			return r, err
		}
	}
	if err := e.reactivationAllowed(ctx, r, in.Action); err != nil {
		return r, err
	}
	if in.Action == FileRegistry && !e.HasRegistrar(r.TenantID) {
		return r, errs.New(errs.Invalid, "workflow.no_registrar")
	}
	now := e.now()
	act := m.Actor().From(in.IP)
	apply := func(ctx context.Context) error {
		if handled, err := e.domainAct(ctx, h, t, &r, def, &st, in, act, now); handled || err != nil {
			return err
		}
		if in.Action == Forward && st.Kind == string(sop.KindPayment) {
			paid, err := e.confirmPayment(ctx, r, in.Proof, now)
			if err != nil {
				return err
			}
			in.Note = strings.TrimPrefix(in.Note+". "+paid, ". ")
		}
		switch in.Action {
		case Forward, Complete, Deliver:
			if err := h.End(ctx, &st, act, request.StepDone, in.Note, now); err != nil {
				return err
			}
			if in.Action == Deliver {
				if err := e.markDone(ctx, t, &r, now); err != nil {
					return err
				}
			} else if err := e.processing(ctx, t, &r, now); err != nil {
				return err
			}
			switch {
			case in.Action != Complete:
			case st.Kind == string(sop.KindReport) && e.Reports != nil:
				// Seed 004 step 5: the Kasi's "laporan jumlah akun", as of now, numbered and
				// attached to the request in this transaction.
				if err := e.Reports.StepReport(ctx, t, r, e.ownerName(ctx, r), act, now); err != nil {
					return err
				}
			case st.Kind == string(sop.KindArchive):
				if err := e.archive(ctx, &r, now); err != nil {
					return err
				}
			}
			return e.advance(ctx, h, t, &r, def, st.Key, now)
		case Return:
			return e.giveBack(ctx, h, t, &r, &st, act, in.Note, now)
		case Refuse:
			if err := h.End(ctx, &st, act, request.StepRefused, in.Note, now); err != nil {
				return err
			}
			return e.refuse(ctx, h, t, &r, in.Note, now)
		case Provision:
			if r.Mailbox != in.Mailbox {
				r.Mailbox = in.Mailbox
				if err := e.Store.UpdateRequest(ctx, r); err != nil {
					if errors.Is(err, errs.ErrConflict) {
						return errs.New(errs.Conflict, "request.address_taken")
					}
					return err
				}
			}
			if err := e.processing(ctx, t, &r, now); err != nil {
				return err
			}
			return e.startJob(ctx, h, &st, JobProvision, now)
		case Execute:
			if err := e.processing(ctx, t, &r, now); err != nil {
				return err
			}
			return e.startJob(ctx, h, &st, jobOf(sop.Kind(st.Kind)), now)
		case Retry:
			kind := jobOf(sop.Kind(st.Kind))
			if j, ok := jobOfKind[sop.Kind(st.Kind)]; ok {
				kind = j
			}
			return e.startJob(ctx, h, &st, kind, now)
		}
		return errs.New(errs.Invalid, "workflow.bad_action")
	}
	err = e.Store.Tx(ctx, func(ctx context.Context) error {
		if err := apply(ctx); err != nil {
			return err
		}
		return e.record(ctx, act, "step."+string(in.Action), r, st.Name+noteSuffix(in.Note))
	})
	return r, err
}

// reactivationAllowed refuses an action that moves a reactivation request towards the
// server (forward, complete, execute, retry) while its owner is not active in the
// roster (request.Service.ReactivationCheck), with the reason; returning or refusing the
// request stays open.
func (e *Engine) reactivationAllowed(ctx context.Context, r request.Request, a Action) error {
	if r.Service != sop.ServiceReactivate || a == Return || a == Refuse {
		return nil
	}
	c, err := e.Requests.ReactivationCheck(ctx, r)
	if err != nil || !c.Blocks() {
		return err
	}
	return errs.New(errs.Invalid, "workflow.reactivation_blocked."+c.Reason, c.NIP)
}

func noteSuffix(note string) string {
	if note == "" {
		return ""
	}
	return ": " + note
}

// record appends to the audit trail in the transaction of the change it records.
func (e *Engine) record(ctx context.Context, a audit.Actor, action string, r request.Request, detail string) error {
	if e.Audit == nil {
		return nil
	}
	return e.Audit.Record(ctx, a.Entry(r.TenantID, action, audit.Object("request", r.ID), detail))
}

// jobOf is the job that does an automatic step of kind k.
func jobOf(k sop.Kind) string {
	switch {
	case k == sop.KindAccountTest:
		return JobAccountTest
	case k == sop.KindClaim:
		return JobClaim
	case k.Lifecycle():
		return JobLifecycle
	}
	return JobProvision
}

// StartAuto starts the job of an automatic step the applicant does themselves (a
// self-service reset), in the transaction that entered it: request.Service.Auto.
func (e *Engine) StartAuto(ctx context.Context, r request.Request, st *request.Step, now time.Time) error {
	return e.startJob(ctx, request.History{Store: e.Store}, st, jobOf(sop.Kind(st.Kind)), now)
}

// startJob marks an automatic step as working and queues its job, in one transaction.
func (e *Engine) startJob(ctx context.Context, h request.History, st *request.Step, kind string, now time.Time) error {
	if err := h.Work(ctx, st); err != nil {
		return err
	}
	_, err := e.Store.EnqueueJob(ctx, kind, st.RequestID, 8, now)
	return err
}

// advance enters the step after key, or closes the request after the last one. A done
// step is passed through; an account test's job is queued with it; the applicant's own
// deliver step makes the request done for them (it ends when they take the
// credentials, or the front desk prints the letter).
func (e *Engine) advance(ctx context.Context, h request.History, t account.Tenant, r *request.Request, def sop.Definition, key string, now time.Time) error {
	idx := -1
	for i, s := range def.Steps {
		if s.Key == key {
			idx = i
		}
	}
	if idx < 0 {
		return fmt.Errorf("workflow: step %q is not in SOP %s", key, def.Slug)
	}
	if idx+1 >= len(def.Steps) {
		if r.Status != request.Done {
			if err := e.markDone(ctx, t, r, now); err != nil {
				return err
			}
		}
		r.ClosedAt = now
		if err := e.Store.UpdateRequest(ctx, *r); err != nil {
			return err
		}
		return e.close(ctx, h, r, now)
	}
	next := def.Steps[idx+1]
	if _, err := h.Enter(ctx, *r, next, now); err != nil {
		return err
	}
	switch {
	case next.Kind == sop.KindDone:
		return e.advance(ctx, h, t, r, def, next.Key, now)
	case next.Kind == sop.KindAccountTest, next.Kind == sop.KindDNSTest:
		_, err := e.Store.EnqueueJob(ctx, jobOfKind[next.Kind], r.ID, 8, now)
		return err
	case next.Kind == sop.KindDeliver && next.Role == sop.RolePemohon:
		return e.markDone(ctx, t, r, now)
	}
	return nil
}

// close counts a request that has just closed for the SOP as a whole and files it in
// the archive, in the transaction that closed it.
func (e *Engine) close(ctx context.Context, h request.History, r *request.Request, now time.Time) error {
	if err := h.Close(ctx, *r, now); err != nil {
		return err
	}
	if r.FiledAt.IsZero() {
		r.FiledAt = now
	}
	return e.Store.FileRequest(ctx, *r)
}

// archive is an archive step's end (seed 004 step 6): the request's documents (the
// report of the step before) and the request itself are filed, and from then on the
// archive finds it.
func (e *Engine) archive(ctx context.Context, r *request.Request, now time.Time) error {
	if err := e.Store.ArchiveDocuments(ctx, r.ID, now); err != nil {
		return err
	}
	r.ArchivedAt = now
	if r.FiledAt.IsZero() {
		r.FiledAt = now
	}
	return e.Store.FileRequest(ctx, *r)
}

// processing moves a waiting request to "diproses" at the first staff action.
func (e *Engine) processing(ctx context.Context, t account.Tenant, r *request.Request, now time.Time) error {
	if r.Status != request.Waiting {
		return nil
	}
	r.Status, r.UpdatedAt = request.Processing, now
	if err := e.Store.UpdateRequest(ctx, *r); err != nil {
		return err
	}
	return e.tell(ctx, t, *r, "notif.processing", "request_processing", nil, now)
}

// markDone makes the request "selesai" for the applicant: the address and the sealed
// password can be taken from the portal.
func (e *Engine) markDone(ctx context.Context, t account.Tenant, r *request.Request, now time.Time) error {
	if r.Status == request.Done {
		return nil
	}
	r.Status, r.UpdatedAt = request.Done, now
	if err := e.Store.UpdateRequest(ctx, *r); err != nil {
		return err
	}
	key, mail := "notif.done", "request_done"
	if sop.HasOwnFlow(r.Service) {
		// The owner's own e-mail hears what was done to their mailbox: a reset, a
		// deactivation, a reactivation, a new quota, a claim recorded.
		key, mail = "notif.done_"+r.Service, r.Service+"_done"
	}
	return e.tell(ctx, t, *r, key, mail, map[string]any{"Webmail": e.Webmail(r.TenantID), "Survey": surveyLink(t, *r)}, now)
}

// refuse ends the request with a reason.
func (e *Engine) refuse(ctx context.Context, h request.History, t account.Tenant, r *request.Request, reason string, now time.Time) error {
	r.Status, r.Note, r.UpdatedAt, r.ClosedAt = request.Refused, reason, now, now
	if err := e.Store.UpdateRequest(ctx, *r); err != nil {
		return err
	}
	if err := e.close(ctx, h, r, now); err != nil {
		return err
	}
	return e.tell(ctx, t, *r, "notif.refused", "request_refused", map[string]any{"Reason": reason, "Survey": surveyLink(t, *r)}, now)
}

// surveyLink is the page of the Survei Kepuasan Masyarakat the applicant of an ended
// request is invited to (internal/survey).
func surveyLink(t account.Tenant, r request.Request) string {
	return t.Link(fmt.Sprintf("/permohonan/%d/survei", r.ID))
}

// giveBack returns the request to the applicant from its running step st: the step's
// clock stops and a correction row opens (request.History.Return), and the applicant is
// told who returned it (by) and why, by e-mail when the front desk entered the request
// with one (the desk enters the correction for them).
func (e *Engine) giveBack(ctx context.Context, h request.History, t account.Tenant, r *request.Request, st *request.Step, by audit.Actor, note string, now time.Time) error {
	if _, err := h.Return(ctx, *r, st, note, now); err != nil {
		return err
	}
	mail := "request_returned"
	if r.ByDesk() {
		mail = "request_returned_loket"
	}
	r.Status, r.Note, r.UpdatedAt = request.Returned, note, now
	if err := e.Store.UpdateRequest(ctx, *r); err != nil {
		return err
	}
	return e.tell(ctx, t, *r, "notif.returned", mail, map[string]any{"Reason": note, "From": by.Name}, now)
}

// tell notifies the applicant in the portal and by e-mail, in the caller's transaction.
func (e *Engine) tell(ctx context.Context, t account.Tenant, r request.Request, key, template string, data map[string]any, now time.Time) error {
	u, err := e.Store.UserByID(ctx, r.UserID)
	if err != nil {
		return err
	}
	if err := e.Store.Notify(ctx, request.Notification{UserID: u.ID, RequestID: r.ID, Key: key, Arg: r.Number, CreatedAt: now}); err != nil {
		return err
	}
	if !request.Reachable(u.Email) {
		return nil
	}
	d := map[string]any{"Name": u.DisplayName(), "Number": r.Number, "Address": r.MailboxAddress(), "URL": t.Link(fmt.Sprintf("/permohonan/%d", r.ID)), "Tenant": t.Name}
	for k, v := range data {
		d[k] = v
	}
	return e.Mail.Send(ctx, notify.Mail{TenantID: t.ID, To: u.Email, Lang: u.Lang, Template: template, Data: d})
}
