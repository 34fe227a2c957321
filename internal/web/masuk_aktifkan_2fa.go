package web

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/surel-id/surel/internal/account"
)

// enrollData is what the enrolment page shows.
type enrollData struct {
	QR     template.URL // a PNG data: URI, which the CSP allows for images
	Secret string       // in groups of four, for typing into an app
	URL    string
	Codes  []string // the recovery codes, once enrolment is confirmed
	Next   string
}

// GET /masuk/aktifkan-2fa shows a staff member without a second factor the QR code to
// scan.
func (s *Server) mfaEnrollForm(w http.ResponseWriter, r *http.Request) error {
	u, m, _, handled, err := s.pendingLogin(w, r)
	if handled || err != nil {
		return err
	}
	if !m.MFASince.IsZero() {
		return redirect(w, r, "/masuk/verifikasi?"+r.URL.RawQuery)
	}
	p := s.page(r, "mfa.enroll.title")
	p.Form.Set("next", r.URL.Query().Get("next"))
	if err := s.enrollPage(r, p, u); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "masuk_aktifkan_2fa", p)
}

func (s *Server) enrollPage(r *http.Request, p *Page, u account.User) error {
	e, err := s.Staff.BeginEnroll(r.Context(), u.ID, p.Tenant.Name, u.Username)
	if err != nil {
		return err
	}
	var groups []string
	for i := 0; i < len(e.Secret); i += 4 {
		groups = append(groups, e.Secret[i:min(i+4, len(e.Secret))])
	}
	p.Data = enrollData{QR: template.URL(e.QR), Secret: strings.Join(groups, " "), URL: e.URL}
	return nil
}

// POST /masuk/aktifkan-2fa confirms the second factor with a first code, signs the member
// in and shows the recovery codes, once.
func (s *Server) mfaEnroll(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	u, _, secret, handled, err := s.pendingLogin(w, r)
	if handled || err != nil {
		return err
	}
	p := s.page(r, "mfa.enroll.title")
	p.Form.Set("next", r.PostForm.Get("next"))
	codes, err := s.Staff.ConfirmEnroll(r.Context(), u.ID, r.PostForm.Get("otp"))
	if err != nil {
		if perr := s.enrollPage(r, p, u); perr != nil {
			return perr
		}
		return s.reRender(w, r, "masuk_aktifkan_2fa", p, err)
	}
	if err := s.finishSecondFactor(w, r, u, secret); err != nil {
		return err
	}
	p = s.page(r, "mfa.codes.title")
	p.User = &u
	p.Data = enrollData{Codes: codes, Next: staffNext(r.PostForm.Get("next"))}
	return s.render(w, r, http.StatusOK, "masuk_kode_pemulihan", p)
}
