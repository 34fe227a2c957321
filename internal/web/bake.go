package web

import (
	"errors"
	"html/template"
	"io"
	"reflect"
	"regexp"
	"strings"
	"text/template/parse"

	"github.com/surel-id/surel/internal/i18n"
)

// Baking: a page template is parsed once per language, escaped by html/template, and then
// every action whose value is fixed for that language and this server is replaced by its
// text. A quarter of all actions are {{.T "key"}}; each costs two reflective calls (the
// method and the escaper html/template appended) and a few allocations per render. After
// baking they cost nothing. Only actions in a context whose escaper is known to leave the
// text as computed below (HTML text, quoted attribute, RCDATA; URL attributes for asset
// paths of safe characters) are replaced; any other stays as written. Tests render every
// page both ways and compare (templates.verify).

// textEscapers are html/template's escapers for HTML text, attribute values and RCDATA.
// On a plain string all three replace exactly htmlReplacer's table, which bakedEscape
// reproduces.
var textEscapers = map[string]bool{
	"_html_template_htmlescaper":   true,
	"_html_template_attrescaper":   true,
	"_html_template_rcdataescaper": true,
}

// urlEscapers may follow an asset URL in an href or src attribute; on a path of
// safePath's characters every one of them is the identity.
var urlEscapers = map[string]bool{
	"_html_template_htmlescaper":   true,
	"_html_template_attrescaper":   true,
	"_html_template_urlfilter":     true,
	"_html_template_urlnormalizer": true,
}

var safePath = regexp.MustCompile(`^/[A-Za-z0-9/._-]+$`)

// bakedEscape is html/template's htmlReplacementTable applied to a plain string.
var bakedEscape = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// bake escapes t (every template reachable from "layout") and replaces its fixed actions
// for lang. It returns how many actions it replaced.
func bake(t *template.Template, lang string, a *assets) (int, error) {
	// html/template escapes a template set on its first execution. Executing it without
	// data escapes everything reachable from "layout" and then stops at the first field;
	// an escaping error (a template html/template cannot make safe) is reported.
	if err := t.ExecuteTemplate(io.Discard, "layout", nil); err != nil {
		var te *template.Error
		if errors.As(err, &te) {
			return 0, err
		}
	}
	n := 0
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			n += bakeList(tt.Tree.Root, lang, a)
		}
	}
	return n, nil
}

func bakeList(l *parse.ListNode, lang string, a *assets) int {
	if l == nil {
		return 0
	}
	n := 0
	for i, node := range l.Nodes {
		switch x := node.(type) {
		case *parse.ActionNode:
			if text, ok := bakedAction(x, lang, a); ok {
				l.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: x.Pos, Text: []byte(text)}
				n++
			} else if trimHTMLEscaper(x) {
				n++
			}
		case *parse.IfNode:
			n += bakeList(x.List, lang, a) + bakeList(x.ElseList, lang, a)
		case *parse.RangeNode:
			n += bakeList(x.List, lang, a) + bakeList(x.ElseList, lang, a)
		case *parse.WithNode:
			n += bakeList(x.List, lang, a) + bakeList(x.ElseList, lang, a)
		case *parse.ListNode:
			n += bakeList(x, lang, a)
		}
	}
	return n
}

// bakedAction is the text of {{.T "key"}}, {{$.T "key"}}, {{.Page.T "key"}} or
// {{.Asset "name"}} followed by the escapers html/template added, when every one of them
// is known.
func bakedAction(x *parse.ActionNode, lang string, a *assets) (string, bool) {
	p := x.Pipe
	if p == nil || len(p.Decl) > 0 || p.IsAssign || len(p.Cmds) < 2 || len(p.Cmds[0].Args) != 2 {
		return "", false
	}
	// A partial's data carries the page being rendered as its field Page:
	// {{.Page.T "key"}} is that page's translation too.
	method := ""
	switch f := p.Cmds[0].Args[0].(type) {
	case *parse.FieldNode:
		if len(f.Ident) == 1 || len(f.Ident) == 2 && f.Ident[0] == "Page" && f.Ident[1] == "T" {
			method = f.Ident[len(f.Ident)-1]
		}
	case *parse.VariableNode:
		if len(f.Ident) == 2 && f.Ident[0] == "$" || len(f.Ident) == 3 && f.Ident[0] == "$" && f.Ident[1] == "Page" && f.Ident[2] == "T" {
			method = f.Ident[len(f.Ident)-1]
		}
	}
	arg, ok := p.Cmds[0].Args[1].(*parse.StringNode)
	if !ok {
		return "", false
	}
	escapers := textEscapers
	var value string
	switch {
	case method == "T":
		value = i18n.T(lang, arg.Text)
	case method == "Asset" && a != nil:
		value, escapers = a.URL(arg.Text), urlEscapers
		if !safePath.MatchString(value) {
			return "", false
		}
	default:
		return "", false
	}
	for _, c := range p.Cmds[1:] {
		if len(c.Args) != 1 {
			return "", false
		}
		id, ok := c.Args[0].(*parse.IdentifierNode)
		if !ok || !escapers[id.Ident] {
			return "", false
		}
	}
	return bakedEscape.Replace(value), true
}

// htmlFuncs are the template functions that return template.HTML.
var htmlFuncs = func() map[string]bool {
	m := map[string]bool{}
	html := reflect.TypeFor[template.HTML]()
	for name, fn := range funcs {
		if t := reflect.TypeOf(fn); t.Kind() == reflect.Func && t.NumOut() >= 1 && t.Out(0) == html {
			m[name] = true
		}
	}
	return m
}()

// trimHTMLEscaper drops the HTML-text escaper html/template appended to a call of a
// function that returns template.HTML ({{field …}}): on HTML content that escaper returns
// its argument unchanged, so it costs a reflective call and nothing else.
func trimHTMLEscaper(x *parse.ActionNode) bool {
	p := x.Pipe
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 2 || len(p.Cmds[1].Args) != 1 {
		return false
	}
	fn, ok := p.Cmds[0].Args[0].(*parse.IdentifierNode)
	if !ok || !htmlFuncs[fn.Ident] {
		return false
	}
	if esc, ok := p.Cmds[1].Args[0].(*parse.IdentifierNode); !ok || esc.Ident != "_html_template_htmlescaper" {
		return false
	}
	p.Cmds = p.Cmds[:1]
	return true
}

// firstDiff shows where two renders part, for the verification error.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-80)
	return "baked:      " + got[lo:min(len(got), i+80)] + "\nas written: " + want[lo:min(len(want), i+80)]
}

// VerifyBaking makes every later render also render the page as written and fail on any
// difference. Tests call it; production never does.
func (s *Server) VerifyBaking() error {
	plain, err := parsePages()
	if err != nil {
		return err
	}
	s.tpl.plain = plain
	return nil
}
