package input

import (
	"net/url"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		"Budi Santoso":  "Budi Santoso",
		"a\x00b":        "ab",
		"\x00":          "",
		"bu\xffdi":      "bu\uFFFDdi",
		"\xc3\x28":      "\uFFFD(",
		"José\x00\xfe":  "José\uFFFD",
		"tab\tand\nnew": "tab\tand\nnew",
	} {
		if got := Clean(in); got != want || !Storable(got) {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanValues(t *testing.T) {
	v := url.Values{"q": {"a\x00"}, "ok": {"b"}, "k\x00": {"c"}}
	if !CleanValues(v) || v.Get("q") != "a" || v.Get("ok") != "b" || v.Get("k") != "c" || len(v) != 3 {
		t.Fatalf("%v", v)
	}
	if CleanValues(url.Values{"a": {"b"}}) {
		t.Fatal("clean values reported a change")
	}
}

func TestTruncate(t *testing.T) {
	s := "Mozilla/5.0 ☃☃☃"
	for n := 0; n <= len(s)+1; n++ {
		got := Truncate(s, n)
		if len(got) > n || !utf8.ValidString(got) {
			t.Fatalf("Truncate(%q, %d) = %q", s, n, got)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "a\x00b", "\xff", "José", "\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if !Storable(c) {
			t.Fatalf("Clean(%q) = %q is not storable", s, c)
		}
		if Storable(s) && c != s {
			t.Fatalf("Clean changed storable %q", s)
		}
		if n := len(s) / 2; !utf8.ValidString(Truncate(c, n)) {
			t.Fatal("truncate split a character")
		}
	})
}
