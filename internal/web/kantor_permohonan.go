package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/workflow"
)

// caseData is the staff's request page.
type caseData struct {
	viewData
	Applicant account.User
	// ApplicantEmail is the applicant's e-mail, empty for a walk-in applicant who gave
	// none (their record holds a placeholder).
	ApplicantEmail string
	Running        *request.Step
	Actions        []workflow.Action
	// Buttons are Actions as the step's form shows them.
	Buttons    []actionButton
	CanAct     bool
	Free       bool
	Failure    *workflow.Failure
	Capacity   *capacityFigures
	Credential workflow.CredentialState
	CanLetter  bool
	// Fix: a front-desk request waits for the desk to enter its correction, and the
	// viewer is at the front desk.
	Fix bool
	// Roster is a reactivation's check against the roster (nil for other services).
	Roster *request.RosterCheck
	// Documents are the request's issued letters and reports, each with its link.
	Documents []docRow
	Trail     []trailRow
	// TrailRows is the audit table's rows, Trail written in Go (trailRowsHTML).
	TrailRows template.HTML
	// FieldRows is the request's fields in the details list (fieldRowsHTML).
	FieldRows template.HTML
	// Lost is set when the viewer's action came after another member had ended the
	// step: the page warns, and gives back the note they typed.
	Lost *lostAction
}

// lostAction is an action that lost the race for its step.
type lostAction struct{ Note string }

// NoteRequired tells whether one of the step's actions (return, refuse) needs the note:
// only then does its hint say so.
func (d caseData) NoteRequired() bool {
	for _, a := range d.Actions {
		if a == workflow.Return || a == workflow.Refuse {
			return true
		}
	}
	return false
}

// actionButton is one of the running step's buttons, its class and words made in Go:
// as template conditions they were a dozen reflective calls a button.
type actionButton struct {
	Action       workflow.Action
	Class, Label string
}

// actionButtons are the buttons of the step's actions: return and refuse look secondary,
// refuse red; a walk-in request goes back to the front desk, a claim is executed in
// words of its own.
func actionButtons(p *Page, c workflow.Case) []actionButton {
	out := make([]actionButton, len(c.Actions))
	for i, a := range c.Actions {
		words := "action." + string(a)
		switch {
		case a == workflow.Return && c.Request.Channel == "loket":
			words = "action.return_loket"
		case a == workflow.Execute && c.Running != nil && c.Running.Kind == "claim":
			words = "action.execute_claim"
		}
		b := actionButton{Action: a, Class: "btn", Label: p.T(words)}
		if a == workflow.Return || a == workflow.Refuse {
			b.Class += " secondary"
		}
		if a == workflow.Refuse {
			b.Class += " danger"
		}
		out[i] = b
	}
	return out
}

// docRow is one issued document as the request page lists it.
type docRow struct {
	Title, Number, Issued, Archived, Link string
}

// trailRow is one audit entry with its time in words.
type trailRow struct {
	audit.Entry
	When string
}

// capacityFigures is the mail server's use against the tenant's limits (seed 004 step 3).
type capacityFigures struct {
	workflow.CapacityView
}

// StaleMinutes is the figures' age in minutes when newer readings failed (older than two
// periods), else 0.
func (c capacityFigures) StaleMinutes() int {
	if age := time.Since(c.At); c.Known() && age > 2*workflow.CapacityEvery {
		return int(age / time.Minute)
	}
	return 0
}

// AccountsPct and QuotaPct fill the capacity bars; 0 when there is no limit.
func (c capacityFigures) AccountsPct() int {
	if c.Limits.MaxAccounts == 0 {
		return 0
	}
	return min(100, c.Now.Accounts*100/c.Limits.MaxAccounts)
}

// QuotaPct is the share of the total quota allocated.
func (c capacityFigures) QuotaPct() int64 {
	if c.Limits.TotalQuota == 0 {
		return 0
	}
	return min(100, c.Now.QuotaAllocated*100/c.Limits.TotalQuota)
}

// caseData reads the staff's page of request id (workflow.Engine.Case) as the template
// shows it.
func (s *Server) caseData(r *http.Request, p *Page, id int64) (caseData, error) {
	c, err := s.Workflow.Case(r.Context(), *staffOf(r), id)
	if err != nil {
		return caseData{}, err
	}
	return s.newCaseData(p, c), nil
}

