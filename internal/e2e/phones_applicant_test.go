package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
)

// TestApplicantOnPhone walks issue 17's applicant points at 360 px, in Indonesian and
// English: Tambah Permohonan in the menu and on the signed-in home; Nama lengkap from
// registration; the error summary taking the focus and the title; the dark focus ring;
// Kirim refused for the profile linking to Akun Saya and back; the request page's current
// step, deadline and service standard; the history as cards; the open request told on
// the catalogue and the Jenis Layanan page; the SOP's page as a vertical flow; English
// step names and outputs.
func TestApplicantOnPhone(t *testing.T) {
	chromium(t)
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			srv := startServer(t, d)
			b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join(string(d), "ponsel"), "[0-9][0-9]-*.png", "FAILED-*.png"))
			j := &journey{t: t, b: b, srv: srv}
			scan := writePNG(t, 60, 40)
			j.step("p01 akun baru", func() { j.freshApplicant("rina.wati@example.com", "Rina", "Wati") })
			j.step("p02 menu dan beranda", j.menuAndHome)
			var id string
			j.step("p03 formulir: galat dan fokus", func() { id = j.formErrors(scan) })
			j.step("p04 kirim ditolak: Akun Saya", func() { j.profileRoundTrip(id) })
			j.step("p05 halaman permohonan", func() { j.requestTop(id) })
			j.step("p06 permohonan kedua", func() { j.secondRequest(id) })
			j.step("p07 alur layanan", j.flowOnPhone)
			j.step("p08 english", func() { j.english(id) })
			checkConsole(t, b)
		})
	}
}

// freshApplicant registers and activates an account through the services and signs in:
// the profile is as activation leaves it.
func (j *journey) freshApplicant(addr, first, last string) {
	ctx := context.Background()
	a := j.srv.App
	tn := a.Tenants.Default()
	if err := a.Accounts.Register(ctx, tn, account.RegisterInput{FirstName: first, LastName: last, Email: addr, Phone: "081234567890",
		Password: password, Password2: password}); err != nil {
		j.b.fatalf("register: %v", err)
	}
	link := j.srv.Mail.Wait(j.t, addr, 1, mailTimeout).Link("/aktivasi/")
	if _, err := a.Accounts.Activate(ctx, tn, link[strings.LastIndex(link, "/")+1:]); err != nil {
		j.b.fatalf("activate: %v", err)
	}
	b := j.b
	b.open("/masuk")
	b.fill("#f-login", addr)
	b.fill("#f-password", password)
	b.click("form[action='/masuk'] button[type=submit]")
	b.wantPath("/akun")
	if v := b.value("#f-full_name"); v != first+" "+last {
		b.fatalf("Nama lengkap holds %q, want the names of the registration", v)
	}
	if eval[bool](b, `[...document.querySelectorAll(".notice li a")].some(a => a.getAttribute("href") === "#f-full_name")`) {
		b.fatalf("Nama lengkap is listed as missing")
	}
	j.shot("akun-saya-baru")
}

// menuAndHome: "Tambah Permohonan" is in the header menu and on the signed-in home page.
func (j *journey) menuAndHome() {
	b := j.b
	b.wantIn("header nav", "Tambah Permohonan")
	b.open("/")
	b.wantIn("main .hero", "Tambah Permohonan")
	j.shot("beranda-masuk")
	b.shotWide("beranda-masuk")
	b.clickText("main", "Tambah Permohonan")
	b.wantPath("/tambah-permohonan")
	if cur := eval[string](b, `(document.querySelector("header nav [aria-current=page]") || {}).textContent || ""`); cur != "Tambah Permohonan" {
		b.fatalf("the menu marks %q as the current page", cur)
	}
	b.wantNoText("masih berjalan")
	j.shot("tambah-permohonan-menu")
}

