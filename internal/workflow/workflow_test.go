package workflow_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/mailbox"
	"github.com/surel-id/surel/internal/mailbox/sqlmail"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/seal"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/wilayah"
	"github.com/surel-id/surel/internal/workflow"
)

type noFiles struct{}

func (noFiles) Remove(context.Context, string) error { return nil }

// clock is a settable time for both services.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type env struct {
	st      *store.Store
	eng     *workflow.Engine
	req     *request.Service
	runner  *jobs.Runner
	tenant  account.Tenant
	mail    *sqlmail.Server
	clock   *clock
	members map[sop.Role]staff.Member
}

var wib = time.FixedZone("WIB", 7*3600)

func setup(t *testing.T, st *store.Store, preset string) *env {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ob, err := notify.NewOutbox(st, nil, "x@y", log)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := request.LoadCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, wib)} // a Monday
	tid, _ := st.EnsureTenant(ctx, preset, "Diskominfo "+preset, time.Now())
	tn := account.Tenant{ID: tid, Slug: preset, Name: "Diskominfo " + preset, MailDomain: "mail.go.id", AddressPattern: "firstname.lastname", SOP: preset,
		BaseURL: "https://" + preset + ".example"}
	req := &request.Service{Store: st, Files: noFiles{}, Catalog: cat, Regions: wilayah.MustLoad(), Mail: ob, Log: log,
		Book: &sop.Book{Store: st}, Now: clk.Now}
	mail, err := sqlmail.New(st.DB(), st.Dialect(), sqlmail.Options{Hasher: passwd.New(passwd.Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})})
	if err != nil {
		t.Fatal(err)
	}
	if err := mail.AddDomain(ctx, "mail.go.id"); err != nil {
		t.Fatal(err)
	}
	box, _ := seal.New(bytes.Repeat([]byte{1}, 32))
	rec := &audit.Recorder{Store: st, Now: clk.Now}
	eng := &workflow.Engine{Store: st, Book: req.Book, Requests: req, Mail: ob, Audit: rec, Seal: box,
		Registry: &registry.Service{Store: st, Audit: rec, Now: clk.Now},
		Tenant:   func(id int64) (account.Tenant, bool) { return tn, id == tn.ID },
		Mailboxes: func(int64) (workflow.MailServer, error) {
			return workflow.MailServer{Server: mail, Webmail: "https://webmail.mail.go.id"}, nil
		},
		NewPassword: func() string { return "Sementara-12345" }, Now: clk.Now, Log: log}
	req.Registry, req.Auto = eng.Registry, eng.StartAuto
	runner := &jobs.Runner{Store: st, Log: log, Handlers: eng.Handlers(), Now: clk.Now,
		OnDead: eng.JobDied}
	e := &env{st: st, eng: eng, req: req, runner: runner, tenant: tn, mail: mail, clock: clk, members: map[sop.Role]staff.Member{}}
	for _, r := range []sop.Role{sop.RoleKepalaSeksi, sop.RoleKepalaBidang, sop.RoleKepalaDinas, sop.RoleAdminMail, sop.RoleFrontDesk} {
		u := newUser(t, st, tid, string(r))
		if _, err := st.DB().ExecContext(ctx, rebind(st, `INSERT INTO staff_roles (user_id, tenant_id, role, granted_at) VALUES (?, ?, ?, ?)`),
			u.ID, tid, string(r), time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		e.members[r] = staff.Member{UserID: u.ID, TenantID: tid, Name: u.DisplayName(), Email: u.Email, Roles: []sop.Role{r}}
	}
	return e
}

func rebind(st *store.Store, q string) string {
	if st.Dialect() != store.Postgres {
		return q
	}
	out, n := []byte{}, 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = append(out, '$', byte('0'+n))
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}

