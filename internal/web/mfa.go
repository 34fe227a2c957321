package web

import (
	"net/http"
	"net/url"

	"github.com/surel-id/surel/internal/account"
	"github.com/surel-id/surel/internal/errs"
	"github.com/surel-id/surel/internal/staff"
)

// pendingCookie carries a login between the password and the second factor; it is sent
// to the /masuk pages only.
const pendingCookie = "surel_2fa"

// startSecondFactor follows a staff member's correct password: no session yet, a
// pending login for staff.LoginTTL instead, and the page that asks for the code (or
// enrols the second factor first).
func (s *Server) startSecondFactor(w http.ResponseWriter, r *http.Request, u account.User, next string) error {
	secret, err := s.Staff.StartLogin(r.Context(), u)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: secret, Path: "/masuk", HttpOnly: true, Secure: s.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(staff.LoginTTL.Seconds())})
	to := "/masuk/verifikasi"
	if ok, err := s.Staff.Enrolled(r.Context(), u.ID); err != nil {
		return err
	} else if !ok {
		to = "/masuk/aktifkan-2fa"
	}
	if next != "" {
		to += "?next=" + url.QueryEscape(next)
	}
	return redirect(w, r, to)
}

// pendingLogin is the account waiting for its second factor. With none (expired, used,
// never started) the visitor is sent back to the password with a message; handled then
// says the response is written.
func (s *Server) pendingLogin(w http.ResponseWriter, r *http.Request) (u account.User, m staff.Member, secret string, handled bool, err error) {
	if s.Staff == nil {
		return u, m, "", false, errNotFound
	}
	if c, cerr := r.Cookie(pendingCookie); cerr == nil {
		secret = c.Value
	}
	u, m, err = s.Staff.PendingLogin(r.Context(), s.Tenants.ForHost(r.Host), secret)
	if codeOf(err) == errs.Unauthorized {
		s.clearPending(w)
		s.setFlash(w, "flash.mfa_expired", "")
		return u, m, "", true, redirect(w, r, "/masuk")
	}
	return u, m, secret, false, err
}

func (s *Server) clearPending(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: "", Path: "/masuk", MaxAge: -1, HttpOnly: true, Secure: s.Secure,
		SameSite: http.SameSiteLaxMode})
}

// finishSecondFactor spends the pending login and starts the staff session.
func (s *Server) finishSecondFactor(w http.ResponseWriter, r *http.Request, u account.User, secret string) error {
	if err := s.Staff.EndLogin(r.Context(), secret); err != nil {
		return err
	}
	if m, err := s.Staff.Member(r.Context(), u.ID); err == nil {
		if err := s.Staff.RecordLogin(r.Context(), m, s.clientIP(r)); err != nil {
			return err
		}
	}
	s.clearPending(w)
	return s.startSessionMFA(w, r, u)
}
