package web

import "net/http"

// GET /kantor/permohonan/{id}/surat-hasil is the applicant's result letter (GET
// /permohonan/{id}/surat-hasil) printed by staff of the request's tenant (Kaltim's last
// step sends it to the applicant).
func (s *Server) caseResultLetter(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "result.title")
	m := staffOf(r)
	rq, u, err := s.Workflow.LoadApplicant(r.Context(), *m, parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	return s.writeResultLetter(w, r, p, rq, u, m.Actor().From(s.clientIP(r)))
}
