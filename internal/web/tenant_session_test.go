package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
)

// An applicant's session is valid only on its own tenant's hosts: tenant A's cookie sent
// with tenant B's host opened B's Akun Saya and let it start a request in B, skipping B's
// registration and password rules (issue 12).
func TestSessionBoundToTenant(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarness(t, d)
			h.signup("siti@example.com") // on 127.0.0.1: tenant kominfo
			if r := h.get("/akun"); r.status != 200 {
				t.Fatalf("own tenant: %d", r.status)
			}
			if r := h.post("/akun", profileForm); r.status != 303 {
				t.Fatalf("profile: %d", r.status)
			}
			send := func(method, path string, form url.Values) resp {
				var body *strings.Reader
				if form != nil {
					body = strings.NewReader(form.Encode())
				} else {
					body = strings.NewReader("")
				}
				req, _ := http.NewRequest(method, h.srv.URL+path, body)
				req.Host = "kaltim.test"
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("Sec-Fetch-Site", "same-origin")
				}
				for _, c := range h.c.Jar.Cookies(mustURL(h.srv.URL)) {
					req.AddCookie(c)
				}
				return h.send(h.client(), req)
			}
			if r := send("GET", "/akun", nil); r.status != 303 || !strings.HasPrefix(r.loc, "/masuk") {
				t.Fatalf("kominfo's session on kaltim's Akun Saya: %d %s", r.status, r.loc)
			}
			if r := send("GET", "/permohonan", nil); r.status != 303 || !strings.HasPrefix(r.loc, "/masuk") {
				t.Fatalf("kominfo's session on kaltim's requests: %d %s", r.status, r.loc)
			}
			if r := send("POST", "/tambah-permohonan/email", url.Values{"jenis": {"pns"}}); r.status != 401 {
				t.Fatalf("kominfo's session starting a request in kaltim: %d %s", r.status, r.loc)
			}
			if r := send("GET", "/masuk", nil); r.status != 200 || strings.Contains(r.body, "Keluar") {
				t.Fatalf("kaltim's login page shows someone signed in: %d", r.status)
			}
			// The session itself lives on: back on its own host it still works.
			if r := h.get("/akun"); r.status != 200 {
				t.Fatalf("own tenant after the attempt: %d", r.status)
			}
		})
	}
}
