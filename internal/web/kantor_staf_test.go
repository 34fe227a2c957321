package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
)

// signInStaff signs m in on client c the way a browser does: password at /masuk, then a
// recovery code at /masuk/verifikasi (each code works once; a member from stafftest.New
// has ten). It fails the test unless the browser lands on /kantor.
func (h *harness) signInStaff(c *http.Client, m stafftest.Member) {
	h.t.Helper()
	r := h.postAs(c, "/masuk", url.Values{"login": {m.Email}, "password": {m.Password}})
	if r.status != 303 || r.loc != "/masuk/verifikasi" {
		h.t.Fatalf("staff password: %d %s", r.status, r.loc)
	}
	if len(m.RecoveryCodes) == 0 {
		h.t.Fatal("signInStaff: member has no recovery codes left (made with stafftest.Unenrolled?)")
	}
	code := m.RecoveryCodes[0]
	r = h.postAs(c, "/masuk/verifikasi", url.Values{"otp": {code}})
	if r.status != 303 || r.loc != "/kantor" {
		h.t.Fatalf("staff second factor: %d %s %s", r.status, r.loc, r.body)
	}
}

// staffHarness starts surel with two tenants: "kominfo" (the default, any host) and
// "kaltim" (host kaltim.test).
func staffHarness(t *testing.T, d store.Dialect) *harness { return staffHarnessWith(t, d, nil) }

// staffHarnessWith is staffHarness with more environment.
func staffHarnessWith(t testing.TB, d store.Dialect, env map[string]string) *harness {
	cfg := filepath.Join(t.TempDir(), "tenants.yaml")
	os.WriteFile(cfg, []byte(`tenants:
  - slug: kominfo
    name: Layanan Kominfo
    mail_domain: mail.go.id
    hosts: [127.0.0.1]
  - slug: kaltim
    name: Diskominfo Kaltim
    mail_domain: kaltimprov.go.id
    hosts: [kaltim.test]
`), 0o600)
	e := map[string]string{"SUREL_CONFIG": cfg}
	for k, v := range env {
		e[k] = v
	}
	return start(t, d, e)
}

