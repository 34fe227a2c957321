package web

import (
	"html/template"
	"strings"
	"testing"
)

func TestBakeReplacesOnlyKnownContexts(t *testing.T) {
	const src = `{{define "layout"}}<p title="{{.T "nav.skip"}}">{{.T "nav.skip"}}</p>` +
		`<a href="/x?q={{.T "nav.skip"}}">{{$.T "form.optional"}}</a>` +
		`<script>var s = {{.T "nav.skip"}};</script><textarea>{{.T "nav.skip"}}</textarea>` +
		`<link href="{{.Asset "app.css"}}">{{.T "unit.minutes" 3}}{{end}}`
	a, err := newAssets()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"id", "en"} {
		baked := template.Must(template.New("layout").Parse(src))
		n, err := bake(baked, lang, a)
		if err != nil {
			t.Fatal(err)
		}
		// The title attribute, the paragraph, the link text, the textarea and the asset:
		// not the URL query, not the script, not the call with an argument.
		if n != 5 {
			t.Errorf("%s: %d actions baked, want 5", lang, n)
		}
		p := &Page{Lang: lang, Assets: a}
		var got, want strings.Builder
		if err := baked.ExecuteTemplate(&got, "layout", p); err != nil {
			t.Fatal(err)
		}
		if err := template.Must(template.New("layout").Parse(src)).ExecuteTemplate(&want, "layout", p); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s:\n%s", lang, firstDiff(got.String(), want.String()))
		}
	}
}

func TestBakeEveryPage(t *testing.T) {
	a, err := newAssets()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"id", "en"} {
		pages, err := parsePages()
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for name, pt := range pages {
			n, err := bake(pt, lang, a)
			if err != nil {
				t.Fatalf("%s %s: %v", lang, name, err)
			}
			total += n
		}
		// Every page shares the layout's dozen translations and asset links.
		if total < 15*len(pages) {
			t.Errorf("%s: %d actions baked over %d pages", lang, total, len(pages))
		}
	}
}
