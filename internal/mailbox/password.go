package mailbox

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"unicode"
)

// passwordAlphabet leaves out the characters read alike (0 O o, 1 l I i, 5 S s) so a
// password read from a letter or a screen is typed right the first time.
const passwordAlphabet = "abcdefghjkmnpqrtuvwxyzABCDEFGHJKLMNPQRTUVWXYZ2346789"

// passwordPunct is the punctuation used when a policy asks for some: characters that
// are on every keyboard layout, unambiguous in print, and need no quoting anywhere.
const passwordPunct = "!#%+-=?@_"

// PasswordPolicy is a mail server's rule for passwords, as Zimbra's class of service
// states it (zimbraPasswordMinLength, …MinUpperCaseChars, …MinLowerCaseChars,
// …MinNumericChars, …MinPunctuationChars, …MinAlphaChars, …MinDigitsOrPuncs,
// …MaxLength, …AllowedChars, …AllowedPunctuationChars). The zero value asks nothing.
type PasswordPolicy struct {
	MinLength, MaxLength int
	MinUpper, MinLower   int
	MinDigits, MinPunct  int
	MinAlpha             int // letters, and anything that is neither a digit nor punctuation
	MinDigitsOrPunct     int
	// Allowed, when not empty, holds every character the server accepts.
	Allowed string
	// Punct, when not empty, holds the characters the server counts as punctuation;
	// empty is ASCII punctuation.
	Punct string
}

// GeneratePassword returns a new mailbox password for servers without a known policy:
// 16 characters from an alphabet without look-alikes (about 91 bits), always with a
// lower-case letter, an upper-case letter and a digit, so every password policy of the
// seeds accepts it.
func GeneratePassword() string {
	p, err := PasswordPolicy{}.Generate("")
	if err != nil {
		panic(err) // the empty policy is always satisfiable
	}
	return p
}

// Generate returns a random password that satisfies the policy and does not contain
// avoid (the address's local part: Zimbra refuses a password holding the user name),
// with at least 16 characters from an alphabet without look-alikes. It fails only for
// a policy no password can meet (say MaxLength below the sum of the minimums).
func (p PasswordPolicy) Generate(avoid string) (string, error) {
	lower, upper, digits, punct := p.filter("abcdefghjkmnpqrtuvwxyz"), p.filter("ABCDEFGHJKLMNPQRTUVWXYZ"), p.filter("2346789"), p.punctuation()
	need := []struct {
		n    int
		set  string
		what string
	}{
		{p.MinLower, lower, "lower-case letters"}, {p.MinUpper, upper, "upper-case letters"},
		{p.MinDigits, digits, "digits"}, {p.MinPunct, punct, "punctuation"},
	}
	// One of each letter case and a digit even when the policy asks none, where allowed.
	for i := range 3 {
		if need[i].set != "" {
			need[i].n = max(need[i].n, 1)
		}
	}
	if extra := p.MinDigitsOrPunct - need[2].n - need[3].n; extra > 0 {
		if digits != "" {
			need[2].n += extra
		} else {
			need[3].n += extra
		}
	}
	if extra := p.MinAlpha - need[0].n - need[1].n; extra > 0 {
		if lower != "" {
			need[0].n += extra
		} else {
			need[1].n += extra
		}
	}
	length := max(16, p.MinLength)
	if p.MaxLength > 0 {
		length = min(length, p.MaxLength)
	}
	required := 0
	for _, c := range need {
		if c.n > 0 && c.set == "" {
			return "", fmt.Errorf("mailbox: password policy asks for %s but allows none of those surel uses", c.what)
		}
		required += c.n
	}
	if required > length {
		return "", fmt.Errorf("mailbox: password policy asks for %d characters of given kinds in at most %d", required, length)
	}
	all := lower + upper + digits
	if all == "" {
		return "", errors.New("mailbox: password policy allows no letter or digit")
	}
	for range 1000 {
		b := make([]byte, 0, length)
		for _, c := range need {
			for range c.n {
				b = append(b, pick(c.set))
			}
		}
		for len(b) < length {
			b = append(b, pick(all))
		}
		shuffle(b)
		pw := string(b)
		if avoid != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(avoid)) {
			continue
		}
		if err := p.Check(pw); err != nil {
			return "", fmt.Errorf("mailbox: generated password breaks the policy: %w", err)
		}
		return pw, nil
	}
	return "", fmt.Errorf("mailbox: no password without %q found", avoid)
}

