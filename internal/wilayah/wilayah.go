// Package wilayah holds Indonesia's administrative areas (Kemendagri codes): 38 provinces,
// 514 regencies and cities, 7,277 districts and 83,763 villages, embedded in the binary and
// read into memory on first use, so the dependent lists and the village search need no
// database and no network.
package wilayah

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
)

//go:embed data/*.csv
var dataFS embed.FS

// Level of an area.
type Level int

// The four levels.
const (
	Province Level = iota + 1
	Regency
	District
	Village
)

// Area is one administrative area.
type Area struct {
	Code   string // "15.02.01.2001"
	Name   string // as published: provinces and regencies upper-case
	Parent string // the code of the area it belongs to; "" for a province
	Level  Level
}

// Title is the name in title case ("KABUPATEN MERANGIN" → "Kabupaten Merangin").
func (a Area) Title() string { return titleCase(a.Name) }

// Data is the loaded set of areas, laid out for the garbage collector: every code and
// name lives in one string, and the areas are slices of integers, with no pointers, so
// the 91,000 areas cost a collection nothing to scan. (Held as maps and slices of
// strings they were four fifths of the server's live heap, which every collection marked
// again, adding a 10 – 25 ms slowdown to the requests that ran meanwhile.)
type Data struct {
	text     string   // every code and name, back to back
	areas    []area   // sorted by code
	kids     []int32  // the areas under each area, one run per parent, sorted by name
	roots    span     // the provinces' run in kids
	villages []int32  // villages in the order of the published list, for the search
	keys     string   // their folded names, each ended by a 0 byte
	keyEnd   []uint32 // where each folded name ends in keys
}

// area is one administrative area, its strings as spans of Data.text.
type area struct {
	code, name text
	parent     int32 // index in Data.areas; -1 for a province
	kids       span  // in Data.kids
	level      Level
}

type text struct {
	off uint32
	n   uint16
}

type span struct{ start, n int32 }

var (
	once   sync.Once
	loaded *Data
	errLd  error
)

// Load reads the embedded data once.
func Load() (*Data, error) {
	once.Do(func() { loaded, errLd = parse() })
	return loaded, errLd
}

// MustLoad is Load for start-up code: the data is embedded, so failing is a build error.
func MustLoad() *Data {
	d, err := Load()
	if err != nil {
		panic(err)
	}
	return d
}

// record is one line of the published files, while parsing.
type record struct {
	code, parent, name string
	level              Level
}

func parse() (*Data, error) {
	var recs []record
	for _, f := range []struct {
		file  string
		level Level
	}{{"provinces.csv", Province}, {"regencies.csv", Regency}, {"districts.csv", District}, {"villages.csv", Village}} {
		b, err := dataFS.ReadFile("data/" + f.file)
		if err != nil {
			return nil, err
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.LazyQuotes = true                 // some village names hold a bare quote: Soka"an
		if _, err := r.Read(); err != nil { // header
			return nil, fmt.Errorf("wilayah %s: %w", f.file, err)
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("wilayah %s: %w", f.file, err)
			}
			if f.level == Province {
				recs = append(recs, record{code: rec[0], name: rec[1], level: f.level})
			} else {
				recs = append(recs, record{code: rec[0], parent: rec[1], name: rec[2], level: f.level})
			}
		}
	}

	// The areas in code order, their strings copied into one.
	order := make([]int32, len(recs))
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(i, j int) bool { return recs[order[i]].code < recs[order[j]].code })
	d := &Data{areas: make([]area, len(recs))}
	var b strings.Builder
	put := func(s string) text {
		t := text{off: uint32(b.Len()), n: uint16(len(s))}
		b.WriteString(s)
		return t
	}
	index := make(map[string]int32, len(recs))
	at := make([]int32, len(recs)) // record → area index
	for i, ri := range order {
		r := recs[ri]
		if len(r.code) > 0xffff || len(r.name) > 0xffff {
			return nil, fmt.Errorf("wilayah %s: too long", r.code)
		}
		if _, dup := index[r.code]; dup {
			return nil, fmt.Errorf("wilayah: code %s twice", r.code)
		}
		d.areas[i] = area{code: put(r.code), name: put(r.name), parent: -1, level: r.level}
		index[r.code], at[ri] = int32(i), int32(i)
	}
	d.text = b.String()

	// Parents, then each parent's run of children, sorted by name.
	counts := make([]int32, len(d.areas)+1) // by parent index + 1; 0 for the provinces
	for i, r := range recs {
		if r.parent == "" {
			counts[0]++
			continue
		}
		p, ok := index[r.parent]
		if !ok {
			return nil, fmt.Errorf("wilayah: %s belongs to unknown %s", r.code, r.parent)
		}
		d.areas[at[i]].parent = p
		counts[p+1]++
	}
	starts := make([]int32, len(counts))
	for i := 1; i < len(counts); i++ {
		starts[i] = starts[i-1] + counts[i-1]
	}
	d.kids = make([]int32, len(d.areas))
	fill := slices.Clone(starts)
	for i := range d.areas {
		k := d.areas[i].parent + 1
		d.kids[fill[k]] = int32(i)
		fill[k]++
	}
	d.roots = span{starts[0], counts[0]}
	for i := range d.areas {
		d.areas[i].kids = span{starts[i+1], counts[i+1]}
	}
	byName := func(run []int32) {
		sort.Slice(run, func(i, j int) bool { return d.str(d.areas[run[i]].name) < d.str(d.areas[run[j]].name) })
	}
	byName(d.kids[d.roots.start : d.roots.start+d.roots.n])
	for _, a := range d.areas {
		byName(d.kids[a.kids.start : a.kids.start+a.kids.n])
	}

	// The villages for the search, in the published order.
	var keys strings.Builder
	for i, r := range recs {
		if r.level == Village {
			d.villages = append(d.villages, at[i])
			keys.WriteString(fold(r.name))
			keys.WriteByte(0)
			d.keyEnd = append(d.keyEnd, uint32(keys.Len()))
		}
	}
	d.keys = keys.String()
	return d, nil
}

