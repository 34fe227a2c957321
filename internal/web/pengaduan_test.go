package web_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/complaint"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"net/url"
)

var complaintNumberRE = regexp.MustCompile(`ADU-[0-9A-Z]{4}-[0-9A-Z]{4}`)

// The complaints through HTTP on both engines: the public's form (captcha, each wrong
// field named with what was typed kept, nothing written), its number and tracking by
// number and contact (a wrong pair answers as an unknown number); an applicant's
// complaint about their own request (never another's); the complaints officer's list,
// answer, forward and close, each role-checked; the complainant's mails and view.
func TestComplaintsWeb(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := start(t, d, nil)
			ctx := context.Background()
			tn := h.a.Tenants.Default()
			count := func() int {
				cs, err := h.a.Store.ComplaintsFor(ctx, tn.ID, nil, true, 100)
				if err != nil {
					t.Fatal(err)
				}
				return len(cs)
			}
			pub := h.client()
			r := h.do(pub, "GET", "/pengaduan", nil)
			contains(t, r.body, "Sampaikan Pengaduan", "<altcha-widget", `href="https://www.lapor.go.id"`, "diselesaikan paling lama 14 hari kerja")

			// Nothing filled, no captcha: every rule named, nothing written.
			r = h.do(pub, "POST", "/pengaduan", url.Values{"judul": {"Akun tidak bisa masuk"}, "isi": {"pendek"}})
			if r.status != 422 {
				t.Fatalf("empty form: %d", r.status)
			}
			contains(t, r.body, "Nama wajib diisi.", "Isi Email atau Nomor HP (salah satu)", "Pilih Kategori pengaduan.",
				"Isi pengaduan paling sedikit 20 karakter.", `value="Akun tidak bisa masuk"`, ">pendek</textarea>", `id="e-captcha"`)
			if count() != 0 {
				t.Fatal("a wrong complaint was written")
			}
			form := url.Values{"nama": {"Budi Warga"}, "email": {"Budi@Gmail.com"}, "phone": {"+62 812-3456-7890"}, "kategori": {"layanan"},
				"judul": {"Akun belum aktif"}, "isi": {"Sudah seminggu akun email dinas saya belum aktif."}, "altcha": {h.solved()}}
			r = h.do(pub, "POST", "/pengaduan", form)
			if r.status != 303 || !strings.HasPrefix(r.loc, "/pengaduan/terkirim?nomor=ADU-") {
				t.Fatalf("file: %d %s %s", r.status, r.loc, r.body)
			}
			number := complaintNumberRE.FindString(r.loc)
			r = h.do(pub, "GET", r.loc, nil)
			contains(t, r.body, number, "Simpan nomor ini")
			h.runJobs()
			if ms, _ := h.a.Store.Messages(ctx, "budi@gmail.com", 1); len(ms) != 1 || !strings.Contains(ms[0].Subject, number) {
				t.Fatalf("receipt mail: %+v", ms)
			}

			// Tracking: a wrong contact is an unknown number; the phone typed another way
			// matches.
			unknown := h.do(pub, "POST", "/pengaduan/lacak", url.Values{"nomor": {"ADU-0000-0000"}, "kontak": {"budi@gmail.com"}})
			wrong := h.do(pub, "POST", "/pengaduan/lacak", url.Values{"nomor": {number}, "kontak": {"orang@lain.id"}})
			if unknown.status != 404 || wrong.status != 404 || !strings.Contains(wrong.body, "tidak ditemukan") ||
				strings.Contains(wrong.body, "Akun belum aktif") {
				t.Fatalf("wrong pairs: %d %d", unknown.status, wrong.status)
			}
			r = h.do(pub, "POST", "/pengaduan/lacak", url.Values{"nomor": {strings.ToLower(number)}, "kontak": {"0812 3456 7890"}})
			if r.status != 200 {
				t.Fatalf("track: %d", r.status)
			}
			contains(t, r.body, "Akun belum aktif", "Menunggu tanggapan", "Belum ada tanggapan")

			// An applicant: their own request only.
			app := h.client()
			h.c = app
			h.signup("siti@gmail.com")
			u, _ := h.a.Store.UserByEmail(ctx, tn.ID, "siti@gmail.com")
			other, _ := h.a.Store.UserByEmail(ctx, tn.ID, "budi@gmail.com") // none: not registered
			at := time.Now().UTC()
			rq := request.Request{TenantID: tn.ID, UserID: u.ID, Service: "email", Kind: "pns", Status: request.Waiting, Values: map[string]string{},
				CreatedAt: at, UpdatedAt: at, SubmittedAt: at}
			if err := h.a.Store.CreateRequest(ctx, &rq); err != nil {
				t.Fatal(err)
			}
			if err := h.a.Store.SubmitRequest(ctx, &rq); err != nil {
				t.Fatal(err)
			}
			r = h.do(app, "GET", "/pengaduan?permohonan="+idText(rq.ID), nil)
			contains(t, r.body, "Pengaduan dikirim atas nama", rq.Number, `selected>`+rq.Number)
			if strings.Contains(r.body, "<altcha-widget") || other.ID != 0 {
				t.Error("a signed-in applicant is asked for the captcha")
			}
			bad := url.Values{"permohonan": {"999999"}, "kategori": {"layanan"}, "judul": {"Belum aktif"}, "isi": {"Permohonan saya belum diproses sejak minggu lalu."}}
			if r = h.do(app, "POST", "/pengaduan", bad); r.status != 422 || !strings.Contains(r.body, "Pilih Permohonan yang diadukan.") {
				t.Fatalf("another's request: %d", r.status)
			}
			bad.Set("permohonan", idText(rq.ID))
			r = h.do(app, "POST", "/pengaduan", bad)
			if r.status != 303 || !strings.HasPrefix(r.loc, "/pengaduan/saya/") {
				t.Fatalf("applicant's complaint: %d %s %s", r.status, r.loc, r.body)
			}
			mine := r.loc
			r = h.do(app, "GET", "/pengaduan/saya", nil)
			contains(t, r.body, "Belum aktif", rq.Number)
			if r = h.do(pub, "GET", mine, nil); r.status != 303 {
				t.Errorf("a visitor at an applicant's complaint: %d", r.status)
			}

			// Staff: the officer handles all; the Kasi none until one is forwarded.
			officer := stafftest.New(t, h.a.Staff, tn, "aduan@kominfo.go.id", sop.RolePengaduan)
			mail := stafftest.New(t, h.a.Staff, tn, "admin@kominfo.go.id", sop.RoleAdminMail)
			oc, mc := h.client(), h.client()
			h.signInStaff(oc, officer)
			h.signInStaff(mc, mail)
			r = h.do(oc, "GET", "/kantor/pengaduan", nil)
			contains(t, r.body, number, "Akun belum aktif", "Belum aktif", "Sesuai SLA")
			pubC, _ := h.a.Store.ComplaintByNumber(ctx, tn.ID, number)
			path := "/kantor/pengaduan/" + idText(pubC.ID)
			if r = h.do(mc, "GET", path, nil); r.status != 403 {
				t.Errorf("mail admin before the forward: %d", r.status)
			}
			if r = h.do(mc, "GET", "/kantor/pengaduan", nil); strings.Contains(r.body, number) {
				t.Error("mail admin lists a complaint not forwarded to them")
			}
			if r = h.do(oc, "POST", path+"/tindak", url.Values{"aksi": {"answer"}, "tanggapan": {"  "}}); r.status != 422 || !strings.Contains(r.body, "Tanggapan wajib diisi.") {
				t.Fatalf("empty answer: %d", r.status)
			}
			r = h.do(oc, "POST", path+"/tindak", url.Values{"aksi": {"forward"}, "peran": {"pengaduan"}, "catatan": {"cek"}})
			if r.status != 422 || !strings.Contains(r.body, "sudah ditangani peran tersebut") || !strings.Contains(r.body, ">cek</textarea>") {
				t.Fatalf("forward to itself: %d", r.status)
			}
			if r = h.do(oc, "POST", path+"/tindak", url.Values{"aksi": {"answer"}, "tanggapan": {"Akun sedang kami periksa."}}); r.status != 303 {
				t.Fatalf("answer: %d %s", r.status, r.body)
			}
			if r = h.do(oc, "POST", path+"/tindak", url.Values{"aksi": {"forward"}, "peran": {"admin_mail"}, "catatan": {"Mohon cek di server mail"}}); r.status != 303 {
				t.Fatalf("forward: %d %s", r.status, r.body)
			}
			r = h.do(mc, "GET", path, nil)
			contains(t, r.body, "Mohon cek di server mail", "Diteruskan kepada Admin Mail Server")
			if r = h.do(mc, "POST", path+"/tindak", url.Values{"aksi": {"close"}, "jawaban_akhir": {"Akun sudah aktif, silakan masuk."}}); r.status != 303 {
				t.Fatalf("close: %d %s", r.status, r.body)
			}
			if r = h.do(oc, "POST", path+"/tindak", url.Values{"aksi": {"close"}, "jawaban_akhir": {"Lagi"}}); r.status != 409 ||
				!strings.Contains(r.body, "sudah ditutup") {
				t.Fatalf("closed twice: %d", r.status)
			}
			h.runJobs()
			ms, _ := h.a.Store.Messages(ctx, "budi@gmail.com", 5)
			if len(ms) != 3 || !strings.Contains(ms[0].Text, "Akun sudah aktif, silakan masuk.") || strings.Contains(ms[1].Text+ms[0].Text, "Mohon cek") {
				t.Fatalf("mails: %d", len(ms))
			}
			r = h.do(pub, "POST", "/pengaduan/lacak", url.Values{"nomor": {number}, "kontak": {"budi@gmail.com"}})
			contains(t, r.body, "Akun sedang kami periksa.", "Akun sudah aktif, silakan masuk.", "Selesai")
			if strings.Contains(r.body, "Mohon cek di server mail") {
				t.Error("the complainant reads the staff's note")
			}
			// The officer reads the complaints report, not the others, and issues no letter.
			if r = h.do(oc, "GET", "/kantor/laporan", nil); r.status != 303 || r.loc != "/kantor/laporan/pengaduan" {
				t.Errorf("officer at the reports: %d %s", r.status, r.loc)
			}
			if r = h.do(oc, "GET", "/kantor/laporan/akun", nil); r.status != 403 {
				t.Errorf("officer at the accounts report: %d", r.status)
			}
			r = h.do(oc, "GET", "/kantor/laporan/pengaduan", nil)
			contains(t, r.body, "Pengaduan per kategori", "Selesai tepat waktu", `href="/kantor/laporan/pengaduan?`)
			if strings.Contains(r.body, `action="/kantor/laporan/pengaduan/pdf"`) || strings.Contains(r.body, `href="/kantor/laporan/akun?`) {
				t.Error("the officer is offered the letter or the other reports")
			}
			if r = h.do(oc, "GET", "/kantor/laporan/pengaduan/kategori.csv", nil); r.status != 200 || !strings.Contains(r.body, "Permohonan atau akun email bermasalah;14 hari kerja;2;1;1;100;0,00;") {
				t.Errorf("officer's CSV: %d %s", r.status, r.body)
			}
			if r = h.do(oc, "POST", "/kantor/laporan/pengaduan/pdf", url.Values{}); r.status != 403 {
				t.Errorf("officer issues the letter: %d", r.status)
			}
			entries, _ := h.a.Store.ComplaintEntries(ctx, pubC.ID)
			if len(entries) != 3 {
				t.Errorf("entries: %+v", entries)
			}
		})
	}
}

