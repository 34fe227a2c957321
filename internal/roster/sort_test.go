package roster

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// entries is a Source over a slice, for the path of a Source that is not a Reader.
type entries struct {
	es []Entry
	i  int
}

func (s *entries) Next() (Entry, int, error) {
	if s.i == len(s.es) {
		return Entry{}, 0, io.EOF
	}
	s.i++
	return s.es[s.i-1], s.i + 1, nil
}

func drain(t *testing.T, s *Sorted) ([]Entry, []int, error) {
	t.Helper()
	var es []Entry
	var lines []int
	for {
		e, line, err := s.Next()
		if err == io.EOF {
			return es, lines, nil
		}
		if err != nil {
			return es, lines, err
		}
		es = append(es, e)
		lines = append(lines, line)
	}
}

func randomEntries(n int, seed uint64) []Entry {
	r := rand.New(rand.NewPCG(seed, 1))
	seen := map[string]bool{}
	var es []Entry
	for len(es) < n {
		nip := fmt.Sprintf("%018d", r.Uint64N(1e18))
		if seen[nip] {
			continue
		}
		seen[nip] = true
		es = append(es, Entry{NIP: nip, Name: fmt.Sprintf("Nama %d", len(es)), Instansi: strings.Repeat("i", r.IntN(40)),
			Unit: strings.Repeat("u", r.IntN(300)), Status: []Status{PNS, PPPK, Honorer}[r.IntN(3)], Active: r.IntN(2) == 0})
	}
	return es
}

// Many runs on disk and the last in memory merge into NIP order, every field intact.
func TestSortRuns(t *testing.T) {
	for _, runBytes := range []int{4096, 65536, 1 << 20} {
		t.Run(fmt.Sprint(runBytes), func(t *testing.T) {
			dir := t.TempDir()
			es := randomEntries(3000, uint64(runBytes))
			s, err := Sort(&entries{es: es}, Options{TempDir: dir, RunBytes: runBytes})
			if err != nil {
				t.Fatal(err)
			}
			got, lines, err := drain(t, s)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(es)
			slices.SortFunc(want, func(a, b Entry) int { return strings.Compare(a.NIP, b.NIP) })
			if !slices.Equal(got, want) {
				t.Fatal("entries differ from the sorted input")
			}
			for i, e := range got {
				if es[lines[i]-2] != e {
					t.Fatalf("line %d is not %+v", lines[i], e)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Fatalf("Close left %v", left)
			}
		})
	}
}

// A NIP twice, in different runs or the same, is reported with both lines; a third
// copy points at the first.
func TestSortDuplicates(t *testing.T) {
	es := randomEntries(500, 7)
	es = append(es, es[10], es[400], es[10])
	for _, runBytes := range []int{64, 1 << 20} {
		s, err := Sort(&entries{es: es}, Options{TempDir: t.TempDir(), RunBytes: runBytes})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = drain(t, s)
		s.Close()
		var fe *FileError
		if !errors.As(err, &fe) || fe.Total != 3 {
			t.Fatalf("err %v", err)
		}
		got := map[string][2]int{}
		for _, p := range fe.Problems {
			if p.Reason != "duplicate" {
				t.Fatalf("problem %+v", p)
			}
			got[fmt.Sprint(p.Line)] = [2]int{p.Other, 0}
		}
		// Lines are index+2 (the entries source counts a header line).
		want := map[string][2]int{"502": {12, 0}, "503": {402, 0}, "504": {12, 0}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("duplicates %v, want %v", got, want)
		}
	}
}

// Sorting a Reader takes its rows without strings, to the same result.
func TestSortReader(t *testing.T) {
	es := randomEntries(2000, 3)
	var b strings.Builder
	b.WriteString("nip,nama,instansi,unit,status,aktif\n")
	for _, e := range es {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%v\n", e.NIP, e.Name, e.Instansi, e.Unit, e.Status, e.Active)
	}
	rd, err := NewReader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Sort(rd, Options{TempDir: t.TempDir(), RunBytes: 8192})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, lines, err := drain(t, s)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range got {
		if es[lines[i]-2] != e {
			t.Fatalf("line %d: %+v, want %+v", lines[i], e, es[lines[i]-2])
		}
		if i > 0 && got[i-1].NIP >= e.NIP {
			t.Fatal("not in NIP order")
		}
	}
	if len(got) != len(es) {
		t.Fatalf("%d entries, want %d", len(got), len(es))
	}
}

// A bad file is refused by Sort itself, before anything is merged.
func TestSortBadFile(t *testing.T) {
	rd, err := NewReader(strings.NewReader("nip,nama,status,aktif\n198001012005011002,A,PNS,1\n1,B,PNS,1\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var fe *FileError
	if _, err := Sort(rd, Options{TempDir: dir, RunBytes: 16}); !errors.As(err, &fe) || fe.Problems[0].Line != 3 {
		t.Fatalf("err %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("Sort left %v", left)
	}
}

func TestRadixSortStable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var rn run
	for i := range 10000 {
		rn.idx = append(rn.idx, item{key: r.Uint64N(50) << (r.UintN(4) * 16), line: uint32(i)})
	}
	want := slices.Clone(rn.idx)
	slices.SortStableFunc(want, func(a, b item) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	rn.sort()
	if !slices.Equal(rn.idx, want) {
		t.Fatal("radix sort differs from a stable sort")
	}
}
