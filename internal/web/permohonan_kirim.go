package web

import "net/http"

// POST /permohonan/{id}/kirim is "Kirim".
func (s *Server) submit(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "summary.title")
	id := parseID(r.PathValue("id"))
	rq, err := s.Requests.Submit(r.Context(), p.Tenant, *p.User, id)
	if err != nil {
		if _, ok := formError(p, err); ok {
			if rq, gerr := s.Requests.Get(r.Context(), *p.User, id); gerr == nil {
				if d, verr := s.view(r, p, rq); verr == nil {
					p.Data = d
					return s.render(w, r, statusOf(codeOf(err)), "permohonan_ringkasan", p)
				}
			}
		}
		return err
	}
	s.setFlash(w, "flash.submitted", rq.Number)
	return redirect(w, r, "/permohonan/"+itoa(rq.ID))
}
