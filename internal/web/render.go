package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"github.com/surel-id/surel/internal/workflow"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

//go:embed templates/*
var templateFS embed.FS

// templates are parsed once: each page with the layout and every partial, baked for each
// language (bake.go).
type templates struct {
	baked map[string]map[string]*template.Template // language → page → template set
	// plain, when set (tests), holds the pages as written: every render is done both ways
	// and a difference is an error.
	plain map[string]*template.Template
}

var funcs = template.FuncMap{
	// field writes a labelled form field (fieldData.HTML): {{field . "nip" "text" "off" "hint"}}.
	"field": func(p *Page, name, typ string, opts ...string) template.HTML {
		return newField(p, name, typ, opts...).HTML()
	},
	// fieldLinks lists fields by their labels, each a link to its input:
	// {{fieldLinks $ .User.Profile.Missing}}.
	"fieldLinks": fieldLinks,
	"join":       strings.Join,
	"list":       func(s ...string) []string { return s },
	"kb":         kbText,
	"str":        func(v any) string { return fmt.Sprint(v) },
	"role":       func(r string) sop.Role { return sop.Role(r) },
	"gb":         gbText,
	"history":    newHistory,
	// stepIn and jabatanOf are a request step's process and title in the page's
	// language, as the history table shows them: {{stepIn $ .Running $.Data.SOP}}.
	"stepIn":    func(p *Page, st *request.Step, def sop.Definition) string { return stepName(*st, def, p) },
	"jabatanOf": func(p *Page, st *request.Step, def sop.Definition) string { return jabatanIn(*st, def, p.Lang) },
	// complaintData feeds the _complaint partial: {{template "complaint" (complaintData . .Data)}}.
	"complaintData": func(p *Page, v complaintView) complaintPartial { return complaintPartial{Page: p, View: v} },
}

// historyData feeds the _history partial: the request's steps with their times and
// status already in words (a template method call per cell costs more than the rest of
// the page), and the staff's notes for staff.
type historyData struct {
	Page  *Page
	Rows  []historyRow
	Notes bool
	// StepRows is the table's rows, Rows written in Go (historyRowsHTML).
	StepRows template.HTML
}

// historyRow is one line of the history table (seed 000, Gambar 9).
type historyRow struct {
	Actor, Jabatan, Name, Note     string
	Started, Due, Finished, Status string
	SLA                            string
}

func newHistory(p *Page, steps []request.Step, def sop.Definition, notes bool) historyData {
	d := historyData{Page: p, Notes: notes, Rows: make([]historyRow, len(steps))}
	for i, st := range steps {
		status := p.T("stepstatus." + string(st.Status))
		// A failure no retry ends (a name the DNS server holds already) is not "needs a
		// retry": the request goes back to the applicant or is refused.
		if f, failed := workflow.StepFailure(request.Request{}, st); failed && !f.Retry {
			status = p.T("stepstatus.failed_final")
		}
		d.Rows[i] = historyRow{Actor: st.Actor, Jabatan: jabatanIn(st, def, p.Lang), Name: stepName(st, def, p), Note: st.Note, Started: p.Time(st.StartedAt),
			Due: p.Time(st.Due), Finished: p.Time(st.FinishedAt), Status: status, SLA: st.SLA}
		// The first step of a request an OPD's letter started keeps its note in
		// Indonesian, like the step's name: another language reads it in its own words.
		if ref, ok := request.LetterOfNote(st.Note); ok && i == 0 && p.Lang != i18n.Default {
			d.Rows[i].Note = p.T("history.by_letter", ref)
		}
	}
	d.StepRows = historyRowsHTML(p, d.Rows, notes)
	return d
}

