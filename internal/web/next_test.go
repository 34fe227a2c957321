package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
)

// Known open-redirect bypasses, as the next value arrives after query decoding: each
// must end on this site's default page, never at evil.example (issue 12).
var redirectBypasses = []string{
	"/\t/evil.example/",   // browsers drop tabs: //evil.example/
	"/\n/evil.example/",   // and newlines
	"/\r\n/evil.example/", //
	"/\x00/evil.example/",
	" //evil.example/", // leading space, stripped by browsers
	"//evil.example/",
	"///evil.example/",
	"/\\evil.example/", // browsers read \ as /
	"\\/evil.example/",
	"\\\\evil.example/",
	"/\\/evil.example/",
	"/%2f/evil.example/",  // %2f decodes to /: ///evil.example/ once a proxy decodes it
	"/%2F%2Fevil.example", //
	"%2f%2fevil.example/",
	"/%5cevil.example/", // %5c is \
	"/%09/evil.example/",
	"https://evil.example/",
	"https:evil.example/",
	"https:/\\evil.example/",
	"HTTPS://evil.example/",
	"javascript:alert(1)",
	"evil.example/",
	"/／evil.example/", // U+FF0F fullwidth solidus
	"／／evil.example/",
	"/∕evil.example/", // U+2215 division slash
	"/⁄evil.example/", // U+2044 fraction slash
	"/＼evil.example/", // U+FF3C fullwidth reverse solidus
	"/%EF%BC%8F/evil.example/",
}

// raw is h.do without the client's own checks: it returns a Location that Go's client
// refuses to parse (a control character in it) instead of failing, as a browser would
// receive it. Cookies come from and go to c's jar.
func (h *harness) raw(c *http.Client, method, path string, form url.Values) resp {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", h.srv.URL)
	}
	for _, ck := range c.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	r, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	c.Jar.SetCookies(req.URL, r.Cookies())
	return resp{r.StatusCode, r.Header.Get("Location"), string(b), r.Header}
}

func TestNextStaysOnSite(t *testing.T) {
	h := start(t, store.SQLite, map[string]string{"SUREL_AUTH_RATE": "1000"})
	for _, next := range redirectBypasses {
		if r := h.raw(h.c, "GET", "/bahasa/id?next="+url.QueryEscape(next), nil); r.status != 303 || r.loc != "/" {
			t.Errorf("/bahasa/id?next=%q: %d Location %q, want /", next, r.status, r.loc)
		}
	}
	// Paths of the site pass, queries and all.
	for _, next := range []string{"/akun", "/permohonan/5?status=selesai", "/kantor?q=Jos%C3%A9+S&hal=2", "/masuk?next=%2Fakun"} {
		if r := h.raw(h.c, "GET", "/bahasa/en?next="+url.QueryEscape(next), nil); r.loc != next {
			t.Errorf("next %q: Location %q", next, r.loc)
		}
	}

	// Before a login (the form keeps next), at the login, and on /masuk when signed in.
	h.signup("siti@example.com")
	h.post("/keluar", url.Values{})
	for _, next := range redirectBypasses {
		r := h.raw(h.c, "POST", "/masuk", url.Values{"login": {"siti@example.com"}, "password": {"rahasia123"}, "next": {next}})
		if r.status != 303 || r.loc != "/akun" {
			t.Fatalf("login with next=%q: %d Location %q, want /akun", next, r.status, r.loc)
		}
		if r := h.raw(h.c, "GET", "/masuk?next="+url.QueryEscape(next), nil); r.status != 303 || r.loc != "/akun" {
			t.Errorf("/masuk?next=%q signed in: %d Location %q, want /akun", next, r.status, r.loc)
		}
		h.post("/keluar", url.Values{})
	}
	r := h.post("/masuk", url.Values{"login": {"siti@example.com"}, "password": {"rahasia123"}, "next": {"/permohonan?status=selesai"}})
	if r.loc != "/permohonan?status=selesai" {
		t.Fatalf("a path of the site was not followed: %q", r.loc)
	}
}

// A staff member's next crosses the second factor and is checked at its end too.
func TestStaffNextStaysOnSite(t *testing.T) {
	h := staffHarness(t, store.SQLite)
	m := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "admin@kominfo.go.id", sop.RoleTenantAdmin)
	for i, next := range []string{"/\t/evil.example/", "/%5cevil.example/", "https://evil.example/", "/kantor/staf"} {
		c := h.client()
		r := h.raw(c, "POST", "/masuk", url.Values{"login": {m.Email}, "password": {m.Password}, "next": {next}})
		if r.status != 303 || !strings.HasPrefix(r.loc, "/masuk/verifikasi") {
			t.Fatalf("password: %d %q", r.status, r.loc)
		}
		r = h.raw(c, "POST", "/masuk/verifikasi", url.Values{"otp": {m.RecoveryCodes[i]}, "next": {next}})
		want := "/kantor"
		if next == "/kantor/staf" {
			want = next
		}
		if r.status != 303 || r.loc != want {
			t.Errorf("second factor with next=%q: %d Location %q, want %s", next, r.status, r.loc, want)
		}
	}
}
