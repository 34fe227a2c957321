package wilayah

import (
	"bytes"
	"encoding/csv"
	"sort"
	"strings"
	"testing"
)

// TestAgainstFiles checks the packed layout against the published files read plainly:
// every area found by its code with its name, parent and level, every parent's children
// complete and sorted by name, every path ending at a province.
func TestAgainstFiles(t *testing.T) {
	d := MustLoad()
	want := map[string]Area{}
	children := map[string][]string{}
	for _, f := range []struct {
		file  string
		level Level
	}{{"provinces.csv", Province}, {"regencies.csv", Regency}, {"districts.csv", District}, {"villages.csv", Village}} {
		b, _ := dataFS.ReadFile("data/" + f.file)
		r := csv.NewReader(bytes.NewReader(b))
		r.LazyQuotes = true
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs[1:] {
			a := Area{Code: rec[0], Name: rec[1], Level: f.level}
			if f.level != Province {
				a.Parent, a.Name = rec[1], rec[2]
			}
			want[a.Code] = a
			children[a.Parent] = append(children[a.Parent], a.Name)
		}
	}
	if len(want) != len(d.areas) {
		t.Fatalf("%d areas, the files have %d", len(d.areas), len(want))
	}
	for code, a := range want {
		got, ok := d.Get(code)
		if !ok || got != a {
			t.Fatalf("Get(%q) = %+v, %v; want %+v", code, got, ok, a)
		}
		path := d.Path(code)
		if len(path) != int(a.Level) || path[0].Level != Province || path[len(path)-1] != a || !d.Within(code, path[0].Code) {
			t.Fatalf("Path(%q) = %+v", code, path)
		}
	}
	for parent, names := range children {
		sort.Strings(names)
		got := d.Children(parent)
		if len(got) != len(names) {
			t.Fatalf("Children(%q): %d, want %d", parent, len(got), len(names))
		}
		for i := range got {
			if got[i].Name != names[i] || got[i].Parent != parent {
				t.Fatalf("Children(%q)[%d] = %+v, want %q", parent, i, got[i], names[i])
			}
		}
	}
	if _, ok := d.Get("99.99"); ok || d.Children("99.99") != nil || d.Path("99.99") != nil || d.Within("", "") {
		t.Fatal("an unknown code was found")
	}
}

func TestCounts(t *testing.T) {
	d := MustLoad()
	count := map[Level]int{}
	for _, a := range d.areas {
		count[a.level]++
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
