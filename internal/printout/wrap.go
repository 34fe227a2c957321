package printout

import (
	"strings"
	"unicode/utf8"
)

// wrap splits text into lines no wider than width, as measure says. Lines break between
// words only. A single word wider than a line (a URL, an address) breaks after a slash,
// so a link reads https://host/ | verifikasi/CODE (breakLevels). A newline in text
// starts a new line; a no-break space (U+00A0) holds its neighbours together.
func wrap(text string, width float64, measure func(string) float64) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		words := strings.FieldsFunc(para, func(r rune) bool { return r == ' ' || r == '\t' })
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		line := ""
		for _, w := range words {
			cand := w
			if line != "" {
				cand = line + " " + w
			}
			if measure(cand) <= width {
				line = cand
				continue
			}
			if line != "" {
				out = append(out, line)
				line = ""
			}
			if measure(w) <= width {
				line = w
				continue
			}
			pieces := breakWord(w, width, measure)
			out = append(out, pieces[:len(pieces)-1]...)
			line = pieces[len(pieces)-1]
		}
		out = append(out, line)
	}
	return out
}

// breakLevels are where a word too wide for a line may break, in order of preference:
// after its slashes first (a URL's parts), then after . - _ @ ? & = within a part still
// too wide; a part with none of those is cut by characters.
var breakLevels = []string{"/", ".-_@?&="}

// breakWord splits a word wider than width into lines, filling each with as many parts
// as fit.
func breakWord(w string, width float64, measure func(string) float64) []string {
	return breakAt(w, width, measure, 0)
}

func breakAt(w string, width float64, measure func(string) float64, level int) []string {
	if level == len(breakLevels) {
		var out []string
		for measure(w) > width {
			n := fitRunes(w, width, measure)
			out = append(out, w[:n])
			w = w[n:]
		}
		return append(out, w)
	}
	var out []string
	line := ""
	for _, p := range splitAfterAny(w, breakLevels[level]) {
		if measure(line+p) <= width {
			line += p
			continue
		}
		if line != "" {
			out = append(out, line)
			line = ""
		}
		if measure(p) <= width {
			line = p
			continue
		}
		sub := breakAt(p, width, measure, level+1)
		out = append(out, sub[:len(sub)-1]...)
		line = sub[len(sub)-1]
	}
	return append(out, line)
}

// splitAfterAny cuts s after each run of one of the characters in chars ("https://"
// stays whole).
func splitAfterAny(s, chars string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(chars, s[i]) >= 0 {
			for i+1 < len(s) && s[i+1] == s[i] {
				i++
			}
			parts = append(parts, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		parts = append(parts, s[start:])
	}
	return parts
}

// fitRunes is how many bytes of s, whole characters and at least one, fit in width.
func fitRunes(s string, width float64, measure func(string) float64) int {
	n := 0
	for n < len(s) {
		_, size := utf8.DecodeRuneInString(s[n:])
		if n > 0 && measure(s[:n+size]) > width {
			break
		}
		n += size
	}
	return n
}
