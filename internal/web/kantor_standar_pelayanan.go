package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/surel-id/surel/internal/complaint"
	"github.com/surel-id/surel/internal/standard"
)

// standardForm is the data of kantor_standar_pelayanan: each component's field with its
// default as the hint.
type standardForm struct {
	Fields   []standardField
	Defaults standard.Settings
	// Complaints are the complaint categories' time standard fields with their defaults.
	Complaints []complaintDaysField
}

type complaintDaysField struct {
	Name    string
	Default int
}

type standardField struct {
	Name, Default string
}

func (s *Server) standardForm(p *Page) {
	var d standardForm
	def := standard.Defaults
	for _, f := range def.Fields() {
		d.Fields = append(d.Fields, standardField{Name: f.Name, Default: *f.Text})
	}
	d.Defaults = def
	for _, c := range complaint.Categories {
		d.Complaints = append(d.Complaints, complaintDaysField{Name: standard.ComplaintField(c.Key), Default: c.Days})
	}
	p.Data = d
}

// GET /kantor/standar-pelayanan is the tenant admin's form of the standard's parts that
// no data gives; an empty field publishes its default.
func (s *Server) kantorStandardForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "stdadm.title")
	set, err := s.Standards.Settings(r.Context(), p.Tenant.ID)
	if err != nil {
		return err
	}
	for _, f := range set.Fields() {
		p.Form.Set(f.Name, *f.Text)
	}
	p.Form.Set("lapor_url", set.LaporURL)
	for k, n := range set.ComplaintDays {
		p.Form.Set(standard.ComplaintField(k), strconv.Itoa(n))
	}
	s.standardForm(p)
	return s.render(w, r, http.StatusOK, "kantor_standar_pelayanan", p)
}

// POST /kantor/standar-pelayanan saves the standard's parts; a wrong one comes back
// named, with everything typed kept.
func (s *Server) kantorStandard(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "stdadm.title")
	p.Form = r.PostForm
	var set standard.Settings
	for _, f := range set.Fields() {
		*f.Text = r.PostForm.Get(f.Name)
	}
	set.LaporURL = r.PostForm.Get("lapor_url")
	// An empty time standard keeps the default; one that is not a number is out of
	// range, named by the check with what was typed kept.
	for _, c := range complaint.Categories {
		v := strings.TrimSpace(r.PostForm.Get(standard.ComplaintField(c.Key)))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1
		}
		if set.ComplaintDays == nil {
			set.ComplaintDays = map[string]int{}
		}
		set.ComplaintDays[c.Key] = n
	}
	s.standardForm(p)
	if _, err := s.Standards.Save(r.Context(), *staffOf(r), set); err != nil {
		return s.reRender(w, r, "kantor_standar_pelayanan", p, err)
	}
	s.setFlash(w, "flash.std_saved", "")
	return redirect(w, r, "/kantor/standar-pelayanan")
}

// POST /kantor/standar-pelayanan/terbitkan prints the standard as it is now, numbered
// and signed, for the public page's download; the form says its number.
func (s *Server) kantorStandardIssue(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "stdadm.title")
	d, err := s.Standards.Issue(r.Context(), *staffOf(r), p.Tenant)
	if err != nil {
		return err
	}
	s.setFlash(w, "flash.std_issued", d.Number)
	return redirect(w, r, "/kantor/standar-pelayanan")
}
