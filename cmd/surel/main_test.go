package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/store"
)

func TestOutboxCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SUREL_DATA_DIR": dir}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()

	// A message kept without SMTP, as the server leaves it.
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "surel.db"))
	if err != nil {
		t.Fatal(err)
	}
	tid, _ := st.EnsureTenant(ctx, "kominfo", "K", time.Now())
	m := notify.Message{TenantID: tid, To: "budi@example.com", Subject: "Lanjutkan aktivasi akun", Text: "Buka https://x/aktivasi/SECRET",
		Status: notify.StatusKept, CreatedAt: time.Now()}
	if err := st.InsertMessage(ctx, &m); err != nil {
		t.Fatal(err)
	}
	st.Close()

	var out bytes.Buffer
	if err := run(ctx, []string{"outbox"}, getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "budi@example.com") || !strings.Contains(out.String(), "kept") {
		t.Fatalf("list: %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"outbox", "show", "1"}, getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "https://x/aktivasi/SECRET") {
		t.Fatalf("show: %q", out.String())
	}
	if err := run(ctx, []string{"outbox", "show", "x"}, getenv, &out, &out); err == nil || !strings.Contains(err.Error(), "not a message id") {
		t.Fatalf("bad id: %v", err)
	}
	if err := run(ctx, []string{"frobnicate"}, getenv, &out, &out); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("unknown command: %v", err)
	}
	if err := run(ctx, nil, func(k string) string {
		return map[string]string{"SUREL_DATA_DIR": dir, "SUREL_DATABASE_URL": "mysql://x"}[k]
	}, &out, &out); err == nil ||
		!strings.Contains(err.Error(), "SUREL_DATABASE_URL") {
		t.Fatalf("bad config: %v", err)
	}
}

func TestRosterCommand(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string { return map[string]string{"SUREL_DATA_DIR": dir}[k] }
	ctx := context.Background()
	csv := filepath.Join(dir, "roster.csv")
	os.WriteFile(csv, []byte("nip,nama,instansi,unit,status,aktif\n196109231991031004,Drs. Murni,Diskominfo,Seksi PSDLP,PNS,1\n"), 0o600)
	var out bytes.Buffer
	if err := run(ctx, []string{"roster", "import", csv}, getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 entries loaded") {
		t.Fatalf("%q", out.String())
	}
	os.WriteFile(csv, []byte("nip,nama,instansi,unit,status,aktif\n12345,X,Y,Z,PNS,1\n"), 0o600)
	err := run(ctx, []string{"roster", "import", csv}, getenv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("a bad row is not reported with its line: %v", err)
	}
	st, _ := store.Open(ctx, "sqlite:"+filepath.Join(dir, "surel.db"))
	defer st.Close()
	if n, _ := st.RosterCount(ctx, 1); n != 1 {
		t.Fatalf("a refused file changed the roster: %d entries", n)
	}
}

// `surel migrate status` tells a fresh database is behind and changes nothing; `surel
// migrate` brings it up; a server started with SUREL_MIGRATE=off refuses an older schema
// and starts on a current one.
func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SUREL_DATA_DIR": dir}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	var out bytes.Buffer
	err := run(ctx, []string{"migrate", "status"}, getenv, &out, &out)
	if !errors.Is(err, store.ErrBehind) || !strings.Contains(out.String(), "schema at version 0") {
		t.Fatalf("status of a fresh database: %v %q", err, out.String())
	}
	env["SUREL_MIGRATE"] = "off"
	if _, err := app.New(ctx, mustConfig(t, getenv), slog.New(slog.DiscardHandler), app.Options{}); !errors.Is(err, store.ErrBehind) {
		t.Fatalf("serve with SUREL_MIGRATE=off on a fresh database: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"migrate"}, getenv, &out, &out); err != nil {
		t.Fatalf("migrate: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"migrate", "status"}, getenv, &out, &out); err != nil {
		t.Fatalf("status after migrate: %v %q", err, out.String())
	}
	a, err := app.New(ctx, mustConfig(t, getenv), slog.New(slog.DiscardHandler), app.Options{})
	if err != nil {
		t.Fatalf("serve with SUREL_MIGRATE=off on a current schema: %v", err)
	}
	a.Close()
	if err := run(ctx, []string{"migrate", "sideways"}, getenv, &out, &out); err == nil {
		t.Fatal("bad migrate argument accepted")
	}
}

func mustConfig(t *testing.T, getenv func(string) string) config.Config {
	t.Helper()
	cfg, err := config.Load(getenv)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// A process started with another secret key than the database was set up with refuses
// to start, naming the key; `surel key adopt` makes the new key the deployment's. With
// PostgreSQL, a key must be given.
func TestKeyCheck(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			env := map[string]string{"SUREL_DATA_DIR": t.TempDir(), "SUREL_DATABASE_URL": dbtest.URL(t, d), "SUREL_SECRET_KEY": testKey}
			getenv := func(k string) string { return env[k] }
			a, err := app.New(ctx, mustConfig(t, getenv), slog.New(slog.DiscardHandler), app.Options{})
			if err != nil {
				t.Fatal(err)
			}
			a.Close()
			env["SUREL_SECRET_KEY"] = strings.Repeat("another-key-", 4)
			if _, err := app.New(ctx, mustConfig(t, getenv), slog.New(slog.DiscardHandler), app.Options{}); !errors.Is(err, store.ErrKeyMismatch) {
				t.Fatalf("start with another key: %v", err)
			}
			var out bytes.Buffer
			if err := run(ctx, []string{"key", "adopt"}, getenv, &out, &out); err != nil {
				t.Fatalf("key adopt: %v", err)
			}
			a, err = app.New(ctx, mustConfig(t, getenv), slog.New(slog.DiscardHandler), app.Options{})
			if err != nil {
				t.Fatalf("start after adopt: %v", err)
			}
			a.Close()
			env["SUREL_SECRET_KEY"] = testKey
			if _, err := app.New(ctx, mustConfig(t, getenv), slog.New(slog.DiscardHandler), app.Options{}); !errors.Is(err, store.ErrKeyMismatch) {
				t.Fatalf("start with the old key after adopt: %v", err)
			}
			if d == store.Postgres {
				delete(env, "SUREL_SECRET_KEY")
				if _, err := config.Load(getenv); err == nil || !strings.Contains(err.Error(), "required with PostgreSQL") {
					t.Fatalf("PostgreSQL without a key: %v", err)
				}
			}
		})
	}
}
