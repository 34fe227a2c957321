// Command surel serves the portal and back office, and holds the operator's commands.
//
//	surel                  serve (the default)
//	surel outbox [list]    list the newest outgoing mail
//	surel outbox show ID   print one message, links included (mail kept without SMTP)
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/captcha"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/ratelimit"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/web"
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
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	switch cmd {
	case "serve":
		return serve(ctx, cfg, st, log)
	case "outbox":
		return outbox(ctx, st, args, stdout)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, "usage: surel [serve | outbox [list | show ID]]")
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

// tenants resolves a request's tenant by host; the first configured tenant serves any
// host not listed.
type tenants struct {
	byHost map[string]account.Tenant
	def    account.Tenant
}

func (t *tenants) ForHost(host string) account.Tenant {
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	if tt, ok := t.byHost[strings.ToLower(host)]; ok {
		return tt
	}
	return t.def
}

func loadTenants(ctx context.Context, cfg config.Config, st *store.Store) (*tenants, error) {
	ts := &tenants{byHost: map[string]account.Tenant{}}
	for i, c := range cfg.Tenants {
		id, err := st.EnsureTenant(ctx, c.Slug, c.Name, time.Now())
		if err != nil {
			return nil, err
		}
		t := account.Tenant{ID: id, Slug: c.Slug, Name: c.Name, Policy: account.Policy{
			MinLength: c.Password.MinLength, RejectCommon: c.Password.RejectCommon, RejectPersonal: c.Password.RejectPersonal}}
		if i == 0 {
			ts.def = t
		}
		for _, h := range c.Hosts {
			ts.byHost[strings.ToLower(h)] = t
		}
	}
	return ts, nil
}

// subkey derives a purpose-bound key from the secret key, so the captcha's HMAC key and
// later keys (credential encryption) never coincide.
func subkey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("surel/" + purpose))
	return m.Sum(nil)
}

func serve(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	ts, err := loadTenants(ctx, cfg, st)
	if err != nil {
		return err
	}
	var sender notify.Sender
	if cfg.SMTPURL != "" {
		if sender, err = notify.NewSMTP(cfg.SMTPURL); err != nil {
			return err
		}
	}
	ob, err := notify.NewOutbox(st, sender, cfg.SMTPFrom, log)
	if err != nil {
		return err
	}
	accounts := &account.Service{Store: st, Mail: ob, Hasher: passwd.New(passwd.Default), BaseURL: cfg.BaseURL, Log: log,
		Limits: account.Limits{CaptchaAfter: cfg.Limits.CaptchaAfter, LockAfter: cfg.Limits.LockAfter, LockFor: cfg.Limits.LockFor,
			SessionIdle: cfg.Limits.SessionIdle, SessionMax: cfg.Limits.SessionMax}}
	if err := accounts.Init(ctx); err != nil {
		return err
	}
	metrics := web.NewMetrics(web.NewJobsCollector(st.CountJobs))
	srv := &web.Server{Accounts: accounts, Captcha: captcha.New(subkey(cfg.SecretKey, "captcha"), captcha.Options{}),
		Tenants: ts, DB: st, Log: log, Metrics: metrics, Secure: cfg.Secure(), TrustProxy: cfg.TrustProxy,
		AuthLimit: ratelimit.New(cfg.Limits.AuthPerMinute, nil)}
	if err := srv.Init(); err != nil {
		return err
	}
	runner := &jobs.Runner{Store: st, Log: log, Handlers: map[string]jobs.Handler{notify.JobKind: ob.Deliver},
		OnRun: func(kind string, err error) {
			outcome := "ok"
			if err != nil {
				outcome = "error"
			}
			metrics.Jobs.WithLabelValues(kind, outcome).Inc()
		}}
	go runner.Run(ctx)

	hs := &http.Server{Addr: cfg.Addr, Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	mailMode := "kept in the outbox (set SUREL_SMTP_URL to send; read with `surel outbox`)"
	if sender != nil {
		mailMode = "sent by SMTP"
	}
	log.Info("surel serving", "addr", cfg.Addr, "base_url", cfg.BaseURL, "database", string(st.Dialect()), "mail", mailMode)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
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