func (d *Data) str(t text) string { return d.text[t.off : t.off+uint32(t.n)] }

// at is the Area of index i.
func (d *Data) at(i int32) Area {
	a := &d.areas[i]
	out := Area{Code: d.str(a.code), Name: d.str(a.name), Level: a.level}
	if a.parent >= 0 {
		out.Parent = d.str(d.areas[a.parent].code)
	}
	return out
}

// find is the index of the area with code, or -1.
func (d *Data) find(code string) int32 {
	i := sort.Search(len(d.areas), func(i int) bool { return d.str(d.areas[i].code) >= code })
	if i < len(d.areas) && d.str(d.areas[i].code) == code {
		return int32(i)
	}
	return -1
}

// Get finds an area by code.
func (d *Data) Get(code string) (Area, bool) {
	i := d.find(code)
	if i < 0 {
		return Area{}, false
	}
	return d.at(i), true
}

// Children lists the areas under parent ("" for the provinces), by name.
func (d *Data) Children(parent string) []Area {
	run := d.roots
	if parent != "" {
		i := d.find(parent)
		if i < 0 {
			return nil
		}
		run = d.areas[i].kids
	}
	if run.n == 0 {
		return nil
	}
	out := make([]Area, run.n)
	for j, k := range d.kids[run.start : run.start+run.n] {
		out[j] = d.at(k)
	}
	return out
}

// Path is the area and its ancestors, province first.
func (d *Data) Path(code string) []Area {
	i := d.find(code)
	if i < 0 {
		return nil
	}
	var out []Area
	for ; i >= 0; i = d.areas[i].parent {
		out = append(out, d.at(i))
	}
	slices.Reverse(out)
	return out
}

// Within tells whether code is parent or lies under it.
func (d *Data) Within(code, parent string) bool {
	if code == "" {
		return false
	}
	if code == parent {
		return true
	}
	return d.within(d.find(code), d.find(parent))
}

// within tells whether area i is area p or lies under it.
func (d *Data) within(i, p int32) bool {
	if p < 0 {
		return false
	}
	for ; i >= 0; i = d.areas[i].parent {
		if i == p {
			return true
		}
	}
	return false
}

// Label is a village's address as a person writes it: "Desa, Kecamatan, Kabupaten, Provinsi".
func (d *Data) Label(code string) string {
	p := d.Path(code)
	parts := make([]string, len(p))
	for i := range p {
		parts[len(p)-1-i] = p[i].Title()
	}
	return strings.Join(parts, ", ")
}

// SearchVillages finds villages whose name starts with q (or, after those, contains it),
// optionally only under the area within, at most limit of them. Names are compared
// without case, punctuation or accents.
func (d *Data) SearchVillages(q, within string, limit int) []Area {
	key := fold(q)
	if len(key) < 2 {
		return nil
	}
	w := int32(-1)
	if within != "" {
		if w = d.find(within); w < 0 {
			return nil
		}
	}
	var prefix, inner []Area
	start := uint32(0)
	for n, v := range d.villages {
		if len(prefix) >= limit {
			break
		}
		k := d.keys[start : d.keyEnd[n]-1]
		start = d.keyEnd[n]
		i := strings.Index(k, key)
		if i < 0 || (w >= 0 && !d.within(v, w)) {
			continue
		}
		if i == 0 {
			prefix = append(prefix, d.at(v))
		} else if len(inner) < limit {
			inner = append(inner, d.at(v))
		}
	}
	out := append(prefix, inner...)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		} else if r == ' ' || r == '-' {
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

var keepUpper = map[string]bool{"DKI": true, "DI": true}

func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if keepUpper[w] {
			continue
		}
		rs := []rune(strings.ToLower(w))
		for j := range rs {
			if j == 0 || rs[j-1] == '-' || rs[j-1] == '(' {
				rs[j] = unicode.ToUpper(rs[j])
			}
		}
		words[i] = string(rs)
	}
	return strings.Join(words, " ")
}
