package web_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/store"
)

var handlerAttr = regexp.MustCompile(`<[^>]*\son[a-z]+=`)

// Applicants see the tenant's SOP as a diagram and a table, linked from the home page,
// within the strict Content-Security-Policy.
func TestPublicFlow(t *testing.T) {
	h := start(t, store.SQLite, nil)
	if r := h.get("/"); !strings.Contains(r.body, `href="/alur-layanan"`) {
		t.Error("home page does not link the flow")
	}
	for _, lang := range []string{"id", "en"} {
		h.get("/bahasa/" + lang)
		r := h.get("/alur-layanan")
		if r.status != 200 {
			t.Fatalf("%s: %d", lang, r.status)
		}
		want := map[string]string{"id": "Waktu penyelesaian", "en": "Completion time"}[lang]
		contains(t, r.body, "<svg", "</svg>", want, `<table class="flow-steps">`)
		// The inline SVG must not need 'unsafe-inline': no <style>, no style attribute,
		// no script.
		svg := r.body[strings.Index(r.body, "<svg"):strings.Index(r.body, "</svg>")]
		for _, bad := range []string{"<style", " style=", "<script", "<foreignObject"} {
			if strings.Contains(svg, bad) {
				t.Errorf("%s: inline SVG contains %q", lang, bad)
			}
		}
		if m := handlerAttr.FindString(svg); m != "" {
			t.Errorf("%s: inline SVG has an event handler %q", lang, m)
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP %q", csp)
		}
	}
	r := h.get("/alur-layanan.svg")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "image/svg+xml") || !strings.HasPrefix(r.body, "<svg") {
		t.Fatalf("svg: %d %s", r.status, r.header.Get("Content-Type"))
	}
}
