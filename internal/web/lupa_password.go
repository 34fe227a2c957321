package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/errs"
)

// GET /lupa-password is "Lupa password": the address to mail a reset link to.
func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "forgot.title")
	p.Captcha = true
	return s.render(w, r, http.StatusOK, "lupa_password", p)
}

// POST /lupa-password mails a reset link; the page after it reads the same for any
// address.
func (s *Server) forgot(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "forgot.title")
	p.Form, p.Captcha = r.PostForm, true
	var fs errs.Fields
	if !s.checkCaptcha(r, &fs) {
		return s.reRender(w, r, "lupa_password", p, fs.Err())
	}
	if err := s.Accounts.RequestReset(r.Context(), p.Tenant, r.PostForm.Get("email")); err != nil {
		return s.reRender(w, r, "lupa_password", p, err)
	}
	p.Data = "sent"
	p.Captcha = false
	return s.render(w, r, http.StatusOK, "lupa_password", p)
}

// GET /lupa-password/{token} is the reset link: the form for the new password, or why the
// link no longer works.
func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "reset.title")
	if err := s.Accounts.CheckResetToken(r.Context(), p.Tenant, r.PathValue("token")); err != nil {
		return s.reRender(w, r, "lupa_password_baru", p, err)
	}
	p.Data = "form"
	return s.render(w, r, http.StatusOK, "lupa_password_baru", p)
}

// POST /lupa-password/{token} sets the new password, lifts any login lock and signs the
// owner in.
func (s *Server) reset(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "reset.title")
	u, err := s.Accounts.ResetPassword(r.Context(), p.Tenant, r.PathValue("token"), r.PostForm.Get("password"), r.PostForm.Get("password2"))
	if err != nil {
		if e, ok := errs.As(err); ok && e.Code == errs.Invalid {
			p.Data = "form"
		}
		return s.reRender(w, r, "lupa_password_baru", p, err)
	}
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	s.setFlash(w, "flash.password_reset", "")
	return redirect(w, r, "/akun")
}
