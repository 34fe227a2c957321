// Command surel serves the portal and back office, and holds the operator's commands.
//
//	surel                  serve (the default)
//	surel migrate [status] apply the database migrations (under a lock, so several
//	                       processes may run it), or say where the schema stands
//	surel backup FILE.tar.gz
//	                       the database and documents of a single machine, while it runs
//	surel restore [--replace] FILE.tar.gz
//	                       put a backup in place (the server stopped; the same secret key)
//	surel key adopt        make this process's secret key the deployment's (after
//	                       changing it on purpose: second factors and sealed passwords
//	                       made under the old key no longer open)
//	surel outbox [list]    list the newest outgoing mail
//	surel outbox show ID   print one message, links included (mail kept without SMTP)
//	surel roster import [--tenant SLUG] FILE.csv
//	                       load or replace a tenant's roster (data kepegawaian)
//	surel audit verify     check the audit trail's hash chains; exit 1 at a broken link
//	surel audit show OBJECT
//	                       print an object's trail (e.g. request:42)
//	surel staff add --email E --first NAME --role tenant_admin[,…] [--tenant SLUG]
//	                       make a staff member (the first tenant admin); password on stdin
//	surel staff list | reset-2fa --email E
//	                       list the staff; remove a member's second factor
//	surel mailbox sync [--tenant SLUG]
//	                       read the accounts the tenant's mail server already holds into
//	                       the mailbox registry (adopt, match owners, mark the gone)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/rostersync"
	"github.com/surel-id/surel/internal/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "surel:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(cfg, stderr)
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		log.Info("memory", "settings", app.TuneMemory(getenv).String())
		a, err := app.New(ctx, cfg, log, app.Options{})
		if err != nil {
			return err
		}
		defer a.Close()
		return a.Serve(ctx)
	case "migrate":
		return migrateCmd(ctx, cfg, args, stdout)
	case "key":
		return keyCmd(ctx, cfg, args, stdout)
	case "backup":
		return backupCmd(ctx, cfg, args, stdout)
	case "restore":
		return restoreCmd(ctx, cfg, args, stdout)
	case "outbox":
		st, err := store.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer st.Close()
		return outbox(ctx, st, args, stdout)
	case "roster":
		st, err := store.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer st.Close()
		return rosterCmd(ctx, cfg, st, args, stdout)
	case "audit":
		return auditCmd(ctx, cfg, args, stdout)
	case "staff":
		return staffCmd(ctx, cfg, log, args, os.Stdin, stdout)
	case "mailbox":
		return mailboxCmd(ctx, cfg, log, args, stdout)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, "usage: surel [serve | migrate [status] | key adopt | backup FILE | restore [--replace] FILE | outbox [list | show ID] | roster import [--tenant SLUG] FILE.csv | audit [verify | show OBJECT] | staff add|list|reset-2fa … | mailbox sync [--tenant SLUG]]")
		return nil
	}
	return fmt.Errorf("unknown command %q (try: surel help)", cmd)
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// migrateCmd is `surel migrate [status]`: apply the migrations before rolling out
// processes started with SUREL_MIGRATE=off, or tell where the schema stands (exit 1
// when it is behind this build).
func migrateCmd(ctx context.Context, cfg config.Config, args []string, w io.Writer) error {
	open := store.Open
	switch {
	case len(args) == 0:
	case len(args) == 1 && args[0] == "status":
		open = store.OpenUnchecked
	default:
		return errors.New("usage: surel migrate [status]")
	}
	st, err := open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	ms, err := st.Migrations(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "schema at version %d; this build's newest is %d\n", ms.Current, ms.Latest)
	if ms.Current < ms.Latest {
		return store.ErrBehind
	}
	return nil
}

