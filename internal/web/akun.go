package web

import (
	"net/http"
	"net/url"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/domains"
	"github.com/surel-id/surel/internal/request"
)

// profilePage is Akun Saya with the form filled from the saved profile, and (its Data)
// the applicant's drafts and returned requests, one click away once the profile is
// complete.
func (s *Server) profilePage(r *http.Request) (*Page, error) {
	p := s.page(r, "profile.title")
	u := p.User
	pend, err := s.Requests.Pending(r.Context(), *u)
	if err != nil {
		return p, err
	}
	p.Data = pend.Unsent
	p.Form = url.Values{}
	for k, v := range map[string]string{"full_name": u.Profile.FullName, "nip": u.Profile.NIP, "jabatan": u.Profile.Jabatan,
		"instansi": u.Profile.Instansi, "satuan_kerja": u.Profile.SatuanKerja, "phone": u.Profile.Phone, "address": u.Profile.Address} {
		p.Form.Set(k, v)
	}
	if u.Profile.FullName == "" { // an account activated before the name was kept
		p.Form.Set("full_name", u.RegisteredName())
	}
	d := akunData{Unsent: pend.Unsent}
	p.Data = d
	if s.Domains != nil {
		if d.Verified, d.IsVerified, err = s.Domains.Domains.VerifiedOf(r.Context(), *u); err == nil {
			d.Domains, err = s.Domains.Domains.Owned(r.Context(), *u)
		}
		if err != nil {
			s.Log.WarnContext(r.Context(), "akun: verified instansi", "err", err)
		}
		d.Offered = true
		p.Data = d
	}
	return p, nil
}

// akunData is what Akun Saya shows beside the profile: the verified instansi ("Ajukan
// Verifikasi Instansi" while there is none) and the account's domain names.
type akunData struct {
	// Unsent are the drafts and returned requests waiting for the applicant.
	Unsent     []request.Request
	Verified   domains.Verified
	IsVerified bool
	Domains    []domains.Domain
	// Offered: the tenant offers the domain services (Verifikasi Instansi).
	Offered bool
}

// GET /akun is "Akun Saya": the profile a request needs, and the password change.
func (s *Server) profileForm(w http.ResponseWriter, r *http.Request) error {
	p, err := s.profilePage(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "akun", p)
}

// POST /akun saves the profile; errors come back by their fields with what was typed.
func (s *Server) profile(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p, err := s.profilePage(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	for _, k := range []string{"full_name", "nip", "jabatan", "instansi", "satuan_kerja", "phone", "address"} {
		p.Form.Set(k, f.Get(k))
	}
	in := account.Profile{FullName: f.Get("full_name"), NIP: f.Get("nip"), Jabatan: f.Get("jabatan"), Instansi: f.Get("instansi"),
		SatuanKerja: f.Get("satuan_kerja"), Phone: f.Get("phone"), Address: f.Get("address")}
	if err := s.Accounts.UpdateProfile(r.Context(), *p.User, in); err != nil {
		return s.reRender(w, r, "akun", p, err)
	}
	s.setFlash(w, "flash.profile_saved", "")
	return redirect(w, r, "/akun")
}

// POST /akun/password changes the portal password, with the current one, and ends the
// other sessions.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p, err := s.profilePage(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	if err := s.Accounts.ChangePassword(r.Context(), p.Tenant, *p.User, sessionOf(r), f.Get("old_password"), f.Get("password"), f.Get("password2")); err != nil {
		return s.reRender(w, r, "akun", p, err)
	}
	s.setFlash(w, "flash.password_changed", "")
	return redirect(w, r, "/akun#password")
}
