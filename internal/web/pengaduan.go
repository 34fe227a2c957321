package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/surel-id/surel/internal/complaint"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
)

// complaintForm is the data of pengaduan: the tenant's categories with their time
// standards, the signed-in applicant's requests to choose from, and the LAPOR! link.
type complaintForm struct {
	complaint.Options
	Requests []request.Request
}

// complaintFields are the form's fields in page order, for the error summary.
var complaintFields = []string{"nama", "email", "phone", "permohonan", "kategori", "judul", "isi", "captcha"}

func (s *Server) complaintForm(r *http.Request, p *Page) error {
	o, err := s.Complaints.Options(r.Context(), p.Tenant.ID)
	if err != nil {
		return err
	}
	d := complaintForm{Options: o}
	if p.User != nil {
		all, err := s.Requests.List(r.Context(), *p.User)
		if err != nil {
			return err
		}
		for _, rq := range all {
			if rq.Number != "" {
				d.Requests = append(d.Requests, rq)
			}
		}
	}
	p.Captcha = p.User == nil
	p.Data = d
	return nil
}

// GET /pengaduan is the complaint form: for a signed-in applicant, about one of their
// requests (?permohonan= chooses it) with the account's contact; for the public, with a
// name, an e-mail and/or a phone and the captcha. It names the SP4N-LAPOR! channel too.
func (s *Server) complaintNew(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "complaint.title")
	if v := r.URL.Query().Get("permohonan"); v != "" {
		p.Form.Set("permohonan", v)
	}
	if err := s.complaintForm(r, p); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "pengaduan", p)
}

// POST /pengaduan files the complaint; a wrong field comes back named with everything
// typed kept, and nothing is written. The public's form passes the captcha first.
func (s *Server) complaintFile(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "complaint.title")
	p.Form = r.PostForm
	if err := s.complaintForm(r, p); err != nil {
		return err
	}
	f := complaint.Filing{User: p.User, Name: r.PostForm.Get("nama"), Email: r.PostForm.Get("email"), Phone: r.PostForm.Get("phone"),
		Category: r.PostForm.Get("kategori"), Subject: r.PostForm.Get("judul"), Body: r.PostForm.Get("isi"), Lang: p.Lang, IP: s.clientIP(r)}
	if v := r.PostForm.Get("permohonan"); v != "" {
		if f.RequestID = parseID(v); f.RequestID == 0 {
			f.RequestID = -1 // not one of theirs: named by the service
		}
	}
	if p.User == nil {
		var fs errs.Fields
		if !s.checkCaptcha(r, &fs) {
			f.Clean()
			return s.complaintError(w, r, p, merge(fs, f.Check()))
		}
	}
	c, err := s.Complaints.File(r.Context(), p.Tenant, f)
	if err != nil {
		return s.complaintError(w, r, p, err)
	}
	if p.User != nil {
		s.setFlash(w, "flash.complaint_filed", c.Number)
		return redirect(w, r, "/pengaduan/saya/"+strconv.FormatInt(c.ID, 10))
	}
	return redirect(w, r, "/pengaduan/terkirim?nomor="+url.QueryEscape(c.Number))
}

// complaintError shows the form again with err by its fields, in the form's order.
func (s *Server) complaintError(w http.ResponseWriter, r *http.Request, p *Page, err error) error {
	status, ok := formError(p, err)
	if !ok {
		return err
	}
	if e, ok := errs.As(err); ok {
		setRetryAfter(w, e)
	}
	p.orderErrors(complaintFields)
	return s.render(w, r, status, "pengaduan", p)
}
