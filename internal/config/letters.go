package config

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // logos
	_ "image/png"
	"os"
	"strings"

	domain "github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/letter"
)

// maxLogo bounds a letterhead logo: it is embedded in every document printed.
const maxLogo = 512 << 10

// letterRules say in words what each rule of letter.Settings.Check means.
var letterRules = map[string]string{
	"max_len":       "too long",
	"nip_digits":    "want the 18 digits of a NIP",
	"letter_code":   "want at most 30 letters, digits, '.', '-' or '_'",
	"pattern_seq":   "want {seq} exactly once",
	"pattern_token": "unknown token; the tokens are {seq}, {seq:N}, {kode}, {kantor}, {bulan}, {bulan-romawi}, {tahun}",
	"pattern_year":  "a month token needs {tahun} too, or numbers would repeat every year",
	"pattern_char":  "literal text may be letters, digits, spaces and . / - _",
	"pattern_len":   "want 1 to 100 characters",
}

// checkLetters reads the tenant's letters block into Letters.Settings: the logo file
// read and checked to be a PNG or JPEG, the numbering keyed by kind, every rule of
// letter.Settings.Check named with its setting.
func checkLetters(where string, t *Tenant) []error {
	l := &t.Letters
	var errs []error
	set := letter.Settings{
		Letterhead: letter.Letterhead{Government: l.Government, Office: l.Office, Address: l.Address, Phone: l.Phone, Email: l.Email, Website: l.Website},
		Signer:     letter.Signer{Jabatan: l.Signer.Jabatan, Name: l.Signer.Name, Pangkat: l.Signer.Pangkat, NIP: l.Signer.NIP},
		Place:      l.Place, Office: l.OfficeCode, Series: map[letter.Kind]letter.Series{},
	}
	for k, v := range l.Numbering {
		kind := letter.Kind(k)
		if !kind.Valid() {
			errs = append(errs, fmt.Errorf("%s.numbering.%s: want receipt, account_letter, result_letter or report", where, k))
			continue
		}
		set.Series[kind] = letter.Series{Pattern: letter.Pattern(v.Pattern), Code: v.Code}
	}
	if l.Logo != "" {
		b, err := os.ReadFile(l.Logo)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s.logo: %w", where, err))
		case len(b) > maxLogo:
			errs = append(errs, fmt.Errorf("%s.logo: %d KB, want at most %d KB", where, len(b)>>10, maxLogo>>10))
		default:
			if _, format, err := image.DecodeConfig(bytes.NewReader(b)); err != nil || (format != "png" && format != "jpeg") {
				errs = append(errs, fmt.Errorf("%s.logo: want a PNG or JPEG image", where))
			} else {
				set.Letterhead.Logo = b
			}
		}
	}
	if err := set.Check(); err != nil {
		e, _ := domain.As(err)
		for _, f := range e.Fields {
			msg := letterRules[f.Rule]
			if msg == "" {
				msg = f.Rule
			}
			errs = append(errs, fmt.Errorf("%s.%s: %s", where, yamlPath(f.Name), msg))
		}
	}
	l.Settings = set.WithDefaults(t.Name, t.Slug)
	return errs
}

// yamlPath is the tenant file's path of a letter.Settings field name:
// series_receipt_pattern is numbering.receipt.pattern, signer_nip signer.nip.
func yamlPath(field string) string {
	for _, k := range letter.Kinds {
		for _, part := range []string{"pattern", "code"} {
			if field == "series_"+string(k)+"_"+part {
				return "numbering." + string(k) + "." + part
			}
		}
	}
	if rest, ok := strings.CutPrefix(field, "signer_"); ok {
		return "signer." + rest
	}
	return field
}
