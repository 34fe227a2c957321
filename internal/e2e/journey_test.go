package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/mailtest"
)

// The applicant of journey 1.
const (
	firstName   = "Budi"
	lastName    = "Santoso"
	email       = "budi.santoso@example.com"
	phone       = "0812 3456 7890"
	password    = "rahasia123"
	newPassword = "baru12345"
	username    = "budi.santoso"
)

// TestJourney1PortalAccount clicks through PRODUCT.md journey 1 as a new applicant on a
// phone: register, activate by e-mail, complete Akun Saya, log out and in, forget the
// password, switch language, and use the forms with the keyboard.
func TestJourney1PortalAccount(t *testing.T) {
	chromium(t)
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			start := time.Now()
			srv := startServer(t, d)
			b := newBrowser(t, srv.URL, screenshotDir(t, string(d), "[0-9][0-9]-*.png", "FAILED-*.png"))
			j := &journey{t: t, b: b, srv: srv}
			j.step("01 beranda → Daftar", j.home)
			j.step("02 formulir kosong dan salah", j.registerErrors)
			j.step("03-04 daftar dengan captcha", j.register)
			j.step("05 aktivasi lewat email", j.activate)
			j.step("06 Akun Saya", j.profile)
			j.step("07 Keluar", j.logout)
			j.step("08 Masuk: gagal, captcha, email", j.login)
			j.step("09 Lupa password", j.forgotPassword)
			j.step("10 bahasa", j.language)
			j.step("11 keyboard, label, lebar layar", j.keyboard)
			t.Logf("%s: journey done in %v, screenshots in %s", d, time.Since(start).Round(time.Millisecond), b.shots)
			checkConsole(t, b)
		})
	}
}

type journey struct {
	t    *testing.T
	b    *browser
	srv  *server
	mail int // messages to the applicant already read
}

func (j *journey) step(name string, fn func()) {
	j.t.Helper()
	j.b.step = name
	t0 := time.Now()
	fn()
	j.t.Logf("step %-34s %v", name, time.Since(t0).Round(time.Millisecond))
}

// shot checks the page fits a phone screen, then saves the screenshot.
func (j *journey) shot(name string) {
	j.t.Helper()
	b := j.b
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > phoneWidth {
		b.fatalf("the page is %d px wide at %d px: it scrolls sideways", w, phoneWidth)
	}
	if keys := eval[[]string](b, `(document.body.innerText.match(/\b(?:field|hint|rule|nav|form|flash|login|register|profile|error|captcha|token|akun|registry)\.[a-z_0-9]+\b/g) || [])`); len(keys) > 0 {
		b.fatalf("untranslated catalogue keys on the page: %v", keys)
	}
	b.shot(name)
}

// nextMail waits for the next message to the applicant whose subject contains subj
// (case-insensitive), skipping none: an unexpected message in between fails.
func (j *journey) nextMail(subj string) mailtest.Message {
	j.t.Helper()
	j.mail++
	m := j.srv.Mail.Wait(j.t, email, j.mail, mailTimeout)
	if !strings.Contains(strings.ToLower(m.Subject), strings.ToLower(subj)) {
		j.b.fatalf("mail %d to %s has subject %q, want one containing %q", j.mail, email, m.Subject, subj)
	}
	return m
}

// 1. Home page → "Daftar".
func (j *journey) home() {
	b := j.b
	b.open("/")
	if lang := eval[string](b, `document.documentElement.lang`); lang != "id" {
		b.fatalf("<html lang=%q>, want id by default", lang)
	}
	b.wantText("Email resmi pemerintah untuk ASN", "Cara mengajukan", "Masuk", "Daftar")
	j.shot("beranda")
	b.clickText("main", "Daftar")
	b.wantPath("/daftar")
	b.wantText("Pendaftaran Akun Layanan", "Nama Depan", "Nama Belakang", "Nomor HP", "Ulangi Password", "Kode Unik")
}

