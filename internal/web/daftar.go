package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/errs"
)

// GET /daftar is "Daftar", the registration form with its captcha; a signed-in user goes
// to Akun Saya instead.
func (s *Server) registerForm(w http.ResponseWriter, r *http.Request) error {
	if userOf(r) != nil {
		return redirect(w, r, "/akun")
	}
	p := s.page(r, "register.title")
	p.Captcha = true
	return s.render(w, r, http.StatusOK, "daftar", p)
}

// POST /daftar handles "Daftar". Whether or not the e-mail was known, the answer is the
// same page; the difference is only in the mail its owner receives.
func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "register.title")
	p.Form, p.Captcha = r.PostForm, true
	in := account.RegisterInput{
		FirstName: r.PostForm.Get("first_name"), LastName: r.PostForm.Get("last_name"),
		Email: r.PostForm.Get("email"), Phone: r.PostForm.Get("phone"),
		Password: r.PostForm.Get("password"), Password2: r.PostForm.Get("password2"),
	}
	var fs errs.Fields
	if !s.checkCaptcha(r, &fs) {
		in.Normalize()
		return s.reRender(w, r, "daftar", p, merge(fs, in.Validate(p.Tenant.Policy)))
	}
	ctx := account.WithLang(r.Context(), p.Lang)
	if err := s.Accounts.Register(ctx, p.Tenant, in); err != nil {
		return s.reRender(w, r, "daftar", p, err)
	}
	return redirect(w, r, "/daftar/periksa-email")
}

// GET /daftar/periksa-email says to open the "Lanjutkan Aktivasi Akun" e-mail.
func (s *Server) registerDone(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "daftar_periksa_email", s.page(r, "register_done.title"))
}
