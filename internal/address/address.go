// Package address holds the rule for the local part of an official e-mail address: lower-case
// ASCII letters, digits and single dots, no reserved names, and the tenant's naming pattern
// (such as firstname.lastname) from which valid suggestions are made. Collisions are
// resolved predictably: the pattern, then with a middle initial, then with a number.
package address

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Pattern is a tenant's naming rule.
type Pattern string

// The patterns a tenant may choose.
const (
	FirstDotLast Pattern = "firstname.lastname" // budi.santoso
	FirstLast    Pattern = "firstnamelastname"  // budisantoso
	FirstInitial Pattern = "f.lastname"         // b.santoso
)

// Length limits of a local part.
const (
	MinLen = 3
	MaxLen = 40
)

// Reserved are names nobody may take, a person or an office: RFC 2142 role addresses
// and the words a mail system uses for itself.
var Reserved = map[string]bool{
	"postmaster": true, "abuse": true, "admin": true, "administrator": true, "root": true, "hostmaster": true,
	"webmaster": true, "noreply": true, "no-reply": true, "mailer-daemon": true, "security": true, "support": true,
	"info": true, "help": true, "helpdesk": true, "sysadmin": true, "system": true, "test": true, "www": true,
	"ftp": true, "mail": true, "email": true, "surel": true, "nobody": true, "daemon": true, "operator": true,
}

// Official are the words an office uses for itself: no person may take them, and an
// institutional mailbox (CheckInstitutional) may, "diskominfo@" being exactly what the
// Dinas Kominfo asks for.
var Official = map[string]bool{
	"kominfo": true, "diskominfo": true, "humas": true, "sekretariat": true, "pengaduan": true, "layanan": true,
}

// Check gives the rule the local part breaks ("" when it is valid): "address_len",
// "address_chars", "address_dots", "address_reserved".
func Check(local string) string {
	switch {
	case len(local) < MinLen || len(local) > MaxLen:
		return "address_len"
	case strings.ContainsFunc(local, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.') }):
		return "address_chars"
	case local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, ".."):
		return "address_dots"
	case local[0] >= '0' && local[0] <= '9':
		return "address_chars"
	case Reserved[local] || Reserved[strings.ReplaceAll(local, ".", "")]:
		return "address_reserved"
	case Official[local] || Official[strings.ReplaceAll(local, ".", "")]:
		return "address_reserved"
	}
	return ""
}

// CheckInstitutional gives the rule an institutional mailbox's local part breaks (""
// when valid): the characters and lengths of Check, the reserved names (never an
// office's), and the tenant's naming rule for the kind of unit: a non-empty prefix
// ("layanan.", "desa.") must start the address and be followed by the unit's own name
// ("address_prefix"). The office words of Official are allowed: "diskominfo",
// "layanan.dukcapil".
func CheckInstitutional(local, prefix string) string {
	rule := Check(local)
	if rule != "" && rule != "address_reserved" {
		return rule
	}
	if Reserved[local] || Reserved[strings.ReplaceAll(local, ".", "")] {
		return "address_reserved"
	}
	if prefix != "" {
		rest, ok := strings.CutPrefix(local, prefix)
		if !ok || len(rest) < 2 || Check(rest) == "address_chars" || Check(rest) == "address_dots" {
			return "address_prefix"
		}
	}
	return ""
}

// Normalize turns what a person typed into the form of a local part: lower case, accents
// dropped, spaces to dots, "@domain" cut off.
func Normalize(s string) string {
	s = strings.TrimSpace(strings.ToLower(s))
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	s = asciiFold(s)
	s = strings.Join(strings.Fields(s), ".")
	return s
}

// titles are academic degrees and honorifics written around Indonesian names; they are
// not part of an address. Compared without dots and case.
var titles = map[string]bool{
	"dr": true, "drs": true, "dra": true, "ir": true, "h": true, "hj": true, "prof": true, "kh": true, "st": true,
	"skom": true, "ssi": true, "se": true, "sh": true, "spd": true, "ssos": true, "sip": true, "sag": true,
	"amd": true, "amk": true, "ak": true, "msi": true, "mt": true, "mm": true, "mkom": true, "mpd": true,
	"mh": true, "msc": true, "mba": true, "phd": true, "skm": true, "sked": true, "sfarm": true, "ssit": true,
	"sstp": true, "mtr": true, "map": true, "mab": true, "spt": true, "sp": true, "ssn": true, "shut": true,
}

// NameWords splits a full name into lower-case ASCII words without titles: "Drs. H. Murni
// Santoso, M.Si." → [murni santoso].
func NameWords(full string) []string {
	var words []string
	for _, part := range strings.Split(full, ",") {
		for _, w := range strings.Fields(part) {
			key := strings.ToLower(strings.ReplaceAll(w, ".", ""))
			if titles[asciiFold(key)] {
				continue
			}
			var b strings.Builder
			for _, r := range asciiFold(strings.ToLower(w)) {
				if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
					b.WriteRune(r)
				}
			}
			if b.Len() > 0 {
				words = append(words, b.String())
			}
		}
		// Everything after the first comma is degrees ("Budi, S.Kom."), however spelt.
		if len(words) > 0 {
			break
		}
	}
	return words
}

// Candidates lists, in order of preference, the addresses the pattern gives for a name;
// Suggest then drops the taken ones.
func Candidates(p Pattern, full string) []string {
	w := NameWords(full)
	if len(w) == 0 {
		return nil
	}
	first, last := w[0], w[len(w)-1]
	var middle []string
	if len(w) > 2 {
		middle = w[1 : len(w)-1]
	}
	join := func(parts ...string) string {
		switch p {
		case FirstLast:
			return strings.Join(parts, "")
		case FirstInitial:
			if len(parts) > 1 {
				parts[0] = parts[0][:1]
			}
		}
		return strings.Join(parts, ".")
	}
	var out []string
	add := func(s string) {
		for _, o := range out {
			if o == s {
				return
			}
		}
		if Check(s) == "" {
			out = append(out, s)
		}
	}
	if len(w) == 1 {
		add(first)
	} else {
		add(join(first, last))
		for _, m := range middle {
			add(join(first, m[:1], last))
		}
		for _, m := range middle {
			add(join(first, m, last))
		}
	}
	return out
}

// Suggest gives up to n free addresses for a name: the pattern's candidates first, then
// the first candidate with 2, 3, … appended. taken tells whether an address is in use or
// requested.
func Suggest(p Pattern, full string, taken func(string) bool, n int) []string {
	cands := Candidates(p, full)
	if len(cands) == 0 {
		return nil
	}
	var out []string
	for _, c := range cands {
		if len(out) == n {
			return out
		}
		if !taken(c) {
			out = append(out, c)
		}
	}
	base := cands[0]
	for i := 2; len(out) < n && i < 1000; i++ {
		c := base + strconv.Itoa(i)
		if len(c) > MaxLen {
			break
		}
		if !taken(c) {
			out = append(out, c)
		}
	}
	return out
}

func asciiFold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}
