//go:build browser && unix

// This test runs the vendored ALTCHA widget in headless Chromium against this
// package, under the Content-Security-Policy setups documented in README.md.
// It is behind the "browser" build tag because CI has no browser; run it after
// updating the vendored widget:
//
//	apt-get install chromium
//	go test -tags browser -run TestWidgetInBrowser -v ./internal/captcha/
//
// Set CHROMIUM to the browser binary if it is not called "chromium".

package captcha

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// vendorDir is where the widget is vendored, relative to this package.
const vendorDir = "../web/static/vendor/altcha"

// inlineStyleHash is the CSP hash of the <style> element the bundle injects
// into <head>; README.md tells the web layer to use it.
const inlineStyleHash = "'sha256-pg+oQARqMq4wCazyrsMt8HY89BJkXkEFkwNWxg2iPdg='"

// glueJS submits the form once the widget has verified, with what the page
// shows, so the server side of the test can check it. It is a file rather
// than an inline script so that script-src 'self' applies to it too.
const glueJS = `
const w = document.querySelector('altcha-widget');
const f = document.getElementById('f');
const t0 = performance.now();
// auto="onfocus": solving starts when the visitor enters the form.
document.getElementById('nama').focus();
w.addEventListener('statechange', (ev) => {
  if (ev.detail.state === 'error') {
    fetch('/widget-error', {method: 'POST', body: 'widget entered error state'});
  }
});
w.addEventListener('verified', () => {
  requestAnimationFrame(() => {
    const box = document.querySelector('.altcha');
    f.elements.label.value = (document.querySelector('.altcha-label') || {}).textContent || '';
    f.elements.display.value = box ? getComputedStyle(box).display : '';
    f.elements.links.value = String(document.querySelectorAll('altcha-widget a').length);
    f.elements.ms.value = String(Math.round(performance.now() - t0));
    f.submit();
  });
});
`

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>captcha e2e</title>
{{if .ExternalCSS}}<link id="__altcha-css" rel="stylesheet" href="/static/altcha.css">{{end}}
<script type="module" src="/static/altcha.js"></script>
<script type="module" src="/glue.js"></script>
</head>
<body>
<form id="f" method="post" action="/submit">
<label for="nama">Nama</label> <input id="nama" name="nama" type="text">
<altcha-widget challengeurl="/captcha/challenge" name="altcha" auto="onfocus" hidelogo hidefooter
  {{if .WorkerURL}}workerurl="{{.WorkerURL}}"{{end}}
  strings="{{.Strings}}"></altcha-widget>
