package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/printout"
	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/workflow"
)

// revealData is the one-time view of a new mailbox's password.
type revealData struct {
	Request  request.Request
	Handover workflow.Handover
}

// reveal is POST /permohonan/{id}/password: it shows the applicant their new mailbox's
// password, once: it is erased as it is shown. The page is not cached anywhere.
func (s *Server) reveal(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "credential.title")
	id := parseID(r.PathValue("id"))
	h, err := s.Workflow.Reveal(r.Context(), *p.User, id, s.clientIP(r))
	if err != nil {
		return err
	}
	rq, err := s.Requests.Get(r.Context(), *p.User, id)
	if err != nil {
		return err
	}
	p.Data = revealData{Request: rq, Handover: h}
	w.Header().Set("Referrer-Policy", "no-referrer")
	return s.render(w, r, http.StatusOK, "permohonan_password", p)
}

// letter is POST /kantor/permohonan/{id}/surat: it prints the "surat pemberitahuan
// akun" with the address and password, for the front desk to hand over; the password
// then counts as revealed and is erased. The letter is numbered before the password is
// taken, so a failure in between loses a number, never the password; what the number
// attests on the verification page is the address, never the password.
func (s *Server) letter(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "letter.title")
	m := staffOf(r)
	id := parseID(r.PathValue("id"))
	rq, applicant, err := s.Workflow.LoadApplicant(r.Context(), *m, id)
	if err != nil {
		return err
	}
	c, err := s.Workflow.CredentialOf(r.Context(), id)
	if err != nil {
		return err
	}
	switch {
	case rq.Status != request.Done || !c.Exists:
		return errs.New(errs.Conflict, "credential.not_ready")
	case !c.RevealedAt.IsZero():
		return errs.New(errs.Conflict, "credential.revealed")
	}
	doc, l, err := s.issueOnce(r, p, m.Actor().From(s.clientIP(r)), letter.Document{TenantID: rq.TenantID, RequestID: rq.ID,
		Kind: letter.KindAccountLetter, Subject: applicant.DisplayName(), Mailbox: rq.MailboxAddress(),
		Facts: []letter.Fact{{Label: docT("receipt.number"), Value: rq.Number}}})
	if err != nil {
		return err
	}
	h, err := s.Workflow.RevealForLetter(r.Context(), *m, id, s.clientIP(r))
	if err != nil {
		return err
	}
	rows := printout.Rows{{docT("receipt.number"), rq.Number}, {docT("field.nip"), rq.Values["nip"]}, {docT("field.instansi"), rq.Values["instansi"]},
		{docT("letter.address"), h.Address}, {docT("letter.password"), h.Password}}
	if h.Webmail != "" {
		rows = append(rows, [2]string{"Webmail", h.Webmail})
	}
	l.Subject, l.To, l.Opening = docT("letter.subject"), addressee(applicant.DisplayName(), applicant.Profile.Jabatan, rq.Values["instansi"]), docT("doc.opening")
	l.Blocks = []printout.Block{printout.Paragraph(docT("letter.p1", applicant.DisplayName())), rows, printout.Paragraph(docT("letter.p2")),
		printout.Paragraph(docT("letter.p3"))}
	l.Closing = docT("doc.closing")
	l.Footer = docT("letter.footer", m.Name, p.Time(doc.IssuedAt)) + " " + l.Footer
	b, err := printout.Render(l)
	if err != nil {
		return err
	}
	return sendPDF(w, "surat-akun-"+fileName(doc.Number)+".pdf", b)
}

// addressee is the "Yth." block of a letter to an applicant: their name, then their
// post and office where known.
func addressee(name, jabatan, instansi string) []string {
	to := []string{"Sdr. " + name}
	switch {
	case jabatan != "" && instansi != "":
		to = append(to, jabatan+", "+instansi)
	case jabatan != "" || instansi != "":
		to = append(to, jabatan+instansi)
	}
	return to
}
