package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/sqlmail"
)

// `surel mailbox sync` adopts what the tenant's server holds (here the default sql
// driver's table, filled outside surel) and says what it found; run again, nothing new.
func TestMailboxSyncCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SUREL_DATA_DIR": dir, "SUREL_SECRET_KEY": strings.Repeat("s", 40)}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	cfg, err := config.Load(getenv)
	if err != nil {
		t.Fatal(err)
	}
	log := newLogger(cfg, &bytes.Buffer{})
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sqlmail.New(a.Store.DB(), a.Store.Dialect(), sqlmail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"lama.satu", "lama.dua"} {
		if err := srv.Create(ctx, mailbox.New{Address: l + "@" + cfg.Tenants[0].MailDomain, Name: l, Password: "Rahasia2026x", Owner: "lama"}); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	var out bytes.Buffer
	if err := mailboxCmd(ctx, cfg, log, []string{"sync"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2 accounts on the server (2 new, 0 with another status, 0 gone from the server)") {
		t.Fatalf("first sync: %q", out.String())
	}
	out.Reset()
	if err := mailboxCmd(ctx, cfg, log, []string{"sync"}, &out); err != nil || !strings.Contains(out.String(), "(0 new,") {
		t.Fatalf("second sync: %q %v", out.String(), err)
	}
	for _, args := range [][]string{{"frob"}, {"sync", "--tenant", "nope"}} {
		if err := mailboxCmd(ctx, cfg, log, args, &out); err == nil {
			t.Fatalf("%v: no error", args)
		}
	}
}