var secretRE = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7 ]+)</code>`)
var codeRE = regexp.MustCompile(`<li><code>([0-9a-z]{5}-[0-9a-z]{5})</code></li>`)

// The whole first login of a staff member: password, enrolment with a code from the
// app, recovery codes once, the back office; then a login with a code, replay refused.
func TestStaffFirstLogin(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := staffHarness(t, d)
			m := stafftest.Unenrolled(t, h.a.Staff, h.a.Tenants.Default(), "admin@kominfo.go.id", sop.RoleTenantAdmin)

			r := h.post("/masuk", url.Values{"login": {m.Username}, "password": {m.Password}, "next": {"/kantor/staf"}})
			if r.status != 303 || r.loc != "/masuk/aktifkan-2fa?next=%2Fkantor%2Fstaf" {
				t.Fatalf("password: %d %s", r.status, r.loc)
			}
			if strings.Contains(r.header.Get("Set-Cookie"), "surel_sesi=") {
				t.Fatal("a session started before the second factor")
			}
			if r := h.get("/kantor/staf"); r.status != 303 || !strings.HasPrefix(r.loc, "/masuk?next=") {
				t.Fatalf("back office before the second factor: %d %s", r.status, r.loc)
			}
			// The verification page sends an unenrolled member to enrolment.
			if r := h.get("/masuk/verifikasi"); r.status != 303 || !strings.HasPrefix(r.loc, "/masuk/aktifkan-2fa") {
				t.Fatalf("verify before enrolment: %d %s", r.status, r.loc)
			}
			r = h.get("/masuk/aktifkan-2fa?next=%2Fkantor%2Fstaf")
			if r.status != 200 {
				t.Fatalf("enrol page: %d %s", r.status, r.body)
			}
			contains(t, r.body, `src="data:image/png;base64,`, "Aktifkan verifikasi dua langkah", `value="/kantor/staf"`)
			sm := secretRE.FindStringSubmatch(r.body)
			if sm == nil {
				t.Fatalf("no secret on the page")
			}
			secret := strings.ReplaceAll(sm[1], " ", "")
			if r := h.post("/masuk/aktifkan-2fa", url.Values{"otp": {"000000"}, "next": {"/kantor/staf"}}); r.status != 422 ||
				!strings.Contains(r.body, "Kode verifikasi salah") {
				t.Fatalf("wrong first code: %d %s", r.status, r.body)
			}
			code, _ := totp.GenerateCode(secret, time.Now())
			r = h.post("/masuk/aktifkan-2fa", url.Values{"otp": {code}, "next": {"/kantor/staf"}})
			if r.status != 200 {
				t.Fatalf("confirm: %d %s", r.status, r.body)
			}
			codes := codeRE.FindAllStringSubmatch(r.body, -1)
			if len(codes) != 10 || !strings.Contains(r.body, `href="/kantor/staf"`) || !strings.Contains(r.body, "Lanjutkan") {
				t.Fatalf("recovery codes page: %d codes\n%s", len(codes), r.body)
			}
			if r := h.get("/kantor/staf"); r.status != 200 || !strings.Contains(r.body, "admin@kominfo.go.id") {
				t.Fatalf("staff list after enrolment: %d", r.status)
			}
			// The pending login is spent: the enrolment page cannot be replayed.
			if r := h.post("/masuk/aktifkan-2fa", url.Values{"otp": {code}}); r.status != 303 || r.loc != "/masuk" {
				t.Fatalf("enrolment replayed: %d %s", r.status, r.loc)
			}

			// A second browser: the code just used is refused, a recovery code works once.
			c := h.client()
			login := url.Values{"login": {m.Email}, "password": {m.Password}}
			if r := h.postAs(c, "/masuk", login); r.status != 303 || r.loc != "/masuk/verifikasi" {
				t.Fatalf("second login: %d %s", r.status, r.loc)
			}
			if r := h.postAs(c, "/masuk/verifikasi", url.Values{"otp": {code}}); r.status != 422 {
				t.Fatalf("replayed code: %d", r.status)
			}
			rc := codes[3][1]
			if r := h.postAs(c, "/masuk/verifikasi", url.Values{"otp": {strings.ToUpper(rc)}}); r.status != 303 || r.loc != "/kantor" {
				t.Fatalf("recovery code: %d %s", r.status, r.loc)
			}
			if r := h.do(c, "GET", "/kantor/staf", nil); r.status != 200 {
				t.Fatalf("after recovery code: %d", r.status)
			}
			c2 := h.client()
			h.postAs(c2, "/masuk", login)
			if r := h.postAs(c2, "/masuk/verifikasi", url.Values{"otp": {rc}}); r.status != 422 {
				t.Fatalf("recovery code reused: %d", r.status)
			}
			// No pending login at all: back to the password.
			if r := h.postAs(h.client(), "/masuk/verifikasi", url.Values{"otp": {"123456"}}); r.status != 303 || r.loc != "/masuk" {
				t.Fatalf("no pending login: %d %s", r.status, r.loc)
			}
			if strings.Contains(h.log.String(), secret) || strings.Contains(h.log.String(), rc) {
				t.Fatal("a second-factor secret reached the log")
			}
		})
	}
}