// historyRowsHTML writes the history table's rows (the staff's notes too when notes is
// set), for the reason of inboxRowsHTML; TestHistoryRowsMatchTemplate keeps them equal to
// the template they replaced.
func historyRowsHTML(p *Page, rows []historyRow, notes bool) template.HTML {
	var m markup
	m.Grow(len(rows) * 600)
	jabatan, process, started, due, finished := p.label("history.jabatan"), p.label("history.process"), p.label("history.started"), p.label("history.due"), p.label("history.finished")
	for _, r := range rows {
		m.raw(`<tr><td data-label="User">`)
		m.text(r.Actor)
		m.raw(`</td><td data-label="`, jabatan, `">`)
		m.text(r.Jabatan)
		m.raw(`</td><td data-label="`, process, `">`)
		m.text(r.Name)
		if r.Note != "" && notes {
			m.raw(`<br><span class="muted">`)
			m.text(r.Note)
			m.raw(`</span>`)
		}
		m.raw(`</td><td data-label="`, started, `">`)
		m.text(r.Started)
		m.raw(`</td><td data-label="`, due, `">`)
		m.text(r.Due)
		m.raw(`</td><td data-label="`, finished, `">`)
		m.text(r.Finished)
		m.raw(`</td><td data-label="Status">`)
		m.text(r.Status)
		m.raw(`</td><td data-label="SLA">`)
		switch r.SLA {
		case sop.VerdictIn:
			m.raw(`<span class="sla-in">In SLA</span>`)
		case sop.VerdictOver:
			m.raw(`<span class="sla-over">Over SLA</span>`)
		default:
			m.raw(`–`)
		}
		m.raw(`</td></tr>`)
	}
	return m.html()
}

// stepName is a history row's process in the page's language. The row keeps the name
// its step had when it ran; the SOP's English name (name_en) stands for it while the
// SOP still names the step so.
func stepName(st request.Step, def sop.Definition, p *Page) string {
	if p.Lang == i18n.Default {
		return st.Name
	}
	if st.Kind == request.KindCorrection {
		if st.Role == string(sop.RoleFrontDesk) {
			return p.T("history.correction_desk")
		}
		return p.T("history.correction")
	}
	for _, s := range def.Steps {
		if s.Key == st.Key && s.Name == st.Name {
			return s.Label(p.Lang)
		}
	}
	return st.Name
}

// jabatanIn is a history row's title in lang: the SOP's English title (jabatan_en) of
// the step while the SOP still gives the step that title, a role's generic Indonesian
// title in its translation, else an office's own title as written.
func jabatanIn(st request.Step, def sop.Definition, lang string) string {
	jabatan := st.Jabatan
	if lang == i18n.Default {
		return jabatan
	}
	for _, s := range def.Steps {
		if s.Key == st.Key && s.Jabatan == jabatan && s.JabatanEN != "" {
			return s.JabatanEN
		}
	}
	for _, r := range sop.AllRoles() {
		if strings.EqualFold(r.Label(i18n.Default), jabatan) || (r == sop.RoleFrontDesk && jabatan == "Front Desk") {
			return r.Label(lang)
		}
	}
	return jabatan
}

// wib is the zone of a page whose tenant's SOP does not load (the tenant admin is told on
// /kantor/sop): Western Indonesia, where most tenants are, and still named on the page.
var wib = time.FixedZone("WIB", 7*3600)

func parseTemplates(a *assets) (*templates, error) {
	t := &templates{baked: map[string]map[string]*template.Template{}}
	for _, lang := range i18n.Langs {
		pages, err := parsePages()
		if err != nil {
			return nil, err
		}
		for name, pt := range pages {
			if _, err := bake(pt, lang, a); err != nil {
				return nil, fmt.Errorf("templates: %s: %w", name, err)
			}
		}
		t.baked[lang] = pages
	}
	return t, nil
}

// parsePages parses every page with the layout and the partials.
func parsePages() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	base, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.gohtml", "templates/_*.gohtml")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	pages, err := fs.Glob(templateFS, "templates/[a-z]*.gohtml")
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".gohtml")
		if name == "layout" {
			continue
		}
		c, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if out[name], err = c.ParseFS(templateFS, p); err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
	}
	return out, nil
}

