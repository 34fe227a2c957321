package account_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/store"
)

type fixture struct {
	st     *store.Store
	svc    *account.Service
	runner *jobs.Runner
	tenant account.Tenant
	now    time.Time
}

func (f *fixture) clock() time.Time { return f.now }

func setup(t *testing.T, st *store.Store) *fixture {
	ctx := context.Background()
	f := &fixture{st: st, now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ob, err := notify.NewOutbox(st, nil, "noreply@example.go.id", log)
	if err != nil {
		t.Fatal(err)
	}
	ob.Now = f.clock
	id, err := st.EnsureTenant(ctx, "kominfo", "Layanan Kominfo", f.now)
	if err != nil {
		t.Fatal(err)
	}
	f.tenant = account.Tenant{ID: id, Slug: "kominfo", Name: "Layanan Kominfo", Policy: account.Policy{MinLength: 6},
		BaseURL: "https://surel.example"}
	f.svc = &account.Service{Store: st, Mail: ob, Hasher: passwd.NewSized(passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 2, 64), // queue room for the parallel tests: admission is tested on its own
		Limits: account.Limits{CaptchaAfter: 3, LockAfter: 5, LockFor: 15 * time.Minute, SessionIdle: time.Hour, SessionMax: 12 * time.Hour},
		Now:    f.clock, Log: log}
	f.svc.Tenants = func(id int64) (account.Tenant, bool) { return f.tenant, id == f.tenant.ID }
	if err := f.svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	f.runner = &jobs.Runner{Store: st, Log: log, Now: f.clock, Handlers: map[string]jobs.Handler{
		notify.JobKind:      ob.Deliver,
		account.JobSendLink: func(ctx context.Context, j jobs.Job) error { return f.svc.SendLink(ctx, j.Ref) },
	}}
	return f
}

// runJobs works the queued jobs, as the server's runner does in the background: the
// link requests of RequestReset and ResendActivation are answered there.
func (f *fixture) runJobs(t *testing.T) {
	t.Helper()
	for {
		ran, err := f.runner.RunOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

// lastLink finds the newest mail to addr and the link in it.
func (f *fixture) lastMail(t *testing.T, to string) notify.Message {
	t.Helper()
	ms, err := f.st.Messages(context.Background(), to, 1)
	if err != nil || len(ms) == 0 {
		t.Fatalf("no mail to %s (%v)", to, err)
	}
	return ms[0]
}

var linkRE = regexp.MustCompile(`https://surel\.example/[a-z-]+/([A-Za-z0-9_-]{20,})`)

func secretIn(t *testing.T, m notify.Message) string {
	t.Helper()
	mm := linkRE.FindStringSubmatch(m.Text)
	if mm == nil {
		t.Fatalf("no link in %q", m.Text)
	}
	return mm[1]
}

var budi = account.RegisterInput{FirstName: "Budi", LastName: "Santoso", Email: "Budi.Santoso@Gmail.com",
	Phone: "+62 812-3456-7890", Password: "rahasia123", Password2: "rahasia123"}

func TestRegisterActivateLogin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st)
		if err := f.svc.Register(ctx, f.tenant, budi); err != nil {
			t.Fatal(err)
		}
		m := f.lastMail(t, "budi.santoso@gmail.com")
		if !strings.Contains(m.Text, "Lanjutkan Aktivasi Akun") || !strings.Contains(m.HTML, "Lanjutkan Aktivasi Akun") {
			t.Fatalf("activation mail lacks the button text: %s", m.Text)
		}
		if strings.Contains(m.Text, "rahasia123") {
			t.Fatal("mail carries the password")
		}
		// Not active yet: the right password is refused with "pending".
		if _, err := f.svc.Login(ctx, f.tenant, "budi.santoso", "rahasia123", false); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("login before activation: %v", err)
		}
		u, err := f.svc.Activate(ctx, f.tenant, secretIn(t, m))
		if err != nil {
			t.Fatal(err)
		}
		if u.Username != "budi.santoso" || u.Phone != "081234567890" || u.Email != "budi.santoso@gmail.com" {
			t.Fatalf("user %+v", u)
		}
		welcome := f.lastMail(t, u.Email)
		if !strings.Contains(welcome.Text, "budi.santoso") {
			t.Fatalf("welcome mail lacks the username: %s", welcome.Text)
		}
		// A second click on the same link says the account is already active.
		if _, err := f.svc.Activate(ctx, f.tenant, secretIn(t, m)); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("second activation: %v", err)
		}
		for _, login := range []string{"budi.santoso", "BUDI.SANTOSO@gmail.com"} {
			if _, err := f.svc.Login(ctx, f.tenant, login, "rahasia123", false); err != nil {
				t.Fatalf("login as %s: %v", login, err)
			}
		}
		// The same name registers as budi.santoso2.
		other := budi
		other.Email = "budi.lain@yahoo.com"
		if err := f.svc.Register(ctx, f.tenant, other); err != nil {
			t.Fatal(err)
		}
		u2, err := f.svc.Activate(ctx, f.tenant, secretIn(t, f.lastMail(t, "budi.lain@yahoo.com")))
		if err != nil || u2.Username != "budi.santoso2" {
			t.Fatalf("second Budi: %q %v", u2.Username, err)
		}
	})
}

