package web

import (
	"bytes"
	"flag"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
	"github.com/surel-id/surel/internal/wilayah"
	"github.com/surel-id/surel/internal/workflow"
)

// The back office's two busiest pages, the inbox (GET /kantor) and the request page
// (GET /kantor/permohonan/{id}), rendered from fixed data without a database: the golden
// test keeps their HTML as it is, and the benchmarks measure what rendering them costs
// (bench/RESULTS.md, "Back-office pages: rendering").

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden from the current templates")

// hostile is text a user may type, with every character an escaper changes and a
// javascript: URL.
const hostile = `<b>"Budi" & 'Sons'</b> +62 javascript:alert(1)`

// boFixture holds a server that renders, and the data of both pages.
type boFixture struct {
	s      *Server
	now    time.Time
	loc    *time.Location
	tenant account.Tenant
	user   account.User
	member staff.Member
	tasks  []workflow.Task
	c      workflow.Case
}

func newBOFixture(tb testing.TB) *boFixture {
	tb.Helper()
	s := &Server{}
	var err error
	if s.assets, err = newAssets(); err != nil {
		tb.Fatal(err)
	}
	if s.tpl, err = parseTemplates(s.assets); err != nil {
		tb.Fatal(err)
	}
	if s.Regions, err = wilayah.Load(); err != nil {
		tb.Fatal(err)
	}
	def, _ := sop.Preset("kominfo")
	loc, err := def.Location()
	if err != nil {
		tb.Fatal(err)
	}
	catalog, err := request.LoadCatalog(nil)
	if err != nil {
		tb.Fatal(err)
	}
	service, _ := catalog.Offering("email")
	kind, _ := service.Kind("pns")
	f := &boFixture{s: s, loc: loc, now: time.Date(2026, 12, 7, 3, 30, 0, 0, time.UTC),
		tenant: account.Tenant{ID: 1, Slug: "kominfo", Name: `Kominfo "Pusat" <&>`, SOP: "kominfo", Institutional: true},
		user:   account.User{ID: 7, TenantID: 1, Username: "sari", FirstName: "Sari", LastName: "Dewi", Email: "sari@mail.go.id"},
	}
	f.member = staff.Member{UserID: 7, TenantID: 1, Name: "Sari Dewi", Roles: []sop.Role{sop.RoleFrontDesk, "kepala_seksi", "kepala_bidang", "admin_mail", sop.RoleTenantAdmin}}

	// 25 inbox rows: every SLA state, failed steps, flags, rows without a mailbox, hostile
	// names.
	for i := range inboxPageSize {
		t := workflow.Task{StepID: int64(1000 + i), RequestID: int64(500 + i), Number: "MAIL-2026-" + strconv.Itoa(10000+i),
			StepName: "Memverifikasi kelengkapan dokumen pemohon", Role: "kepala_seksi", Kind: "manual",
			StartedAt: f.now.Add(-time.Duration(i) * 3 * time.Hour), DueAt: f.now.Add(time.Duration(i-8) * 30 * time.Minute),
			Applicant: "Budi Santoso " + strconv.Itoa(i), Instansi: "Dinas Komunikasi dan Informatika Kota Bandung",
			Mailbox: "budi.santoso" + strconv.Itoa(i), Domain: "bandung.go.id", RequestKind: "pns", Status: string(request.StepOpen)}
		switch i % 5 {
		case 1:
			t.Applicant, t.Instansi, t.Flags = hostile, hostile, 2
		case 2:
			t.Role, t.Kind, t.StepName, t.Status = "admin_mail", "provision", "Membuat akun <email> & password", string(request.StepFailed)
		case 3:
			t.Mailbox, t.DueAt = "", time.Time{}
		case 4:
			t.Role, t.StepName = "kepala_bidang", "Menyetujui permohonan"
		}
		f.tasks = append(f.tasks, t)
	}

	// A request with ten history rows, its files, three documents and sixteen audit
	// entries.
	rq := request.Request{ID: 42, TenantID: 1, UserID: 9, Number: "MAIL-2026-00042", Service: "email", Kind: "pns", Status: request.Processing,
		Domain: "mail.go.id", Mailbox: "budi.santoso", Channel: "portal", Note: hostile,
		Values: map[string]string{"nip": "198503302010011002", "instansi": hostile, "province": "61", "regency": "61.05", "satuan_kerja": "Bidang Aplikasi & Informatika", "phone": "+6281234567890"},
		Flags:  []request.Flag{{Reason: "not_found", Detail: hostile}, {Reason: "inactive"}}}
	start := f.now.Add(-9 * 24 * time.Hour)
	var steps []request.Step
	names := []struct{ key, name, role, jabatan, kind string }{
		{"pengajuan", "Mengajukan permohonan secara daring", "pemohon", "PNS / Perangkat Desa", "submit"},
		{"verifikasi", "Memverifikasi kelengkapan dokumen", "kepala_seksi", "Verifikator Layanan mail.go.id", "manual"},
		{"verifikasi", "Perbaikan oleh pemohon", "pemohon", "PNS / Perangkat Desa", request.KindCorrection},
		{"verifikasi", "Memverifikasi kelengkapan dokumen", "kepala_seksi", "Verifikator Layanan mail.go.id", "manual"},
		{"persetujuan", "Menyetujui permohonan", "kepala_bidang", "Pejabat Penyetuju Layanan mail.go.id", "manual"},
		{"persetujuan", "Menyetujui permohonan", "kepala_bidang", "Kepala Bidang <Aptika>", "manual"},
		{"pembuatan_akun", "Membuat akun email", "admin_mail", "Admin Mail Server mail.go.id", "provision"},
		{"verifikasi", "Perbaikan oleh pemohon", "front_desk", "Front Desk", request.KindCorrection},
		{"verifikasi", "Memverifikasi kelengkapan dokumen", "kepala_seksi", "Kepala Seksi", "manual"},
		{"pembuatan_akun", "Membuat akun email", "admin_mail", "Admin Mail Server mail.go.id", "provision"},
	}
	for i, n := range names {
		st := request.Step{ID: int64(300 + i), RequestID: 42, TenantID: 1, Seq: i + 1, Key: n.key, Name: n.name, Role: n.role, Kind: n.kind, Jabatan: n.jabatan,
			Actor: "Petugas " + strconv.Itoa(i), StartedAt: start.Add(time.Duration(i) * 20 * time.Hour), Status: request.StepDone, SLA: sop.VerdictIn, WorkMinutes: -1}
		st.Due = st.StartedAt.Add(8 * time.Hour)
		st.FinishedAt = st.StartedAt.Add(time.Duration(3+i) * time.Hour)
		switch i {
		case 1:
			st.Note, st.Status = hostile, request.StepReturned
		case 4:
			st.SLA, st.Actor = sop.VerdictOver, hostile
		case 2, 7:
			st.Due, st.SLA, st.Status = time.Time{}, "", request.StepReturned
		case 9:
			st.FinishedAt, st.SLA, st.Status, st.Actor = time.Time{}, "", request.StepOpen, ""
		}
		steps = append(steps, st)
	}
	files := []request.File{
		{ID: 81, RequestID: 42, Field: "doc_kepegawaian", Name: "x1", OriginalName: `SK "pengangkatan" <2010>.pdf`, Kind: "pdf", Size: 734003},
	}
	f.c = workflow.Case{View: request.View{Request: rq, Service: service, Kind: kind, Files: files, Steps: steps, SOP: def},
		Applicant:      account.User{ID: 9, FirstName: "Budi", LastName: "Santoso", Phone: "+6281234567890", Profile: account.Profile{FullName: hostile, NIP: "198503302010011002", Jabatan: "Pranata Komputer"}},
		ApplicantEmail: "budi@example.org", Running: &steps[9], Actions: []workflow.Action{workflow.Provision, workflow.Return, workflow.Refuse}, CanAct: true,
		Documents: []letter.Document{
			{ID: 5, Kind: letter.KindReceipt, Number: "001/TT/2026", IssuedAt: start},
			{ID: 6, Kind: letter.KindReport, Number: "002/LAP/2026", Title: hostile, IssuedAt: start.Add(time.Hour), ArchivedAt: start.Add(48 * time.Hour)},
			{ID: 7, Kind: letter.KindResultLetter, Number: "003/SH/2026", IssuedAt: start.Add(2 * time.Hour)},
		}}
	for i := range 16 {
		e := audit.Entry{ID: int64(900 + i), TenantID: 1, Seq: int64(4000 + i), At: start.Add(time.Duration(i) * 11 * time.Hour), Actor: "staff:7", ActorName: "Sari Dewi",
			Role: "kepala_seksi", Action: "step.forward", Object: "request:42", Detail: `{"step":"verifikasi"}`, IP: "10.0.0." + strconv.Itoa(i)}
		if i%4 == 1 {
			e.ActorName, e.Detail, e.IP = hostile, hostile, "2001:db8::1"
		}
		f.c.Trail = append(f.c.Trail, e)
	}
	return f
}

