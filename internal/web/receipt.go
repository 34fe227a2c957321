package web

import (
	"net/http"
	"strconv"
	"time"

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
	d, err := s.viewData(r, rq)
	if err != nil {
		return err
	}
	rows := [][2]string{
		{p.T("receipt.number"), rq.Number},
		{p.T("receipt.received"), rq.SubmittedAt.In(wib).Format("02-01-2006 15:04") + " WIB"},
		{p.T("summary.applicant"), p.User.DisplayName()},
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
		case "address":
			v = rq.Email()
		}
		rows = append(rows, [2]string{label, v})
	}
	rows = append(rows, [2]string{p.T("receipt.status"), p.T("status." + string(rq.Status))})
	doc := printout.Document{Office: p.Tenant.Name, Title: p.T("receipt.heading"), Subtitle: p.T("receipt.number") + " " + rq.Number,
		Rows: rows, Paragraphs: []string{p.T("receipt.p1", s.Accounts.BaseURL+"/permohonan/"+itoa(rq.ID))},
		Footer: p.T("receipt.footer", time.Now().In(wib).Format("02-01-2006 15:04")), Created: time.Now()}
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
