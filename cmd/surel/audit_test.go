package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/store"
)

func TestAuditCommand(t *testing.T) {
	if os.Getenv("SUREL_AUDIT_MAIN") == "1" {
		// The child process of the exit-code check below: the real main, configured by
		// the environment.
		os.Args = []string{"surel", "audit", "verify"}
		main()
		return
	}
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"SUREL_DATA_DIR": dir, "SUREL_DATABASE_URL": dbtest.URL(t, d), "SUREL_SECRET_KEY": testKey}
			getenv := func(k string) string { return env[k] }
			ctx := context.Background()

			st, err := store.Open(ctx, env["SUREL_DATABASE_URL"])
			if err != nil {
				t.Fatal(err)
			}
			tid, _ := st.EnsureTenant(ctx, "kominfo", "K", time.Now())
			r := audit.Recorder{Store: st}
			for i, a := range []string{"request.submit", "step.forward", "step.forward"} {
				err := r.Record(ctx, audit.Entry{TenantID: tid, Actor: "staff:7", ActorName: "Budi", Role: "kepala_seksi",
					Action: a, Object: "request:42", Detail: fmt.Sprintf("langkah %d\x1b[2J", i), IP: "10.0.0.1"})
				if err != nil {
					t.Fatal(err)
				}
			}

			var out bytes.Buffer
			if err := run(ctx, []string{"audit", "verify"}, getenv, &out, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out.String(), "audit: 3 entries in 1 tenant, chain intact\n  kominfo: head seq 3 hash ") {
				t.Fatalf("verify: %q", out.String())
			}
			out.Reset()
			if err := run(ctx, []string{"audit", "show", "request:42"}, getenv, &out, &out); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != 3 || !strings.Contains(lines[1], "step.forward") || !strings.Contains(lines[1], "staff:7 Budi (kepala_seksi)") ||
				!strings.Contains(lines[1], "from 10.0.0.1") || !strings.Contains(lines[1], `"langkah 1\x1b[2J"`) {
				t.Fatalf("show (the escape sequence quoted, not sent to the terminal): %q", out.String())
			}
			if err := run(ctx, []string{"audit"}, getenv, &out, &out); err == nil || !strings.Contains(err.Error(), "usage") {
				t.Fatalf("no subcommand: %v", err)
			}

			// Someone edits a row behind the application's back.
			if _, err := st.DB().Exec(`UPDATE audit_log SET actor_name = 'Ani' WHERE seq = 2`); err != nil {
				t.Fatal(err)
			}
			var id int64
			st.DB().QueryRow(`SELECT id FROM audit_log WHERE seq = 2`).Scan(&id)
			st.Close()
			want := fmt.Sprintf("audit: broken link at tenant kominfo seq 2 (id %d): hash does not match", id)
			err = run(ctx, []string{"audit", "verify"}, getenv, &out, &out)
			if err == nil || err.Error() != want {
				t.Fatalf("tampered row: %v, want %q", err, want)
			}

			// The binary itself exits 1 and says where the chain broke.
			cmd := exec.Command(os.Args[0], "-test.run=^TestAuditCommand$")
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "SUREL_") {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			cmd.Env = append(cmd.Env, "SUREL_AUDIT_MAIN=1", "SUREL_DATA_DIR="+dir, "SUREL_DATABASE_URL="+env["SUREL_DATABASE_URL"], "SUREL_SECRET_KEY="+testKey)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err = cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(stderr.String(), want) {
				t.Fatalf("surel audit verify on a tampered log: %v, stderr %q", err, stderr.String())
			}
		})
	}
}

const testKey = "cmd-test-secret-key-cmd-test-secret-key"
