package web

import "net/http"

// GET /kantor/permohonan/{id}/tanda-terima is the applicant's tanda terima (GET
// /permohonan/{id}/tanda-terima) printed by staff of the request's tenant; the front desk
// hands it to a walk-in applicant.
func (s *Server) caseReceipt(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "receipt.title")
	m := staffOf(r)
	rq, u, err := s.Workflow.LoadApplicant(r.Context(), *m, parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	return s.writeReceipt(w, r, p, rq, u, m.Actor().From(s.clientIP(r)))
}
