package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/request"
)

type areaJSON struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Label string `json:"label,omitempty"`
}

// regionChildren serves the dependent lists for the form's script: GET /wilayah?induk=15.
func (s *Server) regionChildren(w http.ResponseWriter, r *http.Request) error {
	var out []areaJSON
	for _, a := range s.Regions.Children(r.URL.Query().Get("induk")) {
		out = append(out, areaJSON{Code: a.Code, Name: a.Title()})
	}
	return writeJSON(w, out, "public, max-age=86400")
}

// regionSearch is the village type-ahead: GET /wilayah/cari?q=suka&dalam=15.02.
func (s *Server) regionSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	out := []areaJSON{}
	for _, a := range s.Regions.SearchVillages(q.Get("q"), q.Get("dalam"), 20) {
		out = append(out, areaJSON{Code: a.Code, Name: a.Title(), Label: s.Regions.Label(a.Code)})
	}
	return writeJSON(w, out, "public, max-age=3600")
}

// mailboxCheck is the live check of the proposed mailbox: GET /permohonan/alamat?alamat=…&id=…
func (s *Server) mailboxCheck(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "form.title")
	q := r.URL.Query()
	id, _ := strconv.ParseInt(q.Get("id"), 10, 64)
	local, err := s.Requests.CheckMailbox(r.Context(), p.Tenant, q.Get("alamat"), id, request.FieldMailbox)
	res := map[string]any{"mailbox": local, "ok": err == nil, "domain": p.Tenant.MailDomain}
	if err != nil {
		e, ok := errs.As(err)
		if !ok || len(e.Fields) == 0 {
			return err
		}
		res["message"] = p.fieldMessage(e.Fields[0])
		res["suggestions"] = s.Requests.Suggest(r.Context(), p.Tenant, *p.User, id, 3)
	}
	return writeJSON(w, res, "no-store")
}

func writeJSON(w http.ResponseWriter, v any, cache string) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", cache)
	return json.NewEncoder(w).Encode(v)
}
