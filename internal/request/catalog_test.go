package request

import (
	"strings"
	"testing"
)

func TestLoadCatalog(t *testing.T) {
	c, err := LoadCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	sv, ok := c.Offering("email")
	if !ok || len(sv.Kinds) != 2 || sv.Name.In("id") != "Pendaftaran Akun Email" {
		t.Fatalf("built-in catalogue: %+v", sv)
	}
	k, _ := sv.Kind("desa")
	if f, _ := k.Field("doc_sk_perangkat"); f.MaxKB != 250 {
		t.Fatalf("perangkat desa decree limit %d KB, want 250 (seed 001)", f.MaxKB)
	}
	k, _ = sv.Kind("pns")
	if f, _ := k.Field("doc_kepegawaian"); f.MaxKB != 10240 || strings.Join(f.Kinds, ",") != "jpg,png,gif,pdf" {
		t.Fatalf("PNS scan rule %+v, want jpg/png/gif/pdf up to 10 MB (seed 000)", f)
	}
	for yaml, want := range map[string]string{
		"services: [{code: x, kinds: [{code: a, fields: [{name: f, type: magic}]}]}]":                       "unknown type",
		"services: [{code: x, kinds: [{code: a, fields: [{name: f, type: text}, {name: f, type: text}]}]}]": "defined twice",
		"services: [{code: x, kinds: [{code: a, fields: [{name: f, type: file}]}]}]":                        "needs kinds and max_kb",
		"services: [{code: x, kinds: [{code: a, fields: [{name: r, type: region, parent: p}]}]}]":           "must come before",
	} {
		if _, err := LoadCatalog([]byte(yaml)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", yaml, err, want)
		}
	}
}