// Two officers close the same complaint at once: one wins, the other is told it closed
// already, and the history holds one final answer.
func TestComplaintCloseRace(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := start(t, d, nil)
			ctx := context.Background()
			tn := h.a.Tenants.Default()
			svc := h.a.Web.Complaints
			c, err := svc.File(ctx, tn, complaint.Filing{Name: "Budi", Email: "budi@gmail.com", Category: "informasi", Subject: "Tanya kuota",
				Body: "Berapa kuota kotak surat akun email dinas?"})
			if err != nil {
				t.Fatal(err)
			}
			a := stafftest.New(t, h.a.Staff, tn, "a@kominfo.go.id", sop.RolePengaduan).Member
			b := stafftest.New(t, h.a.Staff, tn, "b@kominfo.go.id", sop.RolePengaduan).Member
			kasi := stafftest.New(t, h.a.Staff, tn, "kasi@kominfo.go.id", sop.RoleKepalaSeksi).Member
			if _, err := svc.Act(ctx, kasi, tn, c.ID, complaint.Action{Kind: complaint.EntryClose, Text: "x"}); errs.CodeOf(err) != errs.Forbidden {
				t.Fatalf("a Kasi closed it: %v", err)
			}
			var wg sync.WaitGroup
			res := make([]error, 2)
			for i, m := range []int{0, 1} {
				who := a
				if m == 1 {
					who = b
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, res[i] = svc.Act(ctx, who, tn, c.ID, complaint.Action{Kind: complaint.EntryClose, Text: "Kuota 2 GB."})
				}()
			}
			wg.Wait()
			won := 0
			for _, err := range res {
				switch {
				case err == nil:
					won++
				case errs.CodeOf(err) != errs.Conflict:
					t.Fatalf("loser's error: %v", err)
				}
			}
			es, _ := h.a.Store.ComplaintEntries(ctx, c.ID)
			if won != 1 || len(es) != 1 {
				t.Fatalf("%d won, %d entries", won, len(es))
			}
		})
	}
}

