package web

import "net/http"

// GET /kolektif/templat.xlsx is the list's template as a workbook, for an OPD's operator.
func (s *Server) operatorTemplateXLSX(w http.ResponseWriter, r *http.Request) error {
	return s.collectiveTemplateXLSX(w, r)
}

// GET /kolektif/templat.csv is the list's template as CSV, for an OPD's operator.
func (s *Server) operatorTemplateCSV(w http.ResponseWriter, r *http.Request) error {
	return s.collectiveTemplateCSV(w, r)
}
