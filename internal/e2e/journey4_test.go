package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
	"github.com/surel-id/surel/internal/upload"
)

// office is one tenant following one preset SOP, with a staff member per role.
type office struct {
	j     *journey
	slug  string
	staff map[sop.Role]stafftest.Member
	codes map[sop.Role]int // recovery codes used
}

// TestJourney4BackOffice takes a request through each of the four preset SOPs in
// Chromium, each step by the holder of its role: Kominfo with a return to the applicant
// and the corrected resubmission, Pematangsiantar with the applicant's own hand-over step,
// Palangka Raya with a refusal, Kalimantan Timur with the capacity check, report and
// archive.
func TestJourney4BackOffice(t *testing.T) {
	chromium(t)
	for _, preset := range []string{"kominfo", "pematangsiantar", "palangkaraya", "kaltim"} {
		engines := []store.Dialect{store.SQLite}
		if preset == "kaltim" {
			engines = dbtest.Engines(t)
		}
		for _, d := range engines {
			t.Run(preset+"/"+string(d), func(t *testing.T) {
				cfg := filepath.Join(t.TempDir(), "tenants.yaml")
				os.WriteFile(cfg, []byte(fmt.Sprintf("tenants:\n  - slug: %s\n    name: Diskominfo %s\n    mail_domain: mail.go.id\n    sop: %s\n", preset, preset, preset)), 0o600)
				srv := startServerEnv(t, d, map[string]string{"SUREL_CONFIG": cfg})
				b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "kantor-"+preset), "[0-9][0-9]-*.png", "FAILED-*.png"))
				j := &journey{t: t, b: b, srv: srv}
				o := &office{j: j, slug: preset, staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
				tn := srv.App.Tenants.Default()
				for _, r := range []sop.Role{sop.RoleFrontDesk, sop.RoleKepalaDinas, sop.RoleKepalaBidang, sop.RoleKepalaSeksi, sop.RoleAdminMail} {
					o.staff[r] = stafftest.New(t, srv.App.Staff, tn, strings.ReplaceAll(string(r), "_", "")+"@"+preset+".go.id", r)
				}
				scan := writePNG(t, 60, 40)
				var id int64
				j.step("k01 permohonan", func() { id = o.submitted(scan) })
				switch preset {
				case "kominfo":
					j.step("k02 kembalikan", func() { o.act(id, sop.RoleKepalaSeksi, "return", "Scan kartu pegawai buram, mohon unggah ulang.") })
					j.step("k03 perbaikan", func() { o.correct(id) })
					j.step("k04 verifikasi", func() { o.act(id, sop.RoleKepalaSeksi, "forward", "") })
					j.step("k05 persetujuan", func() { o.act(id, sop.RoleKepalaBidang, "forward", "Disetujui") })
					j.step("k06 buat akun", func() { o.provision(id) })
					j.step("k07 password", func() { o.reveal(id) })
				case "pematangsiantar":
					j.step("k02 terima", func() { o.act(id, sop.RoleFrontDesk, "forward", "") })
					j.step("k03 periksa", func() { o.act(id, sop.RoleKepalaBidang, "forward", "") })
					j.step("k04 teruskan", func() { o.act(id, sop.RoleKepalaBidang, "forward", "") })
					j.step("k05 buat akun", func() { o.provision(id) })
					j.step("k06 password", func() { o.reveal(id) })
				case "palangkaraya":
					j.step("k02 tolak", func() { o.act(id, sop.RoleKepalaSeksi, "refuse", "NIP bukan milik pemohon menurut data kepegawaian.") })
					j.step("k03 ditolak", func() { o.refused(id) })
				case "kaltim":
					j.step("k02 disposisi", func() { o.act(id, sop.RoleKepalaDinas, "forward", "Diteruskan ke Bidang Aptika") })
					j.step("k03 kapasitas", func() { o.act(id, sop.RoleKepalaBidang, "forward", "Kapasitas cukup") })
					j.step("k04 buat akun", func() { o.provision(id) })
					j.step("k05 laporan", func() { o.act(id, sop.RoleKepalaSeksi, "complete", "Jumlah akun bertambah satu") })
					j.step("k06 arsip", func() { o.act(id, sop.RoleKepalaSeksi, "complete", "") })
					j.step("k07 hasil", func() { o.act(id, sop.RoleKepalaSeksi, "deliver", "") })
					j.step("k08 password", func() { o.reveal(id) })
				}
				j.step("k99 audit", func() { o.audited(id) })
				checkConsole(t, b)
			})
		}
	}
}

// submitted makes an applicant with a sent request through the services (journey 2 is
// clicked through on its own).
func (o *office) submitted(scan string) int64 {
	return o.submittedBy(scan, person{"Siti", "Rahma", "siti." + o.slug + "@example.com", "196109231991031004", "siti.rahma"})
}

// person is an applicant of submittedBy: names, e-mail, NIP and the mailbox asked for.
type person struct{ first, last, email, nip, mailbox string }

