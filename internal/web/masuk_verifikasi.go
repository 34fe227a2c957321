package web

import (
	"net/http"
)

// GET /masuk/verifikasi asks an enrolled staff member for the code of their authenticator
// app or a recovery code.
func (s *Server) mfaVerifyForm(w http.ResponseWriter, r *http.Request) error {
	_, m, _, handled, err := s.pendingLogin(w, r)
	if handled || err != nil {
		return err
	}
	if m.MFASince.IsZero() {
		return redirect(w, r, "/masuk/aktifkan-2fa?"+r.URL.RawQuery)
	}
	p := s.page(r, "mfa.verify.title")
	p.Form.Set("next", r.URL.Query().Get("next"))
	return s.render(w, r, http.StatusOK, "masuk_verifikasi", p)
}

// POST /masuk/verifikasi checks the code and signs the member in.
func (s *Server) mfaVerify(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	u, _, secret, handled, err := s.pendingLogin(w, r)
	if handled || err != nil {
		return err
	}
	p := s.page(r, "mfa.verify.title")
	p.Form.Set("next", r.PostForm.Get("next"))
	if err := s.Staff.Verify(r.Context(), u.ID, r.PostForm.Get("otp")); err != nil {
		return s.reRender(w, r, "masuk_verifikasi", p, err)
	}
	if err := s.finishSecondFactor(w, r, u, secret); err != nil {
		return err
	}
	if n, err := s.Staff.RecoveryCodesLeft(r.Context(), u.ID); err == nil && n <= 3 {
		s.setFlash(w, "flash.mfa_codes_low", itoa(int64(n)))
	}
	return redirect(w, r, staffNext(r.PostForm.Get("next")))
}
