package domains

import (
	"context"
	"errors"
	"strings"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/desaid"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/wilayah"
	"github.com/surel-id/surel/internal/zone"
)

// Rules are what the domain services add to the catalogue's requests (request.ServiceRules):
// who may file them, the values taken from the applicant's verification and mailbox, and
// the checks of the names against the register.
type Rules struct {
	Domains *Service
	Regions *wilayah.Data
	// OfficialMailbox is the active address surel gave the account ("" for none): the
	// official address a verification is made with.
	OfficialMailbox func(ctx context.Context, tenantID, userID int64) (string, error)
	// Zone is the tenant's DNS zone sub-domains are made in; "" when the tenant has no
	// DNS server configured (no sub-domain service).
	Zone func(tenantID int64) string
	// Registrar is the tenant's registrar, asked whether a desa.id name is free; nil
	// when there is none (the office files by hand).
	Registrar func(tenantID int64) desaid.Registrar
	// DNS describes the tenant's DNS server without its secrets, for the tenant admin;
	// ok is false when none is configured. nil: none anywhere.
	DNS func(tenantID int64) (s zone.Settings, ok bool)
}

var _ request.ServiceRules = (*Rules)(nil)

// Reserved are the labels of a zone's own services that no agency may ask for.
var Reserved = []string{"www", "mail", "webmail", "smtp", "imap", "pop", "pop3", "ns", "ns1", "ns2", "ns3", "mx", "autodiscover", "autoconfig", "ftp", "localhost"}

// Allowed: a verification needs an official address from surel; a domain service needs
// the verified instansi of its kind (a village for desa.id, an agency for sub-domains),
// and a sub-domain a DNS server configured for the tenant.
func (ru *Rules) Allowed(ctx context.Context, t account.Tenant, u account.User, service string) error {
	switch service {
	case ServiceVerify:
		mb, err := ru.OfficialMailbox(ctx, u.TenantID, u.ID)
		if err != nil {
			return err
		}
		if mb == "" {
			return errs.New(errs.Forbidden, "domains.no_mailbox")
		}
		return nil
	case ServiceDesaID, ServiceSubdomain, ServiceSubdomainRemove:
	default:
		return errs.New(errs.NotFound, "error.not_found")
	}
	v, ok, err := ru.Domains.VerifiedOf(ctx, u)
	if err != nil {
		return err
	}
	want := Requires(service)
	switch {
	case !ok:
		return errs.New(errs.Forbidden, "domains.verify_first")
	case v.Kind != want:
		return errs.New(errs.Forbidden, "domains.verify_kind_"+want)
	case want == InstansiOPD && ru.Zone(t.ID) == "":
		return errs.New(errs.Forbidden, "domains.no_dns")
	}
	return nil
}

// Fill puts the values the applicant does not type: the official address (every
// service); the village's government as the instansi of a village's verification; the
// verified instansi, its region and the official's jabatan on a domain request; the
// tenant's zone on a sub-domain request.
func (ru *Rules) Fill(ctx context.Context, r *request.Request) error {
	if r.Values == nil {
		r.Values = map[string]string{}
	}
	if r.Service == ServiceVerify {
		mb, err := ru.OfficialMailbox(ctx, r.TenantID, r.UserID)
		if err != nil {
			return err
		}
		r.Values["official_mailbox"] = mb
		if r.Kind == InstansiDesa {
			delete(r.Values, "instansi")
			if a, ok := ru.Regions.Get(r.Values["village"]); ok && a.Level == wilayah.Village {
				r.Values["instansi"] = "Pemerintah Desa " + a.Title()
			}
		}
		return nil
	}
	v, ok, err := ru.Domains.VerifiedOf(ctx, account.User{ID: r.UserID})
	if err != nil || !ok {
		return err
	}
	r.Values["official_mailbox"] = v.OfficialMailbox
	r.Values["instansi"] = v.Instansi
	r.Values["jabatan"] = v.Jabatan
	if v.Unit != "" {
		r.Values["satuan_kerja"] = v.Unit
	}
	switch r.Service {
	case ServiceDesaID:
		r.Values["village"] = v.Region
	case ServiceSubdomain, ServiceSubdomainRemove:
		r.Values["zone"] = ru.Zone(r.TenantID)
	}
	return nil
}

