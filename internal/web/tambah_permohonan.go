package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/request"
)

// catalogData is "Tambah Permohonan": the services, and the applicant's request already in
// the office's hands, which a second one for the same person would be refused for.
type catalogData struct {
	Services []request.Offering
	InFlight []request.Request
}

// GET /tambah-permohonan is "Tambah Permohonan": the services one can request.
func (s *Server) catalog(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "catalog.title")
	pend, err := s.Requests.Pending(r.Context(), *p.User)
	if err != nil {
		return err
	}
	p.Data = catalogData{Services: s.Requests.Offerings(p.Tenant), InFlight: pend.InFlight}
	return s.render(w, r, http.StatusOK, "tambah_permohonan", p)
}

type chooseData struct {
	Service  request.Offering
	InFlight []request.Request
}

// GET /tambah-permohonan/{service} asks for the Jenis Layanan, with the rules of who may
// apply shown before anything is filled in.
func (s *Server) chooseKind(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "choose.title")
	sv, _, err := s.Requests.Offer(p.Tenant, r.PathValue("service"), "")
	if err != nil {
		return err
	}
	pend, err := s.Requests.Pending(r.Context(), *p.User)
	if err != nil {
		return err
	}
	p.Data = chooseData{Service: sv, InFlight: pend.InFlight}
	return s.render(w, r, http.StatusOK, "tambah_permohonan_jenis", p)
}

// POST /tambah-permohonan/{service} creates the draft of the chosen kind and opens its
// form.
func (s *Server) startDraft(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "choose.title")
	sv, _, err := s.Requests.Offer(p.Tenant, r.PathValue("service"), "")
	if err != nil {
		return err
	}
	kind := r.PostForm.Get("jenis")
	if _, ok := sv.Kind(kind); !ok {
		p.Data = chooseData{Service: sv}
		p.Errors["jenis"] = p.T("rule.choose", p.T("field.jenis"))
		p.Error = p.T("form.invalid")
		return s.render(w, r, http.StatusUnprocessableEntity, "tambah_permohonan_jenis", p)
	}
	var from *request.Request
	if id := r.PostForm.Get("dari"); id != "" {
		prev, err := s.Requests.Get(r.Context(), *p.User, parseID(id))
		if err != nil {
			return err
		}
		from = &prev
	}
	d, err := s.Requests.NewDraft(r.Context(), p.Tenant, *p.User, sv.Code, kind, from)
	if err != nil {
		return err
	}
	return redirect(w, r, "/permohonan/"+itoa(d.ID)+"/ubah")
}
