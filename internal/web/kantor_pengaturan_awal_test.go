package web_test

import (
	"html"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/dbtest"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
)

// firstRunForm is a complete first-run form for the Palangka Raya office on Zimbra.
func firstRunForm(action string) url.Values {
	f := url.Values{"action": {action}, "tenant_name": {"Diskominfo Kota Palangka Raya"}, "mail_domain": {"palangkaraya.go.id"},
		"sop_preset": {"palangkaraya"}, "time_zone": {"Asia/Makassar"}, "mail_driver": {"zimbra"}, "mail_url": {"https://mail.palangkaraya.go.id:7071"},
		"mail_user": {"surel@palangkaraya.go.id"}, "mail_secret": {"Rahasia-Zimbra-7071"}, "mail_imap_addr": {"mail.palangkaraya.go.id:993"}}
	for _, d := range []string{"mon", "tue", "wed", "thu"} {
		f.Set("hours_"+d, "07:30-15:30")
	}
	f.Set("hours_fri", "07:30-11:00")
	f.Set("hours_sat", "libur")
	f.Set("hours_sun", "libur")
	return f
}

// The first-run page is the tenant admin's: the home page points an admin of an
// unconfigured office there; a bad form names each field and rule and keeps what was
// typed (never the secret); a good one applies at once (name, domain, SOP, working
// calendar, mail server), is audited without the secret, and the secret is sealed,
// kept when left empty, and never shown or logged.
func TestFirstRunSettings(t *testing.T) {
	for _, d := range dbtest.Engines(t) {
		t.Run(string(d), func(t *testing.T) {
			h := start(t, d, nil)
			tn := h.a.Tenants.Default()
			if !tn.Unconfigured {
				t.Fatal("the built-in tenant counts as configured")
			}
			admin := stafftest.New(t, h.a.Staff, tn, "admin@kominfo.go.id", sop.RoleTenantAdmin)
			kasi := stafftest.New(t, h.a.Staff, tn, "kasi@kominfo.go.id", sop.RoleKepalaSeksi)
			kc, ac := h.client(), h.client()
			h.signInStaff(kc, kasi)
			h.signInStaff(ac, admin)
			if r := h.do(kc, "GET", "/kantor/pengaturan/awal", nil); r.status != 403 {
				t.Errorf("kasi GET: %d", r.status)
			}
			if r := h.postAs(kc, "/kantor/pengaturan/awal", firstRunForm("save")); r.status != 403 {
				t.Errorf("kasi POST: %d", r.status)
			}
			if r := h.do(kc, "GET", "/kantor", nil); strings.Contains(r.body, `id="setup-prompt"`) {
				t.Error("a kasi is sent to the first-run page")
			}
			r := h.do(ac, "GET", "/kantor", nil)
			contains(t, r.body, `id="setup-prompt"`, `href="/kantor/pengaturan/awal"`)

			r = h.do(ac, "GET", "/kantor/pengaturan/awal", nil)
			if r.status != 200 {
				t.Fatalf("admin GET: %d", r.status)
			}
			// The running values: the default tenant's name, domain, preset and hours.
			contains(t, r.body, `value="mail.go.id"`, `value="07:30-16:00"`, `<option value="kominfo" selected>`, `<option value="sql" selected>`)

			bad := firstRunForm("save")
			bad.Set("mail_domain", "Palangka Raya")
			bad.Set("hours_mon", "8-16")
			bad.Set("mail_url", "http://mail.palangkaraya.go.id")
			bad.Set("mail_secret", "")
			r = h.postAs(ac, "/kantor/pengaturan/awal", bad)
			if r.status != 422 {
				t.Fatalf("bad form: %d", r.status)
			}
			body := html.UnescapeString(r.body)
			contains(t, body, "Domain email harus berupa nama domain", "Senin: tulis jam kerja", "Alamat layanan admin harus berupa alamat https://",
				"Password admin atau token API wajib diisi", `value="Palangka Raya"`, `value="8-16"`, `value="Diskominfo Kota Palangka Raya"`)
			if h.a.Tenants.Default().MailDomain != "mail.go.id" {
				t.Fatal("a refused form changed the tenant")
			}

			r = h.postAs(ac, "/kantor/pengaturan/awal", firstRunForm("save"))
			if r.status != 303 || r.loc != "/kantor/pengaturan/awal" {
				t.Fatalf("save: %d %s %s", r.status, r.loc, r.body)
			}
			tn = h.a.Tenants.Default()
			if tn.Name != "Diskominfo Kota Palangka Raya" || tn.MailDomain != "palangkaraya.go.id" || tn.SOP != "palangkaraya" || tn.Unconfigured {
				t.Fatalf("tenant after the save: %+v", tn)
			}
			def, cal, err := h.a.Book.Workflow(t.Context(), tn.SOPRef())
			if err != nil {
				t.Fatal(err)
			}
			if def.Slug != "palangkaraya" || def.TimeZone != "Asia/Makassar" || cal.Loc.String() != "Asia/Makassar" ||
				len(cal.Hours[5]) != 1 || cal.Hours[5][0] != (sop.Span{Start: 450, End: 660}) || len(cal.Hours[6]) != 0 {
				t.Fatalf("calendar after the save: %s %s %v", def.Slug, def.TimeZone, cal.Hours)
			}
			ms, err := h.a.Workflow.Mailboxes(tn.ID)
			if err != nil || ms.Server == nil {
				t.Fatalf("mail server after the save: %v", err)
			}
			r = h.do(ac, "GET", "/kantor/pengaturan/awal", nil)
			contains(t, html.UnescapeString(r.body), "Pengaturan awal tersimpan", `value="palangkaraya.go.id"`, `<option value="zimbra" selected>`,
				`value="07:30-11:00"`, "Sudah tersimpan (tidak ditampilkan)")
			if strings.Contains(r.body, "Rahasia-Zimbra-7071") || strings.Contains(h.log.String(), "Rahasia-Zimbra-7071") {
				t.Fatal("the secret is shown or logged")
			}
			if strings.Contains(h.do(ac, "GET", "/kantor", nil).body, `id="setup-prompt"`) {
				t.Error("the prompt stays after the save")
			}
			var sealed string
			if err := h.a.Store.DB().QueryRow(`SELECT mail_secret FROM tenant_setup WHERE tenant_id = ` + strconv.FormatInt(tn.ID, 10)).Scan(&sealed); err != nil {
				t.Fatal(err)
			}
			if sealed == "" || strings.Contains(sealed, "Rahasia") {
				t.Fatalf("secret not sealed: %q", sealed)
			}
			// Saved again without the secret: the sealed one stays.
			again := firstRunForm("save")
			again.Set("mail_secret", "")
			again.Set("tenant_name", "Diskominfo Palangka Raya")
			if r := h.postAs(ac, "/kantor/pengaturan/awal", again); r.status != 303 {
				t.Fatalf("save without the secret: %d %s", r.status, r.body)
			}
			set, _, err := h.a.Setup.Get(t.Context(), tn.ID)
			if err != nil || set.Mail.Secret != "Rahasia-Zimbra-7071" || set.Name != "Diskominfo Palangka Raya" {
				t.Fatalf("kept secret: %+v %v", set, err)
			}
			trail, err := h.a.Store.AuditTrail(t.Context(), "tenant:kominfo")
			if err != nil {
				t.Fatal(err)
			}
			var saves []string
			for _, e := range trail {
				if e.Action == "setup.save" {
					saves = append(saves, e.Detail)
				}
				if strings.Contains(e.Detail, "Rahasia") {
					t.Errorf("audit entry holds the secret: %+v", e)
				}
			}
			if len(saves) != 2 || !strings.Contains(saves[0], "mail_secret") || !strings.Contains(saves[0], "sop") || saves[1] != "name" {
				t.Errorf("audit of the saves: %q", saves)
			}
		})
	}
}