// 2. The empty form, then a wrong one: each message by its field, the summary on top,
// what was typed kept, passwords not.
func (j *journey) registerErrors() {
	b := j.b
	// With the challenge unreachable the widget cannot solve, so the captcha's own
	// message shows too, deterministically.
	b.blockURLs("*://*:*/captcha/challenge*")
	b.open("/daftar")
	b.waitJS("the captcha widget to give up", `document.querySelector("altcha-widget .altcha[data-state=error]")`, captchaTimeout)
	j.shot("daftar-captcha-gagal")
	b.blockURLs()
	b.click(`form[action="/daftar"] button[type=submit]`)
	b.wantPath("/daftar")
	b.wantIn("#galat", "Periksa kembali isian berikut:")
	for name, msg := range map[string]string{
		"first_name": "Nama Depan wajib diisi.",
		"email":      "Email wajib diisi.",
		"phone":      "Nomor HP wajib diisi.",
		"password":   "Password wajib diisi.",
		"captcha":    "Kode Unik belum diselesaikan.",
	} {
		b.wantFieldError(name, msg)
		b.wantIn("#galat", msg)
	}
	if got := b.fieldError("last_name"); got != "" {
		b.fatalf("the optional Nama Belakang shows %q", got)
	}
	if focused := eval[string](b, `document.activeElement && document.activeElement.id || ""`); focused != "" && focused != "galat" {
		// Not required, but focus must not land somewhere odd.
		b.t.Logf("focus after the error is on #%s", focused)
	}
	j.shot("daftar-kosong")

	b.fill("#f-first_name", firstName)
	b.fill("#f-email", email)
	b.fill("#f-phone", "12345")
	b.fill("#f-password", "abcdef")
	b.fill("#f-password2", "abcdef")
	b.waitCaptcha(`form[action="/daftar"]`)
	b.click(`form[action="/daftar"] button[type=submit]`)
	b.wantPath("/daftar")
	b.wantFieldError("password", "Password harus kombinasi huruf dan angka.")
	b.wantFieldError("phone", "Nomor HP harus nomor HP Indonesia")
	for _, name := range []string{"first_name", "email", "captcha"} {
		if got := b.fieldError(name); got != "" {
			b.fatalf("field %s shows %q after valid input", name, got)
		}
	}
	for sel, want := range map[string]string{"#f-first_name": firstName, "#f-email": email, "#f-phone": "12345",
		"#f-password": "", "#f-password2": ""} {
		if got := b.value(sel); got != want {
			b.fatalf("%s holds %q after the error, want %q", sel, got, want)
		}
	}
	j.shot("daftar-salah")
}

// 3–4. The captcha solves itself; valid data → "periksa email".
func (j *journey) register() {
	b := j.b
	b.fill("#f-first_name", firstName)
	b.fill("#f-last_name", lastName)
	b.fill("#f-email", email)
	b.fill("#f-phone", phone)
	b.fill("#f-password", password)
	b.fill("#f-password2", password)
	b.waitCaptcha(`form[action="/daftar"]`)
	b.wantIn("#f-captcha altcha-widget", "Terverifikasi")
	j.shot("daftar-terisi")
	b.clickText("form[action=\"/daftar\"]", "Daftar")
	b.wantPath("/daftar/periksa-email")
	if !strings.Contains(strings.ToLower(b.text()), "periksa email") {
		b.fatalf("the page does not say periksa email")
	}
	b.wantText("Lanjutkan Aktivasi Akun")
	j.shot("periksa-email")
}

// 5. The activation mail's link signs in and shows the username; the second mail has
// it too; the link a second time says the account is active.
func (j *journey) activate() {
	b := j.b
	m := j.nextMail("aktivasi")
	link := m.Link("/aktivasi/")
	if link == "" {
		b.fatalf("no /aktivasi/ link in the activation mail:\n%s", m.Text)
	}
	if !strings.HasPrefix(link, j.srv.URL+"/") {
		b.fatalf("activation link %s is not on %s", link, j.srv.URL)
	}
	if !strings.Contains(m.Text, "Lanjutkan Aktivasi Akun") {
		b.fatalf("the activation mail does not name the \"Lanjutkan Aktivasi Akun\" step:\n%s", m.Text)
	}
	b.open(link)
	b.wantPath("/akun")
	b.wantIn(".flash", "Akun Anda sudah aktif. Username Anda: "+username)
	b.wantText("Akun Saya", "Keluar")
	j.shot("aktif-akun-saya")

	welcome := j.nextMail("aktif")
	if !strings.Contains(welcome.Text, username) {
		b.fatalf("the second mail does not give the username %s:\n%s", username, welcome.Text)
	}

	b.open(link)
	b.wantText("Akun ini sudah aktif")
	j.shot("aktivasi-lagi")
}

