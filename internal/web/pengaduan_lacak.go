package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/complaint"
	"github.com/surel-id/surel/internal/errs"
)

// complaintView is the data of a complaint's page for its complainant (pengaduan_lacak
// after a match, pengaduan_saya_detail): the complaint and the answers they see.
type complaintView struct {
	Complaint complaint.Complaint
	Entries   []complaint.Entry
}

// complaintPartial is a complaint's page with its page, for the _complaint partial.
type complaintPartial struct {
	Page *Page
	View complaintView
}

// GET /pengaduan/lacak is the tracking form: the number (?nomor= fills it, as the
// receipt's link does) and the contact given with it.
func (s *Server) complaintTrackForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "complaint.track_title")
	p.Form.Set("nomor", r.URL.Query().Get("nomor"))
	return s.render(w, r, http.StatusOK, "pengaduan_lacak", p)
}

// POST /pengaduan/lacak shows the complaint of a number whose contact matches, with its
// answers. Every other pair gets the same message and status, so that neither numbers
// nor contacts can be probed; the route's rate limit bounds the guessing.
func (s *Server) complaintTrack(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "complaint.track_title")
	p.Form = r.PostForm
	var fs errs.Fields
	if r.PostForm.Get("nomor") == "" {
		fs.Add("nomor", "required")
	}
	if r.PostForm.Get("kontak") == "" {
		fs.Add("kontak", "required")
	}
	if err := fs.Err(); err != nil {
		return s.reRender(w, r, "pengaduan_lacak", p, err)
	}
	c, es, err := s.Complaints.Track(r.Context(), p.Tenant, r.PostForm.Get("nomor"), r.PostForm.Get("kontak"))
	if e, ok := errs.As(err); ok && e.Code == errs.NotFound {
		p.Error = p.T(e.Key)
		return s.render(w, r, http.StatusNotFound, "pengaduan_lacak", p)
	}
	if err != nil {
		return err
	}
	p.Data = complaintView{Complaint: c, Entries: es}
	return s.render(w, r, http.StatusOK, "pengaduan_lacak", p)
}
