package web

import "net/http"

// GET /kantor/alur is the SOP's flow of GET /alur-layanan for staff of any role, inside
// the back office.
func (s *Server) kantorFlow(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "alur.title")
	p.Wide = true // the swimlane's 900 px, every lane on a desktop
	f, err := s.flow(r, p)
	if err != nil {
		return err
	}
	f.Staff = true
	p.Data = f
	return s.render(w, r, http.StatusOK, "alur_layanan", p)
}
