package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// fuzzTarget is one engine's server with a signed-in applicant and a signed-in staff
// member, made once per fuzz run: the fuzz function itself may not use the harness's
// helpers (they fail the F, not the run).
type fuzzTarget struct {
	h                  *harness
	applicant, officer *http.Client
}

func fuzzTargets(f *testing.F) []fuzzTarget {
	var out []fuzzTarget
	for _, d := range dbtest.Engines(f) {
		h := staffHarnessWith(f, d, map[string]string{"SUREL_AUTH_RATE": "1000000"})
		h.signup("siti@example.com")
		m := stafftest.New(f, h.a.Staff, h.a.Tenants.Default(), "kasi@kominfo.go.id", sop.RoleKepalaSeksi, sop.RoleFrontDesk)
		officer := h.client()
		h.signInStaff(officer, m)
		out = append(out, fuzzTarget{h: h, applicant: h.c, officer: officer})
	}
	return out
}

// send makes a request with t's failures; it never follows redirects.
func (ft fuzzTarget) send(t *testing.T, c *http.Client, method, path, rawQuery, body string) int {
	req, err := http.NewRequest(method, ft.h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.URL.RawQuery = rawQuery
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	r, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return r.StatusCode
}

// FuzzFormDecoder posts arbitrary bodies to the forms that write to the database, signed
// out and signed in, on both engines: no answer may be a 500 (a NUL byte in login= gave
// one on PostgreSQL). go test runs the seeds; fuzz with
// go test ./internal/web -run '^$' -fuzz FuzzFormDecoder -fuzztime 2m
func FuzzFormDecoder(f *testing.F) {
	for _, s := range []string{
		"login=a%00b&password=x",
		"login=%ff%fe&password=%00",
		"login=siti.rahma&password=rahasia123%00",
		"email=a%00@example.com",
		"full_name=Siti%00&jabatan=%c3%28&instansi=I&satuan_kerja=S&phone=081234567890&address=%ff",
		"first_name=%00&last_name=%ff&email=x%00@y.z&phone=0812&password=a1b2c3d4&password2=a1b2c3d4",
		"%00=%00&&&=&%zz",
		"q=%00&hal=400000000000000000",
		strings.Repeat("a=b&", 500),
	} {
		f.Add(s)
	}
	targets := fuzzTargets(f)
	f.Fuzz(func(t *testing.T, body string) {
		for _, ft := range targets {
			for _, c := range []struct {
				client *http.Client
				path   string
			}{
				{ft.h.client(), "/masuk"},
				{ft.h.client(), "/lupa-password"},
				{ft.h.client(), "/aktivasi"},
				{ft.h.client(), "/daftar"},
				{ft.applicant, "/akun"},
				{ft.officer, "/kantor/loket"},
			} {
				if st := ft.send(t, c.client, "POST", c.path, "", body); st >= 500 {
					t.Fatalf("POST %s %q: %d", c.path, body, st)
				}
			}
		}
	})
}

// FuzzInboxQuery sends arbitrary search, page and due-filter values to the staff inbox
// on both engines: the page always renders (a NUL in q= and a page of 4e17 gave 500 on
// PostgreSQL). Fuzz with go test ./internal/web -run '^$' -fuzz FuzzInboxQuery.
func FuzzInboxQuery(f *testing.F) {
	for _, s := range [][3]string{
		{"\x00", "1", ""},
		{"a\x00b", "400000000000000000", "over"},
		{"\xff\xfe", "9223372036854775807", "today"},
		{"%_\\", "-9223372036854775808", "\x00"},
		{"budi", "99999999999999999999999", "over"},
		{strings.Repeat("x", 5000), "0x10", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	targets := fuzzTargets(f)
	f.Fuzz(func(t *testing.T, q, hal, batas string) {
		raw := url.Values{"q": {q}, "hal": {hal}, "batas": {batas}}.Encode()
		for _, ft := range targets {
			if st := ft.send(t, ft.officer, "GET", "/kantor", raw, ""); st != 200 {
				t.Fatalf("GET /kantor?%s: %d", raw, st)
			}
		}
	})
}