// Applicants sign in as before and never reach the back office; staff of another tenant
// or without the role are refused.
func TestStaffAccess(t *testing.T) {
	h := staffHarness(t, store.SQLite)
	admin := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "admin@kominfo.go.id", sop.RoleTenantAdmin)
	kasi := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "kasi@kominfo.go.id", sop.RoleKepalaSeksi)

	// A visitor is sent to the login page.
	if r := h.do(h.client(), "GET", "/kantor/staf", nil); r.status != 303 || r.loc != "/masuk?next=%2Fkantor%2Fstaf" {
		t.Fatalf("visitor: %d %s", r.status, r.loc)
	}
	// An applicant: login unchanged (straight to a session), 403 at the back office.
	h.signup("siti@example.com")
	h.post("/keluar", url.Values{})
	r := h.post("/masuk", url.Values{"login": {"siti@example.com"}, "password": {"rahasia123"}})
	if r.status != 303 || r.loc != "/akun" {
		t.Fatalf("applicant login: %d %s", r.status, r.loc)
	}
	if r := h.get("/akun"); r.status != 200 {
		t.Fatalf("applicant session: %d", r.status)
	}
	if r := h.get("/kantor/staf"); r.status != 403 || !strings.Contains(r.body, "hanya untuk petugas") {
		t.Fatalf("applicant at the back office: %d", r.status)
	}
	if r := h.post("/kantor/staf/tambah", url.Values{"first_name": {"X"}, "email": {"x@x.id"}, "staff_roles": {"tenant_admin"}}); r.status != 403 {
		t.Fatalf("applicant adding staff: %d", r.status)
	}
	// A kepala seksi is staff but not a tenant admin.
	kc := h.client()
	h.signInStaff(kc, kasi)
	if r := h.do(kc, "GET", "/kantor/staf", nil); r.status != 403 || !strings.Contains(r.body, "Peran Anda tidak mengizinkan") {
		t.Fatalf("kasi at the staff screen: %d", r.status)
	}
	// The tenant admin, on another tenant's host, is no one's staff.
	ac := h.client()
	h.signInStaff(ac, admin)
	req, _ := http.NewRequest("GET", h.srv.URL+"/kantor/staf", nil)
	req.Host = "kaltim.test"
	// The client's jar files cookies under req.Host; a browser would hold this cookie
	// only if both tenants shared a host name, which is what is being tried.
	for _, c := range ac.Jar.Cookies(mustURL(h.srv.URL)) {
		req.AddCookie(c)
	}
	// Its session is not valid there at all: the back office asks for a login.
	if r := h.send(h.client(), req); r.status != 303 || !strings.HasPrefix(r.loc, "/masuk") {
		t.Fatalf("admin on another tenant's host: %d %s", r.status, r.loc)
	}
	// Members of another tenant cannot be seen or changed by id.
	kaltim := h.a.Tenants.ForHost("kaltim.test")
	other := stafftest.New(t, h.a.Staff, kaltim, "kabid@kaltimprov.go.id", sop.RoleKepalaBidang)
	id := staffID(other.UserID)
	if r := h.do(ac, "GET", "/kantor/staf/"+id, nil); r.status != 404 {
		t.Fatalf("other tenant's member: %d", r.status)
	}
	if r := h.postAs(ac, "/kantor/staf/"+id, url.Values{"staff_roles": {"tenant_admin"}}); r.status != 404 {
		t.Fatalf("other tenant's member edited: %d", r.status)
	}
	if r := h.postAs(ac, "/kantor/staf/"+id+"/reset-2fa", url.Values{}); r.status != 404 {
		t.Fatalf("other tenant's member reset: %d", r.status)
	}
	if m, _ := h.a.Staff.Member(context.Background(), other.UserID); len(m.Roles) != 1 || m.Roles[0] != sop.RoleKepalaBidang || m.MFASince.IsZero() {
		t.Fatalf("other tenant's member changed: %+v", m)
	}
}

