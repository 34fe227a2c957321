package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff/stafftest"
	"github.com/surel-id/surel/internal/store"
)

// sopAdmin starts surel and signs in a tenant admin of the default tenant on a client
// of its own.
func sopAdmin(t *testing.T) (*harness, *http.Client) {
	h := staffHarness(t, store.SQLite)
	admin := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "admin@kominfo.go.id", sop.RoleTenantAdmin)
	c := h.client()
	h.signInStaff(c, admin)
	return h, c
}

// The SOP and calendar screens are for the tenant admin only; every staff member sees
// the diagram at /kantor/alur.
func TestKantorSOPAccess(t *testing.T) {
	h := staffHarness(t, store.SQLite)
	kasi := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "kasi@kominfo.go.id", sop.RoleKepalaSeksi)
	if r := h.do(h.client(), "GET", "/kantor/sop", nil); r.status != 303 || !strings.HasPrefix(r.loc, "/masuk?next=") {
		t.Fatalf("visitor: %d %s", r.status, r.loc)
	}
	h.signup("siti@example.com")
	kc := h.client()
	h.signInStaff(kc, kasi)
	for _, path := range []string{"/kantor/sop", "/kantor/kalender"} {
		if r := h.get(path); r.status != 403 {
			t.Errorf("applicant GET %s: %d", path, r.status)
		}
		if r := h.post(path, url.Values{"action": {"reset"}}); r.status != 403 {
			t.Errorf("applicant POST %s: %d", path, r.status)
		}
		if r := h.do(kc, "GET", path, nil); r.status != 403 {
			t.Errorf("kasi GET %s: %d", path, r.status)
		}
		if r := h.postAs(kc, path, url.Values{"action": {"add"}, "holiday_date": {"2026-07-07"}, "holiday_name": {"x"}}); r.status != 403 {
			t.Errorf("kasi POST %s: %d", path, r.status)
		}
	}
	if r := h.get("/kantor/alur"); r.status != 403 {
		t.Errorf("applicant at /kantor/alur: %d", r.status)
	}
	r := h.do(kc, "GET", "/kantor/alur", nil)
	if r.status != 200 {
		t.Fatalf("kasi at /kantor/alur: %d", r.status)
	}
	contains(t, r.body, "<svg", "Alur layanan")
	if strings.Contains(r.body, `href="/kantor/sop"`) {
		t.Error("a kasi is offered the SOP editor")
	}
}

// A refused SOP keeps the typed text and names the line; a good one changes the steps
// the back office follows at once; the reset returns to the preset.
func TestKantorSOPEdit(t *testing.T) {
	h, c := sopAdmin(t)
	tenant := h.a.Tenants.Default()
	r := h.do(c, "GET", "/kantor/sop", nil)
	if r.status != 200 {
		t.Fatalf("GET: %d", r.status)
	}
	contains(t, r.body, "<svg", "slug: kominfo", `name="yaml"`)
	if strings.Contains(r.body, `value="reset"`) {
		t.Error("reset offered while the preset applies")
	}

	preset, _ := sop.PresetYAML("palangkaraya")
	bad := strings.Replace(string(preset), "role: kepala_seksi", "role: lurah", 1)
	line := strings.Count(bad[:strings.Index(bad, "role: lurah")], "\n") + 1
	r = h.postAs(c, "/kantor/sop", url.Values{"action": {"save"}, "yaml": {bad}})
	if r.status != 422 {
		t.Fatalf("bad SOP: %d", r.status)
	}
	body := html.UnescapeString(r.body)
	contains(t, body, "role: lurah", fmt.Sprintf("tenant-kominfo.yaml:%d:", line), "[role.unknown]", `aria-invalid="true"`)
	if def, _, _ := h.a.Book.Workflow(t.Context(), tenant.SOPRef()); def.Slug != "kominfo" {
		t.Fatalf("a refused SOP applies: %s", def.Slug)
	}

	r = h.postAs(c, "/kantor/sop", url.Values{"action": {"save"}, "yaml": {strings.ReplaceAll(string(preset), "\n", "\r\n")}})
	if r.status != 303 || r.loc != "/kantor/sop" {
		t.Fatalf("good SOP: %d %s", r.status, r.body)
	}
	def, _, err := h.a.Book.Workflow(t.Context(), tenant.SOPRef())
	if err != nil || def.Slug != "palangkaraya" || len(def.Steps) != 5 || def.Steps[1].Role != sop.RoleKepalaSeksi {
		t.Fatalf("Workflow after saving: %s %d %v", def.Slug, len(def.Steps), err)
	}
	r = h.do(c, "GET", "/kantor/sop", nil)
	contains(t, r.body, "tersimpan", "SOP sendiri", `value="reset"`)

	if r := h.postAs(c, "/kantor/sop", url.Values{"action": {"reset"}}); r.status != 303 {
		t.Fatalf("reset: %d", r.status)
	}
	if def, _, _ := h.a.Book.Workflow(t.Context(), tenant.SOPRef()); def.Slug != "kominfo" {
		t.Fatalf("after reset: %s", def.Slug)
	}
	if r := h.do(c, "GET", "/kantor/alur", nil); !strings.Contains(r.body, `href="/kantor/sop"`) {
		t.Error("the admin's /kantor/alur does not link the editor")
	}
	// Too big for the form.
	if r := h.postAs(c, "/kantor/sop", url.Values{"yaml": {strings.Repeat("#", 300<<10)}}); r.status != 422 {
		t.Errorf("oversized SOP: %d", r.status)
	}
}

