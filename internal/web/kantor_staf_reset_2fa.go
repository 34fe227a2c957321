package web

import "net/http"

// POST /kantor/staf/{id}/reset-2fa removes a member's second factor: they enrol again at
// the next login.
func (s *Server) staffResetMFA(w http.ResponseWriter, r *http.Request) error {
	t := s.Tenants.ForHost(r.Host)
	m, err := s.member(r, t.ID)
	if err != nil {
		return err
	}
	if err := s.Staff.ResetMFA(r.Context(), t, m.UserID, staffOf(r)); err != nil {
		return err
	}
	s.setFlash(w, "flash.staff_mfa_reset", m.Email)
	return redirect(w, r, "/kantor/staf")
}
