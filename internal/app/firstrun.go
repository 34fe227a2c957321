package app

import (
	"context"
	"errors"
	"time"

	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/open"
	"github.com/surel-id/surel/internal/mailbox/sqlmail"
	"github.com/surel-id/surel/internal/setup"
)

// firstRun is what the first-run page (web.FirstRun) needs from the wiring: the tenant
// as the file gives it, the switch to newly saved settings, and the connection test.
type firstRun struct{ a *App }

// Base implements web.FirstRun.
func (f firstRun) Base(tenantID int64) (config.Tenant, bool) { return f.a.Tenants.Base(tenantID) }

// Apply implements web.FirstRun.
func (f firstRun) Apply(ctx context.Context, tenantID int64) error {
	return f.a.ApplySetup(ctx, tenantID)
}

// TestConnection implements web.FirstRun: the mail server that set gives the tenant,
// opened without writing anything (the sql driver is not asked to serve the domain), its
// capacity read for the domain and, with a test mailbox, an IMAP login to it (else the
// IMAP server's greeting). Each part is bounded, so the page answers within a minute.
func (f firstRun) TestConnection(ctx context.Context, tenantID int64, set setup.Settings, address, password string) setup.TestResult {
	var r setup.TestResult
	base, _ := f.a.Tenants.Base(tenantID)
	c, err := setup.Apply(base, set)
	if err != nil {
		r.Config = setup.Blank(err.Error(), set.Mail.Secret)
		return r
	}
	var srv mailbox.Server
	if c.Mail.Driver == "sql" {
		srv, err = sqlmail.New(f.a.Store.DB(), f.a.Store.Dialect(), sqlmail.Options{Scheme: sqlmail.Scheme(c.Mail.PasswordScheme),
			DefaultQuota: c.Mail.Limits.DefaultQuotaBytes})
	} else {
		srv, err = open.Open(ctx, c, f.a.Store.DB(), f.a.Store.Dialect(), nil)
	}
	if err != nil {
		r.Config = setup.Blank(err.Error(), set.Mail.Secret)
		return r
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	capa, err := srv.Capacity(cctx, c.MailDomain)
	cancel()
	switch {
	case errors.Is(err, mailbox.ErrNoSuchDomain) && c.Mail.Driver == "sql":
		// surel's own tables: the save adds the domain.
		r.DomainNew, r.Capacity = true, &mailbox.Capacity{}
	case err != nil:
		r.CapacityErr = setup.Blank(err.Error(), set.Mail.Secret)
	default:
		r.Capacity = &capa
	}
	switch {
	case c.Mail.IMAPAddr == "":
		r.IMAP = setup.IMAPNone
	case address == "":
		r.IMAP = setup.IMAPGreeted
		if err := mailbox.Greet(ctx, c.Mail.IMAPAddr); err != nil {
			r.IMAP, r.IMAPErr = setup.IMAPUnreachable, err.Error()
		}
	default:
		err := mailbox.TestLogin(ctx, c.Mail.IMAPAddr, address, password)
		switch {
		case err == nil:
			r.IMAP = setup.IMAPOK
		case errors.Is(err, mailbox.ErrPasswordChangePending):
			r.IMAP = setup.IMAPPending
		default:
			r.IMAP, r.IMAPErr = setup.IMAPFailed, setup.Blank(err.Error(), password)
		}
	}
	return r
}
