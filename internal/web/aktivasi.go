package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/errs"
)

// GET /aktivasi/{token} is the "Lanjutkan Aktivasi Akun" link: it confirms the e-mail,
// signs the user in and shows Akun Saya with the username.
func (s *Server) activate(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "activate.title")
	u, err := s.Accounts.Activate(r.Context(), p.Tenant, r.PathValue("token"))
	if e, ok := errs.As(err); ok {
		p.Error = p.T(e.Key)
		p.Captcha = true
		p.Data = e.Key
		status := statusOf(e.Code)
		if e.Code == errs.Conflict {
			status = http.StatusOK // already active: nothing is wrong
		}
		return s.render(w, r, status, "aktivasi", p)
	}
	if err != nil {
		return err
	}
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	s.setFlash(w, "flash.activated", u.Username)
	return redirect(w, r, "/akun")
}

// GET /aktivasi asks for the address to send the activation link to again.
func (s *Server) resendForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "resend.title")
	p.Captcha = true
	return s.render(w, r, http.StatusOK, "aktivasi_kirim_ulang", p)
}

// POST /aktivasi mails a new activation link; the answer does not say whether the address
// has a pending account.
func (s *Server) resend(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "resend.title")
	p.Form, p.Captcha = r.PostForm, true
	var fs errs.Fields
	if !s.checkCaptcha(r, &fs) {
		return s.reRender(w, r, "aktivasi_kirim_ulang", p, fs.Err())
	}
	if err := s.Accounts.ResendActivation(r.Context(), p.Tenant, r.PostForm.Get("email")); err != nil {
		return s.reRender(w, r, "aktivasi_kirim_ulang", p, err)
	}
	return redirect(w, r, "/daftar/periksa-email")
}