// Page is what every template gets.
type Page struct {
	Lang   string
	Title  string
	Tenant account.Tenant
	User   *account.User
	Path   string
	Flash  string
	Assets *assets
	Form   url.Values
	Errors map[string]string // field name → message
	// ErrorList is Errors in the order of the form, for the summary at the top.
	ErrorList []fieldError
	Error     string // message for the whole form
	Captcha   bool   // show the captcha widget
	Unread    int    // unread notifications, for the header
	Staff     *staff.Member
	// Wide lets a page of tables (the registry) use a desktop's width.
	Wide bool
	// Nav marks the header's link to this page (aria-current), set by render.
	Nav navState
	// CacheTag lets an anonymous page with Data be rendered and compressed once: it
	// names the data's version (the SOP's, say), so a change renders anew.
	CacheTag string
	zone     *time.Location
	Data     any
}

// navState says which of the header's links is the page shown. The layout reads these
// fields rather than comparing the path seven times: each {{if eq …}} is a reflective
// call on every page.
type navState struct {
	Kantor, Loket, NewRequest, Requests, Notifications, Akun, Masuk, Daftar bool
	Complaints, KantorComplaints                                            bool
}

func navFor(path string) navState {
	return navState{Kantor: path == "/kantor", Loket: path == "/kantor/loket", NewRequest: path == "/tambah-permohonan", Requests: path == "/permohonan",
		Notifications: path == "/notifikasi", Akun: path == "/akun", Masuk: path == "/masuk", Daftar: path == "/daftar",
		Complaints: path == "/pengaduan" || path == "/pengaduan/saya", KantorComplaints: path == "/kantor/pengaduan"}
}

// fieldError is one line of the error summary.
type fieldError struct{ Name, Message string }

// orderErrors puts the summary in the order the fields appear on the page.
func (p *Page) orderErrors(fields []string) {
	pos := map[string]int{}
	for i, f := range fields {
		pos[f] = i + 1
	}
	sort.SliceStable(p.ErrorList, func(i, j int) bool {
		a, b := pos[p.ErrorList[i].Name], pos[p.ErrorList[j].Name]
		if a == 0 {
			a = len(fields) + 1
		}
		if b == 0 {
			b = len(fields) + 1
		}
		return a < b
	})
}

// Time shows t in the tenant's time zone, with its abbreviation (WIB, WITA, WIT): every
// time a page, a receipt or a letter shows goes through here.
func (p *Page) Time(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return sop.Stamp(t, p.zone)
}

// Date is t's day in the office's time zone ("02-01-2006"), "–" when zero.
func (p *Page) Date(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.In(p.zone).Format("02-01-2006")
}

// kbText writes a file's size in KB, in MB (one decimal) from 1 MB.
func kbText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}

// gbText writes a size in GB (one decimal) from 1 GB, in MB below: the capacity
// figures and the registry's quotas.
func gbText(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%d MB", n>>20)
}

