package web

import (
	"errors"
	"net/http"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/staff"
)

// member is the staff member of this tenant named in the URL.
func (s *Server) member(r *http.Request, tenantID int64) (staff.Member, error) {
	m, err := s.Staff.Member(r.Context(), parseID(r.PathValue("id")))
	if errors.Is(err, errs.ErrNotFound) || (err == nil && m.TenantID != tenantID) {
		return m, errNotFound
	}
	return m, err
}

// GET /kantor/staf/{id} shows a member's roles as checkboxes, and the second-factor
// reset.
func (s *Server) staffEditForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "staff.edit.title")
	m, err := s.member(r, p.Tenant.ID)
	if err != nil {
		return err
	}
	for _, role := range m.Roles {
		p.Form.Add("staff_roles", string(role))
	}
	p.Data = staffForm{Roles: roleOptions(p), Member: m, Self: m.UserID == staffOf(r).UserID}
	return s.render(w, r, http.StatusOK, "kantor_staf_ubah", p)
}

// POST /kantor/staf/{id} saves a member's roles; none removes the member from the staff.
func (s *Server) staffEdit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "staff.edit.title")
	m, err := s.member(r, p.Tenant.ID)
	if err != nil {
		return err
	}
	p.Form = r.PostForm
	p.Data = staffForm{Roles: roleOptions(p), Member: m, Self: m.UserID == staffOf(r).UserID}
	if err := s.Staff.SetRoles(r.Context(), p.Tenant, m.UserID, formRoles(r), staffOf(r)); err != nil {
		return s.reRender(w, r, "kantor_staf_ubah", p, err)
	}
	s.setFlash(w, "flash.staff_saved", m.Email)
	return redirect(w, r, "/kantor/staf")
}
