package sop

import (
	"strings"
	"testing"
)

// Every title the shipped SOPs give a step has its English (jabatan_en), which the
// English interface shows in the steps table, the swimlane and the history; the
// Indonesian stays as written.
func TestPresetTitlesInEnglish(t *testing.T) {
	defs := map[string]Definition{}
	for _, slug := range []string{"kominfo", "pematangsiantar", "palangkaraya", "kaltim"} {
		d, _ := Preset(slug)
		defs[slug] = d
	}
	for _, code := range []string{"verifikasi-instansi", "domain-desa-id", "subdomain", "hapus-subdomain"} {
		d, ok := ServicePreset(code)
		if !ok {
			t.Fatalf("no service preset %s", code)
		}
		defs[code] = d
	}
	for slug, d := range defs {
		steps := append([]Step{}, d.Steps...)
		for _, flow := range d.Services {
			steps = append(steps, flow...)
		}
		for _, s := range steps {
			if s.Jabatan != "" && s.JabatanEN == "" {
				t.Errorf("%s step %s: jabatan %q without jabatan_en", slug, s.Key, s.Jabatan)
			}
			if s.Who("id") != s.Jabatan && s.Jabatan != "" {
				t.Errorf("%s step %s: Indonesian title %q, want %q", slug, s.Key, s.Who("id"), s.Jabatan)
			}
			if s.JabatanEN != "" && s.Who("en") != s.JabatanEN {
				t.Errorf("%s step %s: English title %q", slug, s.Key, s.Who("en"))
			}
		}
	}
	kaltim := defs["kaltim"]
	en, id := string(SVG(kaltim, "en")), string(SVG(kaltim, "id"))
	if !strings.Contains(en, "Head of the Informatics Applications Division") || strings.Contains(en, "Kepala Bidang Aptika") {
		t.Error("the English swimlane does not name the Kabid Aptika in English")
	}
	if !strings.Contains(id, "Kepala Bidang Aptika") {
		t.Error("the Indonesian swimlane lost the office's title")
	}
}