func newUser(t *testing.T, st *store.Store, tid int64, name string) account.User {
	t.Helper()
	now := time.Now().UTC()
	u := account.User{TenantID: tid, Username: name, Email: name + "@gmail.com", FirstName: name, Phone: "081234567890",
		PasswordHash: "x", Status: account.StatusActive, Lang: "id", CreatedAt: now, PasswordChangedAt: now}
	if err := st.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	u.Profile = account.Profile{FullName: "Budi Santoso " + name, Jabatan: "Pranata Komputer", Instansi: "Diskominfo", SatuanKerja: "Pemkab Merangin",
		Phone: "081234567890", Address: "Bangko"}
	if err := st.UpdateProfile(context.Background(), u.ID, u.Profile); err != nil {
		t.Fatal(err)
	}
	return u
}

// submit makes an applicant and a submitted PNS request.
func (e *env) submit(t *testing.T, name, address string) (account.User, request.Request) {
	t.Helper()
	return e.submitNIP(t, name, address, "196109231991031004")
}

// submitNIP is submit for another civil servant.
func (e *env) submitNIP(t *testing.T, name, address, nip string) (account.User, request.Request) {
	t.Helper()
	ctx := context.Background()
	u := newUser(t, e.st, e.tenant.ID, name)
	r, err := e.req.NewDraft(ctx, e.tenant, u, "email", "pns", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.st.AddFile(ctx, &request.File{RequestID: r.ID, Field: "doc_kepegawaian", Name: "f" + name, OriginalName: "kartu.pdf", Kind: "pdf", Size: 10, SHA256: "x", CreatedAt: time.Now()})
	vals := map[string]string{"nip": nip, "instansi": "Diskominfo", "province": "15", "regency": "15.02",
		"satuan_kerja": "Pemkab Merangin", "phone": "0812 3456 7890", "mailbox": address}
	if r, err = e.req.SaveDraft(ctx, u, r, vals); err != nil {
		t.Fatal(err)
	}
	if r, err = e.req.Submit(ctx, e.tenant, u, r.ID); err != nil {
		t.Fatalf("submit: %v", err)
	}
	return u, r
}

func (e *env) running(t *testing.T, id int64) request.Step {
	t.Helper()
	steps, err := e.st.StepsOf(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := request.Running(steps)
	if !ok {
		t.Fatalf("request %d has no running step: %+v", id, steps)
	}
	return st
}

// act does the running step's action as the holder of its role.
func (e *env) act(t *testing.T, id int64, a workflow.Action, note string) request.Request {
	t.Helper()
	st := e.running(t, id)
	r, err := e.eng.Act(context.Background(), e.members[sop.Role(st.Role)], id, workflow.Input{StepID: st.ID, Action: a, Note: note, Mailbox: "budi.santoso"})
	if err != nil {
		t.Fatalf("%s at %s (%s): %v", a, st.Key, st.Role, err)
	}
	return r
}

func (e *env) runJobs(t *testing.T) {
	t.Helper()
	for {
		ran, err := e.runner.RunOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

func TestKominfoJourney(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kominfo")
		u, r := e.submit(t, "budi", "budi.santoso")
		if st := e.running(t, r.ID); st.Key != "verifikasi" || st.Role != "kepala_seksi" || st.Due.IsZero() {
			t.Fatalf("first staff step = %+v", st)
		}
		// Inbox: the Kasi sees it, the Kabid does not.
		in, err := st.Inbox(ctx, workflow.InboxQuery{TenantID: e.tenant.ID, Roles: []string{"kepala_seksi"}})
		tasks, n := in.Tasks, in.Total
		if err != nil || n != 1 || len(tasks) != 1 || tasks[0].RequestID != r.ID || tasks[0].MailboxAddress() != "budi.santoso@mail.go.id" {
			t.Fatalf("kasi inbox = %+v, %d, %v", tasks, n, err)
		}
		for q, want := range map[string]int{"budi santoso": 1, r.Number: 1, "budi.sant": 1, "tidak-ada": 0} {
			in, err := st.Inbox(ctx, workflow.InboxQuery{TenantID: e.tenant.ID, Roles: []string{"kepala_seksi", "admin_mail"}, Search: q})
			tasks, n := in.Tasks, in.Total
			if err != nil || n != want || len(tasks) != want {
				t.Fatalf("search %q: %d tasks (%d listed), %v; want %d", q, n, len(tasks), err, want)
			}
		}
		if in, _ := st.Inbox(ctx, workflow.InboxQuery{TenantID: e.tenant.ID, Roles: []string{"kepala_bidang"}}); in.Total != 0 {
			t.Fatalf("kabid inbox has %d tasks before the Kasi forwarded", in.Total)
		}
		// The Kabid may not act on the Kasi's step.
		stp := e.running(t, r.ID)
		if _, err := e.eng.Act(ctx, e.members[sop.RoleKepalaBidang], r.ID, workflow.Input{StepID: stp.ID, Action: workflow.Forward}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("kabid at kasi step: %v, want forbidden", err)
		}
		// Another tenant's staff does not see the request at all.
		other := e.members[sop.RoleKepalaSeksi]
		other.TenantID = 999
		if _, err := e.eng.Act(ctx, other, r.ID, workflow.Input{StepID: stp.ID, Action: workflow.Forward}); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("other tenant: %v, want not found", err)
		}

		r = e.act(t, r.ID, workflow.Forward, "data valid")
		if r.Status != request.Processing {
			t.Fatalf("after verification status = %s", r.Status)
		}
		e.act(t, r.ID, workflow.Forward, "disetujui")
		if st := e.running(t, r.ID); st.Kind != "provision" {
			t.Fatalf("after approval running = %+v", st)
		}
		e.act(t, r.ID, workflow.Provision, "")
		// Clicking "Buat akun" twice is refused: the job is under way.
		stp = e.running(t, r.ID)
		if _, err := e.eng.Act(ctx, e.members[sop.RoleAdminMail], r.ID, workflow.Input{StepID: stp.ID, Action: workflow.Provision, Mailbox: "budi.santoso"}); !errors.Is(err, workflow.ErrAlreadyDone) {
			t.Fatalf("second provision: %v", err)
		}
		e.runJobs(t)
		r, _ = st.Request(ctx, r.ID)
		if r.Status != request.Done || r.ClosedAt.IsZero() {
			t.Fatalf("after provisioning: status %s closed %v", r.Status, r.ClosedAt)
		}
		info, err := e.mail.Get(ctx, "budi.santoso@mail.go.id")
		if err != nil || info.Owner != "request:"+itoa(r.ID) {
			t.Fatalf("mailbox = %+v, %v", info, err)
		}
		// The registry holds it from the moment the server confirmed it.
		m, err := st.MailboxAt(ctx, e.tenant.ID, "budi.santoso@mail.go.id")
		if err != nil || m.OwnerID != u.ID || m.RequestID != r.ID || m.Status != registry.Active || m.Source != registry.FromRequest ||
			m.NIP != "196109231991031004" || m.Name != u.Profile.FullName || m.Unit != "Pemkab Merangin" || m.RequestNumber != r.Number {
			t.Fatalf("registry row = %+v, %v", m, err)
		}
		if mt, _ := st.AuditTrail(ctx, registry.Object(m.ID)); len(mt) != 1 || mt[0].Action != "mailbox.registered" {
			t.Fatalf("mailbox trail = %+v", mt)
		}
		steps, _ := st.StepsOf(ctx, r.ID)
		for _, s := range steps {
			if s.Open() {
				t.Fatalf("step left open: %+v", s)
			}
			if s.Kind != "done" && s.SLA != sop.VerdictIn {
				t.Fatalf("step %s verdict %q, want in", s.Key, s.SLA)
			}
		}
		// The password is shown once.
		h, err := e.eng.Reveal(ctx, u, r.ID, "127.0.0.1")
		if err != nil || h.Password != "Sementara-12345" || h.Address != "budi.santoso@mail.go.id" || h.Webmail == "" {
			t.Fatalf("reveal = %+v, %v", h, err)
		}
		if _, err := e.eng.Reveal(ctx, u, r.ID, "127.0.0.1"); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("second reveal: %v, want conflict", err)
		}
		c, _ := st.Credential(ctx, r.ID)
		if c.Sealed != "" || c.RevealedBy != "user:"+itoa(u.ID) {
			t.Fatalf("credential after reveal = %+v", c)
		}
		// Someone else's request is not theirs to reveal.
		stranger := newUser(t, st, e.tenant.ID, "stranger")
		if _, err := e.eng.Reveal(ctx, stranger, r.ID, ""); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("stranger reveal: %v", err)
		}
		// The trail holds every action and verifies.
		trail, err := st.AuditTrail(ctx, "request:"+itoa(r.ID))
		if err != nil || len(trail) < 5 {
			t.Fatalf("trail = %d entries, %v", len(trail), err)
		}
		rep, err := st.VerifyAudit(ctx)
		if err != nil || rep.Break != nil {
			t.Fatalf("verify = %+v, %v", rep, err)
		}
		// Every status change reached the applicant by e-mail, never with the password.
		msgs, _ := st.Messages(ctx, u.Email, 20)
		subjects := map[string]bool{}
		for _, m := range msgs {
			subjects[m.Subject] = true
			if bytes.Contains([]byte(m.Text), []byte("Sementara-12345")) {
				t.Fatal("an e-mail carries the password")
			}
			// Links lead to the tenant's own site (issue 12).
			if want := fmt.Sprintf("https://kominfo.example/permohonan/%d", r.ID); !strings.Contains(m.Text, want) {
				t.Errorf("mail %q lacks the link %s:\n%s", m.Subject, want, m.Text)
			}
		}
		if len(msgs) < 3 {
			t.Fatalf("applicant got %d e-mails, want submitted, processing and done", len(msgs))
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestReturnPausesTheClock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "kaltim")
		wita := time.FixedZone("WITA", 8*3600)
		// Friday 6 March 2026, 10:00 WITA: the Kadis step (standard 1-3h, i.e. 3 working
		// hours) is entered. Friday closes at 11:30, so 1h30 counts today and 1h30 on
		// Monday: due Monday 9 March 09:30 WITA.
		e.clock.Set(time.Date(2026, 3, 6, 10, 0, 0, 0, wita))
		u, r := e.submit(t, "sari", "sari.dewi")
		st0 := e.running(t, r.ID)
		if want := time.Date(2026, 3, 9, 9, 30, 0, 0, wita); !st0.Due.Equal(want) {
			t.Fatalf("kadis due = %v, want %v", st0.Due.In(wita), want)
		}
		// Returned at 11:00 (one working hour used, two left) …
		e.clock.Set(time.Date(2026, 3, 6, 11, 0, 0, 0, wita))
		if _, err := e.eng.Act(ctx, e.members[sop.RoleKepalaDinas], r.ID, workflow.Input{StepID: st0.ID, Action: workflow.Return}); !errors.As(err, new(*errs.Error)) {
			t.Fatalf("return without a note: %v", err)
		} else if e2, _ := errs.As(err); len(e2.Fields) != 1 || e2.Fields[0].Name != "note" {
			t.Fatalf("return without a note: fields %v", e2.Fields)
		}
		r = e.act(t, r.ID, workflow.Return, "Scan SK tidak terbaca")
		if r.Status != request.Returned || r.Note != "Scan SK tidak terbaca" {
			t.Fatalf("after return: %s %q", r.Status, r.Note)
		}
		if in, _ := st.Inbox(ctx, workflow.InboxQuery{TenantID: e.tenant.ID, Roles: []string{"kepala_dinas"}}); in.Total != 0 {
			t.Fatal("a returned request stays in the Kadis's inbox")
		}
		// … corrected on Tuesday 10 March at 10:00: two working hours left, due 12:00.
		e.clock.Set(time.Date(2026, 3, 10, 10, 0, 0, 0, wita))
		if _, err := e.req.Submit(ctx, e.tenant, u, r.ID); err != nil {
			t.Fatalf("resubmit: %v", err)
		}
		st1 := e.running(t, r.ID)
		if st1.ID != st0.ID || !st1.Due.Equal(time.Date(2026, 3, 10, 12, 0, 0, 0, wita)) {
			t.Fatalf("resumed step = %+v due %v", st1, st1.Due.In(wita))
		}
		r, _ = st.Request(ctx, r.ID)
		if r.Status != request.Processing {
			t.Fatalf("after correction status = %s", r.Status)
		}
		// Finished at 11:59 → In SLA, though the wall clock says four days.
		e.clock.Set(time.Date(2026, 3, 10, 11, 59, 0, 0, wita))
		e.act(t, r.ID, workflow.Forward, "")
		steps, _ := st.StepsOf(ctx, r.ID)
		var kadis request.Step
		for _, s := range steps {
			if s.ID == st0.ID {
				kadis = s
			}
		}
		if kadis.SLA != sop.VerdictIn {
			t.Fatalf("kadis verdict %q, want in", kadis.SLA)
		}
		// The Kabid's capacity step, entered 11:59 Tuesday with a standard of 1 working
		// day, is over SLA when finished on Thursday.
		e.clock.Set(time.Date(2026, 3, 12, 12, 0, 0, 0, wita))
		r = e.act(t, r.ID, workflow.Refuse, "Kapasitas server penuh")
		if r.Status != request.Refused || r.ClosedAt.IsZero() {
			t.Fatalf("after refusal: %+v", r)
		}
		steps, _ = st.StepsOf(ctx, r.ID)
		last := steps[len(steps)-1]
		if last.Status != request.StepRefused || last.SLA != sop.VerdictOver {
			t.Fatalf("refused step = %+v", last)
		}
	})
}

