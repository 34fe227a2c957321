package web

import (
	"net/http"
)

// GET /notifikasi lists the applicant's notifications and marks them read.
func (s *Server) notifications(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "notif.title")
	ns, err := s.Requests.ReadNotifications(r.Context(), *p.User, 50)
	if err != nil {
		return err
	}
	p.Unread = 0
	p.Data = ns
	return s.render(w, r, http.StatusOK, "notifikasi", p)
}
