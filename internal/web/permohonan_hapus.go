package web

import "net/http"

// POST /permohonan/{id}/hapus deletes a draft.
func (s *Server) discard(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "requests.title")
	if err := s.Requests.Discard(r.Context(), *p.User, parseID(r.PathValue("id"))); err != nil {
		return err
	}
	s.setFlash(w, "flash.discarded", "")
	return redirect(w, r, "/permohonan")
}