// T translates a key in the page's language.
func (p *Page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// Asset is the fingerprinted URL of a static file.
func (p *Page) Asset(name string) string { return p.Assets.URL(name) }

// Value is a kept form value.
func (p *Page) Value(name string) string { return p.Form.Get(name) }

// LangURL switches language and returns to this page.
func (p *Page) LangURL(lang string) string {
	return "/bahasa/" + lang + "?next=" + url.QueryEscape(p.Path)
}

// fieldData describes one labelled input for the _field partial.
type fieldData struct {
	Page         *Page
	Name         string
	Type         string
	Autocomplete string
	Hint         string
	Required     bool
	Inputmode    string
	LabelKey     string
}

// newField builds the data of the _field partial: field page name type [autocomplete]
// [options…] where options are "required", "hint" (hint text under key hint.NAME),
// "hint=key", "label=key" (a label other than field.NAME) or "inputmode=…".
func newField(p *Page, name, typ string, opts ...string) fieldData {
	f := fieldData{Page: p, Name: name, Type: typ}
	for _, o := range opts {
		switch {
		case o == "required":
			f.Required = true
		case o == "hint":
			f.Hint = p.T("hint." + name)
		case strings.HasPrefix(o, "hint="):
			f.Hint = p.T(strings.TrimPrefix(o, "hint="))
		case strings.HasPrefix(o, "inputmode="):
			f.Inputmode = strings.TrimPrefix(o, "inputmode=")
		case strings.HasPrefix(o, "label="):
			f.LabelKey = strings.TrimPrefix(o, "label=")
		default:
			f.Autocomplete = o
		}
	}
	return f
}

// Label is the field's translated label.
func (f fieldData) Label() string {
	if f.LabelKey != "" {
		return f.Page.T(f.LabelKey)
	}
	return f.Page.T("field." + f.Name)
}

// HTML is the field's markup (label, hint, error, input) built in Go: forms have up to a
// dozen fields, and executing the same markup as a template costs a reflective call per
// attribute, most of a form page's rendering time (bench/RESULTS.md).
func (f fieldData) HTML() template.HTML {
	var b strings.Builder
	b.Grow(640)
	// w writes its arguments in turn: literal markup and escaped values, without the
	// temporary strings of concatenating them first.
	w := func(parts ...string) {
		for _, s := range parts {
			b.WriteString(s)
		}
	}
	esc := template.HTMLEscapeString
	name := esc(f.Name)
	errText, hint := f.Error(), f.Hint
	b.WriteString(`<div class="field`)
	if errText != "" {
		b.WriteString(` has-error`)
	}
	w(`">`+"\n  "+`<label for="f-`, name, `">`, esc(f.Label()))
	if !f.Required {
		w(` <span class="muted">(`, esc(f.Page.T("form.optional")), `)</span>`)
	}
	b.WriteString("</label>\n")
	if hint != "" {
		w(`  <p class="hint" id="h-`, name, `">`, esc(hint), "</p>\n")
	}
	if errText != "" {
		w(`  <p class="error" id="e-`, name, `">`, esc(errText), "</p>\n")
	}
	attrs := func() {
		if f.Required {
			b.WriteString(` required`)
		}
		if f.Autocomplete != "" {
			w(` autocomplete="`, esc(f.Autocomplete), `"`)
		}
		if f.Inputmode != "" && f.Type != "textarea" {
			w(` inputmode="`, esc(f.Inputmode), `"`)
		}
		if errText != "" {
			b.WriteString(` aria-invalid="true"`)
		}
		b.WriteString(` aria-describedby="`)
		if hint != "" {
			w(`h-`, name, ` `)
		}
		if errText != "" {
			w(`e-`, name)
		}
		b.WriteString(`"`)
	}
	if f.Type == "textarea" {
		w(`  <textarea id="f-`, name, `" name="`, name, `" rows="3"`)
		attrs()
		w(`>`, esc(f.Value()), `</textarea>`)
	} else {
		w(`  <input id="f-`, name, `" name="`, name, `" type="`, esc(f.Type), `" value="`, esc(f.Value()), `"`)
		attrs()
		b.WriteString(`>`)
	}
	b.WriteString("\n</div>")
	return template.HTML(b.String())
}

// fieldLinks is one <li> per field name, its translated label linking to the field's
// input (#f-name), built in Go for the same reason as fieldData.HTML: as a template range
// it cost five reflective calls per field.
func fieldLinks(p *Page, names []string) template.HTML {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(`<li><a href="#f-`)
		b.WriteString(template.HTMLEscapeString(url.PathEscape(n)))
		b.WriteString(`">`)
		b.WriteString(template.HTMLEscapeString(p.T("field." + n)))
		b.WriteString(`</a></li>`)
	}
	return template.HTML(b.String())
}

// Error is the field's message, if any.
func (f fieldData) Error() string { return f.Page.Errors[f.Name] }

// Value is what the user typed, never for a password.
func (f fieldData) Value() string {
	if f.Type == "password" {
		return ""
	}
	return f.Page.Value(f.Name)
}

func (s *Server) page(r *http.Request, title string) *Page {
	p := &Page{Lang: langOf(r), Tenant: s.Tenants.ForHost(r.Host), User: userOf(r), Path: r.URL.Path,
		Assets: s.assets, Form: url.Values{}, Errors: map[string]string{}}
	p.Title = p.T(title)
	p.Staff = staffOf(r)
	p.zone = s.zoneOf(r.Context(), p.Tenant)
	if p.User != nil {
		p.Unread = unreadOf(r)
	}
	return p
}

// zoneOf is the time zone of tenant t's SOP (WIB when it does not load).
func (s *Server) zoneOf(ctx context.Context, t account.Tenant) *time.Location {
	if s.Book != nil {
		if def, _, err := s.Book.Workflow(ctx, t.SOPRef()); err == nil {
			if loc, err := def.Location(); err == nil {
				return loc
			}
		}
	}
	return wib
}

