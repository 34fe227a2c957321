package web

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/surel-id/surel/internal/domains"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/zone"
)

// maxSOP bounds the YAML a tenant admin may post: the presets are 3–5 KB.
const maxSOP = 256 << 10

// sopForm is the data of kantor_sop: the diagram of the SOP in force, its YAML, and the
// problems of a refused edit, each with its line.
type sopForm struct {
	SVG      template.HTML
	Custom   bool
	Preset   string // the slug of the preset a reset returns to
	File     string
	Problems []string
	// Broken is set when the stored SOP itself no longer loads.
	Broken bool
	// Flows are the catalogue's other services with the flow each follows here.
	Flows []serviceFlowRow
}

// serviceFlowRow is one service's flow as the tenant admin reviews it: the tenant's
// own (under services: in the SOP) or the product's, its steps, and for the sub-domain
// services the DNS server they write on (no secret), or that none is configured.
type serviceFlowRow struct {
	Code, Name string
	Own        bool
	Steps      []flowStep
	Zone       bool           // a sub-domain service
	DNS        *zone.Settings // nil: no DNS server for the tenant
}

// serviceFlows reads the flows of the catalogue's other services for the SOP page.
func (s *Server) serviceFlows(r *http.Request, p *Page) ([]serviceFlowRow, error) {
	flows, err := s.Book.ServiceFlows(r.Context(), p.Tenant.SOPRef())
	if err != nil {
		return nil, err
	}
	var out []serviceFlowRow
	for _, f := range flows {
		sv, ok := s.Requests.Catalog.Offering(f.Service)
		if !ok {
			continue
		}
		row := serviceFlowRow{Code: f.Service, Name: sv.Name.In(p.Lang), Own: f.Own,
			Zone: f.Service == domains.ServiceSubdomain || f.Service == domains.ServiceSubdomainRemove}
		for i, st := range f.Steps {
			row.Steps = append(row.Steps, flowStep{N: i + 1, Name: st.Label(p.Lang), Role: st.Who(p.Lang), Time: st.Standard.Text(p.Lang), Output: st.OutputIn(p.Lang)})
		}
		if row.Zone && s.Domains != nil && s.Domains.DNS != nil {
			if d, ok := s.Domains.DNS(p.Tenant.ID); ok {
				if d.Driver == "rfc2136" && d.Algorithm == "" {
					d.Algorithm = "hmac-sha256"
				}
				if d.TTL == 0 {
					d.TTL = zone.DefaultTTL
				}
				row.DNS = &d
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// GET /kantor/sop shows the tenant's SOP as a diagram and its YAML for editing.
func (s *Server) kantorSOPForm(w http.ResponseWriter, r *http.Request) error {
	b := s.Book
	p := s.page(r, "sopadm.title")
	p.Wide = true // the swimlane's 900 px, every lane on a desktop
	y, custom, err := b.Source(r.Context(), p.Tenant.SOPRef())
	if err != nil {
		return err
	}
	p.Form.Set("yaml", string(y))
	f := sopForm{Custom: custom, Preset: p.Tenant.SOPRef().PresetSlug(), File: p.Tenant.SOPRef().FileName()}
	def, _, err := b.Workflow(r.Context(), p.Tenant.SOPRef())
	switch {
	case err == nil:
		f.SVG = template.HTML(sop.SVG(def, p.Lang))
		if f.Flows, err = s.serviceFlows(r, p); err != nil {
			return err
		}
	case len(sop.Problems(err)) > 0:
		f.Broken, f.Problems = true, problemLines(err)
		p.Error = p.T("sopadm.broken")
	default:
		return err
	}
	p.Data = f
	return s.render(w, r, http.StatusOK, "kantor_sop", p)
}

// POST /kantor/sop saves the posted YAML after sop.Load accepts it, or returns the tenant
// to its preset (action=reset). A refused text is shown again as typed, with each
// problem's line and rule.
func (s *Server) kantorSOP(w http.ResponseWriter, r *http.Request) error {
	b := s.Book
	r.Body = http.MaxBytesReader(w, r.Body, maxSOP)
	if err := r.ParseForm(); err != nil {
		return errs.New(errs.Invalid, "sopadm.too_big", maxSOP>>10)
	}
	cleanForm(r)
	p := s.page(r, "sopadm.title")
	p.Wide = true // the swimlane's 900 px, every lane on a desktop
	ref, by := p.Tenant.SOPRef(), staffOf(r).Actor().From(s.clientIP(r))
	if r.PostForm.Get("action") == "reset" {
		if err := b.ResetSOP(r.Context(), ref, by); err != nil {
			return err
		}
		s.setFlash(w, "flash.sop_reset", "")
		return redirect(w, r, "/kantor/sop")
	}
	text := strings.ReplaceAll(r.PostForm.Get("yaml"), "\r\n", "\n")
	def, err := b.SaveSOP(r.Context(), ref, []byte(text), by)
	if err == nil {
		s.setFlash(w, "flash.sop_saved", def.Name)
		return redirect(w, r, "/kantor/sop")
	}
	if len(sop.Problems(err)) == 0 {
		return err
	}
	p.Form.Set("yaml", text)
	f := sopForm{Preset: p.Tenant.SOPRef().PresetSlug(), File: ref.FileName(), Problems: problemLines(err)}
	_, f.Custom, _ = b.Source(r.Context(), ref)
	if cur, _, err := b.Workflow(r.Context(), ref); err == nil {
		f.SVG = template.HTML(sop.SVG(cur, p.Lang))
		if f.Flows, err = s.serviceFlows(r, p); err != nil {
			return err
		}
	}
	p.Data = f
	p.Error = p.T("sopadm.invalid", len(f.Problems))
	p.Errors["yaml"] = f.Problems[0]
	return s.render(w, r, http.StatusUnprocessableEntity, "kantor_sop", p)
}

// problemLines are the problems of a refused SOP as the operator reads them:
// "tenant-x.yaml:12:9: steps[2].role: unknown role … [role.unknown]".
func problemLines(err error) []string {
	var out []string
	for _, e := range sop.Problems(err) {
		out = append(out, e.Error())
	}
	if len(out) == 0 {
		out = append(out, err.Error())
	}
	return out
}