func TestOneWins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "palangkaraya")
		_, r := e.submit(t, "joko", "joko.widodo")
		stp := e.running(t, r.ID)
		kasi := e.members[sop.RoleKepalaSeksi]
		var wg sync.WaitGroup
		results := make([]error, 6)
		for i := range results {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				a := workflow.Forward
				if i%2 == 1 {
					a = workflow.Refuse
				}
				_, results[i] = e.eng.Act(ctx, kasi, r.ID, workflow.Input{StepID: stp.ID, Action: a, Note: "x"})
			}(i)
		}
		wg.Wait()
		won := 0
		for _, err := range results {
			switch {
			case err == nil:
				won++
			case errors.Is(err, workflow.ErrAlreadyDone), errs.CodeOf(err) == errs.Conflict:
			default:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d actions won, want 1", won)
		}
		steps, _ := st.StepsOf(ctx, r.ID)
		open := 0
		for _, s := range steps {
			if s.Open() {
				open++
			}
		}
		r, _ = st.Request(ctx, r.ID)
		if (r.Status == request.Refused && open != 0) || (r.Status == request.Processing && open != 1) {
			t.Fatalf("status %s with %d open steps", r.Status, open)
		}
	})
}

// Staff amending the address at the create step are read as the applicant's form reads
// it: a whole address typed there is its local part, and a refusal names the field and
// the rule with the same limits.
func TestCreateStepReadsTheAddressAsTheForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "palangkaraya")
		_, r := e.submit(t, "ani", "ani.lestari")
		e.act(t, r.ID, workflow.Forward, "")
		stp := e.running(t, r.ID)
		admin := e.members[sop.RoleAdminMail]
		_, err := e.eng.Act(ctx, admin, r.ID, workflow.Input{StepID: stp.ID, Action: workflow.Provision, Mailbox: "ab"})
		if e2, ok := errs.As(err); !ok || len(e2.Fields) != 1 || e2.Fields[0].Name != "mailbox" || e2.Fields[0].Rule != "address_len" ||
			len(e2.Fields[0].Args) != 2 || e2.Fields[0].Args[0] != 3 || e2.Fields[0].Args[1] != 40 {
			t.Fatalf("too short an address: %v", err)
		}
		r, err = e.eng.Act(ctx, admin, r.ID, workflow.Input{StepID: stp.ID, Action: workflow.Provision, Mailbox: " Budi.Santoso@mail.go.id "})
		if err != nil {
			t.Fatalf("a whole address typed by staff: %v", err)
		}
		saved, _ := st.Request(ctx, r.ID)
		if r.Mailbox != "budi.santoso" || saved.Mailbox != "budi.santoso" {
			t.Fatalf("address after the amendment: %q, stored %q", r.Mailbox, saved.Mailbox)
		}
		// Stored once: the form shows the amendment, no stale copy of the applicant's.
		if saved.Form()[request.FieldMailbox] != "budi.santoso" || len(saved.Values) != len(saved.Form())-1 {
			t.Fatalf("form after the amendment: %v (values %v)", saved.Form(), saved.Values)
		}
	})
}