// formErrors fills the form badly: the summary has the focus, the title says "Galat",
// the focus ring has its dark inner ring; Enter in a field means Lanjut. It returns the
// draft's id with a complete form.
func (j *journey) formErrors(scan string) string {
	b := j.b
	b.clickText("main", "Ajukan")
	j.tap("input[value=pns]")
	b.click("#isi form button[type=submit]")
	id := strings.Split(strings.TrimPrefix(b.path(), "/permohonan/"), "/")[0]
	// "Perbarui pilihan wilayah" sits by the region lists, not at the end of the form.
	if !eval[bool](b, `(() => { const r = document.querySelector("button[value=refresh]"); const s = document.querySelector("#f-regency");
		return r && s && r.closest(".field") === s.closest(".field"); })()`) {
		b.fatalf("the region refresh button is not next to the region lists")
	}
	// Enter in the NIP field sends the form as "Lanjut", not as a refresh.
	b.fill("#f-nip", "1961")
	b.markPage()
	b.do("enter", chromedp.SendKeys(chromedp.CSS("#f-nip"), kb.Enter))
	b.waitNewPage()
	b.wantFieldError("nip", "NIP")
	if title := eval[string](b, `document.title`); !strings.HasPrefix(title, "Galat: ") {
		b.fatalf("title after errors %q, want it to start with \"Galat: \"", title)
	}
	if f := eval[string](b, `document.activeElement ? document.activeElement.id : ""`); f != "galat" {
		b.fatalf("focus after errors on #%s, want the summary #galat", f)
	}
	j.shot("formulir-galat-fokus")
	// The keyboard's focus ring: amber with a near-black ring inside it.
	b.do("tab", chromedp.KeyEvent(kb.Tab))
	ring := eval[[]string](b, `(() => { const s = getComputedStyle(document.activeElement); return [s.outlineColor, s.boxShadow]; })()`)
	if ring[0] != "rgb(255, 191, 71)" || !strings.Contains(ring[1], "rgb(11, 12, 12)") {
		b.fatalf("focus ring outline %q, box-shadow %q: want amber with a dark inner ring", ring[0], ring[1])
	}
	b.fill("#f-nip", "19610923 199103 1 004")
	j.upload("#f-doc_kepegawaian", scan)
	j.choose("#f-province", "15", "#f-regency")
	j.choose("#f-regency", "15.02", "")
	b.fill("#f-instansi", "Dinas Komunikasi dan Informatika")
	b.fill("#f-satuan_kerja", "Pemerintah Kabupaten Merangin")
	b.fill("#f-mailbox", "rina.wati")
	b.click("button[value=next]")
	if !strings.HasSuffix(b.path(), "/ringkasan") {
		b.fatalf("not on the summary: %s", b.path())
	}
	b.open("/permohonan")
	b.wantText("Belum dikirim")
	b.wantNoText("Draf Draf", "Draf (belum dikirim)")
	j.shot("daftar-draf")
	return id
}

// profileRoundTrip: Kirim is refused for the profile, the page links to Akun Saya and
// its missing fields; once saved, Akun Saya leads back to the waiting draft.
func (j *journey) profileRoundTrip(id string) {
	b := j.b
	b.open("/permohonan/" + id + "/ringkasan")
	b.clickText("main", "Kirim")
	b.wantIn("#galat", "Akun Saya")
	b.wantIn("#lengkapi", "Jabatan")
	j.shot("kirim-profil-kurang")
	b.click(`#lengkapi a[href="/akun#f-jabatan"]`)
	b.wantPath("/akun")
	b.fill("#f-jabatan", "Pranata Komputer")
	b.fill("#f-instansi", "Dinas Komunikasi dan Informatika")
	b.fill("#f-satuan_kerja", "Pemerintah Kabupaten Merangin")
	b.fill("#f-address", "Jl. Jenderal Sudirman No. 1, Bangko")
	b.click(`form[action="/akun"] button[type=submit]`)
	b.wantIn("#menunggu", "Lanjutkan permohonan")
	j.shot("akun-saya-menunggu")
	b.clickText("#menunggu", "Lanjutkan permohonan")
	b.wantPath("/permohonan/" + id + "/ringkasan")
	b.clickText("main", "Kirim")
	b.wantPath("/permohonan/" + id)
}

// requestTop: the current step, its deadline and the service's standard at the top; the
// history as cards whose every column is on screen.
func (j *journey) requestTop(id string) {
	b := j.b
	b.wantIn("#sekarang", "Tahap sekarang")
	b.wantIn("#sekarang", "Memverifikasi data pemohon")
	b.wantIn("#sekarang", "Batas Waktu")
	b.wantIn("#sekarang", "1–4 hari kerja")
	if due := eval[string](b, `document.querySelector("#sekarang div:nth-child(2) dd").innerText`); !strings.Contains(due, "WIB") {
		b.fatalf("the deadline at the top is %q", due)
	}
	for _, label := range []string{"Batas Waktu", "Status", "SLA"} {
		right := eval[float64](b, fmt.Sprintf(`(() => { const td = document.querySelector('.history td[data-label=%q]');
			if (!td || td.offsetParent === null) return 9999; return td.getBoundingClientRect().right; })()`, label))
		if right > phoneWidth {
			b.fatalf("the history's %s ends at %.0f px on a %d px screen", label, right, phoneWidth)
		}
	}
	j.shot("permohonan-atas")
	b.shotWide("permohonan-atas")
	// The receipt says the same (a PDF: its text is checked in the web tests).
}