// The tenant admin adds a member, who sets a password by the mailed link and enrols;
// roles are edited; the admin cannot drop their own admin role; a reset of the second
// factor signs the member out and makes them enrol again.
func TestStaffManagement(t *testing.T) {
	h := staffHarness(t, store.SQLite)
	admin := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "admin@kominfo.go.id", sop.RoleTenantAdmin)
	h.signInStaff(h.c, admin)

	r := h.get("/kantor/staf/tambah")
	contains(t, r.body, "Nama Depan", "Kepala Seksi", "Admin Mail Server", `name="staff_roles"`)
	r = h.post("/kantor/staf/tambah", url.Values{"first_name": {"Rina"}, "email": {"bukan-email"}, "staff_roles": {"kepala_seksi"}})
	if r.status != 422 || !strings.Contains(r.body, `value="kepala_seksi" checked`) {
		t.Fatalf("invalid add: %d", r.status)
	}
	if r := h.post("/kantor/staf/tambah", url.Values{"first_name": {"Rina"}, "email": {"rina@kominfo.go.id"}}); r.status != 422 ||
		!strings.Contains(r.body, "pilih paling sedikit satu") {
		t.Fatalf("no role: %d", r.status)
	}
	r = h.post("/kantor/staf/tambah", url.Values{"first_name": {"Rina"}, "last_name": {"Wati"}, "email": {"rina@kominfo.go.id"},
		"staff_roles": {"kepala_seksi", "admin_mail"}})
	if r.status != 303 || r.loc != "/kantor/staf" {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	r = h.get("/kantor/staf")
	contains(t, r.body, "Rina Wati", "rina@kominfo.go.id", "Kepala Seksi, Admin Mail Server", "belum diaktifkan", "Petugas rina@kominfo.go.id ditambahkan")
	if r := h.post("/kantor/staf/tambah", url.Values{"first_name": {"Rina"}, "email": {"rina@kominfo.go.id"}, "staff_roles": {"front_desk"}}); r.status != 409 {
		t.Fatalf("added twice: %d", r.status)
	}

	// Rina sets her password by the link and enrols.
	link := h.mailLink("rina@kominfo.go.id")
	rc := h.client()
	if r := h.do(rc, "GET", link, nil); r.status != 200 {
		t.Fatalf("set-password link: %d", r.status)
	}
	if r := h.postAs(rc, link, url.Values{"password": {"Rina2026abc"}, "password2": {"Rina2026abc"}}); r.status != 303 {
		t.Fatalf("set password: %d %s", r.status, r.body)
	}
	rc = h.client()
	if r := h.postAs(rc, "/masuk", url.Values{"login": {"rina@kominfo.go.id"}, "password": {"Rina2026abc"}}); r.loc != "/masuk/aktifkan-2fa" {
		t.Fatalf("rina's login: %d %s", r.status, r.loc)
	}
	r = h.do(rc, "GET", "/masuk/aktifkan-2fa", nil)
	secret := strings.ReplaceAll(secretRE.FindStringSubmatch(r.body)[1], " ", "")
	code, _ := totp.GenerateCode(secret, time.Now())
	if r := h.postAs(rc, "/masuk/aktifkan-2fa", url.Values{"otp": {code}}); r.status != 200 || !strings.Contains(r.body, `href="/kantor"`) {
		t.Fatalf("rina's enrolment: %d", r.status)
	}
	var rina int64
	list, _ := h.a.Staff.List(context.Background(), h.a.Tenants.Default().ID)
	for _, m := range list {
		if m.Email == "rina@kominfo.go.id" {
			rina = m.UserID
		}
	}
	// Edit roles.
	r = h.get("/kantor/staf/" + staffID(rina))
	contains(t, r.body, `value="kepala_seksi" checked`, `value="admin_mail" checked`, "Atur ulang verifikasi dua langkah")
	if r := h.post("/kantor/staf/"+staffID(rina), url.Values{"staff_roles": {"kepala_bidang"}}); r.status != 303 {
		t.Fatalf("edit roles: %d %s", r.status, r.body)
	}
	if m, _ := h.a.Staff.Member(context.Background(), rina); len(m.Roles) != 1 || m.Roles[0] != sop.RoleKepalaBidang {
		t.Fatalf("roles %v", m.Roles)
	}
	// Not one's own admin role.
	if r := h.post("/kantor/staf/"+staffID(admin.UserID), url.Values{"staff_roles": {"kepala_dinas"}}); r.status != 409 ||
		!strings.Contains(html.UnescapeString(r.body), "tidak dapat melepas peran Admin Tenant") {
		t.Fatalf("self-demotion: %d", r.status)
	}
	// Reset Rina's second factor: her session ends, her next login enrols again.
	if r := h.post("/kantor/staf/"+staffID(rina)+"/reset-2fa", url.Values{}); r.status != 303 {
		t.Fatalf("reset: %d", r.status)
	}
	if r := h.do(rc, "GET", "/kantor", nil); r.status == 200 {
		t.Fatal("rina's session survived the reset")
	}
	rc = h.client()
	if r := h.postAs(rc, "/masuk", url.Values{"login": {"rina@kominfo.go.id"}, "password": {"Rina2026abc"}}); r.loc != "/masuk/aktifkan-2fa" {
		t.Fatalf("login after reset: %d %s", r.status, r.loc)
	}
	// Both languages render the screens with no key showing.
	h.get("/bahasa/en")
	for _, p := range []string{"/kantor/staf", "/kantor/staf/tambah", "/kantor/staf/" + staffID(rina)} {
		r := h.get(p)
		if r.status != 200 || regexp.MustCompile(`\b(staff|mfa|field|rule|flash)\.[a-z_.]+\b`).MatchString(r.body) {
			t.Errorf("%s in English: %d", p, r.status)
		}
	}
	contains(t, h.get("/kantor/staf").body, "Staff", "Head of division", "Tenant admin")
}

func staffID(n int64) string { return strconv.FormatInt(n, 10) }
