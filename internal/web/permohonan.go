package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/request"
	"github.com/surel-id/surel/internal/sop"
	"github.com/surel-id/surel/internal/workflow"
)

type viewData struct {
	Request request.Request
	Service request.Offering
	Kind    request.Kind
	Files   map[string]*request.File
	Steps   []request.Step
	Regions map[string]string // region field → name
	Stages  []stage           // the SOP's steps, for the progress bar
	// Credential says whether the new mailbox's password can still be shown; Webmail
	// is the tenant's webmail link.
	Credential workflow.CredentialState
	Webmail    string
	// Delayed is true while an automatic step waits for staff after giving up.
	Delayed bool
	// SOP is the tenant's SOP, for the steps' names in the page's language.
	SOP sop.Definition
	// Now is the step the request waits on, at the top of its page; Standard is the
	// service's time standard as a whole ("1–4 hari kerja"), empty when the SOP states
	// none.
	Now      *nowStep
	Standard string
	// Survey is true while the applicant is invited to the Survei Kepuasan Masyarakat
	// (the request ended and was not answered).
	Survey bool
}

// nowStep is the running step as the top of the request page shows it.
type nowStep struct {
	Name string
	Due  string // "–" while the clock is stopped (a correction) or the step is untimed
	// Yours: the applicant is to act (a correction).
	Yours bool
}

// stage is one SOP step as the progress bar shows it.
type stage struct {
	Name  string
	State string // "done", "current" or "todo"
}

// Label is how a value shows in the summary: regions by name, the rest as typed.
func (d viewData) Label(f request.Field) string {
	if f.Type == "region" {
		return d.Regions[f.Name]
	}
	return fieldText(d.Request, f)
}

// fieldText is a field's value as pages show it: a proposed name with its zone.
func fieldText(r request.Request, f request.Field) string {
	v := r.Values[f.Name]
	switch {
	case v == "":
	case f.Type == request.FieldDesaID:
		return v + ".desa.id"
	case f.Type == request.FieldSubdomain && r.Values["zone"] != "":
		return v + "." + r.Values["zone"]
	}
	return v
}

// fixedValue is a value of a request the applicant did not type.
type fixedValue struct{ Name, Value string }

// Fixed are the values a domain service took from the applicant's verification and
// account (the instansi, the official address, the zone), for the pages that show a
// request.
func (d viewData) Fixed() []fixedValue { return fixedValues(d.Service, d.Request, d.Kind) }

func fixedValues(sv request.Offering, r request.Request, k request.Kind) []fixedValue {
	if !sv.Ruled {
		return nil
	}
	var out []fixedValue
	for _, name := range []string{"instansi", "jabatan", "official_mailbox", "zone"} {
		if _, isField := k.Field(name); !isField && r.Values[name] != "" {
			out = append(out, fixedValue{name, r.Values[name]})
		}
	}
	return out
}

// Progress is the share of the SOP's steps that are done, for the progress bar.
func (d viewData) Progress() int {
	if d.Request.Status == request.Done {
		return 100
	}
	done := 0
	for _, st := range d.Stages {
		if st.State == "done" {
			done++
		}
	}
	if len(d.Stages) == 0 {
		return 0
	}
	return done * 100 / len(d.Stages)
}

// viewData is v as the request's pages show it: documents by field, regions by name,
// the SOP's steps as the progress bar's stages in the page's language.
func (s *Server) viewData(p *Page, v request.View) viewData {
	d := viewData{Request: v.Request, Service: v.Service, Kind: v.Kind, Files: map[string]*request.File{}, Steps: v.Steps, Regions: map[string]string{},
		Delayed: v.Delayed(), SOP: v.SOP, Standard: v.SOP.Total.Text(p.Lang)}
	if st, ok := request.Running(v.Steps); ok {
		d.Now = &nowStep{Name: stepName(st, v.SOP, p), Due: p.Time(st.Due), Yours: st.Kind == request.KindCorrection}
		if st.Paused() {
			d.Now.Due = "–"
		}
	}
	for i := range v.Files {
		d.Files[v.Files[i].Field] = &v.Files[i]
	}
	for _, f := range v.Kind.Fields {
		if a, ok := s.Regions.Get(v.Request.Values[f.Name]); ok && f.Type == "region" {
			d.Regions[f.Name] = a.Title()
		}
	}
	state := map[string]string{}
	for _, st := range v.Steps {
		if st.Open() {
			state[st.Key] = "current"
		} else {
			state[st.Key] = "done"
		}
	}
	for _, st := range v.SOP.Steps {
		state := state[st.Key]
		if state == "" {
			state = "todo"
		}
		d.Stages = append(d.Stages, stage{Name: st.Label(p.Lang), State: state})
	}
	return d
}

// view reads rq for its pages (request.Service.View) as viewData.
func (s *Server) view(r *http.Request, p *Page, rq request.Request) (viewData, error) {
	v, err := s.Requests.View(r.Context(), p.Tenant, rq)
	if err != nil {
		return viewData{}, err
	}
	return s.viewData(p, v), nil
}

// GET /permohonan/{id} is the request page: progress, history (seed 000 Gambar 9) and
// notes.
func (s *Server) requestView(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "request.title")
	rq, err := s.Requests.Get(r.Context(), *p.User, parseID(r.PathValue("id")))
	if err != nil {
		return err
	}
	if rq.Status == request.Draft {
		return redirect(w, r, "/permohonan/"+itoa(rq.ID)+"/ubah")
	}
	d, err := s.view(r, p, rq)
	if err != nil {
		return err
	}
	if rq.Status == request.Done {
		if d.Credential, err = s.Workflow.CredentialOf(r.Context(), rq.ID); err != nil {
			return err
		}
		d.Webmail = s.Workflow.Webmail(rq.TenantID)
	}
	if d.Survey, err = s.Surveys.Open(r.Context(), *p.User, rq); err != nil {
		return err
	}
	p.Data = d
	return s.render(w, r, http.StatusOK, "permohonan", p)
}
