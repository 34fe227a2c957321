package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/complaint"
)

// GET /pengaduan/terkirim says the number a public complaint got and how to track it.
func (s *Server) complaintSent(w http.ResponseWriter, r *http.Request) error {
	n := complaint.NormalizeNumber(r.URL.Query().Get("nomor"))
	if n == "" {
		return errNotFound
	}
	p := s.page(r, "complaint.sent_title")
	p.Data = n
	return s.render(w, r, http.StatusOK, "pengaduan_terkirim", p)
}