// zoneTime is t in words in the time zone of the tenant with the given id, which may be
// another than the page's (a document's issuer).
func (s *Server) zoneTime(r *http.Request, tenantID int64, t time.Time) string {
	tn, ok := s.Tenants.ByID(tenantID)
	if !ok {
		return sop.Stamp(t, wib)
	}
	return sop.Stamp(t, s.zoneOf(r.Context(), tn))
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) error {
	set, ok := s.tpl.baked[p.Lang]
	if !ok {
		// The baked words must be the page's language.
		p.Lang, set = i18n.Default, s.tpl.baked[i18n.Default]
	}
	t, ok := set[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	if f := takeFlash(w, r); f != "" && p.Flash == "" {
		p.Flash = f
	}
	p.Nav = navFor(p.Path)
	key, cacheable := "", status == http.StatusOK && anonymousPlain(r, p)
	if cacheable {
		key = name + "\x00" + p.Tenant.Slug + "\x00" + p.Lang + "\x00" + p.Path + "\x00" + p.CacheTag
		if p.Captcha { // a form that asks for the captcha only after failures (Masuk)
			key += "\x00captcha"
		}
		if c, ok := s.pageCache.Load(key); ok {
			return c.(*cachedPage).write(w, r)
		}
	}
	b := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(b)
	if err := t.ExecuteTemplate(b, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	if s.tpl.plain != nil {
		var want bytes.Buffer
		if err := s.tpl.plain[name].ExecuteTemplate(&want, "layout", p); err != nil {
			return fmt.Errorf("render %s as written: %w", name, err)
		}
		if !bytes.Equal(b.Bytes(), want.Bytes()) {
			return fmt.Errorf("render %s: the baked template differs from the one as written:\n%s", name, firstDiff(b.String(), want.String()))
		}
	}
	if cacheable && s.pageCacheSize.Add(1) <= maxCachedPages {
		c := &cachedPage{plain: bytes.Clone(b.Bytes())}
		c.gz = gzipped(c.plain)
		s.pageCache.Store(key, c)
		return c.write(w, r)
	}
	return writeHTML(w, status, b.Bytes())
}

// cachedPage is an anonymous page rendered once (anonymousPlain), as written and
// gzip-compressed: the login form and the home page are what a phone loads first.
type cachedPage struct{ plain, gz []byte }

// write sends the page, compressed when the client accepts it.
func (c *cachedPage) write(w http.ResponseWriter, r *http.Request) error {
	w.Header().Add("Vary", "Accept-Encoding")
	if c.gz != nil && acceptsGzip(r) {
		w.Header().Set("Content-Encoding", "gzip")
		return writeHTML(w, http.StatusOK, c.gz)
	}
	return writeHTML(w, http.StatusOK, c.plain)
}

// renderBuffers keeps the buffers pages are rendered into: a page is 10 – 60 KB, and
// growing a fresh buffer to that size for every request was half of a page's allocations.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putRenderBuffer returns b to the pool, unless an unusually large page grew it.
func putRenderBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	renderBuffers.Put(b)
}

// writeHTML sends a whole rendered page. The length is known, so the answer goes out with
// Content-Length instead of chunked: one write, no terminating chunk.
func writeHTML(w http.ResponseWriter, status int, b []byte) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err := w.Write(b)
	return err
}

// maxCachedPages bounds the rendered-page cache: a few pages per tenant and language.
const maxCachedPages = 256

// anonymousPlain reports whether a page is the same for every visitor of its tenant and
// language: a GET without a query by someone not signed in, with no message, no typed
// value, no captcha and no page data. Such pages (the login form, the home page) are
// rendered once and served from memory.
func anonymousPlain(r *http.Request, p *Page) bool {
	// The captcha's widget fetches its challenge itself: its page is the same for all.
	if r.Method != http.MethodGet || r.URL.RawQuery != "" || p.User != nil || p.Flash != "" || p.Error != "" ||
		len(p.Errors) > 0 || (p.Data != nil && p.CacheTag == "") {
		return false
	}
	for _, vs := range p.Form {
		for _, v := range vs {
			if v != "" {
				return false
			}
		}
	}
	return true
}

