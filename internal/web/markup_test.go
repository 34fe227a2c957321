package web

import (
	"html/template"
	"strings"
	"testing"
)

// The rows markup writes, as the templates wrote them before (html/template, unbaked):
// the Go code must give the same bytes for any text, hostile text included.
const (
	inboxRowsTemplate = `{{define "rows"}}{{with .Data}}{{$flags := $.T "kantor.flags_title"}}{{range .Tasks}}<tr>
    <td data-label="{{$.T "kantor.col_number"}}"><a href="/kantor/permohonan/{{.RequestID}}">{{.Number}}</a></td>
    <td data-label="{{$.T "kantor.col_applicant"}}"><span>{{.Applicant}}<br><span class="muted">{{.Instansi}}</span>{{if .Flags}} <span class="badge warn" title="{{$flags}}">{{$.T "kantor.flags" .Flags}}</span>{{end}}</span></td>
    <td data-label="{{$.T "kantor.col_address"}}">{{.MailboxAddress}}</td>
    <td data-label="{{$.T "kantor.col_step"}}"><span>{{.StepName}}{{if .Failed}} <span class="badge err">{{$.T "kantor.failed_badge"}}</span>{{end}}<br><span class="muted">{{.RoleLabel}}</span></span></td>
    <td data-label="{{$.T "history.due"}}">{{.Due}}</td>
    <td data-label="SLA"><span class="sla-{{if eq .SLA "over"}}over{{else if eq .SLA "soon"}}soon{{else}}in{{end}}">{{.SLALabel}}</span></td>
  </tr>{{end}}{{end}}{{end}}`
	historyRowsTemplate = `{{define "rows"}}{{range .Rows}}<tr><td data-label="User">{{.Actor}}</td><td data-label="{{$.Page.T "history.jabatan"}}">{{.Jabatan}}</td><td data-label="{{$.Page.T "history.process"}}">{{.Name}}{{if and .Note $.Notes}}<br><span class="muted">{{.Note}}</span>{{end}}</td><td data-label="{{$.Page.T "history.started"}}">{{.Started}}</td><td data-label="{{$.Page.T "history.due"}}">{{.Due}}</td><td data-label="{{$.Page.T "history.finished"}}">{{.Finished}}</td><td data-label="Status">{{.Status}}</td><td data-label="SLA">{{if eq .SLA "in"}}<span class="sla-in">In SLA</span>{{else if eq .SLA "over"}}<span class="sla-over">Over SLA</span>{{else}}–{{end}}</td></tr>{{end}}{{end}}`
	trailRowsTemplate   = `{{define "rows"}}{{with .Data}}{{range .Trail}}<tr><td data-label="#">{{.Seq}}</td><td data-label="{{$.T "kantor.trail_when"}}">{{.When}}</td><td data-label="{{$.T "kantor.trail_who"}}">{{.ActorName}}</td><td data-label="{{$.T "kantor.trail_what"}}"><code>{{.Action}}</code> {{.Detail}}</td><td data-label="{{$.T "kantor.trail_from"}}">{{.IP}}</td></tr>{{end}}{{end}}{{end}}`
)

// rowsAsWritten executes one of the row templates above with data.
func rowsAsWritten(t *testing.T, src string, data any) string {
	t.Helper()
	var b strings.Builder
	if err := template.Must(template.New("x").Parse(src)).ExecuteTemplate(&b, "rows", data); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestInboxRowsMatchTemplate(t *testing.T) {
	f := newBOFixture(t)
	for _, lang := range []string{"id", "en"} {
		p := f.page(lang, "/kantor", "kantor.title")
		d := inboxData{Now: f.now}
		d.setTasks(p, f.tasks)
		p.Data = d
		if want := rowsAsWritten(t, inboxRowsTemplate, p); string(d.TaskRows) != want {
			t.Errorf("%s:\n%s", lang, firstDiff(string(d.TaskRows), want))
		}
	}
}

func TestHistoryRowsMatchTemplate(t *testing.T) {
	f := newBOFixture(t)
	for _, lang := range []string{"id", "en"} {
		for _, notes := range []bool{true, false} {
			p := f.page(lang, "/kantor/permohonan/42", "kantor.request")
			d := newHistory(p, f.c.Steps, f.c.SOP, notes)
			if want := rowsAsWritten(t, historyRowsTemplate, d); string(d.StepRows) != want {
				t.Errorf("%s notes=%v:\n%s", lang, notes, firstDiff(string(d.StepRows), want))
			}
		}
	}
}

func TestTrailRowsMatchTemplate(t *testing.T) {
	f := newBOFixture(t)
	for _, lang := range []string{"id", "en"} {
		p := f.page(lang, "/kantor/permohonan/42", "kantor.request")
		d := f.s.newCaseData(p, f.c)
		p.Data = d
		if want := rowsAsWritten(t, trailRowsTemplate, p); string(d.TrailRows) != want {
			t.Errorf("%s:\n%s", lang, firstDiff(string(d.TrailRows), want))
		}
	}
}

func TestMarkupEscapesAsTemplates(t *testing.T) {
	tpl := template.Must(template.New("x").Parse(`<p title="{{.}}">{{.}}</p>`))
	for _, s := range []string{"", "plain", hostile, "\x00a+b", "\xff\xfe<", "日本 & ünïcode '\"", "\ufdd0\uffff"} {
		var want strings.Builder
		if err := tpl.Execute(&want, s); err != nil {
			t.Fatal(err)
		}
		var m markup
		m.raw(`<p title="`)
		m.text(s)
		m.raw(`">`)
		m.text(s)
		m.raw(`</p>`)
		if m.String() != want.String() {
			t.Errorf("%q: got %s, want %s", s, m.String(), want.String())
		}
	}
}
