package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/workflow"
)

// The rows markup writes, as the templates wrote them before (html/template, unbaked):
// the Go code must give the same bytes for any text, hostile text included. These
// templates are the reference for the escaping: a change of a row's markup made on
// purpose is made here the same way.
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
	fieldRowsTemplate   = `{{define "rows"}}{{with .Data}}{{range .Kind.Fields}}
  <div><dt>{{if .Label}}{{.Label.In $.Lang}}{{else}}{{$.T (printf "field.%s" .Name)}}{{end}}</dt>
    <dd>{{if eq .Type "file"}}{{with index $.Data.Files .Name}}{{if .PurgedAt.IsZero}}<a href="/kantor/permohonan/{{$.Data.Request.ID}}/berkas/{{.ID}}" target="_blank" rel="noopener">{{.OriginalName}}</a> ({{kb .Size}}){{else}}{{.OriginalName}} ({{kb .Size}}) · <span class="muted">{{$.T "arsip.file_purged"}}</span>{{end}}{{else}}–{{end}}{{else if or (eq .Type "mailbox") (eq .Type "mailbox_owned")}}{{$.Data.Request.MailboxAddress}}{{else}}{{$.Data.Label .}}{{end}}</dd></div>
  {{end}}{{end}}{{end}}`
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

func TestFieldRowsMatchTemplate(t *testing.T) {
	f := newBOFixture(t)
	purged := f.c.Files[0]
	purged.PurgedAt = f.now
	for _, lang := range []string{"id", "en"} {
		// The document as uploaded, purged, and missing.
		for _, files := range [][]request.File{f.c.Files, {purged}, nil} {
			c := f.c
			c.Files = files
			p := f.page(lang, "/kantor/permohonan/42", "kantor.request")
			d := f.s.newCaseData(p, c)
			p.Data = d
			var want strings.Builder
			if err := template.Must(template.New("x").Funcs(funcs).Parse(fieldRowsTemplate)).ExecuteTemplate(&want, "rows", p); err != nil {
				t.Fatal(err)
			}
			if string(d.FieldRows) != want.String() {
				t.Errorf("%s:\n%s", lang, firstDiff(string(d.FieldRows), want.String()))
			}
		}
	}
}

// The step's buttons, made in Go (actionButtons), read as the template's conditions did.
func TestActionButtonsMatchTemplate(t *testing.T) {
	const asWritten = `{{define "rows"}}{{with .Data}}{{range $.Data.Actions}}<button class="btn{{if or (eq . "return") (eq . "refuse")}} secondary{{end}}{{if eq . "refuse"}} danger{{end}}" type="submit" name="aksi" value="{{.}}">{{if and (eq . "return") (eq $.Data.Request.Channel "loket")}}{{$.T "action.return_loket"}}{{else if and (eq . "execute") (eq $.Data.Running.Kind "claim")}}{{$.T "action.execute_claim"}}{{else}}{{$.T (printf "action.%s" .)}}{{end}}</button> {{end}}{{end}}{{end}}`
	const now = `{{define "rows"}}{{with .Data}}{{range $.Data.Buttons}}<button class="{{.Class}}" type="submit" name="aksi" value="{{.Action}}">{{.Label}}</button> {{end}}{{end}}{{end}}`
	f := newBOFixture(t)
	for _, lang := range []string{"id", "en"} {
		for _, channel := range []string{"portal", "loket"} {
			for _, kind := range []string{"provision", "claim"} {
				c := f.c
				c.Request.Channel = channel
				running := *c.Running
				running.Kind = kind
				c.Running = &running
				c.Actions = []workflow.Action{workflow.Forward, workflow.Return, workflow.Refuse, workflow.Execute, workflow.Provision, workflow.Retry}
				p := f.page(lang, "/kantor/permohonan/42", "kantor.request")
				p.Data = f.s.newCaseData(p, c)
				if got, want := rowsAsWritten(t, now, p), rowsAsWritten(t, asWritten, p); got != want {
					t.Errorf("%s %s %s:\n%s", lang, channel, kind, firstDiff(got, want))
				}
			}
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
