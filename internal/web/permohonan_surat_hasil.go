package web

import (
	"github.com/surel-id/surel/internal/domains"
	"net/http"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/printout"
	"github.com/surel-id/surel/internal/request"
)

// GET /permohonan/{id}/surat-hasil is the surat hasil permohonan of a finished or refused
// request, for its applicant.
func (s *Server) resultLetter(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "result.title")
	rq, err := s.Requests.Get(r.Context(), *p.User, parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	return s.writeResultLetter(w, r, p, rq, *p.User, audit.User(p.User.ID, p.User.DisplayName()))
}

// writeResultLetter prints the letter that tells applicant the outcome of rq: approved
// with the address and the webmail (the password goes separately, never in this
// letter), or refused with the reason and how to apply again. Only a request with an
// outcome has one; numbered the first time it is printed.
func (s *Server) writeResultLetter(w http.ResponseWriter, r *http.Request, p *Page, rq request.Request, applicant account.User, by audit.Actor) error {
	if rq.Status != request.Done && rq.Status != request.Refused {
		return errs.New(errs.Conflict, "result.not_ready")
	}
	outcome := docT("result.approved")
	if rq.Status == request.Refused {
		outcome = docT("result.refused")
	}
	doc, l, err := s.issueOnce(r, p, by, letter.Document{TenantID: rq.TenantID, RequestID: rq.ID, Kind: letter.KindResultLetter,
		Subject: applicant.DisplayName(), Mailbox: rq.MailboxAddress(),
		Facts: []letter.Fact{{Label: docT("receipt.number"), Value: rq.Number}, {Label: docT("result.outcome"), Value: outcome}}})
	if err != nil {
		return err
	}
	submitted := letter.Date(rq.SubmittedAt.In(p.zone))
	l.Subject, l.To, l.Opening, l.Closing = docT("result.subject"), addressee(applicant.DisplayName(), applicant.Profile.Jabatan, rq.Values["instansi"]),
		docT("doc.opening"), docT("doc.closing")
	if svc := rq.Service; svc != "email" && svc != "" {
		// A domain service's letter: what was verified, registered or written.
		sv, _, _ := s.Requests.Form(rq.Service, "")
		l.Subject = docT("result.subject_service", sv.Name.In("id"))
		if rq.Status == request.Done {
			rows := printout.Rows{{docT("receipt.number"), rq.Number}, {docT("result.service"), sv.Name.In("id")}, {docT("field.instansi"), rq.Values["instansi"]}}
			if name := domains.Name(rq); name != "" && name != "." {
				rows = append(rows, [2]string{docT("kantor.domain_name"), name})
			}
			if t := rq.Values[request.FieldTarget]; t != "" {
				rows = append(rows, [2]string{docT("kantor.records"), t})
			}
			l.Blocks = []printout.Block{printout.Paragraph(docT("result.p_approved_service", rq.Number, submitted)), rows}
		}
	} else if rq.Status == request.Done {
		rows := printout.Rows{{docT("receipt.number"), rq.Number}, {docT("letter.address"), rq.MailboxAddress()}}
		if wm := s.Workflow.Webmail(rq.TenantID); wm != "" {
			rows = append(rows, [2]string{"Webmail", wm})
		}
		l.Blocks = []printout.Block{printout.Paragraph(docT("result.p_approved", rq.Number, submitted)), rows, printout.Paragraph(docT("result.p_password"))}
	}
	if rq.Status != request.Done {
		l.Blocks = []printout.Block{printout.Paragraph(docT("result.p_refused", rq.Number, submitted)), printout.Paragraph(rq.Note),
			printout.Paragraph(docT("result.p_again", s.tenantBase(rq.TenantID)))}
	}
	if rq.LetterRef != "" && len(l.Blocks) > 0 {
		// A request an OPD's letter started (a reset by letter) answers that letter.
		key := "result.p_approved_letter"
		if rq.Status != request.Done {
			key = "result.p_refused_letter"
		}
		l.Blocks[0] = printout.Paragraph(docT(key, rq.LetterRef, rq.Number, submitted))
	}
	b, err := printout.Render(l)
	if err != nil {
		return err
	}
	return sendPDF(w, "surat-hasil-"+fileName(doc.Number)+".pdf", b)
}
