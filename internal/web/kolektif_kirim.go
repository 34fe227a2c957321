package web

import "net/http"

// POST /kolektif/{id}/kirim sends the valid rows of one of the operator's OPD's lists,
// each as its own request whose first step names the operator.
func (s *Server) operatorCollectiveSubmit(w http.ResponseWriter, r *http.Request) error {
	return s.collectiveSubmit(w, r)
}
