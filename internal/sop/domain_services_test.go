package sop

import (
	"context"
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