func idText(n int64) string { return strconv.FormatInt(n, 10) }

// Each tenant's complaints are its own: another tenant's staff, tracking form and
// applicant find nothing, and cannot act on them.
func TestComplaintTenants(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarness(t, d)
			ctx := context.Background()
			kominfo, kaltim := h.a.Tenants.Default(), h.a.Tenants.ForHost("kaltim.test")
			svc := h.a.Web.Complaints
			c, err := svc.File(ctx, kominfo, complaint.Filing{Name: "Budi", Phone: "081234567890", Category: "petugas", Subject: "Petugas tidak ramah",
				Body: "Petugas loket tidak ramah saat saya bertanya."})
			if err != nil {
				t.Fatal(err)
			}
			if c.StandardDays != 60 || !c.Due.After(c.CreatedAt.Add(60*24*time.Hour)) {
				t.Errorf("60 working days from %v: %v", c.CreatedAt, c.Due)
			}
			other := stafftest.New(t, h.a.Staff, kaltim, "aduan@kaltimprov.go.id", sop.RolePengaduan).Member
			if _, _, err := svc.Get(ctx, other, kaltim, c.ID); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("another tenant's officer reads it: %v", err)
			}
			if _, err := svc.Act(ctx, other, kaltim, c.ID, complaint.Action{Kind: complaint.EntryClose, Text: "x"}); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("another tenant's officer closes it: %v", err)
			}
			if _, _, err := svc.Track(ctx, kaltim, c.Number, "081234567890"); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("tracked at another tenant: %v", err)
			}
			if items, _ := svc.List(ctx, other, kaltim, true); len(items) != 0 {
				t.Errorf("another tenant lists %d", len(items))
			}
			if _, _, err := svc.Track(ctx, kominfo, c.Number, "0812-3456-7890"); err != nil {
				t.Errorf("tracked at its tenant: %v", err)
			}
		})
	}
}