func TestProvisionConflictIsShownAndRetried(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "palangkaraya")
		_, r := e.submit(t, "ani", "budi.santoso")
		// Someone else's mailbox already has the address on the server.
		if err := e.mail.Create(ctx, mailbox.New{Address: "budi.santoso@mail.go.id", Password: "x-123456", Owner: "manual"}); err != nil {
			t.Fatal(err)
		}
		e.act(t, r.ID, workflow.Forward, "")
		e.act(t, r.ID, workflow.Provision, "")
		e.runJobs(t)
		stp := e.running(t, r.ID)
		if stp.Status != request.StepFailed || stp.Note == "" {
			t.Fatalf("step after a taken address = %+v", stp)
		}
		// The job that gave up is marked in the inbox and found by its filter; the
		// role's holders and their superior are told, and the applicant that the request
		// is delayed.
		admin := e.members[sop.RoleAdminMail]
		in, err := e.eng.Inbox(ctx, admin, workflow.InboxQuery{Failed: true, Limit: 10})
		tasks, n := in.Tasks, in.Total
		if err != nil || n != 1 || len(tasks) != 1 || !tasks[0].Failed() || tasks[0].RequestID != r.ID {
			t.Fatalf("failed tasks: %d %+v %v", n, tasks, err)
		}
		if in, _ := e.eng.Inbox(ctx, e.members[sop.RoleKepalaSeksi], workflow.InboxQuery{Failed: true, Limit: 10}); in.Total != 0 {
			t.Fatalf("the Kasi has %d failed tasks of the admin's role", in.Total)
		}
		for _, who := range []string{admin.Email, e.members[sop.RoleKepalaSeksi].Email} {
			msgs, _ := st.Messages(ctx, who, 10)
			if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "Gagal: "+r.Number) || !strings.Contains(msgs[0].Text, "taken") {
				t.Fatalf("%s was told %+v", who, msgs)
			}
		}
		if msgs, _ := st.Messages(ctx, e.members[sop.RoleKepalaBidang].Email, 10); len(msgs) != 0 {
			t.Fatalf("the Kabid was told too: %+v", msgs)
		}
		ow, _ := st.UserByID(ctx, r.UserID)
		if msgs, _ := st.Messages(ctx, ow.Email, 10); len(msgs) == 0 || !strings.Contains(msgs[0].Subject, "tertunda") {
			t.Fatalf("the applicant was told %+v", msgs)
		}
		if v, err := e.req.View(ctx, e.tenant, r); err != nil || !v.Delayed() {
			t.Fatalf("the applicant's view is not delayed: %v", err)
		}
		// The admin frees the address on the server and retries.
		if _, err := st.DB().ExecContext(ctx, rebind(st, `DELETE FROM mailboxes WHERE owner = ?`), "manual"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.eng.Act(ctx, e.members[sop.RoleAdminMail], r.ID, workflow.Input{StepID: stp.ID, Action: workflow.Retry}); err != nil {
			t.Fatalf("retry: %v", err)
		}
		if v, _ := e.req.View(ctx, e.tenant, r); v.Delayed() {
			t.Fatal("still delayed after the retry")
		}
		e.runJobs(t)
		// Palangka Raya: provision → account test (no IMAP here: "not tested") → deliver.
		stp = e.running(t, r.ID)
		if stp.Kind != "deliver" {
			t.Fatalf("after retry running = %+v", stp)
		}
		steps, _ := st.StepsOf(ctx, r.ID)
		var test request.Step
		for _, s := range steps {
			if s.Kind == "account_test" {
				test = s
			}
		}
		if test.Status != request.StepNotTested {
			t.Fatalf("account test without IMAP = %+v", test)
		}
		r = e.act(t, r.ID, workflow.Deliver, "")
		if r.Status != request.Done {
			t.Fatalf("after deliver status = %s", r.Status)
		}
	})
}

