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

// Data is the loaded set of areas.
type Data struct {
	byCode   map[string]Area
	children map[string][]Area // parent code → areas, sorted by name; "" → provinces
	villages []searchEntry
}

type searchEntry struct {
	key  string // folded village name
	code string
}

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

func parse() (*Data, error) {
	d := &Data{byCode: make(map[string]Area, 92000), children: map[string][]Area{}}
	for _, f := range []struct {
		file  string
		level Level
	}{{"provinces.csv", Province}, {"regencies.csv", Regency}, {"districts.csv", District}, {"villages.csv", Village}} {
		b, err := dataFS.ReadFile("data/" + f.file)
		if err != nil {
			return nil, err
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.ReuseRecord = true
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
			a := Area{Code: rec[0], Level: f.level}
			if f.level == Province {
				a.Name = rec[1]
			} else {
				a.Parent, a.Name = rec[1], rec[2]
			}
			d.byCode[a.Code] = a
			d.children[a.Parent] = append(d.children[a.Parent], a)
			if f.level == Village {
				d.villages = append(d.villages, searchEntry{key: fold(a.Name), code: a.Code})
			}
		}
	}
	for _, list := range d.children {
		sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	}
	return d, nil
}

// Get finds an area by code.
func (d *Data) Get(code string) (Area, bool) {
	a, ok := d.byCode[code]
	return a, ok
}

// Children lists the areas under parent ("" for the provinces), by name.
func (d *Data) Children(parent string) []Area { return d.children[parent] }

// Path is the area and its ancestors, province first.
func (d *Data) Path(code string) []Area {
	var out []Area
	for code != "" {
		a, ok := d.byCode[code]
		if !ok {
			return nil
		}
		out = append([]Area{a}, out...)
		code = a.Parent
	}
	return out
}

// Within tells whether code is parent or lies under it.
func (d *Data) Within(code, parent string) bool {
	for code != "" {
		if code == parent {
			return true
		}
		code = d.byCode[code].Parent
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
	var prefix, inner []Area
	for _, v := range d.villages {
		if len(prefix) >= limit {
			break
		}
		i := strings.Index(v.key, key)
		if i < 0 || (within != "" && !d.Within(v.code, within)) {
			continue
		}
		if i == 0 {
			prefix = append(prefix, d.byCode[v.code])
		} else if len(inner) < limit {
			inner = append(inner, d.byCode[v.code])
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