// "Tes koneksi" tests what was typed without saving it: the sql driver's capacity read
// answers; an unreachable IMAP server and a Zimbra server that does not answer come back
// with the error text, and the typed values (not the secret) stay in the form.
func TestFirstRunConnectionTest(t *testing.T) {
	h := start(t, store.SQLite, nil)
	tn := h.a.Tenants.Default()
	admin := stafftest.New(t, h.a.Staff, tn, "admin@kominfo.go.id", sop.RoleTenantAdmin)
	ac := h.client()
	h.signInStaff(ac, admin)
	f := firstRunForm("test")
	f.Set("mail_driver", "sql")
	f.Set("mail_imap_addr", "127.0.0.1:1")
	r := h.postAs(ac, "/kantor/pengaturan/awal", f)
	if r.status != 200 {
		t.Fatalf("test: %d %s", r.status, r.body)
	}
	body := html.UnescapeString(r.body)
	contains(t, body, "Koneksi gagal.", "Kapasitas terbaca: 0 akun", "Domain palangkaraya.go.id belum dilayani", "Server IMAP 127.0.0.1:1 tidak dapat dihubungi", "connection refused",
		`value="palangkaraya.go.id"`, `value="127.0.0.1:1"`)
	if h.a.Tenants.Default().MailDomain != "mail.go.id" {
		t.Fatal("the test saved the settings")
	}
	f = firstRunForm("test")
	f.Set("mail_url", "https://127.0.0.1:1")
	f.Set("mail_imap_addr", "")
	r = h.postAs(ac, "/kantor/pengaturan/awal", f)
	body = html.UnescapeString(r.body)
	contains(t, body, "Koneksi gagal.", "Kapasitas tidak dapat dibaca. Jawaban server:", "Alamat IMAP belum diisi")
	if strings.Contains(body, "%!") {
		t.Error("a message is formatted with arguments it has no place for")
	}
	if strings.Contains(body, "Rahasia-Zimbra-7071") {
		t.Error("the secret is shown back")
	}
	f.Set("mail_domain", "bukan domain")
	r = h.postAs(ac, "/kantor/pengaturan/awal", f)
	if r.status != 422 || !strings.Contains(html.UnescapeString(r.body), "Domain email harus berupa nama domain") {
		t.Errorf("test of a bad form: %d", r.status)
	}
}