// PolicyError is the rule of a PasswordPolicy a password breaks (Check), for a message
// in the reader's language: Rule is min_length, max_length, char (Char is not allowed),
// upper, lower, digits, punct, alpha or digits_or_punct, N the number the rule names. It
// wraps ErrPasswordPolicy.
type PolicyError struct {
	Rule string
	N    int
	Char rune
}

func (e *PolicyError) Error() string {
	what := map[string]string{"upper": "upper-case letters", "lower": "lower-case letters", "digits": "digits",
		"punct": "punctuation characters", "alpha": "letters", "digits_or_punct": "digits or punctuation characters"}
	switch e.Rule {
	case "min_length":
		return fmt.Sprintf("%v: at least %d characters", ErrPasswordPolicy, e.N)
	case "max_length":
		return fmt.Sprintf("%v: at most %d characters", ErrPasswordPolicy, e.N)
	case "char":
		return fmt.Sprintf("%v: %q is not an allowed character", ErrPasswordPolicy, e.Char)
	}
	return fmt.Sprintf("%v: at least %d %s", ErrPasswordPolicy, e.N, what[e.Rule])
}

func (e *PolicyError) Unwrap() error { return ErrPasswordPolicy }

// Check returns the first rule of the policy the password breaks, a *PolicyError
// wrapping ErrPasswordPolicy; nil when it follows them all. It counts as Zimbra does
// (LdapProvisioning.checkPasswordStrength).
func (p PasswordPolicy) Check(password string) error {
	n := len([]rune(password))
	switch {
	case p.MinLength > 0 && n < p.MinLength:
		return &PolicyError{Rule: "min_length", N: p.MinLength}
	case p.MaxLength > 0 && n > p.MaxLength:
		return &PolicyError{Rule: "max_length", N: p.MaxLength}
	}
	var upper, lower, digits, punct, alpha int
	for _, r := range password {
		if p.Allowed != "" && !strings.ContainsRune(p.Allowed, r) {
			return &PolicyError{Rule: "char", Char: r}
		}
		isAlpha := true
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		case unicode.IsDigit(r):
			digits++
			isAlpha = false
		case p.isPunct(r):
			punct++
			isAlpha = false
		}
		if isAlpha {
			alpha++
		}
	}
	for _, c := range []struct {
		have, want int
		rule       string
	}{
		{upper, p.MinUpper, "upper"}, {lower, p.MinLower, "lower"}, {digits, p.MinDigits, "digits"}, {punct, p.MinPunct, "punct"},
		{alpha, p.MinAlpha, "alpha"}, {digits + punct, p.MinDigitsOrPunct, "digits_or_punct"},
	} {
		if c.have < c.want {
			return &PolicyError{Rule: c.rule, N: c.want}
		}
	}
	return nil
}

func (p PasswordPolicy) isPunct(r rune) bool {
	if p.Punct != "" {
		return strings.ContainsRune(p.Punct, r)
	}
	return r < 0x80 && unicode.IsPunct(r) || r < 0x80 && unicode.IsSymbol(r)
}

// filter keeps the characters of set the policy allows.
func (p PasswordPolicy) filter(set string) string {
	if p.Allowed == "" {
		return set
	}
	var b strings.Builder
	for _, r := range set {
		if strings.ContainsRune(p.Allowed, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (p PasswordPolicy) punctuation() string {
	var b strings.Builder
	for _, r := range passwordPunct {
		if p.isPunct(r) && (p.Allowed == "" || strings.ContainsRune(p.Allowed, r)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pick returns a uniformly random byte of set.
func pick(set string) byte {
	i, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return set[i.Int64()]
}

// shuffle is Fisher–Yates with crypto/rand, so the required classes sit anywhere.
func shuffle(b []byte) {
	for i := len(b) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			panic(err)
		}
		b[i], b[j.Int64()] = b[j.Int64()], b[i]
	}
}
