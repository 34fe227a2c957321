package wilayah

import (
	"strings"
	"testing"
)

func TestCounts(t *testing.T) {
	d := MustLoad()
	count := map[Level]int{}
	for _, a := range d.byCode {
		count[a.Level]++
	}
	if count[Province] != 38 || count[Regency] != 514 || count[District] != 7277 || count[Village] != 83763 {
		t.Fatalf("counts %v", count)
	}
	if n := len(d.Children("")); n != 38 {
		t.Fatalf("%d provinces", n)
	}
}

func TestMerangin(t *testing.T) {
	d := MustLoad()
	// Seed 000: Provinsi Jambi, Kabupaten Merangin.
	var jambi, merangin Area
	for _, p := range d.Children("") {
		if p.Name == "JAMBI" {
			jambi = p
		}
	}
	for _, r := range d.Children(jambi.Code) {
		if r.Name == "KABUPATEN MERANGIN" {
			merangin = r
		}
	}
	if merangin.Code == "" || merangin.Title() != "Kabupaten Merangin" {
		t.Fatalf("Merangin not under Jambi: %+v", merangin)
	}
	vs := d.SearchVillages("pasar bangko", merangin.Code, 10)
	if len(vs) == 0 {
		t.Fatal("no village found")
	}
	for _, v := range vs {
		if !d.Within(v.Code, merangin.Code) || !strings.Contains(strings.ToLower(v.Name), "pasar bangko") {
			t.Fatalf("search returned %+v", v)
		}
	}
	if l := d.Label(vs[0].Code); !strings.HasSuffix(l, "Kabupaten Merangin, Jambi") {
		t.Fatalf("label %q", l)
	}
}

func TestSearchPrefixFirst(t *testing.T) {
	d := MustLoad()
	vs := d.SearchVillages("Sukamaju", "", 20)
	if len(vs) != 20 {
		t.Fatalf("%d results", len(vs))
	}
	if !strings.HasPrefix(fold(vs[0].Name), "sukamaju") {
		t.Fatalf("first result %q does not start with the query", vs[0].Name)
	}
	if d.SearchVillages("a", "", 10) != nil {
		t.Fatal("one letter should not search")
	}
}

func BenchmarkSearchVillages(b *testing.B) {
	d := MustLoad()
	for b.Loop() {
		d.SearchVillages("suka", "", 20)
	}
}
