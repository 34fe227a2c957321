package web

import (
	"encoding/json"
	"net/http"
)

type areaJSON struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Label string `json:"label,omitempty"`
}

// GET /wilayah serves the dependent lists for the form's script: GET /wilayah?induk=15.
func (s *Server) regionChildren(w http.ResponseWriter, r *http.Request) error {
	var out []areaJSON
	for _, a := range s.Regions.Children(r.URL.Query().Get("induk")) {
		out = append(out, areaJSON{Code: a.Code, Name: a.Title()})
	}
	return writeJSON(w, out, "public, max-age=86400")
}

// GET /wilayah/cari is the village type-ahead: GET /wilayah/cari?q=suka&dalam=15.02.
func (s *Server) regionSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	out := []areaJSON{}
	for _, a := range s.Regions.SearchVillages(q.Get("q"), q.Get("dalam"), 20) {
		out = append(out, areaJSON{Code: a.Code, Name: a.Title(), Label: s.Regions.Label(a.Code)})
	}
	return writeJSON(w, out, "public, max-age=3600")
}

func writeJSON(w http.ResponseWriter, v any, cache string) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", cache)
	return json.NewEncoder(w).Encode(v)
}