// 6. Akun Saya: the missing fields, a wrong NIP explained next to it, then a complete
// profile.
func (j *journey) profile() {
	b := j.b
	b.open("/akun")
	b.wantIn(".notice", "Lengkapi data berikut sebelum mengajukan permohonan:")
	for _, f := range []string{"Jabatan", "Nama instansi", "Satuan kerja", "Alamat"} {
		b.wantIn(".notice ul", f)
	}
	b.wantIn(".facts", username)
	b.wantIn(".facts", email)
	// Nama lengkap was saved at activation from Nama Depan and Nama Belakang (issue 17):
	// filled in, and not in the missing list.
	if got := b.value("#f-full_name"); got != firstName+" "+lastName {
		b.fatalf("Nama lengkap starts as %q, want the names given at registration", got)
	}
	if strings.Contains(eval[string](b, `document.querySelector(".notice ul").innerText`), "Nama lengkap") {
		b.fatalf("Nama lengkap is listed as missing")
	}
	j.shot("akun-saya-belum-lengkap")

	profile := map[string]string{
		"#f-full_name":    firstName + " " + lastName + ", S.Kom.",
		"#f-jabatan":      "Pranata Komputer Ahli Pertama",
		"#f-instansi":     "Dinas Komunikasi dan Informatika",
		"#f-satuan_kerja": "Pemerintah Kabupaten Merangin",
		"#f-phone":        phone,
		"#f-address":      "Jl. Jenderal Sudirman No. 1, Bangko",
	}
	b.fill("#f-nip", "196102301991031004") // 30 February
	for sel, v := range profile {
		b.fill(sel, v)
	}
	b.click(`form[action="/akun"] button[type=submit]`)
	b.wantPath("/akun")
	b.wantFieldError("nip", "8 digit pertama harus tanggal lahir")
	b.wantIn("#galat", "Periksa kembali isian berikut:")
	for sel, v := range profile {
		if got := b.value(sel); got != v {
			b.fatalf("%s holds %q after the NIP error, want %q", sel, got, v)
		}
	}
	if got := b.value("#f-nip"); got != "196102301991031004" {
		b.fatalf("the wrong NIP was not kept for correction: %q", got)
	}
	j.shot("akun-saya-nip-salah")

	b.fill("#f-nip", "196109231991031004")
	b.click(`form[action="/akun"] button[type=submit]`)
	b.wantPath("/akun")
	b.wantIn(".flash", "Data diri tersimpan.")
	b.wantIn(".ok", "sudah lengkap")
	if eval[bool](b, `!!document.querySelector(".notice")`) {
		b.fatalf("the missing-fields notice is still shown")
	}
	if got := b.value("#f-nip"); got != "196109231991031004" {
		b.fatalf("saved NIP shows as %q", got)
	}
	j.shot("akun-saya-lengkap")
}

// 7. "Keluar" is a POST button in the header.
func (j *journey) logout() {
	b := j.b
	b.clickText("header", "Keluar")
	b.wantPath("/masuk")
	b.wantIn(".flash", "Anda sudah keluar.")
	j.shot("keluar")
	b.open("/akun")
	b.wantPath("/masuk") // signed out for real
}

// 8. Wrong passwords, the captcha after three, then the e-mail address as login name.
func (j *journey) login() {
	b := j.b
	b.open("/masuk")
	for i := 1; i <= 3; i++ {
		b.fill("#f-login", email)
		b.fill("#f-password", "salah-"+fmt.Sprint(i))
		b.click(`form[action="/masuk"] button[type=submit]`)
		b.wantPath("/masuk")
		b.wantIn("#galat", "Username/email atau password salah.")
		if got := b.value("#f-login"); got != email {
			b.fatalf("the login name was not kept: %q", got)
		}
		if got := b.value("#f-password"); got != "" {
			b.fatalf("the password came back in the form")
		}
		hasCaptcha := eval[bool](b, `!!document.querySelector('form[action="/masuk"] altcha-widget')`)
		if hasCaptcha != (i >= 3) {
			b.fatalf("after %d failures the captcha is shown = %v", i, hasCaptcha)
		}
	}
	j.shot("masuk-gagal-captcha")
	b.fill("#f-password", password)
	b.waitCaptcha(`form[action="/masuk"]`)
	b.click(`form[action="/masuk"] button[type=submit]`)
	b.wantPath("/akun")
	b.wantText("Akun Saya", username)
	j.shot("masuk-dengan-email")
}

