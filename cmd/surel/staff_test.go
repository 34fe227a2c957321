package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/passwd"
)

func TestStaffCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SUREL_DATA_DIR": dir, "SUREL_SECRET_KEY": strings.Repeat("s", 40)}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	cfg, err := config.Load(getenv)
	if err != nil {
		t.Fatal(err)
	}
	log := newLogger(cfg, &bytes.Buffer{})
	var out bytes.Buffer

	// The password on standard input.
	args := []string{"add", "--email", "Admin@Kominfo.go.id", "--first", "Admin", "--last", "Satu", "--role", "tenant_admin,kepala_seksi"}
	if err := staffCmd(ctx, cfg, log, args, strings.NewReader("Rahasia2026\n"), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "admin.satu (admin@kominfo.go.id) is staff of kominfo: tenant_admin, kepala_seksi") ||
		strings.Contains(out.String(), "Rahasia2026") {
		t.Fatalf("add: %q", out.String())
	}
	// No password given: one is made and printed once.
	out.Reset()
	if err := staffCmd(ctx, cfg, log, []string{"add", "--email", "kasi@kominfo.go.id", "--first", "Kasi", "--role", "kepala_seksi"}, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Password \(shown once\): (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no generated password: %q", out.String())
	}
	// A password file; and the errors, in words.
	pf := filepath.Join(dir, "pw")
	os.WriteFile(pf, []byte("Berkas2026\n"), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"add", "--email", "x", "--first", "X1", "--role", "kepala_raja", "--password-file", pf}, "unknown role kepala_raja"},
		{[]string{"add", "--email", "admin@kominfo.go.id", "--first", "Admin", "--role", "front_desk", "--password-file", pf}, "already on the staff"},
		{[]string{"add", "--email", "y@x.id", "--first", "Y", "--role", "front_desk", "--tenant", "nope"}, `no tenant "nope"`},
		{[]string{"frob"}, "usage:"},
	} {
		err := staffCmd(ctx, cfg, log, c.args, strings.NewReader(""), &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"staff", "list"}, getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "admin@kominfo.go.id") || !strings.Contains(out.String(), "kasi@kominfo.go.id") ||
		!strings.Contains(out.String(), "2fa: not set up") {
		t.Fatalf("list: %q", out.String())
	}

	// The account signs in with the password given, enrols, and can be reset.
	a, err := app.New(ctx, cfg, log, app.Options{Hash: &passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ten := a.Tenants.Default()
	u, err := a.Accounts.Login(ctx, ten, "admin@kominfo.go.id", "Rahasia2026", false)
	if err != nil {
		t.Fatalf("login with the CLI password: %v", err)
	}
	if _, err := a.Accounts.Login(ctx, ten, "kasi@kominfo.go.id", m[1], false); err != nil {
		t.Fatalf("login with the generated password: %v", err)
	}
	e, err := a.Staff.BeginEnroll(ctx, u.ID, ten.Name, u.Username)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(e.Secret, time.Now())
	if _, err := a.Staff.ConfirmEnroll(ctx, u.ID, code); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"staff", "reset-2fa", "--email", "admin@kominfo.go.id"}, getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	if ok, _ := a.Staff.Enrolled(ctx, u.ID); ok {
		t.Fatal("still enrolled after reset-2fa")
	}
}
