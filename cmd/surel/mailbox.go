package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/config"
)

const mailboxUsage = `usage:
  surel mailbox sync [--tenant SLUG]
                  read every account of the tenant's mail domain on its server into the
                  mailbox registry (database akun email) without changing the server:
                  new ones adopted, owners matched by NIP or proposed by name for review
                  at /kantor/akun/tinjau, those gone from the server marked`

// mailboxCmd is `surel mailbox …`: the operator's sync of a tenant's mail server into
// its registry, the same the tenant admin starts at /kantor/akun/sinkron.
func mailboxCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, w io.Writer) error {
	if len(args) == 0 || args[0] != "sync" {
		return errors.New(mailboxUsage)
	}
	fs := flag.NewFlagSet("mailbox sync", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	slug := fs.String("tenant", cfg.Tenants[0].Slug, "tenant slug")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 {
		return errors.New(mailboxUsage)
	}
	if !slices.ContainsFunc(cfg.Tenants, func(t config.Tenant) bool { return t.Slug == *slug }) {
		return fmt.Errorf("mailbox sync: no tenant %q in the configuration", *slug)
	}
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	t, _ := a.Tenants.BySlug(*slug)
	start := time.Now()
	run, err := a.Workflow.SyncMailboxes(ctx, t.ID, audit.Actor{Ref: "operator", Name: "Operator (surel mailbox sync)"})
	if err != nil {
		return fmt.Errorf("mailbox sync: %w", err)
	}
	fmt.Fprintf(w, "%s: %d accounts on the server (%d new, %d with another status, %d gone from the server) in %s\n",
		run.Domain, run.Seen, run.Added, run.Changed, run.Gone, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(w, "owners: %d found by NIP, %d proposed by name and waiting for review at /kantor/akun/tinjau\n", run.ByNIP, run.ToReview)
	return nil
}
