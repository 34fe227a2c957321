package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/store"
)

// Static files and the pages rendered once for every visitor go out gzip-compressed to
// a client that accepts it, the same bytes once decompressed; a signed-in page, made for
// one user, goes out as written.
func TestGzip(t *testing.T) {
	h := start(t, store.SQLite, nil)
	// Go's transport asks for gzip and decompresses by itself unless told not to; this
	// client shows the answer as sent.
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	fetch := func(path, enc string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		for _, c := range h.c.Jar.Cookies(req.URL) {
			req.AddCookie(c)
		}
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	gunzip := func(b []byte) []byte {
		t.Helper()
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("not gzip: %v", err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// same checks one URL both ways; it returns the compressed size over the plain one.
	same := func(path, ctype string) float64 {
		t.Helper()
		pr, plain := fetch(path, "")
		zr, z := fetch(path, "gzip, deflate, br")
		if pr.StatusCode != 200 || zr.StatusCode != 200 {
			t.Fatalf("%s: statuses %d, %d", path, pr.StatusCode, zr.StatusCode)
		}
		if pr.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s without Accept-Encoding: Content-Encoding %q", path, pr.Header.Get("Content-Encoding"))
		}
		if zr.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s with Accept-Encoding gzip: Content-Encoding %q", path, zr.Header.Get("Content-Encoding"))
		}
		for _, r := range []*http.Response{pr, zr} {
			if !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s: Vary %q lacks Accept-Encoding", path, r.Header.Get("Vary"))
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), ctype) {
				t.Errorf("%s: Content-Type %q, want %s", path, r.Header.Get("Content-Type"), ctype)
			}
		}
		if !bytes.Equal(gunzip(z), plain) {
			t.Errorf("%s: the compressed answer is not the plain one", path)
		}
		if zr.ContentLength != int64(len(z)) {
			t.Errorf("%s: Content-Length %d, body %d bytes", path, zr.ContentLength, len(z))
		}
		return float64(len(z)) / float64(len(plain))
	}

	_, page := fetch("/daftar", "")
	js := regexp.MustCompile(`/static/[0-9a-f]{12}/vendor/altcha/altcha\.js`).FindString(string(page))
	css := regexp.MustCompile(`/static/[0-9a-f]{12}/app\.css`).FindString(string(page))
	if js == "" || css == "" {
		t.Fatalf("register page links no captcha script or stylesheet:\n%s", page)
	}
	if ratio := same(js, "text/javascript"); ratio > 0.5 {
		t.Errorf("captcha script compressed to %.0f %% of its size", ratio*100)
	}
	same(css, "text/css")
	if r, _ := fetch(css, "gzip;q=0"); r.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 answered with %q", r.Header.Get("Content-Encoding"))
	}
	// The login form: first request renders and caches it, the next ones come from memory.
	same("/masuk", "text/html")
	same("/masuk", "text/html")
	same("/", "text/html")
	// The other anonymous pages a phone opens first: Daftar and Lupa Password with their
	// captcha, and the SOP's public page.
	same("/daftar", "text/html")
	same("/lupa-password", "text/html")
	same("/alur-layanan", "text/html")
	same("/alur-layanan", "text/html")

	h.signup("siti@example.com")
	r, b := fetch("/akun", "gzip")
	if r.StatusCode != 200 || r.Header.Get("Content-Encoding") != "" || !bytes.Contains(b, []byte(`action="/akun"`)) {
		t.Fatalf("signed-in Akun Saya: %d, Content-Encoding %q", r.StatusCode, r.Header.Get("Content-Encoding"))
	}
}