// page is what Server.page makes for the fixture's staff member.
func (f *boFixture) page(lang, path, title string) *Page {
	p := &Page{Lang: lang, Tenant: f.tenant, User: &f.user, Path: path, Assets: f.s.assets, Form: url.Values{}, Errors: map[string]string{},
		Staff: &f.member, Unread: 3, zone: f.loc}
	p.Title = p.T(title)
	return p
}

// renderInbox renders GET /kantor?q=…&hal=2 from the fixture's tasks, as the handler does
// once it has read them.
func (f *boFixture) renderInbox(w http.ResponseWriter, lang string) error {
	r := httptest.NewRequest(http.MethodGet, "/kantor?hal=2&q="+url.QueryEscape(hostile), nil)
	p := f.page(lang, "/kantor", "kantor.title")
	p.Wide = true
	d := inboxData{Query: hostile, Page: 2, Now: f.now, Handover: 2, MissingHolidays: "2028"}
	for _, role := range f.member.Roles {
		d.Roles = append(d.Roles, string(role))
	}
	d.Total, d.More = 1000, true
	d.setTasks(p, f.tasks)
	d.setPager()
	p.Data = d
	return f.s.render(w, r, http.StatusOK, "kantor", p)
}

// renderCase renders GET /kantor/permohonan/42, as the handler does once it has read the
// request.
func (f *boFixture) renderCase(w http.ResponseWriter, lang string) error {
	r := httptest.NewRequest(http.MethodGet, "/kantor/permohonan/42", nil)
	p := f.page(lang, "/kantor/permohonan/42", "kantor.request")
	p.Wide = true
	d := f.s.newCaseData(p, f.c)
	p.Form.Set(request.FieldMailbox, d.Request.Mailbox)
	p.Title = d.Request.Number + " · " + p.Title
	p.Data = d
	return f.s.render(w, r, http.StatusOK, "kantor_permohonan", p)
}

