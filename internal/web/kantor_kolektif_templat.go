package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/collective"
)

// GET /kantor/kolektif/templat.xlsx is the list's template as a workbook: the columns
// formatted as text, and a sheet of instructions.
func (s *Server) collectiveTemplateXLSX(w http.ResponseWriter, r *http.Request) error {
	b, err := collective.TemplateXLSX()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="templat-permohonan-kolektif.xlsx"`)
	_, err = w.Write(b)
	return err
}

// GET /kantor/kolektif/templat.csv is the list's template as CSV (UTF-8 with a BOM, so
// that Excel reads it right).
func (s *Server) collectiveTemplateCSV(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="templat-permohonan-kolektif.csv"`)
	_, err := w.Write(collective.TemplateCSV())
	return err
}
