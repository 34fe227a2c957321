package web

import "net/http"

// GET / is the home page: what the service is, and the ways in (Daftar, Masuk).
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "beranda", s.page(r, "home.title"))
}
