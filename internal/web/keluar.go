package web

import "net/http"

// POST /keluar ends the session ("Keluar").
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if sess := sessionOf(r); sess != "" {
		if err := s.Accounts.EndSession(r.Context(), sess); err != nil {
			return err
		}
	}
	s.clearCookie(w, sessionCookie)
	s.setFlash(w, "flash.logged_out", "")
	return redirect(w, r, "/masuk")
}
