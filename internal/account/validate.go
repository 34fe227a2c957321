package account

import (
	"bufio"
	_ "embed"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/nip"
)

// Policy is a tenant's password rule. Its floor is the seed documents' rule: at least six
// characters, letters and digits combined.
type Policy struct {
	MinLength      int
	RejectCommon   bool
	RejectPersonal bool
}

const maxPasswordLen = 128

//go:embed common_passwords.txt
var commonList string

var common = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonList))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// CheckPassword adds the rules pw breaks to fs under field. personal holds the user's
// names and e-mail, which a RejectPersonal policy forbids inside the password.
func (p Policy) CheckPassword(fs *errs.Fields, field, pw string, personal ...string) {
	min := max(p.MinLength, 6)
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		fs.Add(field, "required")
		return
	case n < min:
		fs.Add(field, "password_min", min)
		return
	case n > maxPasswordLen:
		fs.Add(field, "max_len", maxPasswordLen)
		return
	}
	var letter, digit bool
	for _, r := range pw {
		letter = letter || unicode.IsLetter(r)
		digit = digit || unicode.IsDigit(r)
	}
	if !letter || !digit {
		fs.Add(field, "password_mix")
		return
	}
	if p.RejectCommon && common[strings.ToLower(pw)] {
		fs.Add(field, "password_common")
		return
	}
	if p.RejectPersonal {
		low := strings.ToLower(pw)
		for _, s := range personal {
			s = strings.ToLower(strings.TrimSpace(s))
			if i := strings.IndexByte(s, '@'); i > 0 {
				s = s[:i]
			}
			if len(s) >= 3 && strings.Contains(low, s) {
				fs.Add(field, "password_personal")
				return
			}
		}
	}
}

// NormalizeEmail lower-cases and trims an address; case never distinguishes two
// accounts.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckEmail adds to fs the rule e-mail s of field breaks, if any, as registration
// checks it (forms outside the account's own use it).
func CheckEmail(fs *errs.Fields, field, s string) { checkEmail(fs, field, s) }

// checkEmail adds the rule s breaks, if any: one plain address with a dotted domain.
func checkEmail(fs *errs.Fields, field, s string) {
	if s == "" {
		fs.Add(field, "required")
		return
	}
	a, err := mail.ParseAddress(s)
	at := strings.LastIndexByte(s, '@')
	if err != nil || a.Address != s || at < 1 || !strings.Contains(s[at:], ".") || len(s) > 254 {
		fs.Add(field, "email")
	}
}

// NormalizePhone turns an Indonesian mobile number typed as 0812…, 62812… or +62 812-…
// into 0812…; ok is false when it is not one.
func NormalizePhone(s string) (string, bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return s, false
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "62") {
		d = "0" + d[2:]
	}
	if !strings.HasPrefix(d, "08") || len(d) < 10 || len(d) > 13 {
		return s, false
	}
	return d, true
}

func checkName(fs *errs.Fields, field, s string, required bool) {
	switch {
	case s == "" && required:
		fs.Add(field, "required")
	case utf8.RuneCountInString(s) > 60:
		fs.Add(field, "max_len", 60)
	case strings.ContainsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && r != ' ' && r != '\'' && r != '.' && r != '-' && r != ','
	}):
		fs.Add(field, "name_chars")
	}
}

// RegisterInput is the "Daftar" form.
type RegisterInput struct {
	FirstName string
	LastName  string
	Email     string
	Phone     string
	Password  string
	Password2 string
}

// Normalize trims the inputs and puts e-mail and phone in their stored form.
func (in *RegisterInput) Normalize() {
	in.FirstName = squash(in.FirstName)
	in.LastName = squash(in.LastName)
	in.Email = NormalizeEmail(in.Email)
	if p, ok := NormalizePhone(in.Phone); ok {
		in.Phone = p
	}
}

// Validate gives every rule the input breaks, per field.
func (in RegisterInput) Validate(p Policy) error {
	var fs errs.Fields
	checkName(&fs, "first_name", in.FirstName, true)
	checkName(&fs, "last_name", in.LastName, false)
	checkEmail(&fs, "email", in.Email)
	if in.Phone == "" {
		fs.Add("phone", "required")
	} else if _, ok := NormalizePhone(in.Phone); !ok {
		fs.Add("phone", "phone")
	}
	p.CheckPassword(&fs, "password", in.Password, in.FirstName, in.LastName, in.Email)
	if in.Password2 == "" {
		fs.Add("password2", "required")
	} else if !fs.Has("password") && in.Password2 != in.Password {
		fs.Add("password2", "password_match")
	}
	return fs.Err()
}

// Normalize trims the profile and puts the phone in its stored form.
func (p *Profile) Normalize() {
	p.FullName = squash(p.FullName)
	p.NIP = strings.Join(strings.Fields(p.NIP), "")
	p.Jabatan = squash(p.Jabatan)
	p.Instansi = squash(p.Instansi)
	p.SatuanKerja = squash(p.SatuanKerja)
	p.Address = strings.TrimSpace(p.Address)
	if ph, ok := NormalizePhone(p.Phone); ok {
		p.Phone = ph
	}
}

// Validate checks what is filled in; emptiness is reported by Missing, because a profile
// may be saved half-done.
func (p Profile) Validate() error {
	var fs errs.Fields
	checkName(&fs, "full_name", p.FullName, false)
	if p.NIP != "" {
		if _, err := nip.Parse(p.NIP); err != nil {
			fs.Add("nip", "nip", err.Error())
		}
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"jabatan", p.Jabatan, 100}, {"instansi", p.Instansi, 150}, {"satuan_kerja", p.SatuanKerja, 150}, {"address", p.Address, 300}} {
		if utf8.RuneCountInString(f.v) > f.max {
			fs.Add(f.name, "max_len", f.max)
		}
	}
	if p.Phone != "" {
		if _, ok := NormalizePhone(p.Phone); !ok {
			fs.Add("phone", "phone")
		}
	}
	return fs.Err()
}

// squash trims and folds runs of white space into one space.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// usernameBase derives the ASCII login name from a person's name ("Budi Santoso" →
// "budi.santoso"); accents are dropped, anything else non-alphanumeric separates words.
func usernameBase(first, last string) string {
	var words []string
	for _, w := range strings.Fields(first + " " + last) {
		var b strings.Builder
		for _, r := range w {
			r = unicode.ToLower(foldAccent(r))
			if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				b.WriteRune(r)
			}
		}
		if b.Len() > 0 {
			words = append(words, b.String())
		}
	}
	base := strings.Join(words, ".")
	if len(base) > 30 {
		base = strings.TrimRight(base[:30], ".")
	}
	if base == "" {
		base = "pengguna"
	}
	return base
}

func foldAccent(r rune) rune {
	const from, to = "àáâãäåèéêëìíîïòóôõöùúûüýÿñç", "aaaaaaeeeeiiiiooooouuuuyync"
	if i := strings.IndexRune(from, unicode.ToLower(r)); i >= 0 {
		return []rune(to)[utf8.RuneCountInString(from[:i])]
	}
	return r
}
