package web

import "net/http"

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "beranda", s.page(r, "home.title"))
}
