package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/surel-id/surel/internal/account"
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
func backOffice(ctx context.Context, cfg config.Config, st *store.Store, ts *Tenants, book *sop.Book, requests *request.Service, staffs *staff.Service, ob *notify.Outbox, log *slog.Logger) (*workflow.Engine, error) {
	box, err := seal.New(Subkey(cfg.SecretKey, "credentials"))
	if err != nil {
		return nil, err
	}
	servers, err := mailServers(ctx, cfg, st, ts)
	if err != nil {
		return nil, err
	}
	rec := &audit.Recorder{Store: st}
	requests.Audit, staffs.Audit, book.Audit = rec, rec, rec
	reg := &registry.Service{Store: st, Audit: rec}
	return &workflow.Engine{Store: st, Book: book, Requests: requests, Registry: reg, Tenant: ts.ByID, Mail: ob, Audit: rec, Seal: box,
		Mailboxes: func(id int64) (workflow.MailServer, error) {
			ms, ok := servers[id]
			if !ok {
				return ms, fmt.Errorf("tenant %d has no mail server configured", id)
			}
			return ms, nil
		},
		Portal: staffs.Accounts.Hasher, NewPassword: mailbox.GeneratePassword, Log: log}, nil
}

// mailServers opens each tenant's mail server as configured (by default the sql driver
// over surel's own database, serving the tenant's mail domain).
func mailServers(ctx context.Context, cfg config.Config, st *store.Store, ts *Tenants) (map[int64]workflow.MailServer, error) {
	out := map[int64]workflow.MailServer{}
	for _, c := range cfg.Tenants {
		t, ok := ts.bySlug[c.Slug]
		if !ok {
			continue
		}
		srv, err := open.Open(ctx, c, st.DB(), st.Dialect(), nil)
		if err != nil {
			return nil, err
		}
		calls := c.Mail.MaxCalls
		if calls <= 0 {
			calls = 4
		}
		ms := workflow.MailServer{Server: srv, Webmail: c.Mail.WebmailURL, Limits: open.Limits(c.Mail), DefaultQuota: c.Mail.Limits.DefaultQuotaBytes,
			Calls: make(chan struct{}, calls), Retention: time.Duration(c.Mail.RetentionDays) * 24 * time.Hour}
		if c.Mail.IMAPAddr != "" {
			m := c.Mail
			ms.Test = func(ctx context.Context, address, password string) error {
				return open.AccountTest(ctx, m, address, password)
			}
		}
		out[t.ID] = ms
	}
	return out, nil
}

// checkMailServers asks each tenant's mail server, once at start, whether surel's
// account there may do all it needs (mailbox.Server.CheckAccess), and logs what is
// missing by name, so a right to grant shows the day surel starts rather than at the
// first create. It runs beside the server: a mail server that does not answer delays
// nothing.
func (a *App) checkMailServers(ctx context.Context) {
	for _, c := range a.Config.Tenants {
		t, ok := a.Tenants.bySlug[c.Slug]
		if !ok {
			continue
		}
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

// All are the configured tenants.
func (t *Tenants) All() []account.Tenant {
	out := make([]account.Tenant, 0, len(t.bySlug))
	for _, x := range t.bySlug {
		out = append(out, x)
	}
	return out
}

// ByID is a configured tenant by its database id.
func (t *Tenants) ByID(id int64) (account.Tenant, bool) {
	for _, x := range t.bySlug {
		if x.ID == id {
			return x, true
		}
	}
	return account.Tenant{}, false
}
