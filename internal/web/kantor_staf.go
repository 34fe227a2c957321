package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/staff"
)

// staffRow is one member on the staff screen.
type staffRow struct {
	staff.Member
	Labels []string // the roles in the page's language
	Self   bool
}

// GET /kantor/staf is the tenant admin's list of the office's staff.
func (s *Server) staffList(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "staff.list.title")
	ms, err := s.Staff.List(r.Context(), p.Tenant.ID)
	if err != nil {
		return err
	}
	me := staffOf(r)
	rows := make([]staffRow, len(ms))
	for i, m := range ms {
		rows[i] = staffRow{Member: m, Labels: roleLabels(p.Lang, m.Roles), Self: m.UserID == me.UserID}
	}
	p.Data = rows
	return s.render(w, r, http.StatusOK, "kantor_staf", p)
}

func roleLabels(lang string, rs []sop.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Label(lang)
	}
	return out
}

// roleOption is one checkbox of the roles field.
type roleOption struct {
	Value   string
	Label   string
	Checked bool
}

// roleOptions lists the staff roles as checkboxes, checked as in the form.
func roleOptions(p *Page) []roleOption {
	var out []roleOption
	checked := map[string]bool{}
	for _, v := range p.Form["staff_roles"] {
		checked[v] = true
	}
	for _, r := range staff.Roles() {
		out = append(out, roleOption{Value: string(r), Label: r.Label(p.Lang), Checked: checked[string(r)]})
	}
	return out
}

// formRoles reads the checked roles.
func formRoles(r *http.Request) []sop.Role {
	var out []sop.Role
	for _, v := range r.PostForm["staff_roles"] {
		out = append(out, sop.Role(v))
	}
	return out
}
