package workflow

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// Handover is what the applicant receives once: the address, the first password and the
// webmail link.
type Handover struct {
	Address  string
	Password string
	Webmail  string
}

// CredentialState says whether a request's password can still be revealed.
type CredentialState struct {
	Exists     bool
	RevealedAt time.Time
	RevealedBy string // the actor's reference ("staff:12", "user:7")
	// RevealedByName is who took it by name, for the staff's page.
	RevealedByName string
}

// CredentialOf tells whether a request has a sealed password and whether it was taken.
func (e *Engine) CredentialOf(ctx context.Context, requestID int64) (CredentialState, error) {
	c, err := e.Store.Credential(ctx, requestID)
	if errors.Is(err, errs.ErrNotFound) {
		return CredentialState{}, nil
	}
	if err != nil {
		return CredentialState{}, err
	}
	return e.credentialState(ctx, c)
}

// credentialState is what the pages say of credential c: who took it, by name.
func (e *Engine) credentialState(ctx context.Context, c Credential) (CredentialState, error) {
	st := CredentialState{Exists: true, RevealedAt: c.RevealedAt, RevealedBy: c.RevealedBy, RevealedByName: c.RevealedBy}
	if _, id, ok := strings.Cut(c.RevealedBy, ":"); ok {
		if n, perr := strconv.ParseInt(id, 10, 64); perr == nil {
			if u, uerr := e.Store.UserByID(ctx, n); uerr == nil {
				st.RevealedByName = u.DisplayName()
			} else if !errors.Is(uerr, errs.ErrNotFound) {
				return st, uerr
			}
		}
	}
	return st, nil
}

// Reveal gives the applicant their new mailbox's password, once: the sealed copy is
// erased in the same transaction. An applicant's own deliver step ends with it.
func (e *Engine) Reveal(ctx context.Context, u account.User, requestID int64, ip string) (Handover, error) {
	r, err := e.Store.Request(ctx, requestID)
	if err != nil || r.UserID != u.ID {
		return Handover{}, errs.New(errs.NotFound, "error.not_found")
	}
	return e.reveal(ctx, r, audit.User(u.ID, u.DisplayName()).From(ip), "credential.reveal")
}

// Letter is what the "surat pemberitahuan akun" prints: the handover, the request and
// the applicant it is addressed to.
type Letter struct {
	Handover
	Request   request.Request
	Applicant account.User
}

// RevealForLetter gives the password to the front desk (or the mail admin) to print the
// "surat pemberitahuan akun": it then counts as revealed.
func (e *Engine) RevealForLetter(ctx context.Context, m staff.Member, requestID int64, ip string) (Letter, error) {
	if !m.HasAny(sop.RoleFrontDesk, sop.RoleAdminMail) {
		return Letter{}, errs.New(errs.Forbidden, "workflow.not_your_role", sop.RoleFrontDesk.Label("id"))
	}
	r, u, err := e.LoadApplicant(ctx, m, requestID)
	if err != nil {
		return Letter{}, err
	}
	h, err := e.reveal(ctx, r, m.Actor().From(ip), "credential.letter")
	if err != nil {
		return Letter{}, err
	}
	// The reveal may have moved the request on (an applicant's deliver step ended).
	if r, err = e.Load(ctx, m, requestID); err != nil {
		return Letter{}, err
	}
	return Letter{Handover: h, Request: r, Applicant: u}, nil
}

func (e *Engine) reveal(ctx context.Context, r request.Request, a audit.Actor, action string) (Handover, error) {
	if r.Status != request.Done {
		return Handover{}, errs.New(errs.Conflict, "credential.not_ready")
	}
	t, _ := e.Tenant(r.TenantID)
	def, cal, err := e.Book.ServiceWorkflow(ctx, t.SOPRef(), r.Service)
	if err != nil {
		return Handover{}, err
	}
	def = def.Flow(r.Service)
	hist := request.History{Store: e.Store, Cal: cal}
	var h Handover
	now := e.now()
	err = e.Store.Tx(ctx, func(ctx context.Context) error {
		c, err := e.Store.Credential(ctx, r.ID)
		if errors.Is(err, errs.ErrNotFound) {
			return errs.New(errs.Conflict, "credential.not_ready")
		}
		if err != nil {
			return err
		}
		if c.Sealed == "" {
			return errs.New(errs.Conflict, "credential.revealed")
		}
		pw, err := e.Seal.Open(c.Sealed, owner(r))
		if err != nil {
			return err
		}
		ok, err := e.Store.RevealCredential(ctx, r.ID, a.Ref, now)
		if err != nil {
			return err
		}
		if !ok {
			return errs.New(errs.Conflict, "credential.revealed")
		}
		h = Handover{Address: c.Address, Password: pw}
		steps, err := e.Store.StepsOf(ctx, r.ID)
		if err != nil {
			return err
		}
		if st, ok := request.Running(steps); ok && st.Kind == string(sop.KindDeliver) && st.Role == string(sop.RolePemohon) {
			if err := hist.End(ctx, &st, a, request.StepDone, "", now); err != nil {
				return err
			}
			if err := e.advance(ctx, hist, t, &r, def, st.Key, now); err != nil {
				return err
			}
		}
		return e.record(ctx, a, action, r, c.Address)
	})
	if err != nil {
		return Handover{}, err
	}
	h.Webmail = e.Webmail(r.TenantID)
	return h, nil
}
