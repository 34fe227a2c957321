package desaid_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/desaid"
)

func TestCheck(t *testing.T) {
	for name, want := range map[string]string{
		"sindangsari": "", "sdsari-pangandaran": "", "desa2": "", "abc": "",
		"ab": "desaid_len", strings.Repeat("a", 64): "desaid_len",
		"sindang_sari": "desaid_chars", "Sindangsari": "desaid_chars", "sindang.sari": "desaid_chars",
		"-sari": "desaid_hyphen", "sari-": "desaid_hyphen", "xn--sari": "desaid_hyphen",
		"12345": "desaid_digits",
	} {
		if got := desaid.Check(name); got != want {
			t.Errorf("Check(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestSuggestFollowsFirstComeFirstServed(t *testing.T) {
	c := desaid.Candidates("Sukajaya", "KECAMATAN CIGUGUR", "KABUPATEN PANGANDARAN")
	if want := []string{"sukajaya", "sukajaya-cigugur", "sukajaya-pangandaran"}; !slices.Equal(c, want) {
		t.Fatalf("Candidates = %v, want %v", c, want)
	}
	got := desaid.Suggest("Sukajaya", "Cigugur", "KABUPATEN PANGANDARAN", func(s string) bool { return s == "sukajaya" }, 2)
	if want := []string{"sukajaya-cigugur", "sukajaya-pangandaran"}; !slices.Equal(got, want) {
		t.Fatalf("Suggest = %v, want %v", got, want)
	}
	if got := desaid.Candidates("Sindang Sari", "", "KOTA BANJAR"); got[0] != "sindangsari" || got[1] != "sindangsari-banjar" {
		t.Fatalf("Candidates = %v", got)
	}
	if got := desaid.Normalize("  Sindang Sari.desa.id "); got != "sindangsari" {
		t.Fatalf("Normalize = %q", got)
	}
	long := desaid.Candidates(strings.Repeat("panjang", 9), "", "KABUPATEN X")
	for _, n := range long {
		if desaid.Check(n) != "" {
			t.Fatalf("candidate %q breaks the rules", n)
		}
	}
}

func TestDerivedFromTheVillagesName(t *testing.T) {
	for name, want := range map[string]bool{
		"sindangsari": true, "sindang-sari": true, "sdsari": true, "sindangsari-cisayong": true, "sdsari-tasikmalaya": true,
		"sindangsari-tsm": true, "ssari-cisy": true,
		"desaku": false, "tasik": false, "sari": true, "sindangsari-bandung": false, "sindangsarii": false, "ds-sindangsari": false, "sin": true, "si": false,
	} {
		if got := desaid.Derived(name, "DESA SINDANG SARI", "KECAMATAN CISAYONG", "KABUPATEN TASIKMALAYA"); got != want {
			t.Errorf("Derived(%q) = %v, want %v", name, got, want)
		}
	}
	for _, c := range desaid.Candidates("Sukajaya", "Cigugur", "KABUPATEN PANGANDARAN") {
		if !desaid.Derived(c, "Sukajaya", "Cigugur", "KABUPATEN PANGANDARAN") {
			t.Errorf("candidate %q not derived", c)
		}
	}
}