// submittedBy is submitted for another applicant.
func (o *office) submittedBy(scan string, p person) int64 {
	j, a := o.j, o.j.srv.App
	ctx := context.Background()
	tn := a.Tenants.Default()
	addr := p.email
	if err := a.Accounts.Register(ctx, tn, account.RegisterInput{FirstName: p.first, LastName: p.last, Email: addr, Phone: "081234567890",
		Password: password, Password2: password}); err != nil {
		j.b.fatalf("register: %v", err)
	}
	link := j.srv.Mail.Wait(j.t, addr, 1, mailTimeout).Link("/aktivasi/")
	u, err := a.Accounts.Activate(ctx, tn, link[strings.LastIndex(link, "/")+1:])
	if err != nil {
		j.b.fatalf("activate: %v", err)
	}
	full := p.first + " " + p.last
	if p.first == "Siti" {
		full = "Siti Rahma, S.Kom."
	}
	u.Profile = account.Profile{FullName: full, Jabatan: "Pranata Komputer", Instansi: "Dinas Komunikasi dan Informatika",
		SatuanKerja: "Pemerintah Kabupaten Merangin", Phone: "081234567890", Address: "Jl. Jenderal Sudirman No. 1, Bangko", NIP: p.nip}
	if err := a.Accounts.UpdateProfile(ctx, u, u.Profile); err != nil {
		j.b.fatalf("profile: %v", err)
	}
	r, err := a.Requests.NewDraft(ctx, tn, u, "email", "pns", nil)
	if err != nil {
		j.b.fatalf("draft: %v", err)
	}
	f, err := os.Open(scan)
	if err != nil {
		j.b.fatalf("scan: %v", err)
	}
	defer f.Close()
	up, err := a.Web.Uploads.Save(ctx, f, upload.Rule{Kinds: upload.ScanKinds(), MaxBytes: 10 << 20}, "doc_kepegawaian", "kartu-pegawai.png")
	if err != nil {
		j.b.fatalf("upload: %v", err)
	}
	if err := a.Requests.Attach(ctx, u, r, request.File{Field: "doc_kepegawaian", Name: up.Name, OriginalName: "kartu-pegawai.png", Kind: string(up.Kind), Size: up.Size, SHA256: up.SHA256}); err != nil {
		j.b.fatalf("attach: %v", err)
	}
	vals := map[string]string{"nip": p.nip, "instansi": "Dinas Komunikasi dan Informatika", "province": "15", "regency": "15.02",
		"satuan_kerja": "Pemerintah Kabupaten Merangin", "phone": "081234567890", "mailbox": p.mailbox}
	if r, err = a.Requests.SaveDraft(ctx, u, r, vals); err != nil {
		j.b.fatalf("save: %v", err)
	}
	if r, err = a.Requests.Submit(ctx, tn, u, r.ID); err != nil {
		j.b.fatalf("submit: %v", err)
	}
	return r.ID
}

// signIn signs in as the holder of role (password, then a recovery code).
func (o *office) signIn(role sop.Role) {
	b := o.j.b
	o.signOut()
	m := o.staff[role]
	b.open("/masuk")
	b.fill("#f-login", m.Email)
	b.fill("#f-password", m.Password)
	b.click("form[action='/masuk'] button[type=submit]")
	b.wantPath("/masuk/verifikasi")
	b.fill("#f-otp", m.RecoveryCodes[o.codes[role]])
	o.codes[role]++
	b.click("form[action='/masuk/verifikasi'] button[type=submit]")
	b.wantPath("/kantor")
}

func (o *office) signOut() {
	b := o.j.b
	b.open("/")
	if eval[bool](b, `!!document.querySelector("form[action='/keluar'] button")`) {
		b.click("form[action='/keluar'] button")
	}
}

// applicant signs in as the applicant.
func (o *office) applicant() {
	b := o.j.b
	o.signOut()
	b.open("/masuk")
	b.fill("#f-login", "siti."+o.slug+"@example.com")
	b.fill("#f-password", password)
	b.click("form[action='/masuk'] button[type=submit]")
	b.waitJS("signed in", `!!document.querySelector("form[action='/keluar']")`, actionTimeout)
}

// act opens the request from the role's inbox and takes the action with a note.
func (o *office) act(id int64, role sop.Role, action, note string) {
	j, b := o.j, o.j.b
	o.signIn(role)
	sel := fmt.Sprintf("a[href='/kantor/permohonan/%d']", id)
	b.waitJS("task in the inbox", fmt.Sprintf(`!!document.querySelector(%q)`, sel), actionTimeout)
	j.shot("kotak-tugas-" + string(role))
	b.click(sel)
	b.wantText("Langkah saat ini", "Riwayat permohonan", "Jejak audit", "kartu-pegawai.png")
	// The note is required only for a return or a refusal: its hint says so only where
	// the step offers one (issue 17).
	hint := eval[string](b, `(document.getElementById("h-note") || {innerText: ""}).innerText`)
	if required := strings.Contains(hint, "Wajib"); required != eval[bool](b, `!!document.querySelector("button[name=aksi][value=return], button[name=aksi][value=refuse]")`) {
		b.fatalf("the note's hint %q at a step whose actions are %q", hint, eval[string](b, `[...document.querySelectorAll("button[name=aksi]")].map(b => b.value).join(" ")`))
	}
	if note != "" {
		b.fill("#f-note", note)
	}
	j.shot("tugas-" + action)
	b.click(fmt.Sprintf("button[name=aksi][value=%s]", action))
	if action == "provision" {
		return
	}
	b.wantPath("/kantor")
}

