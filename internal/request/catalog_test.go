package request

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/yamlpos"
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

	// A catalogue file's problems each name the file, line and column, all of them at once.
	path := filepath.Join(t.TempDir(), "katalog.yaml")
	os.WriteFile(path, []byte("services:\n  - code: email\n    kinds:\n      - code: pns\n        fields:\n          - {name: nip, type: nip}\n          - {name: nip, type: nip}\n          - {name: foto, type: picture}\n  - code: email\n"), 0o600)
	_, err = LoadCatalogFile(path)
	want := []string{
		path + ":7:20: services[0].kinds[0].fields[1].name: email/pns/nip: defined twice",
		path + ":8:32: services[0].kinds[0].fields[2].type: email/pns/foto: unknown type \"picture\"",
		path + ":9:11: services[1].code: service \"email\" is defined twice",
	}
	got := yamlpos.Problems(err)
	if len(got) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(got), len(want), err)
	}
	for i, p := range got {
		if p.Error() != want[i] {
			t.Errorf("problem %d: %q, want %q", i, p.Error(), want[i])
		}
	}
	if _, err := LoadCatalogFile(path + ".missing"); err == nil || !strings.HasPrefix(err.Error(), "SUREL_CATALOG: ") {
		t.Errorf("missing file: %v", err)
	}
	// An unknown key is a typo, not a silently ignored setting.
	os.WriteFile(path, []byte("services:\n  - code: email\n    kinds:\n      - code: pns\n        fileds: []\n"), 0o600)
	if _, err := LoadCatalogFile(path); err == nil || !strings.Contains(err.Error(), "line 5") || !strings.Contains(err.Error(), "fileds") {
		t.Errorf("unknown key: %v", err)
	}
}
