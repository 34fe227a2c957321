package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/staff"
)

// staffForm is the data of the add and edit forms.
type staffForm struct {
	Roles  []roleOption
	Member staff.Member
	Self   bool
}

// GET /kantor/staf/tambah asks for the new member's name, e-mail and roles.
func (s *Server) staffAddForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "staff.add.title")
	p.Data = staffForm{Roles: roleOptions(p)}
	return s.render(w, r, http.StatusOK, "kantor_staf_tambah", p)
}

// POST /kantor/staf/tambah opens the account (or takes the existing one of that e-mail),
// gives it the roles and mails a link to set a password.
func (s *Server) staffAdd(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "staff.add.title")
	p.Form = r.PostForm
	p.Data = staffForm{Roles: roleOptions(p)}
	in := staff.AddInput{FirstName: r.PostForm.Get("first_name"), LastName: r.PostForm.Get("last_name"),
		Email: r.PostForm.Get("email"), Roles: formRoles(r)}
	// The new account's mail goes out in the admin's language until its owner picks one.
	ctx := account.WithLang(r.Context(), p.Lang)
	u, _, err := s.Staff.Add(ctx, p.Tenant, in, staffOf(r))
	if err != nil {
		status, ok := formError(p, err)
		if !ok {
			return err
		}
		p.orderErrors([]string{"first_name", "last_name", "email", "staff_roles"})
		return s.render(w, r, status, "kantor_staf_tambah", p)
	}
	s.setFlash(w, "flash.staff_added", u.Email)
	return redirect(w, r, "/kantor/staf")
}
