package web

import (
	"fmt"
	"github.com/surel-id/surel/internal/collective"
	"net/http"
)

// POST /kantor/kolektif/{id}/kirim sends the valid rows not yet sent, each as its own
// request.
func (s *Server) collectiveSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "collective.title")
	id := parseID(r.PathValue("id"))
	res, err := s.Collectives.Submit(r.Context(), p.Tenant, *staffOf(r), id)
	if err != nil {
		return err
	}
	return s.collectiveDone(w, r, id, "submit", res)
}

func (s *Server) collectiveDone(w http.ResponseWriter, r *http.Request, id int64, what string, res collective.Result) error {
	return redirect(w, r, fmt.Sprintf("/kantor/kolektif/%d?what=%s&ok=%d&gagal=%d", id, what, res.Done, res.Failed))
}
