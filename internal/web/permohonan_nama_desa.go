package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/desaid"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
)

// GET /permohonan/{id}/nama-desa is the live check of the proposed desa.id name of the
// draft id (?nama=…), as the applicant types: the name as it would be stored, whether it
// can be asked for (the registry's rules, the village's name, free in the register and at
// the registry), and why not with the free names made from the village's name. The same
// checks as the save (request.Service.CheckField).
func (s *Server) desaIDCheck(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "form.title")
	if s.Domains == nil {
		return errs.New(errs.NotFound, "error.not_found")
	}
	id := parseID(r.PathValue("id"))
	name, err := s.Requests.CheckField(r.Context(), *p.User, id, request.FieldDesaID, r.URL.Query().Get("nama"))
	res := map[string]any{"name": name, "ok": err == nil, "zone": desaid.Zone}
	if err != nil {
		e, ok := errs.As(err)
		if !ok || e.Code != errs.Invalid || len(e.Fields) == 0 {
			return err
		}
		res["message"] = p.fieldMessage(e.Fields[0])
		rq, err := s.Requests.Get(r.Context(), *p.User, id)
		if err != nil {
			return err
		}
		res["suggestions"] = s.Domains.SuggestDesaID(r.Context(), rq, 3)
	}
	return writeJSON(w, res, "no-store")
}
