package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/printout"
	"github.com/surel-id/surel/internal/request"
)

// receipt is the printable tanda terima of a sent request, as PDF.
func (s *Server) receipt(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "receipt.title")
	rq, err := s.Requests.Get(r.Context(), *p.User, parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	if rq.Status == request.Draft {
		return errs.New(errs.NotFound, "error.not_found")
	}
	return s.writeReceipt(w, r, p, rq, *p.User)
}

// caseReceipt is the same tanda terima printed by staff of the request's tenant: the
// front desk hands it to a walk-in applicant.
func (s *Server) caseReceipt(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "receipt.title")
	rq, u, err := s.Workflow.LoadApplicant(r.Context(), *staffOf(r), parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	return s.writeReceipt(w, r, p, rq, u)
}

// writeReceipt builds the receipt of rq, sent by applicant, and answers with it. A
// request entered at the front desk lists the scanned form or letter, and says how the
// applicant will be reached instead of pointing to a portal they may not use.
func (s *Server) writeReceipt(w http.ResponseWriter, r *http.Request, p *Page, rq request.Request, applicant account.User) error {
	d, err := s.view(r, p, rq)
	if err != nil {
		return err
	}
	rows := [][2]string{
		{p.T("receipt.number"), rq.Number},
		{p.T("receipt.received"), p.Time(rq.SubmittedAt)},
		{p.T("summary.applicant"), applicant.DisplayName()},
		{p.T("summary.service"), d.Service.Name.In(p.Lang) + " – " + d.Kind.Name.In(p.Lang)},
	}
	for _, f := range d.Kind.Fields {
		label := p.T("field." + f.Name)
		if f.Label != nil {
			label = f.Label.In(p.Lang)
		}
		v := d.Label(f)
		switch f.Type {
		case "file":
			if doc := d.Files[f.Name]; doc != nil {
				v = doc.OriginalName + " (" + strconv.FormatInt((doc.Size+1023)/1024, 10) + " KB)"
			}
		case request.FieldMailbox:
			v = rq.MailboxAddress()
		}
		rows = append(rows, [2]string{label, v})
	}
	rows = append(rows, [2]string{p.T("receipt.status"), p.T("status." + string(rq.Status))})
	para := p.T("receipt.p1", p.Tenant.Link("/permohonan/"+itoa(rq.ID)))
	if rq.Channel == request.ChannelLoket && applicant.Status == account.StatusWalkIn {
		para = p.T("loket.receipt_p1", loketContact(applicant))
	}
	now := time.Now()
	doc := printout.Document{Office: p.Tenant.Name, Title: p.T("receipt.heading"), Subtitle: p.T("receipt.number") + " " + rq.Number,
		Rows: rows, Paragraphs: []string{para}, Footer: p.T("receipt.footer", p.Time(now)), Created: now}
	b, err := printout.Render(doc)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="tanda-terima-`+rq.Number+`.pdf"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(b)
	return err
}
