package standard_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/app"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/config"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/printout/printouttest"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/standard"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

var wita, _ = time.LoadLocation("Asia/Makassar")

func (c *clock) at(y int, m time.Month, d, h, min int) {
	c.mu.Lock()
	c.t = time.Date(y, m, d, h, min, 0, 0, wita).UTC()
	c.mu.Unlock()
}

// office is the Kaltim preset (seed 004) in the whole app on a clock, with a member for
// each role of its SOP and a tenant admin.
type office struct {
	a       *app.App
	clk     *clock
	tenant  account.Tenant
	members map[sop.Role]staff.Member
	n       int
}

func start(t *testing.T, d store.Dialect) *office {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "tenants.yaml")
	os.WriteFile(cfg, []byte(`tenants:
  - slug: kaltim
    name: Diskominfo Prov. Kalimantan Timur
    mail_domain: kaltimprov.go.id
    sop: kaltim
    letters:
      office: DINAS KOMUNIKASI DAN INFORMATIKA
      place: Samarinda
      signer: {jabatan: Kepala Dinas, name: Budi Pratama, nip: "197211231998031005"}
`), 0o600)
	env := map[string]string{"SUREL_DATA_DIR": t.TempDir(), "SUREL_DATABASE_URL": dbtest.URL(t, d), "SUREL_CONFIG": cfg,
		"SUREL_SECRET_KEY": strings.Repeat("k", 40), "SUREL_BASE_URL": "https://surel.kaltimprov.go.id"}
	c, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)),
		app.Options{Hash: &passwd.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	clk := &clock{}
	clk.at(2026, 3, 2, 8, 30)
	a.Workflow.Now, a.Requests.Now, a.Runner.Now, a.Web.Reports.Now, a.Workflow.Registry.Now, a.Web.Standards.Now = clk.Now, clk.Now, clk.Now, clk.Now, clk.Now, clk.Now
	a.Workflow.Audit.(*audit.Recorder).Now, a.Web.Surveys.Now = clk.Now, clk.Now
	o := &office{a: a, clk: clk, tenant: a.Tenants.Default(), members: map[sop.Role]staff.Member{}}
	for _, r := range []sop.Role{sop.RoleKepalaDinas, sop.RoleKepalaBidang, sop.RoleKepalaSeksi, sop.RoleAdminMail, sop.RoleTenantAdmin} {
		m := stafftest.New(t, a.Staff, o.tenant, strings.ReplaceAll(string(r), "_", "")+"@kaltimprov.go.id", r)
		o.members[r] = m.Member
	}
	return o
}

// submit makes an applicant and their sent request.
func (o *office) submit(t *testing.T) request.Request {
	t.Helper()
	ctx := context.Background()
	o.n++
	name := fmt.Sprintf("pemohon%d", o.n)
	now := o.clk.Now()
	u := account.User{TenantID: o.tenant.ID, Username: name, Email: name + "@gmail.com", FirstName: "Siti", LastName: fmt.Sprintf("Rahma%c", 'a'+o.n),
		Phone: "081234567890", PasswordHash: "x", Status: account.StatusActive, Lang: "id", CreatedAt: now, PasswordChangedAt: now}
	if err := o.a.Store.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	u.Profile = account.Profile{FullName: u.FirstName + " " + u.LastName, Jabatan: "Pranata Komputer", Instansi: "Dinas Pendidikan", SatuanKerja: "Bidang TI",
		Phone: "081234567890", Address: "Samarinda"}
	if err := o.a.Store.UpdateProfile(ctx, u.ID, u.Profile); err != nil {
		t.Fatal(err)
	}
	r, err := o.a.Requests.NewDraft(ctx, o.tenant, u, "email", "pns", nil)
	if err != nil {
		t.Fatal(err)
	}
	o.a.Store.AddFile(ctx, &request.File{RequestID: r.ID, Field: "doc_kepegawaian", Name: "f" + name, OriginalName: "kartu.pdf", Kind: "pdf", Size: 10, SHA256: "x", CreatedAt: now})
	vals := map[string]string{"nip": fmt.Sprintf("1961092319910310%02d", o.n), "instansi": "Dinas Pendidikan", "province": "64", "regency": "64.72",
		"satuan_kerja": "Bidang TI", "phone": "0812 3456 7890", "mailbox": fmt.Sprintf("siti.rahma%d", o.n)}
	if r, err = o.a.Requests.SaveDraft(ctx, u, r, vals); err != nil {
		t.Fatal(err)
	}
	if r, err = o.a.Requests.Submit(ctx, o.tenant, u, r.ID); err != nil {
		t.Fatalf("submit: %v", err)
	}
	return r
}

