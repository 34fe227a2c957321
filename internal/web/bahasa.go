package web

import (
	"net/http"

	"github.com/surel-id/surel/internal/i18n"
)

// GET /bahasa/{lang} switches the language and goes back to the page the link was on.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) error {
	lang := r.PathValue("lang")
	if !i18n.Supported(lang) {
		return errNotFound
	}
	s.setLangCookie(w, lang)
	if u := userOf(r); u != nil {
		if err := s.Accounts.SetLang(r.Context(), *u, lang); err != nil {
			return err
		}
	}
	return redirect(w, r, localPath(r.URL.Query().Get("next"), "/"))
}
