package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
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
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/passwd"
	"github.com/surel-id/surel/internal/printout/printouttest"
	"github.com/surel-id/surel/internal/report"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/workflow"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// at moves the clock to a time in Samarinda (WITA).
func (c *clock) at(y int, m time.Month, d, h, min int) {
	c.mu.Lock()
	c.t = time.Date(y, m, d, h, min, 0, 0, wita).UTC()
	c.mu.Unlock()
}

var wita, _ = time.LoadLocation("Asia/Makassar")

// office is the Kaltim preset (seed 004) running in the whole app, on a clock of its
// own, with a member for each role.
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
    mail_server:
      limits: {max_accounts: 500, total_quota: 100G, default_quota: 1G}
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
	clk.at(2026, 3, 2, 8, 30) // a Monday in March
	a.Workflow.Now, a.Requests.Now, a.Runner.Now, a.Web.Reports.Now, a.Workflow.Registry.Now = clk.Now, clk.Now, clk.Now, clk.Now, clk.Now
	a.Workflow.Audit.(*audit.Recorder).Now = clk.Now
	o := &office{a: a, clk: clk, tenant: a.Tenants.Default(), members: map[sop.Role]staff.Member{}}
	for _, r := range []sop.Role{sop.RoleKepalaDinas, sop.RoleKepalaBidang, sop.RoleKepalaSeksi, sop.RoleAdminMail} {
		m := stafftest.New(t, a.Staff, o.tenant, strings.ReplaceAll(string(r), "_", "")+"@kaltimprov.go.id", r)
		o.members[r] = m.Member
	}
	return o
}

// submit makes an applicant of instansi and their sent request.
func (o *office) submit(t *testing.T, instansi string) request.Request {
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
	u.Profile = account.Profile{FullName: u.FirstName + " " + u.LastName, Jabatan: "Pranata Komputer", Instansi: instansi, SatuanKerja: "Bidang TI",
		Phone: "081234567890", Address: "Samarinda"}
	if err := o.a.Store.UpdateProfile(ctx, u.ID, u.Profile); err != nil {
		t.Fatal(err)
	}
	r, err := o.a.Requests.NewDraft(ctx, o.tenant, u, "email", "pns", nil)
	if err != nil {
		t.Fatal(err)
	}
	o.a.Store.AddFile(ctx, &request.File{RequestID: r.ID, Field: "doc_kepegawaian", Name: "f" + name, OriginalName: "kartu.pdf", Kind: "pdf", Size: 10, SHA256: "x", CreatedAt: now})
	vals := map[string]string{"nip": fmt.Sprintf("19610923199103100%d", o.n), "instansi": instansi, "province": "64", "regency": "64.72",
		"satuan_kerja": "Bidang  TI", "phone": "0812 3456 7890", "mailbox": fmt.Sprintf("siti.rahma%d", o.n)}
	if r, err = o.a.Requests.SaveDraft(ctx, u, r, vals); err != nil {
		t.Fatal(err)
	}
	if r, err = o.a.Requests.Submit(ctx, o.tenant, u, r.ID); err != nil {
		t.Fatalf("submit: %v", err)
	}
	return r
}

