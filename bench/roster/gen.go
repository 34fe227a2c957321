package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
)

// The vocabulary of the generated roster: common Indonesian given names and family names,
// the academic titles the name check strips, and instansi/unit names in the short forms
// the BKN exports use.
var (
	givenNames = []string{"Agus", "Budi", "Siti", "Sri", "Dewi", "Ahmad", "Muhammad", "Nur", "Eko", "Dwi",
		"Rina", "Yuli", "Hendra", "Indra", "Wahyu", "Fitri", "Rizky", "Ani", "Bambang", "Joko",
		"Putri", "Lestari", "Andi", "Rudi", "Yanti", "Hadi", "Suryani", "Dian", "Made", "Wayan",
		"Ketut", "Nyoman", "Fajar", "Ratna", "Ika", "Arif", "Taufik", "Irwan", "Sari", "Asep",
		"Ujang", "Teguh", "Rahmat", "Yusuf", "Hasan", "Ilham", "Novi", "Maya", "Tri", "Ayu"}
	familyNames = []string{"Santoso", "Wijaya", "Saputra", "Hidayat", "Rahman", "Siregar", "Nasution",
		"Lubis", "Harahap", "Sembiring", "Kurniawan", "Setiawan", "Pratama", "Susanto", "Gunawan",
		"Hakim", "Sihombing", "Situmorang", "Ginting", "Tanjung", "Rahayu", "Wulandari", "Utami",
		"Purnomo", "Suharto", "Hartono", "Sulistyo", "Nugroho", "Prasetyo", "Firmansyah", "Syahputra",
		"Manurung", "Sinaga", "Pohan", "Daulay", "Tobing", "Mahendra", "Permana", "Sutrisno", "Yulianti"}
	prefixTitles = []string{"Drs. ", "Dr. ", "Ir. ", "H. ", "Hj. "}
	suffixTitles = []string{", S.Kom.", ", S.T.", ", M.Si.", ", S.E.", ", S.H.", ", S.Pd.", ", A.Md.", ", M.M.", ", S.Sos."}
	regions      = []string{"Bogor", "Bandung", "Medan", "Kudus", "Malang", "Sleman", "Bantul", "Gowa",
		"Bone", "Banyumas", "Garut", "Cirebon", "Jember", "Sidoarjo", "Gresik", "Klaten",
		"Pematangsiantar", "Palu", "Samarinda", "Balikpapan", "Kupang", "Ambon", "Jayapura",
		"Padang", "Pekanbaru", "Jambi", "Palembang", "Pati", "Serang", "Tangerang"}
	units = []string{"Disdik", "Dinkes", "Bappeda", "BKPSDM", "DPUPR", "Diskominfo",
		"Dinsos", "Setda", "BPKAD", "Inspektorat", "RSUD", "Kecamatan", "Dishub",
		"Satpol PP", "DPMPTSP", "Distan", "Puskesmas", "SMPN", "SDN", "Dukcapil"}
)

// generate writes rows roster lines (and a header) to path: NIPs that pass nip.Parse and
// are unique, grouped by instansi as an export from the personnel system is, so the NIPs
// arrive in no particular order.
func generate(path string, rows int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	fmt.Fprintln(w, "nip,nama,instansi,unit_kerja,status,aktif")
	seen := make(map[uint64]struct{}, rows)
	line := make([]byte, 0, 160)
	instansiRows := 0
	var instansi string
	for i := 0; i < rows; i++ {
		if instansiRows == 0 {
			reg := regions[r.IntN(len(regions))]
			switch r.IntN(3) {
			case 0:
				instansi = "Prov. " + reg
			case 1:
				instansi = "Kota " + reg
			default:
				instansi = "Kab. " + reg
			}
			instansiRows = 1000 + r.IntN(20000)
		}
		instansiRows--
		var nip []byte
		for {
			nip = makeNIP(r)
			k, _ := strconv.ParseUint(string(nip), 10, 64)
			if _, dup := seen[k]; !dup {
				seen[k] = struct{}{}
				break
			}
		}
		line = append(line[:0], nip...)
		line = append(line, ',')
		name := givenNames[r.IntN(len(givenNames))] + " " + familyNames[r.IntN(len(familyNames))]
		if r.IntN(8) == 0 {
			name = prefixTitles[r.IntN(len(prefixTitles))] + name
		}
		if r.IntN(8) == 0 {
			name += suffixTitles[r.IntN(len(suffixTitles))]
		}
		line = appendField(line, name)
		line = append(line, ',')
		line = append(line, instansi...)
		line = append(line, ',')
		line = append(line, units[r.IntN(len(units))]...)
		switch p := r.IntN(100); {
		case p < 80:
			line = append(line, ",PNS,"...)
		case p < 96:
			line = append(line, ",PPPK,"...)
		default:
			line = append(line, ",honorer,"...)
		}
		if r.IntN(20) == 0 {
			line = append(line, '0')
		} else {
			line = append(line, '1')
		}
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// appendField quotes a CSV field when it holds a comma, as a spreadsheet export does.
func appendField(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == '"' {
			return strconv.AppendQuote(b, s) // the names hold no backslash or quote
		}
	}
	return append(b, s...)
}

// makeNIP is birth date, TMT at 19–35 years old, gender and sequence.
func makeNIP(r *rand.Rand) []byte {
	by := 1964 + r.IntN(40)
	bm := 1 + r.IntN(12)
	bd := 1 + r.IntN(28)
	ty := by + 19 + r.IntN(17)
	if ty > 2024 {
		ty = 2024
	}
	tm := 1 + r.IntN(12)
	return fmt.Appendf(nil, "%04d%02d%02d%04d%02d%d%03d", by, bm, bd, ty, tm, 1+r.IntN(2), 1+r.IntN(999))
}
