package web

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/surel-id/surel/internal/sop"
)

// flowPage is the data of alur: the SOP as a diagram and as a table.
type flowPage struct {
	Def   sop.Definition
	SVG   template.HTML
	Steps []flowStep
	Hours string
	Zone  string
	// Staff shows the back-office variant (/kantor/alur), with links for admins.
	Staff bool
}

// flowStep is one row of the steps table.
type flowStep struct {
	N                        int
	Name, Role, Time, Output string
}

// flow builds the page data. The SVG is inlined: sop.SVG styles with presentation
// attributes only (no <style> element, no style attribute, no script), which the
// Content-Security-Policy's style-src 'self' does not block, and escapes every text.
func (s *Server) flow(r *http.Request, p *Page) (flowPage, error) {
	def, _, err := s.Book.Workflow(r.Context(), p.Tenant.SOPRef())
	if err != nil {
		return flowPage{}, err
	}
	f := flowPage{Def: def, SVG: template.HTML(sop.SVG(def, p.Lang)), Hours: def.HoursText(p.Lang), Zone: def.ZoneAbbrev()}
	for i, st := range def.Steps {
		f.Steps = append(f.Steps, flowStep{N: i + 1, Name: st.Label(p.Lang), Role: st.Who(p.Lang), Time: st.Standard.Text(p.Lang), Output: st.OutputIn(p.Lang)})
	}
	return f, nil
}

// GET /alur-layanan shows applicants the tenant's SOP: the swimlane diagram and the steps
// with who does each, its time standard and its output.
func (s *Server) publicFlow(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "alur.title")
	p.Wide = true // the swimlane's 900 px, every lane on a desktop
	f, err := s.flow(r, p)
	if err != nil {
		return err
	}
	p.Data = f
	if p.User == nil {
		p.CacheTag = cacheTag(string(f.SVG), f.Hours, f.Zone, fmt.Sprint(f.Steps))
	}
	return s.render(w, r, http.StatusOK, "alur_layanan", p)
}

// GET /alur-layanan.svg is the diagram alone, to download or print.
func (s *Server) publicFlowSVG(w http.ResponseWriter, r *http.Request) error {
	def, _, err := s.Book.Workflow(r.Context(), s.Tenants.ForHost(r.Host).SOPRef())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, err = w.Write(sop.SVG(def, langOf(r)))
	return err
}