// act does the running step's action as its role's holder.
func (o *office) act(t *testing.T, id int64, a workflow.Action, note string) {
	t.Helper()
	steps, _ := o.a.Store.StepsOf(context.Background(), id)
	st, ok := request.Running(steps)
	if !ok {
		t.Fatalf("request %d has no running step", id)
	}
	r, _ := o.a.Store.Request(context.Background(), id)
	if _, err := o.a.Workflow.Act(context.Background(), o.members[sop.Role(st.Role)], id, workflow.Input{StepID: st.ID, Action: a, Note: note, Mailbox: r.Mailbox}); err != nil {
		t.Fatalf("%s at %s: %v", a, st.Key, err)
	}
	for {
		ran, err := o.a.Runner.RunOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

func (o *office) report(t *testing.T, k report.Kind, f report.Filter) report.Report {
	t.Helper()
	r, err := o.a.Web.Reports.Compute(context.Background(), o.members[sop.RoleKepalaSeksi], k, f, "id")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// cells is a table's rows as shown, by the first cell.
func cells(t report.Table) map[string][]string {
	out := map[string][]string{}
	for _, r := range t.Rows {
		var s []string
		for _, v := range r {
			s = append(s, report.Show(v, "id"))
		}
		out[s[0]] = s
	}
	return out
}

func table(t *testing.T, r report.Report, name string) report.Table {
	t.Helper()
	for _, x := range r.Tables {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("report %s has no table %s", r.Kind, name)
	return report.Table{}
}

// Three requests through the Kaltim SOP on a clock: one finished (its report step
// attaches a numbered "laporan jumlah akun", its archive step files it), one returned
// and then refused, one still waiting. Every report then says what happened, read from
// the daily counts for all instansi and from the requests themselves for one, and the
// two ways agree.
func TestReports(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			o := start(t, d)
			ctx := context.Background()
			r1 := o.submit(t, "Dinas Pendidikan")
			o.clk.at(2026, 3, 2, 10, 30) // 2 working hours after the letter: the Kadis is in SLA (1–3h)
			o.act(t, r1.ID, workflow.Forward, "")
			o.clk.at(2026, 3, 4, 11, 0) // 2 working days: the Kabid is over (1d)
			o.act(t, r1.ID, workflow.Forward, "")
			o.clk.at(2026, 3, 4, 11, 30)
			o.act(t, r1.ID, workflow.Provision, "")
			o.clk.at(2026, 3, 4, 11, 40)
			o.act(t, r1.ID, workflow.Complete, "")
			o.clk.at(2026, 3, 4, 11, 50)
			o.act(t, r1.ID, workflow.Complete, "")
			o.clk.at(2026, 3, 5, 9, 0)
			o.act(t, r1.ID, workflow.Deliver, "")

			o.clk.at(2026, 3, 9, 8, 0)
			r2 := o.submit(t, "Dinas Pendidikan")
			o.clk.at(2026, 3, 9, 9, 0)
			o.act(t, r2.ID, workflow.Return, "Scan kartu pegawai buram")
			// The applicant's correction a day later does not count against the Kadis.
			o.clk.at(2026, 3, 10, 9, 0)
			u2, _ := o.a.Store.UserByID(ctx, r2.UserID)
			u2.Profile.FullName = "Siti Rahmac"
			if _, err := o.a.Requests.Submit(ctx, o.tenant, u2, r2.ID); err != nil {
				t.Fatalf("correction: %v", err)
			}
			o.clk.at(2026, 3, 10, 9, 30)
			o.act(t, r2.ID, workflow.Forward, "")
			o.clk.at(2026, 3, 10, 10, 0)
			o.act(t, r2.ID, workflow.Refuse, "Kapasitas  penuh")

			o.clk.at(2026, 3, 11, 8, 0)
			r3 := o.submit(t, "Dinas Pendidikan")
			o.clk.at(2026, 3, 20, 9, 0)

			march := report.Filter{From: sop.Date{Year: 2026, Month: 3, Day: 1}, To: sop.Date{Year: 2026, Month: 3, Day: 31}, Group: report.Week}
			for _, f := range []report.Filter{march, {From: march.From, To: march.To, Group: report.Week, Instansi: "Dinas Pendidikan"}} {
				name := "all"
				if f.Instansi != "" {
					name = "instansi"
				}
				t.Run(name, func(t *testing.T) {
					acc := o.report(t, report.KindAccounts, f)
					if got := report.Show(acc.Figures[0].Value, "id"); got != "1" {
						t.Errorf("active accounts %s, want 1", got)
					}
					byInst := cells(table(t, acc, "instansi"))
					if row := byInst["Dinas Pendidikan"]; row == nil || row[1] != "Bidang TI" || row[3] != "1" {
						t.Errorf("accounts by instansi: %v", byInst)
					}
					svc := o.report(t, report.KindService, f)
					steps := cells(table(t, svc, "langkah"))
					kadis := steps["Kadis mendisposisi proses pembuatan email kepada Bidang Aptika."]
					// r1: 120 working minutes; r2: 60 before the return, 30 after the correction.
					if kadis == nil || kadis[3] != "2" || kadis[4] != "2" || kadis[5] != "100 %" || kadis[6] != "1 j 30 m" || kadis[7] != "2 j 02 m" {
						t.Errorf("Kadis step: %v", kadis)
					}
					kabid := steps["Kabid Aptika meneruskan disposisi Kadis dengan mempertimbangkan ketersediaan kapasitas (daya tampung) mail server."]
					if kabid == nil || kabid[3] != "2" || kabid[4] != "1" || kabid[5] != "50 %" {
						t.Errorf("Kabid step: %v", kabid)
					}
					whole := svc.Tables[0].Foot
					// r1 was over at the Kabid; r2's steps were all in SLA.
					if report.Show(whole[3], "id") != "2" || report.Show(whole[4], "id") != "1" {
						t.Errorf("the SOP as a whole: %v", whole)
					}
					status := table(t, svc, "status").Foot
					if got := []string{report.Show(status[1], "id"), report.Show(status[4], "id"), report.Show(status[5], "id"), report.Show(status[6], "id")}; strings.Join(got, " ") != "1 1 1 3" {
						t.Errorf("status counts (menunggu selesai ditolak jumlah): %v", got)
					}
					bl := o.report(t, report.KindBacklog, f)
					if got := report.Show(table(t, bl, "antrean").Foot[7], "id"); got != "1" {
						t.Errorf("backlog total %s", got)
					}
					out := o.report(t, report.KindOutcomes, f)
					reasons := cells(table(t, out, "alasan"))
					if reasons["Scan kartu pegawai buram"] == nil || reasons["Kapasitas penuh"] == nil || reasons["Kapasitas penuh"][1] != "Ditolak" {
						t.Errorf("reasons: %v", reasons)
					}
				})
			}
			_ = r3

			// The report step attached its numbered report; the archive step filed it.
			doc, err := o.a.Store.DocumentOf(ctx, r1.ID, letter.KindReport)
			if err != nil {
				t.Fatal(err)
			}
			full, _ := o.a.Store.Document(ctx, doc.ID)
			text, err := printouttest.Text(full.PDF)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"LAPORAN JUMLAH AKUN EMAIL", "Nomor: " + doc.Number, "Yth. Kepala Bidang Aptika", "Akun aktif", "siti.rahma1@kaltimprov.go.id",
				"04-03-2026 11:40 WITA", "Samarinda, 4 Maret 2026", "Budi Pratama", "Dinas Pendidikan"} {
				if !strings.Contains(text, want) {
					t.Errorf("step report lacks %q:\n%s", want, text)
				}
			}
			if full.ArchivedAt.IsZero() {
				t.Error("the archive step did not archive the report")
			}
			if !strings.HasSuffix(doc.Number, "/LAP/KALTIM/III/2026") {
				t.Errorf("report number %q", doc.Number)
			}

			// CSV for Excel id-ID: BOM, semicolons, decimal commas; read back whole.
			svc := o.report(t, report.KindService, march)
			var b bytes.Buffer
			if err := report.WriteCSV(&b, table(t, svc, "langkah")); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b.Bytes(), []byte("\ufeff")) || bytes.HasPrefix(b.Bytes()[3:], []byte("sep=")) {
				t.Fatalf("CSV start %q", b.Bytes()[:12])
			}
			cr := csv.NewReader(bytes.NewReader(b.Bytes()[3:]))
			cr.Comma = ';'
			recs, err := cr.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if recs[0][5] != "Persentase tepat waktu (%)" || recs[0][6] != "Median waktu kerja (menit)" {
				t.Errorf("CSV headings %v", recs[0])
			}
			found := false
			for _, r := range recs {
				if strings.HasPrefix(r[0], "Kabid") {
					found = r[5] == "50" && r[6] != "" && !strings.Contains(r[6], " ")
				}
			}
			if !found {
				t.Errorf("CSV rows %v", recs)
			}

			// The PDF is a numbered letter whose QR code opens its verification page.
			pdfDoc, err := o.a.Web.Reports.IssuePDF(ctx, o.members[sop.RoleKepalaSeksi], report.KindService, march)
			if err != nil {
				t.Fatal(err)
			}
			ptext, _ := printouttest.Text(pdfDoc.PDF)
			ptext = strings.ReplaceAll(ptext, "\n", " ")
			for _, want := range []string{"LAPORAN LAYANAN DAN SLA", "Nomor: " + pdfDoc.Number, "Periode 1 Maret 2026 s.d. 31 Maret 2026", "SOP keseluruhan"} {
				if !strings.Contains(ptext, want) {
					t.Errorf("report PDF lacks %q:\n%s", want, ptext)
				}
			}
			printouttest.QRTools(t)
			codes, err := printouttest.QRCodes(pdfDoc.PDF, t.TempDir())
			if err != nil || len(codes) == 0 || codes[len(codes)-1] != "https://surel.kaltimprov.go.id/verifikasi/"+pdfDoc.Code {
				t.Errorf("QR codes %v %v", codes, err)
			}
		})
	}
}
