package letter

import (
	"strings"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/errs"
)

// Settings are a tenant's letter settings: its letterhead, who signs, where its letters
// are dated and how each kind is numbered.
type Settings struct {
	Letterhead Letterhead
	Signer     Signer
	// Place is the city letters are dated in ("Samarinda").
	Place string
	// Office is the office's code in letter numbers ({kantor}), "DISKOMINFO".
	Office string
	// Series is the numbering of each kind; a kind not listed uses DefaultPattern and its
	// own short code (TT, SPA, SHP, LAP).
	Series map[Kind]Series
}

// Letterhead is the kop surat: the government and office names in capitals, the
// office's address and contacts, and its logo, above a double rule.
type Letterhead struct {
	Government string // "PEMERINTAH PROVINSI KALIMANTAN TIMUR"
	Office     string // "DINAS KOMUNIKASI DAN INFORMATIKA"
	Address    string // "Jl. Basuki Rahmat No. 41, Samarinda 75117"
	Phone      string
	Email      string
	Website    string
	// Logo is a PNG or JPEG image, checked by content when the settings are read.
	Logo []byte
}

// Signer is the official who signs the tenant's letters. A letter carries the
// signature block ready for an electronic signature: the space is left, the name and
// NIP printed.
type Signer struct {
	Jabatan string // "Kepala Dinas Komunikasi dan Informatika"
	Name    string
	Pangkat string // "Pembina Utama Muda (IV/c)"; may be empty
	NIP     string
}

// Series is how one kind of document is numbered.
type Series struct {
	Pattern Pattern
	// Code is the kind's code in the number ({kode}).
	Code string
}

// DefaultPattern numbers a kind as "12/TT/DISKOMINFO/XII/2026", restarting every year.
const DefaultPattern Pattern = "{seq}/{kode}/{kantor}/{bulan-romawi}/{tahun}"

// SeriesOf is the numbering of kind k, with the defaults filled in.
func (s Settings) SeriesOf(k Kind) Series {
	sr := s.Series[k]
	if sr.Pattern == "" {
		sr.Pattern = DefaultPattern
	}
	if sr.Code == "" {
		sr.Code = k.abbrev()
	}
	return sr
}

// WithDefaults fills what a tenant left empty from its name and slug, so that an
// unconfigured tenant still prints a plain letterhead and numbers its letters.
func (s Settings) WithDefaults(name, slug string) Settings {
	if s.Letterhead.Office == "" {
		s.Letterhead.Office = strings.ToUpper(name)
	}
	if s.Office == "" {
		s.Office = strings.ToUpper(slug)
	}
	return s
}

// Check validates settings as a tenant's configuration or form gives them: each problem
// names its field ("letters.series.receipt.pattern") and rule.
func (s Settings) Check() error {
	var fs errs.Fields
	text := func(name, v string, max int) {
		if utf8.RuneCountInString(v) > max {
			fs.Add(name, "max_len", max)
		}
	}
	text("government", s.Letterhead.Government, 120)
	text("office", s.Letterhead.Office, 120)
	text("address", s.Letterhead.Address, 200)
	text("phone", s.Letterhead.Phone, 60)
	text("email", s.Letterhead.Email, 120)
	text("website", s.Letterhead.Website, 120)
	text("place", s.Place, 60)
	text("signer_jabatan", s.Signer.Jabatan, 150)
	text("signer_name", s.Signer.Name, 120)
	text("signer_pangkat", s.Signer.Pangkat, 80)
	if s.Signer.NIP != "" && !allDigits(s.Signer.NIP, 18) {
		fs.Add("signer_nip", "nip_digits")
	}
	if !codeText(s.Office) {
		fs.Add("office_code", "letter_code")
	}
	for _, k := range Kinds {
		sr, ok := s.Series[k]
		if !ok {
			continue
		}
		if sr.Pattern != "" {
			if err := sr.Pattern.Check(); err != nil {
				fs.Add("series_"+string(k)+"_pattern", err.Error())
			}
		}
		if !codeText(sr.Code) {
			fs.Add("series_"+string(k)+"_code", "letter_code")
		}
	}
	return fs.Err()
}

func allDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// codeText reports whether s may stand in a letter number: at most 30 letters, digits
// and . - _ (a slash would add a part to the number).
func codeText(s string) bool {
	if len(s) > 30 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