// newCaseData is case c as the template shows it.
func (s *Server) newCaseData(p *Page, c workflow.Case) caseData {
	id := c.Request.ID
	d := caseData{viewData: s.viewData(p, c.View), Applicant: c.Applicant, ApplicantEmail: c.ApplicantEmail, Running: c.Running,
		Actions: c.Actions, CanAct: c.CanAct, Free: c.Free, Failure: c.Failure, Credential: c.Credential, CanLetter: c.CanLetter, Fix: c.Fix, Roster: c.Roster, Trail: make([]trailRow, len(c.Trail))}
	if c.Capacity != nil {
		d.Capacity = &capacityFigures{*c.Capacity}
	}
	for _, doc := range c.Documents {
		row := docRow{Title: doc.Heading(), Number: doc.Number, Issued: p.Time(doc.IssuedAt)}
		if !doc.ArchivedAt.IsZero() {
			row.Archived = p.Time(doc.ArchivedAt)
		}
		switch doc.Kind {
		case letter.KindReport:
			row.Link = "/kantor/dokumen/" + itoa(doc.ID)
		case letter.KindReceipt:
			row.Link = "/kantor/permohonan/" + itoa(id) + "/tanda-terima"
		case letter.KindResultLetter:
			row.Link = "/kantor/permohonan/" + itoa(id) + "/surat-hasil"
		}
		d.Documents = append(d.Documents, row)
	}
	for i, e := range c.Trail {
		d.Trail[i] = trailRow{Entry: e, When: p.Time(e.At)}
	}
	d.TrailRows = trailRowsHTML(p, d.Trail)
	d.FieldRows = fieldRowsHTML(p, d)
	d.Buttons = actionButtons(p, c)
	return d
}

// fieldRowsHTML writes the request's fields in the details list, each its label and its
// value (a document's link, the mailbox's address, or the value as pages show it), for
// the reason of inboxRowsHTML: a field cost eight actions as a template.
// TestFieldRowsMatchTemplate keeps them equal to the template they replaced.
func fieldRowsHTML(p *Page, d caseData) template.HTML {
	var m markup
	m.Grow(len(d.Kind.Fields) * 200)
	purged := p.label("arsip.file_purged")
	for _, f := range d.Kind.Fields {
		m.raw("\n  <div><dt>")
		if len(f.Label) > 0 {
			m.text(f.Label.In(p.Lang))
		} else {
			m.text(p.T("field." + f.Name))
		}
		m.raw("</dt>\n    <dd>")
		switch file := d.Files[f.Name]; {
		case f.Type == "file" && file == nil:
			m.raw("–")
		case f.Type == "file" && file.PurgedAt.IsZero():
			m.raw(`<a href="/kantor/permohonan/`)
			m.number(d.Request.ID)
			m.raw(`/berkas/`)
			m.number(file.ID)
			m.raw(`" target="_blank" rel="noopener">`)
			m.text(file.OriginalName)
			m.raw(`</a> (`)
			m.text(kbText(file.Size))
			m.raw(`)`)
		case f.Type == "file":
			m.text(file.OriginalName)
			m.raw(` (`)
			m.text(kbText(file.Size))
			m.raw(`) · <span class="muted">`, purged, `</span>`)
		case f.Type == request.FieldMailbox || f.Type == request.TypeOwnedMailbox:
			m.text(d.Request.MailboxAddress())
		default:
			m.text(d.Label(f))
		}
		m.raw("</dd></div>\n  ")
	}
	return m.html()
}

// trailRowsHTML writes the audit table's rows, for the reason of inboxRowsHTML (a request
// has dozens of entries); TestTrailRowsMatchTemplate keeps them equal to the template
// they replaced.
func trailRowsHTML(p *Page, rows []trailRow) template.HTML {
	var m markup
	m.Grow(len(rows) * 300)
	when, who, what, from := p.label("kantor.trail_when"), p.label("kantor.trail_who"), p.label("kantor.trail_what"), p.label("kantor.trail_from")
	for _, r := range rows {
		m.raw(`<tr><td data-label="#">`)
		m.number(r.Seq)
		m.raw(`</td><td data-label="`, when, `">`)
		m.text(r.When)
		m.raw(`</td><td data-label="`, who, `">`)
		m.text(r.ActorName)
		m.raw(`</td><td data-label="`, what, `"><code>`)
		m.text(r.Action)
		m.raw(`</code> `)
		m.text(r.Detail)
		m.raw(`</td><td data-label="`, from, `">`)
		m.text(r.IP)
		m.raw(`</td></tr>`)
	}
	return m.html()
}

