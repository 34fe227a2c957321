package e2e

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/surel-id/surel/internal/store"
)

// deskTenant is a tenant file whose front desk applicants are sent to.
func deskTenant(t *testing.T) string {
	cfg := filepath.Join(t.TempDir(), "tenants.yaml")
	os.WriteFile(cfg, []byte(`tenants:
  - slug: kaltim
    name: Diskominfo Kaltim
    mail_domain: kaltimprov.go.id
    front_desk:
      address: Jl. Basuki Rahmat No. 41, Samarinda
      hours: Senin–Kamis 08.00–16.00 WITA
      phone: (0541) 733333
`), 0o600)
	return cfg
}

// Served over plain HTTP at a name other than localhost, the browser gives the page no
// Web Crypto and the captcha cannot run: the page says so, in the user's language, and
// points to HTTPS and the front desk, instead of spinning on "Memeriksa…" for ever.
func TestCaptchaOnPlainHTTP(t *testing.T) {
	chromium(t)
	srv := startServerEnv(t, store.SQLite, map[string]string{"SUREL_CONFIG": deskTenant(t)})
	u, _ := url.Parse(srv.URL)
	shots := screenshotDir(t, "sqlite", "http-*.png")
	// surel.test resolves to the server: an http:// origin that is not localhost.
	insecureBase := "http://surel.test:" + u.Port()
	b := newBrowserWith(t, insecureBase, shots, chromedp.Flag("host-resolver-rules", "MAP surel.test 127.0.0.1"))
	b.step = "register over plain HTTP"
	b.open("/daftar")
	if eval[bool](b, `window.isSecureContext`) {
		b.fatalf("http://surel.test is a secure context: the test cannot show the trap")
	}
	b.waitJS("the plain-HTTP message", `!document.getElementById("captcha-insecure").hidden`, actionTimeout)
	if eval[bool](b, `!!document.querySelector("altcha-widget")`) {
		b.fatalf("the captcha widget is still on the page")
	}
	b.wantIn("#captcha-insecure", "HTTP biasa")
	b.wantIn("#captcha-insecure", "HTTPS")
	b.wantIn("#captcha-insecure", "Jl. Basuki Rahmat No. 41, Samarinda")
	b.wantNoText("Memeriksa", "Terverifikasi")
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > phoneWidth {
		b.fatalf("/daftar is %d px wide at %d px", w, phoneWidth)
	}
	b.shot("http-daftar-id")
	b.open("/bahasa/en?next=/lupa-password")
	b.waitJS("the plain-HTTP message", `!document.getElementById("captcha-insecure").hidden`, actionTimeout)
	b.wantIn("#captcha-insecure", "plain HTTP")
	b.wantIn("#captcha-insecure", "the service desk of Diskominfo Kaltim")
	b.shot("http-lupa-password-en")
	plainShot(b, "http-daftar-desktop", 1366)

	// On a secure origin (127.0.0.1) the message stays hidden and the widget works.
	sb := newBrowser(t, srv.URL, shots)
	sb.step = "register on a secure origin"
	sb.open("/daftar")
	sb.waitCaptcha(`form[action="/daftar"]`)
	if !eval[bool](sb, `document.getElementById("captcha-insecure").hidden`) {
		sb.fatalf("the plain-HTTP message shows on a secure origin")
	}
}

// With JavaScript off, the captcha's place says honestly what to do (turn it on, or go to
// the front desk named in the tenant file), and a form sent anyway is answered with the
// same, the typed values kept; nothing asks to tick a box that is not there.
func TestCaptchaWithoutJavaScript(t *testing.T) {
	chromium(t)
	srv := startServerEnv(t, store.SQLite, map[string]string{"SUREL_CONFIG": deskTenant(t)})
	b := newBrowser(t, srv.URL, screenshotDir(t, "sqlite", "nojs-*.png"))
	b.step = "register without JavaScript"
	b.do("turn JavaScript off", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	})
	b.open("/daftar")
	b.wantText("membutuhkan JavaScript", "Jl. Basuki Rahmat No. 41, Samarinda", "(0541) 733333")
	b.wantNoText("Centang", "Saya bukan robot", "Terverifikasi")
	plainShot(b, "nojs-daftar", phoneWidth)
	b.fill("#f-first_name", "Siti")
	b.fill("#f-last_name", "Rahma")
	b.fill("#f-email", "siti@example.com")
	b.fill("#f-phone", "081234567890")
	b.fill("#f-password", "rahasia123")
	b.fill("#f-password2", "rahasia123")
	b.click(`form[action="/daftar"] button[type=submit]`)
	b.wantPath("/daftar")
	msg := b.fieldError("captcha")
	for _, want := range []string{"tanpa JavaScript", "Jl. Basuki Rahmat No. 41, Samarinda", "(0541) 733333"} {
		if !strings.Contains(msg, want) {
			b.fatalf("captcha message %q lacks %q", msg, want)
		}
	}
	b.wantNoText("Centang", "Saya bukan robot")
	if v := b.value("#f-email"); v != "siti@example.com" {
		b.fatalf("typed e-mail lost: %q", v)
	}
	plainShot(b, "nojs-daftar-sent", phoneWidth)
	plainShot(b, "nojs-daftar-sent-desktop", 1366)
}

// plainShot saves a screenshot of the page at width px (phoneWidth or a desktop's 1366)
// without running script in the page, which b.shot does to settle long pages and which
// a page with JavaScript off never answers; then it goes back to phone size.
func plainShot(b *browser, name string, width int64) {
	b.t.Helper()
	b.do("resize", chromedp.EmulateViewport(width, 900))
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644)
	}
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
	}
	b.do("phone size", chromedp.EmulateViewport(phoneWidth, phoneHeight))
}
