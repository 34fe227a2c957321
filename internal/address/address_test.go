package address

import (
	"reflect"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for in, want := range map[string]string{
		"budi.santoso": "", "b.santoso2": "", "ab": "address_len", strings.Repeat("a", 41): "address_len",
		"Budi": "address_chars", "budi_santoso": "address_chars", "budi-santoso": "address_chars", "2budi": "address_chars",
		".budi": "address_dots", "budi.": "address_dots", "budi..santoso": "address_dots",
		"postmaster": "address_reserved", "no.reply": "address_reserved", "web.master": "address_reserved", "admin": "address_reserved",
	} {
		if got := Check(in); got != want {
			t.Errorf("Check(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNameWords(t *testing.T) {
	for in, want := range map[string][]string{
		"Drs. H. Murni Santoso, M.Si.":  {"murni", "santoso"},
		"Budi Santoso, S.Kom.":          {"budi", "santoso"},
		"Ir. Siti Nurhaliza Putri, M.T": {"siti", "nurhaliza", "putri"},
		"  José  Ramos-Horta ":          {"jose", "ramoshorta"},
		"Sukarno":                       {"sukarno"},
		"S.Kom.":                        nil,
	} {
		if got := NameWords(in); !reflect.DeepEqual(got, want) {
			t.Errorf("NameWords(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestSuggest(t *testing.T) {
	taken := map[string]bool{"siti.putri": true, "siti.n.putri": true}
	got := Suggest(FirstDotLast, "Ir. Siti Nurhaliza Putri, M.T.", func(s string) bool { return taken[s] }, 4)
	want := []string{"siti.nurhaliza.putri", "siti.putri2", "siti.putri3", "siti.putri4"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got := Suggest(FirstInitial, "Budi Santoso", func(string) bool { return false }, 1); got[0] != "b.santoso" {
		t.Fatalf("f.lastname: %v", got)
	}
	if got := Suggest(FirstLast, "Budi Santoso", func(string) bool { return false }, 1); got[0] != "budisantoso" {
		t.Fatalf("firstnamelastname: %v", got)
	}
	// A reserved single name is never suggested as is.
	if got := Suggest(FirstDotLast, "Admin", func(string) bool { return false }, 2); len(got) != 0 {
		t.Fatalf("suggested %v for a reserved name", got)
	}
}

func TestNormalize(t *testing.T) {
	if got := Normalize("  Budi Santoso@mail.go.id "); got != "budi.santoso" {
		t.Fatalf("%q", got)
	}
}

// Whatever the name, every suggestion passes Check and none repeats.
func FuzzSuggest(f *testing.F) {
	f.Add("Drs. H. Murni Santoso, M.Si.", 3)
	f.Add("Ñoño", 5)
	f.Fuzz(func(t *testing.T, name string, n int) {
		n = n%8 + 1
		if n < 1 {
			n = 1
		}
		seen := map[string]bool{}
		for _, s := range Suggest(FirstDotLast, name, func(s string) bool { return len(s)%3 == 0 }, n) {
			if Check(s) != "" || seen[s] || len(s)%3 == 0 {
				t.Fatalf("bad suggestion %q for %q", s, name)
			}
			seen[s] = true
		}
	})
}

func TestCheckInstitutional(t *testing.T) {
	for _, c := range []struct{ local, prefix, want string }{
		{"diskominfo", "", ""},
		{"bappeda", "", ""},
		{"layanan.dukcapil", "layanan.", ""},
		{"dukcapil", "layanan.", "address_prefix"},
		{"layanan.", "layanan.", "address_dots"},
		{"layanan.x", "layanan.", "address_prefix"},
		{"desa.sungai.putih", "desa.", ""},
		{"postmaster", "", "address_reserved"},
		{"no.reply", "", "address_reserved"},
		{"Diskominfo", "", "address_chars"},
		{"dk", "", "address_len"},
	} {
		if got := CheckInstitutional(c.local, c.prefix); got != c.want {
			t.Errorf("CheckInstitutional(%q, %q) = %q, want %q", c.local, c.prefix, got, c.want)
		}
	}
	// An office's words stay out of a person's reach.
	if got := Check("diskominfo"); got != "address_reserved" {
		t.Errorf("Check(diskominfo) = %q, want address_reserved", got)
	}
}
