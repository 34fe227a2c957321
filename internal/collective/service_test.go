package collective_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/collective"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/jobs"
	"github.com/surel-id/surel/internal/mailbox/sqlmail"
	"github.com/surel-id/surel/internal/notify"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/registry"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/roster"
	"github.com/surel-id/surel/internal/seal"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/wilayah"
	"github.com/surel-id/surel/internal/workflow"
)

type noFiles struct{}

func (noFiles) Remove(context.Context, string) error { return nil }

type env struct {
	st      *store.Store
	svc     *collective.Service
	eng     *workflow.Engine
	acc     *account.Service
	runner  *jobs.Runner
	tenant  account.Tenant
	mail    *sqlmail.Server
	members map[sop.Role]staff.Member
}

func setup(t *testing.T, st *store.Store) *env {
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
	tid, _ := st.EnsureTenant(ctx, "sintang", "Diskominfo Sintang", time.Now())
	tn := account.Tenant{ID: tid, Slug: "sintang", Name: "Diskominfo Sintang", MailDomain: "sintang.go.id", AddressPattern: "firstname.lastname",
		SOP: "kominfo", BaseURL: "https://s", Institutional: true}
	book := &sop.Book{Store: st, National: map[sop.Date]string{}}
	req := &request.Service{Store: st, Files: noFiles{}, Catalog: cat, Regions: wilayah.MustLoad(), Mail: ob, Log: log, Book: book, Roster: st}
	mail, err := sqlmail.New(st.DB(), st.Dialect(), sqlmail.Options{Hasher: passwd.New(passwd.Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})})
	if err != nil {
		t.Fatal(err)
	}
	if err := mail.AddDomain(ctx, "sintang.go.id"); err != nil {
		t.Fatal(err)
	}
	box, _ := seal.New(bytes.Repeat([]byte{1}, 32))
	rec := &audit.Recorder{Store: st}
	eng := &workflow.Engine{Store: st, Book: book, Requests: req, Mail: ob, Audit: rec, Seal: box,
		Registry: &registry.Service{Store: st, Audit: rec},
		Tenant:   func(id int64) (account.Tenant, bool) { return tn, id == tn.ID },
		Mailboxes: func(int64) (workflow.MailServer, error) {
			return workflow.MailServer{Server: mail, Webmail: "https://webmail.sintang.go.id"}, nil
		},
		NewPassword: func() string { return "Sementara-12345" }, Log: log}
	acc := &account.Service{Store: st, Mail: ob, Hasher: passwd.New(passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}),
		Limits: account.Limits{CaptchaAfter: 3, LockAfter: 5, LockFor: 15 * time.Minute, SessionIdle: time.Hour, SessionMax: 12 * time.Hour}, Log: log}
	if err := acc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, eng: eng, acc: acc, tenant: tn, mail: mail, members: map[sop.Role]staff.Member{},
		runner: &jobs.Runner{Store: st, Log: log, Handlers: eng.Handlers(), OnDead: eng.JobDied}}
	e.svc = &collective.Service{Store: st, Look: st, Users: st, Requests: req, Regions: wilayah.MustLoad(), Workflow: eng, Accounts: acc, Audit: rec}
	for i, r := range []sop.Role{sop.RoleKepalaSeksi, sop.RoleKepalaBidang, sop.RoleAdminMail, sop.RoleFrontDesk} {
		now := time.Now().UTC()
		u := account.User{TenantID: tid, Username: string(r), Email: fmt.Sprintf("staf%d@sintang.go.id", i), FirstName: string(r), PasswordHash: "x",
			Status: account.StatusActive, Lang: "id", CreatedAt: now, PasswordChangedAt: now}
		if err := st.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		e.members[r] = staff.Member{UserID: u.ID, TenantID: tid, Name: string(r), Email: u.Email, Roles: []sop.Role{r}}
	}
	return e
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

// nipOf makes a valid NIP: born 1980-01-<n>, appointed 2005-01, male, sequence n.
func nipOf(n int) string { return fmt.Sprintf("198001%02d200501%d%03d", 1+n%28, 1, n%1000) }

func letter() *request.File {
	return &request.File{Field: request.ScanField.Name, Name: "surat-opd", OriginalName: "surat.pdf", Kind: "pdf", Size: 10, SHA256: "x"}
}

func problems(l collective.Line) map[string]string {
	out := map[string]string{}
	for _, p := range l.Problems {
		out[p.Column] = p.Rule
	}
	return out
}

