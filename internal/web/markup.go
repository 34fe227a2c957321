package web

import (
	"html/template"
	"strconv"
	"strings"
)

// markup builds HTML in Go for the rows a page lists by the dozen (the inbox's tasks, a
// request's history and audit trail). In html/template every action of a row is a
// reflective field read plus a reflective call of its escaper: over 25 rows that was
// most of a back-office page's CPU (bench/RESULTS.md, "Back-office pages: rendering").
// A row written here must produce the bytes its template did; each has a test that
// compares the two on hostile text.
type markup struct{ strings.Builder }

// raw writes literal markup.
func (m *markup) raw(parts ...string) {
	for _, s := range parts {
		m.WriteString(s)
	}
}

// text writes s escaped as html/template escapes a string in HTML text and in a quoted
// attribute value (its htmlReplacementTable, bakedEscape).
func (m *markup) text(s string) {
	if !strings.ContainsAny(s, "\x00\"&'+<>") {
		m.WriteString(s)
		return
	}
	bakedEscape.WriteString(&m.Builder, s)
}

// label is the page's translation of key, escaped for HTML text or a quoted attribute.
func (p *Page) label(key string) string { return bakedEscape.Replace(p.T(key)) }

// number writes n; digits need no escaping in any context.
func (m *markup) number(n int64) { m.WriteString(strconv.FormatInt(n, 10)) }

// html is what was written, as markup for a template.
func (m *markup) html() template.HTML { return template.HTML(m.String()) }