// With a tenant file, what the file gives is its own: shown read-only, a posted change
// ignored; the rest is the page's.
func TestFirstRunManagedByFile(t *testing.T) {
	h := staffHarness(t, store.SQLite)
	tn := h.a.Tenants.Default()
	if tn.Unconfigured {
		t.Fatal("a tenant of the file counts as unconfigured")
	}
	admin := stafftest.New(t, h.a.Staff, tn, "admin@kominfo.go.id", sop.RoleTenantAdmin)
	ac := h.client()
	h.signInStaff(ac, admin)
	r := h.do(ac, "GET", "/kantor/pengaturan/awal", nil)
	contains(t, html.UnescapeString(r.body), "dari berkas konfigurasi", "Layanan Kominfo", "mail.go.id")
	if strings.Contains(r.body, `name="tenant_name"`) || strings.Contains(r.body, `name="mail_domain"`) {
		t.Error("the file's settings are editable")
	}
	if !strings.Contains(r.body, `name="sop_preset"`) || !strings.Contains(r.body, `name="mail_driver"`) {
		t.Error("the settings the file leaves out are not offered")
	}
	f := firstRunForm("save")
	f.Set("mail_driver", "sql")
	if r := h.postAs(ac, "/kantor/pengaturan/awal", f); r.status != 303 {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	tn = h.a.Tenants.Default()
	if tn.Name != "Layanan Kominfo" || tn.MailDomain != "mail.go.id" || tn.SOP != "palangkaraya" {
		t.Errorf("tenant: %+v", tn)
	}
}
