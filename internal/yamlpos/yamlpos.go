// Package yamlpos says where a setting stands in a YAML file, so that an error about a
// tenant file or a service catalogue names file, line and column as sop.Load's errors do:
//
//	tenants.yaml:7:11: tenants[0].time_zone: unknown time zone Asia/Makasar
//
// A check writes its errors with the setting's path first ("tenants[0].time_zone: …");
// Index.Place turns each into an *Error that points at that setting, or at the nearest
// enclosing one the file holds when the setting is missing.
package yamlpos

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is one problem in a YAML file: where it is, what is wrong, and optionally which
// rule it breaks, a stable key tests and editors rely on (sop.Error is this type).
type Error struct {
	File   string
	Line   int // 1-based; 0 when the file does not hold the setting or any parent of it
	Column int
	Path   string // "tenants[0].mail_server.driver"
	Rule   string // "role.unknown"; empty where the file's checks name no rules
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ":")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", e.Line, e.Column)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	if e.Rule != "" {
		b.WriteString(" [" + e.Rule + "]")
	}
	return b.String()
}

// Index maps each setting's path to the position of its value in one file.
type Index struct {
	file string
	at   map[string][2]int
}

// New indexes data, the text of file. A document that does not parse gives an index
// that knows no positions (the decoder's own error names the line).
func New(file string, data []byte) Index {
	ix := Index{file: file, at: map[string][2]int{}}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return ix
	}
	ix.walk("", doc.Content[0])
	return ix
}

func (ix Index) walk(path string, n *yaml.Node) {
	ix.at[path] = [2]int{n.Line, n.Column}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := n.Content[i].Value
			if path != "" {
				p = path + "." + p
			}
			ix.walk(p, n.Content[i+1])
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			ix.walk(fmt.Sprintf("%s[%d]", path, i), c)
		}
	case yaml.AliasNode:
		if n.Alias != nil {
			ix.walk(path, n.Alias)
		}
	}
}

// At gives the position of path's value, or of its nearest enclosing setting in the
// file; 0, 0 when none is.
func (ix Index) At(path string) (line, column int) {
	for p := path; ; {
		if pos, ok := ix.at[p]; ok {
			return pos[0], pos[1]
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			return 0, 0
		}
		p = p[:i]
	}
}

// Errorf makes the error for the setting at path.
func (ix Index) Errorf(path, format string, args ...any) *Error {
	line, col := ix.At(path)
	return &Error{File: ix.file, Line: line, Column: col, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// Place positions each of errs, whose messages begin with the setting's path and ": ",
// and joins them. An error that does not name a path is kept, prefixed with the file.
func (ix Index) Place(errs []error) error {
	out := make([]error, 0, len(errs))
	for _, err := range errs {
		var placed *Error
		if errors.As(err, &placed) {
			out = append(out, err)
			continue
		}
		msg := err.Error()
		path, rest, ok := strings.Cut(msg, ": ")
		if !ok || strings.ContainsAny(path, " /") {
			out = append(out, &Error{File: ix.file, Msg: msg})
			continue
		}
		line, col := ix.At(path)
		out = append(out, &Error{File: ix.file, Line: line, Column: col, Path: path, Msg: rest})
	}
	return errors.Join(out...)
}

// Problems lists the *Error values inside err.
func Problems(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if e, ok := err.(*Error); ok {
			out = append(out, e)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}
