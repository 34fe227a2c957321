package web

import (
	"github.com/surel-id/surel/internal/errs"
	"net/http"
)

// POST /kantor/kolektif/{id}/tindak acts on the rows: "setujui" every row waiting at
// the member's step (or the chosen ones), "kembalikan" or "tolak" the chosen rows with
// the reason. Each row's request is acted on as from its own page.
func (s *Server) collectiveAct(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "collective.title")
	m := staffOf(r)
	id := parseID(r.PathValue("id"))
	action, ok := collectiveAction(r.PostForm.Get("action"))
	if !ok {
		return errs.New(errs.Invalid, "workflow.bad_action")
	}
	res, err := s.Collectives.Act(r.Context(), p.Tenant, *m, id, action, collectiveRowIDs(r), r.PostForm.Get("note"), s.clientIP(r))
	if err != nil {
		status, ok := formError(p, err)
		if !ok {
			return err
		}
		sc, serr := s.collectiveScopeOf(r, p)
		if serr != nil {
			return serr
		}
		c, gerr := s.Collectives.GetAs(r.Context(), p.Tenant, sc.entrant, id)
		if gerr != nil {
			return gerr
		}
		s.fillCollective(p, sc, c)
		return s.render(w, r, status, "kantor_kolektif_daftar", p)
	}
	return s.collectiveDone(w, r, id, "act", res)
}