func TestRegisterExistingEmailSameAnswer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st)
		if err := f.svc.Register(ctx, f.tenant, budi); err != nil {
			t.Fatal(err)
		}
		f.svc.Activate(ctx, f.tenant, secretIn(t, f.lastMail(t, "budi.santoso@gmail.com")))
		again := budi
		again.Password, again.Password2 = "lainnya456", "lainnya456"
		if err := f.svc.Register(ctx, f.tenant, again); err != nil {
			t.Fatalf("registering a taken e-mail must look like success, got %v", err)
		}
		if m := f.lastMail(t, "budi.santoso@gmail.com"); !strings.Contains(m.Subject, "Pendaftaran ulang") {
			t.Fatalf("owner not told of the attempt: %s", m.Subject)
		}
		// The password did not change.
		if _, err := f.svc.Login(ctx, f.tenant, "budi.santoso", "rahasia123", false); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRegisterValidation(t *testing.T) {
	st := dbtest.New(t)
	f := setup(t, st)
	in := account.RegisterInput{FirstName: "", LastName: "S4ntoso", Email: "budi@", Phone: "12345", Password: "abcdef", Password2: "x"}
	err := f.svc.Register(context.Background(), f.tenant, in)
	e, ok := errs.As(err)
	if !ok || e.Code != errs.Invalid {
		t.Fatalf("want invalid, got %v", err)
	}
	got := map[string]string{}
	for _, fe := range e.Fields {
		got[fe.Name] = fe.Rule
	}
	want := map[string]string{"first_name": "required", "last_name": "name_chars", "email": "email", "phone": "phone", "password": "password_mix"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: rule %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if ms, _ := st.Messages(context.Background(), "", 10); len(ms) != 0 {
		t.Fatal("invalid registration sent mail")
	}
}

func TestPolicy(t *testing.T) {
	p := account.Policy{MinLength: 10, RejectCommon: true, RejectPersonal: true}
	for pw, rule := range map[string]string{
		"abc12":            "password_min",
		"abcdefghijk":      "password_mix",
		"12345678901":      "password_mix",
		"bismillah123":     "password_common",
		"budisantoso99":    "password_personal",
		"kopi-tubruk-2026": "",
	} {
		var fs errs.Fields
		p.CheckPassword(&fs, "password", pw, "Budi", "Santoso", "budisantoso@gmail.com")
		got := ""
		if len(fs) > 0 {
			got = fs[0].Rule
		}
		if got != rule {
			t.Errorf("%q: rule %q, want %q", pw, got, rule)
		}
	}
	// The seed's floor holds even if a tenant sets less.
	var fs errs.Fields
	account.Policy{MinLength: 2}.CheckPassword(&fs, "password", "ab1")
	if len(fs) == 0 || fs[0].Rule != "password_min" {
		t.Fatalf("floor not enforced: %v", fs)
	}
}

func TestLoginLockout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st)
		f.svc.Register(ctx, f.tenant, budi)
		f.svc.Activate(ctx, f.tenant, secretIn(t, f.lastMail(t, "budi.santoso@gmail.com")))

		for _, login := range []string{"budi.santoso", "nobody.here"} {
			for i := 1; i <= 3; i++ {
				_, err := f.svc.Login(ctx, f.tenant, login, "salah123", true)
				if errs.CodeOf(err) != errs.Unauthorized {
					t.Fatalf("%s failure %d: %v", login, i, err)
				}
			}
			// Known and unknown names alike now need the captcha.
			if !f.svc.CaptchaNeeded(ctx, f.tenant, login) {
				t.Fatalf("%s: captcha not required after 3 failures", login)
			}
			_, err := f.svc.Login(ctx, f.tenant, login, "rahasia123", false)
			if e, _ := errs.As(err); e == nil || len(e.Fields) != 1 || e.Fields[0].Rule != "captcha_required" {
				t.Fatalf("%s: without captcha: %v", login, err)
			}
			f.svc.Login(ctx, f.tenant, login, "salah123", true)
			_, err = f.svc.Login(ctx, f.tenant, login, "salah123", true)
			if e, _ := errs.As(err); e == nil || e.Code != errs.TooMany || e.RetryAfter != 15*time.Minute {
				t.Fatalf("%s: 5th failure should lock for 15m: %v", login, err)
			}
		}
		// Locked: even the right password waits, and the wait does not grow.
		f.now = f.now.Add(10 * time.Minute)
		_, err := f.svc.Login(ctx, f.tenant, "budi.santoso", "rahasia123", true)
		if e, _ := errs.As(err); e == nil || e.Code != errs.TooMany || e.RetryAfter != 5*time.Minute {
			t.Fatalf("during lock: %v", err)
		}
		f.now = f.now.Add(6 * time.Minute)
		if _, err := f.svc.Login(ctx, f.tenant, "budi.santoso", "rahasia123", false); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
	})
}

