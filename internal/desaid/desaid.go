// Package desaid is a village's desa.id domain: the registry's naming rules, the
// suggestions made from the village's name, and the interface to a registrar through
// which an application is filed and followed.
//
// The rules are those of PANDI (the .id registry) for second-level names and of
// Permenkominfo No. 5 Tahun 2015 for government names: a desa.id name is the village's
// name, an abbreviation or an acronym of it ("sindangsari.desa.id", "sdsari.desa.id");
// letters a–z, digits and hyphens, 3 to 63 characters, not starting or ending with a
// hyphen, not digits only. Names are given first come, first served: a second village
// of the same name adds its kecamatan or kabupaten ("sukajaya-pangandaran.desa.id"),
// which is what Suggest proposes after the bare name.
//
// The registry is an external party. surel prepares the application and its documents,
// tracks it through the office's steps, and records the registry's reference at
// activation; where a Registrar is configured the application is filed through it.
package desaid

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Zone is the second-level domain villages' names are registered under.
const Zone = "desa.id"

// Length limits of a desa.id name (the label before .desa.id), PANDI's for
// second-level names.
const (
	MinLen = 3
	MaxLen = 63
)

// Check gives the rule a name breaks, "" when it is valid: "desaid_len",
// "desaid_chars", "desaid_hyphen" (at either end, or two in a row: the registry keeps
// "xn--" forms for internationalised names), "desaid_digits" (digits only).
func Check(name string) string {
	switch {
	case len(name) < MinLen || len(name) > MaxLen:
		return "desaid_len"
	case strings.ContainsFunc(name, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') }):
		return "desaid_chars"
	case name[0] == '-' || name[len(name)-1] == '-' || strings.Contains(name, "--"):
		return "desaid_hyphen"
	case strings.Trim(name, "0123456789") == "":
		return "desaid_digits"
	}
	return ""
}

// Normalize reads what a person typed as a name: lower case, ".desa.id" and spaces cut,
// accents dropped.
func Normalize(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "."), "."+Zone)
	s = fold(s)
	return strings.Join(strings.Fields(s), "")
}

// Slug is a region's name as a label: "SINDANG SARI" and "Sindang-Sari" are
// "sindangsari"; other characters are dropped.
func Slug(name string) string {
	var b strings.Builder
	for _, r := range fold(strings.ToLower(name)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Candidates lists, in order of preference, the names a village may ask for: its own
// name, then with its kecamatan, then with its kabupaten/kota (the regency's name
// without "KABUPATEN"/"KOTA"), each within MaxLen.
func Candidates(village, district, regency string) []string {
	v := Slug(stripPrefix(village))
	if v == "" {
		return nil
	}
	var out []string
	add := func(s string) {
		if len(s) > MaxLen {
			s = strings.TrimRight(s[:MaxLen], "-")
		}
		if Check(s) == "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	add(v)
	if d := Slug(stripPrefix(district)); d != "" {
		add(v + "-" + d)
	}
	if r := Slug(stripPrefix(regency)); r != "" {
		add(v + "-" + r)
	}
	return out
}

// Derived reports whether name is made from the village's name, as the registry asks:
// the name itself, an abbreviation or an acronym of it ("sindangsari", "sdsari": the
// letters kept in their order, the first one first), optionally followed by a hyphen and
// the kecamatan's or the kabupaten/kota's name or abbreviation ("sindangsari-cisayong").
// Hyphens inside a part are free ("sindang-sari"). A name not made from the village's
// is "desaid_village".
func Derived(name, village, district, regency string) bool {
	v := Slug(stripPrefix(village))
	if v == "" {
		return true // no village to judge by: the other rules apply alone
	}
	areas := []string{Slug(stripPrefix(district)), Slug(stripPrefix(regency))}
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '-' {
			continue
		}
		head, tail := strings.ReplaceAll(name[:i], "-", ""), ""
		if i < len(name) {
			tail = strings.ReplaceAll(name[i+1:], "-", "")
		}
		if !abbreviates(head, v, min(MinLen, len(v))) {
			continue
		}
		if tail == "" {
			return true
		}
		for _, a := range areas {
			if a != "" && abbreviates(tail, a, min(2, len(a))) {
				return true
			}
		}
	}
	return false
}

// abbreviates reports whether s, of at least least characters, is full or an
// abbreviation of it: its letters in full's order, starting with full's first.
func abbreviates(s, full string, least int) bool {
	if len(s) < least || s == "" || s[0] != full[0] {
		return false
	}
	j := 0
	for i := 0; i < len(full) && j < len(s); i++ {
		if full[i] == s[j] {
			j++
		}
	}
	return j == len(s)
}

// Suggest is Candidates without the taken names, at most n.
func Suggest(village, district, regency string, taken func(string) bool, n int) []string {
	var out []string
	for _, c := range Candidates(village, district, regency) {
		if len(out) == n {
			break
		}
		if !taken(c) {
			out = append(out, c)
		}
	}
	return out
}

// stripPrefix drops the kind of area the official names start with.
func stripPrefix(name string) string {
	u := strings.ToUpper(strings.TrimSpace(name))
	for _, p := range []string{"KABUPATEN ", "KAB. ", "KOTA ", "KECAMATAN ", "DESA ", "KELURAHAN "} {
		if strings.HasPrefix(u, p) {
			return name[len(p):]
		}
	}
	return name
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

// Application is what a registrar is given to file: the name, the village and its
// registrant, the name servers the domain is delegated to, and the documents the
// registry asks for (Documents lists them).
type Application struct {
	Name        string // the label: "sindangsari"
	Village     string // the village's name and code
	VillageCode string
	Registrant  string // the verified perangkat desa
	Email       string // their official mailbox
	Phone       string
	NameServers []string
	// Files are the documents by their catalogue field (see Documents); a registrar
	// reads each through Open.
	Files map[string]string
	Open  func(field string) ([]byte, error)
}

// Status is an application's state at the registry.
type Status struct {
	State     State
	Reference string    // the registry's reference (order or domain id)
	Expires   time.Time // when the registration ends, once active
	Reason    string    // why the registry refused it
}

// State of an application at the registry.
type State string

// The states.
const (
	Pending  State = "pending"
	Active   State = "active"
	Rejected State = "rejected"
)

// ErrTaken is a registrar's answer that the name is registered already.
var ErrTaken = errors.New("desaid: the name is registered already")

// Registrar files desa.id applications with the registry. Submit is idempotent for one
// request (ref names it, "request:<id>"): a repeated submit after a crash gives the
// first filing's reference rather than filing twice.
type Registrar interface {
	// Available asks the registry whether name is free.
	Available(ctx context.Context, name string) (bool, error)
	// Submit files the application; it gives the registry's reference.
	Submit(ctx context.Context, ref string, a Application) (string, error)
	// Status reads the state of a filed application.
	Status(ctx context.Context, reference string) (Status, error)
}

// Documents are the registry's documents for a desa.id name (PANDI: the application
// letter signed and stamped by the Kepala Desa or Sekretaris Desa, the registrant's
// identity card, the Kepala Desa's appointment decree and the perangkat desa's, and
// the Kepala Desa's letter of authority to the perangkat desa who applies), by their
// catalogue field names.
var Documents = []string{"doc_surat_permohonan", "doc_ktp", "doc_sk_kades", "doc_sk_perangkat", "doc_surat_kuasa"}
