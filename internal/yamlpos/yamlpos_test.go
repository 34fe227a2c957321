package yamlpos

import (
	"errors"
	"strings"
	"testing"
)

func TestPlace(t *testing.T) {
	src := "a:\n  b:\n    - x: 1\n    - x: 2\n      y: [3, 4]\nc: &anchor\n  d: 5\ne: *anchor\n"
	ix := New("f.yaml", []byte(src))
	for path, want := range map[string][2]int{
		"a":           {2, 3},
		"a.b[1].x":    {4, 10},
		"a.b[1].y[1]": {5, 14},
		"a.b[1].z":    {4, 7}, // missing: the enclosing entry
		"c.d":         {7, 6},
		"e.d":         {7, 6}, // through the alias
		"nowhere":     {0, 0},
	} {
		if l, c := ix.At(path); l != want[0] || c != want[1] {
			t.Errorf("At(%q) = %d:%d, want %d:%d", path, l, c, want[0], want[1])
		}
	}
	err := ix.Place([]error{errors.New("a.b[1].x: too big"), errors.New("no path here at all"), ix.Errorf("c.d", "odd %d", 5)})
	got := []string{}
	for _, p := range Problems(err) {
		got = append(got, p.Error())
	}
	want := "f.yaml:4:10: a.b[1].x: too big|f.yaml: no path here at all|f.yaml:7:6: c.d: odd 5"
	if strings.Join(got, "|") != want {
		t.Errorf("got %q\nwant %q", strings.Join(got, "|"), want)
	}
	// A document that does not parse knows no positions but still names the file.
	if e := New("g.yaml", []byte("a: [")).Errorf("a", "x"); e.Error() != "g.yaml: a: x" {
		t.Errorf("unparsed: %q", e.Error())
	}
}
