package web

import (
	"fmt"
	"net/http"

	"github.com/surel-id/surel/internal/collective"
	"github.com/surel-id/surel/internal/errs"
)

// POST /kantor/kolektif/{id}/kirim (the front desk) and POST /kolektif/{id}/kirim (the
// OPD's operator) send the valid rows not yet sent, each as its own request.
func (s *Server) collectiveSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "collective.title")
	sc, err := s.collectiveScopeOf(r, p)
	if err != nil {
		return err
	}
	if !sc.mayEnter {
		return errs.New(errs.Forbidden, "error.forbidden")
	}
	id := parseID(r.PathValue("id"))
	res, err := s.Collectives.SubmitAs(r.Context(), p.Tenant, sc.entrant, id)
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("%s/%d?what=submit&ok=%d&gagal=%d", sc.base, id, res.Done, res.Failed))
}

func (s *Server) collectiveDone(w http.ResponseWriter, r *http.Request, id int64, what string, res collective.Result) error {
	return redirect(w, r, fmt.Sprintf("/kantor/kolektif/%d?what=%s&ok=%d&gagal=%d", id, what, res.Done, res.Failed))
}