// assetHash is the assets' fingerprint in their URLs, which changes with every edit of
// the style sheet: the golden files hold it as "HASH".
var assetHash = regexp.MustCompile(`/static/[0-9a-f]+/`)

// The two pages render as they did when the golden files were written, in both
// languages, with hostile text escaped (and the baked templates match the templates as
// written). A change meant to show on these pages: go test ./internal/web -run
// TestBackOfficeGolden -update-golden, and read the diff of testdata/golden.
func TestBackOfficeGolden(t *testing.T) {
	f := newBOFixture(t)
	if err := f.s.VerifyBaking(); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"id", "en"} {
		for name, render := range map[string]func(http.ResponseWriter, string) error{"kantor": f.renderInbox, "kantor_permohonan": f.renderCase} {
			rec := httptest.NewRecorder()
			if err := render(rec, lang); err != nil {
				t.Fatalf("%s %s: %v", name, lang, err)
			}
			got := assetHash.ReplaceAll(rec.Body.Bytes(), []byte("/static/HASH/"))
			file := filepath.Join("testdata", "golden", name+"."+lang+".html")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s %s differs from %s:\n%s", name, lang, file, firstDiff(string(got), string(want)))
			}
		}
	}
}

// discardWriter is a ResponseWriter that keeps nothing, so a benchmark measures the page.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// benchRender renders a page in each language. Besides ns/op it reports cpu-ns/op, the
// process's CPU time (the collector's included) per page: on this shared machine the wall
// time of a loop swings with the other processes' load, its CPU time much less.
func benchRender(b *testing.B, render func(http.ResponseWriter, string) error) {
	for _, lang := range []string{"id", "en"} {
		b.Run(lang, func(b *testing.B) {
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if err := render(w, lang); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRenderInbox is GET /kantor's page made from its 25 tasks and rendered.
func BenchmarkRenderInbox(b *testing.B) { benchRender(b, newBOFixture(b).renderInbox) }

// BenchmarkRenderCase is GET /kantor/permohonan/{id}'s page made from its request (ten
// history rows, a file, three documents, sixteen audit entries) and rendered.
func BenchmarkRenderCase(b *testing.B) { benchRender(b, newBOFixture(b).renderCase) }
