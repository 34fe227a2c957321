package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/setup"
	"github.com/surel-id/surel/internal/store"
)

// Tenants resolves a request's tenant by host; the first configured tenant serves any
// host not listed. A tenant is its entry of the tenant file (or the built-in default)
// with its first-run settings over it (internal/setup); a save of those replaces it while
// surel runs (App.ApplySetup), so every read takes the lock.
type Tenants struct {
	mu      sync.RWMutex
	byHost  map[string]string // host → slug
	bySlug  map[string]account.Tenant
	base    map[string]config.Tenant // as the file or the default gives it
	eff     map[string]config.Tenant // with the first-run settings over it
	defSlug string
}

// ForHost implements web.Tenants.
func (t *Tenants) ForHost(host string) account.Tenant {
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	if slug, ok := t.byHost[strings.ToLower(host)]; ok {
		return t.bySlug[slug]
	}
	return t.bySlug[t.defSlug]
}

// Default is the first configured tenant.
func (t *Tenants) Default() account.Tenant {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.bySlug[t.defSlug]
}

// BySlug finds a configured tenant by its slug.
func (t *Tenants) BySlug(slug string) (account.Tenant, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	tt, ok := t.bySlug[slug]
	return tt, ok
}

// All are the configured tenants.
func (t *Tenants) All() []account.Tenant {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]account.Tenant, 0, len(t.bySlug))
	for _, x := range t.bySlug {
		out = append(out, x)
	}
	return out
}

// ByID is a configured tenant by its database id.
func (t *Tenants) ByID(id int64) (account.Tenant, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, x := range t.bySlug {
		if x.ID == id {
			return x, true
		}
	}
	return account.Tenant{}, false
}

// Base is the tenant of id as the tenant file (or the built-in default) gives it, before
// its first-run settings.
func (t *Tenants) Base(id int64) (config.Tenant, bool) {
	tt, ok := t.ByID(id)
	if !ok {
		return config.Tenant{}, false
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.base[tt.Slug], true
}

// Config is the tenant of the slug as it runs: the file's entry with the first-run
// settings over it.
func (t *Tenants) Config(slug string) (config.Tenant, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	c, ok := t.eff[slug]
	return c, ok
}

// put makes c, with set over it, the tenant of id.
func (t *Tenants) put(cfg config.Config, id int64, base config.Tenant, set setup.Settings, saved bool) error {
	c, err := setup.Apply(base, set)
	if err != nil {
		return err
	}
	zone, hours := set.Calendar()
	tt := account.Tenant{ID: id, Slug: c.Slug, Name: c.Name, MailDomain: c.MailDomain, AddressPattern: c.AddressPattern, SOP: c.SOP,
		Policy:    account.Policy{MinLength: c.Password.MinLength, RejectCommon: c.Password.RejectCommon, RejectPersonal: c.Password.RejectPersonal},
		FrontDesk: account.FrontDesk(c.FrontDesk), BaseURL: cfg.TenantBaseURL(c), Institutional: c.Institutional(),
		ScanRetention: time.Duration(c.Archive.ScanRetentionDays) * 24 * time.Hour,
		TimeZone:      zone, Hours: hours, Unconfigured: !saved && len(base.Managed) == 0}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.bySlug[c.Slug], t.base[c.Slug], t.eff[c.Slug] = tt, base, c
	return nil
}

func loadTenants(ctx context.Context, cfg config.Config, st *store.Store, settings *setup.Service) (*Tenants, error) {
	ts := &Tenants{byHost: map[string]string{}, bySlug: map[string]account.Tenant{}, base: map[string]config.Tenant{}, eff: map[string]config.Tenant{}}
	for i, c := range cfg.Tenants {
		id, err := st.EnsureTenant(ctx, c.Slug, c.Name, time.Now())
		if err != nil {
			return nil, err
		}
		set, saved, err := settings.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := ts.put(cfg, id, c, set, saved); err != nil {
			return nil, err
		}
		if i == 0 {
			ts.defSlug = c.Slug
		}
		for _, h := range c.Hosts {
			ts.byHost[strings.ToLower(h)] = c.Slug
		}
	}
	return ts, nil
}

// ApplySetup makes the tenant's saved first-run settings the running ones: its name,
// domain and SOP preset, its working calendar (the SOP book forgets its copy) and its
// mail server, opened anew. The first-run page calls it after a save; other processes on
// the database after the save's notification (store.ChannelTenant).
func (a *App) ApplySetup(ctx context.Context, tenantID int64) error {
	base, ok := a.Tenants.Base(tenantID)
	if !ok {
		return fmt.Errorf("apply setup: tenant %d not configured", tenantID)
	}
	set, saved, err := a.Setup.Get(ctx, tenantID)
	if err != nil {
		return err
	}
	if err := a.Tenants.put(a.Config, tenantID, base, set, saved); err != nil {
		return err
	}
	a.Book.Forget(tenantID)
	c, _ := a.Tenants.Config(base.Slug)
	ms, err := openMailServer(ctx, c, a.Store)
	if err != nil {
		return err
	}
	a.servers.put(tenantID, ms)
	return nil
}
