package web

import "net/http"

// GET /kantor/permohonan/{id}/berkas/{file} shows a request's document to staff of its
// tenant, inline.
func (s *Server) caseFile(w http.ResponseWriter, r *http.Request) error {
	rq, err := s.Workflow.Load(r.Context(), *staffOf(r), parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	f, err := s.Requests.Document(r.Context(), rq, parseID(r.PathValue("file")))
	if err != nil {
		return err
	}
	return s.sendFile(w, r, f)
}
