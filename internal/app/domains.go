package app

import (
	"context"
	"fmt"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/desaid"
	"github.com/surel-id/surel/internal/domains"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/wilayah"
	"github.com/surel-id/surel/internal/workflow"
	"github.com/surel-id/surel/internal/zone"
	"github.com/surel-id/surel/internal/zone/powerdns"
	"github.com/surel-id/surel/internal/zone/rfc2136"
)

// domainServices wires the catalogue's domain services: the register, the rules the
// applicant's side applies, and the back office's steps with each tenant's DNS server
// (the tenant file's dns block) and registrar (opt.Registrar: surel ships no registrar
// driver, since none can be tested here).
func domainServices(cfg config.Config, st *store.Store, ts *Tenants, regions *wilayah.Data, reg *registry.Service, requests *request.Service,
	engine *workflow.Engine, opt Options) (*domains.Rules, error) {
	register := &domains.Service{Store: st, Audit: engine.Audit}
	zones, settings := map[int64]zone.Server{}, map[int64]zone.Settings{}
	for _, c := range cfg.Tenants {
		t, ok := ts.BySlug(c.Slug)
		if !ok || c.DNS.Driver == "" {
			continue
		}
		z, err := openZone(c.DNS)
		if err != nil {
			return nil, fmt.Errorf("tenant %s: dns: %w", c.Slug, err)
		}
		zones[t.ID] = z
		settings[t.ID] = zone.Settings{Driver: c.DNS.Driver, Zone: z.Zone(), Server: c.DNS.Server, KeyName: c.DNS.KeyName,
			Algorithm: c.DNS.Algorithm, APIURL: c.DNS.APIURL, TTL: c.DNS.TTL}
	}
	registrar := func(tenantID int64) desaid.Registrar {
		if opt.Registrar == nil {
			return nil
		}
		t, ok := ts.ByID(tenantID)
		if !ok {
			return nil
		}
		return opt.Registrar(t.Slug)
	}
	free := map[int64]bool{}
	for _, c := range cfg.Tenants {
		if t, ok := ts.BySlug(c.Slug); ok {
			free[t.ID] = c.DesaID.Free
		}
	}
	engine.Domains = &workflow.DomainWork{Register: register, Registrar: registrar, RegistryPoll: opt.RegistryPoll,
		Free: func(id int64) bool { return free[id] },
		Zone: func(id int64) (zone.Server, error) {
			z, ok := zones[id]
			if !ok {
				return nil, fmt.Errorf("server DNS belum dikonfigurasi untuk tenant ini (dns di berkas tenant)")
			}
			return z, nil
		}}
	rules := &domains.Rules{Domains: register, Regions: regions, Registrar: registrar,
		DNS: func(id int64) (zone.Settings, bool) {
			s, ok := settings[id]
			return s, ok
		},
		Zone: func(id int64) string {
			if z, ok := zones[id]; ok {
				return z.Zone()
			}
			return ""
		},
		OfficialMailbox: func(ctx context.Context, tenantID, userID int64) (string, error) {
			mbs, err := reg.Owned(ctx, account.User{ID: userID, TenantID: tenantID})
			if err != nil {
				return "", err
			}
			for _, m := range mbs {
				if m.Status == registry.Active {
					return m.Address, nil
				}
			}
			return "", nil
		}}
	requests.Rules = rules
	return rules, nil
}

// openZone opens a tenant's DNS server driver.
func openZone(c config.DNS) (zone.Server, error) {
	switch c.Driver {
	case "rfc2136":
		return rfc2136.New(rfc2136.Config{Addr: c.Server, Zone: c.Zone, KeyName: c.KeyName, Algorithm: c.Algorithm, Secret: c.Secret, TTL: c.TTL})
	case "powerdns":
		return powerdns.New(powerdns.Config{URL: c.APIURL, ServerID: c.ServerID, APIKey: c.APIKey, Zone: c.Zone, DNSAddr: c.Server, TTL: c.TTL})
	}
	return nil, fmt.Errorf("driver %q", c.Driver)
}