<input type="hidden" name="label"><input type="hidden" name="display">
<input type="hidden" name="links"><input type="hidden" name="ms">
<button type="submit">Kirim</button>
</form>
</body>
</html>`))

// idStrings is the strings attribute recommended in README.md.
const idStrings = `{"label":"Saya bukan robot","verifying":"Memverifikasi...","verified":"Terverifikasi","verificationRequired":"Verifikasi diperlukan!","waitAlert":"Memverifikasi... harap tunggu.","error":"Verifikasi gagal. Coba lagi nanti.","expired":"Verifikasi telah kedaluwarsa. Coba lagi.","loading":"Memuat...","verify":"Verifikasi","reload":"Muat ulang","enterCode":"Masukkan kode","enterCodeAria":"Masukkan kode yang Anda dengar. Tekan Spasi untuk memutar audio.","getAudioChallenge":"Dapatkan tantangan audio","ariaLinkLabel":"Kunjungi Altcha.org","footer":""}`

type browserResult struct {
	verifyErr error
	label     string
	display   string
	links     string
	ms        string
	took      int64
}

func TestWidgetInBrowser(t *testing.T) {
	bin := os.Getenv("CHROMIUM")
	if bin == "" {
		bin = "chromium"
	}
	if _, err := exec.LookPath(bin); err != nil {
		t.Skipf("no browser (%v); install chromium or set CHROMIUM", err)
	}

	cases := []struct {
		name string
		// csp is the page's policy; %s is replaced by the server origin.
		csp         string
		externalCSS bool
		workerURL   bool
	}{
		{
			name: "single bundle, style hash, blob worker",
			csp: "default-src 'none'; script-src 'self'; style-src 'self' " + inlineStyleHash +
				"; worker-src blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; report-uri /csp-report",
		},
		{
			name: "strict: external css and worker file",
			csp: "default-src 'none'; script-src 'self'; style-src 'self'; worker-src 'self'" +
				"; connect-src 'self'; form-action 'self'; base-uri 'none'; report-uri /csp-report",
			externalCSS: true,
			workerURL:   true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svc := New(testKey, Options{})
			results := make(chan browserResult, 1)
			var mu sync.Mutex
			var problems []string
			report := func(format string, args ...any) {
				mu.Lock()
				defer mu.Unlock()
				problems = append(problems, fmt.Sprintf(format, args...))
			}

			mux := http.NewServeMux()
			srv := httptest.NewServer(mux)
			defer srv.Close()

			mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.Dir(vendorDir))))
			mux.Handle("/captcha/challenge", svc.ChallengeHandler())
			mux.HandleFunc("GET /glue.js", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/javascript")
				io.WriteString(w, glueJS)
			})
			mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Security-Policy", tc.csp)
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				data := map[string]any{"ExternalCSS": tc.externalCSS, "Strings": idStrings}
				if tc.workerURL {
					// The widget calls new URL(workerurl) without a base,
					// so the URL must be absolute.
					data["WorkerURL"] = srv.URL + "/static/worker.js"
				}
				if err := pageTmpl.Execute(w, data); err != nil {
					report("template: %v", err)
				}
			})
			mux.HandleFunc("POST /csp-report", func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				report("CSP violation: %s", b)
			})
			mux.HandleFunc("POST /widget-error", func(w http.ResponseWriter, r *http.Request) {
				report("widget reported its error state")
			})
			mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
				if err := r.ParseForm(); err != nil {
					report("form: %v", err)
					return
				}
				var took int64
				if p, err := decodePayload(r.PostForm.Get("altcha")); err == nil {
					took = p.Took
				}
				res := browserResult{
					took:      took,
					verifyErr: svc.Verify(context.Background(), r.PostForm.Get("altcha")),
					label:     r.PostForm.Get("label"),
					display:   r.PostForm.Get("display"),
					links:     r.PostForm.Get("links"),
					ms:        r.PostForm.Get("ms"),
				}
				select {
				case results <- res:
				default:
				}
				io.WriteString(w, "ok")
			})

			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			profile, err := os.MkdirTemp("", "captcha-chromium-")
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(ctx, bin,
				"--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
				"--disable-extensions", "--disable-background-networking",
				"--user-data-dir="+profile, srv.URL+"/")
			// Chromium forks helpers; run it in its own process group and
			// end that whole group, so nothing outlives the test.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
			if err := cmd.Start(); err != nil {
				t.Fatalf("starting browser: %v", err)
			}
			defer func() {
				cancel()
				_ = cmd.Wait()
				// Helpers may still be exiting; the profile is scratch.
				time.Sleep(200 * time.Millisecond)
				_ = os.RemoveAll(profile)
			}()

			var res browserResult
			select {
			case res = <-results:
			case <-ctx.Done():
				mu.Lock()
				t.Fatalf("the browser never submitted a solved form; problems: %v", problems)
				mu.Unlock()
			}
			// Give late CSP reports a moment to arrive.
			time.Sleep(500 * time.Millisecond)

			if res.verifyErr != nil {
				t.Errorf("Verify of the browser's payload: %v", res.verifyErr)
			}
			if res.label != "Terverifikasi" {
				t.Errorf("label after verification = %q, want the Indonesian string from the strings attribute", res.label)
			}
			if res.display != "flex" {
				t.Errorf(".altcha display = %q, want flex (widget CSS not applied)", res.display)
			}
			if res.links != "0" {
				t.Errorf("widget renders %s links despite hidelogo/hidefooter", res.links)
			}
			mu.Lock()
			for _, p := range problems {
				t.Error(p)
			}
			mu.Unlock()
			t.Logf("verified %s ms after the page started; the widget reports %d ms of hashing (DefaultMaxNumber=%d)", res.ms, res.took, DefaultMaxNumber)
		})
	}
}