// 9. Forgotten password: the neutral answer, the mailed link, the new password.
func (j *journey) forgotPassword() {
	b := j.b
	b.clickText("header", "Keluar")
	b.wantPath("/masuk")
	b.clickText("main", "Lupa password?")
	b.wantPath("/lupa-password")
	b.fill("#f-email", email)
	b.waitCaptcha(`form[action="/lupa-password"]`)
	b.click(`form[action="/lupa-password"] button[type=submit]`)
	b.wantText("Jika email itu terdaftar")
	j.shot("lupa-password-terkirim")

	m := j.nextMail("atur ulang")
	link := m.Link("/lupa-password/")
	if link == "" {
		b.fatalf("no /lupa-password/ link in the reset mail:\n%s", m.Text)
	}
	b.open(link)
	b.wantText("Buat password baru")
	b.fill("#f-password", newPassword)
	b.fill("#f-password2", newPassword)
	j.shot("password-baru")
	b.click(`main form button[type=submit]`)
	b.wantPath("/akun")
	b.wantIn(".flash", "Password baru tersimpan")

	b.clickText("header", "Keluar")
	b.fill("#f-login", username)
	b.fill("#f-password", password)
	b.click(`form[action="/masuk"] button[type=submit]`)
	b.wantIn("#galat", "Username/email atau password salah.") // the old one is gone
	b.fill("#f-password", newPassword)
	b.click(`form[action="/masuk"] button[type=submit]`)
	b.wantPath("/akun")
	b.wantText(username)
}

// 10. English from the footer, kept across pages; back to Indonesian.
func (j *journey) language() {
	b := j.b
	b.clickText("footer", "English")
	b.wantPath("/akun")
	if lang := eval[string](b, `document.documentElement.lang`); lang != "en" {
		b.fatalf("<html lang=%q> after choosing English", lang)
	}
	b.wantIn("h1", "My Account")
	b.wantIn("header", "Log out")
	b.wantText("Your details are complete")
	b.wantNoText("Akun Saya", "Keluar", "Simpan data diri")
	j.shot("english-my-account")

	b.open("/")
	b.wantText("Official government e-mail for civil servants", "My Account")
	b.clickText("header", "Log out")
	b.wantPath("/masuk")
	b.wantIn("h1", "Log in")
	b.wantIn(".flash", "You have logged out.")
	b.wantText("Forgot your password?")
	j.shot("english-log-in")

	b.clickText("footer", "Bahasa Indonesia")
	b.wantPath("/masuk")
	b.wantIn("h1", "Masuk")
	b.wantText("Lupa password?")
}

// 11. Keyboard and layout: the skip link comes first, every input has a label, nothing
// scrolls sideways on a phone.
func (j *journey) keyboard() {
	b := j.b
	b.open("/masuk")
	if tag := eval[string](b, `document.activeElement ? document.activeElement.tagName : ""`); tag != "BODY" {
		b.fatalf("focus starts on %s, want the top of the page", tag)
	}
	b.key(kb.Tab)
	got := eval[[]string](b, `(() => { const e = document.activeElement; const r = e.getBoundingClientRect();
		return [e.className, e.innerText, String(r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth)]; })()`)
	if got[0] != "skip" || got[1] != "Langsung ke isi" || got[2] != "true" {
		b.fatalf("the first Tab reaches %q %q (visible %s), want the skip link \"Langsung ke isi\" on screen", got[0], got[1], got[2])
	}
	j.shot("tab-skip-link")
	b.key(kb.Enter)
	b.waitJS("focus on <main>", `document.activeElement && document.activeElement.id === "isi"`, actionTimeout)
	b.key(kb.Tab)
	if id := eval[string](b, `document.activeElement.id`); id != "f-login" {
		b.fatalf("Tab after the skip link goes to #%s, want the first field #f-login", id)
	}

	for _, p := range []string{"/daftar", "/masuk", "/lupa-password", "/aktivasi"} {
		b.open(p)
		b.waitJS("the captcha widget to render", `!document.querySelector("altcha-widget") || document.querySelector("altcha-widget .altcha")`, actionTimeout)
		unlabelled := eval[[]string](b, `[...document.querySelectorAll("input, textarea, select")]
			.filter(e => e.type !== "hidden" && (!e.labels || e.labels.length === 0))
			.map(e => e.outerHTML.slice(0, 120))`)
		if len(unlabelled) > 0 {
			b.fatalf("%s: inputs without a <label for>: %v", p, unlabelled)
		}
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > phoneWidth {
			b.fatalf("%s is %d px wide at %d px", p, w, phoneWidth)
		}
	}
}