// formError puts a domain error on the page being re-rendered: each field's message by
// the field, or one message for the form. It returns the status to answer with, or
// false when err is not one a form shows.
func formError(p *Page, err error) (int, bool) {
	e, ok := errs.As(err)
	if !ok {
		return 0, false
	}
	for _, f := range e.Fields {
		msg := p.fieldMessage(f)
		if _, dup := p.Errors[f.Name]; !dup {
			p.ErrorList = append(p.ErrorList, fieldError{f.Name, msg})
		}
		p.Errors[f.Name] = msg
	}
	switch {
	case len(e.Fields) > 0:
		p.Error = p.T("form.invalid")
	case e.Code == errs.TooMany || e.Code == errs.Unavailable:
		p.Error = p.T(e.Key, waitText(p.Lang, e.RetryAfter))
	default:
		p.Error = p.T(e.Key, e.Args...)
	}
	return statusOf(e.Code), true
}

// fieldMessage is the message of one field's error: the rule's text ("rule."+Rule) with
// the field's label and the rule's arguments, an argument naming another field
// ("field.province") shown as that field's label.
func (p *Page) fieldMessage(f errs.Field) string {
	args := []any{p.T("field." + f.Name)}
	for _, a := range f.Args {
		if s, ok := a.(string); ok && (strings.HasPrefix(s, "field.") || strings.HasPrefix(s, "registry.status.")) {
			a = p.T(s)
		}
		args = append(args, a)
	}
	key := "rule." + f.Rule
	if f.Rule == "nip" && len(f.Args) == 1 {
		key, args = "rule.nip_"+fmt.Sprint(f.Args[0]), args[:1]
	}
	return p.T(key, args...)
}

// waitText says a duration as a person would: "15 menit", "40 detik".
func waitText(lang string, d time.Duration) string {
	if d < time.Minute {
		return i18n.T(lang, "unit.seconds", int(math.Ceil(d.Seconds())))
	}
	return i18n.T(lang, "unit.minutes", int(math.Ceil(d.Minutes())))
}

func statusOf(c errs.Code) int {
	switch c {
	case errs.Invalid:
		return http.StatusUnprocessableEntity
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Conflict:
		return http.StatusConflict
	case errs.TooMany:
		return http.StatusTooManyRequests
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

var (
	errNotFound = errs.New(errs.NotFound, "error.not_found")
	errInternal = errors.New("internal error")
)

// renderError is the one place an error becomes a response.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := errs.As(err)
	if !ok {
		s.Log.ErrorContext(r.Context(), "handler failed", "err", err, "request_id", RequestIDOf(r.Context()), "route", r.Pattern)
		e = errs.New("", "error.internal", RequestIDOf(r.Context()))
	}
	setRetryAfter(w, e)
	p := s.page(r, "error.title")
	if e.Code == errs.Unavailable && r.Method == http.MethodGet {
		p.Data = r.URL.RequestURI() // "Coba lagi": the same page
	}
	if e.Code == errs.TooMany || e.Code == errs.Unavailable {
		p.Error = p.T(e.Key, waitText(p.Lang, e.RetryAfter))
	} else {
		p.Error = p.T(e.Key, e.Args...)
	}
	if rerr := s.render(w, r, statusOf(e.Code), "error", p); rerr != nil {
		s.Log.ErrorContext(r.Context(), "render error page", "err", rerr)
		http.Error(w, http.StatusText(statusOf(e.Code)), statusOf(e.Code))
	}
}

// setRetryAfter says, for a refusal that will pass (TooMany, Unavailable), when to try
// again, in whole seconds rounded up.
func setRetryAfter(w http.ResponseWriter, e *errs.Error) {
	if e.Code == errs.TooMany || e.Code == errs.Unavailable {
		w.Header().Set("Retry-After", fmt.Sprint(max(1, int(math.Ceil(e.RetryAfter.Seconds())))))
	}
}

// redirect answers a successful POST (303, so a reload does not post again).
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
