package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// Mailed links lead to the tenant's own host (issue 12: every link was built on the one
// SUREL_BASE_URL, so a second tenant's applicant landed on the first tenant, which
// answered "Tautan ini tidak dikenal"). kaltim is served at kaltim.test, on the
// server's port.
func TestMailedLinksUseTenantHost(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarness(t, d)
			port := mustURL(h.srv.URL).Port()
			kaltimBase := "http://kaltim.test:" + port
			at := func(c *http.Client, method, path string, form url.Values) resp {
				t.Helper()
				var body *strings.Reader
				if form != nil {
					body = strings.NewReader(form.Encode())
				} else {
					body = strings.NewReader("")
				}
				req, _ := http.NewRequest(method, h.srv.URL+path, body)
				req.Host = "kaltim.test:" + port
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("Sec-Fetch-Site", "same-origin")
				}
				return h.send(c, req)
			}
			mailedLink := func(to, path string) string {
				t.Helper()
				h.runJobs()
				ms, _ := h.a.Store.Messages(context.Background(), to, 1)
				if len(ms) == 0 {
					t.Fatalf("no mail to %s", to)
				}
				l := regexp.MustCompile(`https?://\S+` + path + `\S*`).FindString(ms[0].Text)
				if !strings.HasPrefix(l, kaltimBase+path) {
					t.Fatalf("link %q in %q, want it on %s", l, ms[0].Subject, kaltimBase)
				}
				return mustURL(l).RequestURI()
			}

			c := h.client()
			if r := at(c, "POST", "/daftar", registration(h, "rina@example.com")); r.status != 303 {
				t.Fatalf("register on kaltim: %d", r.status)
			}
			act := mailedLink("rina@example.com", "/aktivasi/")
			// The link is kaltim's: on kominfo's host it is unknown, on kaltim's it works.
			if r := h.do(h.client(), "GET", act, nil); r.status != 404 {
				t.Fatalf("kaltim's link on kominfo: %d", r.status)
			}
			if r := at(c, "GET", act, nil); r.status != 303 || r.loc != "/akun" {
				t.Fatalf("activate on kaltim: %d %s", r.status, r.loc)
			}
			mailedLink("rina@example.com", "/masuk") // the welcome mail's login link

			at(h.client(), "POST", "/lupa-password", url.Values{"email": {"rina@example.com"}, "altcha": {h.solved()}})
			reset := mailedLink("rina@example.com", "/lupa-password/")
			if r := at(h.client(), "GET", reset, nil); r.status != 200 {
				t.Fatalf("reset form on kaltim: %d", r.status)
			}

			kaltim := h.a.Tenants.ForHost("kaltim.test")
			if _, _, err := h.a.Staff.Add(context.Background(), kaltim, staff.AddInput{FirstName: "Kabid", Email: "kabid@kaltimprov.go.id",
				Roles: []sop.Role{sop.RoleKepalaBidang}}, nil); err != nil {
				t.Fatal(err)
			}
			mailedLink("kabid@kaltimprov.go.id", "/lupa-password/")
		})
	}
}