// GET /kantor/permohonan/{id} is the staff's request page: applicant, documents, roster
// flags, history, the current step's actions and the audit trail.
func (s *Server) caseView(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "kantor.request")
	p.Wide = true // tables of many columns: a desktop's width
	d, err := s.caseData(r, p, parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	if d.Running != nil && d.Running.Kind == string(sop.KindProvision) {
		p.Form.Set(request.FieldMailbox, d.Request.Mailbox)
	}
	p.Title = d.Request.Number + " · " + p.Title
	p.Data = d
	return s.render(w, r, http.StatusOK, "kantor_permohonan", p)
}

// POST /kantor/permohonan/{id}/tindak performs a staff action on the running step. A form
// error shows the page again with the note kept; a step someone else finished first says
// so.
func (s *Server) caseAct(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "kantor.request")
	p.Wide = true // tables of many columns: a desktop's width
	id := parseID(r.PathValue("id"))
	proof, err := s.actForm(w, r)
	if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
		// A proof refused by its content: the page again, with the field's message.
		p.Form = r.PostForm
		formError(p, err)
		d, derr := s.caseData(r, p, id)
		if derr != nil {
			return derr
		}
		p.Data = d
		return s.render(w, r, http.StatusUnprocessableEntity, "kantor_permohonan", p)
	}
	if err != nil {
		return err
	}
	p.Form = r.PostForm
	in := workflow.Input{StepID: parseID(r.PostForm.Get("langkah")), Action: workflow.Action(r.PostForm.Get("aksi")),
		Note: r.PostForm.Get("note"), Mailbox: r.PostForm.Get(request.FieldMailbox), Reference: r.PostForm.Get("reference"),
		Proof: proof, IP: s.clientIP(r)}
	rq, err := s.Workflow.Act(r.Context(), *staffOf(r), id, in)
	if err != nil && proof != nil {
		// Not attached: the stored upload goes (the form asks for it again).
		s.Uploads.Remove(r.Context(), proof.Name)
	}
	if errors.Is(err, workflow.ErrAlreadyDone) {
		// Not a success: the page as it is now, a warning, and the note typed in vain.
		d, derr := s.caseData(r, p, id)
		if derr != nil {
			return derr
		}
		d.Lost = &lostAction{Note: in.Note}
		p.Form = nil
		p.Data = d
		return s.render(w, r, http.StatusConflict, "kantor_permohonan", p)
	}
	if err != nil {
		if _, ok := formError(p, err); !ok {
			return err
		}
		d, derr := s.caseData(r, p, id)
		if derr != nil {
			return derr
		}
		p.Data = d
		return s.render(w, r, statusOf(codeOf(err)), "kantor_permohonan", p)
	}
	s.setFlash(w, "flash.action_"+string(in.Action), rq.Number)
	if in.Action == workflow.Provision || in.Action == workflow.Retry || in.Action == workflow.Execute {
		return redirect(w, r, "/kantor/permohonan/"+itoa(id))
	}
	return redirect(w, r, "/kantor")
}

// proofKind is the payment step's form: the proof of payment, checked by content like
// the applicant's documents.
var proofKind = request.Kind{Code: "payment", Fields: []request.Field{{Name: "proof", Type: "file", Kinds: []string{"pdf", "jpg", "png"}, MaxKB: 2048}}}

// actForm reads the action form into r.PostForm: URL-encoded, or multipart when it
// carries the payment step's proof, which is checked by content and stored (the caller
// removes it if the action fails).
func (s *Server) actForm(w http.ResponseWriter, r *http.Request) (*request.File, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil, parseForm(w, r)
	}
	var proof *request.File
	form, err := s.readUploadForm(w, r, 3<<20, proofKind, func(name string) bool {
		return name == "langkah" || name == "aksi" || name == "note" || name == "reference"
	}, func(doc request.File) error {
		proof = &doc
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.PostForm = url.Values{}
	for k, v := range form.values {
		r.PostForm.Set(k, v)
	}
	return proof, form.fileErrs.Err()
}