// The tenant admin sets a category's time standard on the standard's settings: a wrong
// value is named with the typed text kept; a saved one is what the form promises and
// what a new complaint is due by.
func TestComplaintDaysSetting(t *testing.T) {
	h := start(t, "sqlite", nil)
	tn := h.a.Tenants.Default()
	admin := stafftest.New(t, h.a.Staff, tn, "admin@kominfo.go.id", sop.RoleTenantAdmin)
	c := h.client()
	h.signInStaff(c, admin)
	r := h.do(c, "GET", "/kantor/standar-pelayanan", nil)
	contains(t, r.body, `name="complaint_days_layanan"`, "Kosongkan untuk memakai bawaan: 14 hari kerja.")
	r = h.do(c, "POST", "/kantor/standar-pelayanan", url.Values{"complaint_days_layanan": {"sepuluh"}, "complaint_days_petugas": {"300"}, "cost": {"Gratis"}})
	if r.status != 422 {
		t.Fatalf("wrong days: %d", r.status)
	}
	contains(t, r.body, "harus bilangan bulat antara 1 dan 250", `value="sepuluh"`, `value="300"`, ">\nGratis</textarea>")
	if r = h.do(c, "POST", "/kantor/standar-pelayanan", url.Values{"complaint_days_layanan": {" 10 "}}); r.status != 303 {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	contains(t, h.do(h.client(), "GET", "/pengaduan", nil).body, "diselesaikan paling lama 10 hari kerja", "diselesaikan paling lama 5 hari kerja")
	got, err := h.a.Web.Complaints.File(context.Background(), tn, complaint.Filing{Name: "Budi", Email: "budi@gmail.com", Category: "layanan",
		Subject: "Akun", Body: "Akun saya belum dibuat sejak bulan lalu."})
	if err != nil || got.StandardDays != 10 {
		t.Fatalf("filed: %+v %v", got, err)
	}
	st := h.do(h.client(), "GET", "/standar-pelayanan", nil)
	contains(t, st.body, "Permohonan atau akun email bermasalah: 10 hari kerja", "Menu Pengaduan di portal ini")
}
