package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/collective"
)

// operatorsData is the OPD operators' page.
type operatorsData struct {
	Operators []collective.Operator
}

// GET /kantor/operator-opd lists the portal accounts the tenant admin marked as OPD
// operators, with the form to mark one and a button to revoke each.
func (s *Server) kantorOperators(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "operator.title")
	if err := s.operatorsPage(r, p); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "kantor_operator_opd", p)
}

func (s *Server) operatorsPage(r *http.Request, p *Page) error {
	ops, err := s.Collectives.Operators(r.Context(), p.Tenant, *staffOf(r))
	if err != nil {
		return err
	}
	p.Data = operatorsData{Operators: ops}
	return nil
}

// POST /kantor/operator-opd marks the portal account with the form's e-mail as the
// operator of the form's OPD; a form error shows the page again with what was typed.
func (s *Server) kantorOperatorMark(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "operator.title")
	if err := parseForm(w, r); err != nil {
		return err
	}
	p.Form = r.PostForm
	o, err := s.Collectives.MarkOperator(r.Context(), p.Tenant, *staffOf(r), r.PostForm.Get("email"), r.PostForm.Get("instansi"))
	if err != nil {
		status, ok := formError(p, err)
		if !ok {
			return err
		}
		if err := s.operatorsPage(r, p); err != nil {
			return err
		}
		return s.render(w, r, status, "kantor_operator_opd", p)
	}
	s.setFlash(w, "flash.operator_added", o.Email+" ("+o.Instansi+")")
	return redirect(w, r, "/kantor/operator-opd")
}

// POST /kantor/operator-opd/{id}/cabut revokes portal account id's mark.
func (s *Server) kantorOperatorUnmark(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "operator.title")
	if err := parseForm(w, r); err != nil {
		return err
	}
	id := parseID(r.PathValue("id"))
	if err := s.Collectives.UnmarkOperator(r.Context(), p.Tenant, *staffOf(r), id); err != nil {
		return err
	}
	s.setFlash(w, "flash.operator_removed", "")
	return redirect(w, r, "/kantor/operator-opd")
}