// Check: a desa.id name free in the register (and at the registry, where a registrar
// is configured); a sub-domain not reserved and free in the register; a removal of one of
// the applicant's own active names.
func (ru *Rules) Check(ctx context.Context, r request.Request, fs *errs.Fields) error {
	switch r.Service {
	case ServiceDesaID:
		name := r.Values[request.FieldDesaID]
		if name == "" || fs.Has(request.FieldDesaID) {
			return nil
		}
		if path := ru.Regions.Path(r.Values["village"]); len(path) == 4 && !desaid.Derived(name, path[3].Name, path[2].Name, path[1].Name) {
			fs.Add(request.FieldDesaID, "desaid_village", path[3].Title())
			return nil
		}
		taken, err := ru.desaIDTaken(ctx, r.TenantID, name)
		if err != nil {
			return err
		}
		if taken {
			fs.Add(request.FieldDesaID, "desaid_taken", name+"."+desaid.Zone)
		}
	case ServiceSubdomain:
		label := r.Values[request.FieldSubdomain]
		if label == "" || fs.Has(request.FieldSubdomain) {
			return nil
		}
		name := label + "." + ru.Zone(r.TenantID)
		if contains(Reserved, label) {
			fs.Add(request.FieldSubdomain, "subdomain_reserved", name)
			return nil
		}
		taken, err := ru.Domains.Taken(ctx, r.TenantID, name)
		if err != nil {
			return err
		}
		if taken {
			fs.Add(request.FieldSubdomain, "subdomain_taken", name)
		}
	case ServiceSubdomainRemove:
		name := r.Values[request.FieldOwnedSubdomain]
		if name == "" {
			return nil
		}
		d, err := ru.Domains.At(ctx, r.TenantID, name)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return err
		}
		if err != nil || d.OwnerID != r.UserID || d.Kind != Subdomain {
			fs.Add(request.FieldOwnedSubdomain, "subdomain_not_owned", name)
		}
	}
	return nil
}

// SuggestDesaID proposes free desa.id names for the applicant's verified village: its
// name, then with its kecamatan or kabupaten; free in the register and, where the tenant
// has a registrar, at the registry.
func (ru *Rules) SuggestDesaID(ctx context.Context, r request.Request, n int) []string {
	path := ru.Regions.Path(r.Values["village"])
	if len(path) < 4 {
		return nil
	}
	return desaid.Suggest(path[3].Name, path[2].Name, path[1].Name, func(name string) bool {
		taken, err := ru.desaIDTaken(ctx, r.TenantID, name)
		return err != nil || taken
	}, n)
}

// desaIDTaken tells whether a desa.id name is held: in the register, or at the registry
// where the tenant has a registrar. The registry's answer is advice at this point:
// unreachable, it is asked again when the application is filed.
func (ru *Rules) desaIDTaken(ctx context.Context, tenantID int64, name string) (bool, error) {
	taken, err := ru.Domains.Taken(ctx, tenantID, name+"."+desaid.Zone)
	if err != nil || taken || ru.Registrar == nil {
		return taken, err
	}
	if reg := ru.Registrar(tenantID); reg != nil {
		if free, err := reg.Available(ctx, name); err == nil && !free {
			return true, nil
		}
	}
	return false, nil
}

// OwnedSubdomains are u's active sub-domains, the choices of a removal.
func (ru *Rules) OwnedSubdomains(ctx context.Context, userID int64) ([]string, error) {
	ds, err := ru.Domains.Store.DomainsOwnedBy(ctx, userID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range ds {
		if d.Kind == Subdomain && d.Status == Active {
			out = append(out, d.Name)
		}
	}
	return out, nil
}

// Records are the records a sub-domain request asks for, from its target field.
func Records(r request.Request) []zone.Record {
	rs, _ := zone.Parse(r.Values[request.FieldTarget])
	return rs
}

// Name is the full name a domain request is for: "sindangsari.desa.id",
// "sipd.palangkaraya.go.id".
func Name(r request.Request) string {
	switch r.Service {
	case ServiceDesaID:
		return r.Values[request.FieldDesaID] + "." + desaid.Zone
	case ServiceSubdomain:
		return r.Values[request.FieldSubdomain] + "." + r.Values["zone"]
	case ServiceSubdomainRemove:
		return r.Values[request.FieldOwnedSubdomain]
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
