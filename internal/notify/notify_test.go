package notify_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/mailtest"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func setup(t *testing.T, st *store.Store, sender notify.Sender) (*notify.Outbox, *jobs.Runner, int64) {
	t.Helper()
	ob, err := notify.NewOutbox(st, sender, "Layanan Surel <noreply@surel.example>", quiet)
	if err != nil {
		t.Fatal(err)
	}
	tid, err := st.EnsureTenant(context.Background(), "t", "Tenant", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := &jobs.Runner{Store: st, Log: quiet, Handlers: map[string]jobs.Handler{notify.JobKind: ob.Deliver}}
	r.Now = time.Now
	r.Lease = time.Minute
	return ob, r, tid
}

func activation(tid int64) notify.Mail {
	return notify.Mail{TenantID: tid, To: "budi@example.com", Lang: "id", Template: "activation",
		Data: map[string]any{"Name": "Budi", "URL": "https://surel.example/aktivasi/abc", "Tenant": "Layanan", "Hours": 48}}
}

// Mail goes out over a real SMTP connection, with text and HTML parts, once.
func TestDeliverOverSMTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		srv := mailtest.Start(t)
		smtp, err := notify.NewSMTP(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		ob, r, tid := setup(t, st, smtp)
		if err := st.Tx(ctx, func(ctx context.Context) error { return ob.Send(ctx, activation(tid)) }); err != nil {
			t.Fatal(err)
		}
		if ran, err := r.RunOne(ctx); !ran || err != nil {
			t.Fatalf("RunOne = %v, %v", ran, err)
		}
		m := srv.Wait(t, "budi@example.com", 1, 5*time.Second)
		if m.Subject != "Lanjutkan aktivasi akun Layanan" || m.Link("/aktivasi/") != "https://surel.example/aktivasi/abc" {
			t.Fatalf("got subject %q text %q", m.Subject, m.Text)
		}
		if !strings.Contains(m.HTML, ">Lanjutkan Aktivasi Akun</a>") {
			t.Fatalf("HTML part lacks the button: %s", m.HTML)
		}
		msgs, _ := st.Messages(ctx, "budi@example.com", 1)
		if msgs[0].Status != notify.StatusSent {
			t.Fatalf("status %s", msgs[0].Status)
		}
		// Nothing left to run, and a rerun of the same job would not send again.
		if ran, _ := r.RunOne(ctx); ran {
			t.Fatal("a second job ran")
		}
		if err := ob.Deliver(ctx, jobs.Job{Ref: msgs[0].ID, Attempts: 1, MaxAttempts: 3}); err != nil || len(srv.Messages()) != 1 {
			t.Fatalf("redelivery sent again: %v, %d messages", err, len(srv.Messages()))
		}
	})
}

// A rolled-back transaction leaves neither message nor job.
func TestSendRollsBackWithTx(t *testing.T) {
	st := dbtest.New(t)
	ctx := context.Background()
	ob, r, tid := setup(t, st, nil)
	boom := context.Canceled
	err := st.Tx(ctx, func(ctx context.Context) error {
		if err := ob.Send(ctx, activation(tid)); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatal(err)
	}
	if ms, _ := st.Messages(ctx, "", 10); len(ms) != 0 {
		t.Fatal("message survived a rollback")
	}
	if ran, _ := r.RunOne(ctx); ran {
		t.Fatal("job survived a rollback")
	}
}

// Temporary SMTP failures are retried with backoff; after the last attempt the message
// is failed and its job dead, with the server's error kept for staff.
func TestRetryThenGiveUp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		srv := mailtest.Start(t)
		smtp, _ := notify.NewSMTP(srv.URL())
		ob, r, tid := setup(t, st, smtp)
		now := time.Now()
		r.Now = func() time.Time { return now }
		ob.Now = r.Now
		srv.Reject(451)
		st.Tx(ctx, func(ctx context.Context) error { return ob.Send(ctx, activation(tid)) })
		for i := 1; i <= notify.MaxAttempts; i++ {
			ran, err := r.RunOne(ctx)
			if !ran || err != nil {
				t.Fatalf("attempt %d: ran=%v err=%v", i, ran, err)
			}
			if ran, _ := r.RunOne(ctx); ran {
				t.Fatalf("attempt %d: retried without waiting", i)
			}
			now = now.Add(7 * time.Hour) // past any backoff
		}
		j, err := st.Job(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != jobs.StatusDead || j.Attempts != notify.MaxAttempts || !strings.Contains(j.LastError, "451") {
			t.Fatalf("job %+v", j)
		}
		ms, _ := st.Messages(ctx, "", 1)
		if ms[0].Status != notify.StatusFailed || !strings.Contains(ms[0].Error, "451") {
			t.Fatalf("message %+v", ms[0])
		}
		// Staff retry: revived, it goes out once the server accepts again.
		srv.Reject(0)
		if err := st.ReviveJob(ctx, j.ID, now); err != nil {
			t.Fatal(err)
		}
		if ran, err := r.RunOne(ctx); !ran || err != nil {
			t.Fatal(ran, err)
		}
		srv.Wait(t, "budi@example.com", 1, 5*time.Second)
	})
}

// A permanent refusal (5xx) gives up at once.
func TestPermanentFailure(t *testing.T) {
	st := dbtest.New(t)
	ctx := context.Background()
	srv := mailtest.Start(t)
	smtp, _ := notify.NewSMTP(srv.URL())
	ob, r, tid := setup(t, st, smtp)
	srv.Reject(550)
	st.Tx(ctx, func(ctx context.Context) error { return ob.Send(ctx, activation(tid)) })
	r.RunOne(ctx)
	j, _ := st.Job(ctx, 1)
	if j.Status != jobs.StatusDead || j.Attempts != 1 {
		t.Fatalf("job %+v", j)
	}
}

// Without SMTP the message is kept, readable, and not retried.
func TestKeptWithoutSMTP(t *testing.T) {
	st := dbtest.New(t)
	ctx := context.Background()
	ob, r, tid := setup(t, st, nil)
	st.Tx(ctx, func(ctx context.Context) error { return ob.Send(ctx, activation(tid)) })
	r.RunOne(ctx)
	ms, _ := st.Messages(ctx, "", 1)
	if ms[0].Status != notify.StatusKept || !strings.Contains(ms[0].Text, "/aktivasi/abc") {
		t.Fatalf("%+v", ms[0])
	}
	if ran, _ := r.RunOne(ctx); ran {
		t.Fatal("kept message retried")
	}
}

func TestTemplatesRenderInBothLanguages(t *testing.T) {
	ob, err := notify.NewOutbox(nil, nil, "x@y", quiet)
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"Name": "Budi", "URL": "https://x/aktivasi/t", "Tenant": "T", "Hours": 48, "Minutes": 60,
		"Username": "budi.santoso", "Number": "SRL-2026-000001", "Address": "budi.santoso@mail.go.id", "LoginURL": "https://x/masuk", "ResetURL": "https://x/lupa-password", "At": time.Now(), "Webmail": "https://webmail"}
	for _, lang := range notify.Languages {
		for _, tpl := range []string{"activation", "welcome", "already_registered", "reset", "password_changed", "request_submitted",
			"reset_password_done", "nonaktif_done", "aktif_kembali_done", "kuota_done", "hapus_done", "serah_terima_done"} {
			m, err := ob.Render(notify.Mail{Lang: lang, Template: tpl, Data: data})
			if err != nil || m.Subject == "" || m.Text == "" || !strings.Contains(m.HTML, "<html") {
				t.Errorf("%s/%s: %v %+v", lang, tpl, err, m)
			}
		}
	}
}
