// Package domains holds what the domain services of the catalogue need beyond a
// request: the verified instansi of an account ("instansi terverifikasi", the result of
// a Verifikasi Instansi request, which the domain services require), and the office's
// register of domain names ("database domain"): the sub-domains it created on its own
// DNS (internal/zone) and the desa.id names filed with the registry (internal/desaid),
// each with its owner, target or registry reference, and the requests that made and
// removed it.
//
// As with the mailbox registry, a row is written only once the outside party confirmed
// it: the DNS server answered the update, the registry activated the name. Staff never
// edit a row; every change is a request of the catalogue.
package domains

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/zone"
)

// The catalogue's codes of the services of this package.
const (
	ServiceVerify          = "verifikasi-instansi"
	ServiceDesaID          = "domain-desa-id"
	ServiceSubdomain       = "subdomain"
	ServiceSubdomainRemove = "hapus-subdomain"
)

// The kinds of verified instansi, as the Verifikasi Instansi form's kinds are coded: a
// village government (desa) or a regional agency (opd).
const (
	InstansiDesa = "desa"
	InstansiOPD  = "opd"
)

// Requires is the kind of verified instansi a domain service asks of its applicant:
// desa.id names are for villages, sub-domains for the regional government's agencies;
// "" for a service that needs none.
func Requires(service string) string {
	switch service {
	case ServiceDesaID:
		return InstansiDesa
	case ServiceSubdomain, ServiceSubdomainRemove:
		return InstansiOPD
	}
	return ""
}

// Verified is an account's verified instansi.
type Verified struct {
	UserID   int64
	TenantID int64
	Kind     string // InstansiDesa or InstansiOPD
	Instansi string // "Pemerintah Desa Sindangsari", "Dinas Pendidikan"
	Unit     string
	// Region is the village's code (desa) or the regency's (opd).
	Region          string
	Jabatan         string
	OfficialMailbox string // the official address surel gave the official
	RequestID       int64
	VerifiedBy      string
	VerifiedAt      time.Time
}

// Kind of a registered name.
type Kind string

// The kinds.
const (
	Subdomain Kind = "subdomain"
	DesaID    Kind = "desa.id"
)

// Status of a registered name.
type Status string

// The statuses.
const (
	Active  Status = "aktif"
	Removed Status = "dihapus"
)

// Domain is one name of the register.
type Domain struct {
	ID       int64
	TenantID int64
	Kind     Kind
	Name     string // the full name: "sipd.palangkaraya.go.id", "sindangsari.desa.id"
	// Records are a sub-domain's records as the DNS server confirmed them.
	Records   []zone.Record
	OwnerID   int64
	Instansi  string // the owner's verified instansi (the OPD, the village)
	Region    string
	RequestID int64 // the request that made it
	// Reference is the registry's reference of a desa.id name.
	Reference string
	Status    Status
	CreatedAt time.Time
	RemovedAt time.Time
	RemovedBy int64 // the request that removed it
}

// Label is the name's first label: "sipd" of "sipd.palangkaraya.go.id".
func (d Domain) Label() string {
	l, _, _ := strings.Cut(d.Name, ".")
	return l
}

// Store keeps the verifications and the register. Methods called with the ctx of a
// transaction run in it.
type Store interface {
	PutVerified(ctx context.Context, v Verified) error
	// VerifiedOf is errs.ErrNotFound for an account never verified.
	VerifiedOf(ctx context.Context, userID int64) (Verified, error)
	// AddDomain is errs.ErrConflict when the name is active already.
	AddDomain(ctx context.Context, d *Domain) error
	// DomainAt is the active row of a name; errs.ErrNotFound without one.
	DomainAt(ctx context.Context, tenantID int64, name string) (Domain, error)
	DomainsOwnedBy(ctx context.Context, ownerID int64) ([]Domain, error)
	Domains(ctx context.Context, tenantID int64) ([]Domain, error)
	// RemoveDomain marks an active row removed; false if it was not active.
	RemoveDomain(ctx context.Context, id, requestID int64, at time.Time) (bool, error)
}

// Service reads and writes verifications and the register.
type Service struct {
	Store Store
	// Audit records each change in the caller's transaction; nil records nothing.
	Audit audit.Writer
}

func (s *Service) record(ctx context.Context, by audit.Actor, tenantID int64, object, action, detail string) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, by.Entry(tenantID, action, object, detail))
}

// Verify records v as its account's verified instansi, replacing an earlier one, with
// its audit entry, in the caller's transaction.
func (s *Service) Verify(ctx context.Context, v Verified, by audit.Actor) error {
	if err := s.Store.PutVerified(ctx, v); err != nil {
		return fmt.Errorf("verify instansi: %w", err)
	}
	return s.record(ctx, by, v.TenantID, audit.Object("user", v.UserID), "instansi.verified", v.Instansi+" ("+v.Jabatan+")")
}

// VerifiedOf is u's verified instansi; ok is false when u has none.
func (s *Service) VerifiedOf(ctx context.Context, u account.User) (Verified, bool, error) {
	v, err := s.Store.VerifiedOf(ctx, u.ID)
	if errors.Is(err, errs.ErrNotFound) {
		return v, false, nil
	}
	return v, err == nil, err
}

// Taken reports whether a name is active in the tenant's register.
func (s *Service) Taken(ctx context.Context, tenantID int64, name string) (bool, error) {
	_, err := s.Store.DomainAt(ctx, tenantID, name)
	if errors.Is(err, errs.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// At is the active name of a tenant; errs.ErrNotFound without one.
func (s *Service) At(ctx context.Context, tenantID int64, name string) (Domain, error) {
	return s.Store.DomainAt(ctx, tenantID, name)
}

// Created records a name the outside party confirmed, in the caller's transaction; a
// name already recorded for the same request is no error (a job run twice).
func (s *Service) Created(ctx context.Context, d Domain, by audit.Actor) (Domain, error) {
	if old, err := s.Store.DomainAt(ctx, d.TenantID, d.Name); err == nil && old.RequestID == d.RequestID {
		return old, nil
	}
	d.Status = Active
	if err := s.Store.AddDomain(ctx, &d); err != nil {
		if errors.Is(err, errs.ErrConflict) {
			return d, errs.New(errs.Conflict, "domains.taken", d.Name)
		}
		return d, fmt.Errorf("register domain %s: %w", d.Name, err)
	}
	detail := d.Name
	if len(d.Records) > 0 {
		detail += " → " + zone.Format(d.Records)
	}
	if d.Reference != "" {
		detail += " (referensi " + d.Reference + ")"
	}
	return d, s.record(ctx, by, d.TenantID, audit.Object("domain", d.ID), "domain.created", detail)
}

// Removed marks the active name removed by a request, in the caller's transaction; a
// name no longer active is no error.
func (s *Service) Removed(ctx context.Context, tenantID int64, name string, requestID int64, at time.Time, by audit.Actor) error {
	d, err := s.Store.DomainAt(ctx, tenantID, name)
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	ok, err := s.Store.RemoveDomain(ctx, d.ID, requestID, at)
	if err != nil || !ok {
		return err
	}
	return s.record(ctx, by, tenantID, audit.Object("domain", d.ID), "domain.removed", d.Name)
}

// Owned lists u's names, active and removed, newest first.
func (s *Service) Owned(ctx context.Context, u account.User) ([]Domain, error) {
	return s.Store.DomainsOwnedBy(ctx, u.ID)
}

// List is the tenant's register as staff member m sees it.
func (s *Service) List(ctx context.Context, m staff.Member) ([]Domain, error) {
	return s.Store.Domains(ctx, m.TenantID)
}
