// Package notify sends the portal's e-mail through a durable outbox: a message is
// rendered and stored with its sending job in the transaction of the change that causes
// it, and a background job delivers it by SMTP, or keeps it in the outbox when no SMTP
// server is configured. No template carries a password.
package notify

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"strings"
	ttemplate "text/template"
	"time"

	"github.com/surel-id/surel/internal/jobs"
)

// JobKind is the kind of the job that delivers an outbox message.
const JobKind = "mail"

// MaxAttempts is how often delivery is tried before the message is left failed for
// staff: with jobs.Backoff that is about a day.
const MaxAttempts = 12

// Outbox message states.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusKept    = "kept"   // no SMTP configured: readable in the outbox only
	StatusFailed  = "failed" // gave up; staff can retry
)

// Mail is a message to render from a named template.
type Mail struct {
	TenantID int64
	To       string
	Lang     string
	Template string
	Data     map[string]any
}

// Message is a rendered message in the outbox.
type Message struct {
	ID        int64
	TenantID  int64
	To        string
	Subject   string
	Text      string
	HTML      string
	Status    string
	CreatedAt time.Time
	SentAt    time.Time
	// Error is the last delivery error, from the message's job.
	Error string
}

// Store keeps the outbox.
type Store interface {
	InsertMessage(ctx context.Context, m *Message) error
	Message(ctx context.Context, id int64) (Message, error)
	SetMessageStatus(ctx context.Context, id int64, status string, at time.Time) error
	EnqueueJob(ctx context.Context, kind string, ref int64, maxAttempts int, runAt time.Time) (int64, error)
}

// Sender delivers a rendered message.
type Sender interface {
	Deliver(ctx context.Context, from string, m Message) error
}

//go:embed templates/*.tmpl
var templateFS embed.FS

// Outbox renders and queues mail, and is the handler of mail jobs.
type Outbox struct {
	Store Store
	// Sender is nil when no SMTP server is configured: messages are then kept.
	Sender Sender
	From   string
	Log    *slog.Logger
	Now    func() time.Time

	tpl map[string]*ttemplate.Template
}

// Languages that mail is written in; the first is the default.
var Languages = []string{"id", "en"}

// NewOutbox parses the templates.
func NewOutbox(st Store, sender Sender, from string, log *slog.Logger) (*Outbox, error) {
	o := &Outbox{Store: st, Sender: sender, From: from, Log: log, Now: time.Now, tpl: map[string]*ttemplate.Template{}}
	for _, l := range Languages {
		t, err := ttemplate.New(l).Option("missingkey=error").ParseFS(templateFS, "templates/"+l+".tmpl")
		if err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
		o.tpl[l] = t
	}
	return o, nil
}

// Render produces the subject, text and HTML of a mail.
func (o *Outbox) Render(m Mail) (Message, error) {
	t, ok := o.tpl[m.Lang]
	if !ok {
		t = o.tpl[Languages[0]]
	}
	part := func(name string) (string, error) {
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, m.Template+"."+name, m.Data); err != nil {
			return "", fmt.Errorf("render %s.%s: %w", m.Template, name, err)
		}
		return strings.TrimSpace(b.String()), nil
	}
	subject, err := part("subject")
	if err != nil {
		return Message{}, err
	}
	text, err := part("text")
	if err != nil {
		return Message{}, err
	}
	button, err := part("button")
	if err != nil {
		return Message{}, err
	}
	html, err := toHTML(subject, text, button)
	if err != nil {
		return Message{}, err
	}
	return Message{TenantID: m.TenantID, To: m.To, Subject: subject, Text: text, HTML: html}, nil
}

var htmlLayout = template.Must(template.New("mail").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Subject}}</title></head>
<body style="font-family:Arial,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;max-width:560px;margin:0 auto;padding:16px">
{{range .Paras}}{{if .Link}}<p><a href="{{.Link}}" style="display:inline-block;background:#0b5394;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold">{{$.Button}}</a></p>
<p style="font-size:13px;color:#555;word-break:break-all">{{.Link}}</p>{{else}}<p>{{range $i, $l := .Lines}}{{if $i}}<br>{{end}}{{$l}}{{end}}</p>{{end}}
{{end}}</body></html>`))

type para struct {
	Link  string
	Lines []string
}

// toHTML lays the text out as HTML, the paragraph holding only a URL becoming a button.
func toHTML(subject, text, button string) (string, error) {
	var ps []para
	for _, p := range strings.Split(text, "\n\n") {
		p = strings.TrimSpace(p)
		if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
			ps = append(ps, para{Link: p})
			continue
		}
		ps = append(ps, para{Lines: strings.Split(p, "\n")})
	}
	var b bytes.Buffer
	err := htmlLayout.Execute(&b, map[string]any{"Subject": subject, "Button": button, "Paras": ps})
	return b.String(), err
}

// Send renders a mail, stores it and enqueues its delivery. Inside a transaction both
// commit with the change that caused them.
func (o *Outbox) Send(ctx context.Context, m Mail) error {
	msg, err := o.Render(m)
	if err != nil {
		return err
	}
	msg.Status = StatusPending
	msg.CreatedAt = o.Now().UTC()
	if err := o.Store.InsertMessage(ctx, &msg); err != nil {
		return err
	}
	_, err = o.Store.EnqueueJob(ctx, JobKind, msg.ID, MaxAttempts, msg.CreatedAt)
	return err
}

// Deliver is the job handler. A message already sent or kept is not sent again, so a job
// that runs twice sends once (short of a crash between the SMTP answer and the commit,
// when the receiver sees the same Message-ID twice).
func (o *Outbox) Deliver(ctx context.Context, j jobs.Job) error {
	m, err := o.Store.Message(ctx, j.Ref)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("outbox message %d: %w", j.Ref, err))
	}
	if m.Status == StatusSent || m.Status == StatusKept {
		return nil
	}
	now := o.Now().UTC()
	if o.Sender == nil {
		// Logged without the body: it may hold a one-time link.
		o.Log.InfoContext(ctx, "mail kept in outbox (SUREL_SMTP_URL not set); read it with `surel outbox show`",
			"outbox_id", m.ID, "to", m.To, "subject", m.Subject)
		return o.Store.SetMessageStatus(ctx, m.ID, StatusKept, now)
	}
	if err := o.Sender.Deliver(ctx, o.From, m); err != nil {
		if j.Last() || jobs.IsPermanent(err) {
			if serr := o.Store.SetMessageStatus(ctx, m.ID, StatusFailed, now); serr != nil {
				return serr
			}
		}
		return err
	}
	o.Log.InfoContext(ctx, "mail sent", "outbox_id", m.ID, "to", m.To)
	return o.Store.SetMessageStatus(ctx, m.ID, StatusSent, now)
}
