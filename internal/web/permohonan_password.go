package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/workflow"
)

// revealData is the one-time view of a new mailbox's password.
type revealData struct {
	Request  request.Request
	Handover workflow.Handover
}

// POST /permohonan/{id}/password shows the applicant their new mailbox's password, once:
// it is erased as it is shown. The page is not cached anywhere.
func (s *Server) reveal(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "credential.title")
	id := parseID(r.PathValue("id"))
	h, err := s.Workflow.Reveal(r.Context(), *p.User, id, s.clientIP(r))
	if err != nil {
		return err
	}
	rq, err := s.Requests.Get(r.Context(), *p.User, id)
	if err != nil {
		return err
	}
	p.Data = revealData{Request: rq, Handover: h}
	w.Header().Set("Referrer-Policy", "no-referrer")
	return s.render(w, r, http.StatusOK, "permohonan_password", p)
}
