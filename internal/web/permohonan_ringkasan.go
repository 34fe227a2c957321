package web

import "net/http"

// GET /permohonan/{id}/ringkasan shows everything before "Kirim".
func (s *Server) summary(w http.ResponseWriter, r *http.Request) error {
	p, rq, err := s.editable(r)
	if err != nil {
		return err
	}
	p.Title = p.T("summary.title")
	d, err := s.view(r, p, rq)
	if err != nil {
		return err
	}
	p.Data = d
	return s.render(w, r, http.StatusOK, "permohonan_ringkasan", p)
}
