package i18n

import (
	"regexp"
	"sort"
	"testing"
)

var verb = regexp.MustCompile(`%[sdv]`)

// Both languages define the same keys with the same fmt verbs in the same order, so a
// message never shows "%!d(MISSING)" in one language only.
func TestCatalogsAgree(t *testing.T) {
	for k, v := range id {
		e, ok := en[k]
		if !ok {
			t.Errorf("en lacks %q", k)
			continue
		}
		a, b := verb.FindAllString(v, -1), verb.FindAllString(e, -1)
		sort.Strings(a)
		sort.Strings(b)
		if len(a) != len(b) {
			t.Errorf("%q: id has %v, en has %v", k, a, b)
		}
	}
	for k := range en {
		if _, ok := id[k]; !ok {
			t.Errorf("id lacks %q", k)
		}
	}
}

func TestT(t *testing.T) {
	if got := T("id", "rule.password_min", "Password", 6); got != "Password minimal 6 karakter." {
		t.Fatalf("got %q", got)
	}
	if got := T("xx", "nav.login"); got != "Masuk" {
		t.Fatalf("unknown language should fall back to Indonesian, got %q", got)
	}
	if got := T("en", "no.such.key"); got != "no.such.key" {
		t.Fatalf("got %q", got)
	}
}
