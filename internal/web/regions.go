package web

import (
	"encoding/json"
	"net/http"
	"strconv"
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

// addressCheck is the live check of the proposed address: GET /permohonan/alamat?alamat=…&id=…
func (s *Server) addressCheck(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "form.title")
	q := r.URL.Query()
	id, _ := strconv.ParseInt(q.Get("id"), 10, 64)
	local := normalizeAddress(q.Get("alamat"))
	rule, err := s.Requests.CheckAddress(r.Context(), p.Tenant, local, id)
	if err != nil {
		return err
	}
	res := map[string]any{"address": local, "ok": rule == "", "domain": p.Tenant.MailDomain}
	if rule != "" {
		switch rule {
		case "address_len":
			res["message"] = p.T("rule.address_len", p.T("field.proposed_address"), 3, 40)
		case "address_taken":
			res["message"] = p.T("rule.address_taken", p.T("field.proposed_address"), local+"@"+p.Tenant.MailDomain)
		default:
			res["message"] = p.T("rule."+rule, p.T("field.proposed_address"))
		}
		res["suggestions"] = s.Requests.Suggest(r.Context(), p.Tenant, *p.User, id, 3)
	}
	return writeJSON(w, res, "no-store")
}

func writeJSON(w http.ResponseWriter, v any, cache string) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", cache)
	return json.NewEncoder(w).Encode(v)
}
