package web

import (
	"net/http"
)

// POST /kantor/kolektif/{id}/undang invites the employees with a personal e-mail whose
// mailbox is made to claim it in the portal.
func (s *Server) collectiveInvite(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "collective.title")
	id := parseID(r.PathValue("id"))
	res, err := s.Collectives.Invite(r.Context(), p.Tenant, *staffOf(r), id)
	if err != nil {
		return err
	}
	return s.collectiveDone(w, r, id, "invite", res)
}