func TestReminderAndBreach(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st, "palangkaraya")
		_, r := e.submit(t, "rina", "rina.sari")
		stp := e.running(t, r.ID) // Kasi, 15 minutes
		count := func(to string) int {
			msgs, _ := st.Messages(ctx, to, 50)
			return len(msgs)
		}
		kasi, kabid := e.members[sop.RoleKepalaSeksi], e.members[sop.RoleKepalaBidang]
		if n, err := e.eng.Remind(ctx, stp.StartedAt.Add(time.Minute)); err != nil || n != 1 || count(kasi.Email) != 1 {
			t.Fatalf("reminder: sent %d, %v; kasi has %d", n, err, count(kasi.Email))
		}
		if msgs, _ := st.Messages(ctx, kasi.Email, 1); !strings.Contains(msgs[0].Text, fmt.Sprintf("https://palangkaraya.example/kantor/permohonan/%d", r.ID)) {
			t.Errorf("reminder without the tenant's link: %s", msgs[0].Text)
		}
		if n, _ := e.eng.Remind(ctx, stp.StartedAt.Add(2*time.Minute)); n != 0 {
			t.Fatalf("reminded twice: %d", n)
		}
		if n, err := e.eng.Remind(ctx, stp.Due.Add(time.Minute)); err != nil || n != 1 || count(kabid.Email) != 1 {
			t.Fatalf("breach: sent %d, %v; kabid has %d", n, err, count(kabid.Email))
		}
		if n, _ := e.eng.Remind(ctx, stp.Due.Add(time.Hour)); n != 0 {
			t.Fatalf("breach reported twice: %d", n)
		}
		_ = r
	})
}

