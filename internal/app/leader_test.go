package app

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/store"
)

var cheapHash = passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// newApp starts a deployment's process on url, as main would (without its HTTP server).
func newApp(t *testing.T, url string, env map[string]string) *App {
	t.Helper()
	e := map[string]string{"SUREL_DATA_DIR": t.TempDir(), "SUREL_DATABASE_URL": url,
		"SUREL_SECRET_KEY": "app-test-secret-key-app-test-secret-key"}
	for k, v := range env {
		e[k] = v
	}
	cfg, err := config.Load(func(k string) string { return e[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(context.Background(), cfg, slog.New(slog.DiscardHandler), Options{Hash: &cheapHash})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// Of three processes on one PostgreSQL, one leads at a time; when it stops, or its
// connection to the database dies (a process killed), another takes over within
// seconds.
func TestOneLeader(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		if d != store.Postgres {
			continue
		}
		url := dbtest.URL(t, d)
		var apps []*App
		var stops []context.CancelFunc
		done := make(chan struct{}, 3)
		for range 3 {
			a := newApp(t, url, nil)
			ctx, cancel := context.WithCancel(context.Background())
			go func() { a.lead(ctx); done <- struct{}{} }()
			apps, stops = append(apps, a), append(stops, cancel)
		}
		t.Cleanup(func() {
			for _, s := range stops {
				s()
			}
			for range stops {
				<-done
			}
		})
		leaders := func() []int {
			var out []int
			for i, a := range apps {
				if a.leading.Load() {
					out = append(out, i)
				}
			}
			return out
		}
		// waitOne waits for a single leader other than not. Only after a killed
		// connection may two think they lead, for up to leaderCheck (the old one
		// has not noticed yet): their marks are conditional for that.
		waitOne := func(not int, overlap bool) int {
			t.Helper()
			deadline := time.Now().Add(3 * leaderRetry)
			for time.Now().Before(deadline) {
				if l := leaders(); len(l) == 1 && l[0] != not {
					// Still one a little later: nobody else grabbed it too.
					time.Sleep(200 * time.Millisecond)
					if l2 := leaders(); len(l2) == 1 && l2[0] == l[0] {
						return l[0]
					}
				} else if len(l) > 1 && !overlap {
					t.Fatalf("several leaders: %v", l)
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Fatalf("no single new leader within %s: %v", 3*leaderRetry, leaders())
			return -1
		}
		first := waitOne(-1, false)
		stops[first]()
		second := waitOne(first, false)
		// The second leader's connection dies.
		var pid int
		id, _ := apps[second].Store.LockID(context.Background(), "leader")
		if err := apps[first].Store.DB().QueryRow(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND ((classid::bigint << 32) | objid::bigint) = $1`, id).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if _, err := apps[first].Store.DB().Exec(`SELECT pg_terminate_backend($1)`, pid); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		third := waitOne(second, true)
		if third == first {
			t.Fatal("a stopped process leads")
		}
		t.Logf("leader %d → %d (stopped) → %d (connection killed, %s)", first, second, third, time.Since(start).Round(time.Millisecond))
	}
}

// An SOP saved through one process is what the others use from then on: the save's
// notification makes them forget their cached copy.
func TestSOPSeenByOtherProcesses(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		if d != store.Postgres {
			continue
		}
		url := dbtest.URL(t, d)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		a, b := newApp(t, url, nil), newApp(t, url, nil)
		done := make(chan struct{})
		go func() { a.listen(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		ref := a.Tenants.Default().SOPRef()
		def, _, err := a.Book.Workflow(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		src, _, err := b.Book.Source(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		const renamed = "name: Pendaftaran Akun mail.go.id (disunting)"
		edited := strings.Replace(string(src), "name: "+def.Name, renamed, 1)
		if _, err := b.Book.SaveSOP(ctx, ref, []byte(edited), audit.System); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			got, _, err := a.Book.Workflow(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			if "name: "+got.Name == renamed {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the other process still uses %q", got.Name)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
