package web

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"

	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/standard"
)

// standardPage is the data of standar_pelayanan: the standard and the SOP's diagram.
type standardPage struct {
	standard.Standard
	SVG     template.HTML
	Printed string // when the newest printed standard was issued; "" for none
	Number  string
}

// GET /standar-pelayanan is the tenant's published service standard (PermenPANRB
// 15/2014) from live data: requirements, procedure with its diagram, time, cost,
// product, complaints, staff, guarantees, and the measured compliance and IKM beside
// the promise.
func (s *Server) publicStandard(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "std.title")
	st, err := s.Standards.Build(r.Context(), p.Tenant, p.Lang)
	if err != nil {
		return err
	}
	def, _, err := s.Book.Workflow(r.Context(), p.Tenant.SOPRef())
	if err != nil {
		return err
	}
	d := standardPage{Standard: st, SVG: template.HTML(sop.SVG(def, p.Lang))}
	doc, err := s.Standards.Printed(r.Context(), p.Tenant.ID)
	switch {
	case err == nil:
		d.Printed, d.Number = p.Date(doc.IssuedAt), doc.Number
	case !errors.Is(err, errs.ErrNotFound):
		return err
	}
	p.Data = d
	return s.render(w, r, http.StatusOK, "standar_pelayanan", p)
}

// GET /standar-pelayanan.json is the same standard, machine-readable, in the language
// asked (?lang=en), Indonesian by default.
func (s *Server) publicStandardJSON(w http.ResponseWriter, r *http.Request) error {
	lang := "id"
	if r.URL.Query().Get("lang") == "en" {
		lang = "en"
	}
	st, err := s.Standards.Build(r.Context(), s.Tenants.ForHost(r.Host), lang)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(st)
}

// GET /standar-pelayanan.pdf is the newest printed standard (the poster the office
// issued, numbered and verifiable).
func (s *Server) publicStandardPDF(w http.ResponseWriter, r *http.Request) error {
	doc, err := s.Standards.Printed(r.Context(), s.Tenants.ForHost(r.Host).ID)
	if errors.Is(err, errs.ErrNotFound) {
		return errs.New(errs.NotFound, "std.not_printed")
	}
	if err != nil {
		return err
	}
	return sendPDF(w, "standar-pelayanan-"+fileName(doc.Number)+".pdf", doc.PDF)
}
