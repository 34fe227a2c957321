package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// TestJourney10Complaint is issue 18's complaints in Chromium at 360 px on both engines
// (Kaltim): a member of the public files one with the captcha (a wrong form comes back
// named, the typed text kept), gets its number and tracks it (a wrong contact finds
// nothing); an applicant files one about their request from the portal; the complaints
// officer (who is also the tenant admin) answers and closes both within their time
// standard; the complainants read the answers, in the mails too; the report and the
// standard page count them, in Indonesian and in English.
func TestJourney10Complaint(t *testing.T) {
	chromium(t)
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			srv := startServerEnv(t, d, map[string]string{"SUREL_CONFIG": kaltimTenant(t)})
			b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "pengaduan"), "[0-9][0-9]-*.png", "FAILED-*.png"))
			j := &journey{t: t, b: b, srv: srv}
			tn := srv.App.Tenants.Default()
			o := &office{j: j, slug: "kaltim", staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
			officer := stafftest.New(t, srv.App.Staff, tn, "aduan@kaltim.go.id", sop.RolePengaduan, sop.RoleTenantAdmin)
			o.staff[sop.RolePengaduan] = officer
			var public, mine string
			j.step("p01 pengaduan publik", func() {
				b.open("/")
				b.click("a[href='/pengaduan']")
				b.wantPath("/pengaduan")
				b.wantText("Sampaikan Pengaduan", "Permohonan atau akun email bermasalah", "diselesaikan paling lama 14 hari kerja", "SP4N-LAPOR!")
				b.fill("#f-judul", "Akun email belum aktif")
				b.fill("#f-isi", "Pendek")
				b.waitCaptcha("form[action='/pengaduan']")
				b.click("form[action='/pengaduan'] button[type=submit]")
				b.wantText("Periksa kembali isian berikut")
				b.wantFieldError("nama", "Nama wajib diisi.")
				b.wantFieldError("email", "Isi Email atau Nomor HP (salah satu)")
				b.wantFieldError("kategori", "Pilih Kategori pengaduan.")
				b.wantFieldError("isi", "Isi pengaduan paling sedikit 20 karakter.")
				if b.value("#f-judul") != "Akun email belum aktif" || b.value("#f-isi") != "Pendek" {
					b.fatalf("typed text lost")
				}
				j.shot("publik-salah")
				b.fill("#f-nama", "Rina Warga")
				b.fill("#f-email", "rina@example.com")
				b.fill("#f-isi", "Sudah seminggu sejak permohonan, akun email dinas saya belum bisa dipakai.")
				j.tap("input[name=kategori][value=layanan]")
				b.waitCaptcha("form[action='/pengaduan']")
				b.click("form[action='/pengaduan'] button[type=submit]")
				b.wantPath("/pengaduan/terkirim")
				b.wantText("Pengaduan Anda diterima dengan nomor:", "Simpan nomor ini")
				public = eval[string](b, `document.getElementById("nomor-pengaduan").innerText`)
				if !strings.HasPrefix(public, "ADU-") {
					b.fatalf("number %q", public)
				}
				j.shot("publik-terkirim")
				if m := srv.Mail.Wait(t, "rina@example.com", 1, mailTimeout); !strings.Contains(m.Subject, public) {
					b.fatalf("receipt mail: %q", m.Subject)
				}
			})
			j.step("p02 lacak", func() {
				b.click("a[href^='/pengaduan/lacak']")
				if b.value("#f-nomor") != public {
					b.fatalf("the tracking form lost the number: %q", b.value("#f-nomor"))
				}
				b.fill("#f-kontak", "orang@lain.id")
				b.click("form[action='/pengaduan/lacak'] button[type=submit]")
				b.wantText("tidak ditemukan")
				b.wantNoText("Akun email belum aktif")
				b.fill("#f-kontak", "rina@example.com")
				b.click("form[action='/pengaduan/lacak'] button[type=submit]")
				b.wantText(public, "Menunggu tanggapan", "Akun email belum aktif", "Belum ada tanggapan")
				j.shot("lacak")
			})
			id := o.submitted(writePNG(t, 60, 40))
			j.step("p03 pengaduan pemohon", func() {
				o.applicant()
				b.click("a[href='/pengaduan/saya']")
				b.wantText("Anda belum pernah menyampaikan pengaduan.")
				// From the request's page: the complaint is about it.
				b.open(fmt.Sprintf("/permohonan/%d", id))
				b.click(fmt.Sprintf("a[href='/pengaduan?permohonan=%d']", id))
				b.wantText("Pengaduan dikirim atas nama Siti Rahma")
				if b.value("#f-permohonan") != fmt.Sprint(id) || eval[bool](b, `!!document.querySelector("altcha-widget, #f-nama")`) {
					b.fatalf("the request is not chosen, or a signed-in applicant is asked for a contact or the captcha")
				}
				j.tap("input[name=kategori][value=informasi]")
				b.fill("#f-judul", "Kapan permohonan saya diproses?")
				b.fill("#f-isi", "Permohonan saya belum berpindah langkah sejak dikirim.")
				j.shot("pemohon-form")
				b.click("form[action='/pengaduan'] button[type=submit]")
				b.waitJS("the complaint page", `location.pathname.startsWith("/pengaduan/saya/")`, actionTimeout)
				mine = b.path()
				b.wantText("terkirim", "Kapan permohonan saya diproses?", "Menunggu tanggapan")
				j.shot("pemohon-terkirim")
			})
			j.step("p04 petugas", func() {
				o.signIn(sop.RolePengaduan)
				b.click("a[href='/kantor/pengaduan']")
				b.wantText(public, "Kapan permohonan saya diproses?", "Sesuai SLA", "Rina Warga")
				j.shot("kantor-daftar")
				b.clickText("table", public)
				b.wantText("Masyarakat (tanpa akun)", "rina@example.com", "Sudah seminggu sejak permohonan")
				b.click("form:has(input[value=answer]) button[type=submit]")
				b.wantFieldError("tanggapan", "Tanggapan wajib diisi.")
				b.fill("#f-tanggapan", "Akun Anda sedang kami periksa di server mail.")
				b.click("form:has(input[value=answer]) button[type=submit]")
				b.wantText("Tanggapan untuk pengaduan " + public + " terkirim.")
				b.fill("#f-jawaban_akhir", "Akun sudah aktif; silakan masuk dengan password dari surat hasil.")
				b.click("form:has(input[value=close]) button[type=submit]")
				b.wantText("Pengaduan "+public+" ditutup.", "Selesai tepat waktu")
				j.shot("kantor-tutup")
				b.open("/kantor/pengaduan")
				b.wantNoText(public) // closed: off the open list
				b.click("table.tasks tbody tr a")
				b.wantText("Pemohon terdaftar")
				b.fill("#f-jawaban_akhir", "Permohonan Anda sudah diverifikasi dan menunggu disposisi Kepala Dinas.")
				b.click("form:has(input[value=close]) button[type=submit]")
				b.wantText("Selesai tepat waktu")
			})
			j.step("p05 jawaban", func() {
				for _, subj := range []string{"Tanggapan atas pengaduan " + public, "Pengaduan " + public + " selesai"} {
					deadline := time.Now().Add(mailTimeout)
					for !mailed(srv, "rina@example.com", subj) && time.Now().Before(deadline) {
						time.Sleep(50 * time.Millisecond)
					}
					if !mailed(srv, "rina@example.com", subj) {
						b.fatalf("no mail %q", subj)
					}
				}
				o.signOut()
				b.open("/pengaduan/lacak?nomor=" + public)
				b.fill("#f-kontak", "RINA@example.com")
				b.click("form[action='/pengaduan/lacak'] button[type=submit]")
				b.wantText("Akun Anda sedang kami periksa di server mail.", "Akun sudah aktif; silakan masuk", "Jawaban akhir", "Selesai")
				j.shot("lacak-jawaban")
				o.applicant()
				b.open("/notifikasi")
				b.wantText("selesai dengan jawaban akhir")
				b.open(mine)
				b.wantText("Permohonan Anda sudah diverifikasi", "Jawaban akhir", "Selesai")
				j.shot("pemohon-jawaban")
				b.open("/bahasa/en")
				b.open(mine)
				b.wantText("Final answer", "Closed", "Complaints officer")
				j.shot("pemohon-jawaban-en")
				b.open("/bahasa/id")
			})
			j.step("p06 laporan", func() {
				o.signIn(sop.RolePengaduan)
				b.open("/kantor/laporan/pengaduan")
				b.wantText("Pengaduan per kategori", "Permohonan atau akun email bermasalah", "Selesai tepat waktu", "100 %", "14 hari kerja")
				if n := eval[int](b, `document.querySelectorAll("svg.chart").length`); n < 1 {
					b.fatalf("no chart")
				}
				j.shot("laporan")
				csv, _ := b.fetchText("/kantor/laporan/pengaduan/kategori.csv")
				if !strings.Contains(csv, "Permohonan atau akun email bermasalah;14 hari kerja;1;1;1;100") {
					b.fatalf("CSV:\n%s", csv)
				}
				b.open("/bahasa/en")
				b.open("/kantor/laporan/pengaduan")
				b.wantText("Complaints by category", "A request or e-mail account with a problem", "Closed in time")
				j.shot("laporan-en")
				b.open("/bahasa/id")
			})
			j.step("p07 standar", func() {
				o.signOut()
				b.open("/standar-pelayanan")
				b.wantText("Pengaduan selesai tepat waktu, 90 hari terakhir", "2 diterima, 2 selesai", "Menu Pengaduan di portal ini",
					"Standar waktu penanganan pengaduan", "Perilaku petugas atau dugaan penyimpangan: 60 hari kerja")
				b.wantIn("a.btn[href='/pengaduan']", "Menu Pengaduan")
				j.shot("standar")
				status, body := httpGet(t, srv.URL+"/standar-pelayanan.json?lang=en")
				var st struct {
					Complaints struct {
						Categories []struct {
							Name string `json:"name"`
							Days int    `json:"working_days"`
						} `json:"categories"`
						Filed  int `json:"filed"`
						Closed int `json:"closed"`
					} `json:"complaints"`
				}
				if status != 200 || json.Unmarshal([]byte(body), &st) != nil || st.Complaints.Filed != 2 || st.Complaints.Closed != 2 ||
					len(st.Complaints.Categories) != 3 || st.Complaints.Categories[2].Name != "Staff conduct or suspected irregularity" || st.Complaints.Categories[2].Days != 60 {
					b.fatalf("JSON %d: %s", status, body)
				}
				// The public's form in English, at 360 px.
				b.open("/bahasa/en")
				b.open("/pengaduan")
				b.wantText("File a complaint", "Your contact", "resolved within 14 working days", "Other complaint channels", "Open SP4N-LAPOR!")
				j.shot("pengaduan-en")
				b.open("/pengaduan/lacak")
				b.wantText("Track a complaint", "Complaint number")
				j.shot("lacak-en")
			})
			checkConsole(t, b)
		})
	}
}

// mailed reports whether a message with subj reached to.
func mailed(srv *server, to, subj string) bool {
	for _, m := range srv.Mail.Messages() {
		for _, r := range m.To {
			if strings.EqualFold(r, to) && strings.Contains(m.Subject, subj) {
				return true
			}
		}
	}
	return false
}
