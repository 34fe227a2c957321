package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
)

// Text PostgreSQL refuses (a NUL byte, bytes that are not UTF-8) and numbers that
// overflow reach neither engine from any form, query or header: each answer is a page or
// a field message, never a 500 (issue 12: PostgreSQL answered 500 where SQLite coped).
func TestBadInputNever500(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarnessWith(t, d, map[string]string{"SUREL_AUTH_RATE": "100000"})
			h.signup("siti@example.com")
			anon := h.client()

			// First, before failures lock the account: a user agent that is not UTF-8 is stored with the session.
			req, _ := http.NewRequest("POST", h.srv.URL+"/masuk", strings.NewReader(url.Values{"login": {"siti.rahma"}, "password": {"rahasia123"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("User-Agent", "Mozilla/5.0 \xff\xfe")
			if r := h.send(h.client(), req); r.status != 303 {
				t.Errorf("login with a user agent not UTF-8: %d", r.status)
			}
			check := func(what string, r resp) {
				t.Helper()
				if r.status >= 500 {
					t.Errorf("%s: %d", what, r.status)
				}
				if testing.Verbose() {
					t.Logf("%s: %d", what, r.status)
				}
			}
			for _, bad := range []string{"a\x00b", "\x00", "bu\xffdi", "\xc3\x28", "siti@example.com\x00"} {
				check("login "+url.QueryEscape(bad), h.postAs(anon, "/masuk", url.Values{"login": {bad}, "password": {"salah12345"}}))
				check("login password", h.postAs(anon, "/masuk", url.Values{"login": {"siti.rahma"}, "password": {bad}}))
				check("forgot", h.postAs(anon, "/lupa-password", url.Values{"email": {bad}, "altcha": {h.solved()}}))
				check("resend", h.postAs(anon, "/aktivasi", url.Values{"email": {bad}, "altcha": {h.solved()}}))
				reg := registration(h, "baru"+url.QueryEscape(bad)+"@example.com")
				reg.Set("first_name", "Ba"+bad+"ru")
				check("register", h.postAs(anon, "/daftar", reg))
				f := url.Values{}
				for k, v := range profileForm {
					f[k] = []string{v[0]}
					if k != "phone" {
						f[k] = []string{v[0] + bad}
					}
				}
				check("profile", h.post("/akun", f))
				check("address check", h.get("/permohonan/alamat?alamat="+url.QueryEscape(bad)))
				check("regions", h.get("/wilayah?induk="+url.QueryEscape(bad)))
				check("region search", h.get("/wilayah/cari?q="+url.QueryEscape(bad)))
				check("requests", h.get("/permohonan?status="+url.QueryEscape(bad)))
			}
			// What was saved is text either engine stores alike.
			u, err := h.a.Store.UserByLogin(context.Background(), h.a.Tenants.Default().ID, "siti.rahma")
			if err != nil {
				t.Fatal(err)
			}
			if p := u.Profile; strings.ContainsRune(p.FullName+p.Address+p.Jabatan+p.Instansi+p.SatuanKerja, 0) {
				t.Errorf("stored profile %+v", p)
			}

			m := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "kasi@kominfo.go.id", sop.RoleKepalaSeksi)
			sc := h.client()
			h.signInStaff(sc, m)
			for _, q := range []string{"q=%00", "q=a%00b", "q=%ff%fe", "q=%c3%28", "hal=400000000000000000", "hal=9223372036854775807",
				"hal=-9223372036854775808", "hal=-1", "hal=abc", "hal=%00", "batas=%00", "batas=over&hal=99999999999999&q=%00"} {
				r := h.do(sc, "GET", "/kantor?"+q, nil)
				if r.status != 200 {
					t.Errorf("/kantor?%s: %d", q, r.status)
				}
			}
		})
	}
}
