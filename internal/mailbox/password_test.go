package mailbox

import (
	"errors"
	"strings"
	"testing"
)

// Passwords generated from a policy follow it, avoid the user name, and keep at least
// 16 characters unless the policy caps them.
func TestPolicyGenerate(t *testing.T) {
	for _, p := range []PasswordPolicy{
		{},
		{MinLength: 24, MinUpper: 3, MinLower: 3, MinDigits: 4, MinPunct: 2},
		{MinDigitsOrPunct: 8, MinAlpha: 6},
		{MaxLength: 12, MinPunct: 1},
		{Allowed: "abcdefghijklmnopqrstuvwxyz0123456789", MinDigits: 3}, // no upper case at all
		{MinPunct: 2, Punct: "#@"},
	} {
		for range 200 {
			pw, err := p.Generate("budi")
			if err != nil {
				t.Fatalf("%+v: %v", p, err)
			}
			if err := p.Check(pw); err != nil {
				t.Fatalf("%+v: %q: %v", p, pw, err)
			}
			if strings.Contains(strings.ToLower(pw), "budi") || p.MaxLength == 0 && len(pw) < 16 {
				t.Fatalf("%+v: %q", p, pw)
			}
			if p.Allowed != "" && strings.ContainsAny(pw, "ABCDEFGHJKLMNPQRTUVWXYZ") {
				t.Fatalf("%q outside %q", pw, p.Allowed)
			}
		}
	}
	// A one-letter user name is avoided too (Zimbra refuses any password containing it).
	for range 100 {
		if pw, err := (PasswordPolicy{}).Generate("a"); err != nil || strings.ContainsAny(pw, "aA") {
			t.Fatalf("%q %v", pw, err)
		}
	}
	for _, p := range []PasswordPolicy{
		{MaxLength: 5, MinUpper: 3, MinDigits: 3},
		{MinPunct: 1, Allowed: "abcDEF123"},
	} {
		if _, err := p.Generate(""); err == nil {
			t.Errorf("%+v: no password can meet it, yet one was made", p)
		}
	}
}

func TestPolicyCheck(t *testing.T) {
	p := PasswordPolicy{MinLength: 8, MinUpper: 1, MinDigitsOrPunct: 2}
	for pw, want := range map[string]string{"Abcdefg1": "digits or punctuation", "abcdefg12": "upper-case", "Ab1!": "at least 8", "Abcdefg1!": ""} {
		err := p.Check(pw)
		if want == "" && err != nil || want != "" && (!errors.Is(err, ErrPasswordPolicy) || !strings.Contains(err.Error(), want)) {
			t.Errorf("%q: %v, want %q", pw, err, want)
		}
	}
}