// TestCrossOriginPostRefused posts the login form of an existing account from another
// origin (a page on another port, as a malicious site would) and checks surel refuses
// it without signing anyone in.
func TestCrossOriginPostRefused(t *testing.T) {
	chromium(t)
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			srv := startServer(t, d)
			activeUser(t, srv)
			evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprintf(w, `<!doctype html><title>hadiah</title>
<form id="f" method="post" action="%s/masuk">
<input name="login" value="%s"><input name="password" value="%s"></form>
<script>document.getElementById("f").submit()</script>`, srv.URL, username, password)
			}))
			t.Cleanup(evil.Close)
			if evil.URL == srv.URL {
				t.Fatal("both servers on one origin")
			}

			b := newBrowser(t, srv.URL, screenshotDir(t, string(d), "xo-*.png"))
			b.step = "cross-origin login post"
			ectx, cancel := context.WithTimeout(b.ctx, 2*actionTimeout)
			defer cancel()
			responses := chromedp.Events(ectx, network.ResponseReceived)
			b.do("open the other site", chromedp.Navigate(evil.URL+"/"))
			b.waitJS("the post to surel", fmt.Sprintf(`location.href === %q && document.readyState === "complete"`, srv.URL+"/masuk"), actionTimeout)

			var status int64
			for ev, err := range responses {
				if err != nil {
					b.fatalf("no response to the cross-origin post: %v", err)
				}
				if ev.Type == network.ResourceTypeDocument && ev.Response.URL == srv.URL+"/masuk" {
					status = ev.Response.Status
					break
				}
			}
			if status != http.StatusForbidden {
				b.fatalf("the cross-origin post got %d, want 403", status)
			}
			b.wantText("Formulir ini dikirim dari situs lain dan ditolak demi keamanan.")
			b.save("xo-cross-origin-refused.png")
			for _, c := range b.cookies() {
				if c == "surel_sesi" {
					b.fatalf("the refused post set a session cookie")
				}
			}
			b.open("/akun")
			b.wantPath("/masuk")
		})
	}
}

// activeUser registers and activates the journey's applicant without the browser.
func activeUser(t *testing.T, srv *server) {
	t.Helper()
	ctx := context.Background()
	err := srv.App.Accounts.Register(ctx, srv.App.Tenants.Default(), account.RegisterInput{FirstName: firstName, LastName: lastName,
		Email: email, Phone: phone, Password: password, Password2: password})
	if err != nil {
		t.Fatal(err)
	}
	link := srv.Mail.Wait(t, email, 1, mailTimeout).Link("/aktivasi/")
	if _, err := url.Parse(link); link == "" || err != nil {
		t.Fatalf("activation link %q", link)
	}
	if status, body := httpGet(t, link); status != http.StatusSeeOther {
		t.Fatalf("activation: %d %s", status, body)
	}
}

// checkConsole fails on script errors and Content-Security-Policy violations, and logs
// the other errors (the HTTP errors the journey provokes on purpose, the captcha's
// failure while its challenge is blocked).
func checkConsole(t *testing.T, b *browser) {
	t.Helper()
	for _, m := range b.Console() {
		switch {
		case m.Type == chromedp.ConsoleException, strings.Contains(m.Text, "Content Security Policy"):
			t.Errorf("console: %s", m.Text)
		case strings.Contains(m.Text, "the server responded with a status of 4"):
			// 401, 422 and the like are the journey's own mistakes.
		case m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning:
			t.Logf("console: %s", m.Text)
		}
	}
}