// provision creates the mailbox and waits for the job (and the account test).
func (o *office) provision(id int64) {
	j, b := o.j, o.j.b
	o.act(id, sop.RoleAdminMail, "provision", "")
	b.wantPath(fmt.Sprintf("/kantor/permohonan/%d", id))
	deadline := time.Now().Add(mailTimeout)
	for {
		b.open(fmt.Sprintf("/kantor/permohonan/%d", id))
		if strings.Contains(b.text(), "siti.rahma@mail.go.id dibuat") {
			break
		}
		if time.Now().After(deadline) {
			b.fatalf("mailbox not created in time")
		}
		time.Sleep(pollEvery)
	}
	j.shot("akun-dibuat")
	info, err := j.srv.App.Workflow.Mailboxes(j.srv.App.Tenants.Default().ID)
	if err != nil {
		b.fatalf("mail server: %v", err)
	}
	if _, err := info.Server.Get(context.Background(), "siti.rahma@mail.go.id"); err != nil {
		b.fatalf("mailbox on the server: %v", err)
	}
}

// correct is the applicant's side of a return: the note, the form, Kirim again.
func (o *office) correct(id int64) {
	j, b := o.j, o.j.b
	o.applicant()
	b.open(fmt.Sprintf("/permohonan/%d", id))
	b.wantText("Perlu Perbaikan", "Scan kartu pegawai buram", "Menunggu perbaikan pemohon")
	j.shot("dikembalikan")
	b.clickText("main", "Perbaiki data")
	b.click("button[value=next]")
	if !strings.HasSuffix(b.path(), "/ringkasan") {
		b.fatalf("not on the summary: %s\n%s", b.path(), b.text())
	}
	b.clickText("main", "Kirim")
	b.wantText("Diproses", "Perbaikan data oleh pemohon")
	j.shot("perbaikan-terkirim")
}

// reveal shows the password once, then never again.
func (o *office) reveal(id int64) {
	j, b := o.j, o.j.b
	o.applicant()
	b.open(fmt.Sprintf("/permohonan/%d", id))
	b.wantText("Selesai", "siti.rahma@mail.go.id", "Tampilkan password")
	j.shot("selesai")
	b.clickText("main", "Tampilkan password")
	b.wantText("Password awal:", "Catat password ini sekarang")
	pw := eval[string](b, `document.querySelector("code.password").textContent`)
	if len(pw) < 12 {
		b.fatalf("password shown: %q", pw)
	}
	j.shot("password")
	b.open(fmt.Sprintf("/permohonan/%d", id))
	b.wantText("sudah ditampilkan")
	b.wantNoText(pw, "Tampilkan password")
	for _, m := range j.srv.Mail.Messages() {
		if strings.Contains(m.Text, pw) {
			b.fatalf("an e-mail carries the password: %s", m.Subject)
		}
	}
}

// refused is the applicant's side of a refusal: the reason and Ajukan Ulang.
func (o *office) refused(id int64) {
	j, b := o.j, o.j.b
	o.applicant()
	b.open(fmt.Sprintf("/permohonan/%d", id))
	b.wantText("Ditolak", "NIP bukan milik pemohon", "Ajukan Ulang")
	j.shot("ditolak")
	// Ajukan Ulang: a new draft prefilled from the refused request.
	b.clickText("main", "Ajukan Ulang")
	b.waitJS("the new draft's form", `!!document.querySelector("#f-nip")`, actionTimeout)
	if v := b.value("#f-nip"); v != "196109231991031004" {
		b.fatalf("NIP not prefilled from the refused request: %q", v)
	}
	if v := b.value("#f-mailbox"); v != "siti.rahma" {
		b.fatalf("address not prefilled: %q", v)
	}
	j.shot("ajukan-ulang")
}

// audited checks the trail verifies and lists the staff's actions.
func (o *office) audited(id int64) {
	b := o.j.b
	rep, err := o.j.srv.App.Store.VerifyAudit(context.Background())
	if err != nil || rep.Break != nil {
		b.fatalf("audit: %+v, %v", rep, err)
	}
	trail, err := o.j.srv.App.Store.AuditTrail(context.Background(), fmt.Sprintf("request:%d", id))
	if err != nil || len(trail) < 2 {
		b.fatalf("trail: %d entries, %v", len(trail), err)
	}
}