// The journey of the issue in the service: a list with errors, its report, a fixed
// upload, the valid rows submitted as requests of their own, staff approving all at
// once, the mailboxes made, invitations to those with a personal e-mail.
func TestCollectiveJourney(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := setup(t, st)
		desk := e.members[sop.RoleFrontDesk]
		// A roster: every employee of the list but one.
		var rs strings.Builder
		rs.WriteString("nip,nama,instansi,unit,status,aktif\n")
		for i := 1; i <= 5; i++ {
			fmt.Fprintf(&rs, "%s,Pegawai %c Satu,Pemkab Sintang,Umum,PNS,1\n", nipOf(i), 'A'+i)
		}
		if _, err := roster.Import(ctx, st, e.tenant.ID, strings.NewReader(rs.String()), roster.Options{}); err != nil {
			t.Fatal(err)
		}
		list := "nip,nama,jabatan,unit,nomor_hp,email_pribadi,alamat_usulan\n" +
			nipOf(1) + ",Pegawai B Satu,Staf,Umum,081234567890,b@gmail.com,\n" + // valid, address proposed
			nipOf(2) + ",Pegawai C Satu,Staf,Umum,081234567890,,pegawai.c\n" + // valid
			nipOf(3) + ",Pegawai D Satu,Staf,Umum,081234567890,,pegawai.c\n" + // address of the row above
			nipOf(2) + ",Pegawai C Satu,Staf,Umum,081234567890,,\n" + // NIP twice
			"19800101,Pegawai X,Staf,Umum,081234567890,,\n" + // NIP structure
			nipOf(9) + ",Pegawai Z,Staf,Umum,12,,postmaster\n" // not in roster, phone, reserved
		c, err := e.svc.Upload(ctx, e.tenant, desk, collective.Input{Instansi: "Dinas Kesehatan", Province: "61", Regency: "61.05", Letter: letter(),
			FileName: "daftar.csv", Data: []byte(list)})
		if err != nil {
			t.Fatal(err)
		}
		if n := c.Count(); n.Valid != 2 || n.Invalid != 4 {
			t.Fatalf("counts = %+v, rows %+v", n, c.Rows)
		}
		want := []map[string]string{{}, {}, {"alamat_usulan": "list_address"}, {"nip": "list_duplicate"}, {"nip": "nip"},
			{"nip": "roster_not_in_roster", "nomor_hp": "phone", "alamat_usulan": "address_reserved"}}
		for i, w := range want {
			got := problems(c.Rows[i])
			if fmt.Sprint(got) != fmt.Sprint(w) {
				t.Errorf("line %d: %v, want %v", c.Rows[i].Line, got, w)
			}
		}
		if c.Rows[0].Mailbox != "pegawai.satu" || !c.Rows[0].Proposed {
			t.Fatalf("proposed address = %+v", c.Rows[0])
		}
		if p := c.Rows[2].Problems[0]; p.Suggestion == "" || p.Suggestion == "pegawai.c" {
			t.Fatalf("no suggestion for the taken address: %+v", p)
		}
		// A file that is no list stores nothing, and the form keeps its fields' errors.
		if _, err := e.svc.Upload(ctx, e.tenant, desk, collective.Input{ID: c.ID, Instansi: "Dinas Kesehatan", Province: "61", Regency: "61.05",
			Data: []byte("%PDF-1.4\x00")}); errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("pdf as a list: %v", err)
		}
		if again, _ := e.svc.Get(ctx, e.tenant, desk, c.ID); len(again.Rows) != 6 {
			t.Fatalf("a refused file changed the rows: %d", len(again.Rows))
		}
		// Another tenant's staff does not see it.
		other := desk
		other.TenantID = 999
		if _, err := e.svc.Get(ctx, e.tenant, other, c.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("other tenant: %v", err)
		}
		// Valid rows go while the others are fixed.
		res, err := e.svc.Submit(ctx, e.tenant, desk, c.ID)
		if err != nil || res.Done != 2 {
			c, _ = e.svc.Get(ctx, e.tenant, desk, c.ID)
			debugRows(t, c)
			t.Fatalf("submit = %+v, %v", res, err)
		}
		fixed := "nip,nama,jabatan,unit,nomor_hp,email_pribadi,alamat_usulan\n" +
			nipOf(1) + ",Pegawai B Satu,Staf,Umum,081234567890,b@gmail.com,\n" + // submitted already: left as it is
			nipOf(3) + ",Pegawai D Satu,Staf,Umum,081234567890,d@gmail.com,pegawai.d\n" +
			nipOf(4) + ",Pegawai E Satu,Staf,Umum,081234567890,e@gmail.com,\n" +
			nipOf(5) + ",Pegawai F Satu,Staf,Umum,081234567890,,\n"
		c, err = e.svc.Upload(ctx, e.tenant, desk, collective.Input{ID: c.ID, Instansi: "Dinas Kesehatan", Province: "61", Regency: "61.05",
			FileName: "daftar-2.csv", Data: []byte(fixed)})
		if err != nil {
			t.Fatal(err)
		}
		if n := c.Count(); n.Submitted != 2 || n.Valid != 3 || n.Invalid != 0 {
			t.Fatalf("after the fix: %+v %+v", n, c.Rows)
		}
		if res, err = e.svc.Submit(ctx, e.tenant, desk, c.ID); err != nil || res.Done != 3 {
			t.Fatalf("second submit = %+v, %v", res, err)
		}
		c, _ = e.svc.Get(ctx, e.tenant, desk, c.ID)
		for _, l := range c.Rows {
			r, err := st.Request(ctx, l.RequestID)
			if err != nil || r.Channel != request.ChannelCollective || r.Number == "" || r.Values["instansi"] != "Dinas Kesehatan" {
				t.Fatalf("row %d's request = %+v, %v", l.Line, r, err)
			}
			if steps, _ := st.StepsOf(ctx, r.ID); len(steps) < 2 || steps[1].Due.IsZero() {
				t.Fatalf("row %d has no history with an SLA: %+v", l.Line, steps)
			}
		}
		// Staff: one action for every row at their step; the front desk has none there.
		if _, err := e.svc.Act(ctx, e.tenant, desk, c.ID, workflow.Approve, nil, "", ""); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("front desk approving: %v", err)
		}
		// One row is returned with a reason; the rest approved at once, step by step.
		res, err = e.svc.Act(ctx, e.tenant, e.members[sop.RoleKepalaSeksi], c.ID, workflow.Return, []int64{c.Rows[4].ID}, "NIP tidak terbaca", "")
		if err != nil || res.Done != 1 {
			t.Fatalf("return one row = %+v, %v", res, err)
		}
		for _, role := range []sop.Role{sop.RoleKepalaSeksi, sop.RoleKepalaBidang, sop.RoleAdminMail} {
			if res, err = e.svc.Act(ctx, e.tenant, e.members[role], c.ID, workflow.Approve, nil, "", ""); err != nil || res.Done != 4 || res.Failed != 0 {
				t.Fatalf("%s approves all = %+v, %v", role, res, err)
			}
		}
		e.runJobs(t)
		c, _ = e.svc.Get(ctx, e.tenant, desk, c.ID)
		if n := c.Count(); n.Done != 4 {
			t.Fatalf("done = %+v (%+v)", n, c.Rows)
		}
		for _, l := range c.Rows[:4] {
			if _, err := e.mail.Get(ctx, l.Mailbox+"@sintang.go.id"); err != nil {
				t.Fatalf("mailbox of line %d: %v", l.Line, err)
			}
		}
		if c.Rows[4].Status != request.Returned {
			t.Fatalf("returned row = %+v", c.Rows[4])
		}
		// Invitations: those with a personal e-mail, once.
		res, err = e.svc.Invite(ctx, e.tenant, desk, c.ID)
		if err != nil || res.Done != 3 {
			t.Fatalf("invite = %+v, %v", res, err)
		}
		if res, _ = e.svc.Invite(ctx, e.tenant, desk, c.ID); res.Done != 0 {
			t.Fatalf("invited twice: %+v", res)
		}
		ms, _ := st.Messages(ctx, "b@gmail.com", 10)
		var link string
		for _, m := range ms {
			if strings.Contains(m.Text, "Sementara-12345") {
				t.Fatal("a mail carries the password")
			}
			if i := strings.Index(m.Text, "https://s/lupa-password/"); i >= 0 && strings.Contains(m.Subject, "sudah dibuat") {
				link = strings.Fields(m.Text[i:])[0]
			}
		}
		if link == "" {
			t.Fatalf("no claim link in %+v", ms)
		}
		u, err := e.acc.ResetPassword(ctx, e.tenant, strings.TrimPrefix(link, "https://s/lupa-password/"), "PunyaB2026x", "PunyaB2026x")
		if err != nil {
			t.Fatal(err)
		}
		h, err := e.eng.Reveal(ctx, u, c.Rows[0].RequestID, "")
		if err != nil || h.Password != "Sementara-12345" {
			t.Fatalf("claimed reveal = %+v, %v", h, err)
		}
	})
}

func debugRows(t *testing.T, c collective.Collective) {
	for _, l := range c.Rows {
		t.Logf("line %d %+v", l.Line, l.Problems)
	}
}
