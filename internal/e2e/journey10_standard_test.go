package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/printout/printouttest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
)

// TestJourney10Standard is issue 18's standard page in Chromium, at 360 px and on a
// desktop: each preset tenant publishes its standard from its own SOP and catalogue;
// on Kaltim (both engines) a refused request shows in the measured figures, the tenant
// admin's wrong LAPOR! link comes back named with the typed text kept, the saved parts
// are published, and the printed standard is a numbered letter whose QR code verifies.
func TestJourney10Standard(t *testing.T) {
	chromium(t)
	for _, preset := range []string{"kominfo", "pematangsiantar", "palangkaraya", "kaltim"} {
		engines := []store.Dialect{store.SQLite}
		if preset == "kaltim" {
			engines = dbtest.Engines(t)
		}
		for _, d := range engines {
			t.Run(preset+"/"+string(d), func(t *testing.T) {
				cfg := kaltimTenant(t)
				if preset != "kaltim" {
					cfg = filepath.Join(t.TempDir(), "tenants.yaml")
					os.WriteFile(cfg, []byte(fmt.Sprintf("tenants:\n  - slug: %s\n    name: Diskominfo %s\n    mail_domain: mail.go.id\n    sop: %s\n", preset, preset, preset)), 0o600)
				}
				srv := startServerEnv(t, d, map[string]string{"SUREL_CONFIG": cfg})
				b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "standar-"+preset), "[0-9][0-9]-*.png", "FAILED-*.png"))
				j := &journey{t: t, b: b, srv: srv}
				tn := srv.App.Tenants.Default()
				def, _, err := srv.App.Book.Workflow(t.Context(), tn.SOPRef())
				if err != nil {
					t.Fatal(err)
				}
				if preset != "kaltim" {
					j.step("s01 standar", func() {
						b.open("/standar-pelayanan")
						b.wantText("Standar pelayanan", "Pendaftaran Akun Email", "Persyaratan", "Tidak dipungut biaya", def.Steps[1].Name,
							"Selesai tepat waktu, 30 hari terakhir", "0 permohonan selesai", "Dasar hukum", "Jaminan pelayanan")
						j.shot("standar")
						b.shotWide("standar")
					})
					checkConsole(t, b)
					return
				}
				o := &office{j: j, slug: preset, staff: map[sop.Role]stafftest.Member{}, codes: map[sop.Role]int{}}
				for _, r := range []sop.Role{sop.RoleKepalaDinas, sop.RoleKepalaSeksi, sop.RoleTenantAdmin} {
					o.staff[r] = stafftest.New(t, srv.App.Staff, tn, strings.ReplaceAll(string(r), "_", "")+"@kaltim.go.id", r)
				}
				id := o.submitted(writePNG(t, 60, 40))
				j.step("s01 tolak", func() { o.act(id, sop.RoleKepalaDinas, "refuse", "Bukan PNS menurut data kepegawaian.") })
				j.step("s02 survei", func() {
					// The refusal's mail invites to the survey.
					var link string
					deadline := time.Now().Add(mailTimeout)
					for link == "" && time.Now().Before(deadline) {
						for _, m := range srv.Mail.Messages() {
							if strings.Contains(m.Subject, "ditolak") {
								link = m.Link("/survei")
							}
						}
						time.Sleep(50 * time.Millisecond)
					}
					if link != fmt.Sprintf("%s/permohonan/%d/survei", srv.URL, id) {
						b.fatalf("survey link in the refusal mail: %q", link)
					}
					o.applicant()
					b.open(fmt.Sprintf("/permohonan/%d", id))
					b.wantText("Survei Kepuasan Masyarakat", "Isi survei")
					b.click("#survei a.btn")
					b.wantText("Persyaratan", "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?", "Gratis", "Dikelola dengan baik")
					j.shot("survei")
					b.shotWide("survei")
					j.tap("input[name=u1][value='4']")
					j.tap("input[name=u4][value='4']")
					b.fill("#f-saran", "Terima kasih, jelas alasannya.")
					b.click("form.survey button[type=submit]")
					b.wantText("Periksa kembali isian berikut")
					if !eval[bool](b, `document.querySelector("input[name=u1][value='4']").checked`) || b.value("#f-saran") != "Terima kasih, jelas alasannya." {
						b.fatalf("the choices made were lost")
					}
					j.shot("survei-salah")
					for i, v := range []string{"", "3", "3", "", "3", "4", "4", "3", "3"} {
						if v != "" {
							j.tap(fmt.Sprintf("input[name=u%d][value='%s']", i+1, v))
						}
					}
					j.choose("#f-pendidikan", "d4_s1", "")
					b.click("form.survey button[type=submit]")
					b.wantPath(fmt.Sprintf("/permohonan/%d", id))
					b.wantText("Terima kasih, jawaban survei Anda tersimpan.")
					b.wantNoText("Isi survei")
					j.shot("survei-terima-kasih")
				})
				j.step("s03 laporan", func() {
					o.signIn(sop.RoleKepalaSeksi)
					b.open("/kantor/laporan/skm")
					// (4+3+3+4+3+4+4+3+3) ÷ 9 = 3,44 → 86,11, B.
					b.wantText("Survei kepuasan (IKM)", "86,11", "Baik", "Nilai per unsur", "3,44", "D4/S1", "Terima kasih, jelas alasannya.")
					b.wantNoText("Siti Rahma")
					j.shot("laporan-skm")
					b.shotWide("laporan-skm")
					ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
					defer cancel()
					csv, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("/kantor/laporan/skm/unsur.csv"+location.search, {credentials: "same-origin"}).then(r => r.text())`, chromedp.EvalAwaitPromise))
					if err != nil || !strings.Contains(csv, "U4 Biaya/tarif;4;4,00;0,44") {
						b.fatalf("CSV: %s", csv)
					}
				})
				j.step("s04 admin", func() {
					o.signIn(sop.RoleTenantAdmin)
					b.open("/kantor/standar-pelayanan")
					b.wantText("Dasar hukum", "Bawaan: Undang-Undang Nomor 25 Tahun 2009")
					b.fill("#f-cost", "Gratis, tanpa pungutan apa pun")
					b.fill("#f-lapor_url", "http://lapor.go.id")
					b.click("form[action='/kantor/standar-pelayanan'] button[type=submit]")
					b.wantFieldError("lapor_url", "Tautan SP4N-LAPOR! harus berupa alamat https:// yang lengkap.")
					if v := b.value("#f-cost"); v != "Gratis, tanpa pungutan apa pun" {
						b.fatalf("typed cost lost: %q", v)
					}
					j.shot("admin-salah")
					b.fill("#f-lapor_url", "https://prov.lapor.go.id/kaltim")
					b.click("form[action='/kantor/standar-pelayanan'] button[type=submit]")
					b.wantText("Standar pelayanan tersimpan.")
					b.click("form[action='/kantor/standar-pelayanan/terbitkan'] button[type=submit]")
					b.wantText("Standar pelayanan tercetak nomor")
					j.shot("admin")
					b.shotWide("admin")
				})
				j.step("s05 publik", func() {
					o.signOut()
					b.open("/standar-pelayanan")
					b.wantText("Standar pelayanan", "Diskominfo Prov. Kalimantan Timur", "Pendaftaran Akun Email", "PNS Umum", "Perangkat Desa",
						"Scan Kartu Pegawai atau SK Pengangkatan PNS (berkas JPG/PNG/GIF/PDF, paling besar 10 MB)",
						"Kepala Dinas Kominfo Prov. Kaltim", "1–3 jam", "Gratis, tanpa pungutan apa pun",
						"1 permohonan selesai", "100 %", "Kepala Dinas: 1", "Unduh standar pelayanan tercetak", "86,11 (B)", "Baik · 1 responden")
					b.wantIn("a[href='https://prov.lapor.go.id/kaltim']", "SP4N-LAPOR!")
					j.shot("standar")
					b.shotWide("standar")
					pdf := b.fetchPDF("/standar-pelayanan.pdf")
					codes := j.keepPages("standar-pelayanan", pdf)
					if len(codes) == 0 || !strings.HasPrefix(codes[0], srv.URL+"/verifikasi/") {
						b.fatalf("QR codes on the printed standard: %q", codes)
					}
					text, _ := printouttest.Text(pdf)
					for _, want := range []string{"STANDAR PELAYANAN", "Samarinda, ", "Gratis, tanpa pungutan apa pun", "100 % tepat waktu dari 1 permohonan", "WITA"} {
						if !strings.Contains(text, want) {
							b.fatalf("printed standard lacks %q:\n%s", want, text)
						}
					}
					b.open(codes[0])
					b.wantText("Verifikasi dokumen", "Standar Pelayanan")
					j.shot("verifikasi")
					status, body := httpGet(t, srv.URL+"/standar-pelayanan.json?lang=en")
					var st struct {
						Services []struct {
							Name string `json:"name"`
							Cost string `json:"cost"`
						} `json:"services"`
						Measured []struct {
							Days   int   `json:"days"`
							Closed int64 `json:"closed"`
						} `json:"measured"`
					}
					if status != 200 || json.Unmarshal([]byte(body), &st) != nil || len(st.Services) == 0 || st.Services[0].Name != "E-mail account registration" ||
						st.Measured[0].Closed != 1 || st.Services[0].Cost != "Gratis, tanpa pungutan apa pun" {
						b.fatalf("JSON %d: %s", status, body)
					}
				})
				checkConsole(t, b)
			})
		}
	}
}
