package web

import (
	"errors"
	"net/http"

	"github.com/surel-id/surel/internal/errs"
)

// GET /pengaduan/saya is the signed-in applicant's complaints, newest first.
func (s *Server) complaintsMine(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "complaint.mine_title")
	cs, err := s.Complaints.Mine(r.Context(), p.Tenant, *p.User)
	if err != nil {
		return err
	}
	p.Data = cs
	return s.render(w, r, http.StatusOK, "pengaduan_saya", p)
}

// GET /pengaduan/saya/{id} is one of the applicant's complaints with its answers;
// another's is not found.
func (s *Server) complaintMine(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "complaint.title")
	c, es, err := s.Complaints.MineOne(r.Context(), p.Tenant, *p.User, parseID(r.PathValue("id")))
	if errors.Is(err, errs.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	p.Data = complaintView{Complaint: c, Entries: es}
	return s.render(w, r, http.StatusOK, "pengaduan_saya_detail", p)
}
