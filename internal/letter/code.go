package letter

import (
	"crypto/rand"
	"io"
	"strings"
)

// A verification code is 12 characters of Crockford's base 32 (digits and capitals
// without I, L, O and U): 60 random bits, which nobody guesses at the verification
// page's rate limit, and short enough to type from paper. It is shown in three groups,
// ABCD-EFGH-JKMN; reading it back forgives case, spaces, dashes, and O, I and L typed
// for 0 and 1.
const (
	codeLen      = 12
	codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

// NewCode draws a verification code from r (crypto/rand when nil).
func NewCode(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [codeLen]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = codeAlphabet[b[i]&31]
	}
	return string(b[:]), nil
}

// NormalizeCode reads a code as typed or scanned into its stored form; ok is false
// when it cannot be one.
func NormalizeCode(s string) (code string, ok bool) {
	if len(s) > 3*codeLen {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(codeAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != codeLen {
		return "", false
	}
	return b.String(), true
}

// ShowCode is a code in its three groups of four.
func ShowCode(code string) string {
	if len(code) != codeLen {
		return code
	}
	return code[:4] + "-" + code[4:8] + "-" + code[8:]
}
