package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/open"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/seal"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

// backOffice builds the workflow engine: the audit recorder, the sealed credentials and
// each tenant's mail server.
func backOffice(ctx context.Context, cfg config.Config, st *store.Store, ts *Tenants, servers *mailServers, book *sop.Book, requests *request.Service, staffs *staff.Service, ob *notify.Outbox, log *slog.Logger) (*workflow.Engine, error) {
	box, err := seal.New(Subkey(cfg.SecretKey, "credentials"))
	if err != nil {
		return nil, err
	}
	for _, c := range cfg.Tenants {
		t, ok := ts.BySlug(c.Slug)
		if !ok {
			continue
		}
		eff, _ := ts.Config(c.Slug)
		ms, err := openMailServer(ctx, eff, st)
		if err != nil {
			return nil, err
		}
		servers.put(t.ID, ms)
	}
	rec := &audit.Recorder{Store: st}
	requests.Audit, staffs.Audit, book.Audit = rec, rec, rec
	reg := &registry.Service{Store: st, Audit: rec}
	return &workflow.Engine{Store: st, Book: book, Requests: requests, Registry: reg, Tenant: ts.ByID, Mail: ob, Audit: rec, Seal: box,
		Mailboxes: servers.get,
		Portal:    staffs.Accounts.Hasher, NewPassword: mailbox.GeneratePassword, Log: log}, nil
}

// mailServers are the tenants' mail servers by tenant id; the first-run page replaces
// one while surel runs (App.ApplySetup).
type mailServers struct {
	mu sync.RWMutex
	m  map[int64]workflow.MailServer
}

func (s *mailServers) get(id int64) (workflow.MailServer, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ms, ok := s.m[id]
	if !ok {
		return ms, fmt.Errorf("tenant %d has no mail server configured", id)
	}
	return ms, nil
}

func (s *mailServers) put(id int64, ms workflow.MailServer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[int64]workflow.MailServer{}
	}
	s.m[id] = ms
}

// openMailServer opens the tenant's mail server as configured (by default the sql driver
// over surel's own database, serving the tenant's mail domain).
func openMailServer(ctx context.Context, c config.Tenant, st *store.Store) (workflow.MailServer, error) {
	srv, err := open.Open(ctx, c, st.DB(), st.Dialect(), nil)
	if err != nil {
		return workflow.MailServer{}, err
	}
	calls := c.Mail.MaxCalls
	if calls <= 0 {
		calls = 4
	}
	ms := workflow.MailServer{Server: srv, Webmail: c.Mail.WebmailURL, Limits: open.Limits(c.Mail), DefaultQuota: c.Mail.Limits.DefaultQuotaBytes,
		Calls: make(chan struct{}, calls), Retention: time.Duration(c.Mail.RetentionDays) * 24 * time.Hour, SyncAt: c.Mail.SyncAt}
	if c.Mail.IMAPAddr != "" {
		m := c.Mail
		ms.Test = func(ctx context.Context, address, password string) error {
			return open.AccountTest(ctx, m, address, password)
		}
	}
	return ms, nil
}

// checkMailServers asks each tenant's mail server, once at start, whether surel's
// account there may do all it needs (mailbox.Server.CheckAccess), and logs what is
// missing by name, so a right to grant shows the day surel starts rather than at the
// first create. It runs beside the server: a mail server that does not answer delays
// nothing.
func (a *App) checkMailServers(ctx context.Context) {
	for _, base := range a.Config.Tenants {
		t, ok := a.Tenants.BySlug(base.Slug)
		if !ok {
			continue
		}
		c, _ := a.Tenants.Config(base.Slug)
		ms, err := a.Workflow.Mailboxes(t.ID)
		if err != nil {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, time.Minute)
		err = ms.Server.CheckAccess(cctx, t.MailDomain)
		cancel()
		if err != nil {
			a.Log.Warn("mail server access incomplete (docs/mail-server.md)", "tenant", c.Slug, "driver", c.Mail.Driver, "err", err)
			continue
		}
		a.Log.Info("mail server access checked", "tenant", c.Slug, "driver", c.Mail.Driver, "domain", t.MailDomain)
	}
}
