// Package input makes what a client sends storable as text by both database engines:
// PostgreSQL refuses a NUL byte and bytes that are not UTF-8 in a text value (SQLite
// keeps them), so such input would fail there with an internal error, or be stored on
// one engine and not the other. The web layer cleans every form, query and header
// value it reads with Clean; the store refuses what is still not Storable.
package input

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Storable tells whether s is text both engines store: valid UTF-8 without NUL.
func Storable(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// Clean makes s storable: bytes that are not UTF-8 become U+FFFD (as a browser shows
// them) and NUL bytes, which no keyboard types, are dropped.
func Clean(s string) string {
	if Storable(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// CleanValues cleans the names and values of a decoded form or query in place and
// tells whether anything changed.
func CleanValues(v url.Values) bool {
	changed := false
	for k, vs := range v {
		for i, s := range vs {
			if !Storable(s) {
				vs[i], changed = Clean(s), true
			}
		}
		if !Storable(k) {
			delete(v, k)
			v[Clean(k)] = append(v[Clean(k)], vs...)
			changed = true
		}
	}
	return changed
}

// Truncate cuts s to at most n bytes without splitting a character.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
