package web

import (
	"net/http"
)

// GET /kantor/kolektif/{id}/surat is the OPD head's letter the list came with.
func (s *Server) collectiveLetterFile(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "collective.title")
	c, err := s.Collectives.Get(r.Context(), p.Tenant, *staffOf(r), parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	return s.sendFile(w, r, c.Letter)
}
