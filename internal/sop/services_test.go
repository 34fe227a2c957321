package sop

import (
	"fmt"
	"strings"
	"testing"
)

// Each seed office ships its own flow for each service, with the office's roles and time
// standards; the national preset resets by self-service.
func TestPresetServices(t *testing.T) {
	for _, d := range Presets() {
		for _, svc := range LifecycleServices {
			f := d.Flow(svc)
			if _, ok := d.Services[svc]; !ok {
				t.Errorf("%s: no flow for %s", d.Slug, svc)
			}
			if f.Steps[0].Kind != KindSubmit {
				t.Errorf("%s/%s: first step %s", d.Slug, svc, f.Steps[0].Kind)
			}
			n := 0
			for _, s := range f.Steps {
				if s.Kind == ActionKind(svc) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s/%s: %d action steps", d.Slug, svc, n)
			}
			if fmt.Sprint(f.Hours) != fmt.Sprint(d.Hours) || f.TimeZone != d.TimeZone {
				t.Errorf("%s/%s: the flow lost the SOP's calendar", d.Slug, svc)
			}
		}
		if got := d.Flow("instansi").Steps[0].Key; got != d.Steps[0].Key || len(d.Flow(ServiceEmail).Steps) != len(d.Steps) {
			t.Errorf("%s: the creation's flow is not the SOP's steps", d.Slug)
		}
	}
	kominfo, _ := Preset("kominfo")
	if !kominfo.Flow(ServiceReset).SelfService() {
		t.Error("kominfo reset is not self-service")
	}
	kaltim, _ := Preset("kaltim")
	r := kaltim.Flow(ServiceReset)
	if r.SelfService() || r.Steps[1].Role != RoleAdminMail || r.Steps[1].Standard.String() != "1d" {
		t.Errorf("kaltim reset: %+v", r.Steps[1])
	}
	if q := kaltim.Flow(ServiceQuota); q.Steps[1].Kind != KindCapacityCheck || q.Steps[1].Role != RoleKepalaBidang {
		t.Errorf("kaltim quota: the Kabid's capacity check missing: %+v", q.Steps[1])
	}
	if !kaltim.HasStep("ubah_kuota") || kaltim.HasStep("nope") {
		t.Error("HasStep")
	}
}

// An SOP saved before the services existed gets the default flows.
func TestFlowDefault(t *testing.T) {
	d, err := Load("contoh.yaml", []byte(goodYAML))
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range LifecycleServices {
		f := d.Flow(svc)
		if len(f.Steps) < 2 || f.Steps[len(f.Steps)-1].Kind != ActionKind(svc) {
			t.Errorf("%s: default flow %+v", svc, f.Steps)
		}
	}
}

func TestServicesRules(t *testing.T) {
	for _, tc := range []struct{ services, rule string }{
		{`  liburan:
    - {key: a, name: A, role: pemohon, kind: submit, standard: 15m}`, "service.unknown"},
		{`  kuota:
    - {key: a, name: A, role: pemohon, kind: submit, standard: 15m}`, "service.action"},
		{`  kuota:
    - {key: a, name: A, role: pemohon, kind: submit, standard: 15m}
    - {key: b, name: B, role: admin_mail, kind: deactivate, standard: 15m}`, "service.kind"},
		{`  kuota:
    - {key: a, name: A, role: pemohon, kind: submit, standard: 15m}
    - {key: b, name: B, role: pemohon, kind: quota_change, standard: 15m}`, "role.pemohon_kind"},
		{`  nonaktif:
    - {key: a, name: A, role: admin_mail, kind: deactivate, standard: 15m}`, "kind.submit_first"},
		{`  reset_password:
    - {key: a, name: A, role: pemohon, kind: submit, standard: 15m}
    - {key: a, name: B, role: admin_mail, kind: reset_password, standard: 1d}`, "step.key_duplicate"},
		{`  reset_password:
    - {key: a, name: A, role: pemohon, kind: submit, standard: 15m}
    - {key: b, name: B, role: admin_mail, kind: provision, standard: 1d}
    - {key: c, name: C, role: admin_mail, kind: reset_password, standard: 1d}`, "service.kind"},
	} {
		_, err := Load("x.yaml", []byte(goodYAML+"services:\n"+tc.services+"\n"))
		if !hasRule(err, tc.rule) {
			t.Errorf("%s: want %s, got %v", tc.services, tc.rule, err)
		}
	}
	// A lifecycle step among the creation's steps is refused.
	bad := strings.Replace(goodYAML, "kind: provision", "kind: deactivate", 1)
	if _, err := Load("x.yaml", []byte(bad)); !hasRule(err, "service.kind") {
		t.Errorf("deactivate in the creation's steps: %v", err)
	}
	// A self-service reset passes.
	ok := goodYAML + `services:
  reset_password:
    - {key: a, name: A, role: pemohon, kind: submit, standard: 15m}
    - {key: b, name: B, role: pemohon, kind: reset_password, standard: 15m}
`
	d, err := Load("x.yaml", []byte(ok))
	if err != nil || !d.Flow(ServiceReset).SelfService() {
		t.Errorf("self-service reset: %v", err)
	}
}
