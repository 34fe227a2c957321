package web

import "net/http"

// POST /kantor/data-pegawai/{id}/usulkan proposes the deactivation of each mailbox an
// import's report lists: one deactivation request per mailbox, in its owner's name, each
// a task of the deactivation flow's first step. Nothing is deactivated here.
func (s *Server) kantorRosterPropose(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "roster.report")
	if err := parseForm(w, r); err != nil {
		return err
	}
	id := parseID(r.PathValue("id"))
	n, err := s.Rosters.Propose(r.Context(), p.Tenant, *staffOf(r), s.clientIP(r), id)
	if err != nil {
		return err
	}
	s.setFlash(w, "flash.roster_proposed", itoa(int64(n)))
	return redirect(w, r, "/kantor/data-pegawai/"+itoa(id))
}