// The tenant admin reviews the other services' flows beside the SOP: the sub-domain
// services with the tenant's DNS server (no secret); a domain service's flow written
// under services: becomes the office's own, and a wrong one is refused with its rule.
func TestKantorSOPServiceFlows(t *testing.T) {
	const secret = "c2VjcmV0LXJhaGFzaWEtc3VyZWwtdHNpZw=="
	cfg := filepath.Join(t.TempDir(), "tenants.yaml")
	os.WriteFile(cfg, []byte(`tenants:
  - slug: kominfo
    name: Layanan Kominfo
    mail_domain: mail.go.id
    hosts: [127.0.0.1]
    dns:
      driver: rfc2136
      zone: kota.example.go.id
      server: 127.0.0.1:5353
      key_name: surel-kota
      secret: `+secret+`
`), 0o600)
	h := start(t, store.SQLite, map[string]string{"SUREL_CONFIG": cfg})
	admin := stafftest.New(t, h.a.Staff, h.a.Tenants.Default(), "admin@kominfo.go.id", sop.RoleTenantAdmin)
	c := h.client()
	h.signInStaff(c, admin)
	r := h.do(c, "GET", "/kantor/sop", nil)
	if r.status != 200 {
		t.Fatalf("GET: %d", r.status)
	}
	contains(t, r.body, "Alur layanan lainnya", "services: subdomain", "services: hapus-subdomain", "services: domain-desa-id", "services: reset_password",
		"Pembaruan dinamis RFC 2136 dengan TSIG", "kota.example.go.id", "127.0.0.1:5353", "surel-kota", "hmac-sha256", "Membuat record sub-domain")
	if strings.Contains(r.body, secret) {
		t.Fatal("the TSIG secret is on the page")
	}
	if n := strings.Count(r.body, "Alur bawaan surel."); n != 4 {
		t.Errorf("%d preset flows, want the 4 domain services'", n)
	}
	preset, _ := sop.PresetYAML("kominfo")
	own := string(preset) + `  subdomain:
    - {key: pengajuan, name: "Mengajukan sub-domain", role: pemohon, kind: submit, standard: 15m}
    - {key: telaah_kabid, name: "Kabid menelaah permohonan sub-domain", role: kepala_bidang, kind: manual, standard: 1d}
    - {key: buat_record, name: "Membuat record", role: admin_mail, kind: dns_create, standard: 1h}
    - {key: selesai, name: "Selesai", role: pemohon, kind: done}
`
	bad := strings.Replace(own, "kind: dns_create", "kind: manual", 1)
	r = h.postAs(c, "/kantor/sop", url.Values{"yaml": {bad}})
	if r.status != 422 {
		t.Fatalf("a sub-domain flow without dns_create: %d", r.status)
	}
	contains(t, r.body, "services.subdomain", "service.action")
	if r = h.postAs(c, "/kantor/sop", url.Values{"yaml": {own}}); r.status != 303 {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	r = h.do(c, "GET", "/kantor/sop", nil)
	card := r.body[strings.Index(r.body, `id="alur-subdomain"`):]
	card = card[:strings.Index(card, `id="alur-hapus-subdomain"`)]
	contains(t, card, "Alur milik kantor ini", "Kabid menelaah permohonan sub-domain")
	d, _, err := h.a.Book.ServiceWorkflow(t.Context(), h.a.Tenants.Default().SOPRef(), "subdomain")
	if err != nil || d.Steps[1].Key != "telaah_kabid" {
		t.Fatalf("the back office's sub-domain flow: %+v, %v", d.Steps, err)
	}
}
