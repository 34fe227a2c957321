package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/request"
)

// GET /tambah-permohonan is "Tambah Permohonan": the services one can request.
func (s *Server) catalog(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "catalog.title")
	p.Data = request.Catalog{Services: s.Requests.Offerings(p.Tenant)}
	return s.render(w, r, http.StatusOK, "tambah_permohonan", p)
}

type chooseData struct {
	Service request.Offering
}

// GET /tambah-permohonan/{service} asks for the Jenis Layanan, with the rules of who may
// apply shown before anything is filled in.
func (s *Server) chooseKind(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "choose.title")
	sv, _, err := s.Requests.Offer(p.Tenant, r.PathValue("service"), "")
	if err != nil {
		return err
	}
	p.Data = chooseData{Service: sv}
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
