package collective

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// An OPD's lists are entered by the front desk for any OPD, or by the OPD's operator: a
// portal account the tenant admin marked as the operator of one OPD (instansi), who
// uploads, fixes and sends that OPD's lists from the portal and sees no other OPD's.
// The staff's actions on the rows (approve, return, refuse), the invitations and the
// letters stay the back office's.

// Operator is a portal account marked as the operator of an OPD.
type Operator struct {
	UserID   int64
	TenantID int64
	Instansi string
	// Email and Name are the account's, read with the mark.
	Email     string
	Name      string
	CreatedBy int64
	CreatedAt time.Time
}

// OperatorStore keeps the marks.
type OperatorStore interface {
	// PutOperator marks o.UserID as the operator of o.Instansi, replacing a mark it had.
	PutOperator(ctx context.Context, o Operator) error
	// DeleteOperator removes a tenant's mark of userID; false when there was none.
	DeleteOperator(ctx context.Context, tenantID, userID int64) (bool, error)
	// OperatorOf reads the mark of a portal account; errs.ErrNotFound when unmarked.
	OperatorOf(ctx context.Context, userID int64) (Operator, error)
	// Operators lists a tenant's operators by OPD and e-mail.
	Operators(ctx context.Context, tenantID int64) ([]Operator, error)
	// UserByEmail finds a tenant's portal account by its e-mail.
	UserByEmail(ctx context.Context, tenantID int64, email string) (account.User, error)
}

// Entrant is who enters an OPD's lists: the front desk (Instansi "", any OPD) or an
// OPD's operator (Instansi theirs).
type Entrant struct {
	TenantID int64
	UserID   int64
	Name     string
	Actor    audit.Actor
	Instansi string
}

// Desk is staff member m as an entrant; only the front desk enters lists.
func Desk(m staff.Member) (Entrant, error) {
	if !m.Has(sop.RoleFrontDesk) {
		return Entrant{}, errs.New(errs.Forbidden, "error.forbidden")
	}
	return Entrant{TenantID: m.TenantID, UserID: m.UserID, Name: m.Name, Actor: m.Actor()}, nil
}

// mayOpen reports whether e may see c: the front desk every list of its tenant, an
// operator their OPD's.
func (e Entrant) mayOpen(c Collective) bool {
	return c.TenantID == e.TenantID && (e.Instansi == "" || c.Instansi == e.Instansi)
}

// Operator is portal account u of tenant t as the operator of their OPD; forbidden for
// an account nobody marked (or marked in another tenant).
func (s *Service) Operator(ctx context.Context, t account.Tenant, u account.User) (Entrant, error) {
	os, ok := s.Store.(OperatorStore)
	if !ok || !Offered(t) || u.TenantID != t.ID || u.Status != account.StatusActive {
		return Entrant{}, errs.New(errs.Forbidden, "error.forbidden")
	}
	o, err := os.OperatorOf(ctx, u.ID)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && o.TenantID != t.ID) {
		return Entrant{}, errs.New(errs.Forbidden, "error.forbidden")
	}
	if err != nil {
		return Entrant{}, fmt.Errorf("operator %d: %w", u.ID, err)
	}
	return Entrant{TenantID: t.ID, UserID: u.ID, Name: u.DisplayName(), Actor: audit.User(u.ID, u.DisplayName()), Instansi: o.Instansi}, nil
}

// mayMark reports whether m may mark operators: the tenant admin of t.
func mayMark(t account.Tenant, m staff.Member) error {
	if m.TenantID != t.ID || !m.Has(sop.RoleTenantAdmin) {
		return errs.New(errs.Forbidden, "workflow.not_your_role", sop.RoleTenantAdmin.Label("id"))
	}
	return nil
}

// Operators lists tenant t's OPD operators for its tenant admin m.
func (s *Service) Operators(ctx context.Context, t account.Tenant, m staff.Member) ([]Operator, error) {
	if err := mayMark(t, m); err != nil {
		return nil, err
	}
	os, ok := s.Store.(OperatorStore)
	if !ok {
		return nil, nil
	}
	return os.Operators(ctx, t.ID)
}

// MarkOperator makes the tenant's active portal account with email the operator of the
// OPD instansi (replacing an OPD it had), by tenant admin m, audited.
func (s *Service) MarkOperator(ctx context.Context, t account.Tenant, m staff.Member, email, instansi string) (Operator, error) {
	if err := mayMark(t, m); err != nil {
		return Operator{}, err
	}
	os, ok := s.Store.(OperatorStore)
	if !ok {
		return Operator{}, errors.New("collective: the store keeps no operators")
	}
	email = account.NormalizeEmail(email)
	instansi = strings.Join(strings.Fields(instansi), " ")
	var fs errs.Fields
	var u account.User
	if email == "" {
		fs.Add("email", "required")
	} else {
		var err error
		u, err = os.UserByEmail(ctx, t.ID, email)
		if errors.Is(err, errs.ErrNotFound) || (err == nil && u.Status != account.StatusActive) {
			fs.Add("email", "operator_unknown")
		} else if err != nil {
			return Operator{}, err
		}
	}
	switch {
	case instansi == "":
		fs.Add("instansi", "required")
	case utf8.RuneCountInString(instansi) > 150:
		fs.Add("instansi", "max_len", 150)
	case strings.ContainsAny(instansi, "<>\x00"):
		fs.Add("instansi", "text_chars")
	}
	if err := fs.Err(); err != nil {
		return Operator{}, err
	}
	o := Operator{UserID: u.ID, TenantID: t.ID, Instansi: instansi, Email: u.Email, Name: u.DisplayName(), CreatedBy: m.UserID, CreatedAt: s.now()}
	err := s.Store.Tx(ctx, func(ctx context.Context) error {
		if err := os.PutOperator(ctx, o); err != nil {
			return err
		}
		return s.recordOperator(ctx, m, o, "collective.operator_mark", u.Email+": "+instansi)
	})
	return o, err
}

// UnmarkOperator removes the mark of portal account userID, by tenant admin m, audited;
// not found when it had none in t.
func (s *Service) UnmarkOperator(ctx context.Context, t account.Tenant, m staff.Member, userID int64) error {
	if err := mayMark(t, m); err != nil {
		return err
	}
	os, ok := s.Store.(OperatorStore)
	if !ok {
		return errs.New(errs.NotFound, "error.not_found")
	}
	return s.Store.Tx(ctx, func(ctx context.Context) error {
		o, err := os.OperatorOf(ctx, userID)
		if errors.Is(err, errs.ErrNotFound) || (err == nil && o.TenantID != t.ID) {
			return errs.New(errs.NotFound, "error.not_found")
		}
		if err != nil {
			return err
		}
		if ok, err := os.DeleteOperator(ctx, t.ID, userID); err != nil || !ok {
			return err
		}
		return s.recordOperator(ctx, m, o, "collective.operator_unmark", o.Email+": "+o.Instansi)
	})
}

func (s *Service) recordOperator(ctx context.Context, m staff.Member, o Operator, action, detail string) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, m.Actor().Entry(o.TenantID, action, audit.Object("user", o.UserID), detail))
}
