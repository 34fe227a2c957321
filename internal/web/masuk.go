package web

import (
	"errors"
	"net/http"

	"github.com/surel-id/surel/internal/errs"
)

// GET /masuk is "Masuk": username or e-mail and password; a signed-in user goes on to
// next.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if userOf(r) != nil {
		return redirect(w, r, localPath(r.URL.Query().Get("next"), "/akun"))
	}
	p := s.page(r, "login.title")
	p.Form.Set("next", r.URL.Query().Get("next"))
	return s.render(w, r, http.StatusOK, "masuk", p)
}

// POST /masuk signs in with username or e-mail. The captcha appears once the name has
// failed Limits.CaptchaAfter times; unknown names behave like known ones.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p := s.page(r, "login.title")
	p.Form = r.PostForm
	name := r.PostForm.Get("login")
	var fs errs.Fields
	captchaOK := false
	if r.PostForm.Get("altcha") != "" {
		if captchaOK = s.checkCaptcha(r, &fs); !captchaOK {
			p.Captcha = true
			return s.reRender(w, r, "masuk", p, fs.Err())
		}
	}
	u, err := s.Accounts.Login(r.Context(), p.Tenant, name, r.PostForm.Get("password"), captchaOK)
	if err != nil {
		p.Captcha = s.Accounts.CaptchaNeeded(r.Context(), p.Tenant, name)
		return s.reRender(w, r, "masuk", p, err)
	}
	if s.Staff != nil {
		// Staff pass a second factor before any session starts.
		if _, err := s.Staff.Member(r.Context(), u.ID); err == nil {
			return s.startSecondFactor(w, r, u, r.PostForm.Get("next"))
		} else if !errors.Is(err, errs.ErrNotFound) {
			return err
		}
	}
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	return redirect(w, r, localPath(r.PostForm.Get("next"), "/akun"))
}
