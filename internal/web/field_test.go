package web

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/i18n"
	"github.com/surel-id/surel/internal/request"
)

// fieldTemplate is the field partial as it was written in html/template, kept to check
// that fieldData.HTML writes the same markup.
const fieldTemplate = `{{define "field"}}<div class="field{{if .Error}} has-error{{end}}">
  <label for="f-{{.Name}}">{{.Label}}{{if not .Required}} <span class="muted">({{.Page.T "form.optional"}})</span>{{end}}</label>
  {{if .Hint}}<p class="hint" id="h-{{.Name}}">{{.Hint}}</p>{{end}}
  {{if .Error}}<p class="error" id="e-{{.Name}}">{{.Error}}</p>{{end}}
  {{if eq .Type "textarea"}}<textarea id="f-{{.Name}}" name="{{.Name}}" rows="3"{{if .Required}} required{{end}}{{if .Autocomplete}} autocomplete="{{.Autocomplete}}"{{end}}{{if .Error}} aria-invalid="true"{{end}} aria-describedby="{{if .Hint}}h-{{.Name}} {{end}}{{if .Error}}e-{{.Name}}{{end}}">{{.Value}}</textarea>
  {{else}}<input id="f-{{.Name}}" name="{{.Name}}" type="{{.Type}}" value="{{.Value}}"{{if .Required}} required{{end}}{{if .Autocomplete}} autocomplete="{{.Autocomplete}}"{{end}}{{if .Inputmode}} inputmode="{{.Inputmode}}"{{end}}{{if .Error}} aria-invalid="true"{{end}} aria-describedby="{{if .Hint}}h-{{.Name}} {{end}}{{if .Error}}e-{{.Name}}{{end}}">{{end}}
</div>{{end}}`

var betweenTags = regexp.MustCompile(`>\s+<`)

func TestFieldHTMLMatchesTemplate(t *testing.T) {
	tpl := template.Must(template.New("x").Parse(fieldTemplate))
	for _, lang := range []string{"id", "en"} {
		p := &Page{Lang: lang, Form: url.Values{"nip": {`19610923 <script>"&'`}, "address": {"Jl. Merdeka\n1 & <b>"}},
			Errors: map[string]string{"nip": `NIP "salah" <x>`}}
		cases := []fieldData{
			newField(p, "nip", "text", "off", "hint", "inputmode=numeric"),
			newField(p, "full_name", "text", "name", "required", "hint"),
			newField(p, "address", "textarea", "street-address", "required"),
			newField(p, "password", "password", "new-password", "required"),
			newField(p, "email", "email", "label=field.mailbox_agreed"),
			newField(p, "note", "textarea", "hint"),
		}
		for _, f := range cases {
			var want strings.Builder
			if err := tpl.ExecuteTemplate(&want, "field", f); err != nil {
				t.Fatal(err)
			}
			norm := func(s string) string { return betweenTags.ReplaceAllString(strings.TrimSpace(s), "><") }
			if got := string(f.HTML()); norm(got) != norm(want.String()) {
				t.Errorf("%s %s:\n got %s\nwant %s", lang, f.Name, norm(got), norm(want.String()))
			}
		}
	}
}

func TestAnonymousPlain(t *testing.T) {
	get := func(target string) *http.Request { return httptest.NewRequest("GET", target, nil) }
	plain := &Page{Form: url.Values{"next": {""}}, Errors: map[string]string{}}
	if !anonymousPlain(get("/masuk"), plain) {
		t.Fatal("a plain login form is not cacheable")
	}
	// Daftar's captcha fetches its own challenge; the SOP's page names its version.
	if !anonymousPlain(get("/daftar"), &Page{Captcha: true}) {
		t.Error("the plain registration form is not cacheable")
	}
	if !anonymousPlain(get("/alur-layanan"), &Page{Data: 1, CacheTag: "v1"}) {
		t.Error("a page with data and its version is not cacheable")
	}
	for name, c := range map[string]struct {
		r *http.Request
		p *Page
	}{
		"query":     {get("/masuk?next=%2Fakun"), plain},
		"post":      {httptest.NewRequest("POST", "/masuk", nil), plain},
		"signed in": {get("/masuk"), &Page{User: &account.User{ID: 1}}},
		"flash":     {get("/masuk"), &Page{Flash: "x"}},
		"typed":     {get("/masuk"), &Page{Form: url.Values{"login": {"budi"}}}},
		"error":     {get("/masuk"), &Page{Error: "x"}},
		"data":      {get("/alur-layanan"), &Page{Data: 1}},
	} {
		if anonymousPlain(c.r, c.p) {
			t.Errorf("%s: cached", name)
		}
	}
}

// Every field of the built-in catalogue, the front desk's scan included, has a label in
// both languages: the error summary names a field by its "field." key.
func TestCatalogueFieldsTranslated(t *testing.T) {
	cat, err := request.LoadCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, sv := range cat.Services {
		for _, k := range sv.Kinds {
			for _, f := range k.ForChannel(request.ChannelLoket).Fields {
				for _, lang := range []string{"id", "en"} {
					if key := "field." + f.Name; i18n.T(lang, key) == key {
						t.Errorf("%s/%s: %s has no %s label", sv.Code, k.Code, key, lang)
					}
				}
			}
		}
	}
}

// fieldLinks writes what the profile page's range over the missing fields wrote.
func TestFieldLinksMatchTemplate(t *testing.T) {
	tpl := template.Must(template.New("x").Parse(`{{range .Names}}<li><a href="#f-{{.}}">{{$.P.T (printf "field.%s" .)}}</a></li>{{end}}`))
	for _, lang := range []string{"id", "en"} {
		p := &Page{Lang: lang}
		names := []string{"full_name", "jabatan", "instansi", "satuan_kerja", "address"}
		var want strings.Builder
		if err := tpl.Execute(&want, map[string]any{"Names": names, "P": p}); err != nil {
			t.Fatal(err)
		}
		if got := string(fieldLinks(p, names)); got != want.String() {
			t.Errorf("%s:\n got %s\nwant %s", lang, got, want.String())
		}
		if !strings.Contains(want.String(), `href="#f-satuan_kerja"`) || strings.Contains(want.String(), "field.") {
			t.Errorf("%s: the template itself renders %s", lang, want.String())
		}
	}
	if got := fieldLinks(&Page{Lang: "id"}, nil); got != "" {
		t.Errorf("no names: %q", got)
	}
}