// secondRequest: the catalogue and the Jenis Layanan page say a request is in flight,
// with a link to it.
func (j *journey) secondRequest(id string) {
	b := j.b
	b.open("/tambah-permohonan")
	b.wantIn("#berjalan", "masih berjalan")
	j.shot("tambah-permohonan-berjalan")
	b.clickText("main", "Ajukan")
	b.wantIn("#berjalan", "NIP atau SK yang sama")
	j.shot("jenis-layanan-berjalan")
	b.click("#berjalan a")
	b.wantPath("/permohonan/" + id)
}

// flowOnPhone: /alur-layanan's steps are a vertical flow of cards on a phone.
func (j *journey) flowOnPhone() {
	b := j.b
	b.open("/alur-layanan")
	if eval[bool](b, `document.querySelector(".flow-svg").offsetParent !== null`) {
		b.fatalf("the 900 px swimlane shows on a phone")
	}
	right := eval[float64](b, `Math.max(...[...document.querySelectorAll(".flow-steps td")].map(td => td.getBoundingClientRect().right))`)
	if right > phoneWidth {
		b.fatalf("a step card ends at %.0f px", right)
	}
	j.shot("alur-layanan")
	b.shotWide("alur-layanan")
}

// english: step names, outputs, the Position column and the standard in English.
func (j *journey) english(id string) {
	b := j.b
	b.open("/bahasa/en?next=" + "/permohonan/" + id)
	b.open("/permohonan/" + id)
	b.wantIn("#sekarang", "Current step")
	b.wantIn("#sekarang", "Verifies the applicant's data")
	b.wantIn("#sekarang", "1–4 working days")
	b.wantIn(".history thead", "Position")
	b.wantIn(".history", "Applies online for a mail.go.id account")
	b.wantIn(".history", "Service Verifier, mail.go.id")
	b.wantNoText("Memverifikasi data pemohon", "Mengajukan permohonan")
	j.shot("request-en")
	b.open("/tambah-permohonan")
	b.wantIn("#berjalan", "still in progress")
	b.open("/alur-layanan")
	// The office's job titles in English too (jabatan_en).
	b.wantText("Request verified", "Service Verifier, mail.go.id")
	b.wantNoText("Permohonan terverifikasi", "Verifikator Layanan")
	j.shot("alur-layanan-en")
	b.shotWide("alur-layanan-en")
	b.open("/bahasa/id")
}

// TestRequestFormWithoutJavaScript: the address suggestions are a plain form choice and
// the region lists refresh by their own button.
func TestRequestFormWithoutJavaScript(t *testing.T) {
	chromium(t)
	srv := startServer(t, "sqlite")
	b := newBrowser(t, srv.URL, screenshotDir(t, filepath.Join("sqlite", "ponsel"), "nojs-*.png"))
	j := &journey{t: t, b: b, srv: srv}
	j.readyApplicant("dewi.lestari@example.com", "Dewi", "Lestari")
	b.step = "form without JavaScript"
	b.open("/tambah-permohonan/email")
	j.tap("input[value=pns]")
	b.click("#isi form button[type=submit]")
	form := b.path()
	b.do("turn JavaScript off", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	})
	b.open(form)
	b.fill("#f-nip", "19610923 199103 1 004")
	b.do("province", chromedp.SetValue(chromedp.CSS("#f-province"), "15"))
	// The refresh button by the lists loads the regencies of the province.
	b.do("refresh", chromedp.Click(chromedp.CSS("button[value=refresh]")))
	b.waitJSOff("#f-regency option[value='15.02']")
	if v := b.value("#f-nip"); v != "196109231991031004" && v != "19610923 199103 1 004" {
		b.fatalf("NIP lost on refresh: %q", v)
	}
	// A suggestion is a button that sends the form with that address.
	sugg := b.value("button.suggestion")
	if !strings.HasPrefix(sugg, "alamat:") {
		b.fatalf("the suggestion's value is %q", sugg)
	}
	b.do("suggestion", chromedp.Click(chromedp.CSS("button.suggestion")))
	b.waitJSOff(fmt.Sprintf("#f-mailbox[value=%q]", strings.TrimPrefix(sugg, "alamat:")))
	plainShot(b, "nojs-formulir-saran", phoneWidth)
}

// waitJSOff waits for an element while the page's script is off: the test's own
// evaluations still run (they are not the page's script).
func (b *browser) waitJSOff(sel string) {
	b.t.Helper()
	b.waitJS(sel, fmt.Sprintf(`document.readyState === "complete" && document.querySelector(%q)`, sel), actionTimeout)
}