// Two processes running the reminders at once (an old leader finishing as a new one
// starts) send each reminder and each breach notice once: the mark is conditional and
// taken before the mail, in its transaction. Each engine has its own connection pool.
func TestRemindTwoProcesses(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := dbtest.URL(t, d)
			open := func() *store.Store {
				st, err := store.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			}
			e := setup(t, open(), "palangkaraya")
			other := open()
			ob, err := notify.NewOutbox(other, nil, "x@y", slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			e2 := &workflow.Engine{Store: other, Book: &sop.Book{Store: other}, Requests: e.req, Mail: ob, Tenant: e.eng.Tenant,
				Mailboxes: e.eng.Mailboxes, Now: e.clock.Now}
			var first request.Step
			const n = 30
			for i := range n {
				_, r := e.submitNIP(t, "rina"+strconv.Itoa(i), "rina.sari"+strconv.Itoa(i), fmt.Sprintf("196109231991031%03d", i+1))
				first = e.running(t, r.ID)
			}
			count := func(to string) int {
				msgs, _ := e.st.Messages(ctx, to, 1000)
				return len(msgs)
			}
			kasi, kabid := e.members[sop.RoleKepalaSeksi], e.members[sop.RoleKepalaBidang]
			for _, at := range []time.Time{first.StartedAt.Add(time.Minute), first.Due.Add(time.Minute)} {
				var wg sync.WaitGroup
				sent := make([]int, 4)
				for i := range sent {
					eng := e.eng
					if i%2 == 1 {
						eng = e2
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						var err error
						if sent[i], err = eng.Remind(ctx, at); err != nil {
							t.Error(err)
						}
					}()
				}
				wg.Wait()
				if total := sent[0] + sent[1] + sent[2] + sent[3]; total != n {
					t.Fatalf("at %s: %d mails sent in all (%v), want %d", at, total, sent, n)
				}
			}
			if count(kasi.Email) != n || count(kabid.Email) != n {
				t.Fatalf("kasi has %d reminders, kabid %d breach notices; want %d each", count(kasi.Email), count(kabid.Email), n)
			}
		})
	}
}
