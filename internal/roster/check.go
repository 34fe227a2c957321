package roster

import (
	"slices"
	"strings"
	"unicode"
)

// The reasons a request does not match the roster, as stable keys the verifier's screen
// translates.
const (
	ReasonNotInRoster  = "not_in_roster" // the NIP is not in the roster
	ReasonInactive     = "inactive"      // the entry is marked not active
	ReasonNotPNS       = "not_pns"       // the entry is PPPK or honorer
	ReasonNameMismatch = "name_mismatch" // the names differ beyond titles and spelling of case
)

// Mismatch is one reason to look twice at a request, with what the roster says.
type Mismatch struct {
	Reason string
	// Detail is the roster's value: its name for name_mismatch, its status for not_pns.
	Detail string
}

// Policy is what the kind of service (Jenis Layanan) allows.
type Policy struct {
	// AllowPPPK accepts a PPPK entry (honorary staff are never accepted).
	AllowPPPK bool
}

// Check compares a request with the roster entry of its NIP (found is false when the
// NIP is not in the roster) and lists every mismatch, none when all is well: absent;
// otherwise inactive, not PNS (PPPK unless p allows it, honorer always) and a name that
// does not match (see NamesMatch). The caller flags them for the verifier.
func Check(e *Entry, found bool, applicantName string, p Policy) []Mismatch {
	if !found || e == nil {
		return []Mismatch{{Reason: ReasonNotInRoster}}
	}
	var out []Mismatch
	if !e.Active {
		out = append(out, Mismatch{Reason: ReasonInactive})
	}
	if e.Status != PNS && (e.Status != PPPK || !p.AllowPPPK) {
		out = append(out, Mismatch{Reason: ReasonNotPNS, Detail: string(e.Status)})
	}
	if !NamesMatch(e.Name, applicantName) {
		out = append(out, Mismatch{Reason: ReasonNameMismatch, Detail: e.Name})
	}
	return out
}

// NamesMatch tells whether two spellings of a name are the same person's, by this rule:
//
//  1. Everything after the first comma is academic degrees ("Murni, S.Pd., M.Si.") and
//     is dropped.
//  2. Case is folded; apostrophes are dropped ("Ma'ruf" = "Maruf"); every other
//     punctuation mark separates words, and runs of spaces count as one.
//  3. Titles are dropped: the honorifics Drs., Dra., Dr., drg., Ir., Prof., H., Hj. and
//     KH. when they lead the name, and a degree written with its dots (S.Kom., M.Si.,
//     A.Md., …) anywhere. "H" in the middle of a name is an initial and stays.
//  4. The names match when the remaining words are the same (in any order), or when
//     every word of the shorter name, which has at least two, is in the longer one
//     ("Siti Nurhaliza" = "Siti Nurhaliza Binti Ahmad"). A one-word name must match
//     exactly: "Murni" ≠ "Murni Lestari".
//
// So "Drs. H. Murni, M.Si." matches "MURNI", and "Budi Santoso" does not match "Budi".
func NamesMatch(a, b string) bool {
	wa, wb := nameWords(a), nameWords(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	if len(wa) > len(wb) {
		wa, wb = wb, wa
	}
	slices.Sort(wa)
	slices.Sort(wb)
	if slices.Equal(wa, wb) {
		return true
	}
	if len(wa) < 2 {
		return false
	}
	// Multiset inclusion of the sorted words.
	j := 0
	for _, w := range wa {
		for j < len(wb) && wb[j] < w {
			j++
		}
		if j == len(wb) || wb[j] != w {
			return false
		}
		j++
	}
	return true
}

// honorifics lead a name; compared without dots, lower-case.
var honorifics = map[string]bool{
	"drs": true, "dra": true, "dr": true, "drg": true, "ir": true, "prof": true,
	"h": true, "hj": true, "kh": true,
}

// degrees are the academic degrees recognised where they are written with an inner dot
// ("S.Kom", "M.Si."); compared without dots, lower-case. Undotted, "SE" could be a word of
// a name, so it stays. Anything after a comma is dropped anyway.
var degrees = map[string]bool{
	"skom": true, "st": true, "msi": true, "se": true, "sh": true, "spd": true, "amd": true,
	"mt": true, "mm": true, "ssos": true, "sag": true, "sip": true, "spsi": true, "sked": true,
	"skep": true, "sfarm": true, "sp": true, "ssi": true, "ssn": true, "ak": true, "mpd": true,
	"mkes": true, "mh": true, "mkn": true, "mag": true, "mak": true, "mkom": true, "ma": true,
	"phd": true, "ns": true, "apt": true, "amkep": true, "amkeb": true, "sstp": true, "ipdn": true,
}

// nameWords splits a name into its normalised words, titles removed (NamesMatch rules
// 1–3).
func nameWords(name string) []string {
	if i := strings.IndexByte(name, ','); i >= 0 {
		name = name[:i]
	}
	var words []string
	for _, tok := range strings.Fields(strings.ToLower(name)) {
		tok = strings.Map(func(r rune) rune {
			if r == '\'' || r == '`' || r == '’' {
				return -1
			}
			return r
		}, tok)
		bare := strings.ReplaceAll(tok, ".", "")
		if len(words) == 0 && honorifics[bare] {
			continue
		}
		if degrees[bare] && strings.Contains(strings.TrimRight(tok, "."), ".") {
			continue
		}
		words = append(words, strings.FieldsFunc(tok, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		})...)
	}
	return words
}

// NameKey is a name's words as NamesMatch compares them (titles and degrees removed,
// lower-case), sorted and joined by spaces: two names with the same key match. A sync of
// the mail server finds the roster entries a mailbox's display name may belong to by
// it, in one pass over the roster. "" for a name without words.
func NameKey(name string) string {
	w := nameWords(name)
	slices.Sort(w)
	return strings.Join(w, " ")
}
