package sop

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestServicePresets(t *testing.T) {
	for _, svc := range []string{"verifikasi-instansi", "domain-desa-id", "subdomain", "hapus-subdomain"} {
		d, ok := ServicePreset(svc)
		if !ok || d.Service != svc || d.Steps[0].Kind != KindSubmit || d.Steps[len(d.Steps)-1].Kind != KindDone {
			t.Fatalf("%s: %+v, %v", svc, d, ok)
		}
	}
	d, _ := ServicePreset("domain-desa-id")
	var keys []string
	for _, s := range d.Steps {
		keys = append(keys, s.Key)
	}
	// The portal's flow, step by step.
	if got := strings.Join(keys, ","); got != "pendaftaran,verifikasi_dokumen,persetujuan,konfirmasi_pembayaran,aktivasi,selesai" {
		t.Fatalf("desa.id steps = %s", got)
	}
	if _, ok := ServicePreset("email"); ok {
		t.Fatal("email has a service preset; it follows the tenant's SOP")
	}
}

func TestServiceKindsStayInTheirSOP(t *testing.T) {
	email, _ := PresetYAML("kominfo")
	bad := strings.Replace(string(email), "kind: manual", "kind: dns_create", 1)
	if _, err := Load("x.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "kind.service") {
		t.Fatalf("dns_create in the e-mail SOP: %v", err)
	}
	sub, _ := servicePresetFiles.ReadFile("presets/services/subdomain.yaml")
	bad = strings.Replace(string(sub), "kind: dns_test", "kind: account_test", 1)
	if _, err := Load("x.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "kind.service") {
		t.Fatalf("account_test in the sub-domain SOP: %v", err)
	}
}

func TestServiceWorkflowTakesTheOfficesHours(t *testing.T) {
	b := &Book{}
	ref := TenantRef{ID: 1, Slug: "kaltim", Preset: "kaltim"}
	own, cal, err := b.Workflow(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	d, cal2, err := b.ServiceWorkflow(context.Background(), ref, "subdomain")
	if err != nil || d.Slug != "subdomain" || d.TimeZone != own.TimeZone || cal2 != cal || d.ZoneAbbrev() != "WITA" {
		t.Fatalf("service workflow = %s %s %v %v", d.Slug, d.TimeZone, cal2 == cal, err)
	}
	if d, _, _ := b.ServiceWorkflow(context.Background(), ref, "email"); d.Slug != own.Slug {
		t.Fatalf("email follows %s", d.Slug)
	}
	if d, _, err := b.ServiceWorkflow(context.Background(), ref, "instansi"); err != nil || d.Slug != own.Slug {
		t.Fatalf("a service without a preset follows %s, %v", d.Slug, err)
	}
	if got := strings.Join(ServicePresets(), ","); got != "domain-desa-id,hapus-subdomain,subdomain,verifikasi-instansi" {
		t.Fatalf("service presets = %s", got)
	}
}

// TestTenantOwnDomainFlows: a tenant's SOP may give a domain service's flow under
// services:, checked like the services on a mailbox, and the service then follows it.
func TestTenantOwnDomainFlows(t *testing.T) {
	base, _ := PresetYAML("palangkaraya")
	own := string(base) + `  subdomain:
    - {key: pengajuan, name: "Mengajukan sub-domain", role: pemohon, kind: submit, standard: 15m}
    - {key: cek_kabid, name: "Kabid memeriksa permohonan", role: kepala_bidang, kind: manual, standard: 1d}
    - {key: buat_record, name: "Membuat record", role: admin_mail, kind: dns_create, standard: 1h}
    - {key: selesai, name: "Selesai", role: pemohon, kind: done}
`
	def, err := Load("tenant-x.yaml", []byte(own))
	if err != nil {
		t.Fatal(err)
	}
	if !def.HasStep("subdomain/cek_kabid") || !def.HasStep("hapus-subdomain/hapus_record") || def.HasStep("subdomain/uji_nama") || def.HasStep("uji_nama") {
		t.Fatal("HasStep misses a domain flow's step (own or preset)")
	}
	for what, c := range map[string]struct{ from, to, rule string }{
		"two creates":         {"kind: manual, standard: 1d}", "kind: dns_create, standard: 1d}", "service.action"},
		"a provision":         {"kind: manual, standard: 1d}", "kind: provision, standard: 1d}", "kind.service"},
		"a payment":           {"kind: manual, standard: 1d}", "kind: payment, standard: 1d}", "kind.service"},
		"no create":           {"kind: dns_create, standard: 1h}", "kind: manual, standard: 1h}", "service.action"},
		"test before create":  {"kind: manual, standard: 1d}", "kind: dns_test, standard: 1d}", "kind.test_before_create"},
		"the applicant works": {"role: kepala_bidang", "role: pemohon", "role.pemohon_kind"},
	} {
		bad := strings.Replace(own, c.from, c.to, 1)
		if _, err := Load("tenant-x.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), c.rule) {
			t.Errorf("%s: %v, want %s", what, err, c.rule)
		}
	}
	b := &Book{Store: &memStore{sops: map[int64][]byte{1: []byte(own)}}}
	ref := TenantRef{ID: 1, Slug: "x", Preset: "palangkaraya"}
	d, _, err := b.ServiceWorkflow(context.Background(), ref, "subdomain")
	if err != nil || len(d.Steps) != 4 || d.Steps[1].Key != "cek_kabid" || d.Service != "subdomain" {
		t.Fatalf("tenant's sub-domain flow = %+v, %v", d.Steps, err)
	}
	if d, _, _ := b.ServiceWorkflow(context.Background(), ref, "hapus-subdomain"); d.Steps[len(d.Steps)-2].Kind != KindDNSRemove {
		t.Fatalf("removal follows %+v", d.Steps)
	}
	flows, err := b.ServiceFlows(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range flows {
		got = append(got, fmt.Sprintf("%s:%v:%d", f.Service, f.Own, len(f.Steps)))
	}
	if want := "reset_password:true:2,nonaktif:true:3,aktif_kembali:true:3,kuota:true:3,serah_terima:true:3,hapus:true:2,klaim:true:4,verifikasi-instansi:false:3,domain-desa-id:false:6,subdomain:true:4,hapus-subdomain:false:4"; strings.Join(got, ",") != want {
		t.Fatalf("flows = %s", strings.Join(got, ","))
	}
}
