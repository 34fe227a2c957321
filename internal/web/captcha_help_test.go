package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"net/url"

	"github.com/surel-id/surel/internal/store"
)

// frontDeskHarness serves one tenant whose front desk is set in the tenant file.
func frontDeskHarness(t *testing.T) *harness {
	cfg := filepath.Join(t.TempDir(), "tenants.yaml")
	os.WriteFile(cfg, []byte(`tenants:
  - slug: kaltim
    name: Diskominfo Kaltim
    mail_domain: kaltimprov.go.id
    front_desk:
      address: Jl. Basuki Rahmat No. 41, Samarinda
      hours: Senin–Kamis 08.00–16.00 WITA
      phone: (0541) 733333
      email: layanan@diskominfo.kaltimprov.go.id
`), 0o600)
	return start(t, store.SQLite, map[string]string{"SUREL_CONFIG": cfg})
}

// An applicant without JavaScript is told so, and where the front desk is (from the
// tenant file); no message asks them to tick a box that their browser does not show.
func TestCaptchaWithoutJavaScript(t *testing.T) {
	h := frontDeskHarness(t)
	desk := []string{"Jl. Basuki Rahmat No. 41, Samarinda", "Senin–Kamis 08.00–16.00 WITA", "(0541) 733333", "layanan@diskominfo.kaltimprov.go.id"}
	for _, path := range []string{"/daftar", "/lupa-password", "/aktivasi"} {
		r := h.get(path)
		noscript := between(r.body, "<noscript>", "</noscript>")
		contains(t, noscript, append(desk, "membutuhkan JavaScript", `name="nojs"`)...)
		contains(t, r.body, `id="captcha-insecure" role="alert" hidden`, "lewat HTTP biasa", "HTTPS")
	}
	form := url.Values{"first_name": {"Siti"}, "last_name": {"Rahma"}, "email": {"siti@example.com"}, "phone": {"081234567890"},
		"password": {"rahasia123"}, "password2": {"rahasia123"}}
	// Sent by a browser without JavaScript: the <noscript> input came along.
	form.Set("nojs", "1")
	r := h.post("/daftar", form)
	if r.status != 422 {
		t.Fatalf("no-JS registration: %d", r.status)
	}
	msg := between(r.body, `id="e-captcha">`, "</p>")
	contains(t, msg, append(desk, "tanpa JavaScript")...)
	// With JavaScript but sent before the widget finished: wait, then send again.
	form.Del("nojs")
	r = h.post("/daftar", form)
	contains(t, between(r.body, `id="e-captcha">`, "</p>"), "Tunggu beberapa detik")
	for _, lang := range []string{"id", "en"} {
		h.get("/bahasa/" + lang)
		for _, f := range []url.Values{form, {"email": {"x@example.com"}, "nojs": {"1"}}, {"email": {"x@example.com"}, "altcha": {"rusak"}}} {
			for _, path := range []string{"/daftar", "/lupa-password"} {
				body := h.post(path, f).body
				msg := between(body, `id="e-captcha">`, "</p>")
				if msg == "" {
					t.Fatalf("%s %s: no captcha message", lang, path)
				}
				for _, box := range []string{"Centang", "centang", "Tick", "tick", "kotak", "box"} {
					if strings.Contains(msg, box) {
						t.Errorf("%s %s: captcha message %q asks to tick a box", lang, path, msg)
					}
				}
			}
		}
	}
	h.get("/bahasa/en")
	contains(t, between(h.get("/daftar").body, "<noscript>", "</noscript>"), "needs JavaScript", "the service desk of Diskominfo Kaltim", "phone (0541) 733333")
}

// between is the text of s after the first start and before the next end.
func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	if j := strings.Index(s, end); j >= 0 {
		return s[:j]
	}
	return s
}
