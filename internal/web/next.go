package web

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// localPath is next when it is a path on this site, else fallback: the one check of
// every "next" a client hands in (language switch, login, second factor), so that no
// redirect leaves the site.
func localPath(next, fallback string) string {
	if !isLocalPath(next) {
		return fallback
	}
	return next
}

// isLocalPath accepts a path-absolute reference: "/" then printable ASCII, no
// backslash (browsers read it as "/"), no second "/" at the start (a host), no
// control character or space (browsers drop tabs and newlines, so "/\t/evil" is
// "//evil"). The value with its percent-escapes decoded must pass too, with no
// look-alike of a slash, since a proxy or a later redirect may decode it.
func isLocalPath(p string) bool {
	if p == "" || p[0] != '/' || len(p) > 2048 || !plainPath(p) {
		return false
	}
	dec, err := url.PathUnescape(p)
	if err != nil || !utf8.ValidString(dec) || strings.HasPrefix(dec, "//") {
		return false
	}
	for _, r := range dec {
		if r < 0x20 || r == 0x7f || r == '\\' || strings.ContainsRune(slashLookalikes, r) {
			return false
		}
	}
	return true
}

// plainPath tells whether p is printable ASCII without a backslash and does not start
// with "//".
func plainPath(p string) bool {
	if strings.HasPrefix(p, "//") {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// slashLookalikes are the Unicode solidi and reverse solidi that URL mappings (IDNA's
// among them) may turn into "/" or "\".
const slashLookalikes = "\u2044\u2215\u29f8\u29f9\ufe68\uff0f\uff3c\u2216\u244a"
