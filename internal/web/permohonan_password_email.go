package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/workflow"
)

// mailboxPasswordData feeds "Ganti password email": the finished request whose mailbox
// it is, and the tenant's webmail link.
type mailboxPasswordData struct {
	Request request.Request
	Webmail string
}

// mailboxPasswordPage is the form for the signed-in owner's finished request; anyone
// else's request does not exist for them.
func (s *Server) mailboxPasswordPage(r *http.Request) (*Page, error) {
	p := s.page(r, "mailpw.title")
	rq, err := s.Requests.Get(r.Context(), *p.User, parseID(r.PathValue("id")))
	if err != nil {
		return nil, err
	}
	if rq.Status != request.Done || rq.Mailbox == "" {
		return nil, errs.New(errs.Conflict, "mailpw.not_ready")
	}
	d := mailboxPasswordData{Request: rq}
	d.Webmail = s.Workflow.Webmail(rq.TenantID)
	p.Data = d
	return p, nil
}

// GET /permohonan/{id}/password-email is "Ganti password email": the form for a new
// password of the mailbox a request made.
func (s *Server) mailboxPasswordForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.mailboxPasswordPage(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "permohonan_password_email", p)
}

// POST /permohonan/{id}/password-email sets the mailbox's new password on the tenant's
// mail server. The portal password confirms it is the owner at the keyboard; no password
// is ever shown back in the form.
func (s *Server) mailboxPassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p, err := s.mailboxPasswordPage(r)
	if err != nil {
		return err
	}
	rq := p.Data.(mailboxPasswordData).Request
	f := r.PostForm
	in := workflow.MailboxPassword{Portal: f.Get("portal_password"), Password: f.Get("mail_password"), Password2: f.Get("mail_password2"),
		IP: s.clientIP(r)}
	if err := s.Workflow.ChangeMailboxPassword(r.Context(), *p.User, rq.ID, in); err != nil {
		return s.reRender(w, r, "permohonan_password_email", p, err)
	}
	s.setFlash(w, "flash.mailbox_password", rq.MailboxAddress())
	return redirect(w, r, "/permohonan/"+itoa(rq.ID))
}