func TestResetLiftsLock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st)
		f.svc.Register(ctx, f.tenant, budi)
		u, _ := f.svc.Activate(ctx, f.tenant, secretIn(t, f.lastMail(t, "budi.santoso@gmail.com")))
		sess, _ := f.svc.StartSession(ctx, u, "127.0.0.1", "test")
		for i := 0; i < 5; i++ {
			f.svc.Login(ctx, f.tenant, "budi.santoso", "salah123", true)
		}
		if err := f.svc.RequestReset(ctx, f.tenant, "nobody@example.com"); err != nil {
			t.Fatalf("reset for unknown address must look like success: %v", err)
		}
		if err := f.svc.RequestReset(ctx, f.tenant, "BUDI.santoso@gmail.com"); err != nil {
			t.Fatal(err)
		}
		f.runJobs(t)
		secret := secretIn(t, f.lastMail(t, u.Email))
		if _, err := f.svc.ResetPassword(ctx, f.tenant, secret, "baru12345", "baru1234"); errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("mismatch accepted: %v", err)
		}
		if _, err := f.svc.ResetPassword(ctx, f.tenant, secret, "baru12345", "baru12345"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ResetPassword(ctx, f.tenant, secret, "lagi12345", "lagi12345"); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("reset link worked twice: %v", err)
		}
		if _, err := f.svc.Login(ctx, f.tenant, "budi.santoso", "baru12345", false); err != nil {
			t.Fatalf("lock not lifted by reset: %v", err)
		}
		if _, err := f.svc.Authenticate(ctx, f.tenant, sess); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("old session survived the reset: %v", err)
		}
	})
}

func TestExpiredLinks(t *testing.T) {
	st := dbtest.New(t)
	ctx := context.Background()
	f := setup(t, st)
	f.svc.Register(ctx, f.tenant, budi)
	secret := secretIn(t, f.lastMail(t, "budi.santoso@gmail.com"))
	f.now = f.now.Add(account.ActivationTTL + time.Minute)
	if _, err := f.svc.Activate(ctx, f.tenant, secret); err == nil || err.(*errs.Error).Key != "token.expired" {
		t.Fatalf("expired link: %v", err)
	}
	if _, err := f.svc.Activate(ctx, f.tenant, "bogus"); err == nil || err.(*errs.Error).Key != "token.invalid" {
		t.Fatalf("bogus link: %v", err)
	}
	// A new link replaces the old one.
	if err := f.svc.ResendActivation(ctx, f.tenant, "budi.santoso@gmail.com"); err != nil {
		t.Fatal(err)
	}
	f.runJobs(t)
	if _, err := f.svc.Activate(ctx, f.tenant, secretIn(t, f.lastMail(t, "budi.santoso@gmail.com"))); err != nil {
		t.Fatal(err)
	}
}

func TestSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st)
		f.svc.Register(ctx, f.tenant, budi)
		u, _ := f.svc.Activate(ctx, f.tenant, secretIn(t, f.lastMail(t, "budi.santoso@gmail.com")))
		a, _ := f.svc.StartSession(ctx, u, "1.2.3.4", "ua")
		b, _ := f.svc.StartSession(ctx, u, "1.2.3.4", "ua")
		if a == b {
			t.Fatal("session secrets repeat")
		}
		if got, err := f.svc.Authenticate(ctx, f.tenant, a); err != nil || got.ID != u.ID {
			t.Fatalf("authenticate: %v", err)
		}
		// Changing the password keeps this session and ends the others.
		if err := f.svc.ChangePassword(ctx, f.tenant, u, a, "salah", "baru12345", "baru12345"); errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("wrong old password accepted: %v", err)
		}
		if err := f.svc.ChangePassword(ctx, f.tenant, u, a, "rahasia123", "baru12345", "baru12345"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Authenticate(ctx, f.tenant, a); err != nil {
			t.Fatalf("own session ended: %v", err)
		}
		if _, err := f.svc.Authenticate(ctx, f.tenant, b); err == nil {
			t.Fatal("other session survived a password change")
		}
		// Reading a session writes nothing; its activity is recorded apart, at most
		// once a minute (issue 17: a page must not wait for the write lock).
		if _, sess, _ := f.svc.AuthenticateSession(ctx, f.tenant, a); f.svc.TouchDue(sess) {
			t.Fatal("a fresh session is due for a touch")
		}
		f.now = f.now.Add(50 * time.Minute)
		_, sess, err := f.svc.AuthenticateSession(ctx, f.tenant, a)
		if err != nil || !f.svc.TouchDue(sess) {
			t.Fatalf("50 minutes on: %v, due %v", err, f.svc.TouchDue(sess))
		}
		if _, sess, _ := f.svc.AuthenticateSession(ctx, f.tenant, a); !sess.SeenAt.Equal(sess.CreatedAt) && sess.SeenAt.After(f.now.Add(-time.Minute)) {
			t.Fatal("authenticating a session recorded its activity")
		}
		if err := f.svc.TouchSession(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, sess, _ := f.svc.AuthenticateSession(ctx, f.tenant, a); f.svc.TouchDue(sess) {
			t.Fatal("still due after a touch")
		}
		// Idle timeout, counted from the last touch.
		f.now = f.now.Add(61 * time.Minute)
		if _, err := f.svc.Authenticate(ctx, f.tenant, a); err == nil {
			t.Fatal("idle session still valid")
		}
	})
}

func TestConcurrentRegistrationsSameName(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := setup(t, st)
		var wg sync.WaitGroup
		errc := make(chan error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := budi
				in.Email = strings.Replace(in.Email, "@", string(rune('a'+i))+"@", 1)
				errc <- f.svc.Register(ctx, f.tenant, in)
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		names, _ := st.UsernamesWithPrefix(ctx, f.tenant.ID, "budi.santoso")
		if len(names) != 8 {
			t.Fatalf("usernames %v", names)
		}
	})
}

func TestProfile(t *testing.T) {
	st := dbtest.New(t)
	ctx := context.Background()
	f := setup(t, st)
	f.svc.Register(ctx, f.tenant, budi)
	u, _ := f.svc.Activate(ctx, f.tenant, secretIn(t, f.lastMail(t, "budi.santoso@gmail.com")))
	// Nama lengkap starts as the names given at registration (issue 17): not missing.
	if got := u.Profile.Missing(); strings.Join(got, ",") != "jabatan,instansi,satuan_kerja,address" {
		t.Fatalf("missing %v", got)
	}
	if stored, _ := st.UserByID(ctx, u.ID); stored.Profile.FullName != budi.FirstName+" "+budi.LastName || stored.Profile.Phone == "" {
		t.Fatalf("stored profile after activation %+v", stored.Profile)
	}
	err := f.svc.UpdateProfile(ctx, u, account.Profile{FullName: "Budi Santoso", NIP: "196102301991031004", Phone: "0812"})
	e, _ := errs.As(err)
	if e == nil || len(e.Fields) != 2 || e.Fields[0].Rule != "nip" || e.Fields[0].Args[0] != "birth_date" || e.Fields[1].Name != "phone" {
		t.Fatalf("profile validation: %v", err)
	}
	p := account.Profile{FullName: "Budi Santoso, S.Kom.", NIP: "19610923 199103 1 004", Jabatan: "Pranata Komputer",
		Instansi: "Dinas Komunikasi dan Informatika", SatuanKerja: "Pemerintah Kabupaten Merangin", Phone: "0812 3456 7891", Address: "Jl. Jend. Sudirman No. 1, Bangko"}
	if err := f.svc.UpdateProfile(ctx, u, p); err != nil {
		t.Fatal(err)
	}
	u, _ = st.UserByID(ctx, u.ID)
	if !u.Profile.Complete() || u.Profile.NIP != "196109231991031004" || u.Phone != "081234567891" {
		t.Fatalf("saved profile %+v", u.Profile)
	}
}
