package roster

import (
	"io"
	"slices"
	"testing"
)

type list struct {
	es []Entry
	i  int
}

func (l *list) Next() (Entry, int, error) {
	if l.i >= len(l.es) {
		return Entry{}, 0, io.EOF
	}
	l.i++
	return l.es[l.i-1], l.i + 1, nil
}

func TestDiff(t *testing.T) {
	p := func(nip, unit string, active bool) Entry {
		return Entry{NIP: nip, Name: "N" + nip[17:], Instansi: "Pemkot", Unit: unit, Status: PNS, Active: active}
	}
	old := &list{es: []Entry{p("100000000000000001", "A", true), p("100000000000000002", "A", true), p("100000000000000003", "A", true),
		p("100000000000000005", "A", true), p("100000000000000009", "A", true)}}
	nu := []Entry{p("100000000000000002", "B", true), p("100000000000000003", "A", false), p("100000000000000004", "A", true),
		p("100000000000000005", "A", true)}
	var got []string
	d := NewDiff(old, &list{es: nu}, func(c Change) error { got = append(got, c.NIP[15:]+" "+string(c.Kind)); return nil })
	var passed []Entry
	for {
		e, _, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		passed = append(passed, e)
	}
	if !slices.Equal(passed, nu) {
		t.Fatalf("entries passed through: %v", passed)
	}
	want := []string{"001 keluar", "002 pindah", "003 nonaktif", "004 baru", "009 keluar"}
	if !slices.Equal(got, want) {
		t.Fatalf("changes %v, want %v", got, want)
	}
	s := d.Summary()
	if s.Entries != 4 || s.Previous != 5 || s.Counts[Left] != 2 || s.Counts[Joined] != 1 || s.Counts[Moved] != 1 || s.Counts[Inactive] != 1 {
		t.Fatalf("summary %+v", s)
	}
	if !Left.Proposes() || !Inactive.Proposes() || Moved.Proposes() {
		t.Fatal("Proposes")
	}
	// A first import only counts the new entries.
	got = nil
	d = NewDiff(nil, &list{es: nu}, func(c Change) error { got = append(got, string(c.Kind)); return nil })
	for {
		if _, _, err := d.Next(); err != nil {
			break
		}
	}
	if len(got) != 0 || d.Summary().Counts[Joined] != 4 {
		t.Fatalf("first import: %v %+v", got, d.Summary())
	}
}