// act does the running step's action as its role's holder, then runs the jobs.
func (o *office) act(t *testing.T, id int64, a workflow.Action) { o.actNote(t, id, a, "") }

// actNote is act with a note (a refusal's reason).
func (o *office) actNote(t *testing.T, id int64, a workflow.Action, note string) {
	t.Helper()
	ctx := context.Background()
	steps, _ := o.a.Store.StepsOf(ctx, id)
	st, ok := request.Running(steps)
	if !ok {
		t.Fatalf("request %d has no running step", id)
	}
	r, _ := o.a.Store.Request(ctx, id)
	if _, err := o.a.Workflow.Act(ctx, o.members[sop.Role(st.Role)], id, workflow.Input{StepID: st.ID, Action: a, Note: note, Mailbox: r.Mailbox}); err != nil {
		t.Fatalf("%s at %s: %v", a, st.Key, err)
	}
	for {
		ran, err := o.a.Runner.RunOne(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

// finish takes a sent request through the Kaltim SOP; late makes the Kabid take two
// working days where the standard is one.
func (o *office) finish(t *testing.T, id int64, day int, late bool) {
	t.Helper()
	o.clk.at(2026, 3, day, 10, 0)
	o.act(t, id, workflow.Forward)
	if late {
		o.clk.at(2026, 3, day+2, 11, 0)
	} else {
		o.clk.at(2026, 3, day, 11, 0)
	}
	o.act(t, id, workflow.Forward)
	o.act(t, id, workflow.Provision)
	o.act(t, id, workflow.Complete)
	o.act(t, id, workflow.Complete)
	o.act(t, id, workflow.Deliver)
}

// The standard of the Kaltim preset, built from its catalogue, SOP, staff and requests:
// requirements from the form, the seven steps with their standards, staff by role, and
// the measured share on time and median beside it (one request on time, one late).
// The tenant admin's settings are checked, kept with an audit entry, and published; the
// printed standard is a numbered letter with the figures.
func TestStandard(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			o := start(t, d)
			ctx := context.Background()
			svc := o.a.Web.Standards
			r1 := o.submit(t)
			o.finish(t, r1.ID, 2, false)
			o.clk.at(2026, 3, 9, 8, 0)
			r2 := o.submit(t)
			o.finish(t, r2.ID, 9, true)
			o.clk.at(2026, 3, 20, 9, 0)

			st, err := svc.Build(ctx, o.tenant, "id")
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Services) != len(o.a.Web.Requests.Catalog.Services) || st.Services[0].Name != "Pendaftaran Akun Email" {
				t.Fatalf("services: %+v", st.Services)
			}
			sv := st.Services[0]
			if sv.Kinds[0].Kind != "PNS Umum" || !contains(sv.Kinds[0].Items, "Scan Kartu Pegawai atau SK Pengangkatan PNS (berkas JPG/PNG/GIF/PDF, paling besar 10 MB)") ||
				!contains(sv.Kinds[1].Items, "Scan SK Kepala Desa (ditandatangani Bupati) (berkas JPG/PNG/GIF/PDF, paling besar 250 KB)") {
				t.Errorf("requirements: %+v", sv.Kinds)
			}
			if len(sv.Procedure) != 7 || sv.Procedure[1].Who != "Kepala Dinas Kominfo Prov. Kaltim" || sv.Procedure[1].Time != "1–3 jam" {
				t.Errorf("procedure: %+v", sv.Procedure)
			}
			if sv.Cost != "Tidak dipungut biaya" || sv.Time != "paling lama 3 hari kerja 1 jam 30 menit" && !strings.HasPrefix(sv.Time, "paling lama") {
				t.Errorf("cost %q, time %q", sv.Cost, sv.Time)
			}
			staffN := map[sop.Role]int{}
			for _, x := range st.Staff {
				staffN[x.Role] = x.N
			}
			if staffN[sop.RoleKepalaDinas] != 1 || staffN[sop.RoleAdminMail] != 1 || staffN[sop.RoleTenantAdmin] != 0 {
				t.Errorf("staff: %+v", st.Staff)
			}
			if len(st.Measured) != 2 || st.Measured[0].Days != 30 || st.Measured[0].Closed != 2 || st.Measured[0].InSLA != "50 %" || st.Measured[1].Closed != 2 {
				t.Errorf("measured: %+v", st.Measured)
			}
			if st.Measured[0].Median == "–" {
				t.Errorf("no median: %+v", st.Measured[0])
			}
			if len(st.Components) != 8 || st.Components[0].Key != "legal_basis" || !strings.Contains(st.Components[0].Points[0], "Nomor 25 Tahun 2009") {
				t.Errorf("components: %+v", st.Components)
			}

			// Settings: checked by field, nothing stored on an error; saved with an audit entry.
			admin := o.members[sop.RoleTenantAdmin]
			bad := standard.Settings{Cost: "Rp 0", LaporURL: "http://lapor.go.id", Facilities: strings.Repeat("x", 2001)}
			_, err = svc.Save(ctx, admin, bad)
			if e, ok := errs.As(err); !ok || !errs.Fields(e.Fields).Has("lapor_url") || !errs.Fields(e.Fields).Has("facilities") {
				t.Fatalf("bad settings: %v", err)
			}
			if got, _ := svc.Settings(ctx, o.tenant.ID); got.Cost != "" {
				t.Fatalf("a refused save stored %+v", got)
			}
			if _, err := svc.Save(ctx, o.members[sop.RoleKepalaDinas], standard.Settings{Cost: "Rp 0"}); errs.CodeOf(err) != errs.Forbidden {
				t.Fatalf("a Kadis saved the standard: %v", err)
			}
			good := standard.Settings{Cost: "  Gratis ", Facilities: "Ruang tunggu\r\n\r\n  Komputer   umum ", LaporURL: "https://prov.lapor.go.id/kaltim"}
			if _, err := svc.Save(ctx, admin, good); err != nil {
				t.Fatal(err)
			}
			st, _ = svc.Build(ctx, o.tenant, "en")
			if st.Services[0].Cost != "Gratis" || st.LaporURL != "https://prov.lapor.go.id/kaltim" || st.Services[0].Name != "E-mail account registration" {
				t.Errorf("after save: %+v", st.Services[0])
			}
			for _, c := range st.Components {
				if c.Key == "facilities" && strings.Join(c.Points, "|") != "Ruang tunggu|Komputer umum" {
					t.Errorf("facilities: %q", c.Points)
				}
			}
			trail, err := o.a.Store.AuditTrail(ctx, audit.Object("tenant", o.tenant.ID))
			if err != nil || len(trail) == 0 || trail[len(trail)-1].Action != "standard.save" {
				t.Errorf("audit: %v %+v", err, trail)
			}

			// Printed: a numbered standard with the figures, the newest one offered.
			if _, err := svc.Printed(ctx, o.tenant.ID); !errors.Is(err, errs.ErrNotFound) {
				t.Fatalf("printed before issue: %v", err)
			}
			doc, err := svc.Issue(ctx, admin, o.tenant)
			if err != nil {
				t.Fatal(err)
			}
			got, err := svc.Printed(ctx, o.tenant.ID)
			if err != nil || got.ID != doc.ID || !strings.Contains(got.Number, "/SP/") {
				t.Fatalf("printed: %v %+v", err, got.Number)
			}
			text, err := printouttest.Text(got.PDF)
			if err != nil {
				t.Skipf("no pdftotext: %v", err)
			}
			for _, want := range []string{"STANDAR PELAYANAN", "Samarinda, 20 Maret 2026", "Pendaftaran Akun Email", "Biaya/tarif", "Gratis",
				"30 hari terakhir", "50 % tepat waktu dari 2 permohonan selesai", "SP4N-LAPOR!", "Budi Pratama", "WITA"} {
				if !strings.Contains(text, want) {
					t.Errorf("printed standard lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestSettingsCheck(t *testing.T) {
	for _, c := range []struct {
		set  standard.Settings
		bad  []string
		good bool
	}{
		{standard.Settings{}, nil, true},
		{standard.Defaults, nil, true},
		{standard.Settings{LaporURL: "javascript:alert(1)"}, []string{"lapor_url"}, false},
		{standard.Settings{LaporURL: "https://"}, []string{"lapor_url"}, false},
		{standard.Settings{Guarantee: strings.Repeat("é", 2001)}, []string{"guarantee"}, false},
		{standard.Settings{Guarantee: strings.Repeat("é", 2000)}, nil, true},
	} {
		err := c.set.Check()
		if (err == nil) != c.good {
			t.Errorf("%+v: %v", c.set.LaporURL, err)
			continue
		}
		for _, f := range c.bad {
			if e, _ := errs.As(err); e == nil || !errs.Fields(e.Fields).Has(f) {
				t.Errorf("%v lacks %s", err, f)
			}
		}
	}
}
