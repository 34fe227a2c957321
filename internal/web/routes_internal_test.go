package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// Every route's handler is found from its URL: its doc comment starts with the route as
// registered ("GET /kantor/permohonan/{id} is …"), and a screen's handler lives in the
// file its URL's words name (routes.go), so a reader going from a URL finds the file,
// and the comment there confirms the route.
func TestHandlersNameTheirRoutes(t *testing.T) {
	fset := token.NewFileSet()
	docs, files := map[string]string{}, map[string]string{}
	paths, _ := filepath.Glob("*.go")
	var routes *ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if p == "routes.go" {
			routes = f
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
				docs[fd.Name.Name], files[fd.Name.Name] = fd.Doc.Text(), p
			}
		}
	}
	n := 0
	for _, d := range routes.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || !strings.HasSuffix(fd.Name.Name, "Routes") {
			continue
		}
		// Machines' routes (health, metrics, captcha) are no screens: their handlers
		// name their routes, wherever they live.
		screens := fd.Name.Name != "operationsRoutes"
		ast.Inspect(fd.Body, func(node ast.Node) bool {
			pattern, name, ok := registration(node)
			if !ok {
				return true
			}
			n++
			route := strings.Replace(pattern, "{$}", "", 1)
			if doc := docs[name]; !strings.HasPrefix(doc, route+" ") && !strings.HasPrefix(doc, route+":") && !strings.HasPrefix(doc, route+",") {
				t.Errorf("%s (%s): the doc comment does not start with %q: %q", name, files[name], route, firstLine(doc))
			}
			stem, file := stemOf(route), strings.TrimSuffix(files[name], ".go")
			if screens && stem != "" && !strings.HasPrefix(stem, file) && !strings.HasPrefix(file, stem) {
				t.Errorf("%s serves %s from %s.go: want a file named from %s", name, route, file, stem)
			}
			return true
		})
	}
	if n < 60 {
		t.Fatalf("found %d routes in routes.go: the test no longer reads it", n)
	}
}

// registration reads h("PATTERN", s.handler, …) in a route function.
func registration(node ast.Node) (pattern, handler string, ok bool) {
	call, ok := node.(*ast.CallExpr)
	if !ok || len(call.Args) < 2 {
		return "", "", false
	}
	fn, ok1 := call.Fun.(*ast.Ident)
	lit, ok2 := call.Args[0].(*ast.BasicLit)
	sel, ok3 := call.Args[1].(*ast.SelectorExpr)
	if !ok1 || fn.Name != "h" || !ok2 || !ok3 || lit.Kind != token.STRING {
		return "", "", false
	}
	return strings.Trim(lit.Value, `"`), sel.Sel.Name, true
}

// stemOf is the file name a route's words make: the path's words, parameters left out,
// - as _, joined with _ (/kantor/permohonan/{id}/tindak: kantor_permohonan_tindak). The
// handler's file is this stem or one of its family: a shorter one (the screen whose
// form posts there, kantor_permohonan) or a longer one (permohonan_daftar for the list).
func stemOf(route string) string {
	_, path, _ := strings.Cut(route, " ")
	var words []string
	for _, w := range strings.Split(strings.Trim(path, "/"), "/") {
		if w != "" && !strings.HasPrefix(w, "{") {
			words = append(words, strings.NewReplacer("-", "_", ".svg", "").Replace(w))
		}
	}
	return strings.Join(words, "_")
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
