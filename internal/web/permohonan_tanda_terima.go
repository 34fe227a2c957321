package web

import (
	"net/http"
	"strconv"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/audit"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/letter"
	"github.com/surel-id/surel/internal/printout"
	"github.com/surel-id/surel/internal/request"
)

// GET /permohonan/{id}/tanda-terima is the tanda terima of a sent request, as PDF, for
// its applicant.
func (s *Server) receipt(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "receipt.title")
	rq, err := s.Requests.Get(r.Context(), *p.User, parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	if rq.Status == request.Draft {
		return errs.New(errs.NotFound, "error.not_found")
	}
	return s.writeReceipt(w, r, p, rq, *p.User, audit.User(p.User.ID, p.User.DisplayName()))
}

// writeReceipt prints the receipt of rq, sent by applicant: numbered the first time it
// is printed, by by, and the same number every time after. A request entered at the
// front desk lists the scanned form or letter, and says how the applicant will be
// reached instead of pointing to a portal they may not use.
func (s *Server) writeReceipt(w http.ResponseWriter, r *http.Request, p *Page, rq request.Request, applicant account.User, by audit.Actor) error {
	dp := *p
	dp.Lang = docLang
	d, err := s.view(r, &dp, rq)
	if err != nil {
		return err
	}
	service := d.Service.Name.In(docLang) + " – " + d.Kind.Name.In(docLang)
	doc, l, err := s.issueOnce(r, p, by, letter.Document{TenantID: rq.TenantID, RequestID: rq.ID, Kind: letter.KindReceipt,
		Subject: applicant.DisplayName(), Mailbox: rq.MailboxAddress(),
		Facts: []letter.Fact{{Label: docT("receipt.number"), Value: rq.Number}, {Label: docT("summary.service"), Value: service},
			{Label: docT("receipt.received"), Value: dp.Time(rq.SubmittedAt)}}})
	if err != nil {
		return err
	}
	rows := printout.Rows{
		{docT("receipt.number"), rq.Number},
		{docT("receipt.received"), dp.Time(rq.SubmittedAt)},
		{docT("summary.applicant"), applicant.DisplayName()},
		{docT("summary.service"), service},
	}
	for _, f := range d.Kind.Fields {
		label := docT("field." + f.Name)
		if f.Label != nil {
			label = f.Label.In(docLang)
		}
		v := d.Label(f)
		switch f.Type {
		case "file":
			if file := d.Files[f.Name]; file != nil {
				v = file.OriginalName + " (" + strconv.FormatInt((file.Size+1023)/1024, 10) + " KB)"
			}
		case request.FieldMailbox:
			v = rq.MailboxAddress()
		}
		rows = append(rows, [2]string{label, v})
	}
	rows = append(rows, [2]string{docT("receipt.status"), docT("status." + string(rq.Status))})
	// Where the request is and when its step is due, and the service's time standard:
	// what an applicant holding the paper asks first.
	if d.Now != nil {
		rows = append(rows, [2]string{docT("request.now_step"), d.Now.Name}, [2]string{docT("history.due"), d.Now.Due})
	}
	if d.Standard != "" {
		rows = append(rows, [2]string{docT("request.standard"), d.Standard})
	}
	para := docT("receipt.p1", p.Tenant.Link("/permohonan/"+itoa(rq.ID)))
	if rq.ByDesk() && applicant.Status == account.StatusWalkIn {
		para = docT("loket.receipt_p1", loketContact(applicant))
	}
	l.Title, l.To = docT("receipt.heading"), []string{applicant.DisplayName()}
	l.Blocks = []printout.Block{printout.Paragraph(docT("receipt.p0")), rows, printout.Paragraph(para)}
	b, err := printout.Render(l)
	if err != nil {
		return err
	}
	return sendPDF(w, "tanda-terima-"+fileName(doc.Number)+".pdf", b)
}
