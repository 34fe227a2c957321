package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/printout"
	"github.com/surel-id/surel/internal/request"
)

// POST /kantor/permohonan/{id}/surat prints the "surat pemberitahuan akun" with the
// address and password, for the front desk to hand over; the password then counts as
// revealed and is erased. The letter is numbered before the password is taken, so a
// failure in between loses a number, never the password; what the number attests on the
// verification page is the address, never the password.
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
	p1 := docT("letter.p1", applicant.DisplayName())
	if rq.LetterRef != "" {
		// A reset an OPD's letter asked for: the letter answers it.
		p1 = docT("letter.p1_letter", rq.LetterRef, applicant.DisplayName())
	}
	l.Blocks = []printout.Block{printout.Paragraph(p1), rows, printout.Paragraph(docT("letter.p2")), printout.Paragraph(docT("letter.p3"))}
	l.Closing = docT("doc.closing")
	l.Footer = docT("letter.footer", m.Name, p.Time(doc.IssuedAt)) + " " + l.Footer
	b, err := printout.Render(l)
	if err != nil {
		return err
	}
	return sendPDF(w, "surat-akun-"+fileName(doc.Number)+".pdf", b)
}
