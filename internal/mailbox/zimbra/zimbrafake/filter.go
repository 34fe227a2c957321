package zimbrafake

import (
	"errors"
	"strings"
)

// filter is the part of RFC 4515 LDAP filters SearchDirectoryRequest's query uses:
// (a=v), (a=prefix*), (a=*), (&…), (|…), (!…); values compare without case, as the
// attributes' caseIgnore matching rules do (account/AttributeManagerUtil.java:437-442).
type filter struct {
	op       byte // '=', '&', '|', '!'
	attr     string
	value    string // for '=': the value, with a trailing '*' for a prefix
	children []filter
}

func parseFilter(s string) (filter, error) {
	if s == "" {
		return filter{op: '&'}, nil // everything
	}
	f, rest, err := parseOne(s)
	if err != nil {
		return f, err
	}
	if rest != "" {
		return f, errors.New("trailing characters in filter")
	}
	return f, nil
}

func parseOne(s string) (filter, string, error) {
	if !strings.HasPrefix(s, "(") {
		return filter{}, s, errors.New("filter must start with (")
	}
	s = s[1:]
	if s == "" {
		return filter{}, s, errors.New("unterminated filter")
	}
	switch s[0] {
	case '&', '|', '!':
		f := filter{op: s[0]}
		s = s[1:]
		for strings.HasPrefix(s, "(") {
			c, rest, err := parseOne(s)
			if err != nil {
				return f, rest, err
			}
			f.children = append(f.children, c)
			s = rest
		}
		if !strings.HasPrefix(s, ")") {
			return f, s, errors.New("unterminated filter")
		}
		if f.op == '!' && len(f.children) != 1 {
			return f, s, errors.New("(! takes one filter")
		}
		return f, s[1:], nil
	}
	end := strings.IndexByte(s, ')')
	if end < 0 {
		return filter{}, s, errors.New("unterminated filter")
	}
	attr, value, ok := strings.Cut(s[:end], "=")
	if !ok || attr == "" || strings.ContainsAny(attr, "<>~") {
		return filter{}, s, errors.New("only equality and prefix filters are supported: " + s[:end])
	}
	if i := strings.IndexByte(value, '*'); i >= 0 && i != len(value)-1 {
		return filter{}, s, errors.New("only prefix substrings are supported: " + s[:end])
	}
	return filter{op: '=', attr: strings.ToLower(attr), value: strings.ToLower(value)}, s[end+1:], nil
}

// match evaluates the filter on an entry whose attributes get returns by lower-case
// name.
func (f filter) match(get func(string) (string, bool)) bool {
	switch f.op {
	case '&':
		for _, c := range f.children {
			if !c.match(get) {
				return false
			}
		}
		return true
	case '|':
		for _, c := range f.children {
			if c.match(get) {
				return true
			}
		}
		return false
	case '!':
		return !f.children[0].match(get)
	}
	v, ok := get(f.attr)
	if !ok {
		return false
	}
	v = strings.ToLower(v)
	if prefix, isPrefix := strings.CutSuffix(f.value, "*"); isPrefix {
		return strings.HasPrefix(v, prefix)
	}
	return v == f.value
}
