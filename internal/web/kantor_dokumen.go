package web

import "net/http"

// GET /kantor/dokumen/{id} is a kept document of the staff member's
// tenant (a report) as issued.
func (s *Server) kantorDocument(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Reports.Document(r.Context(), *staffOf(r), parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	return sendPDF(w, "laporan-"+fileName(d.Number)+".pdf", d.PDF)
}
