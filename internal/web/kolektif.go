package web

import "net/http"

// An OPD's operator (a portal account the tenant admin marked) enters their OPD's
// collective lists in the portal, on the back office's pages and handlers scoped to them
// (collectiveScopeOf): their OPD's lists only, the OPD fixed in the form, none of the
// staff's actions. Anyone else is forbidden.

// GET /kolektif is the operator's "Permohonan Kolektif OPD": their OPD's lists and the
// upload form with the templates.
func (s *Server) operatorCollectives(w http.ResponseWriter, r *http.Request) error {
	return s.collectives(w, r)
}

// POST /kolektif uploads a new list of the operator's OPD with its letter; the report
// shows at its page.
func (s *Server) operatorCollectiveNew(w http.ResponseWriter, r *http.Request) error {
	return s.collectiveUpload(w, r, 0)
}

// GET /kolektif/{id} is one of the operator's OPD's lists: its report, the form for the
// fixed list and the button that sends the valid rows.
func (s *Server) operatorCollective(w http.ResponseWriter, r *http.Request) error {
	return s.collectiveView(w, r)
}

// POST /kolektif/{id} uploads the fixed list of one of the operator's OPD's lists.
func (s *Server) operatorCollectiveReupload(w http.ResponseWriter, r *http.Request) error {
	return s.collectiveUpload(w, r, parseID(r.PathValue("id")))
}