// keyCmd is `surel key adopt`: processes refuse to start with a secret key other than
// the one the database was set up with (store.ErrKeyMismatch); after a deliberate
// change this records the new key's check value.
func keyCmd(ctx context.Context, cfg config.Config, args []string, w io.Writer) error {
	if len(args) != 1 || args[0] != "adopt" {
		return errors.New("usage: surel key adopt")
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.AdoptKey(ctx, app.KeyCheck(cfg.SecretKey), time.Now()); err != nil {
		return err
	}
	fmt.Fprintln(w, "this secret key is now the deployment's; start every process with it "+
		"(staff second factors made under the old key need `surel staff reset-2fa`)")
	return nil
}

func outbox(ctx context.Context, st *store.Store, args []string, w io.Writer) error {
	if len(args) == 0 || args[0] == "list" {
		ms, err := st.Messages(ctx, "", 50)
		if err != nil {
			return err
		}
		for _, m := range ms {
			fmt.Fprintf(w, "%6d  %s  %-7s  %-30s  %s\n", m.ID, m.CreatedAt.Local().Format("2006-01-02 15:04"), m.Status, m.To, m.Subject)
		}
		return nil
	}
	if args[0] != "show" || len(args) != 2 {
		return errors.New("usage: surel outbox [list | show ID]")
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		return fmt.Errorf("outbox show: %q is not a message id", args[1])
	}
	m, err := st.Message(ctx, id)
	if err != nil {
		return fmt.Errorf("outbox show %d: %w", id, err)
	}
	fmt.Fprintf(w, "To: %s\nSubject: %s\nStatus: %s\n", m.To, m.Subject, m.Status)
	if m.Error != "" {
		fmt.Fprintf(w, "Last error: %s\n", m.Error)
	}
	fmt.Fprintf(w, "\n%s\n", m.Text)
	return nil
}

// rosterCmd is `surel roster import [--tenant SLUG] FILE.csv`: it loads or replaces the
// roster of a configured tenant (the first one by default). A bad file changes nothing
// and lists its first problems by line.
func rosterCmd(ctx context.Context, cfg config.Config, st *store.Store, args []string, w io.Writer) error {
	const usage = "usage: surel roster import [--tenant SLUG] FILE.csv"
	if len(args) == 0 || args[0] != "import" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("roster import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	slug := fs.String("tenant", cfg.Tenants[0].Slug, "tenant slug")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 1 {
		return errors.New(usage)
	}
	i := slices.IndexFunc(cfg.Tenants, func(t config.Tenant) bool { return t.Slug == *slug })
	if i < 0 {
		return fmt.Errorf("roster import: no tenant %q in the configuration", *slug)
	}
	tenant := cfg.Tenants[i]
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("roster import: %w", err)
	}
	defer f.Close()
	id, err := st.EnsureTenant(ctx, tenant.Slug, tenant.Name, time.Now())
	if err != nil {
		return err
	}
	// Ctrl-C rolls the import back; the sort's runs go next to the database, not to a
	// /tmp that may be memory.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	tmp := cfg.DataDir
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		tmp = ""
	}
	start := time.Now()
	// The import is compared with the roster it replaces: the tenant admin reads the
	// changes, and proposes deactivations, on /kantor/data-pegawai/<run>.
	rec := &audit.Recorder{Store: st}
	svc := &rostersync.Service{Store: st, Registry: &registry.Service{Store: st, Audit: rec}, Audit: rec, Options: roster.Options{TempDir: tmp}}
	run, err := svc.Import(ctx, id, audit.Operator, rostersync.SourceName("cli", fs.Arg(0)), f)
	if err != nil {
		return fmt.Errorf("roster import %s: %w", fs.Arg(0), err)
	}
	c := run.Summary.Counts
	fmt.Fprintf(w, "roster of %s: %d entries loaded in %v (the previous roster was replaced)\n",
		tenant.Slug, run.Summary.Entries, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(w, "changes since the last import: %d joined, %d left, %d inactive, %d moved, %d status; report: /kantor/data-pegawai/%d\n",
		c[roster.Joined], c[roster.Left], c[roster.Inactive], c[roster.Moved], c[roster.Restatus], run.ID)
	return nil
}
