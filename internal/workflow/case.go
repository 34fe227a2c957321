package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// Case is the staff's page of one request (/kantor/permohonan/{id}), read in one call:
// the request as its pages show it, the applicant, the step staff act on and what the
// viewer may do there, the mail server's capacity where the step weighs it, the state of
// the new mailbox's password, and the audit trail.
type Case struct {
	request.View
	Applicant account.User
	// ApplicantEmail is the applicant's e-mail, empty for a walk-in applicant who gave
	// none (their record holds a placeholder).
	ApplicantEmail string
	// Running is the step staff act on; nil when none runs or the request waits for a
	// correction.
	Running *request.Step
	// Actions are Running's buttons, none while its job works; CanAct says whether the
	// viewer holds Running's role.
	Actions []Action
	CanAct  bool
	// Free: the running step confirms a desa.id payment the tenant does not charge.
	Free bool
	// Failure is why Running's job gave up; nil unless it failed. Actions are then
	// Retry where retrying may help, else Return and Refuse.
	Failure *Failure
	// Capacity is the mail server's use against the tenant's limits, at the steps that
	// weigh it (capacity check, create, report); nil elsewhere.
	Capacity *CapacityView
	// Credential says whether the new mailbox's password exists and was taken; CanLetter
	// whether the viewer may print it in the account letter.
	Credential CredentialState
	CanLetter  bool
	// Fix: a front-desk request waits for the desk to enter its correction, and the
	// viewer is at the front desk.
	Fix bool
	// Roster is a reactivation's check against the roster, as it is now (nil for the
	// other services): a failing one refuses the approval.
	Roster *request.RosterCheck
	// Documents are the letters and reports issued for the request, oldest first.
	Documents []letter.Document
	Trail     []audit.Entry
}

// CaseRecords are the stored rows a request's staff page is made of, read together
// (Store.CaseRecords: one round trip on PostgreSQL).
type CaseRecords struct {
	Request   request.Request
	Applicant account.User
	Files     []request.File
	Steps     []request.Step
	// Credential is the new mailbox's password row, nil when there is none.
	Credential *Credential
	Documents  []letter.Document
	// Capacity is the tenant's last capacity snapshot, nil before the first.
	Capacity *CapacitySnapshot
	Trail    []audit.Entry
}

// Case reads request id as staff member m sees it; another tenant's request does not
// exist for them.
func (e *Engine) Case(ctx context.Context, m staff.Member, id int64) (Case, error) {
	rec, err := e.Store.CaseRecords(ctx, id)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && !visible(m, rec.Request)) {
		return Case{}, errs.New(errs.NotFound, "error.not_found")
	}
	if err != nil {
		return Case{}, err
	}
	r := rec.Request
	t, ok := e.Tenant(r.TenantID)
	if !ok {
		return Case{}, fmt.Errorf("case %d: tenant %d not configured", id, r.TenantID)
	}
	c := Case{Applicant: rec.Applicant, Documents: rec.Documents, Trail: rec.Trail}
	if c.View, err = e.Requests.ViewOf(ctx, t, r, rec.Files, rec.Steps); err != nil {
		return c, err
	}
	if request.Reachable(c.Applicant.Email) {
		c.ApplicantEmail = c.Applicant.Email
	}
	e.caseStep(&c, m, rec.Capacity)
	// A credential exists only once a create step has run.
	if rec.Credential != nil && slices.ContainsFunc(c.Steps, func(st request.Step) bool {
		return sop.Kind(st.Kind).SealsPassword()
	}) {
		if c.Credential, err = e.credentialState(ctx, *rec.Credential); err != nil {
			return c, err
		}
	}
	if r.Service == sop.ServiceReactivate {
		rc, err := e.Requests.ReactivationCheck(ctx, r)
		if err != nil {
			return c, fmt.Errorf("case %d: %w", id, err)
		}
		c.Roster = &rc
	}
	c.CanLetter = r.Status == request.Done && c.Credential.Exists && c.Credential.RevealedAt.IsZero() &&
		m.HasAny(sop.RoleFrontDesk, sop.RoleAdminMail)
	return c, nil
}

// caseStep fills what the viewer may do at the running step, and the capacity (from
// snap, nil before the first) where the step weighs it.
func (e *Engine) caseStep(c *Case, m staff.Member, snap *CapacitySnapshot) {
	st, ok := request.Running(c.Steps)
	switch {
	case !ok:
	case st.Kind == request.KindCorrection:
		c.Fix = c.Request.ByDesk() && c.Request.Status == request.Returned && m.Has(sop.RoleFrontDesk)
	default:
		c.Running, c.CanAct = &st, m.Has(sop.Role(st.Role))
		if st.Status != request.StepWorking {
			c.Actions = Actions(st.Kind)
		}
		if f, failed := StepFailure(c.Request, st); failed {
			c.Failure, c.Actions = &f, onFailed(st.Kind, f)
		}
		if st.Kind == string(sop.KindRegistry) && !e.HasRegistrar(c.Request.TenantID) {
			c.Actions = slices.DeleteFunc(slices.Clone(c.Actions), func(a Action) bool { return a == FileRegistry })
		}
		c.Free = st.Kind == string(sop.KindPayment) && e.Free(c.Request.TenantID)
		switch sop.Kind(st.Kind) {
		case sop.KindCapacityCheck, sop.KindProvision, sop.KindReport:
			v := e.capacityView(c.Request.TenantID, snap)
			c.Capacity = &v
		}
	}
}

// LoadApplicant is Load with the applicant who sent the request: for the receipt and the
// front desk's screens.
func (e *Engine) LoadApplicant(ctx context.Context, m staff.Member, id int64) (request.Request, account.User, error) {
	r, err := e.Load(ctx, m, id)
	if err != nil {
		return r, account.User{}, err
	}
	u, err := e.Store.UserByID(ctx, r.UserID)
	if err != nil {
		return r, u, fmt.Errorf("request %d: applicant: %w", id, err)
	}
	return r, u, nil
}

// Inbox lists the tasks of m's roles in m's tenant (q's tenant and roles are m's,
// whatever the caller set), soonest due first, and how many there are in all.
func (e *Engine) Inbox(ctx context.Context, m staff.Member, q InboxQuery) (InboxPage, error) {
	q.TenantID, q.Roles = m.TenantID, nil
	for _, r := range m.Roles {
		q.Roles = append(q.Roles, string(r))
	}
	return e.Store.Inbox(ctx, q)
}

// Webmail is the webmail link of the tenant's mail server, "" when it has none.
func (e *Engine) Webmail(tenantID int64) string {
	if e.Mailboxes == nil {
		return ""
	}
	ms, err := e.Mailboxes(tenantID)
	if err != nil {
		return ""
	}
	return ms.Webmail
}

// onFailed are the actions at a failed automatic step: Retry where retrying may help,
// else those of the step's actions that end it by a person's decision (Return, Refuse).
func onFailed(kind string, f Failure) []Action {
	if f.Retry {
		return []Action{Retry}
	}
	var out []Action
	for _, a := range Actions(kind) {
		if a == Return || a == Refuse {
			out = append(out, a)
		}
	}
	return out
}
